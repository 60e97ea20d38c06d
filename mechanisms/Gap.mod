TITLE Gap: ohmic gap junction to a voltage reached through a POINTER

COMMENT
One half of a gap junction: the current g*(v - vgap) leaves the cell at
this point, vgap being the membrane potential on the other side (a
POINTER: setpointer / rv_pointer_set, or a voltage transfer target).  A
junction is a pair of Gap instances, each pointing at the other's location.
g is in nanosiemens, as in the Blue Brain models' gap junction (SONATA
electrical edges give their conductance in nS), hence the 1e-3 to reach
nA from mV*nS.  Written for ranvier.
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
    (nS) = (nanosiemens)
}

PARAMETER {
    g = 1 (nS)
}

ASSIGNED {
    v (mV)
    vgap (mV)
    i (nA)
}

BREAKPOINT {
    i = (v - vgap)*(g*1e-3)
}
