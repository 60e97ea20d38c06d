: test mechanism (ranvier): a KINETIC calcium buffer with COMPARTMENT,
: a bimolecular reaction and a one-way flux (<<) driven by a calcium
: leak computed from v, solved by sparse (non-linear: iterated); bind and
: inflow read the reactions' fluxes (f_flux, b_flux)
NEURON {
    SUFFIX nmbuf
    USEION ca WRITE cai
    RANGE btot, gl, bind, inflow
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    gl = 2e-5 (S/cm2)
    btot = 0.05 (mM)
    kon = 100 (/mM-ms)
    koff = 0.1 (/ms)
    depth = 0.5 (um)
    taur = 50 (ms)
    cainf = 5e-5 (mM)
}

ASSIGNED {
    v (mV)
    bind (mM/ms)
    inflow (mM/ms)
}

STATE { cai (mM) b (mM) cab (mM) }

INITIAL {
    cai = cainf
    b = btot/(1 + kon*cainf/koff)
    cab = btot - b
}

BREAKPOINT {
    SOLVE buf METHOD sparse
}

KINETIC buf {
    COMPARTMENT depth {cai b cab}
    ~ cai + b <-> cab (kon*depth, koff*depth)
    bind = f_flux - b_flux
    ~ cai << (-(10000)*gl*(v - 120)/(2*FARADAY) + depth*(cainf - cai)/taur)
    inflow = b_flux + f_flux
}
