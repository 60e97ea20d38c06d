TITLE nmttx: test leak blocked by extracellular TTX (reads the ttx pseudo-ion)

COMMENT
Test mechanism for TTXDynamicsSwitch: a sodium-like leak
i = gbar*(v - erev)*block, where block = 1/(1 + ttxo/kd) if ttxi holds the
TTXDynamicsSwitch marker (1/64 mM) and 1 otherwise (ttxo not managed).
Also records ttxo and ttxi as range variables.  Written for ranvier.
ENDCOMMENT

NEURON {
    SUFFIX nmttx
    USEION ttx READ ttxo, ttxi VALENCE 1
    NONSPECIFIC_CURRENT i
    RANGE gbar, erev, kd, block, seeo, seei
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
}

PARAMETER {
    gbar = 0.0005 (S/cm2)
    erev = 50 (mV)
    kd = 1e-5 (mM)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    ttxo (mM)
    ttxi (mM)
    block
    seeo (mM)
    seei (mM)
}

INITIAL {
    rates()
}

BREAKPOINT {
    rates()
    i = gbar*(v - erev)*block
}

PROCEDURE rates() {
    seeo = ttxo
    seei = ttxi
    if (ttxi == 0.015625) {
        block = 1/(1 + ttxo/kd)
    } else {
        block = 1
    }
}
