: test mechanism (ranvier): x' read in an expression of a DERIVATIVE block
: solved by derivimplicit (the value of x' = ... assigned earlier in the block)
NEURON {
    SUFFIX nmprimed
    NONSPECIFIC_CURRENT i
    RANGE gbar, rate, i
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.0004 (S/cm2)
    erev = -70 (mV)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    minf
    rate (/ms)
}

STATE { m h }

INITIAL {
    m = 0.05
    h = 0
}

BREAKPOINT {
    SOLVE st METHOD derivimplicit
    i = gbar * (m + h) * (v - erev)
}

DERIVATIVE st {
    minf = 1 / (1 + exp(-(v + 45) / 4))
    m' = (minf - m) / 1.5
    h' = 0.5 * m' - h / 8 + 0.2 * m * m
    rate = m' + h'
}
