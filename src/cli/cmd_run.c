/* SPDX-License-Identifier: MIT
 * cli/cmd_run.c -- `ranvier run CONFIG [options]` (also `ranvier CONFIG
 * [options]`, see main.c): simulate a SONATA circuit (ranvier/driver.h),
 * print where the spikes went and keep a log in <output dir>/ranvier.log.
 * Option names follow neurodamus where it has them (--output-path,
 * --lb-mode, --dump-cell-state, --dry-run, -v/--verbose); both "--opt VALUE"
 * and "--opt=VALUE" are accepted.  Under mpiexec, pass --mpi. */
#include "ranvier/driver.h"
#include "ranvier/engine.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(FILE *f) {
    fprintf(
        f,
        "usage: ranvier run CONFIG [options]   (or: ranvier CONFIG [options])\n"
        "  CONFIG                  simulation_config.json or a BMTK config.json\n"
        "  --output-path DIR       write outputs there instead of the config's output_dir\n"
        "                          (alias --output-dir)\n"
        "  --mechanisms DIR        also load the .mod files of DIR (repeatable)\n"
        "  --lb-mode MODE          cells over the ranks: RoundRobin (default, sorted ids dealt\n"
        "                          in turn) or WholeCell (whole cells balanced by complexity,\n"
        "                          files ./sim_conf/_loadbal_*/cx_<target>#.dat as neurodamus;\n"
        "                          MultiSplit and Memory are refused)\n"
        "  --dump-cell-state GIDS  write NEURON's prcellstate files <gid>_py_Neuron_t<t>.nrndat\n"
        "                          after finitialize (t=0) and at tstop into the output folder;\n"
        "                          GIDS: final gids, e.g. 3 or 1,4-6\n"
        "  --dry-run               build the whole model, do not simulate, write nothing but\n"
        "                          the log\n"
        "  --mpi                   distribute cells over the ranks of MPI_COMM_WORLD\n"
        "  --event-order neuron|gid  order of simultaneous events: NEURON's queue order\n"
        "                          (default on one rank) or by source gid (default on more;\n"
        "                          the same on any number of ranks)\n"
        "  --record-soma PREFIX    (biophysical cells) write soma v of every cell at every\n"
        "                          step to PREFIX.<rank>, lines \"gid step v\" (for tests)\n"
        "  --save DIR              save the state (one file per rank) into DIR at tstop, or\n"
        "                          at --save-time; relative to the config's folder\n"
        "  --save-time T           save at time T (ms) and go on to tstop (needs --save)\n"
        "  --restore DIR           continue from the state saved in DIR (same circuit, config\n"
        "                          and rank count) to tstop; spikes and reports cover the\n"
        "                          time after the restored one\n"
        "  -v, --verbose           progress on stderr\n"
        "The log <output folder>/ranvier.log (rank 0) holds the command, the progress\n"
        "lines (also without -v) and the summary or the error.\n");
    return f == stdout ? 0 : 2;
}

static int ieq(const char *a, const char *b) { /* 0 when equal ignoring case */
    for (; *a && *b; ++a, ++b)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 1;
    return *a != *b;
}

/* "3", "1,4-6": final gids (neurodamus' get_debug_cell_gids: digits and
 * ranges only); sorted as given, duplicates kept out */
static int parse_gids(const char *s, int64_t **out, size_t *n) {
    *out = NULL, *n = 0;
    size_t cap = 0;
    const char *p = s;
    if (!*p) goto bad;
    for (;;) {
        while (*p == ' ') p++;
        if (!isdigit((unsigned char)*p)) goto bad;
        errno = 0;
        char *e;
        long long a = strtoll(p, &e, 10), b = a;
        if (errno || a > 0x7fffffffLL) goto bad;
        p = e;
        if (*p == '-') {
            p++;
            if (!isdigit((unsigned char)*p)) goto bad;
            b = strtoll(p, &e, 10);
            if (errno || b > 0x7fffffffLL) goto bad;
            p = e;
            if (b < a) {
                fprintf(stderr, "ranvier run: --dump-cell-state: range %lld-%lld is reversed\n", a,
                        b);
                free(*out);
                return -1;
            }
            if (b - a > 1000000) goto bad;
        }
        while (*p == ' ') p++;
        for (long long g = a; g <= b; ++g) {
            int dup = 0;
            for (size_t k = 0; k < *n && !dup; ++k) dup = (*out)[k] == g;
            if (dup) continue;
            if (*n == cap) {
                cap = cap ? 2 * cap : 16;
                int64_t *t = realloc(*out, cap * sizeof **out);
                if (!t) goto bad;
                *out = t;
            }
            (*out)[(*n)++] = g;
        }
        if (!*p) return 0;
        if (*p != ',') goto bad;
        p++;
    }
bad:
    fprintf(stderr,
            "ranvier run: --dump-cell-state takes gids and ranges such as 3 or 1,4-6, not '%s'\n",
            s);
    free(*out);
    *out = NULL;
    return -1;
}

