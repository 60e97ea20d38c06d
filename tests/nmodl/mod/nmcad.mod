: test mechanism (ranvier): a calcium pool integrated by derivimplicit with a
: non-linear (Michaelis-Menten) pump, and a calcium current from a gate whose
: equation is non-linear in the state (solved by derivimplicit too)
NEURON {
    SUFFIX nmcad
    USEION ca READ ica, cao WRITE cai, ica
    RANGE gbar, kpump, depth
    GLOBAL taur
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    gbar = 0.0003 (S/cm2)
    depth = 0.2 (um)
    taur = 80 (ms)
    cainf = 5e-5 (mM)
    kpump = 2e-4 (mM/ms)
    kmp = 1e-3 (mM)
}

ASSIGNED {
    v (mV)
    cao (mM)
    ica (mA/cm2)
}

STATE { cai (mM) m }

INITIAL {
    m = minf(v)
    cai = cainf
}

BREAKPOINT {
    SOLVE states METHOD derivimplicit
    ica = gbar*m*m*(v - 120)
}

DERIVATIVE states {
    m' = (minf(v) - m)/(1 + 2*m*m)
    cai' = -(10000)*ica/(2*FARADAY*depth) - kpump*cai/(cai + kmp) + (cainf - cai)/taur
}

FUNCTION minf(x (mV)) {
    minf = 1/(1 + exp(-(x + 30)/6))
}
