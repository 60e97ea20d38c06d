: Ca_HVA -- high-voltage-activated calcium current (Reuveni et al. 1993
: kinetics) of the Allen Institute perisomatic models.  Written for ranvier
: from the published rate equations; no temperature factor.
:   ica = gbar m^2 h (v - eca)
:   m: alpha = 0.055 (-27-v)/(exp((-27-v)/3.8) - 1), beta = 0.94 exp((-75-v)/17)
:   h: alpha = 0.000457 exp((-13-v)/50),   beta = 0.0065/(exp((-v-15)/28) + 1)
NEURON {
    SUFFIX Ca_HVA
    USEION ca READ eca WRITE ica
    RANGE gbar, g
}
UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}
PARAMETER { gbar = 0.00001 (S/cm2) }
ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
    g (S/cm2)
    minf
    mtau (ms)
    hinf
    htau (ms)
}
STATE { m h }
BREAKPOINT {
    SOLVE gates METHOD cnexp
    g = gbar*m*m*h
    ica = g*(v - eca)
}
INITIAL {
    settle(v)
    m = minf
    h = hinf
}
DERIVATIVE gates {
    settle(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}
: x/(exp(x/k) - 1), with its limit near x = 0
FUNCTION efun(x, k) {
    if (fabs(x/k) < 1e-6) {
        efun = k*(1 - x/k/2)
    } else {
        efun = x/(exp(x/k) - 1)
    }
}
PROCEDURE settle(u (mV)) {
    LOCAL a, b
    a = 0.055*efun(-27 - u, 3.8)
    b = 0.94*exp((-75 - u)/17)
    minf = a/(a + b)
    mtau = 1/(a + b)
    a = 0.000457*exp((-13 - u)/50)
    b = 0.0065/(exp((-u - 15)/28) + 1)
    hinf = a/(a + b)
    htau = 1/(a + b)
}
