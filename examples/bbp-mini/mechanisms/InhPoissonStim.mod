TITLE InhPoissonStim: inhomogeneous Poisson spike generator (thinning)

COMMENT
Written for ranvier from the thinning method (Lewis & Shedler 1979; as used
for spontaneous release by the Blue Brain Project, Muller et al. 2007,
Neural Comput 19:2958) and the public interface of the Blue Brain
generator of the same name, so that circuits configured for it run
unchanged.

The rate (Hz) is piecewise constant: setRate(rates) and setTbins(tbins)
give the rate rates[k] from time tbins[k] on (both vectors owned by the
caller).  A surrogate Poisson process of the maximal rate rmax produces
candidate times, intervals 1000/rmax * E with E a unit exponential draw
from the exp stream; each candidate is kept with probability
curRate/rmax (a uniform draw from the uniform stream) and then emitted as
a spike.  Candidates stop once t + interval >= start + duration (start =
tbins[0], at least 0).  setRNGs(e1, e2, e3, u1, u2, u3) gives the two
Random123 streams (exp: e1..e3, uniform: u1..u3); both are rewound at
INITIAL.

Order of draws: at INITIAL one exponential is drawn and discarded, then
the first interval (exponential); at each candidate event: the bin is
advanced to t, the next interval is drawn (exponential) and scheduled, then
one uniform decides whether this candidate is emitted.
ENDCOMMENT

NEURON {
    THREADSAFE
    ARTIFICIAL_CELL InhPoissonStim
    RANGE rmax
    RANGE duration
    BBCOREPOINTER uniform_rng, exp_rng, vecRate, vecTbins
}

PARAMETER {
    interval_min = 1.0
    duration = 1e6 (ms)
}

ASSIGNED {
    vecRate
    vecTbins
    index
    curRate
    start (ms)
    event (ms)
    uniform_rng
    exp_rng
    usingR123
    rmax
    activeFlag
}

INITIAL {
    LOCAL k, n
    index = 0
    activeFlag = 0
    start = 0
    if (ntbins() >= 1) {
        start = tbin(0)
        if (start < 0) {
            start = 0
        }
    }
    event = start
    : the maximal rate, and the rate of the first bin
    rmax = 0
    n = nrates()
    k = 0
    while (k < n) {
        if (rate(k) > rmax) {
            rmax = rate(k)
        }
        k = k + 1
    }
    if (n > 0) {
        curRate = rate(0)
    } else {
        curRate = 1
        rmax = 1
    }
    rewind()
    update_time()
    erand()
    generate_next_event()
    if (t + event < start + duration) {
        net_send(event, activeFlag)
    }
}

: the next candidate interval of the surrogate process (rate rmax)
PROCEDURE generate_next_event() {
    event = 1000.0/rmax*erand()
    if (event < 0) {
        event = 0
    }
}

: advance the rate bin to the current time
PROCEDURE update_time() {
    LOCAL k, kprev, n
    k = index
    kprev = k
    if (k >= 0) {
        n = ntbins()
        if (n > 0) {
            while (k + 1 < n && t >= tbin(k + 1)) {
                index = index + 1
                k = k + 1
            }
            if (k != kprev) {
                if (nrates() > k) {
                    curRate = rate(k)
                } else {
                    curRate = 1
                }
            }
            if (k == n) {
                index = -1
            }
        } else {
            : no bins: a unit-rate process, time no longer tracked
            rmax = 1
            curRate = 1
            index = -1
        }
    }
}

NET_RECEIVE (w) {
    LOCAL r
    if (flag == -99) {
        : restart of the candidate chain after a state restore
        if (t + event < start + duration) {
            net_send(event, activeFlag)
        }
    } else if (activeFlag == flag) {
        update_time()
        generate_next_event()
        if (t + event < start + duration) {
            net_send(event, activeFlag)
        }
        r = urand()
        if (r < curRate/rmax) {
            net_event(t)
        }
    }
}

FUNCTION getPostRestoreFlag() {
    getPostRestoreFlag = -99
}

: the time of the first candidate after the current time, continuing the
: chain from the last candidate (state restore)
FUNCTION resumeEvent() {
    LOCAL elapsed
    elapsed = event
    while (elapsed < t) {
        update_time()
        generate_next_event()
        elapsed = elapsed + event
    }
    event = elapsed - t
    resumeEvent = elapsed
}

: ---- streams and vectors (pointers in the BBCOREPOINTER slots)

