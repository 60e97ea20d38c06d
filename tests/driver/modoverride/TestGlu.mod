TITLE TestGlu: a test-only plastic-like synapse for modoverride (ranvier's tests)

COMMENT
Written for ranvier's modoverride test; not a model of anything.  Its
parameters have the names a helper template sets from the extra edge
attributes (Use_d, Use_p, rho0_GB, theta_d_GB, theta_p_GB, volume_CR,
gmax_d_AMPA, gmax_p_AMPA, gmax0_AMPA, gmax_NMDA) and each of them changes
the current, so a wrong value changes the voltages:
  - release: one Random123 uniform per event (setRNG); released if < u, with
    u = Use (Fac = 0) or facilitated as u = u exp(-dt/Fac) + Use (1 - u);
    recovery of the site with probability 1 - exp(-(t - tsyn)/Dep);
  - a release adds weight*gmax0_AMPA (AMPA) and weight*gmax_NMDA (NMDA) to
    dual-exponential profiles, and volume_CR to a trace ca (tau 20 ms);
  - g = 1e-3 (g_AMPA (1 + k ca) + g_NMDA) with k = theta_p_GB - theta_d_GB
    + rho0_GB + (Use_p - Use_d) + 0.1 (gmax_p_AMPA - gmax_d_AMPA);
  - events of minis NetCons (nc_type, weight index nc_type_param = 5, == 1)
    count half.
ENDCOMMENT

NEURON {
    THREADSAFE
    POINT_PROCESS TestGlu
    RANGE tau_r_AMPA, tau_d_AMPA, tau_r_NMDA, tau_d_NMDA
    RANGE Use, Use_d, Use_p, Dep, Fac, Nrrp, u, tsyn, occupied
    RANGE volume_CR, rho0_GB, theta_d_GB, theta_p_GB
    RANGE gmax_d_AMPA, gmax_p_AMPA, gmax0_AMPA, gmax_NMDA
    RANGE synapseID, conductance, g, i, kca
    GLOBAL rho_star_GB, nc_type_param, e, tau_ca
    NONSPECIFIC_CURRENT i
    BBCOREPOINTER rng
}

PARAMETER {
    tau_r_AMPA = 0.2 (ms)
    tau_d_AMPA = 1.7 (ms)
    tau_r_NMDA = 0.29 (ms)
    tau_d_NMDA = 43 (ms)
    tau_ca = 20 (ms)
    Use = 0.5
    Use_d = 0.2
    Use_p = 0.8
    Dep = 100 (ms)
    Fac = 10 (ms)
    Nrrp = 1
    volume_CR = 0.1
    rho0_GB = 0
    theta_d_GB = 0.006
    theta_p_GB = 0.001
    rho_star_GB = 0.5
    gmax_d_AMPA = 1
    gmax_p_AMPA = 2
    gmax0_AMPA = 1
    gmax_NMDA = 0.5
    e = 0 (mV)
    nc_type_param = 5
    synapseID = 0
    conductance = 0
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    kca
    rng
    u
    tsyn (ms)
    occupied
    fA
    fN
    sAr
    sAd
    sNr
    sNd
    sca
}

STATE {
    A_AMPA
    B_AMPA
    A_NMDA
    B_NMDA
    ca
}

INITIAL {
    LOCAL tp
    A_AMPA = 0
    B_AMPA = 0
    A_NMDA = 0
    B_NMDA = 0
    ca = 0
    u = 0
    tsyn = 0
    occupied = 1
    tp = (tau_r_AMPA*tau_d_AMPA)/(tau_d_AMPA - tau_r_AMPA)*log(tau_d_AMPA/tau_r_AMPA)
    fA = 1/(-exp(-tp/tau_r_AMPA) + exp(-tp/tau_d_AMPA))
    tp = (tau_r_NMDA*tau_d_NMDA)/(tau_d_NMDA - tau_r_NMDA)*log(tau_d_NMDA/tau_r_NMDA)
    fN = 1/(-exp(-tp/tau_r_NMDA) + exp(-tp/tau_d_NMDA))
    sAr = exp(-dt/tau_r_AMPA)
    sAd = exp(-dt/tau_d_AMPA)
    sNr = exp(-dt/tau_r_NMDA)
    sNd = exp(-dt/tau_d_NMDA)
    sca = exp(-dt/tau_ca)
    kca = theta_p_GB - theta_d_GB + rho0_GB + (Use_p - Use_d) + 0.1*(gmax_p_AMPA - gmax_d_AMPA)
    rewind()
}

BREAKPOINT {
    SOLVE decay
    g = 0.001*((B_AMPA - A_AMPA)*(1 + kca*ca) + (B_NMDA - A_NMDA))
    i = g*(v - e)
}

PROCEDURE decay() {
    A_AMPA = A_AMPA*sAr
    B_AMPA = B_AMPA*sAd
    A_NMDA = A_NMDA*sNr
    B_NMDA = B_NMDA*sNd
    ca = ca*sca
}

NET_RECEIVE (weight, w1, w2, w3, w4, nc_type) {
    LOCAL r, sfac
    INITIAL {
        : keeps nc_type (without this block NEURON zeroes the extra weights)
        w1 = 0
    }
    if (weight > 0 && t >= 0) {
        if (Fac > 0) {
            u = u*exp(-(t - tsyn)/Fac)
            u = u + Use*(1 - u)
        } else {
            u = Use
        }
        if (occupied < 1) {
            r = urand()
            if (r > exp(-(t - tsyn)/Dep)) {
                occupied = 1
            }
        }
        tsyn = t
        if (occupied >= 1) {
            r = urand()
            if (r < u) {
                occupied = 0
                sfac = 1
                if (nc_type == 1) {
                    sfac = 0.5
                }
                A_AMPA = A_AMPA + sfac*weight*gmax0_AMPA*fA
                B_AMPA = B_AMPA + sfac*weight*gmax0_AMPA*fA
                A_NMDA = A_NMDA + sfac*weight*gmax_NMDA*fN
                B_NMDA = B_NMDA + sfac*weight*gmax_NMDA*fN
                ca = ca + volume_CR
            }
        }
    }
}

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
            for (k = 0; k < 3 && ifarg(k + 1); ++k) id[k] = (uint32_t)*getarg(k + 1);
            _p_rng = (void *)nrnran123_newstream3(id[0], id[1], id[2]);
        }
    }
ENDVERBATIM
}

PROCEDURE rewind() {
VERBATIM
    if (_p_rng) nrnran123_setseq((nrnran123_State *)_p_rng, 0, 0);
ENDVERBATIM
}

FUNCTION urand() {
    urand = 0
VERBATIM
    if (_p_rng) _lurand = nrnran123_dblpick((nrnran123_State *)_p_rng);
ENDVERBATIM
}

VERBATIM
static void bbcore_write(double *x, int *d, int *x_offset, int *d_offset, _threadargsproto_) {
    (void)x, (void)d, (void)x_offset;
    *d_offset += 0;
}
static void bbcore_read(double *x, int *d, int *x_offset, int *d_offset, _threadargsproto_) {
    (void)x, (void)d, (void)x_offset;
    *d_offset += 0;
}
ENDVERBATIM
