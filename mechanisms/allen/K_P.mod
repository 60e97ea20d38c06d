: K_P -- persistent (slowly inactivating) potassium current (Korngreen &
: Sakmann 2000 kinetics, Allen Institute parameters) of the Allen Institute
: perisomatic models.  Written for ranvier from the published equations;
: Q10 2.3 referred to 21 degC.
:   ik = gbar m^2 h (v - ek)
:   minf = 1/(1 + exp(-(v+14.3)/14.6))
:   mtau = 1.25 + 175.03 exp(0.026 v) (v < -50), 1.25 + 13 exp(-0.026 v) otherwise; /qt
:   hinf = 1/(1 + exp((v+54)/11))
:   htau = (360 + (1010 + 24 (v+55)) exp(-((v+75)/48)^2))/qt
NEURON {
    SUFFIX K_P
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
    hinf
    htau (ms)
}
STATE { m h }
BREAKPOINT {
    SOLVE gates METHOD cnexp
    g = gbar*m*m*h
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
    LOCAL qt, s
    qt = 2.3^((celsius - 21)/10)
    minf = 1/(1 + exp(-(u + 14.3)/14.6))
    if (u < -50) {
        mtau = (1.25 + 175.03*exp(-u*(-0.026)))/qt
    } else {
        mtau = (1.25 + 13*exp(-u*0.026))/qt
    }
    hinf = 1/(1 + exp(-(u + 54)/(-11)))
    s = (u + 75)/48
    htau = (360 + (1010 + 24*(u + 55))*exp(-s*s))/qt
}
