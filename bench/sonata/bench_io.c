/* SPDX-License-Identifier: MIT
 * bench/sonata/bench_io.c -- SONATA I/O benchmark (issue #4, "Performance"),
 * not a test.  On a circuit written by gen_circuit.py it times:
 *
 *   (a) nodes   every attribute of every node through rv_sonata_pop_read_*
 *               (numbers as double, strings and @library enumerations as
 *               strings), against raw HDF5: one H5Dread per dataset in the
 *               file's own type (plus the @library strings);
 *   (b) edges   the afferent edges of FRACTION of the nodes (distinct random
 *               targets), selected through the target_to_source index, then
 *               source/target ids and every synapse attribute of those edges
 *               (numbers as double / int64), against raw HDF5 doing the same
 *               reads (index rows, range rows, then one H5Dread per dataset
 *               over the union of the edge ranges, in the file's own type);
 *               bytes requested (rv_sonata_pop_bytes_read) vs file size, and
 *               what a scan without an index reads (the whole target_node_id);
 *   (c) report  FRAMES x ELEMENTS float32 compartment report (one element per
 *               node) through rv_sonata_report_writer (libsonatareport's
 *               default 4 MiB buffer), against raw HDF5 writing the same
 *               dataset in slabs of the same number of frames.
 *
 *   bench_io DIR [--repeat R=3] [--fraction F=0.01] [--frames 1000]
 *                [--elements 100000] [--seed S=7] [--cold] [--sieve BYTES]
 *                [--skip a,b,c]
 *
 * DIR holds nodes.h5 and edges.h5 (first population of each); the report
 * files are written to DIR and removed.  MB/s figures are over the dataset
 * bytes requested (rows x the file's element size, 16 bytes per
 * variable-length string reference) -- the same count for ranvier and raw
 * HDF5, so the ratio of the two is the ratio of the times.  Each contender
 * runs R times, alternately first; the best time is reported with the others
 * in brackets.  --cold evicts the files from the page cache before every run
 * (fsync + posix_fadvise DONTNEED; no root needed); without it reads are
 * from a warm page cache.
 */
#include "ranvier/sonata_circuit.h"
#include "ranvier/sonata_output.h"

#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAXRUN 16

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

_Noreturn static void die_rv(const char *what, const rv_error *e) {
    char buf[1200];
    fprintf(stderr, "bench_io: %s: %s\n", what, rv_error_format(e, buf, sizeof buf));
    exit(1);
}

_Noreturn static void die(const char *what) {
    fprintf(stderr, "bench_io: %s\n", what);
    exit(1);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory");
    return p;
}

static uint64_t file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Bytes this process obtained through read()/pread() so far (/proc/self/io
 * rchar): what HDF5 asked of the operating system, page cache or not. */
static uint64_t rchar(void) {
    FILE *f = fopen("/proc/self/io", "r");
    unsigned long long v = 0;
    if (!f) return 0;
    if (fscanf(f, "rchar: %llu", &v) != 1) v = 0;
    fclose(f);
    return v;
}

static void evict(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return;
    fdatasync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
}

typedef struct runs {
    double t[MAXRUN];
    int n;
} runs;

static double best(const runs *r) {
    double b = r->t[0];
    for (int i = 1; i < r->n; i++)
        if (r->t[i] < b) b = r->t[i];
    return b;
}

static void print_line(const char *name, const runs *r, double mb) {
    double b = best(r);
    printf("  %-30s %8.3f s %9.1f MB/s   [", name, b, mb / b);
    for (int i = 0; i < r->n; i++) printf("%s%.3f", i ? " " : "", r->t[i]);
    printf("]\n");
}

/* ---- raw HDF5 helpers ------------------------------------------------------- */

typedef struct dsread {
    char path[512];
    uint64_t bytes; /* rows x file element size */
} dsread;

/* Reads the rows in ranges r[0..n) of dataset `path` (1-D or 2-D) in the
 * file's native type; returns the bytes requested. */
/* Raw HDF5 opens files with this data sieve buffer size (0: HDF5's default,
 * 64 KiB): the amount HDF5 reads around each small hyperslab. */
