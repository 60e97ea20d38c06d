TITLE ProbGABAAB_EMS: stochastic GABA-A + GABA-B synapse with multi-vesicular release

COMMENT
Written for ranvier from the published model (Fuhrmann et al. 2002,
J Neurophysiol 87:140; the Blue Brain "EMS" two-state release sites of
Markram et al. 2015, Cell 163:456) and the public interface of the Blue
Brain synapse of the same name.

Conductance.  Two dual-exponential profiles (GABA-A: tau_r_GABAA,
tau_d_GABAA, reversal e_GABAA; GABA-B: tau_r_GABAB, tau_d_GABAB, e_GABAB),
each normalised to a peak of 1 per unit of weight, scaled by gmax = 0.001
(weight in nS, g in uS):
    i = g_GABAA (v - e_GABAA) + g_GABAB (v - e_GABAB)
The states decay by exact exponential factors per step (from INITIAL).

Release: as ProbAMPANMDA_EMS (Nrrp two-state sites, u with facilitation
Fac and Use, recovery with Dep, one uniform Random123 draw per unoccupied
site then one per occupied site, setRNG(id1, id2, id3), stream rewound at
INITIAL); the GABA-B jump is weight GABAB_ratio.

NetCon weight vector: weight (nS), weight_GABAA, weight_GABAB, Psurv,
nc_type (0 presynaptic, 1 minis, 2 replay); delayed weight changes with
setup_delay_vecs(times, weights) as ProbAMPANMDA_EMS.
ENDCOMMENT

NEURON {
    THREADSAFE
    POINT_PROCESS ProbGABAAB_EMS
    RANGE tau_r_GABAA, tau_d_GABAA
    GLOBAL tau_r_GABAB, tau_d_GABAB
    RANGE Use, u, Dep, Fac, u0, tsyn
    RANGE unoccupied, occupied, Nrrp
    RANGE i, i_GABAA, i_GABAB, g_GABAA, g_GABAB, g, e_GABAA, e_GABAB, GABAB_ratio
    RANGE A_GABAA_step, B_GABAA_step, A_GABAB_step, B_GABAB_step
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
    tau_r_GABAA = 0.2 (ms)
    tau_d_GABAA = 8 (ms)
    tau_r_GABAB = 3.5 (ms)
    tau_d_GABAB = 260.9 (ms)
    Use = 1.0 (1)
    Dep = 100 (ms)
    Fac = 10 (ms)
    e_GABAA = -80 (mV)
    e_GABAB = -97 (mV)
    gmax = .001 (uS)
    u0 = 0
    Nrrp = 1 (1)
    synapseID = 0
    verboseLevel = 0
    selected_for_report = 0
    GABAB_ratio = 0 (1)
    conductance = 0.0
    nc_type_param = 4
    minis_single_vesicle = 0
    init_depleted = 0
}

ASSIGNED {
    v (mV)
    i (nA)
    i_GABAA (nA)
    i_GABAB (nA)
    g_GABAA (uS)
    g_GABAB (uS)
    g (uS)
    factor_GABAA
    factor_GABAB
    A_GABAA_step
    B_GABAA_step
    A_GABAB_step
    B_GABAB_step
    rng
    unoccupied (1)
    occupied (1)
    tsyn (ms)
    u (1)
    delay_times
    delay_weights
    next_delay (ms)
}

STATE {
    A_GABAA
    B_GABAA
    A_GABAB
    B_GABAB
}

INITIAL {
    LOCAL tp_GABAA, tp_GABAB
    tsyn = 0
    u = u0
    if (init_depleted) {
        unoccupied = Nrrp
        occupied = 0
    } else {
        unoccupied = 0
        occupied = Nrrp
    }
    A_GABAA = 0
    B_GABAA = 0
    A_GABAB = 0
    B_GABAB = 0
    : time of the peak of each profile, and the factor that makes it 1
    tp_GABAA = (tau_r_GABAA*tau_d_GABAA)/(tau_d_GABAA - tau_r_GABAA)*log(tau_d_GABAA/tau_r_GABAA)
    tp_GABAB = (tau_r_GABAB*tau_d_GABAB)/(tau_d_GABAB - tau_r_GABAB)*log(tau_d_GABAB/tau_r_GABAB)
    factor_GABAA = 1/(-exp(-tp_GABAA/tau_r_GABAA) + exp(-tp_GABAA/tau_d_GABAA))
    factor_GABAB = 1/(-exp(-tp_GABAB/tau_r_GABAB) + exp(-tp_GABAB/tau_d_GABAB))
    A_GABAA_step = exp(dt*((-1.0)/tau_r_GABAA))
    B_GABAA_step = exp(dt*((-1.0)/tau_d_GABAA))
    A_GABAB_step = exp(dt*((-1.0)/tau_r_GABAB))
    B_GABAB_step = exp(dt*((-1.0)/tau_d_GABAB))
    rewind()
    next_delay = -1
}

BREAKPOINT {
    SOLVE decay
    g_GABAA = gmax*(B_GABAA - A_GABAA)
    g_GABAB = gmax*(B_GABAB - A_GABAB)
    g = g_GABAA + g_GABAB
    i_GABAA = g_GABAA*(v - e_GABAA)
    i_GABAB = g_GABAB*(v - e_GABAB)
    i = i_GABAA + i_GABAB
}

PROCEDURE decay() {
    A_GABAA = A_GABAA*A_GABAA_step
    B_GABAA = B_GABAA*B_GABAA_step
    A_GABAB = A_GABAB*A_GABAB_step
    B_GABAB = B_GABAB*B_GABAB_step
}

NET_RECEIVE (weight, weight_GABAA, weight_GABAB, Psurv, nc_type) {
    LOCAL result, ves, occu, k
    weight_GABAA = weight
    weight_GABAB = weight*GABAB_ratio
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
            A_GABAA = A_GABAA + ves/Nrrp*weight_GABAA*factor_GABAA
            B_GABAA = B_GABAA + ves/Nrrp*weight_GABAA*factor_GABAA
            A_GABAB = A_GABAB + ves/Nrrp*weight_GABAB*factor_GABAB
            B_GABAB = B_GABAB + ves/Nrrp*weight_GABAB*factor_GABAB
            if (verboseLevel > 0) {
                printf("[Syn %.0f] Release! t = %g, vals: %g %g %g %g\n", synapseID, t, A_GABAA, weight_GABAA, factor_GABAA, weight)
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
