/* SPDX-License-Identifier: MIT
 * tests/unit/test_api_errors.c -- API misuse returns an error value with a
 * message; nothing crashes or aborts.  Also checks the allocator hook: every
 * allocation failing in turn while building and running a small model must
 * give RV_ENOMEM (or success), never a crash.
 */
#include "ranvier/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)

/* the call must fail with `code` and a message containing `word` */
static void expect_err(rv_status st, const rv_error *e, rv_status code, const char *word,
                       const char *what) {
    char buf[1024];
    rv_error_format(e, buf, sizeof buf);
    EXPECT(st == code, "%s: status %d (%s), expected %d", what, st, buf, code);
    EXPECT(st == RV_OK || strstr(e->msg, word), "%s: message '%s' lacks '%s'", what, e->msg, word);
    EXPECT(st == RV_OK || (e->src_file && e->src_line > 0), "%s: no source position", what);
    if (st == code) printf("ok: %s -> %s\n", what, buf);
}

static void misuse(void) {
    rv_model *m;
    rv_error e = {0};
    EXPECT(rv_model_create(&m, &e) == RV_OK, "create");
    int s, d, s2, pp, nc;
    expect_err(rv_section_create(m, "bad", -3, &s, &e), &e, RV_ERANGE, "nseg", "negative nseg");
    expect_err(rv_section_create(m, "bad", 0, &s, &e), &e, RV_ERANGE, "nseg", "zero nseg");
    EXPECT(rv_section_create(m, "soma", 1, &s, &e) == RV_OK, "soma");
    EXPECT(rv_section_create(m, "dend", 3, &d, &e) == RV_OK, "dend");
    expect_err(rv_section_set_nseg(m, d, -1, &e), &e, RV_ERANGE, "nseg", "set negative nseg");
    expect_err(rv_section_connect(m, s, 0, s, 0.5, &e), &e, RV_EINVAL, "itself",
               "connect to itself");
    EXPECT(rv_section_connect(m, d, 0, s, 1, &e) == RV_OK, "connect");
    expect_err(rv_section_connect(m, s, 0, d, 1, &e), &e, RV_EINVAL, "loop", "connect loop");
    expect_err(rv_section_connect(m, d, 0, s, 1, &e), &e, RV_EINVAL, "already", "reconnect");
    expect_err(rv_section_connect(m, d, 2, s, 1, &e), &e, RV_ERANGE, "end", "bad child end");
    expect_err(rv_section_connect(m, 99, 0, s, 1, &e), &e, RV_EINVAL, "section", "bad id");
    expect_err(rv_section_insert(m, s, "nosuchmech", &e), &e, RV_ENOENT, "nosuchmech",
               "unknown mechanism");
    expect_err(rv_section_insert(m, s, "IClamp", &e), &e, RV_EINVAL, "point process",
               "insert a point process");
    expect_err(rv_pp_create(m, "NoSuchPP", s, 0.5, &pp, &e), &e, RV_ENOENT, "NoSuchPP",
               "unknown point process");
    expect_err(rv_pp_create(m, "IClamp", s, 1.5, &pp, &e), &e, RV_ERANGE, "x = 1.5",
               "position > 1");
    expect_err(rv_pp_create(m, "IClamp", s, -0.1, &pp, &e), &e, RV_ERANGE, "x = -0.1",
               "position < 0");
    expect_err(rv_range_set(m, d, 2.0, "diam", 1, &e), &e, RV_ERANGE, "x = 2", "range x > 1");
    expect_err(rv_range_set(m, d, 0.5, "gnabar_hh", 1, &e), &e, RV_ENOENT, "gnabar_hh",
               "range var of a mechanism not inserted");
    expect_err(rv_range_set(m, d, 0.5, "diam", -2, &e), &e, RV_ERANGE, "out of range",
               "negative diam");
    expect_err(rv_section_set_L(m, d, 0, &e), &e, RV_ERANGE, "L", "zero L");
    expect_err(rv_pp_create(m, "NetStim", s, 0.5, &pp, &e), &e, RV_EINVAL, "ARTIFICIAL_CELL",
               "artificial cell with a location");
    EXPECT(rv_pp_create(m, "IClamp", s, 0.5, &pp, &e) == RV_OK, "iclamp");
    expect_err(rv_pp_set(m, pp, "nonsense", 1, &e), &e, RV_ENOENT, "nonsense", "bad pp var");
    expect_err(rv_netcon_create(m, 5, pp, 1, 0.1, &nc, &e), &e, RV_EINVAL, "NET_RECEIVE",
               "NetCon to a target without NET_RECEIVE");
    int syn;
    EXPECT(rv_pp_create(m, "ExpSyn", d, 0.5, &syn, &e) == RV_OK, "expsyn");
    expect_err(rv_netcon_create(m, 5, syn, -1, 0.1, &nc, &e), &e, RV_ERANGE, "delay",
               "negative delay");
    EXPECT(rv_netcon_create(m, 77, syn, 1, 0.1, &nc, &e) == RV_OK, "netcon to gid 77");
    expect_err(rv_netcon_set_weight(m, nc, 3, 1, &e), &e, RV_ERANGE, "weight index",
               "weight index out of range");
    expect_err(rv_model_set_dt(m, -0.1, &e), &e, RV_ERANGE, "dt", "negative dt");
    expect_err(rv_model_set_secondorder(m, 1, &e), &e, RV_ERANGE, "secondorder", "secondorder 1");
    expect_err(rv_model_step(m, &e), &e, RV_ESTATE, "finitialize", "step before init");
    /* gid 77 has no source anywhere */
    expect_err(rv_model_finitialize(m, -65, &e), &e, RV_ENOENT, "gid 77",
               "NetCon to a missing gid");
    /* after setup, structure is frozen */
    expect_err(rv_section_create(m, "late", 1, &s2, &e), &e, RV_ESTATE, "frozen",
               "section after setup");
    rv_model_destroy(m);

    /* an artificial cell that errors from inside its kernel: NetStim noise
     * without a random stream */
    EXPECT(rv_model_create(&m, &e) == RV_OK, "create 2");
    int ns;
    EXPECT(rv_pp_create(m, "NetStim", -1, 0, &ns, &e) == RV_OK, "netstim");
    rv_pp_set(m, ns, "noise", 0.5, &e);
    rv_pp_set(m, ns, "start", 1, &e);
    expect_err(rv_model_finitialize(m, -65, &e), &e, RV_ERANGE, "Random123",
               "noise without a stream");
    rv_model_destroy(m);
}

