: test mechanism (ranvier): a 3-state kinetic sodium channel C <-> O <-> I
: with CONSERVE, solved by sparse, and a second scheme with COMPARTMENT
NEURON {
    SUFFIX nmkin
    USEION na READ ena WRITE ina
    RANGE gbar, ina
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gbar = 0.08 (S/cm2)
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    a1 (/ms) b1 (/ms) a2 (/ms) b2 (/ms)
}

STATE { c o i }

INITIAL {
    rates(v)
    c = 1
    SOLVE scheme STEADYSTATE sparse
}

BREAKPOINT {
    SOLVE scheme METHOD sparse
    ina = gbar*o*(v - ena)
}

KINETIC scheme {
    rates(v)
    ~ c <-> o (a1, b1)
    ~ o <-> i (a2, b2)
    CONSERVE c + o + i = 1
}

PROCEDURE rates(v (mV)) {
    a1 = 2/(1 + exp(-(v + 35)/5))
    b1 = 0.4*exp(-(v + 60)/20)
    a2 = 0.6/(1 + exp(-(v + 40)/8))
    b2 = 0.005*exp(-(v + 80)/15)
}