: setRNGs(e1, e2, e3, u1, u2, u3): the exponential and uniform streams;
: setRNGs() drops them
PROCEDURE setRNGs() {
VERBATIM
    {
        int k;
        uint32_t id[6];
        if (_p_exp_rng) nrnran123_deletestream((nrnran123_State *)_p_exp_rng);
        if (_p_uniform_rng) nrnran123_deletestream((nrnran123_State *)_p_uniform_rng);
        _p_exp_rng = NULL;
        _p_uniform_rng = NULL;
        usingR123 = 0;
        if (ifarg(1)) {
            for (k = 0; k < 6; ++k) {
                if (!ifarg(k + 1) || !hoc_is_double_arg(k + 1)) break;
                id[k] = (uint32_t)*getarg(k + 1);
            }
            if (k < 6) {
                hoc_execerror("setRNGs: expected 6 numbers (Random123 ids)", 0);
            } else {
                _p_exp_rng = (void *)nrnran123_newstream3(id[0], id[1], id[2]);
                _p_uniform_rng = (void *)nrnran123_newstream3(id[3], id[4], id[5]);
                usingR123 = 1;
            }
        }
    }
ENDVERBATIM
}

PROCEDURE rewind() {
VERBATIM
    if (_p_exp_rng) nrnran123_setseq((nrnran123_State *)_p_exp_rng, 0, 0);
    if (_p_uniform_rng) nrnran123_setseq((nrnran123_State *)_p_uniform_rng, 0, 0);
ENDVERBATIM
}

FUNCTION urand() {
    urand = 0
VERBATIM
    if (_p_uniform_rng) {
        _lurand = nrnran123_dblpick((nrnran123_State *)_p_uniform_rng);
    } else {
        hoc_execerror("no random streams", "(call setRNGs first)");
    }
ENDVERBATIM
}

FUNCTION erand() {
    erand = 0
VERBATIM
    if (_p_exp_rng) {
        _lerand = nrnran123_negexp((nrnran123_State *)_p_exp_rng);
    } else {
        hoc_execerror("no random streams", "(call setRNGs first)");
    }
ENDVERBATIM
}

: setTbins(tbins): the start times of the rate bins (ms)
PROCEDURE setTbins() {
VERBATIM
    _p_vecTbins = NULL;
    if (ifarg(1)) _p_vecTbins = (void *)vector_arg(1);
ENDVERBATIM
}

: setRate(rates): the rate of each bin (Hz)
PROCEDURE setRate() {
    LOCAL k, n
VERBATIM
    _p_vecRate = NULL;
    if (ifarg(1)) _p_vecRate = (void *)vector_arg(1);
ENDVERBATIM
    n = nrates()
    if (n > 0) {
        rmax = 0
        k = 0
        while (k < n) {
            if (rate(k) > rmax) {
                rmax = rate(k)
            }
            k = k + 1
        }
        curRate = rate(0)
        activeFlag = activeFlag + 1
    }
}

FUNCTION ntbins() {
    ntbins = 0
VERBATIM
    if (_p_vecTbins) _lntbins = vector_capacity(_p_vecTbins);
ENDVERBATIM
}

FUNCTION nrates() {
    nrates = 0
VERBATIM
    if (_p_vecRate) _lnrates = vector_capacity(_p_vecRate);
ENDVERBATIM
}

FUNCTION tbin(k) {
    tbin = 0
VERBATIM
    if (_p_vecTbins && _lk >= 0 && _lk < vector_capacity(_p_vecTbins))
        _ltbin = vector_vec(_p_vecTbins)[(int)_lk];
ENDVERBATIM
}

FUNCTION rate(k) {
    rate = 0
VERBATIM
    if (_p_vecRate && _lk >= 0 && _lk < vector_capacity(_p_vecRate))
        _lrate = vector_vec(_p_vecRate)[(int)_lk];
ENDVERBATIM
}

VERBATIM
/* CoreNEURON transfer hooks (nrnivmodl wants them with BBCOREPOINTERs):
 * nothing is transferred. */
static void bbcore_write(double *x, int *d, int *x_offset, int *d_offset, _threadargsproto_) {
    (void)x, (void)d, (void)x_offset, (void)d_offset;
}
static void bbcore_read(double *x, int *d, int *x_offset, int *d_offset, _threadargsproto_) {
    (void)x, (void)d, (void)x_offset, (void)d_offset;
}
ENDVERBATIM
