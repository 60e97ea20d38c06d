/* SPDX-License-Identifier: MIT
 * tests/sonata/nodesets/nodesets_tool.c -- test driver for node sets and
 * compartment sets.  It prints what the library computes as one JSON
 * object, for check_nodesets.py to compare with values it derives itself
 * from the same files (h5py, json, re); on a load error it prints
 * {"error": {...}} and exits 1.
 *
 *   nodesets_tool select [options] [NAME...]     materialise NAMEs (all if none)
 *      -c FILE     circuit node sets file       -m FILE   simulation node sets file
 *      -i TEXT     inline node_sets JSON text   -I FILE   the same, read from FILE
 *      -C CONFIG   take the three from a simulation config (rv_sonata_config_load)
 *      -P H5::CSV::POP   a nodes population (CSV "-" for none); repeatable
 *      -s          RV_SONATA_NODESETS_STRICT
 *   nodesets_tool info [-c F] [-m F] [-i T] [-I F] [-C CONFIG]
 *   nodesets_tool compsets FILE [-P H5::CSV::POP ...]
 *   nodesets_tool regex PATTERN [STRING...]      translation and matches
 *
 * Errors are printed with every rv_error field, so that the catalogue can
 * check the file, line, column and key path.
 */
#include "ranvier/sonata_config.h"
#include "ranvier/sonata_nodesets.h"

#include "nodesets_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char *code_name(rv_status st) {
    static const char *const names[] = {"OK",           "EINVAL", "ENOMEM",   "ENOENT",
                                        "ERANGE",       "ESTATE", "EIO",      "EFORMAT",
                                        "EUNSUPPORTED", "ECOMM",  "EINTERNAL"};
    return (unsigned)st < sizeof names / sizeof names[0] ? names[st] : "?";
}

static void jerr(const rv_error *e) {
    char buf[1400];
    printf("{\"code\":");
    jstr(code_name(e->code));
    printf(",\"path\":");
    jstr(e->path);
    printf(",\"line\":%d,\"col\":%d,\"key\":", e->line, e->col);
    jstr(e->key);
    printf(",\"msg\":");
    jstr(e->msg);
    printf(",\"formatted\":");
    jstr(rv_error_format(e, buf, sizeof buf));
    printf("}");
}

static char *slurp(const char *path) {
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, fp) != (size_t)n) exit(2);
    s[n] = '\0';
    fclose(fp);
    return s;
}

typedef struct popspec {
    char *h5, *csv, *pop;
} popspec;

static popspec parse_pop(const char *arg) {
    popspec p;
    char *s = strdup(arg);
    char *a = strstr(s, "::");
    char *b = a ? strstr(a + 2, "::") : NULL;
    if (!a || !b) {
        fprintf(stderr, "bad -P %s (H5::CSV::POP)\n", arg);
        exit(2);
    }
    *a = '\0';
    *b = '\0';
    p.h5 = s;
    p.csv = strcmp(a + 2, "-") == 0 ? NULL : a + 2;
    p.pop = b + 2;
    return p;
}

typedef struct opts {
    const char *circuit, *sim, *inl, *config;
    char *inl_buf;
    popspec pops[16];
    int npop;
    unsigned flags;
    char **names;
    int nnames;
} opts;

static void parse_opts(int argc, char **argv, int first, opts *o) {
    memset(o, 0, sizeof *o);
    o->names = calloc((size_t)argc, sizeof *o->names);
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] && !a[2] && strchr("cmiICP", a[1]) && i + 1 < argc) {
            const char *v = argv[++i];
            switch (a[1]) {
            case 'c':
                o->circuit = v;
                break;
            case 'm':
                o->sim = v;
                break;
            case 'i':
                o->inl = v;
                break;
            case 'I':
                o->inl = o->inl_buf = slurp(v);
                break;
            case 'C':
                o->config = v;
                break;
            case 'P':
                o->pops[o->npop++] = parse_pop(v);
                break;
            }
        } else if (strcmp(a, "-s") == 0) {
            o->flags |= RV_SONATA_NODESETS_STRICT;
        } else {
            o->names[o->nnames++] = argv[i];
        }
    }
}

