TITLE Gap: ohmic gap junction to a voltage reached through a POINTER

COMMENT
One half of a gap junction: the current g*(v - vgap) leaves the cell at
this point, vgap being the membrane potential on the other side (set with
setpointer / rv_pointer_set).  A junction is a pair of Gap instances, each
pointing at the other's location.  Written for ranvier.
ENDCOMMENT

NEURON {
    POINT_PROCESS Gap
    RANGE g, i
    POINTER vgap
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    g = 0.001 (uS)
}

ASSIGNED {
    v (mV)
    vgap (mV)
    i (nA)
}

BREAKPOINT {
    i = g*(v - vgap)
}
