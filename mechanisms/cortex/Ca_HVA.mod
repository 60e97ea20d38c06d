: Ca_HVA -- high-voltage-activated calcium current of the Hay et al. 2011
: layer-5 pyramidal cell model (Reuveni et al. 1993), written for ranvier
: from the published equations; eca follows the pool's cai (Nernst).
:   ica = gbar m^2 h (v - eca)
:   am = 0.055 (-27-v)/(exp((-27-v)/3.8) - 1), bm = 0.94 exp((-75-v)/17)
:   ah = 0.000457 exp((-13-v)/50),            bh = 0.0065/(exp((-v-15)/28) + 1)
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

PARAMETER {
    gbar = 0.00001 (S/cm2)
}

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

: x/(1 - exp(-x/k)), with its limit k near x = 0
FUNCTION lin(x (mV), k (mV)) (mV) {
    if (fabs(x/k) < 1e-6) {
        lin = k*(1 + x/k/2)
    } else {
        lin = x/(1 - exp(-x/k))
    }
}

PROCEDURE settle(u (mV)) {
    LOCAL a, b
    a = 0.055*lin(u + 27, 3.8)
    b = 0.94*exp(-(u + 75)/17)
    minf = a/(a + b)
    mtau = 1/(a + b)
    a = 0.000457*exp(-(u + 13)/50)
    b = 0.0065/(exp(-(u + 15)/28) + 1)
    hinf = a/(a + b)
    htau = 1/(a + b)
}
