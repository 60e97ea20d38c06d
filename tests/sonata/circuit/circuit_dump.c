/* SPDX-License-Identifier: MIT
 * tests/sonata/circuit/circuit_dump.c -- test driver for the SONATA nodes and
 * edges readers.  It prints what the library reads as JSON, for
 * check_circuit.py to compare with h5py reads of the same files; on an
 * error it prints "ERROR: <formatted rv_error>" and exits 1 (the malformed
 * input catalogue relies on this).
 *
 *   circuit_dump list nodes|edges H5
 *   circuit_dump pop nodes|edges H5 CSV|- POP SEL    everything about SEL
 *   circuit_dump select H5 CSV|- POP aff|eff IDS [scan] [ATTR...]
 *                                      edges of IDS, then ATTRs over them
 *   circuit_dump read nodes|edges H5 CSV|- POP SEL f64|i64|str|rot|src|tgt ATTR
 *                                      one read; fails like the library
 *   circuit_dump selftest              selections, misuse, allocation failures
 *
 * SEL is "all", "none" or a comma list of ids and ranges a-b (inclusive),
 * in any order.  IDS is a comma list of ids.
 */
#include "ranvier/sonata_circuit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const rv_error *e) {
    char buf[1200];
    printf("ERROR: %s\n", rv_error_format(e, buf, sizeof buf));
    exit(1);
}

