: NaTs -- fast-inactivating (transient) sodium current of the Hay et al. 2011
: layer-5 pyramidal cell model (kinetics after Colbert & Pan 2002), as used by
: the Allen Institute perisomatic fits.  Written for ranvier from the
: published rate equations; Q10 of 2.3 referred to 21 degC.
:   ina = gbar m^3 h (v - ena)
:   m: alpha = 0.182 (v+32)/(1 - exp(-(v+32)/6)), beta = 0.124 (-v-32)/(1 - exp((v+32)/6))
:   h: alpha = 0.015 (-v-60)/(1 - exp((v+60)/6)), beta = 0.015 (v+60)/(1 - exp(-(v+60)/6))
NEURON {
    SUFFIX NaTs
    USEION na READ ena WRITE ina
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
    ena (mV)
    ina (mA/cm2)
    g (S/cm2)
    celsius (degC)
    minf
    mtau (ms)
    hinf
    htau (ms)
}

STATE { m h }

BREAKPOINT {
    SOLVE gates METHOD cnexp
    g = gbar*m*m*m*h
    ina = g*(v - ena)
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

: x/(1 - exp(-x/k)), with its limit k near x = 0
FUNCTION lin(x (mV), k (mV)) (mV) {
    if (fabs(x/k) < 1e-6) {
        lin = k*(1 + x/k/2)
    } else {
        lin = x/(1 - exp(-x/k))
    }
}

PROCEDURE settle(u (mV)) {
    LOCAL a, b, phi
    phi = 2.3^((celsius - 21)/10)
    a = 0.182*lin(u + 32, 6)
    b = 0.124*lin(-(u + 32), 6)
    minf = a/(a + b)
    mtau = 1/((a + b)*phi)
    a = 0.015*lin(-(u + 60), 6)
    b = 0.015*lin(u + 60, 6)
    hinf = a/(a + b)
    htau = 1/((a + b)*phi)
}
