TITLE VClamp: two-amplifier voltage clamp with three levels

COMMENT
Written for ranvier from NEURON's documented VClamp (the point process of
its standard library): a clamp with a control amplifier of gain `gain` and
time constant tau2 driving the cell through rstim (MOhm), fed by an ideal
measuring amplifier whose output vi follows v (with a fraction fac of the
control output mixed in), and a summing junction e comparing vi with the
command through a lag tau1:

    vi = v + fac (vo - v)
    tau2 dvo/dt + vo = -gain e
    (-stim - e) + (vi - e) + tau1 d(vi - e)/dt = 0

integrated by implicit Euler over a step (vo0, vi0, e0: values at the start
of the step), a linear system for (e, vo, vi) solved where the current is
needed.  The command is amp[k] during the k-th of the three periods dur[k]
from t = 0; after dur[0]+dur[1]+dur[2] the clamp is off (i = 0).  i > 0
depolarises (electrode current).  The current is recomputed after the
voltage update (SOLVE ... METHOD after_cvode), so i is the current of the
step just taken.  Fixed step only, best with secondorder 0.
ENDCOMMENT

NEURON {
    POINT_PROCESS VClamp
    ELECTRODE_CURRENT i
    RANGE e0, vo0, vi0, dur, amp, gain, rstim, tau1, tau2, fac, i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    dur[3] (ms)
    amp[3] (mV)
    gain = 1e5
    rstim = 1 (megohm)
    tau1 = .001 (ms)
    tau2 = 0 (ms)
    e0 (mV)
    vo0 (mV)
    vi0 (mV)
    fac = 0
}

ASSIGNED {
    v (mV)
    i (nA)
    stim (mV)
    tc (ms)
}

STATE {
    e (mV)
    vo (mV)
    vi (mV)
}

INITIAL {
    e0 = 0
    vo = v
    vo0 = v
    vi = v
    vi0 = v
    e = 0
}

BREAKPOINT {
    SOLVE advance METHOD after_cvode
    command()
    i = current()
}

: the command level at t and the end of the clamp (tc; 100 ms beyond the
: current period while the clamp is on)
PROCEDURE command() {
    LOCAL k, found
    tc = 0
    found = 0
    k = 0
    while (k < 3 && found == 0) {
        stim = amp[k]
        tc = tc + dur[k]
        if (t < tc) {
            tc = tc + 100
            found = 1
        }
        k = k + 1
    }
}

: the electrode current, solving the amplifiers for this step
FUNCTION current() (nA) {
    if (t > tc) {
        e0 = 0
        vo0 = 0
        current = 0
    } else {
        SOLVE amplifiers
        current = (vo - v)/rstim
    }
}

: implicit Euler step of the three nodes
LINEAR amplifiers {
    LOCAL r1, r2
    r1 = tau1/dt
    r2 = tau2/dt
    ~ vi = v + fac*vo - fac*v
    ~ r2*vo - r2*vo0 + vo = -gain*e
    ~ -stim - e + vi - e + r1*vi - r1*e - r1*(vi0 - e0) = 0
}

: after the voltage update: the current of the step, then the new start
: values
PROCEDURE advance() {
    i = current()
    e0 = e
    vo0 = vo
    vi0 = vi
}
