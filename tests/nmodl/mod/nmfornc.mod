: test mechanism (ranvier): FOR_NETCONS -- in NET_RECEIVE's INITIAL every
: NetCon counts the NetCons of its target and sums their first weights;
: each event adds weight * count to g
NEURON {
    POINT_PROCESS nmfornc
    NONSPECIFIC_CURRENT i
    RANGE tau, e, tot, i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau = 2 (ms)
    e = 0 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    tot
}

STATE { g (uS) }

INITIAL {
    g = 0
    tot = 0
}

BREAKPOINT {
    SOLVE decay METHOD cnexp
    i = g * (v - e)
}

DERIVATIVE decay {
    g' = -g / tau
}

NET_RECEIVE(w (uS), n) {
    INITIAL {
        n = 0
        FOR_NETCONS(w1 (uS), n1) {
            n = n + 1
            tot = tot + w1
        }
    }
    g = g + w * n
}
