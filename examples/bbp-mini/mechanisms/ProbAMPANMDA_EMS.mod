TITLE ProbAMPANMDA_EMS: stochastic AMPA + NMDA synapse with multi-vesicular release

COMMENT
Written for ranvier from the published model (Fuhrmann et al. 2002,
J Neurophysiol 87:140; the Blue Brain "EMS" two-state release sites of
Markram et al. 2015, Cell 163:456) and the public interface of the Blue
Brain synapse of the same name, so that circuits configured for it run
unchanged.

Conductance.  Two dual-exponential profiles (AMPA: tau_r_AMPA, tau_d_AMPA;
NMDA: tau_r_NMDA, tau_d_NMDA), each normalised to a peak of 1 per unit of
weight, scaled by gmax = 0.001 (the NetCon weight is in nS, g in uS).  The
NMDA part is gated by magnesium (Jahr & Stevens 1990):
    mggate = 1 / (1 + exp(-slope_mg v) mg / scale_mg)
    i = (g_AMPA + g_NMDA mggate) (v - e)
The states decay by exact exponential factors per step, computed in INITIAL.

Release.  Nrrp release sites, each occupied (holding a vesicle) or not.
At a presynaptic event at time t (last event at tsyn):
  - release probability u: with Fac > 0, u = u exp(-(t - tsyn)/Fac) and then
    u = u + Use (1 - u); otherwise u = Use;
  - each unoccupied site recovers with probability 1 - exp(-(t - tsyn)/Dep)
    (one uniform draw per unoccupied site: recovered if draw > survival);
  - each occupied site releases with probability u (one uniform draw per
    site, in order: released if draw < u); with minis_single_vesicle and an
    event of a minis NetCon (type 1) at most one site is tried;
  - the conductances jump by (released / Nrrp) weight (NMDA: weight
    NMDA_ratio) times the normalisation factor.
Events with weight <= 0 or at t < 0 are ignored (no draw).  Draws come from
a Random123 stream set by setRNG(id1, id2, id3), rewound at INITIAL.

NetCon weight vector: weight (nS), weight_AMPA, weight_NMDA (written at
each event), Psurv (scratch), nc_type (0 presynaptic, 1 spontaneous minis,
2 replay).  Delayed weight changes: setup_delay_vecs(times, weights) given
on the synapse; each presynaptic NetCon (nc_type 0) schedules self events at
those absolute times from its INITIAL, and at the k-th one its weight becomes
conductance * weights[k].
ENDCOMMENT

NEURON {
    THREADSAFE
    POINT_PROCESS ProbAMPANMDA_EMS
    GLOBAL tau_r_AMPA, tau_r_NMDA, tau_d_NMDA
    RANGE tau_d_AMPA
    RANGE Use, u, Dep, Fac, u0, mg, tsyn
    RANGE unoccupied, occupied, Nrrp
    RANGE i_AMPA, i_NMDA, g_AMPA, g_NMDA, g, NMDA_ratio
    RANGE A_AMPA_step, B_AMPA_step, A_NMDA_step, B_NMDA_step
    GLOBAL slope_mg, scale_mg, e
    NONSPECIFIC_CURRENT i
    BBCOREPOINTER rng
    RANGE synapseID, selected_for_report, verboseLevel, conductance
    RANGE next_delay
    BBCOREPOINTER delay_times, delay_weights
    GLOBAL nc_type_param
    GLOBAL minis_single_vesicle
    GLOBAL init_depleted
}

PARAMETER {
    tau_r_AMPA = 0.2 (ms)
    tau_d_AMPA = 1.7 (ms)
    tau_r_NMDA = 0.29 (ms)
    tau_d_NMDA = 43 (ms)
    Use = 1.0 (1)
    Dep = 100 (ms)
    Fac = 10 (ms)
    e = 0 (mV)
    mg = 1 (mM)
    slope_mg = 0.062 (/mV)
    scale_mg = 3.57 (mM)
    gmax = .001 (uS)
    u0 = 0
    Nrrp = 1 (1)
    synapseID = 0
    verboseLevel = 0
    selected_for_report = 0
    NMDA_ratio = 0.71 (1)
    conductance = 0.0
    nc_type_param = 4
    minis_single_vesicle = 0
    init_depleted = 0
}

ASSIGNED {
    v (mV)
    i (nA)
    i_AMPA (nA)
    i_NMDA (nA)
    g_AMPA (uS)
    g_NMDA (uS)
    g (uS)
    factor_AMPA
    factor_NMDA
    A_AMPA_step
    B_AMPA_step
    A_NMDA_step
    B_NMDA_step
    rng
    mggate
    unoccupied (1)
    occupied (1)
    tsyn (ms)
    u (1)
    delay_times
    delay_weights
    next_delay (ms)
}

STATE {
    A_AMPA
    B_AMPA
    A_NMDA
    B_NMDA
}

