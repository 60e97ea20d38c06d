: Kv3_1 -- fast non-inactivating (Kv3.1-like) potassium current of the Hay
: et al. 2011 layer-5 pyramidal cell model (Rettig et al. 1992), written for
: ranvier from the published equations; no temperature correction.
:   ik = gbar m (v - ek)
:   minf = 1/(1 + exp(-(v-18.7)/9.7)), mtau = 4/(1 + exp(-(v+46.56)/44.14))
NEURON {
    SUFFIX Kv3_1
    USEION k READ ek WRITE ik
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
    ek (mV)
    ik (mA/cm2)
    g (S/cm2)
    minf
    mtau (ms)
}

STATE { m }

BREAKPOINT {
    SOLVE gates METHOD cnexp
    g = gbar*m
    ik = g*(v - ek)
}

INITIAL {
    settle(v)
    m = minf
}

DERIVATIVE gates {
    settle(v)
    m' = (minf - m)/mtau
}

PROCEDURE settle(u (mV)) {
    minf = 1/(1 + exp(-(u - 18.7)/9.7))
    mtau = 4/(1 + exp(-(u + 46.56)/44.14))
}
