/* SPDX-License-Identifier: MIT
 * tests/sonata/output/test_output.c -- spike and report API: sorting rules,
 * round trips through ranvier's own readers, the out.dat form, writer
 * misuse, "no half-written file" on every failure, and every allocation
 * failing in turn (RV_ENOMEM or success, no crash, no leak, no temp file).
 *
 *   test_output WORK_DIR
 */
#include "ranvier/sonata_output.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures, checks;
static const char *work;

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

static void expect_err(rv_status st, const rv_error *e, rv_status code, const char *word,
                       const char *what) {
    char buf[1024];
    rv_error_format(e, buf, sizeof buf);
    EXPECT(st == code, "%s: status %d (%s), expected %d", what, st, buf, code);
    EXPECT(st == RV_OK || strstr(e->msg, word), "%s: message '%s' lacks '%s'", what, e->msg, word);
    if (st == code) printf("ok: %s -> %s\n", what, buf);
}

static const char *wpath(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", work, name);
    return buf[k];
}

static int exists(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Files named "*.tmp.*" left in dir. */
static int tmp_files(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) n += strstr(e->d_name, ".tmp.") != NULL;
    if (d) closedir(d);
    return n;
}

/* ---- spikes ------------------------------------------------------------- */

static void sorting_rules(void) {
    rv_sonata_spikes *s;
    rv_error e = {0};
    /* ties in time (ids decide) and in id (times decide) */
    const double t[] = {2.0, 1.0, 2.0, 1.0, 0.5, 2.0};
    const uint64_t id[] = {5, 7, 3, 2, 7, 3};
    EXPECT(rv_sonata_spikes_create(&s, &e) == RV_OK, "create");
    EXPECT(rv_sonata_spikes_add(s, "p", t, id, 6, &e) == RV_OK, "add");
    rv_sonata_spike_pop *p = rv_sonata_spikes_find(s, "p");
    EXPECT(p && p->n == 6 && p->sorting == RV_SONATA_SORT_NONE, "find");
    EXPECT(rv_sonata_spikes_find(s, "q") == NULL, "find missing");
    EXPECT(rv_sonata_spikes_sort(s, RV_SONATA_SORT_BY_TIME, &e) == RV_OK, "sort by time");
    const double bt_t[] = {0.5, 1.0, 1.0, 2.0, 2.0, 2.0};
    const uint64_t bt_id[] = {7, 2, 7, 3, 3, 5};
    for (int i = 0; i < 6; i++)
        EXPECT(p->timestamps[i] == bt_t[i] && p->node_ids[i] == bt_id[i],
               "by_time [%d] = (%g, %llu)", i, p->timestamps[i],
               (unsigned long long)p->node_ids[i]);
    EXPECT(p->sorting == RV_SONATA_SORT_BY_TIME, "sorting recorded");
    EXPECT(rv_sonata_spikes_sort(s, RV_SONATA_SORT_BY_ID, &e) == RV_OK, "sort by id");
    const double bi_t[] = {1.0, 2.0, 2.0, 2.0, 0.5, 1.0};
    const uint64_t bi_id[] = {2, 3, 3, 5, 7, 7};
    for (int i = 0; i < 6; i++)
        EXPECT(p->timestamps[i] == bi_t[i] && p->node_ids[i] == bi_id[i], "by_id [%d]", i);
    /* stability: 0.0 and -0.0 compare equal and keep their order */
    const double z[] = {0.0, -0.0, -0.0, 0.0};
    const uint64_t zi[] = {1, 1, 1, 1};
    EXPECT(rv_sonata_spikes_add(s, "z", z, zi, 4, &e) == RV_OK, "add zeros");
    EXPECT(rv_sonata_spikes_sort(s, RV_SONATA_SORT_BY_TIME, &e) == RV_OK, "sort zeros");
    p = rv_sonata_spikes_find(s, "z");
    EXPECT(!signbit(p->timestamps[0]) && signbit(p->timestamps[1]) && signbit(p->timestamps[2]) &&
               !signbit(p->timestamps[3]),
           "sort is stable");
    /* NONE keeps the order of appends */
    const double t2[] = {9.0};
    const uint64_t i2[] = {0};
    EXPECT(rv_sonata_spikes_add(s, "p", t2, i2, 1, &e) == RV_OK, "append");
    p = rv_sonata_spikes_find(s, "p");
    EXPECT(p->n == 7 && p->timestamps[6] == 9.0 && p->sorting == RV_SONATA_SORT_NONE, "append");
    const double bad[] = {1.0, NAN};
    expect_err(rv_sonata_spikes_add(s, "p", bad, id, 2, &e), &e, RV_ERANGE, "has time",
               "NaN spike time");
    expect_err(rv_sonata_spikes_add(s, "p", NULL, id, 2, &e), &e, RV_EINVAL, "NULL",
               "NULL timestamps");
    expect_err(rv_sonata_spikes_sort(s, (rv_sonata_sorting)7, &e), &e, RV_EINVAL, "unknown",
               "unknown order");
    rv_sonata_sorting o;
    EXPECT(rv_sonata_sorting_parse("time", &o, &e) == RV_OK && o == RV_SONATA_SORT_BY_TIME,
           "BMTK 'time'");
    EXPECT(rv_sonata_sorting_parse("id", &o, &e) == RV_OK && o == RV_SONATA_SORT_BY_ID, "'id'");
    EXPECT(rv_sonata_sorting_parse("by_gid", &o, &e) == RV_OK && o == RV_SONATA_SORT_BY_ID,
           "BMTK's older 'by_gid'");
    expect_err(rv_sonata_sorting_parse("by_size", &o, &e), &e, RV_EFORMAT, "by_size",
               "unknown sorting name");
    rv_sonata_spikes_destroy(s);
    printf("ok: by_time = (time, id), by_id = (id, time), stable, none keeps order\n");
}

