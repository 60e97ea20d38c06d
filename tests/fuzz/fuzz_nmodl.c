/* SPDX-License-Identifier: MIT
 * tests/fuzz/fuzz_nmodl.c -- fuzz target of the NMODL front end: any bytes
 * go through lexer, parser, semantic analysis and code generation
 * (rv_nmodl_translate); nothing may crash, hang, leak or read out of
 * bounds.
 *
 * Built two ways:
 *   - with RV_FUZZ=ON and clang: a libFuzzer binary (nmodl_fuzz);
 *   - always: a replay program (nmodl_fuzz_replay FILE|DIR...) that runs
 *     the same entry point over saved inputs (tests/fuzz/corpus), the ctest
 *     that keeps CI exercising the harness.
 */
#include "ranvier/nmodl.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *c = NULL, *diag = NULL;
    rv_error err = {0};
    (void)rv_nmodl_translate("fuzz.mod", (const char *)data, size, &c, &diag, &err);
    rv_free(c);
    rv_free(diag);
    return 0;
}

#ifndef RV_LIBFUZZER
static int replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (!buf) return 1;
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static int replay(const char *path, int *count) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "cannot stat %s\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        ++*count;
        return replay_file(path);
    }
    DIR *d = opendir(path);
    if (!d) return 1;
    int bad = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        bad |= replay(p, count);
    }
    closedir(d);
    return bad;
}

int main(int argc, char **argv) {
    int bad = 0, count = 0;
    for (int k = 1; k < argc; ++k) bad |= replay(argv[k], &count);
    printf("replayed %d input(s)%s\n", count, bad ? ", some unreadable" : "");
    return bad || count == 0;
}
#endif
