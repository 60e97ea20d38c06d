: Kd -- slowly inactivating (D-type) potassium current of the Allen Institute
: perisomatic models (Foust et al. 2011 form).  Written for ranvier from the
: published equations; the published model has no temperature factor.
:   ik = gbar m h (v - ek)
:   minf = 1 - 1/(1 + exp((v+43)/8)),  mtau = 1 ms
:   hinf = 1/(1 + exp((v+67)/7.3)),    htau = 1500 ms
NEURON {
    SUFFIX Kd
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
    minf
    mtau (ms)
    hinf
    htau (ms)
}
STATE { m h }
BREAKPOINT {
    SOLVE gates METHOD cnexp
    g = gbar*m*h
    ik = g*(v - ek)
}
INITIAL {
    settle(v)
    m = minf
    h = hinf
}
DERIVATIVE gates {
    settle(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}
PROCEDURE settle(u (mV)) {
    minf = 1 - 1/(1 + exp((u - (-43))/8))
    mtau = 1
    hinf = 1/(1 + exp((u - (-67))/7.3))
    htau = 1500
}
