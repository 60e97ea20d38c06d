TITLE MembraneCurrentSource: rectangular pulse delivered as a membrane current

COMMENT
The pulse of IClamp (amplitude amp from t = del for dur ms, zero otherwise)
but entered as a NONSPECIFIC_CURRENT, i.e. a membrane current where positive
is outward.  To keep the sign convention of IClamp's amp (positive amp
depolarizes) the current is i = -amp during the pulse.  Written for ranvier
from the documented behaviour of the neurodamus mechanism of the same name
(same interface).
ENDCOMMENT

NEURON {
    POINT_PROCESS MembraneCurrentSource
    RANGE del, dur, amp, i
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
}

PARAMETER {
    del (ms)
    dur (ms) <0, 1e9>
    amp (nA)
}

ASSIGNED {
    i (nA)
}

INITIAL {
    i = 0
}

BREAKPOINT {
    at_time(del)
    at_time(del + dur)
    if (t >= del && t < del + dur) {
        i = -amp
    } else {
        i = 0
    }
}
