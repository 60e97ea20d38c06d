: Kv2like -- delayed-rectifier (Kv2-like) potassium current with two
: inactivation gates of the Allen Institute perisomatic models.  Written for
: ranvier from the published equations; Q10 2.3 referred to 21 degC.
:   ik = gbar m^2 (h1 + h2)/2 (v - ek)
:   m: alpha = 0.12 e(-(v-43), 11), beta = 0.02 exp(-(v+1.27)/120),
:      e(x, k) = x/(exp(x/k) - 1),  mtau = 2.5/(qt (alpha+beta))
:   hinf = 1/(1 + exp((v+58)/11))
:   h1tau = (360 + (1010 + 23.7 (v+54)) exp(-((v+75)/48)^2))/qt
:   h2tau = (2350 + 1380 exp(-0.011 v) - 210 exp(-0.03 v))/qt  (1e-3 if negative)
NEURON {
    SUFFIX Kv2like
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
    h1tau (ms)
    h2tau (ms)
}
STATE { m h1 h2 }
BREAKPOINT {
    SOLVE gates METHOD cnexp
    g = gbar*m*m*(0.5*h1 + 0.5*h2)
    ik = g*(v - ek)
}
INITIAL {
    settle(v)
    m = minf
    h1 = hinf
    h2 = hinf
}
DERIVATIVE gates {
    settle(v)
    m' = (minf - m)/mtau
    h1' = (hinf - h1)/h1tau
    h2' = (hinf - h2)/h2tau
}
FUNCTION efun(x, k) {
    if (fabs(x/k) < 1e-6) {
        efun = k*(1 - x/k/2)
    } else {
        efun = x/(exp(x/k) - 1)
    }
}
PROCEDURE settle(u (mV)) {
    LOCAL qt, a, b, s
    qt = 2.3^((celsius - 21)/10)
    a = 0.12*efun(-(u - 43), 11.0)
    b = 0.02*exp(-(u + 1.27)/120)
    minf = a/(a + b)
    mtau = 2.5*(1/(qt*(a + b)))
    hinf = 1/(1 + exp((u + 58)/11))
    s = (u + 75)/48
    h1tau = (360 + (1010 + 23.7*(u + 54))*exp(-s*s))/qt
    h2tau = (2350 + 1380*exp(-0.011*u) - 210*exp(-0.03*u))/qt
    if (h2tau < 0) {
        h2tau = 1e-3
    }
}