static size_t RAW_SIEVE = 0;

static hid_t raw_open(const char *h5) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (RAW_SIEVE) H5Pset_sieve_buf_size(fapl, RAW_SIEVE);
    hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return f;
}

static int RAW_PER_RANGE = 0; /* 1: one H5Dread per range, else one over their union */

static uint64_t raw_read_ranges(hid_t f, const char *path, const rv_sonata_range *r, size_t n,
                                void **keep) {
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0) die(path);
    hid_t ft = H5Dget_type(d), fs = H5Dget_space(d);
    int rank = H5Sget_simple_extent_ndims(fs);
    hsize_t dims[2] = {0, 1};
    H5Sget_simple_extent_dims(fs, dims, NULL);
    hsize_t ncol = rank == 2 ? dims[1] : 1, rows = 0;
    hid_t mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
    size_t esz = H5Tget_size(mt), fsz = H5Tget_size(ft);
    int vlen = H5Tis_variable_str(ft) > 0;
    for (size_t i = 0; i < n; i++) rows += r[i].end - r[i].begin;
    void *buf = xmalloc(rows * ncol * esz);
    hsize_t mdims[2] = {rows, ncol};
    hid_t ms = H5Screate_simple(rank, mdims, NULL);
    if (RAW_PER_RANGE && n > 1) {
        hsize_t done = 0;
        for (size_t i = 0; i < n; i++) {
            hsize_t start[2] = {r[i].begin, 0}, count[2] = {r[i].end - r[i].begin, ncol};
            hsize_t mstart[2] = {done, 0};
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
            H5Sselect_hyperslab(ms, H5S_SELECT_SET, mstart, NULL, count, NULL);
            if (H5Dread(d, mt, ms, fs, H5P_DEFAULT, buf) < 0) die(path);
            done += count[0];
        }
        H5Sselect_all(ms);
    } else {
        H5Sselect_none(fs);
        for (size_t i = 0; i < n; i++) {
            hsize_t start[2] = {r[i].begin, 0}, count[2] = {r[i].end - r[i].begin, ncol};
            H5Sselect_hyperslab(fs, H5S_SELECT_OR, start, NULL, count, NULL);
        }
        if (rows && H5Dread(d, mt, ms, fs, H5P_DEFAULT, buf) < 0) die(path);
    }
    if (vlen && rows) H5Dvlen_reclaim(mt, ms, H5P_DEFAULT, buf);
    H5Sclose(ms);
    H5Tclose(mt);
    H5Tclose(ft);
    H5Sclose(fs);
    H5Dclose(d);
    if (keep)
        *keep = buf;
    else
        free(buf);
    return rows * ncol * fsz;
}

/* Variable-length strings of rows r, kept (HDF5 allocates them with the C
 * library's malloc: free each, then the array). */
static uint64_t raw_read_ranges_keep_vlen(hid_t f, const char *path, const rv_sonata_range *r,
                                          size_t n, void **keep) {
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0) die(path);
    hid_t ft = H5Dget_type(d), fs = H5Dget_space(d);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    hsize_t rows = 0;
    H5Sselect_none(fs);
    for (size_t i = 0; i < n; i++) {
        hsize_t start = r[i].begin, count = r[i].end - r[i].begin;
        H5Sselect_hyperslab(fs, H5S_SELECT_OR, &start, NULL, &count, NULL);
        rows += count;
    }
    hid_t ms = H5Screate_simple(1, &rows, NULL);
    char **buf = xmalloc(rows * sizeof *buf);
    if (rows && H5Dread(d, mt, ms, fs, H5P_DEFAULT, buf) < 0) die(path);
    uint64_t bytes = rows * H5Tget_size(ft);
    H5Sclose(ms);
    H5Tclose(mt);
    H5Tclose(ft);
    H5Sclose(fs);
    H5Dclose(d);
    *keep = buf;
    return bytes;
}

