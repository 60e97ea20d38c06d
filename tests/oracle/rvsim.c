/* SPDX-License-Identifier: MIT
 * tests/oracle/rvsim.c -- builds and runs a model described in a small line
 * format through the engine's C API; the oracle scripts build the same
 * description in NEURON and compare.  Not a user tool.
 *
 *   dt 0.025 | secondorder 2 | celsius 6.3 | tstop 50 | vinit -65 | fast_imem 1
 *   global usetable_hh 0
 *   event_order gid|neuron        -- order of simultaneous events (default: auto)
 *   nrnmech DIR                   -- NEURON only: compile and load the .mod files in DIR
 *   mechlib PATH                  -- ranvier only (rvsim built with RV_HAVE_NMODL): load
 *                                    mechanisms compiled by ranvier from PATH (a library
 *                                    or DIR[:DIR...] of .mod files), replacing those of
 *                                    the same name; before any section
 *   cell GID                      -- following lines belong to this cell; with
 *                                    P processes, cell k (0-based, in file
 *                                    order) lives on process k % P
 *   section NAME NSEG             -- L 100 diam 500 Ra 35.4 cm 1 by default
 *   geom NAME L DIAM RA CM        -- set all segments
 *   segdiam NAME X DIAM | segcm NAME X CM | setra NAME RA
 *   pt3d NAME X Y Z D
 *   connect CHILD END PARENT X
 *   insert NAME MECH
 *   range NAME X VAR VALUE | rangeall NAME VAR VALUE
 *   pp ID MECH NAME X | art ID MECH  (ID: any token, unique)
 *   ppset ID VAR VALUE | r123 ID I1 I2 I3
 *   r123global GIX                -- the Random123 global index (Random123_globalindex)
 *   setpointer ID PTR NAME X VAR  -- POINTER PTR of ID at VAR of NAME(X)
 *   vecplay ID T1 T2 ...          -- ID.play(Vector(T1, T2 ...)) (VecStim), done
 *                                    after the last line, before finitialize
 *   varplay ID VAR CONT T1,T2,.. Y1,Y2,..      -- Vector.play(&ID.VAR, tvec, CONT)
 *   rangeplay NAME X VAR CONT T1,.. Y1,..      -- Vector.play(&NAME(X).VAR, tvec, CONT)
 *   gidsec GID NAME X THRESH | gidpp GID ID
 *   xsource SGID NAME X           -- voltage transfer source: v of NAME(X) as SGID
 *   xtarget SGID ID VAR           -- POINTER (or variable) VAR of ID gets SGID's value
 *   netcon SRCGID TARGETID DELAY WEIGHT [W1 W2 ...]  -- extra weights: weight[1] ...
 *   ppcall ID FN ARG...           -- ID.FN(ARG...) (rv_pp_call), done after the
 *                                    vecplays in file order; ARG a number or
 *                                    v:X1,X2,... (a Vector, kept alive; v: empty)
 *   record NAME X VAR | recordpp ID VAR
 *   probe NAME X                  -- print area(x) and ri(x) after setup
 * Output (text): "probe AREA RI" lines, then "rec K N" and N values, one per
 * line (%.17g), for each record in order, then "spikes N" and N lines
 * "t gid".
 */
#include "ranvier/engine.h"
#include "ranvier/random123.h"
#include "test_mechs.h"
#ifdef RV_HAVE_MPI
#include "ranvier/comm_mpi.h"
#endif
#ifdef RV_HAVE_NMODL
#include "ranvier/nmodl.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;
    int val;
} ent;
typedef struct {
    ent *e;
    size_t cap, n;
} map;

static size_t fnv(const char *s) {
    size_t h = 1469598103934665603ULL;
    for (; *s; ++s) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}