static void jstr(const char *s) {
    if (!s) {
        printf("null");
        return;
    }
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void jnum(double v) {
    if (isnan(v))
        printf("NaN");
    else if (isinf(v))
        printf(v > 0 ? "Infinity" : "-Infinity");
    else
        printf("%.17g", v);
}

/* parse "a-b,c" into ids */
static uint64_t *parse_ids(const char *spec, size_t *n) {
    size_t cap = 16, k = 0;
    uint64_t *v = malloc(cap * sizeof *v);
    const char *p = spec;
    while (*p) {
        char *end;
        unsigned long long a = strtoull(p, &end, 10), b = a;
        if (end == p) break;
        p = end;
        if (*p == '-') {
            b = strtoull(p + 1, &end, 10);
            p = end;
        }
        for (unsigned long long x = a; x <= b; x++) {
            if (k == cap) v = realloc(v, (cap *= 2) * sizeof *v);
            v[k++] = x;
        }
        if (*p == ',') p++;
    }
    *n = k;
    return v;
}

static void make_sel(rv_sonata_pop *p, const char *spec, rv_sonata_sel *sel) {
    rv_error e;
    if (strcmp(spec, "all") == 0) {
        rv_sonata_range r = {0, rv_sonata_pop_size(p)};
        if (rv_sonata_sel_from_ranges(&r, 1, sel, &e) != RV_OK) die(&e);
        return;
    }
    size_t n = 0;
    uint64_t *ids = strcmp(spec, "none") == 0 ? NULL : parse_ids(spec, &n);
    if (rv_sonata_sel_from_ids(ids, n, sel, &e) != RV_OK) die(&e);
    free(ids);
}

static rv_sonata_pop *open_pop(const char *kind, const char *h5, const char *csv, const char *name,
                               rv_sonata_file **fo) {
    rv_error e;
    rv_sonata_file *f;
    const char *c = strcmp(csv, "-") == 0 ? NULL : csv;
    rv_status st = strcmp(kind, "nodes") == 0 ? rv_sonata_nodes_open(h5, c, &f, &e)
                                              : rv_sonata_edges_open(h5, c, &f, &e);
    if (st != RV_OK) die(&e);
    rv_sonata_pop *p;
    if (rv_sonata_pop_open(f, name, &p, &e) != RV_OK) {
        rv_sonata_file_close(f);
        die(&e);
    }
    *fo = f;
    return p;
}

static void print_u64s(const char *key, const uint64_t *v, uint64_t n) {
    printf(",\"%s\":[", key);
    for (uint64_t i = 0; i < n; i++) printf("%s%llu", i ? "," : "", (unsigned long long)v[i]);
    printf("]");
}

static void print_sel(const char *key, const rv_sonata_sel *s) {
    printf(",\"%s\":[", key);
    for (size_t i = 0; i < s->n; i++)
        printf("%s[%llu,%llu]", i ? "," : "", (unsigned long long)s->r[i].begin,
               (unsigned long long)s->r[i].end);
    printf("]");
}

/* one attribute read in each form: values or the error message */
static void print_attr_values(rv_sonata_pop *p, const char *name, const rv_sonata_sel *sel) {
    uint64_t n = rv_sonata_sel_count(sel);
    double *d = malloc((n ? n : 1) * sizeof *d);
    int64_t *i64 = malloc((n ? n : 1) * sizeof *i64);
    char **s = NULL;
    rv_error e;
    char buf[1200];
    printf("{");
    if (rv_sonata_pop_read_f64(p, name, sel, d, &e) == RV_OK) {
        printf("\"f64\":[");
        for (uint64_t i = 0; i < n; i++) {
            if (i) printf(",");
            jnum(d[i]);
        }
        printf("]");
    } else {
        printf("\"f64_error\":");
        jstr(rv_error_format(&e, buf, sizeof buf));
    }
    if (rv_sonata_pop_read_i64(p, name, sel, i64, &e) == RV_OK) {
        printf(",\"i64\":[");
        for (uint64_t i = 0; i < n; i++) printf("%s%lld", i ? "," : "", (long long)i64[i]);
        printf("]");
    } else {
        printf(",\"i64_error\":");
        jstr(rv_error_format(&e, buf, sizeof buf));
    }
    if (rv_sonata_pop_read_str(p, name, sel, &s, &e) == RV_OK) {
        printf(",\"str\":[");
        for (uint64_t i = 0; i < n; i++) {
            if (i) printf(",");
            jstr(s[i]);
        }
        printf("]");
        rv_free(s);
    } else {
        printf(",\"str_error\":");
        jstr(rv_error_format(&e, buf, sizeof buf));
    }
    printf("}");
    free(d);
    free(i64);
}

static int cmd_list(const char *kind, const char *h5) {
    rv_error e;
    rv_sonata_file *f;
    rv_status st = strcmp(kind, "nodes") == 0 ? rv_sonata_nodes_open(h5, NULL, &f, &e)
                                              : rv_sonata_edges_open(h5, NULL, &f, &e);
    if (st != RV_OK) die(&e);
    printf("{\"populations\":[");
    for (size_t i = 0; i < rv_sonata_file_population_count(f); i++) {
        if (i) printf(",");
        jstr(rv_sonata_file_population_name(f, i));
    }
    printf("]}\n");
    rv_sonata_file_close(f);
    return 0;
}

static int cmd_pop(const char *kind, const char *h5, const char *csv, const char *name,
                   const char *spec) {
    rv_sonata_file *f;
    rv_sonata_pop *p = open_pop(kind, h5, csv, name, &f);
    rv_sonata_file_close(f); /* the population keeps it open */
    rv_error e;
    char buf[1200];
    rv_sonata_sel sel;
    make_sel(p, spec, &sel);
    uint64_t n = rv_sonata_sel_count(&sel);
    printf("{\"name\":");
    jstr(rv_sonata_pop_name(p));
    printf(",\"kind\":\"%s\",\"size\":%llu",
           rv_sonata_pop_kind(p) == RV_SONATA_NODES ? "nodes" : "edges",
           (unsigned long long)rv_sonata_pop_size(p));
    printf(",\"groups\":[");
    for (size_t g = 0; g < rv_sonata_pop_group_count(p); g++)
        printf("%s%u", g ? "," : "", rv_sonata_pop_group_id(p, g));
    printf("],\"attrs\":[");
    for (size_t i = 0; i < rv_sonata_pop_attr_count(p); i++) {
        rv_sonata_attr_info a;
        if (rv_sonata_pop_attr_info(p, i, &a, &e) != RV_OK) die(&e);
        printf("%s{\"name\":", i ? "," : "");
        jstr(a.name);
        printf(",\"dtype\":\"%s\",\"enumeration\":%d,\"dynamics\":%d,\"n_groups\":%d,\"in_csv\":%d",
               rv_sonata_dtype_name(a.dtype), a.enumeration, a.dynamics, a.n_groups, a.in_csv);
        printf(",\"group_dtypes\":{");
        for (size_t g = 0; g < rv_sonata_pop_group_count(p); g++) {
            uint32_t gid = rv_sonata_pop_group_id(p, g);
            printf("%s\"%u\":\"%s\"", g ? "," : "", gid,
                   rv_sonata_dtype_name(rv_sonata_pop_group_attr_dtype(p, gid, a.name)));
        }
        printf("}}");
    }
    printf("]");
    print_sel("sel", &sel);
    int64_t *t = malloc((n ? n : 1) * sizeof *t);
    uint64_t *u = malloc((n ? n : 1) * sizeof *u);
    uint32_t *g32 = malloc((n ? n : 1) * sizeof *g32);
    if (rv_sonata_pop_read_type_ids(p, &sel, t, &e) != RV_OK) die(&e);
    printf(",\"type_ids\":[");
    for (uint64_t i = 0; i < n; i++) printf("%s%lld", i ? "," : "", (long long)t[i]);
    printf("]");
    if (rv_sonata_pop_read_groups(p, &sel, g32, u, &e) != RV_OK) die(&e);
    printf(",\"group_id\":[");
    for (uint64_t i = 0; i < n; i++) printf("%s%u", i ? "," : "", g32[i]);
    printf("]");
    print_u64s("group_index", u, n);
    if (rv_sonata_pop_kind(p) == RV_SONATA_NODES) {
        printf(",\"has_node_id\":%d", rv_sonata_nodes_has_node_id(p));
        if (rv_sonata_nodes_read_node_ids(p, &sel, u, &e) != RV_OK) die(&e);
        print_u64s("node_ids", u, n);
        char **mt, **mtpl;
        if (rv_sonata_nodes_read_models(p, &sel, &mt, &mtpl, &e) == RV_OK) {
            printf(",\"model_type\":[");
            for (uint64_t i = 0; i < n; i++) printf("%s", i ? "," : ""), jstr(mt[i]);
            printf("],\"model_template\":[");
            for (uint64_t i = 0; i < n; i++) printf("%s", i ? "," : ""), jstr(mtpl[i]);
            printf("]");
            rv_free(mt);
            rv_free(mtpl);
        } else {
            printf(",\"models_error\":");
            jstr(rv_error_format(&e, buf, sizeof buf));
        }
        double *rot = malloc((n ? n : 1) * 9 * sizeof *rot);
        unsigned char *has = malloc(n ? n : 1);
        if (rv_sonata_nodes_read_rotations(p, &sel, rot, has, &e) == RV_OK) {
            printf(",\"rotations\":[");
            for (uint64_t i = 0; i < n; i++) {
                printf("%s[", i ? "," : "");
                for (int k = 0; k < 9; k++) {
                    if (k) printf(",");
                    jnum(rot[9 * i + k]);
                }
                printf("]");
            }
            printf("],\"has_rotation\":[");
            for (uint64_t i = 0; i < n; i++) printf("%s%d", i ? "," : "", has[i]);
            printf("]");
        } else {
            printf(",\"rotations_error\":");
            jstr(rv_error_format(&e, buf, sizeof buf));
        }
        free(rot);
        free(has);
    } else {
        printf(",\"source\":");
        jstr(rv_sonata_edges_source_population(p));
        printf(",\"target\":");
        jstr(rv_sonata_edges_target_population(p));
        printf(",\"has_index\":[%d,%d]", rv_sonata_edges_has_index(p, RV_SONATA_AFFERENT),
               rv_sonata_edges_has_index(p, RV_SONATA_EFFERENT));
        if (rv_sonata_edges_read_source_ids(p, &sel, u, &e) != RV_OK) die(&e);
        print_u64s("source_ids", u, n);
        if (rv_sonata_edges_read_target_ids(p, &sel, u, &e) != RV_OK) die(&e);
        print_u64s("target_ids", u, n);
    }
    printf(",\"values\":{");
    for (size_t i = 0; i < rv_sonata_pop_attr_count(p); i++) {
        rv_sonata_attr_info a;
        rv_sonata_pop_attr_info(p, i, &a, &e);
        printf("%s", i ? "," : "");
        jstr(a.name);
        printf(":");
        print_attr_values(p, a.name, &sel);
    }
    printf("},\"bytes_read\":%llu}\n", (unsigned long long)rv_sonata_pop_bytes_read(p));
    free(t);
    free(u);
    free(g32);
    rv_sonata_sel_free(&sel);
    rv_sonata_pop_close(p);
    return 0;
}

static int cmd_select(int argc, char **argv) {
    /* select H5 CSV POP aff|eff IDS [scan] [ATTR...] */
    rv_sonata_file *f;
    rv_sonata_pop *p = open_pop("edges", argv[2], argv[3], argv[4], &f);
    rv_error e;
    rv_sonata_edge_dir dir = strcmp(argv[5], "eff") == 0 ? RV_SONATA_EFFERENT : RV_SONATA_AFFERENT;
    size_t n;
    uint64_t *ids = parse_ids(argv[6], &n);
    int a = 7;
    unsigned flags = 0;
    if (a < argc && strcmp(argv[a], "scan") == 0) {
        flags = RV_SONATA_SCAN_IF_NO_INDEX;
        a++;
    }
    rv_sonata_sel sel;
    rv_status st = rv_sonata_edges_select(p, dir, ids, n, flags, &sel, &e);
    free(ids);
    if (st != RV_OK) {
        rv_sonata_pop_close(p);
        rv_sonata_file_close(f);
        die(&e);
    }
    printf("{\"count\":%llu", (unsigned long long)rv_sonata_sel_count(&sel));
    print_sel("sel", &sel);
    printf(",\"bytes_after_select\":%llu", (unsigned long long)rv_sonata_pop_bytes_read(p));
    printf(",\"values\":{");
    for (int i = a; i < argc; i++) {
        printf("%s", i > a ? "," : "");
        jstr(argv[i]);
        printf(":");
        print_attr_values(p, argv[i], &sel);
    }
    printf("},\"bytes_read\":%llu}\n", (unsigned long long)rv_sonata_pop_bytes_read(p));
    rv_sonata_sel_free(&sel);
    rv_sonata_pop_close(p);
    rv_sonata_file_close(f);
    return 0;
}

static int cmd_read(char **argv) {
    /* read KIND H5 CSV POP SEL f64|i64|str|rot ATTR */
    rv_sonata_file *f;
    rv_sonata_pop *p = open_pop(argv[2], argv[3], argv[4], argv[5], &f);
    rv_error e;
    rv_sonata_sel sel;
    const char *spec = argv[6], *how = argv[7], *attr = argv[8];
    if (strcmp(spec, "bad") == 0) { /* a selection beyond the population */
        rv_sonata_range r = {rv_sonata_pop_size(p), rv_sonata_pop_size(p) + 2};
        sel.r = malloc(sizeof r);
        sel.r[0] = r;
        sel.n = 1;
    } else {
        make_sel(p, spec, &sel);
    }
    uint64_t n = rv_sonata_sel_count(&sel);
    void *buf = malloc((n ? n : 1) * 9 * sizeof(double));
    rv_status st;
    if (strcmp(how, "f64") == 0)
        st = rv_sonata_pop_read_f64(p, attr, &sel, buf, &e);
    else if (strcmp(how, "i64") == 0)
        st = rv_sonata_pop_read_i64(p, attr, &sel, buf, &e);
    else if (strcmp(how, "rot") == 0)
        st = rv_sonata_nodes_read_rotations(p, &sel, buf, NULL, &e);
    else if (strcmp(how, "src") == 0)
        st = rv_sonata_edges_read_source_ids(p, &sel, buf, &e);
    else if (strcmp(how, "tgt") == 0)
        st = rv_sonata_edges_read_target_ids(p, &sel, buf, &e);
    else {
        char **s = NULL;
        st = rv_sonata_pop_read_str(p, attr, &sel, &s, &e);
        rv_free(s);
    }
    free(buf);
    if (strcmp(spec, "bad") == 0) {
        free(sel.r);
    } else {
        rv_sonata_sel_free(&sel);
    }
    rv_sonata_pop_close(p);
    rv_sonata_file_close(f);
    if (st != RV_OK) die(&e);
    printf("{\"ok\":1}\n");
    return 0;
}

/* ---- self test ------------------------------------------------------------- */

static int failures;
#define CHECK(c, ...)                                                                              \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)

static long g_budget = -1; /* allocations left before failing; -1: never fail */
static long g_fail_hits;
static void *fail_alloc(void *ud, void *ptr, size_t n) {
    (void)ud;
    if (n == 0) {
        free(ptr);
        return NULL;
    }
    if (g_budget == 0) {
        g_fail_hits++;
        return NULL;
    }
    if (g_budget > 0) g_budget--;
    return realloc(ptr, n);
}

/* One full use of the API; every status must be OK or ENOMEM. */
static rv_status workload(const char *nodes, const char *nodes_csv, const char *edges,
                          const char *edges_csv, int *bad) {
    rv_error e;
    rv_sonata_file *f = NULL;
    rv_sonata_pop *p = NULL;
    rv_status st = rv_sonata_nodes_open(nodes, nodes_csv, &f, &e);
    if (st == RV_OK) st = rv_sonata_pop_open(f, rv_sonata_file_population_name(f, 0), &p, &e);
    rv_sonata_file_close(f);
    f = NULL;
    rv_sonata_sel sel = {0};
    if (st == RV_OK) {
        uint64_t ids[3] = {2, 0, 2};
        st = rv_sonata_sel_from_ids(ids, 3, &sel, &e);
    }
    for (size_t i = 0; st == RV_OK && i < rv_sonata_pop_attr_count(p); i++) {
        rv_sonata_attr_info a;
        rv_sonata_pop_attr_info(p, i, &a, &e);
        char **s = NULL;
        double d[3];
        rv_status s1 = rv_sonata_pop_read_str(p, a.name, &sel, &s, &e);
        rv_free(s);
        if (s1 == RV_ENOMEM) st = s1;
        if (st == RV_OK && rv_sonata_pop_read_f64(p, a.name, &sel, d, &e) == RV_ENOMEM)
            st = RV_ENOMEM;
    }
    if (st == RV_OK) {
        double rot[27];
        st = rv_sonata_nodes_read_rotations(p, &sel, rot, NULL, &e);
    }
    if (st == RV_OK) {
        char **a = NULL, **b = NULL;
        st = rv_sonata_nodes_read_models(p, &sel, &a, &b, &e);
        rv_free(a);
        rv_free(b);
    }
    rv_sonata_sel_free(&sel);
    rv_sonata_pop_close(p);
    p = NULL;
    if (st == RV_OK) st = rv_sonata_edges_open(edges, edges_csv, &f, &e);
    if (st == RV_OK) st = rv_sonata_pop_open(f, rv_sonata_file_population_name(f, 0), &p, &e);
    rv_sonata_file_close(f);
    if (st == RV_OK) {
        uint64_t t[2] = {1, 0};
        st = rv_sonata_edges_afferent(p, t, 2, &sel, &e);
    }
    if (st == RV_OK && rv_sonata_pop_attr_count(p)) {
        uint64_t n = rv_sonata_sel_count(&sel);
        double *d = malloc((n ? n : 1) * sizeof *d);
        rv_sonata_attr_info a;
        rv_sonata_pop_attr_info(p, 0, &a, &e);
        rv_status s1 = rv_sonata_pop_read_f64(p, a.name, &sel, d, &e);
        if (s1 == RV_ENOMEM) st = s1;
        free(d);
    }
    rv_sonata_sel_free(&sel);
    rv_sonata_pop_close(p);
    if (st != RV_OK && st != RV_ENOMEM) {
        char buf[1200];
        fprintf(stderr, "workload: unexpected status %d: %s\n", st,
                rv_error_format(&e, buf, sizeof buf));
        *bad = 1;
    }
    return st;
}

static int cmd_selftest(int argc, char **argv) {
    rv_error e;
    rv_sonata_sel s;
    uint64_t ids[] = {7, 3, 4, 3, 9, 8, 0};
    CHECK(rv_sonata_sel_from_ids(ids, 7, &s, &e) == RV_OK, "from_ids");
    CHECK(s.n == 3 && s.r[0].begin == 0 && s.r[0].end == 1 && s.r[1].begin == 3 &&
              s.r[1].end == 5 && s.r[2].begin == 7 && s.r[2].end == 10,
          "from_ids ranges");
    CHECK(rv_sonata_sel_count(&s) == 6, "count");
    uint64_t back[6];
    rv_sonata_sel_to_ids(&s, back);
    CHECK(back[0] == 0 && back[1] == 3 && back[5] == 9, "to_ids");
    rv_sonata_sel_free(&s);
    rv_sonata_range rr[] = {{5, 9}, {0, 2}, {3, 3}, {8, 12}, {2, 4}};
    CHECK(rv_sonata_sel_from_ranges(rr, 5, &s, &e) == RV_OK, "from_ranges");
    CHECK(s.n == 2 && s.r[0].begin == 0 && s.r[0].end == 4 && s.r[1].begin == 5 && s.r[1].end == 12,
          "from_ranges merged: %zu", s.n);
    rv_sonata_sel_free(&s);
    CHECK(rv_sonata_sel_from_ids(NULL, 0, &s, &e) == RV_OK && s.n == 0 && !s.r, "empty");
    CHECK(rv_sonata_sel_from_ids(NULL, 2, &s, &e) == RV_EINVAL, "NULL ids");
    CHECK(strcmp(rv_sonata_dtype_name(RV_SONATA_UINT16), "uint16") == 0, "dtype name");
    rv_sonata_file *f = NULL;
    CHECK(rv_sonata_nodes_open(NULL, NULL, &f, &e) == RV_EINVAL, "NULL path");
    rv_sonata_file_close(NULL);
    rv_sonata_pop_close(NULL);
    if (argc >= 6) {
        const char *nodes = argv[2], *edges = argv[4];
        const char *ncsv = strcmp(argv[3], "-") ? argv[3] : NULL;
        const char *ecsv = strcmp(argv[5], "-") ? argv[5] : NULL;
        /* misuse on a real population */
        rv_sonata_pop *p;
        CHECK(rv_sonata_nodes_open(nodes, ncsv, &f, &e) == RV_OK, "open %s", e.msg);
        CHECK(rv_sonata_pop_open(f, rv_sonata_file_population_name(f, 0), &p, &e) == RV_OK, "pop");
        rv_sonata_range bad[2] = {{3, 5}, {1, 2}};
        rv_sonata_sel bs = {bad, 2};
        double d[8];
        CHECK(rv_sonata_pop_read_f64(p, "x", &bs, d, &e) == RV_EINVAL &&
                  strstr(e.msg, "not canonical"),
              "unsorted selection: %s", e.msg);
        uint64_t nid[1];
        CHECK(rv_sonata_edges_read_source_ids(p, &bs, nid, &e) == RV_EINVAL &&
                  strstr(e.msg, "not edges"),
              "edge call on nodes: %s", e.msg);
        CHECK(rv_sonata_edges_afferent(p, nid, 0, &s, &e) == RV_EINVAL, "afferent on nodes");
        rv_sonata_attr_info ai;
        CHECK(rv_sonata_pop_attr_info(p, 100000, &ai, &e) == RV_EINVAL, "attr index");
        CHECK(rv_sonata_pop_attr_find(p, "no such attribute") == -1, "find");
        rv_sonata_pop_close(p);
        rv_sonata_file_close(f);
        /* every allocation failing in turn */
        int bad_status = 0;
        long k;
        rv_set_allocator(fail_alloc, NULL);
        for (k = 0; k < 100000; k++) {
            g_budget = k;
            g_fail_hits = 0;
            rv_status st = workload(nodes, ncsv, edges, ecsv, &bad_status);
            if (bad_status) break;
            if (g_fail_hits == 0) {
                CHECK(st == RV_OK, "workload without failures: %d", st);
                break;
            }
        }
        g_budget = -1;
        rv_set_allocator(NULL, NULL);
        CHECK(!bad_status, "allocation failure gave a status other than ENOMEM");
        printf("allocation failure points exercised: %ld\n", k);
        CHECK(k > 50, "too few allocations exercised: %ld", k);
    }
    if (failures) {
        fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    printf("selftest ok\n");
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "list") == 0) return cmd_list(argv[2], argv[3]);
    if (argc >= 7 && strcmp(argv[1], "pop") == 0)
        return cmd_pop(argv[2], argv[3], argv[4], argv[5], argv[6]);
    if (argc >= 7 && strcmp(argv[1], "select") == 0) return cmd_select(argc, argv);
    if (argc >= 9 && strcmp(argv[1], "read") == 0) return cmd_read(argv);
    if (argc >= 2 && strcmp(argv[1], "selftest") == 0) return cmd_selftest(argc, argv);
    fprintf(stderr, "usage: see the top of circuit_dump.c\n");
    return 2;
}
