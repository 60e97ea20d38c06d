/* SPDX-License-Identifier: MIT
 * tests/oracle/test_mechs.h -- hand-written test mechanisms (see .c). */
#ifndef RV_TEST_MECHS_H
#define RV_TEST_MECHS_H
#include "ranvier/engine.h"
extern const rv_mech_type rv_test_mech_carv, rv_test_mech_cadrv;
#endif
