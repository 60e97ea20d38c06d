: test mechanism (ranvier): an ARTIFICIAL_CELL driven by its own events
NEURON {
    ARTIFICIAL_CELL nmart
    RANGE interval, count
}

PARAMETER {
    interval = 7 (ms)
}

ASSIGNED {
    count
}

INITIAL {
    count = 0
    net_send(interval, 1)
}

NET_RECEIVE (w) {
    if (flag == 1) {
        count = count + 1
        net_event(t)
        if (count < 8) {
            net_send(interval*(1 + 0.1*count), 1)
        }
    } else {
        count = count + w
    }
}
