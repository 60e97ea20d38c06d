: Im -- muscarinic (M-type) potassium current of the Hay et al. 2011
: layer-5 pyramidal cell model (Adams et al. 1982), written for ranvier
: from the published equations; Q10 2.3 referred to 21 degC.
:   ik = gbar m (v - ek)
:   alpha = 3.3e-3 exp(0.1 (v+35)), beta = 3.3e-3 exp(-0.1 (v+35)) (1/ms)
NEURON {
    SUFFIX Im
    USEION k READ ek WRITE ik
    RANGE gbar, g
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)
}

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
    LOCAL a, b, phi
    phi = 2.3^((celsius - 21)/10)
    a = 3.3e-3*exp(0.1*(u + 35))
    b = 3.3e-3*exp(-0.1*(u + 35))
    minf = a/(a + b)
    mtau = 1/((a + b)*phi)
}
