/* SPDX-License-Identifier: MIT
 * driver/loadbal.c -- `ranvier run --lb-mode`: which cells each rank
 * instantiates (see loadbal.h for the files and the flow).
 *
 * Complexity of a cell: NEURON's LoadBalance measure (share/lib/hoc/
 * loadbal.hoc, cell_complexity / multisplit with its built-in weights, i.e.
 * without an mcomplex.dat of timings): per section 1 (its zero-area node)
 * + nseg * (1 for the capacitance + the sum over inserted density
 * mechanisms of 1 + their number of STATE variables; an ion counts 1 where
 * its reversal potential follows its concentration -- a mechanism of the
 * section writes the concentration -- else 0), plus per synapse point
 * process 1 + its STATE count.  Synapses are those neurodamus creates while
 * it balances: the population's own chemical edges (source == target), one
 * ProbAMPANMDA_EMS (syn_type_id >= 100) or ProbGABAAB_EMS per edge.
 * neurodamus weights mechanisms by timings it measures at run time
 * (mcomplex.dat), so its numbers differ from machine to machine; the
 * assignment algorithm on a given cx file is NEURON's (mymetis3).
 */
#include "loadbal.h"

#include "emodel.h"

#include "ranvier/engine.h"
#include "ranvier/hoc.h"
#include "ranvier/nmodl.h"
#include "ranvier/sonata_config.h"
#include "ranvier/sonata_output.h"
#include "ranvier/sonata_resolve.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

/* ---- MD5 (RFC 1321) of the nodes file path: the folder name ------------ */

static uint32_t lb_rotl(uint32_t x, unsigned c) {
    return (x << c) | (x >> (32u - c));
}

static void lb_md5(const char *text, unsigned char digest[16]) {
    static const unsigned char shift[4][4] = {
        {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};
    uint32_t st[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
    size_t len = strlen(text);
    size_t nblk = (len + 9 + 63) / 64;
    for (size_t b = 0; b < nblk; ++b) {
        uint32_t w[16] = {0};
        for (size_t j = 0; j < 64; ++j) {
            size_t at = b * 64 + j;
            uint32_t byte;
            if (at < len)
                byte = (unsigned char)text[at];
            else if (at == len)
                byte = 0x80u;
            else if (at >= nblk * 64 - 8)
                byte = (uint32_t)(((uint64_t)len << 3) >> (8 * (at - (nblk * 64 - 8)))) & 0xffu;
            else
                byte = 0;
            w[j / 4] |= byte << (8 * (j % 4));
        }
        uint32_t a = st[0], bb = st[1], c = st[2], d = st[3];
        for (unsigned i = 0; i < 64; ++i) {
            uint32_t f;
            unsigned g, round = i / 16;
            if (round == 0)
                f = (bb & c) | (~bb & d), g = i;
            else if (round == 1)
                f = (d & bb) | (~d & c), g = (5 * i + 1) % 16;
            else if (round == 2)
                f = bb ^ c ^ d, g = (3 * i + 5) % 16;
            else
                f = c ^ (bb | ~d), g = (7 * i) % 16;
            uint32_t k = (uint32_t)(fabs(sin((double)i + 1.0)) * 4294967296.0);
            uint32_t t = d;
            d = c;
            c = bb;
            bb = bb + lb_rotl(a + f + k + w[g], shift[round][i % 4]);
            a = t;
        }
        st[0] += a, st[1] += bb, st[2] += c, st[3] += d;
    }
    for (int i = 0; i < 16; ++i) digest[i] = (unsigned char)(st[i / 4] >> (8 * (i % 4)));
}

/* ---- sorted ids ------------------------------------------------------- */

static size_t lower_bound(const uint64_t *a, size_t n, uint64_t v) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int in_sorted(const uint64_t *a, size_t n, uint64_t v) {
    size_t k = lower_bound(a, n, v);
    return k < n && a[k] == v;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_size(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- cx files ------------------------------------------------------------ */

void rv__lb_cx_free(rv__lb_cx *x) {
    rv_free(x->gid), rv_free(x->cx);
    x->gid = NULL, x->cx = NULL, x->n = 0;
}

static rv_status cx_push(rv__lb_cx *x, size_t *cap, uint64_t gid, double cx, rv_error *err) {
    if (x->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        uint64_t *g = rv_realloc(x->gid, nc * sizeof *g);
        if (!g) return RV_FAIL(err, RV_ENOMEM, "out of memory");
        x->gid = g;
        double *c = rv_realloc(x->cx, nc * sizeof *c);
        if (!c) return RV_FAIL(err, RV_ENOMEM, "out of memory");
        x->cx = c;
        *cap = nc;
    }
    x->gid[x->n] = gid, x->cx[x->n] = cx, x->n++;
    return RV_OK;
}

/* the whitespace-separated numbers of a line; *n of at most max */
static int line_numbers(const char *s, double *v, int max) {
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
        if (!*s) return n;
        if (n == max) return -1;
        char *e;
        errno = 0;
        v[n] = strtod(s, &e);
        if (e == s || errno || !isfinite(v[n])) return -1;
        s = e, n++;
    }
}

static int is_count(double v) {
    return v >= 0 && v <= 1e12 && v == floor(v);
}

static rv_status bad_line(rv_error *err, const char *path, int line, const char *what) {
    RV_FAIL(err, RV_EFORMAT, "not a neurodamus load-balance file: %s (delete it to rebuild it)",
            what);
    rv_error_where(err, path, line, NULL);
    return RV_EFORMAT;
}

rv_status rv__lb_cx_read(const char *path, rv__lb_cx *out, rv_error *err) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        RV_FAIL(err, RV_ENOENT, "cannot read: %s", strerror(errno));
        rv_error_where(err, path, 0, NULL);
        return RV_ENOENT;
    }
    char buf[4096];
    double v[4];
    int line = 0;
    size_t cap = 0;
    rv_status st = RV_OK;
    /* two header lines ("1", the cell count), skipped by neurodamus's reader */
    for (int h = 0; h < 2 && !st; ++h) {
        line++;
        if (!fgets(buf, sizeof buf, f) || line_numbers(buf, v, 1) != 1 || !is_count(v[0]))
            st = bad_line(err, path, line, "expected an integer header line");
    }
    while (!st && fgets(buf, sizeof buf, f)) {
        line++;
        int k = line_numbers(buf, v, 3);
        if (k == 0) continue;
        if (k != 3 || !is_count(v[0]) || !is_count(v[2]) || v[1] < 0) {
            st = bad_line(err, path, line, "expected 'gid complexity npieces'");
            break;
        }
        if ((st = cx_push(out, &cap, (uint64_t)v[0], v[1], err))) break;
        /* MultiSplit pieces: "nsubtree" then per subtree "cx nchild" and the
         * children line (absent when nchild is 0) */
        for (double p = 0; p < v[2] && !st; ++p) {
            double w[2];
            line++;
            if (!fgets(buf, sizeof buf, f) || line_numbers(buf, w, 1) != 1 || !is_count(w[0])) {
                st = bad_line(err, path, line, "expected a subtree count");
                break;
            }
            for (double s = 0; s < w[0] && !st; ++s) {
                double u[2];
                line++;
                if (!fgets(buf, sizeof buf, f) || line_numbers(buf, u, 2) != 2 || !is_count(u[1])) {
                    st = bad_line(err, path, line, "expected 'complexity nchildren'");
                    break;
                }
                if (u[1] > 0) {
                    line++;
                    if (!fgets(buf, sizeof buf, f)) st = bad_line(err, path, line, "truncated");
                }
            }
        }
    }
    if (!st && ferror(f)) st = bad_line(err, path, line, "read error");
    fclose(f);
    if (st) rv__lb_cx_free(out);
    return st;
}

/* write to path.tmp, then rename */
static FILE *open_tmp(const char *path, char *tmp, size_t n, rv_error *err) {
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        RV_FAIL(err, RV_EIO, "cannot write: %s", strerror(errno));
        rv_error_where(err, tmp, 0, NULL);
    }
    return f;
}

