: test mechanism (ranvier): KINETIC reactions of STATE arrays -- A[i] <-> B[i]
: in a FROM loop (rates depending on i and v) and one reaction between
: elements, solved by sparse
NEURON {
    SUFFIX nmkarr
    NONSPECIFIC_CURRENT i
    RANGE gbar, ob, i
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.002 (S/cm2)
    erev = -80 (mV)
    kb = 0.05 (/ms)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    ob
    af (/ms)
}

STATE { A[3] B[3] }

INITIAL {
    FROM j = 0 TO 2 {
        A[j] = 0.2 * (j + 1)
        B[j] = 0
    }
}

BREAKPOINT {
    SOLVE kin METHOD sparse
    ob = B[0] + 0.5 * B[1] + 0.25 * B[2]
    i = gbar * ob * (v - erev)
}

KINETIC kin {
    af = 0.1 * exp((v + 40) / 15)
    FROM j = 0 TO 2 {
        ~ A[j] <-> B[j] (af * (j + 1), kb)
    }
    ~ A[0] <-> A[1] (0.3, 0.1)
    ~ B[2] <-> B[1] (0.02, 0.04)
}
