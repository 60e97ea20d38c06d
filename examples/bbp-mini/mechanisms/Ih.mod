: Ih -- hyperpolarisation-activated cation (HCN) current of the Hay et al.
: 2011 layer-5 pyramidal cell model (Kole et al. 2006), a non-specific
: current with its own reversal potential ehcn.  Written for ranvier from the
: published equations.
:   ihcn = gbar m (v - ehcn)
:   alpha = 0.00643 (v+154.9)/(exp((v+154.9)/11.9) - 1), beta = 0.193 exp(v/33.1) (1/ms)
NEURON {
    SUFFIX Ih
    NONSPECIFIC_CURRENT ihcn
    RANGE gbar, g, ehcn
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
    a = 0.00643*lin(-(u + 154.9), 11.9)
    b = 0.193*exp(u/33.1)
    minf = a/(a + b)
    mtau = 1/(a + b)
}
