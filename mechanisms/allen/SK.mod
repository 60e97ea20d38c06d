: SK -- small-conductance calcium-activated potassium current (Kohler et al.
: 1996 steady state) of the Allen Institute perisomatic models.  Written for
: ranvier from the published equations.
:   ik = gbar z (v - ek),  zinf = 1/(1 + (0.00043/cai)^4.8),  ztau = 1 ms
:   (cai below 1e-7 mM is raised by 1e-7 mM)
NEURON {
    SUFFIX SK
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gbar, g
}
UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
    (mM) = (milli/liter)
}
PARAMETER {
    gbar = 0.000001 (S/cm2)
    zTau = 1 (ms)
}
ASSIGNED {
    v (mV)
    ek (mV)
    cai (mM)
    ik (mA/cm2)
    g (S/cm2)
    zinf
}
STATE { z }
BREAKPOINT {
    SOLVE gates METHOD cnexp
    g = gbar*z
    ik = g*(v - ek)
}
INITIAL {
    settle(cai)
    z = zinf
}
DERIVATIVE gates {
    settle(cai)
    z' = (zinf - z)/zTau
}
PROCEDURE settle(c (mM)) {
    LOCAL cc
    cc = c
    if (cc < 1e-7) {
        cc = cc + 1e-7
    }
    zinf = 1/(1 + (0.00043/cc)^4.8)
}
