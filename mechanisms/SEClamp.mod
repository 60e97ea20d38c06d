TITLE SEClamp: voltage clamp through a series resistance, three levels

COMMENT
An ideal voltage source vc drives the cell through the resistance rs:
i = (vc - v)/rs (electrode current, positive depolarizes).  The command is
amp1 for dur1 ms from t = 0, then amp2 for dur2, then amp3 for dur3; after
that the clamp is off (i = 0).  vc is computed in BREAKPOINT from t; the
current is recomputed after the voltage update (SOLVE ... after_cvode) so
that the recorded i is (vc - v(t))/rs.  Written for ranvier.
ENDCOMMENT

NEURON {
    POINT_PROCESS SEClamp
    ELECTRODE_CURRENT i
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
    SOLVE current METHOD after_cvode
    command()
}

PROCEDURE current() {
    if (on) {
        i = (vc - v)/rs
    } else {
        i = 0
    }
}

PROCEDURE command() {
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
    current()
}