static uint64_t raw_read_all(hid_t f, const char *path) {
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0) die(path);
    hid_t fs = H5Dget_space(d);
    hsize_t dims[2] = {0, 1};
    H5Sget_simple_extent_dims(fs, dims, NULL);
    H5Sclose(fs);
    H5Dclose(d);
    rv_sonata_range r = {0, dims[0]};
    return raw_read_ranges(f, path, &r, 1, NULL);
}

/* Every dataset under a group (recursively), in name order. */
typedef struct dslist {
    char (*v)[512];
    size_t n, cap;
} dslist;

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *ud) {
    (void)info;
    dslist *l = ud;
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    int is_ds = o >= 0 && H5Iget_type(o) == H5I_DATASET;
    if (o >= 0) H5Oclose(o);
    if (!is_ds) return 0;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 32;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) die("out of memory");
    }
    snprintf(l->v[l->n++], 512, "%s", name);
    return 0;
}

/* ---- (a) nodes ----------------------------------------------------------------- */

static const char *first_pop(const char *h5, int edges, char *buf, size_t n) {
    rv_sonata_file *f;
    rv_error e;
    rv_error_clear(&e);
    if ((edges ? rv_sonata_edges_open(h5, NULL, &f, &e) : rv_sonata_nodes_open(h5, NULL, &f, &e)))
        die_rv("open", &e);
    if (rv_sonata_file_population_count(f) == 0) die("no population");
    snprintf(buf, n, "%s", rv_sonata_file_population_name(f, 0));
    rv_sonata_file_close(f);
    return buf;
}

/* Attribute classes of (a). */
enum { NUMERIC = 1, STRINGS = 2, ENUMS = 4, ALL = 7 };

static uint64_t rv_nodes(const char *h5, const char *popname, int classes) {
    rv_sonata_file *f;
    rv_sonata_pop *p;
    rv_error e;
    rv_error_clear(&e);
    if (rv_sonata_nodes_open(h5, NULL, &f, &e) || rv_sonata_pop_open(f, popname, &p, &e))
        die_rv("nodes", &e);
    rv_sonata_file_close(f);
    uint64_t n = rv_sonata_pop_size(p);
    rv_sonata_range all = {0, n};
    rv_sonata_sel sel = {&all, n ? 1 : 0};
    double *d = xmalloc(n * sizeof *d);
    for (size_t i = 0; i < rv_sonata_pop_attr_count(p); i++) {
        rv_sonata_attr_info ai;
        if (rv_sonata_pop_attr_info(p, i, &ai, &e)) die_rv("attr", &e);
        if (ai.dtype == RV_SONATA_OTHER) continue;
        int cls = ai.enumeration ? ENUMS : ai.dtype == RV_SONATA_STRING ? STRINGS : NUMERIC;
        if (!(cls & classes)) continue;
        if (cls != NUMERIC) {
            char **s;
            if (rv_sonata_pop_read_str(p, ai.name, &sel, &s, &e)) die_rv(ai.name, &e);
            rv_free(s);
        } else if (rv_sonata_pop_read_f64(p, ai.name, &sel, d, &e)) {
            die_rv(ai.name, &e);
        }
    }
    free(d);
    uint64_t bytes = rv_sonata_pop_bytes_read(p);
    rv_sonata_pop_close(p);
    return bytes;
}

/* Raw HDF5: each dataset of group 0 read whole in its own type; an
 * enumeration (a dataset with an @library twin) is read with its library
 * and resolved to string pointers (no copies). */
