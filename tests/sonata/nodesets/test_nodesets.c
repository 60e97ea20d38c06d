/* SPDX-License-Identifier: MIT
 * tests/sonata/nodesets/test_nodesets.c -- API-level tests of node sets and
 * compartment sets: misuse, sources and labels, selection helpers, deep and
 * wide inputs (long compound chains, large node_id lists), compartment-set
 * queries; with --oom, every allocation of loads and selects made to fail
 * in turn (RV_ENOMEM, nothing leaked: run under ASan).
 *
 *   test_nodesets DATA_DIR SRC_DIR WORK_DIR [--oom]
 *
 * Selections of real files are checked against h5py in check_nodesets.py;
 * the expected values here are evident from the small inline inputs
 * (node_id sets, population names).
 */
#include "ranvier/sonata_nodesets.h"

#include "nodesets_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int g_checks, g_fails;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        g_checks++;                                                                                \
        if (!(cond)) {                                                                             \
            g_fails++;                                                                             \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                 \
        }                                                                                          \
    } while (0)

static const char *g_data, *g_work;

static const char *path(char *buf, const char *dir, const char *rel) {
    snprintf(buf, 1024, "%s/%s", dir, rel);
    return buf;
}

/* Selection as "a-b,c" text for comparisons. */
static const char *sel_text(const rv_sonata_sel *s, char *buf, size_t n) {
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->n && at < n; i++) {
        if (s->r[i].end - s->r[i].begin == 1)
            at += (size_t)snprintf(buf + at, n - at, "%s%llu", i ? "," : "",
                                   (unsigned long long)s->r[i].begin);
        else
            at += (size_t)snprintf(buf + at, n - at, "%s%llu-%llu", i ? "," : "",
                                   (unsigned long long)s->r[i].begin,
                                   (unsigned long long)s->r[i].end - 1);
    }
    return buf;
}

typedef struct popf {
    rv_sonata_file *f;
    rv_sonata_pop *p;
} popf;

static popf open_pop(const char *h5, const char *name) {
    popf x = {0};
    rv_error err;
    if (rv_sonata_nodes_open(h5, NULL, &x.f, &err) != RV_OK ||
        rv_sonata_pop_open(x.f, name, &x.p, &err) != RV_OK) {
        printf("cannot open %s %s: %s\n", h5, name, err.msg);
        exit(2);
    }
    return x;
}

static void close_pop(popf *x) {
    rv_sonata_pop_close(x->p);
    rv_sonata_file_close(x->f);
}

/* Select `name` and compare with `expect` ("a-b,c"). */
static void expect_sel(rv_sonata_nodesets *ns, const char *name, rv_sonata_pop *p,
                       const char *expect) {
    rv_sonata_sel s;
    rv_error err;
    char buf[512];
    rv_status st = rv_sonata_nodesets_select(ns, name, p, &s, &err);
    CHECK(st == RV_OK);
    if (st != RV_OK) {
        printf("     %s: %s\n", name, err.msg);
        return;
    }
    sel_text(&s, buf, sizeof buf);
    if (strcmp(buf, expect) != 0) printf("     %s: got %s, expected %s\n", name, buf, expect);
    CHECK(strcmp(buf, expect) == 0);
    rv_sonata_sel_free(&s);
}

/* ---- misuse ------------------------------------------------------------------- */

