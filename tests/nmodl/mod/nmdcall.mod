: test mechanism (ranvier): a derivimplicit DERIVATIVE block called as a
: procedure in INITIAL (one Newton-solved implicit step at dt)
NEURON {
    SUFFIX nmdcall
    NONSPECIFIC_CURRENT i
    RANGE gbar, xi, i
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.0003 (S/cm2)
    tau = 2 (ms)
    erev = -75 (mV)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    xi
}

STATE { x }

INITIAL {
    x = 0.5
    gate()
    gate()
    xi = x
}

BREAKPOINT {
    SOLVE gate METHOD derivimplicit
    i = gbar * x * x * (v - erev)
}

DERIVATIVE gate {
    x' = (1 / (1 + exp(-(v + 50) / 6)) - x * x) / tau
}
