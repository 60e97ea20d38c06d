: K_T -- fast-inactivating (transient, A-type) potassium current of the Hay
: et al. 2011 layer-5 pyramidal cell model (Korngreen & Sakmann 2000),
: written for ranvier from the published equations; Q10 2.3 referred to
: 21 degC; the kinetics are evaluated at v + vshift (vshift 10 mV as published).
:   ik = gbar m^4 h (v - ek)
:   minf = 1/(1 + exp(-u/19)), mtau = 0.34 + 0.92 exp(-((u+71)/59)^2)
:   hinf = 1/(1 + exp((u+66)/10)), htau = 8 + 49 exp(-((u+73)/23)^2),  u = v + vshift
NEURON {
    SUFFIX K_T
    USEION k READ ek WRITE ik
    RANGE gbar, g
    GLOBAL vshift
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gbar = 0.00001 (S/cm2)
    vshift = 10 (mV)
}

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

PROCEDURE settle(vm (mV)) {
    LOCAL phi, u, s
    phi = 2.3^((celsius - 21)/10)
    u = vm + vshift
    minf = 1/(1 + exp(-u/19))
    s = (u + 71)/59
    mtau = (0.34 + 0.92*exp(-s*s))/phi
    hinf = 1/(1 + exp((u + 66)/10))
    s = (u + 73)/23
    htau = (8 + 49*exp(-s*s))/phi
}
