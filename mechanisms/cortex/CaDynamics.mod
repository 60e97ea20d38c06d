: CaDynamics -- submembrane calcium pool of the Hay et al. 2011 layer-5
: pyramidal cell model: a fraction gamma of the calcium current enters a
: shell of the given depth and decays to minCai with time constant decay.
: Written for ranvier from the published equation
:   dcai/dt = -10000 gamma ica/(2 F depth) - (cai - minCai)/decay
NEURON {
    SUFFIX CaDynamics
    USEION ca READ ica WRITE cai
    RANGE gamma, decay, depth, minCai
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulombs)
}

PARAMETER {
    gamma = 0.05
    decay = 80 (ms)
    depth = 0.1 (um)
    minCai = 1e-4 (mM)
}

ASSIGNED {
    ica (mA/cm2)
}

STATE { cai (mM) }

INITIAL {
    cai = minCai
}

BREAKPOINT {
    SOLVE pool METHOD cnexp
}

DERIVATIVE pool {
    cai' = -(10000)*ica*gamma/(2*FARADAY*depth) - (cai - minCai)/decay
}