static rv_status close_tmp(FILE *f, const char *tmp, const char *path, rv_error *err) {
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        RV_FAIL(err, RV_EIO, "cannot write: %s", strerror(errno));
        rv_error_where(err, path, 0, NULL);
        return RV_EIO;
    }
    return RV_OK;
}

rv_status rv__lb_cx_write(const char *path, const rv__lb_cx *x, rv_error *err) {
    char tmp[1200];
    FILE *f = open_tmp(path, tmp, sizeof tmp, err);
    if (!f) return RV_EIO;
    fprintf(f, "1\n%zu\n", x->n);
    for (size_t i = 0; i < x->n; ++i)
        fprintf(f, "%llu %g 0\n", (unsigned long long)x->gid[i], x->cx[i]);
    return close_tmp(f, tmp, path, err);
}

/* ---- assignment (binfo.hoc) ----------------------------------------------- */

static const double *g_lpt_w;
static int lpt_cmp(const void *a, const void *b) { /* ascending weight, then index */
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (g_lpt_w[i] < g_lpt_w[j]) return -1;
    if (g_lpt_w[i] > g_lpt_w[j]) return 1;
    return i < j ? -1 : i > j;
}

/* Least processing time: weights by decreasing size (NEURON's
 * sortindex.reverse, ties by decreasing index), each to the first least
 * loaded host. */
