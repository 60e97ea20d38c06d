: Nap -- persistent sodium current of the Allen Institute perisomatic models
: (Magistretti & Alonso 1999: instantaneous activation, slow inactivation).
: Written for ranvier from the published equations; Q10 2.3 referred to 21 degC.
:   ina = gbar minf(v) h (v - ena),  minf = 1/(1 + exp(-(v+52.6)/4.6))
:   hinf = 1/(1 + exp((v+48.8)/10))
:   h: alpha = 2.88e-6 e(v+17, 4.63), beta = 6.94e-6 e(-(v+64.4), 2.63),
:   e(x, k) = x/(exp(x/k) - 1),  htau = 1/(alpha+beta)/qt
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
PARAMETER { gbar = 0.00001 (S/cm2) }
ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    g (S/cm2)
    celsius (degC)
    minf
    hinf
    htau (ms)
}
STATE { h }
BREAKPOINT {
    SOLVE gates METHOD cnexp
    settle(v)
    g = gbar*minf*h
    ina = g*(v - ena)
}
INITIAL {
    settle(v)
    h = hinf
}
DERIVATIVE gates {
    settle(v)
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
    qt = 2.3^((celsius - 21)/10)
    minf = 1/(1 + exp((u + 52.6)/(-4.6)))
    hinf = 1/(1 + exp((u + 48.8)/10))
    a = 2.88e-6*efun(u + 17, 4.63)
    b = 6.94e-6*efun(-(u + 64.4), 2.63)
    htau = (1/(a + b))/qt
}
