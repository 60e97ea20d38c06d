: Nap -- persistent sodium current of the Hay et al. 2011 layer-5 pyramidal
: cell model (steady states from Magistretti & Alonso 1999), written for
: ranvier from the published equations; Q10 2.3 referred to 21 degC.
:   ina = gbar m^3 h (v - ena)
:   minf = 1/(1 + exp(-(v+52.6)/4.6)), mtau = 6/(am + bm) with the NaTs-like
:   rates am = 0.182 (v+38)/(1 - exp(-(v+38)/6)), bm = 0.124 (-v-38)/(1 - exp((v+38)/6))
:   hinf = 1/(1 + exp((v+48.8)/10)), htau = 1/(ah + bh),
:   ah = 2.88e-6 (-v-17)/(1 - exp((v+17)/4.63)), bh = 6.94e-6 (v+64.4)/(1 - exp(-(v+64.4)/2.63))
NEURON {
    SUFFIX Nap
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
    minf = 1/(1 + exp(-(u + 52.6)/4.6))
    a = 0.182*lin(u + 38, 6)
    b = 0.124*lin(-(u + 38), 6)
    mtau = 6/((a + b)*phi)
    hinf = 1/(1 + exp((u + 48.8)/10))
    a = 2.88e-6*lin(-(u + 17), 4.63)
    b = 6.94e-6*lin(u + 64.4, 2.63)
    htau = 1/((a + b)*phi)
}