rv_status rv__lb_lpt(const rv__lb_cx *x, int nhost, int *host, rv_error *err) {
    if (nhost < 1) return RV_FAIL(err, RV_EINVAL, "load balance over %d ranks", nhost);
    size_t *ord = rv_malloc(sizeof *ord * (x->n ? x->n : 1));
    double *pw = rv_calloc((size_t)nhost, sizeof *pw);
    if (!ord || !pw) {
        rv_free(ord), rv_free(pw);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < x->n; ++i) ord[i] = i;
    g_lpt_w = x->cx;
    qsort(ord, x->n, sizeof *ord, lpt_cmp);
    for (size_t q = x->n; q-- > 0;) {
        size_t j = ord[q];
        int ip = 0;
        for (int h = 1; h < nhost; ++h)
            if (pw[h] < pw[ip]) ip = h;
        pw[ip] += x->cx[j];
        host[j] = ip;
    }
    rv_free(ord), rv_free(pw);
    return RV_OK;
}

static long long msgid_of(const rv__lb_cx *x) {
    uint64_t mg = 0;
    for (size_t i = 0; i < x->n; ++i)
        if (x->gid[i] > mg) mg = x->gid[i];
    long long msgid = 10;
    while ((uint64_t)msgid <= mg && msgid < (1LL << 60)) msgid *= 10;
    return msgid < 10000000 ? 10000000 : msgid;
}

rv_status rv__lb_assign_write(const char *path, const rv__lb_cx *x, const int *host, int nhost,
                              rv_error *err) {
    char tmp[1200];
    FILE *f = open_tmp(path, tmp, sizeof tmp, err);
    if (!f) return RV_EIO;
    fprintf(f, "msgid %lld\nnhost %d\n", msgid_of(x), nhost);
    for (int h = 0; h < nhost; ++h) {
        size_t cnt = 0;
        for (size_t i = 0; i < x->n; ++i) cnt += host[i] == h;
        fprintf(f, "%d %zu", h, cnt);
        for (size_t i = 0; i < x->n; ++i)
            if (host[i] == h) fprintf(f, "  %zu %llu 0", i, (unsigned long long)x->gid[i]);
        fprintf(f, "\n");
    }
    return close_tmp(f, tmp, path, err);
}

rv_status rv__lb_assign_read(const char *path, const rv__lb_cx *x, int nhost, int *host,
                             rv_error *err) {
    FILE *f = fopen(path, "r");
    if (!f) {
        RV_FAIL(err, RV_ENOENT, "cannot read: %s", strerror(errno));
        rv_error_where(err, path, 0, NULL);
        return RV_ENOENT;
    }
    for (size_t i = 0; i < x->n; ++i) host[i] = -1;
    rv_status st = RV_OK;
    int line = 0;
    long long v;
    char word[32];
    if (fscanf(f, "%31s %lld", word, &v) != 2 || strcmp(word, "msgid") != 0)
        st = bad_line(err, path, 1, "expected 'msgid N'");
    line = 2;
    if (!st && (fscanf(f, "%31s %lld", word, &v) != 2 || strcmp(word, "nhost") != 0))
        st = bad_line(err, path, 2, "expected 'nhost N'");
    if (!st && v != nhost) {
        RV_FAIL(err, RV_EFORMAT, "written for %lld ranks, not %d", v, nhost);
        rv_error_where(err, path, 2, "nhost");
        st = RV_EFORMAT;
    }
    for (int h = 0; h < nhost && !st; ++h) {
        long long id, cnt;
        line++;
        if (fscanf(f, "%lld %lld", &id, &cnt) != 2 || id != h || cnt < 0) {
            st = bad_line(err, path, line, "expected 'rank count' for the next rank");
            break;
        }
        for (long long k = 0; k < cnt && !st; ++k) {
            long long item, gid, piece;
            if (fscanf(f, "%lld %lld %lld", &item, &gid, &piece) != 3) {
                st = bad_line(err, path, line, "expected 'index gid piece' triples");
                break;
            }
            if (item < 0 || (size_t)item >= x->n || (uint64_t)gid != x->gid[item] ||
                host[item] >= 0) {
                RV_FAIL(err, RV_EFORMAT,
                        "cell index %lld gid %lld does not match the complexity file (stale "
                        "assignment)",
                        item, gid);
                rv_error_where(err, path, line, NULL);
                st = RV_EFORMAT;
                break;
            }
            if (piece != 0) {
                RV_FAIL(err, RV_EUNSUPPORTED,
                        "piece %lld of gid %lld: a MultiSplit assignment (ranvier places whole "
                        "cells: delete the file or use a WholeCell one)",
                        piece, gid);
                rv_error_where(err, path, line, NULL);
                st = RV_EUNSUPPORTED;
                break;
            }
            host[item] = h;
        }
    }
    for (size_t i = 0; i < x->n && !st; ++i)
        if (host[i] < 0) {
            RV_FAIL(err, RV_EFORMAT, "gid %llu of the complexity file is on no rank",
                    (unsigned long long)x->gid[i]);
            rv_error_where(err, path, 0, NULL);
            st = RV_EFORMAT;
        }
    fclose(f);
    return st;
}

/* ---- measuring cells in a scratch model ----------------------------------- */

typedef struct lbmech {
    const char *name;
    int weight;
} lbmech;