static void test_misuse(void) {
    char b[1024];
    rv_error err;
    rv_sonata_nodesets *ns = (rv_sonata_nodesets *)1;
    CHECK(rv_sonata_nodesets_load(NULL, NULL, NULL, NULL, &err) == RV_EINVAL);
    CHECK(rv_sonata_nodesets_load_sources(NULL, 1, &ns, &err) == RV_EINVAL && ns == NULL);
    rv_sonata_nodesets_source bad = {NULL, NULL, "x"};
    ns = (rv_sonata_nodesets *)1;
    CHECK(rv_sonata_nodesets_load_sources(&bad, 1, &ns, &err) == RV_EINVAL && ns == NULL);
    CHECK(rv_sonata_nodesets_count(NULL) == 0);
    CHECK(rv_sonata_nodesets_name(NULL, 0) == NULL);
    CHECK(rv_sonata_nodesets_find(NULL, "a") == -1);
    CHECK(rv_sonata_nodesets_warning_count(NULL) == 0);
    CHECK(rv_sonata_nodesets_warning(NULL, 0) == NULL);
    CHECK(rv_sonata_nodesets_member(NULL, 0, 0) == NULL);
    rv_sonata_nodesets_destroy(NULL);

    CHECK(rv_sonata_nodesets_load(NULL, NULL, "{\"a\": {\"node_id\": [1]}, \"c\": [\"a\"]}", &ns,
                                  &err) == RV_OK);
    CHECK(rv_sonata_nodesets_count(ns) == 2);
    CHECK(rv_sonata_nodesets_name(ns, 2) == NULL);
    CHECK(rv_sonata_nodesets_find(ns, "c") == 1 && rv_sonata_nodesets_find(ns, "b") == -1);
    CHECK(rv_sonata_nodesets_member(ns, 0, 0) == NULL); /* a basic set */
    CHECK(strcmp(rv_sonata_nodesets_member(ns, 1, 0), "a") == 0);
    CHECK(rv_sonata_nodesets_member(ns, 1, 1) == NULL);
    rv_sonata_nodeset_info in;
    CHECK(rv_sonata_nodesets_info(ns, 5, &in, &err) == RV_ERANGE);
    CHECK(rv_sonata_nodesets_info(ns, 0, NULL, &err) == RV_EINVAL);
    CHECK(rv_sonata_nodesets_info(ns, 1, &in, &err) == RV_OK && in.compound && in.n_members == 1 &&
          strcmp(in.source, "<inline node_sets>") == 0 && in.line == 1 && in.col == 30 &&
          strcmp(in.json, "[\"a\"]") == 0 && in.overrides == NULL);

    popf x = open_pop(path(b, g_data, "sonata-format/nodes1.h5"), "nodes-A");
    rv_sonata_sel s = {(rv_sonata_range *)8, 3};
    CHECK(rv_sonata_nodesets_select(ns, NULL, x.p, &s, &err) == RV_EINVAL && s.n == 0 && !s.r);
    CHECK(rv_sonata_nodesets_select(NULL, "a", x.p, &s, &err) == RV_EINVAL);
    CHECK(rv_sonata_nodesets_select(ns, "a", NULL, &s, &err) == RV_EINVAL);
    CHECK(rv_sonata_nodesets_select(ns, "a", x.p, NULL, &err) == RV_EINVAL);
    s.r = (rv_sonata_range *)8;
    s.n = 3;
    CHECK(rv_sonata_nodesets_select(ns, "zz", x.p, &s, &err) == RV_ENOENT && s.n == 0 && !s.r);
    CHECK(strstr(err.msg, "unknown node set 'zz'") && strstr(err.msg, "2 defined"));
    expect_sel(ns, "c", x.p, "1");
    close_pop(&x);

    /* an edges population is refused */
    rv_sonata_file *ef;
    rv_sonata_pop *ep;
    CHECK(rv_sonata_edges_open(path(b, g_data, "sonata-format/edges1.h5"), NULL, &ef, &err) ==
          RV_OK);
    CHECK(rv_sonata_pop_open(ef, rv_sonata_file_population_name(ef, 0), &ep, &err) == RV_OK);
    CHECK(rv_sonata_nodesets_select(ns, "a", ep, &s, &err) == RV_EINVAL &&
          strstr(err.msg, "edges population"));
    rv_sonata_pop_close(ep);
    rv_sonata_file_close(ef);
    rv_sonata_nodesets_destroy(ns);

    /* a failed load leaves *out NULL and names the label */
    rv_sonata_nodesets_source src[2] = {{NULL, "{\"a\": {\"node_id\": 1}}", "first"},
                                        {NULL, "{\n  \"b\": [\"a\", 3]\n}", "second text"}};
    ns = (rv_sonata_nodesets *)1;
    CHECK(rv_sonata_nodesets_load_sources(src, 2, &ns, &err) == RV_EFORMAT && ns == NULL);
    CHECK(strcmp(err.path, "second text") == 0 && err.line == 2 && err.col == 14 &&
          strcmp(err.key, "b[1]") == 0);
    /* labels default to "<node_sets>" */
    rv_sonata_nodesets_source one = {NULL, "[1]", NULL};
    CHECK(rv_sonata_nodesets_load_sources(&one, 1, &ns, &err) == RV_EFORMAT &&
          strcmp(err.path, "<node_sets>") == 0 && strstr(err.msg, "must be a JSON object"));
    /* zero sources: an empty collection */
    CHECK(rv_sonata_nodesets_load_sources(NULL, 0, &ns, &err) == RV_OK &&
          rv_sonata_nodesets_count(ns) == 0);
    rv_sonata_nodesets_destroy(ns);

    /* compartment sets misuse */
    rv_sonata_compsets *cs = (rv_sonata_compsets *)1;
    CHECK(rv_sonata_compsets_load(NULL, &cs, &err) == RV_EINVAL && cs == NULL);
    CHECK(rv_sonata_compsets_parse(NULL, NULL, &cs, &err) == RV_EINVAL);
    CHECK(rv_sonata_compsets_parse("{}", NULL, NULL, &err) == RV_EINVAL);
    CHECK(rv_sonata_compsets_count(NULL) == 0 && rv_sonata_compsets_name(NULL, 0) == NULL &&
          rv_sonata_compsets_find(NULL, "x") == -1 && rv_sonata_compsets_size(NULL, 0) == 0 &&
          rv_sonata_compsets_items(NULL, 0) == NULL &&
          rv_sonata_compsets_population(NULL, 0) == NULL);
    CHECK(rv_sonata_compsets_node_ids(NULL, 0, &s, &err) == RV_EINVAL && s.n == 0);
    rv_sonata_compsets_destroy(NULL);
}