static int same_pop(const rv_sonata_spike_pop *a, const rv_sonata_spike_pop *b) {
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->timestamps[i] != b->timestamps[i] || a->node_ids[i] != b->node_ids[i]) return 0;
    return 1;
}

static void spikes_roundtrip(void) {
    rv_sonata_spikes *s, *r = NULL, *sorted;
    rv_error e = {0};
    const double t[] = {5.125, 0.25, 3.0, 0.25, 7.5};
    const uint64_t id[] = {10, 3, 4, 1, 18446744073709551615ull};
    EXPECT(rv_sonata_spikes_create(&s, &e) == RV_OK, "create");
    EXPECT(rv_sonata_spikes_add(s, "NodeA", t, id, 5, &e) == RV_OK, "add");
    EXPECT(rv_sonata_spikes_add(s, "B", t + 1, id + 1, 2, &e) == RV_OK, "add");
    EXPECT(rv_sonata_spikes_add(s, "empty", NULL, NULL, 0, &e) == RV_OK, "add empty");
    const char *path = wpath("rt_spikes.h5");
    EXPECT(rv_sonata_spikes_write(path, s, RV_SONATA_SORT_BY_TIME, &e) == RV_OK, "write: %s",
           e.msg);
    EXPECT(rv_sonata_spikes_find(s, "NodeA")->timestamps[0] == 5.125, "write leaves the set");
    EXPECT(rv_sonata_spikes_read(path, &r, &e) == RV_OK, "read: %s", e.msg);
    EXPECT(rv_sonata_spikes_create(&sorted, &e) == RV_OK, "create");
    for (size_t i = 0; i < s->n_pops; i++)
        rv_sonata_spikes_add(sorted, s->pops[i].name, s->pops[i].timestamps, s->pops[i].node_ids,
                             s->pops[i].n, &e);
    rv_sonata_spikes_sort(sorted, RV_SONATA_SORT_BY_TIME, &e);
    EXPECT(r && r->n_pops == 3, "3 populations read");
    for (size_t i = 0; r && i < sorted->n_pops; i++) {
        const rv_sonata_spike_pop *a = &sorted->pops[i], *b = rv_sonata_spikes_find(r, a->name);
        EXPECT(b && same_pop(a, b) && b->sorting == RV_SONATA_SORT_BY_TIME &&
                   strcmp(b->units, "ms") == 0,
               "population %s round trip", a->name);
    }
    rv_sonata_spikes_destroy(r);
    rv_sonata_spikes_destroy(sorted);

    /* out.dat: %.3f times, ids shifted by the offsets */
    const char *dat = wpath("rt_out.dat");
    const uint64_t off[] = {100, 0, 0};
    EXPECT(rv_sonata_spikes_write_dat(dat, s, off, &e) == RV_OK, "write dat: %s", e.msg);
    EXPECT(rv_sonata_spikes_read_dat(dat, "all", &r, &e) == RV_OK, "read dat: %s", e.msg);
    EXPECT(r && r->n_pops == 1 && r->pops[0].n == 7, "dat spikes: %zu", r ? r->pops[0].n : 0);
    for (size_t i = 0; r && i < 5; i++)
        EXPECT(fabs(r->pops[0].timestamps[i] - t[i]) < 5e-4 &&
                   r->pops[0].node_ids[i] == id[i] + 100,
               "dat line %zu", i);
    rv_sonata_spikes_destroy(r);
    r = NULL;

    /* no half-written files: failures leave an existing file untouched */
    EXPECT(rv_sonata_spikes_add(s, "a/b", t, id, 1, &e) == RV_OK, "add odd name");
    expect_err(rv_sonata_spikes_write(path, s, RV_SONATA_SORT_BY_ID, &e), &e, RV_EINVAL,
               "not a valid HDF5 group name", "population name with '/'");
    EXPECT(rv_sonata_spikes_read(path, &r, &e) == RV_OK && r->n_pops == 3,
           "old file intact after a failed write");
    rv_sonata_spikes_destroy(r);
    expect_err(rv_sonata_spikes_write(wpath("no/such/dir/x.h5"), s, RV_SONATA_SORT_NONE, &e), &e,
               RV_EIO, "cannot write in directory", "write into a missing directory");
    mkdir(wpath("a_directory.h5"), 0755);
    rv_sonata_spikes_destroy(s);
    rv_sonata_spikes_create(&s, &e);
    rv_sonata_spikes_add(s, "p", t, id, 5, &e);
    expect_err(rv_sonata_spikes_write(wpath("a_directory.h5"), s, RV_SONATA_SORT_NONE, &e), &e,
               RV_EIO, "cannot rename", "write over a directory");
    expect_err(rv_sonata_spikes_write_dat(wpath("a_directory.h5"), s, NULL, &e), &e, RV_EIO,
               "cannot rename", "out.dat over a directory");
    EXPECT(tmp_files(work) == 0, "temporary files left in %s", work);
    rv_sonata_spikes_destroy(s);
    printf("ok: spikes and out.dat round trips; failed writes leave no file behind\n");
}