static uint64_t raw_nodes(const char *h5, const char *popname, int classes) {
    hid_t f = raw_open(h5);
    if (f < 0) die(h5);
    char grp[600];
    snprintf(grp, sizeof grp, "/nodes/%s/0", popname);
    dslist l = {0};
    if (H5Lvisit_by_name(f, grp, H5_INDEX_NAME, H5_ITER_INC, collect, &l, H5P_DEFAULT) < 0)
        die(grp);
    uint64_t bytes = 0;
    for (size_t i = 0; i < l.n; i++) {
        const char *name = l.v[i];
        if (strncmp(name, "@library/", 9) == 0) continue; /* with its dataset */
        char path[1200], lib[1200];
        snprintf(path, sizeof path, "%s/%s", grp, name);
        snprintf(lib, sizeof lib, "%s/@library/%s", grp, name);
        int is_enum = H5Lexists(f, lib, H5P_DEFAULT) > 0;
        hid_t d = H5Dopen2(f, path, H5P_DEFAULT), t = H5Dget_type(d);
        int is_str = H5Tget_class(t) == H5T_STRING;
        H5Tclose(t);
        H5Dclose(d);
        int cls = is_enum ? ENUMS : is_str ? STRINGS : NUMERIC;
        if (!(cls & classes)) continue;
        if (!is_enum) {
            bytes += raw_read_all(f, path);
            continue;
        }
        void *lib_buf;
        hid_t dl = H5Dopen2(f, lib, H5P_DEFAULT), sl = H5Dget_space(dl);
        hsize_t nl = 0;
        H5Sget_simple_extent_dims(sl, &nl, NULL);
        H5Sclose(sl);
        H5Dclose(dl);
        rv_sonata_range rl = {0, nl};
        bytes += raw_read_ranges_keep_vlen(f, lib, &rl, 1, &lib_buf);
        hid_t di = H5Dopen2(f, path, H5P_DEFAULT), si = H5Dget_space(di);
        hsize_t ni = 0;
        H5Sget_simple_extent_dims(si, &ni, NULL);
        H5Sclose(si);
        H5Dclose(di);
        uint64_t *idx = xmalloc(ni * sizeof *idx);
        hid_t d2 = H5Dopen2(f, path, H5P_DEFAULT);
        if (H5Dread(d2, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, idx) < 0) die(path);
        hid_t ft = H5Dget_type(d2);
        bytes += ni * H5Tget_size(ft);
        H5Tclose(ft);
        H5Dclose(d2);
        char **strs = lib_buf, **out = xmalloc(ni * sizeof *out);
        for (hsize_t k = 0; k < ni; k++) out[k] = idx[k] < nl ? strs[idx[k]] : NULL;
        free(out);
        free(idx);
        for (hsize_t k = 0; k < nl; k++) free(strs[k]);
        free(strs);
    }
    free(l.v);
    H5Fclose(f);
    return bytes;
}

/* ---- (b) edges ----------------------------------------------------------------- */

static const char *SYN_ATTRS[] = {
    "afferent_section_id", "afferent_section_pos", "conductance", "decay_time",     "delay",
    "depression_time",     "facilitation_time",    "u_syn",       "n_rrp_vesicles", "syn_type_id"};
#define N_SYN (sizeof SYN_ATTRS / sizeof *SYN_ATTRS)

