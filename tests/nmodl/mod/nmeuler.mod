: test mechanism (ranvier): euler integration, GLOBAL parameters set at run
: time, a FUNCTION with a TABLE that DEPENDs on a GLOBAL
NEURON {
    SUFFIX nmeuler
    NONSPECIFIC_CURRENT i
    RANGE gbar, i
    GLOBAL gg, vhalf
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.0002 (S/cm2)
    gg = 1
    vhalf = -40 (mV)
    tau = 4 (ms)
    erev = -80 (mV)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
}

STATE { s }

INITIAL {
    s = sinf(v)
}

BREAKPOINT {
    SOLVE st METHOD euler
    i = gbar*gg*s*(v - erev)
}

DERIVATIVE st {
    s' = (sinf(v) - s)/tau
}

FUNCTION sinf(x (mV)) {
    TABLE DEPEND vhalf FROM -100 TO 60 WITH 160
    sinf = 1/(1 + exp(-(x - vhalf)/5))
}