/* ---- reports ------------------------------------------------------------ */

static double value(int pop, uint64_t node, size_t j, size_t f) {
    return pop * 1000.0 + (double)node * 10 + (double)j + 0.5 * (double)f;
}

static void report_roundtrip(size_t buffer) {
    rv_error e = {0};
    rv_sonata_report_writer *w;
    rv_sonata_report_params prm = {
        .tstart = 0.0, .tend = 2.0, .dt = 0.1, .data_units = "nA", .buffer_bytes = buffer};
    const char *path = wpath("rt_report.h5");
    EXPECT(rv_sonata_report_writer_create(&w, path, &prm, NULL, &e) == RV_OK, "create");
    /* descending ids, two populations interleaved */
    const uint32_t el[] = {0, 1, 1, 2, 2, 3};
    const uint64_t ids[] = {40, 30, 20, 10};
    for (int k = 0; k < 4; k++)
        EXPECT(rv_sonata_report_writer_add_node(w, k % 2 ? "odd" : "even", ids[k], el,
                                                (size_t)k + 1, &e) == RV_OK,
               "add");
    EXPECT(rv_sonata_report_writer_n_local(w) == 10, "n_local");
    size_t nf = rv_sonata_report_writer_n_frames(w);
    EXPECT(nf == 20, "frames %zu (ceil(2.0/0.1))", nf);
    double v[10];
    for (size_t f = 0; f < nf; f++) {
        size_t k = 0;
        for (int n = 0; n < 4; n++)
            for (size_t j = 0; j <= (size_t)n; j++) v[k++] = value(n % 2, ids[n], j, f);
        EXPECT(rv_sonata_report_writer_frame(w, v, &e) == RV_OK, "frame %zu: %s", f, e.msg);
    }
    expect_err(rv_sonata_report_writer_frame(w, v, &e), &e, RV_ERANGE, "already written",
               "one frame too many");
    EXPECT(rv_sonata_report_writer_close(w, &e) == RV_OK, "close: %s", e.msg);
    rv_sonata_report_writer_destroy(w);

    rv_sonata_report *r;
    const rv_sonata_report_pop *p;
    EXPECT(rv_sonata_report_open(path, &r, &e) == RV_OK, "open: %s", e.msg);
    EXPECT(rv_sonata_report_n_pops(r) == 2 && strcmp(rv_sonata_report_pop_name(r, 0), "even") == 0,
           "populations");
    float buf[20 * 6];
    for (int pop = 0; pop < 2; pop++) {
        EXPECT(rv_sonata_report_pop_get(r, pop ? "odd" : "even", &p, &e) == RV_OK, "pop: %s",
               e.msg);
        EXPECT(p->n_frames == 20 && p->sorted && p->ascending && p->dt == 0.1 &&
                   strcmp(p->data_units, "nA") == 0 && strcmp(p->time_units, "ms") == 0,
               "population header");
        for (size_t i = 0; i < p->n_nodes; i++) {
            int n = 0;
            while (ids[n] != p->node_ids[i]) n++;
            EXPECT(n % 2 == pop, "node in its population");
            size_t b, en;
            EXPECT(rv_sonata_report_node_range(p, ids[n], &b, &en, &e) == RV_OK &&
                       en - b == (size_t)n + 1,
                   "range of node %llu", (unsigned long long)ids[n]);
            EXPECT(rv_sonata_report_read_node(r, p, ids[n], 3, 17, buf, &e) == RV_OK, "read node");
            for (size_t f = 0; f < 17; f++)
                for (size_t j = 0; j < en - b; j++) {
                    EXPECT(buf[f * (en - b) + j] == (float)value(pop, ids[n], j, f + 3),
                           "value node %d frame %zu", n, f + 3);
                    EXPECT(p->element_ids[b + j] == el[j], "element id");
                }
        }
        EXPECT(rv_sonata_report_read_frames(r, p, 0, 20, buf, &e) == RV_OK, "read frames");
        expect_err(rv_sonata_report_read_frames(r, p, 5, 16, buf, &e), &e, RV_ERANGE, "requested",
                   "frames past the end");
    }
    size_t b, en;
    expect_err(rv_sonata_report_node_range(p, 11, &b, &en, &e), &e, RV_ENOENT, "no node 11",
               "unknown node");
    expect_err(rv_sonata_report_pop_get(r, "nope", &p, &e), &e, RV_ENOENT, "nope",
               "unknown population");
    rv_sonata_report_destroy(r);
    printf("ok: report round trip, buffer %zu bytes\n", buffer);
}

