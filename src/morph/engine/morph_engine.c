/* SPDX-License-Identifier: MIT
 * morph/engine/morph_engine.c -- rv_morph_instantiate: an rv_morph's
 * sections made in an rv_model through the engine's public API.
 *
 * Kept out of rv_morph (library rv_morph_engine) so that the morphology layer
 * depends on base only; the hoc layer builds sections through its own
 * rv_morph_builder instead.  Section names get an optional prefix
 * ("Cell[0].") so that several cells can share a model.  pt3dstyle has no
 * engine counterpart (it only changes drawing) and is not passed on.
 */
#include "ranvier/engine.h"
#include "ranvier/morph.h"

#include <stdio.h>
#include <string.h>

typedef struct eb {
    rv_model *model;
    const char *prefix;
} eb;

static rv_status eb_create(void *ud, const rv_morph_section *s, int *handle, rv_error *err) {
    eb *e = ud;
    char name[320];
    snprintf(name, sizeof name, "%s%s", e->prefix ? e->prefix : "", s->name);
    return rv_section_create(e->model, name, 1, handle, err);
}

static rv_status eb_connect(void *ud, int child, int child_end, int parent, double px,
                            rv_error *err) {
    eb *e = ud;
    return rv_section_connect(e->model, child, child_end, parent, px, err);
}

static rv_status eb_pt3dadd(void *ud, int sec, double x, double y, double z, double d,
                            rv_error *err) {
    eb *e = ud;
    return rv_section_pt3d_add(e->model, sec, x, y, z, d, err);
}

rv_status rv_morph_instantiate(const rv_morph *m, struct rv_model *model, const char *prefix,
                               int *secs, rv_error *err) {
    if (!m || !model) return RV_FAIL(err, RV_EINVAL, "rv_morph_instantiate: NULL argument");
    eb e = {model, prefix};
    rv_morph_builder b = {&e, eb_create, eb_connect, NULL, eb_pt3dadd};
    return rv_morph_build(m, &b, secs, err);
}