/* ---- selection helpers ------------------------------------------------------------ */

static void test_selections(void) {
    rv_error err;
    char buf[256];
    rv_sonata_range ra[] = {{0, 5}, {10, 20}, {30, 31}};
    rv_sonata_range rb[] = {{3, 12}, {19, 40}};
    rv_sonata_sel a = {ra, 3}, b = {rb, 2}, c, e = {0};
    CHECK(rv__ns_sel_and(&a, &b, &c, &err) == RV_OK);
    CHECK(strcmp(sel_text(&c, buf, sizeof buf), "3-4,10-11,19,30") == 0);
    rv_sonata_sel_free(&c);
    CHECK(rv__ns_sel_and(&a, &e, &c, &err) == RV_OK && c.n == 0 && c.r == NULL);
    rv_sonata_sel acc = {0};
    CHECK(rv__ns_sel_or(&acc, &a, &err) == RV_OK);
    CHECK(rv__ns_sel_or(&acc, &b, &err) == RV_OK);
    CHECK(rv__ns_sel_or(&acc, &e, &err) == RV_OK);
    CHECK(strcmp(sel_text(&acc, buf, sizeof buf), "0-39") == 0);
    rv_sonata_sel_free(&acc);
}

/* ---- large inputs ----------------------------------------------------------------- */