/* ---- ranvier.log: lines are kept until the driver knows the output folder */
typedef struct runlog {
    const rv_drv_result *res;
    FILE *f;
    char **pending;
    size_t n, cap;
    int failed;
} runlog;

static void log_stamp(char *buf, size_t n) {
    time_t now = time(NULL);
    const struct tm *tm = gmtime(&now);
    if (!tm || !strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", tm)) snprintf(buf, n, "?");
}

static void log_line(void *ud, const char *line) {
    runlog *l = ud;
    if (!l->f && !l->failed && l->res->output_dir[0]) {
        char path[1200];
        snprintf(path, sizeof path, "%s/ranvier.log", l->res->output_dir);
        l->f = fopen(path, "w");
        if (!l->f) {
            fprintf(stderr, "ranvier run: warning: cannot write %s: %s\n", path, strerror(errno));
            l->failed = 1;
        }
        for (size_t i = 0; i < l->n && l->f; ++i) fprintf(l->f, "%s\n", l->pending[i]);
    }
    char stamp[40];
    log_stamp(stamp, sizeof stamp);
    if (l->f) {
        fprintf(l->f, "[%s] %s\n", stamp, line);
        fflush(l->f);
        return;
    }
    if (l->failed) return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **t = realloc(l->pending, cap * sizeof *t);
        if (!t) return;
        l->pending = t, l->cap = cap;
    }
    size_t len = strlen(stamp) + strlen(line) + 4;
    char *c = malloc(len);
    if (!c) return;
    snprintf(c, len, "[%s] %s", stamp, line);
    l->pending[l->n++] = c;
}

static void log_close(runlog *l) {
    if (l->f) fclose(l->f);
    for (size_t i = 0; i < l->n; ++i) free(l->pending[i]);
    free(l->pending);
}

static int opt_is(const char *a, const char *name, const char **inline_val) {
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '\0') {
        *inline_val = NULL;
        return 1;
    }
    if (a[n] == '=') {
        *inline_val = a + n + 1;
        return 1;
    }
    return 0;
}

