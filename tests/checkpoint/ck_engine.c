/* SPDX-License-Identifier: MIT
 * tests/checkpoint/ck_engine.c -- save/restore of the engine state.
 *
 * A network with every kind of evolving state: two hh cells with passive
 * dendrites, ExpSyn and Exp2Syn synapses, a noisy NetStim on a Random123
 * stream, a VecStim (NMODL, from mechanisms/), a continuous Vector.play into
 * an IClamp and a stepped one into another, a gap junction made of two Gap
 * instances fed by voltage transfer, NetCons between the cells, and a NetCon
 * weight changed during the run.  For each setting (secondorder 0 / NEURON
 * event order, secondorder 2 / gid event order):
 *   straight: finitialize, run to T;
 *   saved:    finitialize, run to T/2, save (the weight changed at T/4);
 *   restored: a freshly built model, finitialize, restore, run to T.
 * Every recorded value of the restored run must equal, bit for bit, the
 * straight run's value at the same time, and its spikes the straight run's
 * spikes after T/2.  A second save right after the restore must give a file
 * identical to the first.  Then bad inputs: missing, truncated, corrupt,
 * wrong magic, another model (extra synapse, other dt), restore before
 * finitialize: each must fail with its message and leave the model usable.
 *
 * usage: ck_engine MODDIR WORKDIR
 */
#include "ranvier/checkpoint.h"
#include "ranvier/engine.h"
#include "ranvier/nmodl.h"
#include "ranvier/random123.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(c, ...)                                                                              \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static const char *moddir;
static double vs_times[] = {3.0, 7.5, 21.25, 33.0, 47.5, 50.0, 52.5, 61.0, 80.0};
static rv_vec vs_vec = {vs_times, 9};

typedef struct net {
    rv_model *m;
    rv_nmodl_lib *lib;
    int rec[6];
    int nc_changed;
} net;

#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((st = (x)) != RV_OK) goto out;                                                         \
    } while (0)