static int map_get(map *m, const char *k) {
    if (!m->cap) return -1;
    for (size_t i = fnv(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->e[i].key) return -1;
        if (strcmp(m->e[i].key, k) == 0) return m->e[i].val;
    }
}
static void map_put(map *m, const char *k, int v) {
    if ((m->n + 1) * 2 > m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 1024;
        ent *ne = calloc(nc, sizeof *ne);
        for (size_t i = 0; i < m->cap; ++i)
            if (m->e[i].key) {
                size_t j = fnv(m->e[i].key) & (nc - 1);
                while (ne[j].key) j = (j + 1) & (nc - 1);
                ne[j] = m->e[i];
            }
        free(m->e);
        m->e = ne;
        m->cap = nc;
    }
    size_t i = fnv(k) & (m->cap - 1);
    while (m->e[i].key) i = (i + 1) & (m->cap - 1);
    m->e[i].key = strdup(k);
    m->e[i].val = v;
    m->n++;
}

static void map_free(map *m) {
    for (size_t i = 0; i < m->cap; ++i) free(m->e[i].key);
    free(m->e);
}

static int die(const char *file, int line, rv_error *err) {
    char buf[1200];
    fprintf(stderr, "%s:%d: %s\n", file, line, rv_error_format(err, buf, sizeof buf));
    return 1;
}

