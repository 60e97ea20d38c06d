: test mechanism (ranvier): SOLVE in INITIAL without STEADYSTATE -- a
: KINETIC block (sparse) and a derivimplicit DERIVATIVE block each take one
: step at the full dt from their INITIAL values (x += dt*x' with secondorder 2)
NEURON {
    SUFFIX nminitsv
    NONSPECIFIC_CURRENT i
    RANGE gbar, i
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.0005 (S/cm2)
    erev = -65 (mV)
    kf = 0.3 (/ms)
    kb = 0.1 (/ms)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    a1 (/ms)
}

STATE { c o w }

INITIAL {
    c = 1
    o = 0
    w = 0.9
    SOLVE kin METHOD sparse
    SOLVE dw METHOD derivimplicit
}

BREAKPOINT {
    SOLVE kin METHOD sparse
    SOLVE dw METHOD derivimplicit
    i = gbar * (o + 0.5 * w) * (v - erev)
}

KINETIC kin {
    a1 = kf * exp((v + 50) / 20)
    ~ c <-> o (a1, kb)
    CONSERVE c + o = 1
}

DERIVATIVE dw {
    w' = (0.2 - w) / 4 - 0.01 * w * w
}
