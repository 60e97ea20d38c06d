: test mechanism (ranvier): NEURON's scop random generator -- set_seed,
: scop_random, normrand, exprand and poisrand in INITIAL, in instance order
NEURON {
    SUFFIX nmscop
    RANGE seed, r1, r2, r3, r4, r5
}

PARAMETER {
    seed = 0
}

ASSIGNED {
    v (mV)
    r1
    r2
    r3
    r4
    r5
}

INITIAL {
    if (seed > 0) {
        set_seed(seed)
    }
    r1 = scop_random()
    r2 = normrand(1, 2)
    r3 = normrand(-3, 0.5)
    r4 = exprand(2)
    r5 = poisrand(3)
}
