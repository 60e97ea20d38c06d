: NaTs -- fast-inactivating (transient) sodium current of the Allen Institute
: perisomatic models (Colbert & Pan 2002 form with Allen half-activations).
: Written for ranvier from the published equations; Q10 2.3 referred to 23 degC.
:   ina = gbar m^3 h (v - ena)
:   m: alpha = 0.182 e(-(v+40), 6),  beta = 0.124 e(v+40, 6)
:   h: alpha = 0.015 e(v+66, 6),     beta = 0.015 e(-(v+66), 6)
:   with e(x, k) = x/(exp(x/k) - 1);  tau = 1/(alpha+beta)/qt
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
PARAMETER { gbar = 0.00001 (S/cm2) }
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
FUNCTION efun(x, k) {
    if (fabs(x/k) < 1e-6) {
        efun = k*(1 - x/k/2)
    } else {
        efun = x/(exp(x/k) - 1)
    }
}
PROCEDURE settle(u (mV)) {
    LOCAL qt, a, b
    qt = 2.3^((celsius - 23)/10)
    a = 0.182*efun(-(u - (-40)), 6)
    b = 0.124*efun(u - (-40), 6)
    minf = a/(a + b)
    mtau = (1/(a + b))/qt
    a = 0.015*efun(u - (-66), 6)
    b = 0.015*efun(-(u - (-66)), 6)
    hinf = a/(a + b)
    htau = (1/(a + b))/qt
}