static void test_large(void) {
    char b[1024], p[1024];
    rv_error err;
    rv_sonata_nodesets *ns;
    /* a compound chain 20,000 deep: no recursion limit, no stack overflow */
    enum { DEPTH = 20000 };
    size_t cap = (size_t)DEPTH * 40 + 100, at = 0;
    char *t = malloc(cap);
    at += (size_t)snprintf(t + at, cap - at, "{\"base\": {\"node_id\": [2, 4]}");
    for (int i = 0; i < DEPTH; i++)
        at += (size_t)snprintf(t + at, cap - at, ",\n\"c%d\": [\"%s%d\"]", i, i ? "c" : "base",
                               i ? i - 1 : 0);
    /* "base0" is not defined: fix the first link */
    char *first = strstr(t, "\"base0\"");
    memcpy(first, "\"base\" ", 7);
    snprintf(t + at, cap - at, "}");
    CHECK(rv_sonata_nodesets_load(NULL, NULL, t, &ns, &err) == RV_OK);
    if (ns) {
        popf x = open_pop(path(b, g_data, "sonata-format/nodes1.h5"), "nodes-A");
        snprintf(p, sizeof p, "c%d", DEPTH - 1);
        expect_sel(ns, p, x.p, "2,4");
        close_pop(&x);
        rv_sonata_nodesets_destroy(ns);
    }
    /* close the chain into a cycle: found, and the path printed */
    free(t);
    cap = (size_t)DEPTH * 40 + 100;
    t = malloc(cap);
    at = (size_t)snprintf(t, cap, "{\"c0\": [\"c%d\"]", DEPTH - 1);
    for (int i = 1; i < DEPTH; i++)
        at += (size_t)snprintf(t + at, cap - at, ",\n\"c%d\": [\"c%d\"]", i, i - 1);
    snprintf(t + at, cap - at, "}");
    ns = (rv_sonata_nodesets *)1;
    CHECK(rv_sonata_nodesets_load(NULL, NULL, t, &ns, &err) == RV_EFORMAT && ns == NULL);
    CHECK(strstr(err.msg, "circular node set definition: c0 -> c") != NULL);
    free(t);

    /* a node_id list of 300,000 ids in a file: read and selected */
    enum { NIDS = 300000 };
    snprintf(p, sizeof p, "%s/big_ids.json", g_work);
    FILE *fp = fopen(p, "w");
    fprintf(fp, "{\"big\": {\"node_id\": [");
    for (int i = 0; i < NIDS; i++) fprintf(fp, "%s%d", i ? ", " : "", (NIDS - i) * 7 % 1000003);
    fprintf(fp, "]},\n \"bad\": {\"node_id\": [");
    for (int i = 0; i < NIDS; i++) fprintf(fp, "%s%d", i ? "," : "", i == NIDS - 5 ? -1 : i);
    fprintf(fp, "]}}\n");
    fclose(fp);
    CHECK(rv_sonata_nodesets_load(p, NULL, NULL, &ns, &err) == RV_EFORMAT);
    CHECK(strcmp(err.key, "bad.node_id[299995]") == 0 && err.line == 2 && err.col == 21 &&
          strstr(err.msg, "must not be negative"));
    fp = fopen(p, "w");
    fprintf(fp, "{\"big\": {\"node_id\": [");
    for (int i = 0; i < NIDS; i++) fprintf(fp, "%s%d", i ? ", " : "", (NIDS - i) % 6);
    fprintf(fp, "]}}\n");
    fclose(fp);
    CHECK(rv_sonata_nodesets_load(p, NULL, NULL, &ns, &err) == RV_OK);
    if (ns) {
        popf x = open_pop(path(b, g_data, "sonata-format/nodes1.h5"), "nodes-A");
        expect_sel(ns, "big", x.p, "0-5");
        close_pop(&x);
        rv_sonata_nodesets_destroy(ns);
    }
}

/* ---- compartment sets ----------------------------------------------------------------- */

