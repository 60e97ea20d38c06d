/* SPDX-License-Identifier: MIT
 * tests/morph/rvmorph.c -- test driver for the morphology layer.  Not a
 * user tool.
 *
 *   rvmorph dump FILE DIV    sections of FILE as NEURON's Import3d makes them,
 *                            built in an rv_model with nseg = 1 + 2*int(L/DIV)
 *                            (DIV 0: nseg 1); prints per section
 *                              section NAME PARENT|- PX CHILDEND NPT L NSEG LOGICAL
 *                              pt X Y Z D          (each 3-D point, %.17g)
 *                              seg X AREA RI       (segment centres, then x = 1)
 *                            then "note TEXT" lines.
 *   rvmorph time FILE REPS   best time of REPS loads (read + import), in ms
 * Errors: "FILE:LINE: error: ..." on stderr, exit status 1.
 */
#include "ranvier/engine.h"
#include "ranvier/morph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fail(const rv_error *err) {
    char buf[1200];
    fprintf(stderr, "%s\n", rv_error_format(err, buf, sizeof buf));
    return 1;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int dump(const char *path, double div) {
    rv_error err = {0};
    rv_morph *m = NULL;
    rv_model *model = NULL;
    int *secs = NULL, *nseg = NULL, rc = 1;
    if (rv_morph_load(path, RV_MORPH_AUTO, &m, &err) || rv_model_create(&model, &err)) goto out;
    secs = malloc(sizeof(int) * (size_t)(m->nsec + 1));
    nseg = malloc(sizeof(int) * (size_t)(m->nsec + 1));
    if (!secs || !nseg || rv_morph_instantiate(m, model, NULL, secs, &err)) goto out;
    for (int i = 0; i < m->nsec; ++i) {
        double L = rv_morph_section_L(&m->sec[i]);
        nseg[i] = div > 0 ? 1 + 2 * (int)(L / div) : 1;
        if (nseg[i] > 32767) nseg[i] = 32767;
        if (rv_section_set_nseg(model, secs[i], nseg[i], &err)) goto out;
    }
    if (rv_model_setup(model, &err)) goto out;
    for (int i = 0; i < m->nsec; ++i) {
        const rv_morph_section *s = &m->sec[i];
        printf("section %s %s %.17g %d %d %.17g %d %d\n", s->name,
               s->parent >= 0 ? m->sec[s->parent].name : "-", s->parent_x, s->child_end, s->npt,
               rv_morph_section_L(s), nseg[i], s->logical);
        for (int j = 0; j < s->npt; ++j) {
            const float *p = s->pt + 4 * j;
            printf("pt %.17g %.17g %.17g %.17g\n", p[0], p[1], p[2], p[3]);
        }
        for (int j = 0; j <= nseg[i]; ++j) {
            double x = j < nseg[i] ? (j + 0.5) / nseg[i] : 1.0, area = 0, ri;
            if (j < nseg[i] && rv_section_area(model, secs[i], x, &area, &err)) goto out;
            if (rv_section_ri(model, secs[i], x, &ri, &err)) goto out;
            printf("seg %.17g %.17g %.17g\n", x, area, ri);
        }
    }
    for (int i = 0; i < m->nnote; ++i) printf("note %s\n", m->note[i]);
    rc = 0;
out:
    if (rc) fail(&err);
    rv_model_destroy(model);
    rv_morph_destroy(m);
    free(secs);
    free(nseg);
    return rc;
}

static int timing(const char *path, int reps) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) return 1;
    fclose(f);
    double best = 1e30;
    int nsec = 0, npt = 0;
    for (int r = 0; r < reps; ++r) {
        rv_error err = {0};
        rv_morph *m;
        double t0 = now_ms();
        if (rv_morph_load_mem(buf, (size_t)n, path, RV_MORPH_AUTO, &m, &err)) return fail(&err);
        double t = now_ms() - t0;
        if (t < best) best = t;
        nsec = m->nsec, npt = m->npoint_read;
        rv_morph_destroy(m);
    }
    printf("%s: %ld bytes, %d points, %d sections: best of %d loads %.3f ms (%.1f MB/s)\n", path, n,
           npt, nsec, reps, best, n / best / 1e3);
    free(buf);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "dump") == 0)
        return dump(argv[2], argc > 3 ? atof(argv[3]) : 0);
    if (argc >= 3 && strcmp(argv[1], "time") == 0)
        return timing(argv[2], argc > 3 ? atoi(argv[3]) : 10);
    fprintf(stderr, "usage: rvmorph dump FILE [DIV] | rvmorph time FILE [REPS]\n");
    return 2;
}