static void report_misuse(void) {
    rv_error e = {0};
    rv_sonata_report_writer *w;
    rv_sonata_report_params prm = {.tstart = 1.0, .tend = 2.0, .dt = 0.25};
    const uint32_t el[] = {0, 1};
    double v[2] = {1, 2};
    rv_sonata_report_params bad = prm;
    bad.dt = 0;
    expect_err(rv_sonata_report_writer_create(&w, wpath("x.h5"), &bad, NULL, &e), &e, RV_ERANGE,
               "dt", "zero dt");
    bad = prm;
    bad.tend = 0.5;
    expect_err(rv_sonata_report_writer_create(&w, wpath("x.h5"), &bad, NULL, &e), &e, RV_ERANGE,
               "before start", "end before start");
    bad = prm;
    bad.buffer_bytes = (size_t)2 << 30;
    expect_err(rv_sonata_report_writer_create(&w, wpath("x.h5"), &bad, NULL, &e), &e, RV_ERANGE,
               "1 GiB", "huge buffer");
    bad = prm;
    bad.n_frames = 5;
    expect_err(rv_sonata_report_writer_create(&w, wpath("x.h5"), &bad, NULL, &e), &e, RV_EINVAL,
               "5 frames do not fit time [1, 2, 0.25], which gives 4 frames", "frames vs time");
    rv_sonata_comm c = {.rank = 3, .size = 2};
    expect_err(rv_sonata_report_writer_create(&w, wpath("x.h5"), &prm, &c, &e), &e, RV_EINVAL,
               "communicator", "bad communicator");

    /* close before all frames: error, no file */
    const char *path = wpath("short.h5");
    remove(path); /* left by the previous run's last case */
    EXPECT(rv_sonata_report_writer_create(&w, path, &prm, NULL, &e) == RV_OK, "create");
    expect_err(rv_sonata_report_writer_add_node(w, "", 1, el, 2, &e), &e, RV_EINVAL, "empty",
               "empty population name");
    expect_err(rv_sonata_report_writer_add_node(w, "a/b", 1, el, 2, &e), &e, RV_EINVAL,
               "group name", "population name with '/'");
    EXPECT(rv_sonata_report_writer_add_node(w, "p", 1, el, 2, &e) == RV_OK, "add");
    EXPECT(rv_sonata_report_writer_n_frames(w) == 4, "4 frames");
    EXPECT(rv_sonata_report_writer_frame(w, v, &e) == RV_OK, "frame");
    expect_err(rv_sonata_report_writer_add_node(w, "p", 2, el, 2, &e), &e, RV_ESTATE,
               "before the first frame", "add after a frame");
    expect_err(rv_sonata_report_writer_frame(w, NULL, &e), &e, RV_EINVAL, "NULL", "NULL values");
    expect_err(rv_sonata_report_writer_close(w, &e), &e, RV_ESTATE, "only 1 of 4 frames",
               "close too early");
    expect_err(rv_sonata_report_writer_frame(w, v, &e), &e, RV_ESTATE, "failed state",
               "frame after a failure");
    rv_sonata_report_writer_destroy(w);
    EXPECT(!exists(path), "no file after an early close");

    /* duplicate node ids: refused when the layout is fixed */
    EXPECT(rv_sonata_report_writer_create(&w, path, &prm, NULL, &e) == RV_OK, "create");
    rv_sonata_report_writer_add_node(w, "p", 7, el, 1, &e);
    rv_sonata_report_writer_add_node(w, "q", 7, el, 1, &e);
    rv_sonata_report_writer_add_node(w, "p", 7, el, 1, &e);
    expect_err(rv_sonata_report_writer_frame(w, v, &e), &e, RV_EINVAL, "node 7 added twice",
               "duplicate node id");
    rv_sonata_report_writer_destroy(w);
    EXPECT(!exists(path), "no file after a refused layout");

    /* destroyed without close: no file; explicit frame count; no nodes */
    prm.tend = 1.5;
    prm.n_frames = 2;
    EXPECT(rv_sonata_report_writer_create(&w, path, &prm, NULL, &e) == RV_OK, "create");
    EXPECT(rv_sonata_report_writer_frame(w, NULL, &e) == RV_OK, "frame without nodes");
    rv_sonata_report_writer_destroy(w);
    EXPECT(!exists(path), "no file without close");
    EXPECT(rv_sonata_report_writer_create(&w, path, &prm, NULL, &e) == RV_OK, "create");
    EXPECT(rv_sonata_report_writer_frame(w, NULL, &e) == RV_OK &&
               rv_sonata_report_writer_frame(w, NULL, &e) == RV_OK &&
               rv_sonata_report_writer_close(w, &e) == RV_OK,
           "empty report: %s", e.msg);
    expect_err(rv_sonata_report_writer_close(w, &e), &e, RV_ESTATE, "already closed",
               "close twice");
    rv_sonata_report_writer_destroy(w);
    rv_sonata_report *r;
    EXPECT(rv_sonata_report_open(path, &r, &e) == RV_OK && rv_sonata_report_n_pops(r) == 0,
           "empty report has no populations");
    rv_sonata_report_destroy(r);

    /* the target directory does not exist: error at the layout, nothing left */
    EXPECT(rv_sonata_report_writer_create(&w, wpath("missing/dir/r.h5"), &prm, NULL, &e) == RV_OK,
           "create");
    expect_err(rv_sonata_report_writer_close(w, &e), &e, RV_EIO, "No such file",
               "report into a missing directory");
    rv_sonata_report_writer_destroy(w);
    EXPECT(tmp_files(work) == 0, "temporary files left");
}