static void test_compsets(void) {
    char b[1024];
    rv_error err;
    rv_sonata_compsets *cs;
    const char *text = "{\"s\": {\"population\": \"nodes-A\", \"extra\": 1, \"compartment_set\": "
                       "[[1, 10, 0.5], [2, 20, 0.25], [2, 20, 0.250001], [3, 30, 0.75], "
                       "[7, 0, 1]]},\n \"e\": {\"population\": \"p\", \"compartment_set\": []}}";
    CHECK(rv_sonata_compsets_parse(text, "inline cs", &cs, &err) == RV_OK);
    CHECK(rv_sonata_compsets_count(cs) == 2 && strcmp(rv_sonata_compsets_name(cs, 0), "e") == 0);
    long i = rv_sonata_compsets_find(cs, "s");
    CHECK(i == 1 && rv_sonata_compsets_size(cs, 1) == 5 && rv_sonata_compsets_size(cs, 0) == 0);
    const rv_sonata_compartment *it = rv_sonata_compsets_items(cs, 1);
    CHECK(it[2].node_id == 2 && it[2].section_index == 20 && it[2].offset == 0.250001);
    int line, col;
    rv_sonata_compsets_where(cs, 1, &line, &col);
    CHECK(line == 1 && col == 7);
    rv_sonata_sel s;
    char buf[128];
    CHECK(rv_sonata_compsets_node_ids(cs, 1, &s, &err) == RV_OK &&
          strcmp(sel_text(&s, buf, sizeof buf), "1-3,7") == 0);
    rv_sonata_sel_free(&s);
    CHECK(rv_sonata_compsets_node_ids(cs, 0, &s, &err) == RV_OK && s.n == 0);
    /* libsonata's size(selection): entries on selected nodes; empty = all */
    rv_sonata_range r12[] = {{1, 3}};
    rv_sonata_sel sel12 = {r12, 1}, none = {0};
    rv_sonata_range r999[] = {{999, 1000}};
    rv_sonata_sel sel999 = {r999, 1};
    CHECK(rv_sonata_compsets_count_in(cs, 1, &sel12) == 3);
    CHECK(rv_sonata_compsets_count_in(cs, 1, &sel999) == 0);
    CHECK(rv_sonata_compsets_count_in(cs, 1, &none) == 5);
    CHECK(rv_sonata_compsets_count_in(cs, 1, NULL) == 5);
    popf x = open_pop(path(b, g_data, "sonata-format/nodes1.h5"), "nodes-A");
    CHECK(rv_sonata_compsets_check(cs, 1, x.p, &err) == RV_ERANGE &&
          strstr(err.msg, "names node 7") && strcmp(err.key, "s.compartment_set[4]") == 0 &&
          strcmp(err.path, "inline cs") == 0);
    CHECK(rv_sonata_compsets_check(cs, 0, x.p, &err) == RV_EINVAL &&
          strstr(err.msg, "on population 'p', not 'nodes-A'"));
    CHECK(rv_sonata_compsets_check(cs, 9, x.p, &err) == RV_EINVAL);
    close_pop(&x);
    rv_sonata_compsets_destroy(cs);
    /* the shared file, by path */
    CHECK(rv_sonata_compsets_load(path(b, g_data, "sonata-format/compartment_sets.json"), &cs,
                                  &err) == RV_OK);
    CHECK(rv_sonata_compsets_count(cs) == 2);
    rv_sonata_compsets_destroy(cs);
    /* entries with integral reals are integers; 2^64 is out of range */
    CHECK(rv_sonata_compsets_parse("{\"s\": {\"population\": \"p\", \"compartment_set\": "
                                   "[[1.0, 2e0, 0]]}}",
                                   NULL, &cs, &err) == RV_OK);
    rv_sonata_compsets_destroy(cs);
    CHECK(rv_sonata_compsets_parse("{\"s\": {\"population\": \"p\", \"compartment_set\": "
                                   "[[18446744073709551616.0, 2, 0]]}}",
                                   NULL, &cs, &err) == RV_EFORMAT &&
          strstr(err.msg, "out of range") && strcmp(err.path, "<compartment_sets>") == 0);
}

/* ---- allocation failures ---------------------------------------------------------------- */

static long g_count, g_fail_at;

static void *failing_alloc(void *ud, void *p, size_t n) {
    (void)ud;
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (++g_count == g_fail_at) return NULL;
    return realloc(p, n);
}

typedef rv_status (*job_fn)(void *ctx, rv_error *err);

static void oom_loop(const char *what, job_fn job, void *ctx) {
    long k;
    int enomem = 0;
    for (k = 1;; k++) {
        g_count = 0;
        g_fail_at = k;
        rv_error err;
        rv_set_allocator(failing_alloc, NULL);
        rv_status st = job(ctx, &err);
        rv_set_allocator(NULL, NULL);
        int hit = g_count >= g_fail_at;
        if (st == RV_ENOMEM) {
            enomem++;
        } else if (st != RV_OK) {
            CHECK(0);
            printf("     %s at allocation %ld: %s\n", what, k, err.msg);
        }
        if (!hit) break;
    }
    printf("oom: %s: %ld allocations, each made to fail: %d gave RV_ENOMEM\n", what, k - 1, enomem);
    CHECK(enomem > 0);
}

/* A load, then (with a population) a select of every set.  The first run
 * (reference = 1) records each select's status and selection; under the
 * failing allocator every select must then give RV_ENOMEM or exactly the
 * reference result (the nodes reader may fall back when an optional buffer
 * cannot be allocated). */
typedef struct load_job {
    const char *circuit, *sim, *inl;
    rv_sonata_pop *pop;
    int reference;
    size_t n;
    rv_status st[128];
    char sel[128][160];
} load_job;