static int n_states(const rv_mech_type *t) {
    int n = 0;
    for (int i = 0; t && i < t->n_vars; ++i) n += t->vars[i].role == RV_VAR_STATE;
    return n;
}

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int bad;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void sb_add(sbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || b->bad) {
        b->bad = 1;
        return;
    }
    if (b->n + (size_t)k + 1 > b->cap) {
        size_t nc = (b->n + (size_t)k + 1) * 2;
        char *t = rv_realloc(b->s, nc);
        if (!t) {
            b->bad = 1;
            return;
        }
        b->s = t, b->cap = nc;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* The hoc statement summing the section complexities of rv__lbc.all into
 * rv__lbx, from the density mechanisms loaded in m. */
static rv_status cx_statement(rv_model *m, struct rv_nmodl_lib *const *libs, int n_libs, sbuf *b,
                              rv_error *err) {
    const char *names[512];
    int n = 0;
    static const char *const builtin[] = {"pas", "hh", NULL};
    for (int i = 0; builtin[i]; ++i) names[n++] = builtin[i];
    for (int i = 0; i < n_libs; ++i)
        for (int k = 0; k < rv_nmodl_lib_count(libs[i]) && n < 512; ++k) {
            const char *nm = rv_nmodl_lib_type(libs[i], k)->name;
            int dup = 0;
            for (int j = 0; j < n && !dup; ++j) dup = strcmp(names[j], nm) == 0;
            if (!dup) names[n++] = nm;
        }
    sb_add(b, "rv__lbx = 0\nforsec rv__lbc.all { rv__lbx += 1 + nseg*(1");
    /* ions used by the loaded mechanisms */
    const char *ions[64];
    int n_ions = 0;
    for (int i = 0; i < n; ++i) {
        const rv_mech_type *t = rv_model_mech_type(m, names[i]);
        if (!t || t->kind != RV_MECH_DENSITY) continue;
        sb_add(b, " + %d*ismembrane(\"%s\")", 1 + n_states(t), names[i]);
        for (int u = 0; u < t->n_ions; ++u) {
            int dup = 0;
            for (int j = 0; j < n_ions && !dup; ++j) dup = strcmp(ions[j], t->ions[u].ion) == 0;
            if (!dup && n_ions < 64) ions[n_ions++] = t->ions[u].ion;
        }
    }
    /* an ion counts 1 where a mechanism of the section writes its
     * concentration (NEURON's eadvance ion style), else 0 */
    for (int j = 0; j < n_ions; ++j) {
        int any = 0;
        for (int i = 0; i < n; ++i) {
            const rv_mech_type *t = rv_model_mech_type(m, names[i]);
            if (!t || t->kind != RV_MECH_DENSITY) continue;
            for (int u = 0; u < t->n_ions; ++u)
                if (strcmp(t->ions[u].ion, ions[j]) == 0 &&
                    (t->ions[u].flags & (RV_ION_WRITE_I | RV_ION_WRITE_O))) {
                    sb_add(b, "%sismembrane(\"%s\")", any ? " + " : " + (", names[i]);
                    any = 1;
                }
        }
        if (any) sb_add(b, " > 0)");
    }
    sb_add(b, ") }\n");
    if (b->bad) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    return RV_OK;
}

/* per target index k: synapses from the population's own chemical edges,
 * weighted by the synapse mechanism */
static rv_status synapse_cx(rv__drv_ctx *c, const rv__lb_pop *p, rv_model *m, const size_t *ks,
                            size_t nk, double *cx, rv_error *err) {
    const rv_sonata_circuit_config *circ = c->cfg->circuit;
    const rv_mech_type *ampa = rv_model_mech_type(m, "ProbAMPANMDA_EMS");
    const rv_mech_type *gaba = rv_model_mech_type(m, "ProbGABAAB_EMS");
    double w_exc = ampa ? 1 + n_states(ampa) : 0, w_inh = gaba ? 1 + n_states(gaba) : 0;
    uint64_t *ids = rv_malloc(sizeof *ids * (nk ? nk : 1));
    if (!ids) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (size_t q = 0; q < nk; ++q) ids[q] = p->target[ks[q]];
    rv_status st = RV_OK;
    for (size_t fi = 0; fi < circ->n_edge_files && !st && nk; ++fi) {
        const rv_sonata_cfg_network_file *ef = &circ->edge_files[fi];
        rv_sonata_file *f = NULL;
        if ((st = rv_sonata_edges_open(ef->elements_path, ef->types_path, &f, err))) break;
        for (size_t e = 0; e < rv_sonata_file_population_count(f) && !st; ++e) {
            const char *name = rv_sonata_file_population_name(f, e);
            const rv_sonata_cfg_population *ec = NULL;
            for (size_t j = 0; j < circ->n_edge_populations; ++j)
                if (circ->edge_populations[j].file_index == fi &&
                    strcmp(circ->edge_populations[j].name, name) == 0)
                    ec = &circ->edge_populations[j];
            if (ec && ec->type && strcmp(ec->type, "chemical") != 0) continue;
            rv_sonata_pop *ep = NULL;
            if ((st = rv_sonata_pop_open(f, name, &ep, err))) break;
            const char *sp = rv_sonata_edges_source_population(ep);
            const char *tp = rv_sonata_edges_target_population(ep);
            if (!sp || !tp || strcmp(sp, p->name) || strcmp(tp, p->name)) {
                rv_sonata_pop_close(ep);
                continue;
            }
            rv_sonata_sel sel = {NULL, 0};
            st = rv_sonata_edges_select(ep, RV_SONATA_AFFERENT, ids, nk, RV_SONATA_SCAN_IF_NO_INDEX,
                                        &sel, err);
            uint64_t ne = st ? 0 : rv_sonata_sel_count(&sel);
            uint64_t *trg = rv_malloc(sizeof *trg * (ne ? ne : 1));
            int64_t *typ = rv_malloc(sizeof *typ * (ne ? ne : 1));
            if (!st && (!trg || !typ)) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            if (!st && ne) st = rv_sonata_edges_read_target_ids(ep, &sel, trg, err);
            int has_type = rv_sonata_pop_attr_find(ep, "syn_type_id") >= 0;
            if (!st && ne && has_type)
                st = rv_sonata_pop_read_i64(ep, "syn_type_id", &sel, typ, err);
            for (uint64_t i = 0; i < ne && !st; ++i) {
                size_t lo = lower_bound(ids, nk, trg[i]); /* ids ascending */
                if (lo < nk && ids[lo] == trg[i])
                    cx[lo] += !has_type || typ[i] >= 100 ? w_exc : w_inh;
            }
            rv_free(trg), rv_free(typ);
            rv_sonata_sel_free(&sel);
            rv_sonata_pop_close(ep);
        }
        rv_sonata_file_close(f);
    }
    rv_free(ids);
    return st;
}

static void hoc_silent(void *ud, const char *text, size_t n) {
    (void)ud, (void)text, (void)n;
}

/* The complexity of target cells ks[0..nk) (ascending), instantiated one
 * after another in a scratch model as bbp.c instantiates them. */
static rv_status measure(rv__drv_ctx *c, const rv__lb_pop *p, const size_t *ks, size_t nk,
                         double *cx, rv_error *err) {
    rv_model *m = NULL;
    rv_hoc *h = NULL;
    char **tpl = NULL, **morph = NULL;
    sbuf stmt = {0};
    rv_status st = rv_model_create(&m, err);
    for (int i = 0; i < p->n_libs && !st; ++i)
        st = rv_nmodl_register(p->libs[i], m, RV_NMODL_REPLACE, err);
    if (!st) st = rv_hoc_create(m, &h, err);
    if (!st) {
        rv_hoc_set_echo(h, 0);
        rv_hoc_set_output(h, hoc_silent, NULL);
    }
    for (int i = 0; i < p->n_libs && !st; ++i)
        for (int k = 0; k < rv_nmodl_lib_count(p->libs[i]) && !st; ++k)
            st = rv_hoc_declare_mechanism(h, rv_nmodl_lib_type(p->libs[i], k)->name, err);
    if (!st) st = cx_statement(m, p->libs, p->n_libs, &stmt, err);
    rv_sonata_range all = {0, rv_sonata_pop_size(p->pop)};
    rv_sonata_sel sel = {&all, 1};
    if (!st) st = rv_sonata_nodes_read_models(p->pop, &sel, NULL, &tpl, err);
    if (!st) st = rv_sonata_pop_read_str(p->pop, "morphology", &sel, &morph, err);
    if (!st) st = rv_hoc_exec(h, "objref rv__lbc\n", "load balance", err);
    for (size_t q = 0; q < nk && !st; ++q) {
        uint64_t r = p->target[ks[q]];
        st = rv__emodel_new(h, p->cfg, p->pop, p->name, r, tpl[r], morph[r], "rv__lbc", NULL, err);
        if (!st) st = rv_hoc_exec(h, stmt.s, "load balance", err);
        if (!st) st = rv_hoc_get_number(h, "rv__lbx", &cx[q], err);
    }
    if (!st) st = synapse_cx(c, p, m, ks, nk, cx, err);
    rv_free(tpl), rv_free(morph), rv_free(stmt.s);
    rv_hoc_destroy(h);
    rv_model_destroy(m);
    return st;
}

/* ---- the flow ------------------------------------------------------------ */

static rv_status agree(rv__drv_ctx *c, rv_status st, rv_error *err) {
    if (!c->have_comm) return st;
    rv_sonata_comm s;
    memset(&s, 0, sizeof s);
    s.rank = c->comm.rank, s.size = c->comm.size, s.ud = c->comm.ud;
    s.allgather_int = c->comm.allgather_int;
    s.allgatherv_bytes = c->comm.allgatherv_bytes;
    return rv_sonata_comm_agree(&s, st, err);
}

/* rank 0's value on every rank */
static rv_status bcast_int(rv__drv_ctx *c, int *v, rv_error *err) {
    if (!c->have_comm || c->size < 2) return RV_OK;
    int *all = rv_malloc(sizeof *all * (size_t)c->size);
    if (!all) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    int rc = c->comm.allgather_int(c->comm.ud, *v, all);
    if (!rc) *v = all[0];
    rv_free(all);
    return rc ? RV_FAIL(err, RV_EIO, "MPI allgather failed") : RV_OK;
}

static void lb_log(rv__drv_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void lb_log(rv__drv_ctx *c, const char *fmt, ...) {
    if (c->rank != 0) return;
    char line[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (c->o->log) c->o->log(c->o->log_ud, line);
    if (c->o->verbose) fprintf(stderr, "ranvier run: %s\n", line);
}

/* max/mean of the per-rank complexity sums */
static double imbalance(const rv__lb_cx *x, const int *host, int nhost) {
    double *s = rv_calloc((size_t)nhost, sizeof *s), tot = 0, mx = 0;
    if (!s) return 0;
    for (size_t i = 0; i < x->n; ++i) s[host[i]] += x->cx[i], tot += x->cx[i];
    for (int h = 0; h < nhost; ++h) mx = s[h] > mx ? s[h] : mx;
    rv_free(s);
    return tot > 0 ? mx * nhost / tot : 1;
}

static const uint64_t *g_ord_gid;
static int ord_cmp(const void *a, const void *b) { /* by gid, then file order */
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (g_ord_gid[i] != g_ord_gid[j]) return g_ord_gid[i] < g_ord_gid[j] ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* neurodamus's _reuse_cell_complexity: a cx file of another target of the
 * folder holding every cell of this one gives this target's file (cells in
 * ascending order) without measuring.  x->n stays 0 when there is none. */
static rv_status reuse_other(rv__drv_ctx *c, const rv__lb_pop *p, const char *dir, const char *cxf,
                             rv__lb_cx *x, rv_error *err) {
    DIR *dd = opendir(dir);
    if (!dd) return RV_OK;
    rv_status st = RV_OK;
    const struct dirent *de;
    char **names = NULL;
    size_t nn = 0, cap = 0;
    while ((de = readdir(dd)) && !st) {
        size_t l = strlen(de->d_name);
        if (strncmp(de->d_name, "cx_", 3) != 0 || l < 6 || strcmp(de->d_name + l - 5, "#.dat"))
            continue;
        if (rv_grow((void **)&names, &cap, nn + 1, sizeof *names) ||
            !(names[nn] = rv_strdup(de->d_name)))
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        else
            nn++;
    }
    closedir(dd);
    /* in name order: the same choice everywhere */
    for (size_t i = 1; i < nn; ++i)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; --j) {
            char *t = names[j];
            names[j] = names[j - 1], names[j - 1] = t;
        }
    for (size_t i = 0; i < nn && !st && !x->n; ++i) {
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        rv__lb_cx o;
        rv_error e2;
        if (rv__lb_cx_read(path, &o, &e2)) continue; /* not usable */
        double *cx = rv_malloc(sizeof *cx * (p->n_target ? p->n_target : 1));
        size_t *ord = rv_malloc(sizeof *ord * (o.n ? o.n : 1)), found = 0;
        if (!cx || !ord) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        for (size_t j = 0; j < o.n && !st; ++j) ord[j] = j;
        if (!st) {
            g_ord_gid = o.gid;
            qsort(ord, o.n, sizeof *ord, ord_cmp);
        }
        for (size_t k = 0; k < p->n_target && !st; ++k) {
            size_t lo = 0, hi = o.n; /* first record of gid target[k] */
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (o.gid[ord[mid]] < p->target[k])
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < o.n && o.gid[ord[lo]] == p->target[k]) cx[k] = o.cx[ord[lo]], found++;
        }
        rv_free(ord);
        if (!st && found == p->n_target) {
            rv__lb_cx sub = {(uint64_t *)p->target, cx, p->n_target};
            st = rv__lb_cx_write(cxf, &sub, err);
            if (!st) st = rv__lb_cx_read(cxf, x, err);
            if (!st) lb_log(c, "load balance: the target is a subset of %s: wrote %s", path, cxf);
        }
        rv_free(cx);
        rv__lb_cx_free(&o);
    }
    for (size_t i = 0; i < nn; ++i) rv_free(names[i]);
    rv_free(names);
    return st;
}

/* rank 0: the measured complexities of all ranks' round-robin shares, in
 * neurodamus's file order (rank 0's cells, then rank 1's ...) */
static rv_status gather_cx(rv__drv_ctx *c, const rv__lb_pop *p, const double *mine, size_t nmine,
                           rv__lb_cx *out, rv_error *err) {
    int size = c->have_comm ? c->size : 1;
    double *all = rv_malloc(sizeof *all * (p->n_target ? p->n_target : 1));
    int *counts = rv_malloc(sizeof *counts * (size_t)size);
    int *displs = rv_malloc(sizeof *displs * (size_t)size);
    rv_status st = RV_OK;
    if (!all || !counts || !displs) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (!st && p->n_target * sizeof(double) > 0x7fffffff)
        st = RV_FAIL(err, RV_ERANGE, "too many cells to balance");
    size_t off = 0;
    for (int r = 0; r < size && !st; ++r) {
        size_t nr = p->n_target > (size_t)r
                        ? (p->n_target - (size_t)r + (size_t)size - 1) / (size_t)size
                        : 0;
        counts[r] = (int)(nr * sizeof(double));
        displs[r] = (int)(off * sizeof(double));
        off += nr;
    }
    if (!st && size > 1) {
        if (c->comm.allgatherv_bytes(c->comm.ud, mine, (int)(nmine * sizeof(double)), all, counts,
                                     displs))
            st = RV_FAIL(err, RV_EIO, "MPI allgatherv failed");
    } else if (!st) {
        memcpy(all, mine, nmine * sizeof(double));
    }
    if (!st) {
        memset(out, 0, sizeof *out);
        out->gid = rv_malloc(sizeof *out->gid * (p->n_target ? p->n_target : 1));
        out->cx = rv_malloc(sizeof *out->cx * (p->n_target ? p->n_target : 1));
        if (!out->gid || !out->cx) {
            rv__lb_cx_free(out);
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        }
        size_t q = 0;
        for (int r = 0; r < size && !st; ++r)
            for (size_t k = (size_t)r; k < p->n_target; k += (size_t)size, ++q)
                out->gid[q] = p->target[k], out->cx[q] = all[q];
        out->n = q;
    }
    rv_free(all), rv_free(counts), rv_free(displs);
    return st;
}

static rv_status round_robin(rv__drv_ctx *c, const rv__lb_pop *p, size_t **ks, size_t *n,
                             rv_error *err) {
    size_t rank = c->have_comm ? (size_t)c->rank : 0, size = c->have_comm ? (size_t)c->size : 1;
    size_t cnt = p->n_target > rank ? (p->n_target - rank + size - 1) / size : 0;
    *ks = rv_malloc(sizeof **ks * (cnt ? cnt : 1));
    if (!*ks) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    *n = 0;
    for (size_t k = rank; k < p->n_target; k += size) (*ks)[(*n)++] = k;
    return RV_OK;
}

rv_status rv__lb_local_cells(rv__drv_ctx *c, const rv__lb_pop *p, size_t **ks, size_t *n,
                             rv_error *err) {
    *ks = NULL, *n = 0;
    if (c->o->lb_mode != RV_DRV_LB_WHOLECELL || !p->first) return round_robin(c, p, ks, n, err);
    int size = c->have_comm ? c->size : 1, rank = c->have_comm ? c->rank : 0;
    /* the folder and the files */
    unsigned char dg[16];
    lb_md5(p->cfg && p->cfg->elements_path ? p->cfg->elements_path : "", dg);
    char hex[11];
    for (int i = 0; i < 5; ++i) snprintf(hex + 2 * i, 3, "%02x", dg[i]);
    const char *ns = c->cfg->simulation ? c->cfg->simulation->node_set : NULL;
    char dir[600], cxf[1100], asf[1100];
    snprintf(dir, sizeof dir, "sim_conf/_loadbal_%s.%s", hex, p->name);
    snprintf(cxf, sizeof cxf, "%s/cx_%s_%s#.dat", dir, p->name, ns ? ns : "");
    snprintf(asf, sizeof asf, "%s/cx_%s_%s#.%d.dat", dir, p->name, ns ? ns : "", size);
    rv__lb_cx x = {0};
    int *host = NULL;
    rv_status st = RV_OK;
    /* rank 0: is there a cx file holding every target cell? */
    int need = 0;
    if (rank == 0) {
        st = rv__drv_mkdir_p(dir, err);
        struct stat sb;
        if (!st && stat(cxf, &sb) != 0) {
            need = ns ? 1 : 2; /* 1: try the cx files of other targets first */
            if (need == 1 && !(st = reuse_other(c, p, dir, cxf, &x, err)) && x.n)
                need = 0;
            else if (!st)
                lb_log(c, "load balance: no complexity file %s: measuring the cells", cxf);
        } else if (!st && !(st = rv__lb_cx_read(cxf, &x, err))) {
            /* valid when it holds exactly the target's cells */
            uint64_t *sorted = rv_malloc(sizeof *sorted * (x.n ? x.n : 1));
            if (!sorted) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            for (size_t i = 0; i < x.n && !st; ++i) sorted[i] = x.gid[i];
            if (!st) qsort(sorted, x.n, sizeof *sorted, cmp_u64);
            size_t missing = 0, extra = 0;
            for (size_t k = 0; k < p->n_target && !st; ++k)
                missing += !in_sorted(sorted, x.n, p->target[k]);
            for (size_t i = 0; i < x.n && !st; ++i)
                extra += (i && sorted[i] == sorted[i - 1]) ||
                         !in_sorted(p->target, p->n_target, sorted[i]);
            rv_free(sorted);
            if (!st && (missing || extra)) {
                need = 1;
                lb_log(c,
                       "load balance: %s is stale (%zu cell%s of the target missing, %zu "
                       "other or repeated): measuring the cells again",
                       cxf, missing, missing == 1 ? "" : "s", extra);
                rv__lb_cx_free(&x);
            }
        }
    }
    st = agree(c, st, err);
    if (!st) st = agree(c, bcast_int(c, &need, err), err);
    if (!st && need) {
        /* every rank measures its round-robin share */
        size_t *rr = NULL, nrr = 0;
        double *cx = NULL;
        st = round_robin(c, p, &rr, &nrr, err);
        if (!st) {
            cx = rv_calloc(nrr ? nrr : 1, sizeof *cx);
            if (!cx) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        }
        if (!st) st = measure(c, p, rr, nrr, cx, err);
        st = agree(c, st, err);
        rv__lb_cx all = {0};
        if (!st) st = agree(c, gather_cx(c, p, cx, nrr, &all, err), err);
        rv_free(rr), rv_free(cx);
        if (!st && rank == 0) {
            st = rv__lb_cx_write(cxf, &all, err);
            if (!st) remove(asf);                       /* the assignment of the old file is void */
            if (!st) st = rv__lb_cx_read(cxf, &x, err); /* as written (%g) */
            if (!st) {
                double tot = 0, mx = 0;
                for (size_t i = 0; i < x.n; ++i) tot += x.cx[i], mx = x.cx[i] > mx ? x.cx[i] : mx;
                lb_log(c, "load balance: %zu cells, total complexity %g, largest %g -> %s", x.n,
                       tot, mx, cxf);
            }
        }
        rv__lb_cx_free(&all);
        st = agree(c, st, err);
    }
    /* rank 0: the assignment for this number of ranks */
    if (!st && rank == 0) {
        host = rv_malloc(sizeof *host * (x.n ? x.n : 1));
        if (!host) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        struct stat sb;
        int have = !st && stat(asf, &sb) == 0;
        if (have) {
            rv_error e2;
            rv_error_clear(&e2);
            if (rv__lb_assign_read(asf, &x, size, host, &e2)) {
                char msg[800];
                rv_error_format(&e2, msg, sizeof msg);
                lb_log(c, "load balance: %s (recomputing the assignment)", msg);
                have = 0;
            }
        }
        if (!st && !have) {
            st = rv__lb_lpt(&x, size, host, err);
            if (!st) st = rv__lb_assign_write(asf, &x, host, size, err);
        }
        if (!st) {
            /* the round-robin distribution of the same cells, for comparison */
            int *rr = rv_malloc(sizeof *rr * (x.n ? x.n : 1));
            double rr_imb = 0;
            if (rr) {
                for (size_t i = 0; i < x.n; ++i)
                    rr[i] = (int)(lower_bound(p->target, p->n_target, x.gid[i]) % (size_t)size);
                rr_imb = imbalance(&x, rr, size);
                rv_free(rr);
            }
            lb_log(c,
                   "load balance WholeCell: %zu cells on %d rank%s, complexity max/mean %.4f "
                   "(RoundRobin %.4f) <- %s",
                   x.n, size, size == 1 ? "" : "s", imbalance(&x, host, size), rr_imb, asf);
        }
    }
    st = agree(c, st, err);
    /* every rank reads its line of the assignment (as NEURON's BalanceInfo) */
    if (!st && rank != 0) {
        st = rv__lb_cx_read(cxf, &x, err);
        if (!st) {
            host = rv_malloc(sizeof *host * (x.n ? x.n : 1));
            if (!host) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        }
        if (!st) st = rv__lb_assign_read(asf, &x, size, host, err);
    }
    if (!st) {
        size_t cnt = 0;
        for (size_t i = 0; i < x.n; ++i) cnt += host[i] == rank;
        *ks = rv_malloc(sizeof **ks * (cnt ? cnt : 1));
        if (!*ks) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        for (size_t i = 0; i < x.n && !st; ++i) {
            if (host[i] != rank) continue;
            size_t k = lower_bound(p->target, p->n_target, x.gid[i]);
            if (k >= p->n_target || p->target[k] != x.gid[i]) {
                st = RV_FAIL(err, RV_EFORMAT, "gid %llu is not in the target (stale file)",
                             (unsigned long long)x.gid[i]);
                rv_error_where(err, cxf, 0, NULL);
                break;
            }
            (*ks)[(*n)++] = k;
        }
        if (!st) qsort(*ks, *n, sizeof **ks, cmp_size);
    }
    st = agree(c, st, err);
    if (st) rv_free(*ks), *ks = NULL, *n = 0;
    rv__lb_cx_free(&x);
    rv_free(host);
    return st;
}
