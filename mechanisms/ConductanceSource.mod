TITLE ConductanceSource: three-level voltage source behind a series resistance, as a membrane current

COMMENT
The circuit of SEClamp (a command potential vc reaching the cell through
the resistance rs; vc = amp1 for dur1 ms from t = 0, then amp2 for dur2,
then amp3 for dur3, after which the source is disconnected and i = 0) but
entered as a NONSPECIFIC_CURRENT: i = (v - vc)/rs is a membrane current,
positive outward, so a positive i hyperpolarizes.  As in SEClamp.mod the
current is recomputed after the voltage update (SOLVE ... after_cvode) so
that the recorded i uses v(t).  Only one instance per location makes sense.
Written for ranvier from the documented behaviour of the neurodamus
mechanism of the same name (same interface).
ENDCOMMENT

NEURON {
    POINT_PROCESS ConductanceSource
    NONSPECIFIC_CURRENT i
    RANGE dur1, amp1, dur2, amp2, dur3, amp3, rs, vc, i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    rs = 1 (megohm) <1e-9, 1e9>
    dur1 (ms)
    amp1 (mV)
    dur2 (ms) <0, 1e9>
    amp2 (mV)
    dur3 (ms) <0, 1e9>
    amp3 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    vc (mV)
    tend2 (ms)
    tend3 (ms)
    on
}

INITIAL {
    tend2 = dur1 + dur2
    tend3 = tend2 + dur3
    on = 0
}

BREAKPOINT {
    SOLVE outward METHOD after_cvode
    level()
}

PROCEDURE outward() {
    if (on) {
        i = (v - vc)/rs
    } else {
        i = 0
    }
}

PROCEDURE level() {
    on = 1
    if (dur1) { at_time(dur1) }
    if (dur2) { at_time(tend2) }
    if (dur3) { at_time(tend3) }
    if (t < dur1) {
        vc = amp1
    } else if (t < tend2) {
        vc = amp2
    } else if (t < tend3) {
        vc = amp3
    } else {
        vc = 0
        on = 0
    }
    outward()
}
