/* SPDX-License-Identifier: MIT
 * tests/driver/allen_bio/np_random_dump.c -- runs commands from stdin on the
 * numpy RandomState reproduction (src/driver/np_random.c) and prints the
 * results, one line per command, for np_random_check.py to compare with
 * numpy itself:
 *   seed S | seedarr K... | state | sample N | randint LOW HIGH N |
 *   choice SIZE P... | sum A...
 * Doubles are printed with %.17g (exact round trip). */
#include "np_random_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXV 20000

int main(void) {
    static char line[1 << 20];
    static double v[MAXV];
    static uint32_t k32[MAXV];
    static size_t idx[MAXV];
    rv__np_rs s;
    rv__np_seed(&s, 0);
    while (fgets(line, sizeof line, stdin)) {
        char *tok = strtok(line, " \t\n");
        if (!tok) continue;
        char *a;
        size_t n = 0;
        if (!strcmp(tok, "seed")) {
            rv__np_seed(&s, (uint32_t)strtoull(strtok(NULL, " \t\n"), NULL, 10));
            printf("ok\n");
        } else if (!strcmp(tok, "seedarr")) {
            while ((a = strtok(NULL, " \t\n")) && n < MAXV)
                k32[n++] = (uint32_t)strtoull(a, NULL, 10);
            rv__np_seed_array(&s, k32, n);
            printf("ok\n");
        } else if (!strcmp(tok, "state")) {
            printf("%d", s.pos);
            for (int i = 0; i < RV__NP_MT_N; ++i) printf(" %" PRIu32, s.key[i]);
            printf("\n");
        } else if (!strcmp(tok, "sample")) {
            long m = strtol(strtok(NULL, " \t\n"), NULL, 10);
            for (long i = 0; i < m; ++i) printf("%s%.17g", i ? " " : "", rv__np_random_sample(&s));
            printf("\n");
        } else if (!strcmp(tok, "randint")) {
            int64_t lo = strtoll(strtok(NULL, " \t\n"), NULL, 10);
            int64_t hi = strtoll(strtok(NULL, " \t\n"), NULL, 10);
            long m = strtol(strtok(NULL, " \t\n"), NULL, 10);
            for (long i = 0; i < m; ++i)
                printf("%s%" PRId64, i ? " " : "", rv__np_randint(&s, lo, hi));
            printf("\n");
        } else if (!strcmp(tok, "choice")) {
            long m = strtol(strtok(NULL, " \t\n"), NULL, 10);
            while ((a = strtok(NULL, " \t\n")) && n < MAXV) v[n++] = strtod(a, NULL);
            rv_error err;
            if (m > MAXV || rv__np_choice_p(&s, v, n, (size_t)m, idx, &err)) {
                printf("error\n");
                continue;
            }
            for (long i = 0; i < m; ++i) printf("%s%zu", i ? " " : "", idx[i]);
            printf("\n");
        } else if (!strcmp(tok, "sum")) {
            while ((a = strtok(NULL, " \t\n")) && n < MAXV) v[n++] = strtod(a, NULL);
            printf("%.17g\n", rv__np_sum(v, n));
        } else {
            printf("unknown %s\n", tok);
        }
    }
    return 0;
}
