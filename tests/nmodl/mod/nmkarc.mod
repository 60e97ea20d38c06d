: test mechanism (ranvier): KINETIC reactions of STATE array elements with
: constant indices (the matrix layout cached), a scalar state and a
: STEADYSTATE initialisation
NEURON {
    SUFFIX nmkarc
    NONSPECIFIC_CURRENT i
    RANGE gbar, i
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.003 (S/cm2)
    erev = -75 (mV)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    a1 (/ms)
    b1 (/ms)
}

STATE { C[2] O }

INITIAL {
    SOLVE kin STEADYSTATE sparse
}

BREAKPOINT {
    SOLVE kin METHOD sparse
    i = gbar * O * (v - erev)
}

KINETIC kin {
    a1 = 0.2 * exp((v + 45) / 10)
    b1 = 0.15 * exp(-(v + 45) / 12)
    ~ C[0] <-> C[1] (a1, b1)
    ~ C[1] <-> O (0.5 * a1, 0.3)
    CONSERVE C[0] + C[1] + O = 1
}
