TITLE nmwatch: WATCH test point process

COMMENT
Counts upward crossings of v through vth (WATCH with flag 2) and, while
armed, injects a brief current pulse that ends with a self event; a second
WATCH (flag 3) notes when v falls back below vlow and re-arms the first.
An input event (flag 0) arms both.  Written for ranvier's oracle tests.
ENDCOMMENT

NEURON {
    POINT_PROCESS nmwatch
    RANGE vth, vlow, amp, dur, i, nup, ndown, lastup
    NONSPECIFIC_CURRENT i
}

PARAMETER {
    vth = -20 (mV)
    vlow = -50 (mV)
    amp = 0.05 (nA)
    dur = 0.7 (ms)
}

ASSIGNED {
    v (mV)
    i (nA)
    on
    nup
    ndown
    lastup (ms)
}

INITIAL {
    on = 0
    nup = 0
    ndown = 0
    lastup = -1
    net_send(0, 1)
}

BREAKPOINT {
    i = -on*amp
}

NET_RECEIVE (w) {
    if (flag == 1) {
        WATCH (v > vth) 2
        WATCH (vlow > v) 3
    } else if (flag == 2) {
        nup = nup + 1
        lastup = t
        on = 1
        net_send(dur, 4)
    } else if (flag == 3) {
        ndown = ndown + 1
        WATCH (v > vth) 2
        WATCH (v < vlow) 3
    } else if (flag == 4) {
        on = 0
    } else {
        net_event(t)
    }
}
