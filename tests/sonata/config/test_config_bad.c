/* SPDX-License-Identifier: MIT
 * tests/sonata/config/test_config_bad.c -- the catalogue of malformed
 * configs (bad/CATALOGUE): each must fail with the listed status, at the
 * listed line, with a message naming the file and containing the listed
 * words; the problem list must start with the same problem.
 *
 *   test_config_bad CATALOGUE [CASE]      (CASE: a file name; all if absent)
 */
#include "ranvier/sonata_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    rv_status code;
} statuses[] = {{"EFORMAT", RV_EFORMAT},
                {"ENOENT", RV_ENOENT},
                {"ERANGE", RV_ERANGE},
                {"EIO", RV_EIO},
                {"EINVAL", RV_EINVAL}};

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
    return s;
}

static int run_case(const char *dir, char *file, char *status, int line, char *words) {
    char path[1024], msg[1200];
    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) {
        printf("FAIL %s: path too long\n", file);
        return 1;
    }
    rv_status want = RV_OK;
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
        if (strcmp(statuses[i].name, status) == 0) want = statuses[i].code;
    rv_sonata_config *cfg = NULL;
    rv_sonata_config_problems *probs = NULL;
    rv_error err;
    rv_status st = rv_sonata_config_load(path, NULL, &cfg, &probs, &err);
    rv_error_format(&err, msg, sizeof msg);
    int fails = 0;
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s: ", file);                                                             \
            printf(__VA_ARGS__);                                                                   \
            printf("\n      message: %s\n", msg);                                                  \
            fails++;                                                                               \
        }                                                                                          \
    } while (0)
    CHECK(st != RV_OK && cfg == NULL, "loaded without error");
    CHECK(st == want, "status %s (%d), expected %s", rv_status_str(st), (int)st, status);
    CHECK(line == 0 || err.line == line, "line %d, expected %d", err.line, line);
    CHECK(strstr(msg, file) != NULL, "message does not name the file");
    for (char *save = NULL, *w = strtok_r(words, ";", &save); w; w = strtok_r(NULL, ";", &save)) {
        w = trim(w);
        CHECK(strstr(msg, w) != NULL, "message lacks \"%s\"", w);
    }
    size_t n = rv_sonata_config_problems_count(probs);
    const rv_error *first = rv_sonata_config_problems_get(probs, 0);
    CHECK(n >= 1 && first && first->code == err.code && strcmp(first->msg, err.msg) == 0,
          "problem list (%zu problems) does not start with the returned error", n);
    CHECK(rv_sonata_config_problems_get(probs, n) == NULL, "problem index past the end");
    if (!fails) printf("ok   %-42s %s\n", file, msg);
    rv_sonata_config_problems_destroy(probs);
    rv_sonata_config_destroy(cfg);
    return fails;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_config_bad CATALOGUE [CASE]\n");
        return 2;
    }
    FILE *fp = fopen(argv[1], "r");
    if (!fp) {
        perror(argv[1]);
        return 2;
    }
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", argv[1]);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");
    char buf[2048];
    int fails = 0, cases = 0;
    while (fgets(buf, sizeof buf, fp)) {
        char *s = trim(buf);
        if (!*s || *s == '#') continue;
        char *f[4] = {0};
        int k = 0;
        for (char *save = NULL, *t = strtok_r(s, "|", &save); t && k < 4;
             t = strtok_r(NULL, "|", &save))
            f[k++] = trim(t);
        if (k != 4) {
            printf("FAIL malformed catalogue line: %s\n", s);
            fails++;
            continue;
        }
        if (argc > 2 && strcmp(argv[2], f[0]) != 0) continue;
        cases++;
        fails += run_case(dir, f[0], f[1], atoi(f[2]), f[3]);
    }
    fclose(fp);
    if (cases == 0) {
        printf("FAIL no case %s in %s\n", argc > 2 ? argv[2] : "", argv[1]);
        return 1;
    }
    printf("%d case(s), %d failure(s)\n", cases, fails);
    return fails ? 1 : 0;
}
