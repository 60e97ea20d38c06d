/* SPDX-License-Identifier: MIT
 * driver/emodel.h -- private: instantiate one Blue Brain cell's emodel hoc
 * template as neurodamus does (facts §1, §2); used by bbp.c (the cells of
 * the run) and loadbal.c (the cells measured for --lb-mode).
 */
#ifndef RV_DRV_EMODEL_H
#define RV_DRV_EMODEL_H

#include "ranvier/base.h"
#include "ranvier/hoc.h"
#include "ranvier/sonata_circuit.h"
#include "ranvier/sonata_config.h"
#include "ranvier/sonata_resolve.h"

#include <stdint.h>

/* Runs `var = new T(raw, "dir", "file", extras...)` in h: T is the hoc
 * template model_template `tpl` names (its file is loaded when h does not
 * know T yet), dir/file the morphology `morph` resolves to, split at the
 * last '/', and extras the values of the node attributes
 * `@dynamics:<name>` for the names in the strdef T_NeededAttributes
 * ("a;b;c"; strings quoted), else a single 0.  `var` must be an objref
 * already.  pop_name names the population in messages; *tp (optional)
 * receives the resolved template. */
rv_status rv__emodel_new(rv_hoc *h, const rv_sonata_cfg_population *cfg, rv_sonata_pop *pop,
                         const char *pop_name, uint64_t raw, const char *tpl, const char *morph,
                         const char *var, rv_sonata_template *tp, rv_error *err);

#endif