/* Load the node sets the options name; exits on failure. */
static rv_sonata_nodesets *load(const opts *o) {
    rv_error err;
    rv_sonata_nodesets *ns = NULL;
    rv_status st;
    if (o->config) {
        rv_sonata_config *cfg = NULL;
        st = rv_sonata_config_load(o->config, NULL, &cfg, NULL, &err);
        if (st != RV_OK) {
            printf("{\"config_error\":");
            jerr(&err);
            printf("}\n");
            exit(1);
        }
        const char *cns = cfg->circuit ? cfg->circuit->node_sets_file : NULL;
        const char *sns = cfg->simulation ? cfg->simulation->node_sets_file : NULL;
        const char *inl = cfg->simulation ? cfg->simulation->node_sets_json : NULL;
        st = rv_sonata_nodesets_load(cns, sns, inl, &ns, &err);
        rv_sonata_config_destroy(cfg);
    } else {
        st = rv_sonata_nodesets_load(o->circuit, o->sim, o->inl, &ns, &err);
    }
    if (st != RV_OK) {
        if (ns) {
            printf("{\"error\":\"failed load returned an object\"}\n");
            exit(3);
        }
        printf("{\"error\":");
        jerr(&err);
        printf("}\n");
        exit(1);
    }
    return ns;
}

static void print_names_warnings(const rv_sonata_nodesets *ns) {
    printf("\"names\":[");
    for (size_t i = 0; i < rv_sonata_nodesets_count(ns); i++) {
        if (i) putchar(',');
        jstr(rv_sonata_nodesets_name(ns, i));
    }
    printf("],\"warnings\":[");
    for (size_t i = 0; i < rv_sonata_nodesets_warning_count(ns); i++) {
        if (i) putchar(',');
        jstr(rv_sonata_nodesets_warning(ns, i));
    }
    printf("]");
}

static void print_sel(const rv_sonata_sel *sel) {
    uint64_t n = rv_sonata_sel_count(sel);
    uint64_t *ids = malloc((n ? n : 1) * sizeof *ids);
    rv_sonata_sel_to_ids(sel, ids);
    putchar('[');
    for (uint64_t i = 0; i < n; i++) printf("%s%llu", i ? "," : "", (unsigned long long)ids[i]);
    putchar(']');
    free(ids);
}

static int cmd_select(int argc, char **argv) {
    opts o;
    parse_opts(argc, argv, 2, &o);
    rv_sonata_nodesets *ns = load(&o);
    printf("{");
    print_names_warnings(ns);
    printf(",\"select\":{");
    int status = 0;
    for (int p = 0; p < o.npop; p++) {
        rv_error err;
        rv_sonata_file *f = NULL;
        rv_sonata_pop *pop = NULL;
        if (rv_sonata_nodes_open(o.pops[p].h5, o.pops[p].csv, &f, &err) != RV_OK ||
            rv_sonata_pop_open(f, o.pops[p].pop, &pop, &err) != RV_OK) {
            fprintf(stderr, "cannot open population %s: %s\n", o.pops[p].pop, err.msg);
            exit(2);
        }
        printf("%s", p ? "," : "");
        jstr(o.pops[p].pop);
        printf(":{");
        size_t n = o.nnames ? (size_t)o.nnames : rv_sonata_nodesets_count(ns);
        for (size_t k = 0; k < n; k++) {
            const char *name = o.nnames ? o.names[k] : rv_sonata_nodesets_name(ns, k);
            rv_sonata_sel sel = {(rv_sonata_range *)1, 99}; /* must be reset */
            rv_status st = rv_sonata_nodesets_select_ex(ns, name, pop, o.flags, &sel, &err);
            printf("%s", k ? "," : "");
            jstr(name);
            putchar(':');
            if (st == RV_OK) {
                print_sel(&sel);
                /* canonical: sorted, disjoint, not touching */
                for (size_t r = 0; r < sel.n; r++)
                    if (sel.r[r].begin >= sel.r[r].end || (r && sel.r[r].begin <= sel.r[r - 1].end))
                        status = 3;
            } else {
                if (sel.n != 0 || sel.r != NULL) status = 3;
                printf("{\"error\":");
                jerr(&err);
                printf("}");
            }
            rv_sonata_sel_free(&sel);
        }
        printf("}");
        rv_sonata_pop_close(pop);
        rv_sonata_file_close(f);
    }
    printf("}}\n");
    rv_sonata_nodesets_destroy(ns);
    free(o.inl_buf);
    free(o.names);
    for (int p = 0; p < o.npop; p++) free(o.pops[p].h5);
    return status;
}