int rv_cmd_run(int argc, char **argv) {
    rv_drv_options o;
    memset(&o, 0, sizeof o);
    const char *mechs[16];
    size_t n_mechs = 0;
    int64_t *gids = NULL;
    size_t n_gids = 0;
    int rc = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *val = NULL;
        /* options taking a value: --opt VALUE or --opt=VALUE */
        static const char *const with_value[] = {"--output-dir",
                                                 "--output-path",
                                                 "--mechanisms",
                                                 "--event-order",
                                                 "--record-soma",
                                                 "--lb-mode",
                                                 "--dump-cell-state",
                                                 "--save",
                                                 "--save-time",
                                                 "--restore",
                                                 NULL};
        const char *name = NULL;
        for (int k = 0; with_value[k] && !name; ++k)
            if (opt_is(a, with_value[k], &val)) name = with_value[k];
        if (name && !val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "ranvier run: %s needs a value\n", name);
                rc = usage(stderr);
                goto out;
            }
            val = argv[++i];
        }
        if (name && !*val) {
            fprintf(stderr, "ranvier run: %s needs a value (got an empty one)\n", name);
            rc = 2;
            goto out;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            rc = usage(stdout);
            goto out;
        } else if (name && (!strcmp(name, "--output-dir") || !strcmp(name, "--output-path"))) {
            o.output_dir = val;
        } else if (name && !strcmp(name, "--mechanisms")) {
            if (n_mechs == sizeof mechs / sizeof *mechs) {
                fprintf(stderr, "ranvier run: too many --mechanisms (at most %zu)\n",
                        sizeof mechs / sizeof *mechs);
                rc = 2;
                goto out;
            }
            mechs[n_mechs++] = val;
        } else if (name && !strcmp(name, "--event-order")) {
            if (strcmp(val, "neuron") == 0) {
                o.event_order = RV_EVENT_ORDER_NEURON;
            } else if (strcmp(val, "gid") == 0) {
                o.event_order = RV_EVENT_ORDER_GID;
            } else {
                fprintf(stderr, "ranvier run: --event-order takes neuron or gid, not '%s'\n", val);
                rc = 2;
                goto out;
            }
        } else if (name && !strcmp(name, "--record-soma")) {
            o.record_soma = val;
        } else if (name && !strcmp(name, "--lb-mode")) {
            /* neurodamus' names, case-insensitive as its parser */
            if (!ieq(val, "RoundRobin") || !ieq(val, "rr")) {
                o.lb_mode = RV_DRV_LB_ROUNDROBIN;
                continue;
            }
            if (!ieq(val, "WholeCell")) {
                o.lb_mode = RV_DRV_LB_WHOLECELL;
                continue;
            }
            if (!ieq(val, "MultiSplit") || !ieq(val, "LoadBalance"))
                fprintf(stderr,
                        "ranvier run: --lb-mode %s is not supported: it splits cells into "
                        "pieces on several ranks, ranvier keeps every cell whole on one rank; "
                        "use --lb-mode WholeCell (whole cells balanced by complexity) instead\n",
                        val);
            else if (!ieq(val, "Memory"))
                fprintf(stderr,
                        "ranvier run: --lb-mode Memory is not supported: it needs neurodamus' "
                        "dry-run memory files (allocation_r<N>_c<M>.pkl.gz); use --lb-mode "
                        "WholeCell (whole cells balanced by complexity) instead\n");
            else
                fprintf(stderr,
                        "ranvier run: --lb-mode takes RoundRobin or WholeCell (neurodamus' "
                        "MultiSplit and Memory are not supported), not '%s'\n",
                        val);
            rc = 2;
            goto out;
        } else if (name && !strcmp(name, "--dump-cell-state")) {
            free(gids);
            if (parse_gids(val, &gids, &n_gids)) {
                rc = 2;
                goto out;
            }
        } else if (name && !strcmp(name, "--save")) {
            o.save_dir = val;
        } else if (name && !strcmp(name, "--restore")) {
            o.restore_dir = val;
        } else if (name && !strcmp(name, "--save-time")) {
            char *e;
            errno = 0;
            double t = strtod(val, &e);
            if (errno || *e || !(t >= 0) || t > 1e300) {
                fprintf(stderr, "ranvier run: --save-time takes a time >= 0 in ms, not '%s'\n",
                        val);
                rc = 2;
                goto out;
            }
            o.save_time = t, o.has_save_time = 1;
        } else if (strcmp(a, "--dry-run") == 0) {
            o.dry_run = 1;
        } else if (strcmp(a, "--mpi") == 0) {
            o.use_mpi = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o.verbose = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "ranvier run: unknown option '%s'\n", a);
            rc = usage(stderr);
            goto out;
        } else if (!o.config) {
            o.config = a;
        } else {
            fprintf(stderr, "ranvier run: more than one CONFIG ('%s', '%s')\n", o.config, a);
            rc = usage(stderr);
            goto out;
        }
    }
    if (!o.config) {
        rc = usage(stderr);
        goto out;
    }
    o.mechanisms = mechs;
    o.n_mechanisms = n_mechs;
    o.dump_gids = gids;
    o.n_dump_gids = n_gids;
    rv_drv_result res;
    memset(&res, 0, sizeof res);
    runlog lg;
    memset(&lg, 0, sizeof lg);
    lg.res = &res;
    o.log = log_line;
    o.log_ud = &lg;
    {
        /* the first lines of the log: the command */
        char cmd[2048];
        size_t k = (size_t)snprintf(cmd, sizeof cmd, "ranvier run");
        for (int i = 1; i < argc && k < sizeof cmd; ++i)
            k += (size_t)snprintf(cmd + k, sizeof cmd - k, " %s", argv[i]);
        log_line(&lg, cmd);
    }
    rv_error err;
    rv_error_clear(&err);
    rv_status st = rv_drv_run(&o, &res, &err);
    char line[2400];
    if (st) {
        if (res.rank == 0) {
            char buf[1200];
            rv_error_format(&err, buf, sizeof buf);
            fprintf(stderr, "%s\n", buf);
            snprintf(line, sizeof line, "error: %s", buf);
            log_line(&lg, line);
        }
        rc = 1;
    } else if (res.rank == 0) {
        char what[512];
        if (res.n_synapses)
            snprintf(what, sizeof what, "%llu cells, %llu synapses (%llu netcons)",
                     (unsigned long long)res.n_cells, (unsigned long long)res.n_synapses,
                     (unsigned long long)res.n_netcons);
        else
            snprintf(what, sizeof what, "%llu cells (%llu virtual inputs, %llu netcons)",
                     (unsigned long long)res.n_cells, (unsigned long long)res.n_virtual,
                     (unsigned long long)res.n_netcons);
        if (res.dry_run)
            snprintf(line, sizeof line,
                     "dry run: %s built on %d process%s; not simulated (%g ms), nothing written",
                     what, res.size, res.size == 1 ? "" : "es", res.tstop);
        else
            snprintf(line, sizeof line, "%s on %d process%s, %g ms: %llu spikes -> %s", what,
                     res.size, res.size == 1 ? "" : "es", res.tstop,
                     (unsigned long long)res.n_spikes, res.spikes_path);
        printf("%s\n", line);
        log_line(&lg, line);
        if (res.restored) {
            snprintf(line, sizeof line, "restored the state at t = %g ms from %s", res.t_restored,
                     o.restore_dir);
            printf("%s\n", line);
            log_line(&lg, line);
        }
        if (res.saved) {
            snprintf(line, sizeof line, "saved the state at t = %g ms to %s", res.t_saved,
                     res.save_dir);
            printf("%s\n", line);
            log_line(&lg, line);
        }
        if (n_gids) {
            snprintf(
                line, sizeof line,
                "cell states of %zu gid%s (those with cells) -> %s/<gid>_py_Neuron_t<t>.nrndat",
                n_gids, n_gids == 1 ? "" : "s", res.output_dir);
            log_line(&lg, line);
        }
    }
    log_close(&lg);
    rv_drv_finalize();
out:
    free(gids);
    return rc;
}
