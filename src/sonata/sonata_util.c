/* SPDX-License-Identifier: MIT
 * sonata/sonata_util.c -- placeholder translation unit so that the SONATA
 * library exists before its topics land; holds the layer's version string.
 */
#include "ranvier/base.h"

const char *rv_sonata_layer_version(void) { return "sonata-io 0"; }