/* ---- allocation failure injection -------------------------------------- */
static long alloc_budget = -1; /* allocations allowed before failing; -1: all */
static long alloc_count;

static void *failing_alloc(void *ud, void *ptr, size_t n) {
    (void)ud;
    if (n == 0) {
        free(ptr);
        return NULL;
    }
    long k = alloc_count++;
    if (alloc_budget >= 0 && k >= alloc_budget) return NULL;
    return realloc(ptr, n);
}

static rv_status build_and_run(void) {
    rv_model *m = NULL;
    rv_error e;
    int s, d, pp, syn, ns, nc, rec;
    rv_status st = rv_model_create(&m, &e);
    if (st) return st;
#define TRY(x)                                                                                     \
    if ((st = (x))) goto out
    TRY(rv_section_create(m, "soma", 1, &s, &e));
    TRY(rv_section_create(m, "dend", 5, &d, &e));
    TRY(rv_section_pt3d_add(m, d, 0, 0, 0, 2, &e));
    TRY(rv_section_pt3d_add(m, d, 50, 0, 0, 1, &e));
    TRY(rv_section_connect(m, d, 0, s, 1, &e));
    TRY(rv_section_insert(m, s, "hh", &e));
    TRY(rv_section_insert(m, d, "pas", &e));
    TRY(rv_pp_create(m, "IClamp", s, 0.5, &pp, &e));
    TRY(rv_pp_set(m, pp, "amp", 0.5, &e));
    TRY(rv_pp_set(m, pp, "dur", 5, &e));
    TRY(rv_pp_create(m, "ExpSyn", d, 0.5, &syn, &e));
    TRY(rv_pp_create(m, "NetStim", -1, 0, &ns, &e));
    TRY(rv_pp_set_random123(m, ns, 1, 2, 3, &e));
    TRY(rv_pp_set(m, ns, "noise", 1, &e));
    TRY(rv_pp_set(m, ns, "start", 0, &e));
    TRY(rv_gid_from_pp(m, 1, ns, &e));
    TRY(rv_gid_from_section(m, 0, s, 0.5, 0, &e));
    TRY(rv_netcon_create(m, 1, syn, 1, 0.01, &nc, &e));
    TRY(rv_record_range(m, s, 0.5, "v", &rec, &e));
    TRY(rv_model_finitialize(m, -65, &e));
    TRY(rv_model_run(m, 20, &e));
out:
    rv_model_destroy(m);
    return st;
}

static void oom(void) {
    rv_set_allocator(failing_alloc, NULL);
    alloc_budget = -1;
    alloc_count = 0;
    rv_status st = build_and_run();
    long total = alloc_count;
    EXPECT(st == RV_OK, "model runs with the counting allocator (%d)", st);
    int nomem = 0;
    for (long k = 0; k < total; ++k) {
        alloc_budget = k;
        alloc_count = 0;
        st = build_and_run();
        EXPECT(st == RV_OK || st == RV_ENOMEM, "failing allocation %ld gave status %d", k, st);
        nomem += st == RV_ENOMEM;
    }
    rv_set_allocator(NULL, NULL);
    printf("ok: %ld allocation points each failed in turn, %d reported ENOMEM, none crashed\n",
           total, nomem);
    EXPECT(nomem > 0, "no allocation failure was reported");
}

int main(void) {
    misuse();
    oom();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
