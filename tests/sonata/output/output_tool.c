/* SPDX-License-Identifier: MIT
 * tests/sonata/output/output_tool.c -- test helper for check_output.py:
 * prints what ranvier's readers see as JSON, and writes sample files whose
 * content check_output.py recomputes from the same written-down rules.
 *
 *   output_tool spikes FILE             JSON of rv_sonata_spikes_read
 *   output_tool dat FILE                JSON of rv_sonata_spikes_read_dat
 *   output_tool report FILE             JSON of every population (mapping,
 *                                       all frames, and each node read alone)
 *   output_tool write-spikes FILE ORDER sample spikes (see sample_spikes)
 *   output_tool write-dat FILE          the same spikes as out.dat
 *   output_tool write-report FILE BYTES sample report (see sample_report)
 *
 * Errors: message on stderr, exit status 1.  Doubles are printed with %.17g
 * (exact round trip).
 */
#include "ranvier/sonata_output.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const rv_error *e) {
    char buf[1024];
    fprintf(stderr, "%s\n", rv_error_format(e, buf, sizeof buf));
    return 1;
}

static void json_str(const char *s) {
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

static int dump_spikes(const rv_sonata_spikes *s) {
    printf("{\"populations\": [");
    for (size_t i = 0; i < s->n_pops; i++) {
        const rv_sonata_spike_pop *p = &s->pops[i];
        printf("%s\n{\"name\": ", i ? "," : "");
        json_str(p->name);
        printf(", \"sorting\": \"%s\", \"units\": ", rv_sonata_sorting_name(p->sorting));
        json_str(p->units);
        printf(", \"timestamps\": [");
        for (size_t j = 0; j < p->n; j++) printf("%s%.17g", j ? ", " : "", p->timestamps[j]);
        printf("], \"node_ids\": [");
        for (size_t j = 0; j < p->n; j++) printf("%s%" PRIu64, j ? ", " : "", p->node_ids[j]);
        printf("]}");
    }
    printf("]}\n");
    return 0;
}

static int dump_report(const char *path) {
    rv_sonata_report *r;
    rv_error e = {0};
    if (rv_sonata_report_open(path, &r, &e) != RV_OK) return fail(&e);
    printf("{\"populations\": [");
    int rc = 0;
    for (size_t i = 0; i < rv_sonata_report_n_pops(r) && rc == 0; i++) {
        const char *name = rv_sonata_report_pop_name(r, i);
        printf("%s\n{\"name\": ", i ? "," : "");
        json_str(name);
        const rv_sonata_report_pop *p;
        if (rv_sonata_report_pop_get(r, name, &p, &e) != RV_OK) {
            char buf[1024];
            printf(", \"error\": ");
            json_str(rv_error_format(&e, buf, sizeof buf));
            printf("}");
            continue;
        }
        printf(", \"time\": [%.17g, %.17g, %.17g], \"data_units\": ", p->tstart, p->tstop, p->dt);
        json_str(p->data_units);
        printf(", \"time_units\": ");
        json_str(p->time_units);
        printf(", \"sorted\": %d, \"n_frames\": %zu, \"node_ids\": [", p->sorted, p->n_frames);
        for (size_t j = 0; j < p->n_nodes; j++) printf("%s%" PRIu64, j ? ", " : "", p->node_ids[j]);
        printf("], \"index_pointers\": [");
        for (size_t j = 0; j <= p->n_nodes; j++)
            printf("%s%" PRIu64, j ? ", " : "", p->index_pointers[j]);
        printf("], \"element_ids\": [");
        for (size_t j = 0; j < p->n_elements; j++)
            printf("%s%" PRIu32, j ? ", " : "", p->element_ids[j]);
        printf("], \"data\": [");
        float *buf = malloc((p->n_frames * p->n_elements + 1) * sizeof *buf);
        if (!buf || rv_sonata_report_read_frames(r, p, 0, p->n_frames, buf, &e) != RV_OK) {
            rc = buf ? fail(&e) : 1;
            free(buf);
            break;
        }
        for (size_t f = 0; f < p->n_frames; f++) {
            printf("%s[", f ? ", " : "");
            for (size_t j = 0; j < p->n_elements; j++)
                printf("%s%.17g", j ? ", " : "", (double)buf[f * p->n_elements + j]);
            printf("]");
        }
        printf("], \"by_node\": {");
        for (size_t k = 0; k < p->n_nodes && rc == 0; k++) {
            size_t b, en;
            if (rv_sonata_report_node_range(p, p->node_ids[k], &b, &en, &e) != RV_OK ||
                rv_sonata_report_read_node(r, p, p->node_ids[k], 0, p->n_frames, buf, &e) !=
                    RV_OK) {
                rc = fail(&e);
                break;
            }
            printf("%s\"%" PRIu64 "\": [", k ? ", " : "", p->node_ids[k]);
            for (size_t f = 0; f < p->n_frames; f++) {
                printf("%s[", f ? ", " : "");
                for (size_t j = 0; j < en - b; j++)
                    printf("%s%.17g", j ? ", " : "", (double)buf[f * (en - b) + j]);
                printf("]");
            }
            printf("]");
        }
        free(buf);
        printf("}}");
    }
    printf("]}\n");
    rv_sonata_report_destroy(r);
    return rc;
}

/* Sample spikes (check_output.py has the same table):
 *   pop "beta":  t = {3.0, 1.0, 3.0, 2.0, 1.0, 3.0}, ids = {4, 9, 2, 7, 9, 2}
 *   pop "alpha": t = {0.5, 0.25, 0.5}, ids = {1, 1, 0}
 *   pop "empty": no spikes */
static rv_status sample_spikes(rv_sonata_spikes **s, rv_error *e) {
    static const double tb[] = {3.0, 1.0, 3.0, 2.0, 1.0, 3.0}, ta[] = {0.5, 0.25, 0.5};
    static const uint64_t ib[] = {4, 9, 2, 7, 9, 2}, ia[] = {1, 1, 0};
    rv_status st = rv_sonata_spikes_create(s, e);
    if (st == RV_OK) st = rv_sonata_spikes_add(*s, "beta", tb, ib, 6, e);
    if (st == RV_OK) st = rv_sonata_spikes_add(*s, "alpha", ta, ia, 3, e);
    if (st == RV_OK) st = rv_sonata_spikes_add(*s, "empty", NULL, NULL, 0, e);
    return st;
}

/* Sample report (check_output.py has the same table): time [0.5, 10.5,
 * 0.25] -> 40 frames, units "mV"; nodes added in this order
 *   popB 7 {0,1,1,2}; popA 5 {0,1,2}; popB 3 {0}; popA 1 {3,3}; popB 12 {}
 * value of element j (0-based within its node) of node n of population P at
 * frame f: base(P) + 100 n + j + 0.25 f, base(popA) = 100000, base(popB) =
 * 200000. */
static int write_report(const char *path, size_t bytes) {
    static const struct {
        const char *pop;
        uint64_t id;
        size_t n;
        uint32_t el[4];
    } nodes[] = {{"popB", 7, 4, {0, 1, 1, 2}},
                 {"popA", 5, 3, {0, 1, 2}},
                 {"popB", 3, 1, {0}},
                 {"popA", 1, 2, {3, 3}},
                 {"popB", 12, 0, {0}}};
    rv_sonata_report_params prm = {.tstart = 0.5, .tend = 10.5, .dt = 0.25, .buffer_bytes = bytes};
    rv_sonata_report_writer *w;
    rv_error e = {0};
    if (rv_sonata_report_writer_create(&w, path, &prm, NULL, &e) != RV_OK) return fail(&e);
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
        if (rv_sonata_report_writer_add_node(w, nodes[i].pop, nodes[i].id, nodes[i].el, nodes[i].n,
                                             &e) != RV_OK)
            goto bad;
    double v[16];
    for (size_t f = 0; f < rv_sonata_report_writer_n_frames(w); f++) {
        size_t k = 0;
        for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
            for (size_t j = 0; j < nodes[i].n; j++)
                v[k++] = (strcmp(nodes[i].pop, "popA") == 0 ? 100000 : 200000) +
                         100.0 * (double)nodes[i].id + (double)j + 0.25 * (double)f;
        if (rv_sonata_report_writer_frame(w, v, &e) != RV_OK) goto bad;
    }
    if (rv_sonata_report_writer_close(w, &e) != RV_OK) goto bad;
    fprintf(stderr, "frames per write: %zu\n", rv_sonata_report_writer_frames_per_write(w));
    rv_sonata_report_writer_destroy(w);
    return 0;
bad:
    rv_sonata_report_writer_destroy(w);
    return fail(&e);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s spikes|dat|report|write-spikes|write-dat|write-report FILE\n",
                argv[0]);
        return 2;
    }
    const char *mode = argv[1], *path = argv[2];
    rv_error e = {0};
    rv_sonata_spikes *s = NULL;
    int rc;
    if (strcmp(mode, "spikes") == 0 || strcmp(mode, "dat") == 0) {
        rv_status st = mode[0] == 's' ? rv_sonata_spikes_read(path, &s, &e)
                                      : rv_sonata_spikes_read_dat(path, "dat", &s, &e);
        rc = st == RV_OK ? dump_spikes(s) : fail(&e);
    } else if (strcmp(mode, "report") == 0) {
        rc = dump_report(path);
    } else if (strcmp(mode, "write-spikes") == 0 && argc == 4) {
        rv_sonata_sorting order;
        rc = rv_sonata_sorting_parse(argv[3], &order, &e) == RV_OK &&
                     sample_spikes(&s, &e) == RV_OK &&
                     rv_sonata_spikes_write(path, s, order, &e) == RV_OK
                 ? 0
                 : fail(&e);
    } else if (strcmp(mode, "write-dat") == 0) {
        static const uint64_t offsets[] = {1000, 0, 0};
        rc = sample_spikes(&s, &e) == RV_OK &&
                     rv_sonata_spikes_write_dat(path, s, offsets, &e) == RV_OK
                 ? 0
                 : fail(&e);
    } else if (strcmp(mode, "write-report") == 0 && argc == 4) {
        rc = write_report(path, (size_t)strtoull(argv[3], NULL, 10));
    } else {
        fprintf(stderr, "unknown mode '%s'\n", mode);
        rc = 2;
    }
    rv_sonata_spikes_destroy(s);
    return rc;
}