/* extra: one more ExpSyn (another model); dt: the time step */
static rv_status build(net *n, int secondorder, int order, int extra, double dt, rv_error *err) {
    rv_status st;
    rv_model *m = NULL;
    memset(n, 0, sizeof *n);
    TRY(rv_model_create(&m, err));
    n->m = m;
    TRY(rv_nmodl_load(m, moddir, RV_NMODL_REPLACE, &n->lib, err));
    TRY(rv_model_set_dt(m, dt, err));
    TRY(rv_model_set_secondorder(m, secondorder, err));
    TRY(rv_model_set_event_order(m, (rv_event_order)order, err));
    TRY(rv_model_set_celsius(m, 6.3, err));
    rv_ran123_set_globalindex(7);
    int soma[2], dend[2], syn[2], clamp[2], gap[2];
    for (int c = 0; c < 2; ++c) {
        char nm[16];
        snprintf(nm, sizeof nm, "soma%d", c);
        TRY(rv_section_create(m, nm, 1, &soma[c], err));
        TRY(rv_section_set_L(m, soma[c], 20, err));
        TRY(rv_section_set_diam(m, soma[c], 20, err));
        TRY(rv_section_insert(m, soma[c], "hh", err));
        snprintf(nm, sizeof nm, "dend%d", c);
        TRY(rv_section_create(m, nm, 5, &dend[c], err));
        TRY(rv_section_set_L(m, dend[c], 200, err));
        TRY(rv_section_set_diam(m, dend[c], 2, err));
        TRY(rv_section_connect(m, dend[c], 0, soma[c], 1, err));
        TRY(rv_section_insert(m, dend[c], "pas", err));
        TRY(rv_pp_create(m, c ? "Exp2Syn" : "ExpSyn", dend[c], 0.7, &syn[c], err));
        TRY(rv_pp_create(m, "IClamp", soma[c], 0.5, &clamp[c], err));
        TRY(rv_pp_set(m, clamp[c], "del", 0, err));
        TRY(rv_pp_set(m, clamp[c], "dur", 1e9, err));
        TRY(rv_gid_from_section(m, c, soma[c], 0.5, -20, err));
        TRY(rv_pp_create(m, "Gap", soma[c], 0.5, &gap[c], err));
        TRY(rv_pp_set(m, gap[c], "g", 3.0, err));
        TRY(rv_transfer_source(m, 10 + c, soma[c], 0.5, err));
    }
    TRY(rv_transfer_target(m, 11, gap[0], "vgap", err));
    TRY(rv_transfer_target(m, 10, gap[1], "vgap", err));
    if (extra) {
        int x;
        TRY(rv_pp_create(m, "ExpSyn", dend[1], 0.2, &x, err));
    }
    /* continuous play into cell 0's clamp, stepped play into cell 1's */
    double pt[] = {0, 20, 40, 60, 100}, py[] = {0.0, 0.6, 0.1, 0.7, 0.0};
    TRY(rv_play_pp(m, clamp[0], "amp", pt, py, 5, 1, err));
    double qt[] = {5, 30, 49.9, 50.0, 70}, qy[] = {0.3, 0.0, 0.5, 0.4, 0.0};
    TRY(rv_play_pp(m, clamp[1], "amp", qt, qy, 5, 0, err));
    /* noisy NetStim on a Random123 stream, and a VecStim */
    int ns, vs, nc;
    TRY(rv_pp_create(m, "NetStim", -1, 0, &ns, err));
    TRY(rv_pp_set(m, ns, "interval", 4, err));
    TRY(rv_pp_set(m, ns, "number", 1e9, err));
    TRY(rv_pp_set(m, ns, "start", 1, err));
    TRY(rv_pp_set(m, ns, "noise", 1, err));
    TRY(rv_pp_set_random123(m, ns, 3, 4, 5, err));
    TRY(rv_gid_from_pp(m, 100, ns, err));
    TRY(rv_pp_create(m, "VecStim", -1, 0, &vs, err));
    TRY(rv_gid_from_pp(m, 101, vs, err));
    TRY(rv_netcon_create(m, 100, syn[0], 1.0, 0.004, &nc, err));
    TRY(rv_netcon_create(m, 100, syn[1], 1.5, 0.003, &nc, err));
    TRY(rv_netcon_create(m, 101, syn[1], 0.5, 0.01, &nc, err));
    TRY(rv_netcon_create(m, 0, syn[1], 2.0, 0.002, &nc, err));
    n->nc_changed = nc;
    TRY(rv_netcon_create(m, 1, syn[0], 3.0, 0.002, &nc, err));
    rv_mech_arg arg = {0, &vs_vec};
    TRY(rv_pp_call(m, vs, "play", &arg, 1, NULL, err));
    TRY(rv_record_range(m, soma[0], 0.5, "v", &n->rec[0], err));
    TRY(rv_record_range(m, soma[1], 0.5, "v", &n->rec[1], err));
    TRY(rv_record_range(m, dend[0], 0.9, "v", &n->rec[2], err));
    TRY(rv_record_pp(m, gap[0], "i", &n->rec[3], err));
    TRY(rv_record_pp(m, syn[1], "g", &n->rec[4], err));
    TRY(rv_record_range(m, soma[1], 0.5, "m_hh", &n->rec[5], err));
out:
    return st;
}

static void destroy(net *n) {
    rv_model_destroy(n->m);
    if (n->lib) rv_nmodl_close(n->lib);
    n->m = NULL, n->lib = NULL;
}

/* Run to tstop, changing a NetCon weight when t reaches 25. */
static rv_status run_to(net *n, double tstop, rv_error *err) {
    rv_status st = RV_OK;
    while (!st && rv_model_t(n->m) < tstop - 0.5 * rv_model_dt(n->m)) {
        st = rv_model_step(n->m, err);
        double t = rv_model_t(n->m);
        if (!st && fabs(t - 25.0) < 0.25 * rv_model_dt(n->m))
            st = rv_netcon_set_weight(n->m, n->nc_changed, 0, 0.02, err);
    }
    return st;
}