static rv_status job_load(void *ctx, rv_error *err) {
    load_job *j = ctx;
    rv_sonata_nodesets *ns = NULL;
    rv_status st = rv_sonata_nodesets_load(j->circuit, j->sim, j->inl, &ns, err);
    if (st != RV_OK) {
        CHECK(ns == NULL);
        return st;
    }
    size_t n = rv_sonata_nodesets_count(ns);
    if (j->reference) j->n = n < 128 ? n : 128;
    CHECK(n == j->n || n >= 128);
    for (size_t i = 0; j->pop && i < j->n && st == RV_OK; i++) {
        rv_sonata_sel s;
        rv_error e2;
        char buf[160];
        const char *name = rv_sonata_nodesets_name(ns, i);
        st = rv_sonata_nodesets_select(ns, name, j->pop, &s, &e2);
        if (st == RV_OK) sel_text(&s, buf, sizeof buf);
        if (j->reference) {
            j->st[i] = st;
            snprintf(j->sel[i], sizeof j->sel[i], "%s", st == RV_OK ? buf : "");
        } else if (st == RV_ENOMEM) {
            CHECK(s.n == 0 && s.r == NULL);
            if (err) *err = e2;
        } else if (st != j->st[i] || (st == RV_OK && strcmp(buf, j->sel[i]) != 0)) {
            CHECK(0);
            printf("     allocation %ld: select '%s' gave %d %s, reference %d %s\n", g_fail_at,
                   name, st, st == RV_OK ? buf : e2.msg, j->st[i], j->sel[i]);
        }
        rv_sonata_sel_free(&s);
        if (st != RV_ENOMEM) st = RV_OK; /* data errors are part of the fixture (err_* sets) */
    }
    rv_sonata_nodesets_destroy(ns);
    return st;
}

static rv_status job_compsets(void *ctx, rv_error *err) {
    rv_sonata_compsets *cs = NULL;
    rv_status st = rv_sonata_compsets_load(ctx, &cs, err);
    if (st == RV_OK) {
        rv_sonata_sel s;
        for (size_t i = 0; i < rv_sonata_compsets_count(cs) && st == RV_OK; i++) {
            st = rv_sonata_compsets_node_ids(cs, i, &s, err);
            if (st == RV_OK) rv_sonata_sel_free(&s);
        }
    } else {
        CHECK(cs == NULL);
    }
    rv_sonata_compsets_destroy(cs);
    return st;
}

static void test_oom(const char *src_dir) {
    char a[1024], b[1024], c[1024];
    rv_error err;
    static load_job j;
    j = (load_job){path(a, g_data, "circuits/bbp-ringtest/nodesets.json"),
                   path(b, src_dir, "cases/ringtest_sets.json"),
                   "{\"RingB\": {\"population\": \"RingB\"}, \"x\": [\"c_rings\", \"mtype_re\"]}",
                   NULL,
                   1,
                   0,
                   {0},
                   {{0}}};
    CHECK(job_load(&j, &err) == RV_OK);
    j.reference = 0;
    oom_loop("load ringtest + sim + inline", job_load, &j);
    popf x = open_pop(path(c, g_data, "circuits/bbp-ringtest/nodes_A.h5"), "RingA");
    j.pop = x.p;
    j.reference = 1;
    CHECK(job_load(&j, &err) == RV_OK);
    j.reference = 0;
    oom_loop("load and select ringtest", job_load, &j);
    close_pop(&x);
    static load_job g;
    g = (load_job){path(a, src_dir, "cases/nodes1_sets.json"), NULL, NULL, NULL, 1, 0, {0}, {{0}}};
    x = open_pop(path(c, g_data, "sonata-format/nodes1.h5"), "nodes-A");
    g.pop = x.p;
    CHECK(job_load(&g, &err) == RV_OK);
    g.reference = 0;
    oom_loop("load and select nodes1_sets.json", job_load, &g);
    close_pop(&x);
    oom_loop("compartment sets", job_compsets,
             (void *)path(a, g_data, "circuits/bbp-ringtest/compartment_sets.json"));
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: test_nodesets DATA_DIR SRC_DIR WORK_DIR [--oom]\n");
        return 2;
    }
    g_data = argv[1];
    g_work = argv[3];
    mkdir(g_work, 0777);
    if (argc > 4 && strcmp(argv[4], "--oom") == 0) {
        test_oom(argv[2]);
    } else {
        test_misuse();
        test_selections();
        test_large();
        test_compsets();
    }
    printf("%d checks, %d failed\n", g_checks, g_fails);
    return g_fails ? 1 : 0;
}