/* ---- every allocation failing in turn ------------------------------------ */

static long alloc_budget = -1, alloc_count;

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

static rv_status everything(void) {
    rv_error e = {0};
    rv_sonata_spikes *s = NULL, *r = NULL;
    const double t[] = {3, 1, 2, 1};
    const uint64_t id[] = {1, 2, 3, 4};
    rv_status st = rv_sonata_spikes_create(&s, &e);
    if (st == RV_OK) st = rv_sonata_spikes_add(s, "a", t, id, 4, &e);
    if (st == RV_OK) st = rv_sonata_spikes_add(s, "b", t, id, 2, &e);
    if (st == RV_OK) st = rv_sonata_spikes_sort(s, RV_SONATA_SORT_BY_ID, &e);
    if (st == RV_OK) st = rv_sonata_spikes_write(wpath("oom.h5"), s, RV_SONATA_SORT_BY_TIME, &e);
    if (st == RV_OK) st = rv_sonata_spikes_read(wpath("oom.h5"), &r, &e);
    rv_sonata_spikes_destroy(r);
    r = NULL;
    if (st == RV_OK) st = rv_sonata_spikes_write_dat(wpath("oom.dat"), s, NULL, &e);
    if (st == RV_OK) st = rv_sonata_spikes_read_dat(wpath("oom.dat"), "x", &r, &e);
    rv_sonata_spikes_destroy(r);
    rv_sonata_spikes_destroy(s);
    if (st != RV_OK) return st;
    rv_sonata_report_writer *w;
    rv_sonata_report_params prm = {.tstart = 0, .tend = 1, .dt = 0.25, .buffer_bytes = 30};
    const uint32_t el[] = {0, 1, 2};
    double v[5] = {1, 2, 3, 4, 5};
    st = rv_sonata_report_writer_create(&w, wpath("oom_r.h5"), &prm, NULL, &e);
    if (st != RV_OK) return st;
    st = rv_sonata_report_writer_add_node(w, "p", 3, el, 3, &e);
    if (st == RV_OK) st = rv_sonata_report_writer_add_node(w, "q", 1, el, 2, &e);
    for (int f = 0; f < 4 && st == RV_OK; f++) st = rv_sonata_report_writer_frame(w, v, &e);
    if (st == RV_OK) st = rv_sonata_report_writer_close(w, &e);
    rv_sonata_report_writer_destroy(w);
    rv_sonata_report *rr;
    const rv_sonata_report_pop *p;
    float out[12];
    if (st == RV_OK) st = rv_sonata_report_open(wpath("oom_r.h5"), &rr, &e);
    if (st != RV_OK) return st;
    st = rv_sonata_report_pop_get(rr, "p", &p, &e);
    if (st == RV_OK) st = rv_sonata_report_read_node(rr, p, 3, 0, 4, out, &e);
    rv_sonata_report_destroy(rr);
    return st;
}

