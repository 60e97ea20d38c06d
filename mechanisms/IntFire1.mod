TITLE IntFire1: leaky integrate-and-fire artificial cell

COMMENT
The membrane state m relaxes to 0 with time constant tau and is computed
only when an event arrives: m(t) = m(t0) exp(-(t - t0)/tau).  An event of
weight w adds w; when m exceeds 1 the cell fires, m is shown as 2 and the
cell ignores input for refrac ms, after which m restarts from 0.
Written for ranvier.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL IntFire1
    RANGE tau, refrac, m
}

PARAMETER {
    tau = 10 (ms)
    refrac = 5 (ms)
}

ASSIGNED {
    m
    t0 (ms)
    refractory
}

INITIAL {
    m = 0
    t0 = t
    refractory = 0
}

FUNCTION M() {
    if (refractory == 0) {
        M = m*exp(-(t - t0)/tau)
    } else if (refractory == 1) {
        if (t - t0 < 0.5) {
            M = 2
        } else {
            M = -1
        }
    }
}

NET_RECEIVE (w) {
    if (refractory == 0) {
        m = m*exp(-(t - t0)/tau)
        t0 = t
        m = m + w
        if (m > 1) {
            refractory = 1
            m = 2
            net_send(refrac, refractory)
            net_event(t)
        }
    } else if (flag == 1) {
        t0 = t
        refractory = 0
        m = 0
    }
}
