/* SPDX-License-Identifier: MIT
 * cli/cmd_version.c -- `ranvier version`. */
#include "ranvier/mech_abi.h"

#include <stdio.h>

int rv_cmd_version(int argc, char **argv) {
    (void)argc, (void)argv;
    printf("ranvier 0.1.0 (mechanism ABI %d)\n", RV_MECH_ABI_VERSION);
    return 0;
}
