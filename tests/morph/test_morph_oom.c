/* SPDX-License-Identifier: MIT
 * tests/morph/test_morph_oom.c -- every allocation of a morphology load made
 * to fail in turn: each such load must return RV_ENOMEM and free what it
 * had (the sanitizer build checks for leaks), none may crash.  Then the load
 * succeeds.  SWC, ASC (contour soma, contour stack, two somata) and h5.
 * usage: test_morph_oom DATA_DIR
 */
#include "ranvier/morph.h"

#include <stdio.h>
#include <stdlib.h>

static long calls, fail_at;

static void *failing(void *ud, void *ptr, size_t n) {
    (void)ud;
    if (n == 0) {
        free(ptr);
        return NULL;
    }
    if (++calls == fail_at) return NULL;
    return realloc(ptr, n);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    const char *files[] = {"soma_cylinders.swc", "wired_prox.swc", "full.asc",   "stack.asc",
                           "two_somas.asc",      "nosoma.asc",     "contour.h5", "sphere.h5"};
    int failures = 0;
    for (size_t f = 0; f < sizeof files / sizeof *files; ++f) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", argv[1], files[f]);
        long k;
        for (k = 1;; ++k) {
            calls = 0;
            fail_at = k;
            rv_set_allocator(failing, NULL);
            rv_error err = {0};
            rv_morph *m = NULL;
            rv_status st = rv_morph_load(path, RV_MORPH_AUTO, &m, &err);
            rv_set_allocator(NULL, NULL);
            if (calls < k) { /* no allocation failed: must have worked */
                if (st) {
                    printf("FAIL %s: %s without a failed allocation\n", files[f], err.msg);
                    failures++;
                }
                rv_morph_destroy(m);
                break;
            }
            if (st != RV_ENOMEM || m) {
                printf("FAIL %s: allocation %ld failed, status %d (%s)\n", files[f], k, st,
                       err.msg);
                failures++;
            }
            rv_morph_destroy(m);
        }
        printf("%-20s %ld allocations, each failing in turn: ENOMEM, no crash\n", files[f], k - 1);
    }
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
