/* SPDX-License-Identifier: MIT
 * tests/morph/test_morph_fuzz.c -- a short deterministic fuzz of the SWC and
 * ASC readers: random byte changes, deletions, duplications and truncations
 * of the test files.  Every load must either succeed with a well-formed
 * result (valid parents, >= 2 finite points per section) or fail with a
 * message naming the file; no crash, no hang (the sanitizer build checks
 * memory errors).
 * usage: test_morph_fuzz DATA_DIR [ITERATIONS_PER_FILE]
 */
#include "ranvier/morph.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(uint64_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? rng % n : 0;
}

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc(*n + 1);
    if (b && fread(b, 1, *n, f) != *n) *n = 0;
    fclose(f);
    return b;
}

static const char alphabet[] = "()|<>,;\"0123456789.-+eE \n\tabcXYZ@#";

static void mutate(char *b, size_t *n, size_t cap) {
    int ops = 1 + (int)rnd(4);
    for (int o = 0; o<ops && * n> 0; ++o) {
        size_t i = rnd(*n), len = 1 + rnd(40);
        switch (rnd(5)) {
        case 0:
        case 1:
            b[i] = alphabet[rnd(sizeof alphabet - 1)];
            break;
        case 2: /* delete */
            if (i + len > *n) len = *n - i;
            memmove(b + i, b + i + len, *n - i - len);
            *n -= len;
            break;
        case 3: /* duplicate */
            if (i + len > *n) len = *n - i;
            if (*n + len <= cap) {
                memmove(b + i + len, b + i, *n - i);
                *n += len;
            }
            break;
        default: /* truncate */
            *n = i;
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int iters = argc > 2 ? atoi(argv[2]) : 1500;
    const char *files[] = {"soma1_trees.swc",  "soma3_neuromorpho.swc", "soma_cylinders.swc",
                           "soma_contour.swc", "wired_prox.swc",        "root_dend.swc",
                           "full.asc",         "two_somas.asc",         "stack.asc",
                           "nosoma.asc"};
    long runs = 0, ok = 0, rejected = 0, bad = 0;
    for (size_t f = 0; f < sizeof files / sizeof *files; ++f) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", argv[1], files[f]);
        size_t n0;
        char *orig = slurp(path, &n0);
        if (!orig) {
            printf("FAIL cannot read %s\n", path);
            return 1;
        }
        size_t cap = 2 * n0 + 64;
        char *b = malloc(cap);
        for (int it = 0; it < iters; ++it) {
            memcpy(b, orig, n0);
            size_t n = n0;
            mutate(b, &n, cap);
            rv_error err = {0};
            rv_morph *m = NULL;
            rv_status st = rv_morph_load_mem(b, n, files[f], RV_MORPH_AUTO, &m, &err);
            runs++;
            if (st) {
                rejected++;
                if (!err.msg[0] || !strstr(err.path, files[f])) {
                    if (bad++ < 5) printf("FAIL %s: error without message or file\n", files[f]);
                }
                continue;
            }
            ok++;
            for (int i = 0; i < m->nsec; ++i) {
                const rv_morph_section *s = &m->sec[i];
                int good = s->npt >= 2 && s->parent < m->nsec && s->parent != i && s->name;
                for (int j = 0; j < 4 * s->npt && good; ++j) good = isfinite(s->pt[j]);
                if (!good && bad++ < 5) printf("FAIL %s: bad section %d\n", files[f], i);
            }
            rv_morph_destroy(m);
        }
        free(b);
        free(orig);
    }
    printf("fuzz: %ld mutated files: %ld loaded, %ld rejected with a message, %ld problems\n", runs,
           ok, rejected, bad);
    return bad != 0;
}
