/* SPDX-License-Identifier: MIT
 * tests/morph/test_morph_speed.c -- load speed.  A Neurolucida file of about
 * 1 MB written like the real ones (a soma contour, eight trees with markers,
 * spines, comments, branch-end labels) is generated in memory and loaded
 * (read + import) several times; the best time must be under
 * RV_SPEED_LIMIT_MS (50 ms in optimised builds).
 */
#include "ranvier/morph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef RV_SPEED_LIMIT_MS
#define RV_SPEED_LIMIT_MS 50
#endif

typedef struct sbuf {
    char *b;
    size_t n, cap;
} sbuf;

static void put(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void put(sbuf *s, const char *fmt, ...) {
    if (s->n + 512 > s->cap) {
        s->cap = s->cap * 2 + 4096;
        s->b = realloc(s->b, s->cap);
    }
    va_list ap;
    va_start(ap, fmt);
    s->n += (size_t)vsnprintf(s->b + s->n, s->cap - s->n, fmt, ap);
    va_end(ap);
}

static unsigned seed = 12345;
static double urand(void) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) / 16777216.0;
}

static void branch(sbuf *s, int depth, double x, double y, double z, double d, double ang,
                   const char *ind) {
    for (int i = 1; i <= 14; ++i) {
        x += 3 * cos(ang) + urand() - 0.5;
        y += 3 * sin(ang) + urand() - 0.5;
        z += urand() - 0.5;
        put(s, "%s(%8.2f %8.2f %8.2f %7.2f)  ; %d, %d\n", ind, x, y, z, d, depth, i);
        if (i == 7 && depth % 3 == 0)
            put(s, "%s<(Class 3 \"Stubby\") (%8.2f %8.2f %8.2f %7.2f)>\n", ind, x + 1, y + 1, z,
                0.3);
    }
    if (depth % 2 == 0)
        put(s,
            "\n%s(Dot\n%s  (Color Yellow)\n%s  (Name \"Marker %d\")\n%s  (%8.2f %8.2f %8.2f "
            "%7.2f)  ; 1\n%s)  ;  End of markers\n",
            ind, ind, ind, depth, ind, x, y, z, 0.5, ind);
    if (depth == 0) {
        put(s, "%sNormal\n", ind);
        return;
    }
    char sub[128];
    snprintf(sub, sizeof sub, "%s  ", ind);
    put(s, "%s(\n", ind);
    branch(s, depth - 1, x, y, z, d * 0.8, ang + 0.4, sub);
    put(s, "%s|\n", ind);
    branch(s, depth - 1, x, y, z, d * 0.8, ang - 0.4, sub);
    put(s, "%s)  ;  End of split\n", ind);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

int main(void) {
    sbuf s = {0};
    put(&s, ";\tV3 text file written for MicroBrightField products.\n(ImageCoords)\n\n");
    put(&s, "(\"CellBody\"\n  (Color RGB (255, 255, 128))\n  (CellBody)\n");
    for (int i = 0; i < 30; ++i)
        put(&s, "  (%8.2f %8.2f %8.2f %7.2f)  ;  1, %d\n", 8 * cos(i * 0.2094) + urand(),
            7 * sin(i * 0.2094) + urand(), -3.38, 0.46, i + 1);
    put(&s, ")  ;  End of contour\n\n");
    const char *types[] = {"Axon",   "Dendrite", "Dendrite", "Dendrite",
                           "Apical", "Dendrite", "Dendrite", "Dendrite"};
    for (int t = 0; t < 8 && s.n < 1000000; ++t) {
        double ang = t * 0.785;
        put(&s, "( (Color Yellow)\n  (%s)\n", types[t]);
        branch(&s, 6, 8 * cos(ang), 8 * sin(ang), 0, 2.0, ang, "  ");
        put(&s, ")  ;  End of tree\n\n");
    }
    double best = 1e30;
    int nsec = 0, npt = 0;
    for (int r = 0; r < 7; ++r) {
        rv_error err = {0};
        rv_morph *m;
        double t0 = now_ms();
        if (rv_morph_load_mem(s.b, s.n, "speed.asc", RV_MORPH_ASC, &m, &err)) {
            char buf[1200];
            printf("FAIL %s\n", rv_error_format(&err, buf, sizeof buf));
            return 1;
        }
        double t = now_ms() - t0;
        if (t < best) best = t;
        nsec = m->nsec;
        npt = m->npoint_read;
        rv_morph_destroy(m);
    }
    int ok = best < RV_SPEED_LIMIT_MS;
    printf("generated ASC: %zu bytes, %d points, %d sections: best load %.2f ms (%.0f MB/s), "
           "limit %d ms: %s\n",
           s.n, npt, nsec, best, s.n / best / 1e3, RV_SPEED_LIMIT_MS, ok ? "ok" : "FAIL");
    free(s.b);
    return !ok;
}
