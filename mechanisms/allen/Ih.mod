: Ih -- hyperpolarization-activated cation current (Kole et al. 2006
: kinetics) of the Allen Institute perisomatic models.  Written for ranvier
: from the published equations; reversal ehcn = -45 mV, no temperature factor.
:   ihcn = gbar m (v - ehcn)
:   alpha = 0.00643 (v+154.9)/(exp((v+154.9)/11.9) - 1),  beta = 0.193 exp(v/33.1)
NEURON {
    SUFFIX Ih
    NONSPECIFIC_CURRENT ihcn
    RANGE gbar, g
}
UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}
PARAMETER {
    gbar = 0.00001 (S/cm2)
    ehcn = -45.0 (mV)
}
ASSIGNED {
    v (mV)
    ihcn (mA/cm2)
    g (S/cm2)
    minf
    mtau (ms)
}
STATE { m }
BREAKPOINT {
    SOLVE gates METHOD cnexp
    g = gbar*m
    ihcn = g*(v - ehcn)
}
INITIAL {
    settle(v)
    m = minf
}
DERIVATIVE gates {
    settle(v)
    m' = (minf - m)/mtau
}
FUNCTION efun(x, k) {
    if (fabs(x/k) < 1e-6) {
        efun = k*(1 - x/k/2)
    } else {
        efun = x/(exp(x/k) - 1)
    }
}
PROCEDURE settle(u (mV)) {
    LOCAL a, b
    a = 0.001*6.43*efun(u + 154.9, 11.9)
    b = 0.001*193*exp(u/33.1)
    minf = a/(a + b)
    mtau = 1/(a + b)
}
