: K_T -- transient (A-type) potassium current (Korngreen & Sakmann 2000
: kinetics, no voltage shift) of the Allen Institute perisomatic models.
: Written for ranvier from the published equations; Q10 2.3 referred to 21 degC.
:   ik = gbar m^4 h (v - ek)
:   minf = 1/(1 + exp(-(v+47)/29)),  mtau = (0.34 + 0.92 exp(-((v+71)/59)^2))/qt
:   hinf = 1/(1 + exp((v+66)/10)),   htau = (8 + 49 exp(-((v+73)/23)^2))/qt
NEURON {
    SUFFIX K_T
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
    g = gbar*m*m*m*m*h
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
    minf = 1/(1 + exp(-(u + 47)/29))
    s = (u + 71)/59
    mtau = (0.34 + 0.92*exp(-s*s))/qt
    hinf = 1/(1 + exp(-(u + 66)/(-10)))
    s = (u + 73)/23
    htau = (8 + 49*exp(-s*s))/qt
}
