: test mechanism (ranvier): a point process writing an ion current (nA,
: scaled by 1e2/area), NET_RECEIVE with extra weight-vector state and an
: INITIAL block, self events sent from INITIAL and from NET_RECEIVE
NEURON {
    POINT_PROCESS nmpp
    USEION ca READ eca WRITE ica
    RANGE g, z, gmax, tau
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    gmax = 0.002 (uS)
    tau = 3 (ms)
}

ASSIGNED {
    v (mV)
    eca (mV)
    ica (nA)
    g (uS)
}

STATE { z }

INITIAL {
    z = 0
    net_send(5, 3)
}

BREAKPOINT {
    SOLVE st METHOD cnexp
    g = gmax*z
    ica = g*(v - eca)
}

DERIVATIVE st {
    z' = -z/tau
}

NET_RECEIVE (w, n, tl (ms)) {
    INITIAL {
        n = 0
        tl = t
    }
    if (flag == 0) {
        n = n + 1
        z = z + w*(1 + 0.1*n)*exp(-(t - tl)/50)
        tl = t
    } else if (flag == 3) {
        z = z + 0.5
        net_send(10, 3)
    }
}
