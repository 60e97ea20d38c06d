: test mechanism (ranvier): a CONSTRUCTOR that sets a RANGE variable from a
: PARAMETER's default (NEURON runs it at creation, before the user sets the
: PARAMETER), a DESTRUCTOR, and a DERIVATIVE block called as a procedure in
: INITIAL (one cnexp step)
NEURON {
    POINT_PROCESS nmctor
    NONSPECIFIC_CURRENT i
    RANGE k, made, tau, zi, i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
}

PARAMETER {
    k = 2
    tau = 3 (ms)
    e = -70 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    made
    zi
}

STATE { z }

CONSTRUCTOR {
    made = k * 3 + 1
}

DESTRUCTOR {
    made = -1
}

INITIAL {
    z = made * k / 1000
    relax()
    zi = z
}

BREAKPOINT {
    SOLVE relax METHOD cnexp
    i = z * (v - e) / 100
}

DERIVATIVE relax {
    z' = (made / 2000 - z) / tau
}