static int file_equal(const char *a, const char *b) {
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int eq = fa && fb;
    while (eq) {
        int x = fgetc(fa), y = fgetc(fb);
        if (x != y) eq = 0;
        if (x == EOF || y == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return eq;
}

static long file_size(const char *p) {
    FILE *f = fopen(p, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void copy_part(const char *from, const char *to, long n, long flip) {
    FILE *f = fopen(from, "rb"), *g = fopen(to, "wb");
    for (long k = 0; f && g && k < n; ++k) {
        int c = fgetc(f);
        if (c == EOF) break;
        if (k == flip) c ^= 0x10;
        fputc(c, g);
    }
    if (f) fclose(f);
    if (g) fclose(g);
}

#define T_END 100.0

static void one_setting(const char *work, int so, int order) {
    rv_error err = {0};
    char ck[1024], ck2[1024];
    snprintf(ck, sizeof ck, "%s/engine_so%d.ck", work, so);
    snprintf(ck2, sizeof ck2, "%s/engine_so%d_again.ck", work, so);
    net a, b, c;
    rv_status st = build(&a, so, order, 0, 0.025, &err);
    if (!st) st = rv_model_finitialize(a.m, -65, &err);
    if (!st) st = run_to(&a, T_END, &err);
    CHECK(!st, "straight run: %s", err.msg);
    st = build(&b, so, order, 0, 0.025, &err);
    if (!st) st = rv_model_finitialize(b.m, -65, &err);
    if (!st) st = run_to(&b, T_END / 2, &err);
    if (!st) st = rv_checkpoint_save(b.m, ck, &err);
    CHECK(!st, "saved run: %s", err.msg);
    size_t n_before = rv_spike_count(b.m), k0 = 0;
    rv_record_data(b.m, b.rec[0], &k0);
    k0 -= 1; /* index of the saved time in the straight run's records */
    double t_saved = rv_model_t(b.m);
    destroy(&b);
    st = build(&c, so, order, 0, 0.025, &err);
    if (!st) st = rv_model_finitialize(c.m, -65, &err);
    if (!st) st = rv_checkpoint_restore(c.m, ck, &err);
    CHECK(!st, "restore: %s", err.msg);
    CHECK(rv_model_t(c.m) == t_saved, "restored t %.17g, saved %.17g", rv_model_t(c.m), t_saved);
    if (!st) st = rv_checkpoint_save(c.m, ck2, &err);
    CHECK(!st && file_equal(ck, ck2), "a save right after the restore differs from the first save");
    if (!st) st = run_to(&c, T_END, &err);
    CHECK(!st, "restored run: %s", err.msg);
    /* records: bit-identical to the straight run from the saved time on */
    size_t ndiff = 0, ncmp = 0;
    double maxd = 0;
    for (int r = 0; r < 6 && !st; ++r) {
        size_t na, nc;
        const double *va = rv_record_data(a.m, a.rec[r], &na);
        const double *vc = rv_record_data(c.m, c.rec[r], &nc);
        CHECK(na == k0 + nc, "record %d: %zu values straight, %zu + %zu saved/restored", r, na, k0,
              nc);
        for (size_t j = 0; j < nc && k0 + j < na; ++j) {
            ncmp++;
            if (memcmp(&va[k0 + j], &vc[j], sizeof(double)) != 0) {
                ndiff++;
                double d = fabs(va[k0 + j] - vc[j]);
                if (d > maxd || isnan(d)) maxd = d;
            }
        }
    }
    CHECK(ndiff == 0, "%zu of %zu recorded values differ (max %g)", ndiff, ncmp, maxd);
    /* spikes after the save */
    size_t na = rv_spike_count(a.m), nc = rv_spike_count(c.m);
    CHECK(na == n_before + nc, "spikes: %zu straight, %zu before the save + %zu restored", na,
          n_before, nc);
    size_t sdiff = 0, ncell = 0;
    for (size_t j = 0; j < nc && n_before + j < na; ++j) {
        double ta, tc;
        int64_t ga, gc;
        rv_spike_get(a.m, n_before + j, &ta, &ga);
        rv_spike_get(c.m, j, &tc, &gc);
        if (memcmp(&ta, &tc, sizeof ta) != 0 || ga != gc) sdiff++;
        if (gc < 100) ncell++;
    }
    CHECK(sdiff == 0, "%zu spikes differ after the restore", sdiff);
    CHECK(ncell > 0 && n_before > 0, "the test needs cell spikes after the save (%zu) and before",
          ncell);
    printf("secondorder %d, event order %s: saved at t = %.17g; %zu recorded values compared, "
           "%zu differ (max difference %g); spikes %zu before the save, %zu after (%zu of cells), "
           "%zu differ\n",
           so, order == RV_EVENT_ORDER_GID ? "gid" : "NEURON", t_saved, ncmp, ndiff, maxd, n_before,
           nc, ncell, sdiff);
    destroy(&a);
    destroy(&c);
}

static void expect_fail(net *n, const char *path, rv_status code, const char *needle,
                        const char *what) {
    rv_error err = {0};
    rv_status st = rv_checkpoint_restore(n->m, path, &err);
    CHECK(st == code && strstr(err.msg, needle),
          "%s: status %d (want %d), message '%s' (want '%s')", what, (int)st, (int)code, err.msg,
          needle);
    if (st) printf("%s: %s [%s]\n", what, err.msg, err.path);
}

static void bad_inputs(const char *work) {
    rv_error err = {0};
    char ck[1024], bad[1024];
    snprintf(ck, sizeof ck, "%s/engine_so0.ck", work);
    net n;
    rv_status st = build(&n, 0, RV_EVENT_ORDER_NEURON, 0, 0.025, &err);
    expect_fail(&n, ck, RV_ESTATE, "finitialize", "restore before finitialize");
    if (!st) st = rv_model_finitialize(n.m, -65, &err);
    CHECK(!st, "build: %s", err.msg);
    snprintf(bad, sizeof bad, "%s/missing.ck", work);
    expect_fail(&n, bad, RV_ENOENT, "cannot open", "missing file");
    long sz = file_size(ck);
    snprintf(bad, sizeof bad, "%s/truncated.ck", work);
    copy_part(ck, bad, sz - 100, -1);
    expect_fail(&n, bad, RV_EFORMAT, "truncated", "truncated file");
    copy_part(ck, bad, 40, -1);
    expect_fail(&n, bad, RV_EFORMAT, "truncated", "truncated header");
    snprintf(bad, sizeof bad, "%s/corrupt.ck", work);
    copy_part(ck, bad, sz, sz / 2);
    expect_fail(&n, bad, RV_EFORMAT, "corrupt", "corrupt payload");
    copy_part(ck, bad, sz, 2);
    expect_fail(&n, bad, RV_EFORMAT, "magic", "wrong magic");
    copy_part(ck, bad, sz, 8);
    expect_fail(&n, bad, RV_EUNSUPPORTED, "version", "other version");
    /* the model still runs after the refusals, from t = 0 */
    st = rv_model_run(n.m, 1.0, &err);
    CHECK(!st && fabs(rv_model_t(n.m) - 1.0) < 1e-9, "model unusable after refusals: %s", err.msg);
    destroy(&n);
    st = build(&n, 0, RV_EVENT_ORDER_NEURON, 1, 0.025, &err);
    if (!st) st = rv_model_finitialize(n.m, -65, &err);
    CHECK(!st, "build: %s", err.msg);
    expect_fail(&n, ck, RV_EINVAL, "'ExpSyn': instances: 1 in the checkpoint, 2 in this model",
                "another model (one more synapse)");
    destroy(&n);
    st = build(&n, 0, RV_EVENT_ORDER_NEURON, 0, 0.05, &err);
    if (!st) st = rv_model_finitialize(n.m, -65, &err);
    CHECK(!st, "build: %s", err.msg);
    expect_fail(&n, ck, RV_EINVAL,
                "dt: 0.025000000000000001 in the checkpoint, 0.050000000000000003", "another dt");
    destroy(&n);
    st = build(&n, 2, RV_EVENT_ORDER_GID, 0, 0.025, &err);
    if (!st) st = rv_model_finitialize(n.m, -65, &err);
    expect_fail(&n, ck, RV_EINVAL, "secondorder", "another integration method");
    destroy(&n);
    /* saving before finitialize is refused */
    st = build(&n, 0, RV_EVENT_ORDER_NEURON, 0, 0.025, &err);
    st = rv_checkpoint_save(n.m, bad, &err);
    CHECK(st == RV_ESTATE, "save before finitialize: status %d", (int)st);
    destroy(&n);
    /* an unwritable place: error, nothing left behind */
    snprintf(bad, sizeof bad, "%s/no/such/dir/x.ck", work);
    st = build(&n, 0, RV_EVENT_ORDER_NEURON, 0, 0.025, &err);
    if (!st) st = rv_model_finitialize(n.m, -65, &err);
    st = rv_checkpoint_save(n.m, bad, &err);
    CHECK(st == RV_EIO && strstr(err.msg, "cannot create"), "save into a missing folder: %d %s",
          (int)st, err.msg);
    destroy(&n);
}

/* Every allocation of save and restore failing in turn: ENOMEM, no crash
 * (and, under AddressSanitizer, no leak). */
static long alloc_budget = -1, alloc_count = 0;
static void *failing_alloc(void *ud, void *p, size_t n) {
    (void)ud;
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (alloc_budget >= 0 && alloc_count++ >= alloc_budget) return NULL;
    return realloc(p, n);
}

static void oom(const char *work) {
    rv_error err = {0};
    char ck[1024];
    snprintf(ck, sizeof ck, "%s/engine_oom.ck", work);
    net a, c;
    rv_status st = build(&a, 0, RV_EVENT_ORDER_NEURON, 0, 0.025, &err);
    if (!st) st = rv_model_finitialize(a.m, -65, &err);
    if (!st) st = run_to(&a, 10, &err);
    st = build(&c, 0, RV_EVENT_ORDER_NEURON, 0, 0.025, &err);
    if (!st) st = rv_model_finitialize(c.m, -65, &err);
    CHECK(!st, "oom setup: %s", err.msg);
    rv_set_allocator(failing_alloc, NULL);
    long k, nsave = 0, nrest = 0;
    for (k = 0; k < 1000; ++k) {
        alloc_budget = k, alloc_count = 0;
        st = rv_checkpoint_save(a.m, ck, &err);
        alloc_budget = -1;
        if (!st) break;
        CHECK(st == RV_ENOMEM, "save with allocation %ld failing: %d %s", k, (int)st, err.msg);
        nsave++;
    }
    for (k = 0; k < 1000; ++k) {
        alloc_budget = k, alloc_count = 0;
        st = rv_checkpoint_restore(c.m, ck, &err);
        alloc_budget = -1;
        if (!st) break;
        CHECK(st == RV_ENOMEM, "restore with allocation %ld failing: %d %s", k, (int)st, err.msg);
        nrest++;
        if (st == RV_ENOMEM) { /* a half-read state: initialize again */
            rv_error e2 = {0};
            CHECK(rv_model_finitialize(c.m, -65, &e2) == RV_OK, "finitialize after oom: %s",
                  e2.msg);
        }
    }
    rv_set_allocator(NULL, NULL);
    CHECK(!st && rv_model_t(c.m) == rv_model_t(a.m), "restore after the oom loop: %s", err.msg);
    printf("oom: save failed cleanly at %ld allocation points, restore at %ld\n", nsave, nrest);
    destroy(&a);
    destroy(&c);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: ck_engine MODDIR WORKDIR\n");
        return 2;
    }
    moddir = argv[1];
    one_setting(argv[2], 0, RV_EVENT_ORDER_NEURON);
    one_setting(argv[2], 2, RV_EVENT_ORDER_GID);
    bad_inputs(argv[2]);
    oom(argv[2]);
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    else
        printf("ok\n");
    return failures ? 1 : 0;
}
