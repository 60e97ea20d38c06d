: test mechanism (ranvier): constructs of the coverage run -- diam and area
: read by a density mechanism, DEFINE, a GLOBAL array, a RANGE name declared
: nowhere else (gunused: nocmodl ignores it, ranvier makes it ASSIGNED), a
: FUNCTION TABLE that DEPENDs on dt, a top-level LOCAL array.
NEURON {
    SUFFIX nmgeom
    NONSPECIFIC_CURRENT i
    RANGE gbar, ratio, acc, i, gunused
    GLOBAL wt
}

DEFINE NW 3

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.0002 (S/cm2)
    wt[NW]
    erev = -70 (mV)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    diam (um)
    area (um2)
    ratio (um)
    acc
}

LOCAL scale[2]

STATE { s }

INITIAL {
    LOCAL k
    FROM k = 0 TO NW - 1 {
        wt[k] = 0.5 + k*0.25
    }
    scale[0] = diam/10
    scale[1] = area/1000
    ratio = area/diam
    s = 0
    acc = 0
}

BREAKPOINT {
    SOLVE st METHOD cnexp
    acc = decay(v)*ratio
    i = gbar*s*(v - erev)*scale[0]*wt[NW - 1] + 1e-6*scale[1]
}

DERIVATIVE st {
    s' = (1 - s)/(2 + diam)
}

FUNCTION decay(x (mV)) {
    TABLE DEPEND dt FROM -100 TO 100 WITH 200
    decay = exp(-dt*x/100)
}
