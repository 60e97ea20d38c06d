/* SPDX-License-Identifier: MIT
 * lfp_read -- the electrodes file reader of src/driver/lfp.c, for
 * lfp_test.py (case "reader"):
 *   lfp_read FILE POP NODE        prints "rows cols" then the factors, one
 *                                 row per line (%.17g); on an error, the
 *                                 formatted rv_error on stderr, exit 2
 *   lfp_read oom FILE POP NODE    opens and reads with every allocation
 *                                 failing in turn: each must give RV_ENOMEM
 */
#include "lfp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long g_budget = -1, g_count = 0;
static void *failing_alloc(void *ud, void *ptr, size_t n) {
    (void)ud;
    if (n == 0) {
        free(ptr);
        return NULL;
    }
    if (g_budget >= 0 && g_count++ >= g_budget) return NULL;
    return realloc(ptr, n);
}

static rv_status read_node(const char *path, const char *pop, uint64_t node, double **fac,
                           size_t *rows, size_t *cols, rv_error *err) {
    rv__lfp *f = NULL;
    rv_status st = rv__lfp_open(path, &f, err);
    if (!st) st = rv__lfp_node_factors(f, pop, node, fac, rows, cols, err);
    /* a second read of the same population uses the cached tables */
    if (!st) {
        double *again = NULL;
        size_t r2 = 0, c2 = 0;
        st = rv__lfp_node_factors(f, pop, node, &again, &r2, &c2, err);
        if (!st && (r2 != *rows || c2 != *cols || memcmp(again, *fac, r2 * c2 * sizeof *again)))
            st = RV_FAIL(err, RV_EINTERNAL, "second read differs");
        rv_free(again);
    }
    rv__lfp_close(f);
    if (st) {
        rv_free(*fac);
        *fac = NULL;
    }
    return st;
}

int main(int argc, char **argv) {
    int oom = argc == 5 && !strcmp(argv[1], "oom");
    if (argc != 4 && !oom) {
        fprintf(stderr, "usage: lfp_read [oom] FILE POP NODE\n");
        return 1;
    }
    const char *path = argv[1 + oom], *pop = argv[2 + oom];
    uint64_t node = strtoull(argv[3 + oom], NULL, 10);
    rv_error err;
    double *fac = NULL;
    size_t rows = 0, cols = 0;
    if (oom) {
        long points = 0, bad = 0;
        rv_set_allocator(failing_alloc, NULL);
        for (long k = 0;; ++k) {
            g_budget = k;
            g_count = 0;
            rv_status st = read_node(path, pop, node, &fac, &rows, &cols, &err);
            rv_free(fac);
            fac = NULL;
            if (st == RV_OK) break;
            ++points;
            if (st != RV_ENOMEM) {
                fprintf(stderr, "allocation %ld failing gave status %d: %s\n", k, (int)st, err.msg);
                ++bad;
            }
        }
        rv_set_allocator(NULL, NULL);
        printf("oom: %ld allocation points failed in turn, %ld not RV_ENOMEM\n", points, bad);
        return bad || points == 0 ? 1 : 0;
    }
    rv_status st = read_node(path, pop, node, &fac, &rows, &cols, &err);
    if (st) {
        char buf[1024];
        fprintf(stderr, "%s\n", rv_error_format(&err, buf, sizeof buf));
        return 2;
    }
    printf("%zu %zu\n", rows, cols);
    for (size_t r = 0; r < rows; ++r) {
        for (size_t c = 0; c < cols; ++c) printf("%s%.17g", c ? " " : "", fac[r * cols + c]);
        printf("\n");
    }
    rv_free(fac);
    return 0;
}
