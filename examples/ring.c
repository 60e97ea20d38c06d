/* SPDX-License-Identifier: MIT
 * examples/ring.c -- a small network built through ranvier's C API: a ring
 * of N ball-and-stick cells (HH soma, passive dendrite), each exciting the
 * next through an ExpSyn with a 1 ms delay; a NetStim kicks cell 0.  Writes
 * the spikes to a text file and says where they went.
 *
 *   ring [N] [tstop_ms] [output.txt]
 */
#include "ranvier/engine.h"

#include <stdio.h>
#include <stdlib.h>

#define CHECK(call)                                                                                \
    do {                                                                                           \
        if ((st = (call)) != RV_OK) goto fail;                                                     \
    } while (0)

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10;
    double tstop = argc > 2 ? atof(argv[2]) : 200.0;
    const char *out = argc > 3 ? argv[3] : "ring_spikes.txt";
    if (n < 2) n = 2;
    rv_model *m = NULL;
    rv_error err = {0};
    rv_status st;
    CHECK(rv_model_create(&m, &err));
    int *syn = calloc((size_t)n, sizeof(int));
    for (int c = 0; c < n; ++c) {
        char name[64];
        int soma, dend;
        snprintf(name, sizeof name, "cell[%d].soma", c);
        CHECK(rv_section_create(m, name, 1, &soma, &err));
        CHECK(rv_section_set_L(m, soma, 20, &err));
        CHECK(rv_section_set_diam(m, soma, 20, &err));
        CHECK(rv_section_set_Ra(m, soma, 100, &err));
        CHECK(rv_section_insert(m, soma, "hh", &err));
        snprintf(name, sizeof name, "cell[%d].dend", c);
        CHECK(rv_section_create(m, name, 11, &dend, &err));
        CHECK(rv_section_set_L(m, dend, 300, &err));
        CHECK(rv_section_set_diam(m, dend, 1.5, &err));
        CHECK(rv_section_set_Ra(m, dend, 100, &err));
        CHECK(rv_section_insert(m, dend, "pas", &err));
        CHECK(rv_section_connect(m, dend, 0, soma, 1, &err));
        CHECK(rv_pp_create(m, "ExpSyn", dend, 0.5, &syn[c], &err));
        CHECK(rv_pp_set(m, syn[c], "tau", 2, &err));
        CHECK(rv_gid_from_section(m, c, soma, 0.5, -20, &err));
    }
    for (int c = 0; c < n; ++c) {
        int nc;
        CHECK(rv_netcon_create(m, c, syn[(c + 1) % n], 1.0, 0.01, &nc, &err));
    }
    int stim, nc;
    CHECK(rv_pp_create(m, "NetStim", -1, 0, &stim, &err));
    CHECK(rv_pp_set(m, stim, "number", 1, &err));
    CHECK(rv_pp_set(m, stim, "start", 5, &err));
    CHECK(rv_gid_from_pp(m, 1000000, stim, &err));
    CHECK(rv_netcon_create(m, 1000000, syn[0], 1.0, 0.02, &nc, &err));
    CHECK(rv_model_finitialize(m, -65, &err));
    CHECK(rv_model_run(m, tstop, &err));

    FILE *f = fopen(out, "w");
    if (!f) {
        perror(out);
        rv_model_destroy(m);
        return 1;
    }
    size_t ns = rv_spike_count(m), ncell_spikes = 0;
    fprintf(f, "# t_ms gid\n");
    for (size_t i = 0; i < ns; ++i) {
        double t;
        int64_t gid;
        rv_spike_get(m, i, &t, &gid);
        fprintf(f, "%.17g %lld\n", t, (long long)gid);
        ncell_spikes += gid < n;
    }
    fclose(f);
    rv_model_stats s;
    rv_model_get_stats(m, &s);
    printf("ring of %d cells (%d compartments), %.0f ms: %zu cell spikes -> %s\n", n, s.n_nodes,
           tstop, ncell_spikes, out);
    rv_model_destroy(m);
    free(syn);
    return 0;
fail : {
    char buf[1200];
    fprintf(stderr, "ring: %s\n", rv_error_format(&err, buf, sizeof buf));
    rv_model_destroy(m);
    return 1;
}
}
