/* SPDX-License-Identifier: MIT
 * cli/cmd_dump_cell.c -- `ranvier dump-cell`: instantiate one cell from a hoc
 * template, finitialize, and write every section, segment and mechanism
 * value as JSON in the layout of neurodamus's cellstate_<gid>.json.
 *
 *   ranvier dump-cell [-o FILE] [--gid N] [--celsius C] [--v-init V]
 *                     TEMPLATE.hoc NAME [ARG...]
 *
 * ARGs are the constructor's arguments: numbers, else strings (a
 * morphology directory and file name for templates that load one). */
#include "ranvier/engine.h"
#include "ranvier/hoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void) {
    fprintf(stderr, "usage: ranvier dump-cell [-o FILE] [--gid N] [--celsius C] [--v-init V] "
                    "TEMPLATE.hoc NAME [ARG...]\n");
    return 2;
}

static int is_number(const char *s) {
    char *end;
    if (!*s) return 0;
    strtod(s, &end);
    return *end == 0;
}

/* append to a growing code buffer */
static int add(char **buf, size_t *len, size_t *cap, const char *s) {
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t c = (*cap ? *cap * 2 : 256) + n;
        char *b = realloc(*buf, c);
        if (!b) return -1;
        *buf = b, *cap = c;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
    return 0;
}

int rv_cmd_dump_cell(int argc, char **argv) {
    const char *out = NULL, *celsius = NULL, *vinit = "-65";
    double gid = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; ++i) {
        if (i + 1 >= argc) return usage();
        if (!strcmp(argv[i], "-o"))
            out = argv[++i];
        else if (!strcmp(argv[i], "--gid") && is_number(argv[i + 1]))
            gid = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--celsius") && is_number(argv[i + 1]))
            celsius = argv[++i];
        else if (!strcmp(argv[i], "--v-init") && is_number(argv[i + 1]))
            vinit = argv[++i];
        else
            return usage();
    }
    if (argc - i < 2) return usage();
    const char *tmpl = argv[i], *name = argv[i + 1];
    char *code = NULL, tmp[512];
    size_t len = 0, cap = 0;
    int bad = 0;
    bad |= add(&code, &len, &cap, "objref rv_dump_cell_\nrv_dump_cell_ = new ");
    bad |= add(&code, &len, &cap, name);
    bad |= add(&code, &len, &cap, "(");
    for (int k = i + 2; k < argc; ++k) {
        if (k > i + 2) bad |= add(&code, &len, &cap, ", ");
        if (is_number(argv[k])) {
            bad |= add(&code, &len, &cap, argv[k]);
            continue;
        }
        if (strchr(argv[k], '"') || strchr(argv[k], '\n')) {
            fprintf(stderr, "ranvier dump-cell: argument %s: quotes and newlines not allowed\n",
                    argv[k]);
            free(code);
            return 2;
        }
        bad |= add(&code, &len, &cap, "\"");
        bad |= add(&code, &len, &cap, argv[k]);
        bad |= add(&code, &len, &cap, "\"");
    }
    bad |= add(&code, &len, &cap, ")\n");
    if (celsius) {
        snprintf(tmp, sizeof tmp, "celsius = %s\n", celsius);
        bad |= add(&code, &len, &cap, tmp);
    }
    snprintf(tmp, sizeof tmp, "finitialize(%s)\n", vinit);
    bad |= add(&code, &len, &cap, tmp);
    if (bad) {
        free(code);
        fprintf(stderr, "ranvier dump-cell: out of memory\n");
        return 1;
    }
    rv_model *m = NULL;
    rv_hoc *h = NULL;
    rv_error err;
    char buf[1024];
    int rc = 0;
    FILE *f = NULL;
    if (rv_model_create(&m, &err) || rv_hoc_create(m, &h, &err)) {
        rc = 1;
    } else {
        rv_hoc_set_echo(h, 0);
        if (rv_hoc_load_file(h, tmpl, &err) || rv_hoc_exec(h, code, "<dump-cell>", &err)) {
            rc = 1;
        } else if (!(f = out ? fopen(out, "w") : stdout)) {
            fprintf(stderr, "ranvier dump-cell: cannot write %s\n", out);
            rc = 1;
            goto done;
        } else if (rv_hoc_dump_cell(h, "rv_dump_cell_", gid, f, &err)) {
            rc = 1;
        }
    }
    if (rc) fprintf(stderr, "%s\n", rv_error_format(&err, buf, sizeof buf));
done:
    if (f && f != stdout && fclose(f) && !rc) {
        fprintf(stderr, "ranvier dump-cell: cannot write %s\n", out);
        rc = 1;
    }
    fflush(stdout);
    rv_hoc_destroy(h);
    rv_model_destroy(m);
    free(code);
    return rc;
}
