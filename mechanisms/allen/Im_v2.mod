: Im_v2 -- M-type potassium current of the Allen Institute perisomatic models
: (Vervaeke et al. 2006 form).  Written for ranvier from the published
: equations; Q10 2.3 referred to 30 degC.
:   ik = gbar m (v - ek)
:   alpha = 0.007 exp(6*0.4 (v+48)/26.12),  beta = 0.007 exp(-6*0.6 (v+48)/26.12)
:   mtau = (15 + 1/(alpha+beta))/qt
NEURON {
    SUFFIX Im_v2
    USEION k READ ek WRITE ik
    RANGE gbar, g
}
UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}
PARAMETER { gbar = 0.00001 (S/cm2) }
ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    g (S/cm2)
    celsius (degC)
    minf
    mtau (ms)
}
STATE { m }
BREAKPOINT {
    SOLVE gates METHOD cnexp
    g = gbar*m
    ik = g*(v - ek)
}
INITIAL {
    settle(v)
    m = minf
}
DERIVATIVE gates {
    settle(v)
    m' = (minf - m)/mtau
}
PROCEDURE settle(u (mV)) {
    LOCAL qt, a, b
    qt = 2.3^((celsius - 30)/10)
    a = 0.007*exp((6*0.4*(u + 48))/26.12)
    b = 0.007*exp((-6*(1 - 0.4)*(u + 48))/26.12)
    minf = a/(a + b)
    mtau = (15 + 1/(a + b))/qt
}