INITIAL {
    LOCAL tp_AMPA, tp_NMDA
    tsyn = 0
    u = u0
    if (init_depleted) {
        unoccupied = Nrrp
        occupied = 0
    } else {
        unoccupied = 0
        occupied = Nrrp
    }
    A_AMPA = 0
    B_AMPA = 0
    A_NMDA = 0
    B_NMDA = 0
    : time of the peak of each profile, and the factor that makes it 1
    tp_AMPA = (tau_r_AMPA*tau_d_AMPA)/(tau_d_AMPA - tau_r_AMPA)*log(tau_d_AMPA/tau_r_AMPA)
    tp_NMDA = (tau_r_NMDA*tau_d_NMDA)/(tau_d_NMDA - tau_r_NMDA)*log(tau_d_NMDA/tau_r_NMDA)
    factor_AMPA = 1/(-exp(-tp_AMPA/tau_r_AMPA) + exp(-tp_AMPA/tau_d_AMPA))
    factor_NMDA = 1/(-exp(-tp_NMDA/tau_r_NMDA) + exp(-tp_NMDA/tau_d_NMDA))
    A_AMPA_step = exp(dt*((-1.0)/tau_r_AMPA))
    B_AMPA_step = exp(dt*((-1.0)/tau_d_AMPA))
    A_NMDA_step = exp(dt*((-1.0)/tau_r_NMDA))
    B_NMDA_step = exp(dt*((-1.0)/tau_d_NMDA))
    rewind()
    next_delay = -1
}

BREAKPOINT {
    SOLVE decay
    mggate = 1/(1 + exp(slope_mg * -(v))*(mg/scale_mg))
    g_AMPA = gmax*(B_AMPA - A_AMPA)
    g_NMDA = gmax*(B_NMDA - A_NMDA)*mggate
    g = g_AMPA + g_NMDA
    i_AMPA = g_AMPA*(v - e)
    i_NMDA = g_NMDA*(v - e)
    i = i_AMPA + i_NMDA
}

PROCEDURE decay() {
    A_AMPA = A_AMPA*A_AMPA_step
    B_AMPA = B_AMPA*B_AMPA_step
    A_NMDA = A_NMDA*A_NMDA_step
    B_NMDA = B_NMDA*B_NMDA_step
}

NET_RECEIVE (weight, weight_AMPA, weight_NMDA, Psurv, nc_type) {
    LOCAL result, ves, occu, k
    weight_AMPA = weight
    weight_NMDA = weight*NMDA_ratio
    INITIAL {
        LOCAL nd, kd
        : a presynaptic NetCon schedules the delayed weight changes
        if (nc_type == 0) {
            nd = delay_count()
            if (nd >= 1) {
                next_delay = 0
            }
            kd = 0
            while (kd < nd) {
                net_send(delay_time(kd), 1)
                kd = kd + 1
            }
        }
    }
    if (flag == 1) {
        : the next delayed weight
        if (next_delay >= 0 && next_delay < delay_wcount()) {
            weight = conductance*delay_weight(next_delay)
            next_delay = next_delay + 1
        }
    } else if (weight > 0 && t >= 0) {
        if (Fac > 0) {
            u = u*exp(-(t - tsyn)/Fac)
        } else {
            u = Use
        }
        if (Fac > 0) {
            u = u + Use*(1 - u)
        }
        : recovery of the unoccupied sites
        k = 0
        while (k < unoccupied) {
            Psurv = exp(-(t - tsyn)/Dep)
            result = urand()
            if (result > Psurv) {
                occupied = occupied + 1
                if (verboseLevel > 0) {
                    printf("[Syn %.0f] Recovered! t = %g, Psurv = %g, urand = %g\n", synapseID, t, Psurv, result)
                }
            }
            k = k + 1
        }
        : release from the occupied ones
        ves = 0
        occu = occupied
        if (occu > 1 && minis_single_vesicle && nc_type == 1) {
            occu = 1
        }
        k = 0
        while (k < occu) {
            result = urand()
            if (result < u) {
                occupied = occupied - 1
                ves = ves + 1
            }
            k = k + 1
        }
        unoccupied = Nrrp - occupied
        tsyn = t
        if (ves > 0) {
            A_AMPA = A_AMPA + ves/Nrrp*weight_AMPA*factor_AMPA
            B_AMPA = B_AMPA + ves/Nrrp*weight_AMPA*factor_AMPA
            A_NMDA = A_NMDA + ves/Nrrp*weight_NMDA*factor_NMDA
            B_NMDA = B_NMDA + ves/Nrrp*weight_NMDA*factor_NMDA
            if (verboseLevel > 0) {
                printf("[Syn %.0f] Release! t = %g, vals: %g %g %g %g\n", synapseID, t, A_AMPA, weight_AMPA, factor_AMPA, weight)
            }
        } else {
            if (verboseLevel > 0) {
                printf("[Syn %.0f] Failure! t = %g, urand = %g\n", synapseID, t, result)
            }
        }
    }
}