static void oom(void) {
    rv_set_allocator(failing_alloc, NULL);
    alloc_budget = -1;
    alloc_count = 0;
    rv_status st = everything();
    long total = alloc_count;
    EXPECT(st == RV_OK, "everything runs with the counting allocator (%d)", st);
    int nomem = 0;
    for (long k = 0; k < total; k++) {
        alloc_budget = k;
        alloc_count = 0;
        st = everything();
        EXPECT(st == RV_OK || st == RV_ENOMEM, "failing allocation %ld gave status %d", k, st);
        nomem += st == RV_ENOMEM;
    }
    rv_set_allocator(NULL, NULL);
    EXPECT(nomem > 0, "no allocation failure was reported");
    EXPECT(tmp_files(work) == 0, "temporary files left after allocation failures");
    printf("ok: %ld allocation points each failed in turn, %d reported ENOMEM, none crashed, "
           "no temp file left\n",
           total, nomem);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s WORK_DIR\n", argv[0]);
        return 2;
    }
    work = argv[1];
    mkdir(work, 0755);
    sorting_rules();
    spikes_roundtrip();
    report_roundtrip(0);
    report_roundtrip(1);
    report_roundtrip(7 * 40);
    report_misuse();
    oom();
    printf("%d checks, %d failed\n", checks, failures);
    return failures != 0;
}
