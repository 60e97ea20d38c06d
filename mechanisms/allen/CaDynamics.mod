: CaDynamics -- submembrane calcium pool of the Allen Institute perisomatic
: models: calcium entering through ica fills a shell of depth `depth`, a
: fraction `gamma` stays free, and it decays to minCai with time constant
: `decay`.  Written for ranvier from the published equation:
:   dcai/dt = -10000 ica gamma / (2 F depth) - (cai - minCai)/decay
NEURON {
    SUFFIX CaDynamics
    USEION ca READ ica WRITE cai
    RANGE gamma, decay, depth, minCai
}
UNITS {
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
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
INITIAL { cai = minCai }
BREAKPOINT { SOLVE pool METHOD cnexp }
DERIVATIVE pool {
    cai' = -(10000)*(ica*gamma/(2*FARADAY*depth)) - (cai - minCai)/decay
}