static uint64_t rv_edges(const char *h5, const char *popname, const uint64_t *targets, size_t k,
                         uint64_t *n_edges) {
    rv_sonata_file *f;
    rv_sonata_pop *p;
    rv_error e;
    rv_error_clear(&e);
    if (rv_sonata_edges_open(h5, NULL, &f, &e) || rv_sonata_pop_open(f, popname, &p, &e))
        die_rv("edges", &e);
    rv_sonata_file_close(f);
    rv_sonata_sel sel;
    if (rv_sonata_edges_afferent(p, targets, k, &sel, &e)) die_rv("afferent", &e);
    uint64_t n = rv_sonata_sel_count(&sel);
    uint64_t *ids = xmalloc(n * sizeof *ids);
    double *d = xmalloc(n * sizeof *d);
    int64_t *iv = xmalloc(n * sizeof *iv);
    if (rv_sonata_edges_read_source_ids(p, &sel, ids, &e) ||
        rv_sonata_edges_read_target_ids(p, &sel, ids, &e))
        die_rv("ids", &e);
    for (size_t a = 0; a < N_SYN; a++) {
        long i = rv_sonata_pop_attr_find(p, SYN_ATTRS[a]);
        rv_sonata_attr_info ai;
        if (i < 0 || rv_sonata_pop_attr_info(p, (size_t)i, &ai, &e)) die(SYN_ATTRS[a]);
        int is_int = ai.dtype != RV_SONATA_FLOAT32 && ai.dtype != RV_SONATA_FLOAT64;
        if (is_int ? rv_sonata_pop_read_i64(p, SYN_ATTRS[a], &sel, iv, &e)
                   : rv_sonata_pop_read_f64(p, SYN_ATTRS[a], &sel, d, &e))
            die_rv(SYN_ATTRS[a], &e);
    }
    free(ids);
    free(d);
    free(iv);
    rv_sonata_sel_free(&sel);
    *n_edges = n;
    uint64_t bytes = rv_sonata_pop_bytes_read(p);
    rv_sonata_pop_close(p);
    return bytes;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_range(const void *a, const void *b) {
    const rv_sonata_range *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* The same with HDF5 calls only: index rows, ranges, then the data. */
static uint64_t raw_edges(const char *h5, const char *popname, const uint64_t *targets, size_t k,
                          uint64_t *n_edges) {
    hid_t f = raw_open(h5);
    if (f < 0) die(h5);
    char base[600], path[1200];
    snprintf(base, sizeof base, "/edges/%s", popname);
    uint64_t *t = xmalloc(k * sizeof *t);
    memcpy(t, targets, k * sizeof *t);
    qsort(t, k, sizeof *t, cmp_u64);
    rv_sonata_range *rows = xmalloc(k * sizeof *rows);
    size_t nr = 0;
    for (size_t i = 0; i < k; i++) {
        if (nr && rows[nr - 1].end == t[i]) {
            rows[nr - 1].end++;
        } else if (!nr || rows[nr - 1].end < t[i]) {
            rows[nr++] = (rv_sonata_range){t[i], t[i] + 1};
        }
    }
    uint64_t bytes = 0;
    void *buf;
    snprintf(path, sizeof path, "%s/indices/target_to_source/node_id_to_ranges", base);
    bytes += raw_read_ranges(f, path, rows, nr, &buf);
    uint64_t *n2r = buf; /* nr rows of [begin, end) into range_to_edge_id */
    size_t total = 0;
    for (size_t i = 0; i < nr; i++) total += rows[i].end - rows[i].begin;
    rv_sonata_range *rr = xmalloc(total * sizeof *rr);
    size_t nrr = 0;
    for (size_t i = 0; i < total; i++)
        if (n2r[2 * i + 1] > n2r[2 * i]) rr[nrr++] = (rv_sonata_range){n2r[2 * i], n2r[2 * i + 1]};
    free(n2r);
    qsort(rr, nrr, sizeof *rr, cmp_range);
    size_t m = 0; /* merge */
    for (size_t i = 0; i < nrr; i++) {
        if (m && rr[m - 1].end >= rr[i].begin) {
            if (rr[i].end > rr[m - 1].end) rr[m - 1].end = rr[i].end;
        } else {
            rr[m++] = rr[i];
        }
    }
    snprintf(path, sizeof path, "%s/indices/target_to_source/range_to_edge_id", base);
    bytes += raw_read_ranges(f, path, rr, m, &buf);
    uint64_t *r2e = buf;
    size_t n_er = 0;
    for (size_t i = 0; i < m; i++) n_er += rr[i].end - rr[i].begin;
    rv_sonata_range *er = xmalloc((n_er ? n_er : 1) * sizeof *er);
    size_t ne = 0;
    for (size_t i = 0; i < n_er; i++)
        if (r2e[2 * i + 1] > r2e[2 * i]) er[ne++] = (rv_sonata_range){r2e[2 * i], r2e[2 * i + 1]};
    free(r2e);
    qsort(er, ne, sizeof *er, cmp_range);
    size_t me = 0;
    for (size_t i = 0; i < ne; i++) {
        if (me && er[me - 1].end >= er[i].begin) {
            if (er[i].end > er[me - 1].end) er[me - 1].end = er[i].end;
        } else {
            er[me++] = er[i];
        }
    }
    uint64_t n = 0;
    for (size_t i = 0; i < me; i++) n += er[i].end - er[i].begin;
    snprintf(path, sizeof path, "%s/source_node_id", base);
    bytes += raw_read_ranges(f, path, er, me, NULL);
    snprintf(path, sizeof path, "%s/target_node_id", base);
    bytes += raw_read_ranges(f, path, er, me, NULL);
    for (size_t a = 0; a < N_SYN; a++) {
        snprintf(path, sizeof path, "%s/0/%s", base, SYN_ATTRS[a]);
        bytes += raw_read_ranges(f, path, er, me, NULL);
    }
    free(er);
    free(rr);
    free(rows);
    free(t);
    H5Fclose(f);
    *n_edges = n;
    return bytes;
}

static uint64_t raw_scan(const char *h5, const char *popname) {
    hid_t f = raw_open(h5);
    if (f < 0) die(h5);
    char path[700];
    snprintf(path, sizeof path, "/edges/%s/target_node_id", popname);
    uint64_t b = raw_read_all(f, path);
    H5Fclose(f);
    return b;
}

/* ---- (c) report ---------------------------------------------------------------- */

static void rv_report(const char *path, size_t frames, size_t elements) {
    rv_error e;
    rv_error_clear(&e);
    rv_sonata_report_writer *w;
    rv_sonata_report_params prm = {
        .tstart = 0, .tend = 0.1 * (double)frames, .dt = 0.1, .n_frames = frames};
    uint32_t el = 0;
    if (rv_sonata_report_writer_create(&w, path, &prm, NULL, &e)) die_rv("report", &e);
    for (size_t n = 0; n < elements; n++)
        if (rv_sonata_report_writer_add_node(w, "bench", n, &el, 1, &e)) die_rv("add_node", &e);
    double *v = xmalloc(elements * sizeof *v);
    for (size_t fr = 0; fr < frames; fr++) {
        for (size_t i = 0; i < elements; i++) v[i] = -65.0 + 1e-3 * (double)((i + fr) % 1000);
        if (rv_sonata_report_writer_frame(w, v, &e)) die_rv("frame", &e);
    }
    if (rv_sonata_report_writer_close(w, &e)) die_rv("close", &e);
    rv_sonata_report_writer_destroy(w);
    free(v);
}

static void raw_report(const char *path, size_t frames, size_t elements) {
    size_t k = ((size_t)4 << 20) / (4 * elements); /* the writer's frames per write */
    if (k < 1) k = 1;
    if (k > frames) k = frames;
    float *buf = xmalloc(k * elements * sizeof *buf);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims[2] = {frames, elements};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t ds = H5Dcreate2(f, "data", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0 || ds < 0) die(path);
    for (size_t r = 0; r < frames; r += k) {
        size_t n = frames - r < k ? frames - r : k;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < elements; j++)
                buf[i * elements + j] = (float)(-65.0 + 1e-3 * (double)((j + r + i) % 1000));
        hsize_t start[2] = {r, 0}, count[2] = {n, elements};
        hid_t ms = H5Screate_simple(2, count, NULL), fs = H5Dget_space(ds);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
        if (H5Dwrite(ds, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, buf) < 0) die(path);
        H5Sclose(ms);
        H5Sclose(fs);
    }
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(f);
    free(buf);
}

/* ---- main ------------------------------------------------------------------------ */

int main(int argc, char **argv) {
    const char *dir = NULL, *skip = "";
    int repeat = 3, cold = 0;
    double fraction = 0.01;
    size_t frames = 1000, elements = 100000;
    unsigned seed = 7;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(a, "--fraction") && i + 1 < argc)
            fraction = atof(argv[++i]);
        else if (!strcmp(a, "--frames") && i + 1 < argc)
            frames = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--elements") && i + 1 < argc)
            elements = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--seed") && i + 1 < argc)
            seed = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--skip") && i + 1 < argc)
            skip = argv[++i];
        else if (!strcmp(a, "--sieve") && i + 1 < argc)
            RAW_SIEVE = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--cold"))
            cold = 1;
        else if (a[0] != '-' && !dir)
            dir = a;
        else {
            fprintf(stderr, "usage: bench_io DIR [--repeat R] [--fraction F] [--frames N] "
                            "[--elements N] [--seed S] [--cold] [--sieve BYTES] [--skip a,b,c]\n");
            return 2;
        }
    }
    if (!dir) die("usage: bench_io DIR [options]");
    if (repeat < 1) repeat = 1;
    if (repeat > MAXRUN) repeat = MAXRUN;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    char nodes[1024], edges[1024], rep1[1024], rep2[1024], np[256], ep[256];
    snprintf(nodes, sizeof nodes, "%s/nodes.h5", dir);
    snprintf(edges, sizeof edges, "%s/edges.h5", dir);
    snprintf(rep1, sizeof rep1, "%s/bench_report_rv.h5", dir);
    snprintf(rep2, sizeof rep2, "%s/bench_report_raw.h5", dir);
    first_pop(nodes, 0, np, sizeof np);
    first_pop(edges, 1, ep, sizeof ep);
    printf("bench_io %s (%s page cache, best of %d)\n", dir, cold ? "cold" : "warm", repeat);

    if (!strchr(skip, 'a')) {
        static const struct {
            int cls;
            const char *name;
        } classes[] = {{ALL, "all attributes"},
                       {NUMERIC, "numbers (as double)"},
                       {STRINGS, "strings"},
                       {ENUMS, "@library (as strings)"}};
        printf("(a) node attributes of '%s' (%llu bytes in the file)\n", np,
               (unsigned long long)file_size(nodes));
        for (size_t c = 0; c < sizeof classes / sizeof *classes; c++) {
            runs rr = {{0}, 0}, rw = {{0}, 0};
            uint64_t b1 = 0, b2 = 0, io1 = 0, io2 = 0;
            for (int k = 0; k < 2 * repeat; k++) {
                int raw = (k + k / 2) % 2;
                if (cold) evict(nodes);
                uint64_t io = rchar();
                double t = now();
                if (raw)
                    b2 = raw_nodes(nodes, np, classes[c].cls);
                else
                    b1 = rv_nodes(nodes, np, classes[c].cls);
                t = now() - t;
                *(raw ? &io2 : &io1) = rchar() - io;
                runs *r = raw ? &rw : &rr;
                r->t[r->n++] = t;
            }
            printf("  %s: %.2f MB requested (raw HDF5 %.2f MB); read() %.2f MB (raw %.2f MB)\n",
                   classes[c].name, b1 / 1e6, b2 / 1e6, io1 / 1e6, io2 / 1e6);
            print_line("  ranvier rv_sonata_pop_read_*", &rr, b1 / 1e6);
            print_line("  raw HDF5", &rw, b1 / 1e6);
            printf("    ranvier / raw time: %.2f\n", best(&rr) / best(&rw));
        }
    }

    if (!strchr(skip, 'b')) {
        /* distinct random targets */
        rv_sonata_file *f;
        rv_sonata_pop *p;
        rv_error e;
        rv_error_clear(&e);
        if (rv_sonata_nodes_open(nodes, NULL, &f, &e) || rv_sonata_pop_open(f, np, &p, &e))
            die_rv("nodes", &e);
        uint64_t n_nodes = rv_sonata_pop_size(p);
        rv_sonata_pop_close(p);
        rv_sonata_file_close(f);
        size_t k = (size_t)(fraction * (double)n_nodes + 0.5);
        if (k < 1) k = 1;
        if (k > n_nodes) k = n_nodes;
        uint64_t *perm = xmalloc(n_nodes * sizeof *perm);
        for (uint64_t i = 0; i < n_nodes; i++) perm[i] = i;
        uint64_t x = seed * 2654435761u + 1;
        for (size_t i = 0; i < k; i++) { /* partial Fisher-Yates, xorshift64 */
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint64_t j = i + x % (n_nodes - i), tmp = perm[i];
            perm[i] = perm[j], perm[j] = tmp;
        }
        /* contenders: 0 ranvier, 1 raw union, 2 raw per range */
        runs r[3] = {{{0}, 0}, {{0}, 0}, {{0}, 0}}, rs = {{0}, 0};
        uint64_t b[3] = {0}, ne[3] = {0}, io[3] = {0}, b3 = 0, io3 = 0;
        for (int it = 0; it < 3 * repeat; it++) {
            int c = (it + it / 3) % 3;
            if (cold) evict(edges);
            uint64_t io0 = rchar();
            double t = now();
            RAW_PER_RANGE = c == 2;
            if (c)
                b[c] = raw_edges(edges, ep, perm, k, &ne[c]);
            else
                b[c] = rv_edges(edges, ep, perm, k, &ne[c]);
            r[c].t[r[c].n++] = now() - t;
            io[c] = rchar() - io0;
        }
        RAW_PER_RANGE = 0;
        for (int it = 0; it < repeat; it++) {
            if (cold) evict(edges);
            uint64_t io0 = rchar();
            double t = now();
            b3 = raw_scan(edges, ep);
            rs.t[rs.n++] = now() - t;
            io3 = rchar() - io0;
        }
        if (ne[0] != ne[1] || ne[0] != ne[2])
            die("ranvier and raw HDF5 selected different edge counts");
        uint64_t fsz = file_size(edges);
        printf("(b) afferent edges of %zu of %llu nodes (%.2f%%), ids + %zu synapse attributes: "
               "%llu edges; file %.1f MB\n",
               k, (unsigned long long)n_nodes, 100.0 * (double)k / (double)n_nodes, N_SYN,
               (unsigned long long)ne[0], fsz / 1e6);
        printf("  requested from HDF5: ranvier %.2f MB (index rows included) = %.3f%% of the "
               "file; raw %.2f MB\n",
               b[0] / 1e6, 100.0 * (double)b[0] / (double)fsz, b[1] / 1e6);
        printf("  read() from the file: ranvier %.2f MB (%.2f%%), raw union %.2f MB, raw per "
               "range %.2f MB\n",
               io[0] / 1e6, 100.0 * (double)io[0] / (double)fsz, io[1] / 1e6, io[2] / 1e6);
        print_line("ranvier edges_afferent + reads", &r[0], b[0] / 1e6);
        print_line("raw HDF5, union hyperslab", &r[1], b[0] / 1e6);
        print_line("raw HDF5, one read per range", &r[2], b[0] / 1e6);
        double braw = best(&r[1]) < best(&r[2]) ? best(&r[1]) : best(&r[2]);
        printf("  ranvier / best raw time: %.2f\n", best(&r[0]) / braw);
        print_line("(no index: whole target_node_id)", &rs, b3 / 1e6);
        printf("  (that scan reads %.1f MB through read())\n", io3 / 1e6);
        free(perm);
    }

    if (!strchr(skip, 'c')) {
        runs rr = {{0}, 0}, rw = {{0}, 0}, rrs = {{0}, 0}, rws = {{0}, 0};
        for (int it = 0; it < 2 * repeat; it++) {
            int raw = (it + it / 2) % 2;
            const char *path = raw ? rep2 : rep1;
            double t = now();
            if (raw)
                raw_report(path, frames, elements);
            else
                rv_report(path, frames, elements);
            double t1 = now();
            int fd = open(path, O_RDONLY);
            if (fd >= 0) {
                fsync(fd);
                close(fd);
            }
            double t2 = now();
            runs *r = raw ? &rw : &rr, *rs = raw ? &rws : &rrs;
            r->t[r->n++] = t1 - t;
            rs->t[rs->n++] = t2 - t;
            unlink(path);
        }
        double mb = (double)frames * (double)elements * 4 / 1e6;
        printf("(c) report %zu frames x %zu elements (%.0f MB float32, 1 element per node)\n",
               frames, elements, mb);
        print_line("ranvier report writer", &rr, mb);
        print_line("raw HDF5 slabs", &rw, mb);
        print_line("ranvier writer + fsync", &rrs, mb);
        print_line("raw HDF5 + fsync", &rws, mb);
        printf("  ranvier / raw time: %.2f (with fsync %.2f)\n", best(&rr) / best(&rw),
               best(&rrs) / best(&rws));
    }
    return 0;
}