static int cmd_info(int argc, char **argv) {
    opts o;
    parse_opts(argc, argv, 2, &o);
    rv_sonata_nodesets *ns = load(&o);
    printf("{");
    print_names_warnings(ns);
    printf(",\"sets\":{");
    for (size_t i = 0; i < rv_sonata_nodesets_count(ns); i++) {
        rv_sonata_nodeset_info in;
        rv_error err;
        if (rv_sonata_nodesets_info(ns, i, &in, &err) != RV_OK) return 3;
        printf("%s", i ? "," : "");
        jstr(in.name);
        printf(":{\"compound\":%d,\"n_members\":%zu,\"source\":", in.compound, in.n_members);
        jstr(in.source);
        printf(",\"line\":%d,\"col\":%d,\"overrides\":", in.line, in.col);
        jstr(in.overrides);
        printf(",\"json\":%s,\"members\":[", in.json);
        for (size_t k = 0; in.compound && k < in.n_members; k++) {
            if (k) putchar(',');
            jstr(rv_sonata_nodesets_member(ns, i, k));
        }
        printf("]}");
    }
    printf("}}\n");
    rv_sonata_nodesets_destroy(ns);
    free(o.inl_buf);
    free(o.names);
    return 0;
}

static int cmd_compsets(int argc, char **argv) {
    opts o;
    parse_opts(argc, argv, 3, &o);
    rv_error err;
    rv_sonata_compsets *cs = NULL;
    if (rv_sonata_compsets_load(argv[2], &cs, &err) != RV_OK) {
        printf("{\"error\":");
        jerr(&err);
        printf("}\n");
        free(o.names);
        return 1;
    }
    printf("{\"sets\":{");
    for (size_t i = 0; i < rv_sonata_compsets_count(cs); i++) {
        int line, col;
        rv_sonata_compsets_where(cs, i, &line, &col);
        printf("%s", i ? "," : "");
        jstr(rv_sonata_compsets_name(cs, i));
        printf(":{\"population\":");
        jstr(rv_sonata_compsets_population(cs, i));
        printf(",\"line\":%d,\"col\":%d,\"compartment_set\":[", line, col);
        const rv_sonata_compartment *it = rv_sonata_compsets_items(cs, i);
        for (size_t k = 0; k < rv_sonata_compsets_size(cs, i); k++)
            printf("%s[%llu,%llu,%.17g]", k ? "," : "", (unsigned long long)it[k].node_id,
                   (unsigned long long)it[k].section_index, it[k].offset);
        printf("],\"node_ids\":");
        rv_sonata_sel sel;
        if (rv_sonata_compsets_node_ids(cs, i, &sel, &err) != RV_OK) return 3;
        print_sel(&sel);
        rv_sonata_sel_free(&sel);
        printf(",\"check\":{");
        for (int p = 0; p < o.npop; p++) {
            rv_sonata_file *f = NULL;
            rv_sonata_pop *pop = NULL;
            if (rv_sonata_nodes_open(o.pops[p].h5, o.pops[p].csv, &f, &err) != RV_OK ||
                rv_sonata_pop_open(f, o.pops[p].pop, &pop, &err) != RV_OK)
                return 2;
            printf("%s", p ? "," : "");
            jstr(o.pops[p].pop);
            putchar(':');
            if (rv_sonata_compsets_check(cs, i, pop, &err) == RV_OK)
                printf("\"ok\"");
            else
                jerr(&err);
            rv_sonata_pop_close(pop);
            rv_sonata_file_close(f);
        }
        printf("}}");
    }
    printf("}}\n");
    rv_sonata_compsets_destroy(cs);
    free(o.names);
    for (int p = 0; p < o.npop; p++) free(o.pops[p].h5);
    return 0;
}

static int cmd_regex(int argc, char **argv) {
    char why[256];
    char *ere = NULL;
    rv_status st = rv__ns_regex_translate(argv[2], &ere, why, sizeof why);
    printf("{\"pattern\":");
    jstr(argv[2]);
    if (st != RV_OK) {
        printf(",\"error\":");
        jstr(code_name(st));
        printf(",\"why\":");
        jstr(why);
        printf("}\n");
        return 0;
    }
    printf(",\"ere\":");
    jstr(ere);
    rv_free(ere);
    regex_t re;
    st = rv__ns_regex_compile(argv[2], &re, why, sizeof why);
    if (st != RV_OK) {
        printf(",\"error\":");
        jstr(code_name(st));
        printf(",\"why\":");
        jstr(why);
        printf("}\n");
        return 0;
    }
    printf(",\"matches\":{");
    for (int i = 3; i < argc; i++) {
        printf("%s", i > 3 ? "," : "");
        jstr(argv[i]);
        printf(":%s", regexec(&re, argv[i], 0, NULL, 0) == 0 ? "true" : "false");
    }
    printf("}}\n");
    regfree(&re);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "select") == 0) return cmd_select(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "info") == 0) return cmd_info(argc, argv);
    if (argc >= 3 && strcmp(argv[1], "compsets") == 0) return cmd_compsets(argc, argv);
    if (argc >= 3 && strcmp(argv[1], "regex") == 0) return cmd_regex(argc, argv);
    fprintf(stderr, "usage: see the top of nodesets_tool.c\n");
    return 2;
}