int main(int argc, char **argv) {
    int rank = 0, size = 1;
#ifdef RV_HAVE_MPI
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
#endif
    if (argc < 3) {
        fprintf(stderr, "usage: rvsim MODEL OUTPUT\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    rv_error err = {0};
    rv_model *m;
    if (rv_model_create(&m, &err) || rv_model_add_mech(m, &rv_test_mech_cadrv, &err) ||
        rv_model_add_mech(m, &rv_test_mech_carv, &err))
        return die(argv[1], 0, &err);
#ifdef RV_HAVE_MPI
    rv_comm comm;
    if (size > 1) {
        if (rv_comm_mpi(&comm, MPI_COMM_WORLD, &err) || rv_model_set_comm(m, &comm, &err))
            return die(argv[1], 0, &err);
    }
#endif
    map secs = {0}, pps = {0};
    double tstop = 0, vinit = -65;
    char line[4096];
    int lineno = 0, ncell = 0;
    int mine = 1;
    static int probe_sec[4096];
    static double probe_x[4096];
    int nprobe = 0;
    static rv_vec plays[64];
    static int play_pp[64];
    int nplay = 0;
    static struct {
        int pp, nargs;
        char fn[64];
        rv_mech_arg args[12];
    } calls[1024];
    static rv_vec callvecs[1024];
    int ncall = 0, ncallvec = 0;
    rv_status st = RV_OK;
#ifdef RV_HAVE_NMODL
    rv_nmodl_lib *libs[16];
    int nlibs = 0;
#endif
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *tok[16];
        int nt = 0;
        for (char *p = strtok(line, " \t\r\n"); p && nt < 16; p = strtok(NULL, " \t\r\n"))
            tok[nt++] = p;
        if (nt == 0 || tok[0][0] == '#') continue;
        const char *c = tok[0];
#define NEED(k)                                                                                    \
    if (nt < (k)) {                                                                                \
        fprintf(stderr, "%s:%d: %s needs %d fields\n", argv[1], lineno, c, (k));                   \
        return 2;                                                                                  \
    }
#define D(k)   atof(tok[k])
#define SEC(k) map_get(&secs, tok[k])
#define PP(k)  map_get(&pps, tok[k])
        if (strcmp(c, "cell") == 0) {
            mine = (ncell++ % size) == rank;
            continue;
        }
        if (strcmp(c, "dt") == 0) {
            NEED(2) st = rv_model_set_dt(m, D(1), &err);
        } else if (strcmp(c, "secondorder") == 0) {
            NEED(2) st = rv_model_set_secondorder(m, atoi(tok[1]), &err);
        } else if (strcmp(c, "celsius") == 0) {
            NEED(2) st = rv_model_set_celsius(m, D(1), &err);
        } else if (strcmp(c, "tstop") == 0) {
            NEED(2) tstop = D(1);
        } else if (strcmp(c, "vinit") == 0) {
            NEED(2) vinit = D(1);
        } else if (strcmp(c, "fast_imem") == 0) {
            NEED(2) st = rv_model_set_fast_imem(m, atoi(tok[1]), &err);
        } else if (strcmp(c, "event_order") == 0) {
            NEED(2)
            st = rv_model_set_event_order(m,
                                          strcmp(tok[1], "gid") == 0      ? RV_EVENT_ORDER_GID
                                          : strcmp(tok[1], "neuron") == 0 ? RV_EVENT_ORDER_NEURON
                                                                          : -1,
                                          &err);
        } else if (strcmp(c, "nrnmech") == 0) {
            continue; /* NEURON side only: compiled .mod twins of test_mechs.c */
        } else if (strcmp(c, "mechlib") == 0) {
#ifdef RV_HAVE_NMODL
            NEED(2) if (nlibs == 16) {
                fprintf(stderr, "%s:%d: too many mechlib lines\n", argv[1], lineno);
                return 2;
            }
            st = rv_nmodl_load(m, tok[1], RV_NMODL_REPLACE, &libs[nlibs], &err);
            if (!st) {
                fprintf(stderr, "mechlib:");
                for (int k = 0; k < rv_nmodl_lib_count(libs[nlibs]); ++k)
                    fprintf(stderr, " %s", rv_nmodl_lib_type(libs[nlibs], k)->name);
                fprintf(stderr, "\n");
                nlibs++;
            }
#else
            fprintf(stderr, "%s:%d: mechlib needs rvsim built with the NMODL compiler\n", argv[1],
                    lineno);
            return 2;
#endif
        } else if (strcmp(c, "global") == 0) {
            NEED(3) st = rv_model_set_global(m, tok[1], D(2), &err);
        } else if (!mine) {
            continue;
        } else if (strcmp(c, "section") == 0) {
            NEED(3) int s;
            st = rv_section_create(m, tok[1], atoi(tok[2]), &s, &err);
            if (!st) map_put(&secs, tok[1], s);
        } else if (strcmp(c, "geom") == 0) {
            NEED(6) int s = SEC(1);
            if (!(st = rv_section_set_L(m, s, D(2), &err)))
                if (!(st = rv_section_set_diam(m, s, D(3), &err)))
                    if (!(st = rv_section_set_Ra(m, s, D(4), &err)))
                        st = rv_section_set_cm(m, s, D(5), &err);
        } else if (strcmp(c, "setra") == 0) {
            NEED(3) st = rv_section_set_Ra(m, SEC(1), D(2), &err);
        } else if (strcmp(c, "segdiam") == 0) {
            NEED(4) st = rv_section_set_seg_diam(m, SEC(1), D(2), D(3), &err);
        } else if (strcmp(c, "segcm") == 0) {
            NEED(4) st = rv_section_set_seg_cm(m, SEC(1), D(2), D(3), &err);
        } else if (strcmp(c, "pt3d") == 0) {
            NEED(6) st = rv_section_pt3d_add(m, SEC(1), D(2), D(3), D(4), D(5), &err);
        } else if (strcmp(c, "connect") == 0) {
            NEED(5) st = rv_section_connect(m, SEC(1), atoi(tok[2]), SEC(3), D(4), &err);
        } else if (strcmp(c, "insert") == 0) {
            NEED(3) st = rv_section_insert(m, SEC(1), tok[2], &err);
        } else if (strcmp(c, "range") == 0) {
            NEED(5) st = rv_range_set(m, SEC(1), D(2), tok[3], D(4), &err);
        } else if (strcmp(c, "rangeall") == 0) {
            NEED(4) int s = SEC(1);
            int n = rv_section_nseg(m, s);
            for (int j = 0; j < n && !st; ++j)
                st = rv_range_set(m, s, (j + 0.5) / n, tok[2], D(3), &err);
        } else if (strcmp(c, "pp") == 0) {
            NEED(5) int p;
            st = rv_pp_create(m, tok[2], SEC(3), D(4), &p, &err);
            if (!st) map_put(&pps, tok[1], p);
        } else if (strcmp(c, "art") == 0) {
            NEED(3) int p;
            st = rv_pp_create(m, tok[2], -1, 0, &p, &err);
            if (!st) map_put(&pps, tok[1], p);
        } else if (strcmp(c, "ppset") == 0) {
            NEED(4) st = rv_pp_set(m, PP(1), tok[2], D(3), &err);
        } else if (strcmp(c, "r123") == 0) {
            NEED(5)
            st = rv_pp_set_random123(m, PP(1), (uint32_t)strtoul(tok[2], 0, 10),
                                     (uint32_t)strtoul(tok[3], 0, 10),
                                     (uint32_t)strtoul(tok[4], 0, 10), &err);
        } else if (strcmp(c, "setpointer") == 0) {
            NEED(6) st = rv_pointer_set(m, PP(1), tok[2], SEC(3), D(4), tok[5], &err);
        } else if (strcmp(c, "vecplay") == 0) {
            NEED(2) if (nplay < 64) {
                rv_vec *vv = &plays[nplay];
                play_pp[nplay++] = PP(1);
                vv->n = nt - 2;
                vv->data = malloc(sizeof(double) * (size_t)(vv->n + 1));
                for (int k = 0; k < vv->n && vv->data; ++k) vv->data[k] = D(2 + k);
            }
        } else if (strcmp(c, "varplay") == 0 || strcmp(c, "rangeplay") == 0) {
            int r = c[0] == 'r';
            NEED(6 + r) double tv[256], yv[256];
            size_t n = 0, ny = 0;
            for (char *q = tok[4 + r]; q && *q && n < 256; q = strchr(q, ','), q = q ? q + 1 : q)
                tv[n++] = atof(q);
            for (char *q = tok[5 + r]; q && *q && ny < 256; q = strchr(q, ','), q = q ? q + 1 : q)
                yv[ny++] = atof(q);
            if (ny < n) n = ny;
            if (r)
                st = rv_play_range(m, SEC(1), D(2), tok[3], tv, yv, n, atoi(tok[4]), &err);
            else
                st = rv_play_pp(m, PP(1), tok[2], tv, yv, n, atoi(tok[3]), &err);
        } else if (strcmp(c, "gidsec") == 0) {
            NEED(5) st = rv_gid_from_section(m, atoll(tok[1]), SEC(2), D(3), D(4), &err);
        } else if (strcmp(c, "xsource") == 0) {
            NEED(4) st = rv_transfer_source(m, atoll(tok[1]), SEC(2), D(3), &err);
        } else if (strcmp(c, "xtarget") == 0) {
            NEED(4) st = rv_transfer_target(m, atoll(tok[1]), PP(2), tok[3], &err);
        } else if (strcmp(c, "gidpp") == 0) {
            NEED(3) st = rv_gid_from_pp(m, atoll(tok[1]), PP(2), &err);
        } else if (strcmp(c, "netcon") == 0) {
            NEED(5) int nc;
            st = rv_netcon_create(m, atoll(tok[1]), PP(2), D(3), D(4), &nc, &err);
            for (int k = 5; k < nt && !st; ++k) st = rv_netcon_set_weight(m, nc, k - 4, D(k), &err);
        } else if (strcmp(c, "r123global") == 0) {
            NEED(2) rv_ran123_set_globalindex((uint32_t)strtoul(tok[1], 0, 10));
        } else if (strcmp(c, "ppcall") == 0) {
            NEED(3) if (ncall < 1024 && nt - 3 <= 12) {
                calls[ncall].pp = PP(1);
                snprintf(calls[ncall].fn, sizeof calls[ncall].fn, "%s", tok[2]);
                calls[ncall].nargs = nt - 3;
                for (int k = 3; k < nt; ++k) {
                    rv_mech_arg *a = &calls[ncall].args[k - 3];
                    a->num = 0.0;
                    a->obj = NULL;
                    if (strncmp(tok[k], "v:", 2) != 0) {
                        a->num = D(k);
                        continue;
                    }
                    if (ncallvec >= 1024) break;
                    rv_vec *vv = &callvecs[ncallvec++];
                    const char *q = tok[k] + 2;
                    vv->n = 0;
                    vv->data = malloc(sizeof(double) * (strlen(q) / 2 + 1));
                    while (vv->data && *q) {
                        char *end;
                        vv->data[vv->n++] = strtod(q, &end);
                        q = *end == ',' ? end + 1 : end + strlen(end);
                    }
                    a->obj = vv;
                }
                ncall++;
            }
        } else if (strcmp(c, "record") == 0) {
            NEED(4) int r;
            st = rv_record_range(m, SEC(1), D(2), tok[3], &r, &err);
        } else if (strcmp(c, "probe") == 0) {
            NEED(3) if (nprobe < 4096) {
                probe_sec[nprobe] = SEC(1);
                probe_x[nprobe++] = D(2);
            }
        } else if (strcmp(c, "recordpp") == 0) {
            NEED(3) int r;
            st = rv_record_pp(m, PP(1), tok[2], &r, &err);
        } else {
            fprintf(stderr, "%s:%d: unknown directive '%s'\n", argv[1], lineno, c);
            return 2;
        }
        if (st) return die(argv[1], lineno, &err);
    }
    fclose(f);
    for (int k = 0; k < nplay; ++k) {
        rv_mech_arg arg = {0.0, &plays[k]};
        if ((st = rv_pp_call(m, play_pp[k], "play", &arg, 1, NULL, &err)))
            return die(argv[1], 0, &err);
    }
    for (int k = 0; k < ncall; ++k)
        if ((st = rv_pp_call(m, calls[k].pp, calls[k].fn, calls[k].args, calls[k].nargs, NULL,
                             &err)))
            return die(argv[1], 0, &err);
    if ((st = rv_model_finitialize(m, vinit, &err))) return die(argv[1], 0, &err);
    if ((st = rv_model_run(m, tstop, &err))) return die(argv[1], 0, &err);
    char outname[1024];
    if (size > 1)
        snprintf(outname, sizeof outname, "%s.%d", argv[2], rank);
    else
        snprintf(outname, sizeof outname, "%s", argv[2]);
    FILE *o = fopen(outname, "w");
    if (!o) {
        perror(outname);
        return 2;
    }
    for (int k = 0; k < nprobe; ++k) {
        double area, ri;
        if (rv_section_area(m, probe_sec[k], probe_x[k], &area, &err) ||
            rv_section_ri(m, probe_sec[k], probe_x[k], &ri, &err))
            return die(argv[1], 0, &err);
        fprintf(o, "probe %.17g %.17g\n", area, ri);
    }
    for (int r = 0;; ++r) {
        size_t n;
        const double *v = rv_record_data(m, r, &n);
        if (!v && n == 0) break;
        fprintf(o, "rec %d %zu\n", r, n);
        for (size_t i = 0; i < n; ++i) fprintf(o, "%.17g\n", v[i]);
    }
    size_t ns = rv_spike_count(m);
    fprintf(o, "spikes %zu\n", ns);
    for (size_t i = 0; i < ns; ++i) {
        double t;
        int64_t g;
        rv_spike_get(m, i, &t, &g);
        fprintf(o, "%.17g %lld\n", t, (long long)g);
    }
    fclose(o);
    rv_model_destroy(m);
#ifdef RV_HAVE_NMODL
    for (int k = 0; k < nlibs; ++k) rv_nmodl_close(libs[k]);
#endif
    map_free(&secs);
    map_free(&pps);
    for (int k = 0; k < nplay; ++k) free(plays[k].data);
    for (int k = 0; k < ncallvec; ++k) free(callvecs[k].data);
#ifdef RV_HAVE_MPI
    if (size > 1) rv_comm_mpi_free(&comm);
    MPI_Finalize();
#endif
    return 0;
}
