TITLE TTXDynamicsSwitch: fixed extracellular TTX concentration

COMMENT
Holds the extracellular concentration of the pseudo-ion ttx at the range
value ttxo_level (set it per segment; the default 1e-12 mM stands for "no
TTX" while keeping a finite log for an ettx computation).  ttxi is set once,
in INITIAL, to a marker value (ttxi_sentinel = 1/64 mM, exact in binary):
NEURON starts every concentration at 1.0, so a sodium channel that reads
ttx should trust ttxo only where ttxi equals the marker, i.e. where this
mechanism (or another that owns ttxo) is inserted.  ttxi itself means
nothing physically.  Written for ranvier from the documented behaviour of
the neurodamus mechanism of the same name (same interface).
ENDCOMMENT

NEURON {
    SUFFIX TTXDynamicsSwitch
    USEION ttx WRITE ttxo, ttxi VALENCE 1
    RANGE ttxo_level
}

PARAMETER {
    ttxo_level = 1e-12 (mM)
    ttxi_sentinel = 0.015625 (mM)
}

ASSIGNED {
    ttxo (mM)
    ttxi (mM)
}

INITIAL {
    ttxi = ttxi_sentinel
    ttxo = ttxo_level
}

BREAKPOINT {
    ttxo = ttxo_level
}
