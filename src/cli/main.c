/* SPDX-License-Identifier: MIT
 * cli/main.c -- the `ranvier` command: dispatches to subcommands listed in
 * commands.def, one file each (cmd_<name>.c).  Subcommands print errors as
 * `file:line: error: message [key]` and return non-zero; nothing below the
 * CLI prints or exits on its own.  `ranvier CONFIG.json ...` runs
 * `ranvier run CONFIG.json ...`.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define RV_COMMAND(name, fn, help)      int fn(int argc, char **argv);
#define RV_COMMAND_NAMED(str, fn, help) int fn(int argc, char **argv);
#include "commands.def"
#undef RV_COMMAND
#undef RV_COMMAND_NAMED

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} commands[] = {
#define RV_COMMAND(name, fn, help)      {#name, fn, help},
#define RV_COMMAND_NAMED(str, fn, help) {str, fn, help},
#include "commands.def"
#undef RV_COMMAND
#undef RV_COMMAND_NAMED
};

static void usage(FILE *f) {
    fprintf(f, "usage: ranvier COMMAND [ARGS...]\n"
               "       ranvier CONFIG.json [OPTIONS]   (= ranvier run CONFIG.json)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; ++i)
        fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; ++i)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
    /* `ranvier CONFIG [options]` (neurodamus' form) is `ranvier run CONFIG`:
     * the first argument an existing .json file */
    size_t n = strlen(argv[1]);
    struct stat sb;
    if (n > 5 && strcmp(argv[1] + n - 5, ".json") == 0 && stat(argv[1], &sb) == 0 &&
        S_ISREG(sb.st_mode))
        return rv_cmd_run(argc, argv);
    fprintf(stderr, "ranvier: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
