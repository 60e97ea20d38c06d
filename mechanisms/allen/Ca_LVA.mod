: Ca_LVA -- low-voltage-activated (T-type) calcium current (Avery & Johnston
: 1996 kinetics, shifted by +10 mV) of the Allen Institute perisomatic models.
: Written for ranvier from the published equations; Q10 2.3 referred to 21 degC.
:   ica = gbar m^2 h (v - eca),  u = v + 10
:   minf = 1/(1 + exp(-(u+30)/6)),   mtau = (5 + 20/(1 + exp((u+25)/5)))/qt
:   hinf = 1/(1 + exp((u+80)/6.4)),  htau = (20 + 50/(1 + exp((u+40)/7)))/qt
NEURON {
    SUFFIX Ca_LVA
    USEION ca READ eca WRITE ica
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
    eca (mV)
    ica (mA/cm2)
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
    ica = g*(v - eca)
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
PROCEDURE settle(vm (mV)) {
    LOCAL qt, u
    qt = 2.3^((celsius - 21)/10)
    u = vm + 10
    minf = 1/(1 + exp((u + 30)/(-6)))
    mtau = (5 + 20/(1 + exp((u + 25)/5)))/qt
    hinf = 1/(1 + exp((u + 80)/6.4))
    htau = (20 + 50/(1 + exp((u + 40)/7)))/qt
}