FUNCTION toggleVerbose() {
    verboseLevel = 1 - verboseLevel
    toggleVerbose = verboseLevel
}

: ---- random stream and delay vectors (C: the stream and vectors are
: ---- pointers kept in the instance's BBCOREPOINTER slots)

: setRNG(id1, id2, id3): a Random123 stream with these identifiers (missing
: ones 0); setRNG() without arguments drops the stream
PROCEDURE setRNG() {
VERBATIM
    {
        uint32_t id[3] = {0, 0, 0};
        int k;
        if (_p_rng) {
            nrnran123_deletestream((nrnran123_State *)_p_rng);
            _p_rng = NULL;
        }
        if (ifarg(1)) {
            if (!hoc_is_double_arg(1)) {
                hoc_execerror("setRNG: expected numbers (Random123 ids)", 0);
            } else {
                for (k = 0; k < 3 && ifarg(k + 1); ++k) id[k] = (uint32_t)*getarg(k + 1);
                _p_rng = (void *)nrnran123_newstream3(id[0], id[1], id[2]);
            }
        }
    }
ENDVERBATIM
}

PROCEDURE clearRNG() {
VERBATIM
    if (_p_rng) {
        nrnran123_deletestream((nrnran123_State *)_p_rng);
        _p_rng = NULL;
    }
ENDVERBATIM
}

: rewind the stream to its first draw
PROCEDURE rewind() {
VERBATIM
    if (_p_rng) nrnran123_setseq((nrnran123_State *)_p_rng, 0, 0);
ENDVERBATIM
}

: a uniform draw in (0, 1); 0 without a stream
FUNCTION urand() {
    urand = 0
VERBATIM
    if (_p_rng) _lurand = nrnran123_dblpick((nrnran123_State *)_p_rng);
ENDVERBATIM
}

: setup_delay_vecs(times, weights): the synapse keeps the two vectors
: (owned by the caller); without arguments it forgets them
PROCEDURE setup_delay_vecs() {
VERBATIM
    _p_delay_times = NULL;
    _p_delay_weights = NULL;
    if (ifarg(1)) _p_delay_times = (void *)vector_arg(1);
    if (ifarg(2)) _p_delay_weights = (void *)vector_arg(2);
ENDVERBATIM
}

FUNCTION delay_count() {
    delay_count = 0
VERBATIM
    if (_p_delay_times) _ldelay_count = vector_capacity(_p_delay_times);
ENDVERBATIM
}

FUNCTION delay_wcount() {
    delay_wcount = 0
VERBATIM
    if (_p_delay_weights) _ldelay_wcount = vector_capacity(_p_delay_weights);
ENDVERBATIM
}

FUNCTION delay_time(k) {
    delay_time = 0
VERBATIM
    if (_p_delay_times && _lk >= 0 && _lk < vector_capacity(_p_delay_times))
        _ldelay_time = vector_vec(_p_delay_times)[(int)_lk];
ENDVERBATIM
}

FUNCTION delay_weight(k) {
    delay_weight = 0
VERBATIM
    if (_p_delay_weights && _lk >= 0 && _lk < vector_capacity(_p_delay_weights))
        _ldelay_weight = vector_vec(_p_delay_weights)[(int)_lk];
ENDVERBATIM
}

VERBATIM
/* CoreNEURON transfer hooks (nrnivmodl wants them with BBCOREPOINTERs):
 * the stream's identifiers and position, 5 integers. */
static void bbcore_write(double *x, int *d, int *x_offset, int *d_offset, _threadargsproto_) {
    (void)x, (void)x_offset;
    if (d) {
        uint32_t *di = ((uint32_t *)d) + *d_offset;
        char which = 0;
        di[0] = di[1] = di[2] = di[3] = di[4] = 0;
        if (_p_rng) {
            nrnran123_getids3((nrnran123_State *)_p_rng, di, di + 1, di + 2);
            nrnran123_getseq((nrnran123_State *)_p_rng, di + 3, &which);
            di[4] = (uint32_t)which;
        }
    }
    *d_offset += 5;
}
static void bbcore_read(double *x, int *d, int *x_offset, int *d_offset, _threadargsproto_) {
    uint32_t *di = ((uint32_t *)d) + *d_offset;
    (void)x, (void)x_offset;
    if (di[0] || di[1] || di[2]) {
        if (_p_rng) nrnran123_deletestream((nrnran123_State *)_p_rng);
        _p_rng = (void *)nrnran123_newstream3(di[0], di[1], di[2]);
        nrnran123_setseq((nrnran123_State *)_p_rng, di[3], (char)di[4]);
    }
    *d_offset += 5;
}
ENDVERBATIM
