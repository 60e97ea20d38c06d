/* SPDX-License-Identifier: MIT
 * ranvier/hoc.h -- layer 3: a hoc interpreter building cells in an rv_model.
 *
 * The interpreter runs NEURON hoc (templates, procs/funcs, sections, range
 * variables, the objects emodel templates use) and creates sections,
 * mechanisms and point processes in the model through engine.h only.
 * Sections of template instances are named as NEURON names them
 * ("TestCell[0].soma[0]").  Every entry point returns an rv_status; errors
 * carry the hoc file and line ("cell.hoc:12: error: ...").  The model must
 * outlive the interpreter; the interpreter never destroys it.
 */
#ifndef RV_HOC_H
#define RV_HOC_H

#include "ranvier/base.h"
#include "ranvier/engine.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rv_hoc rv_hoc;

/* A point-process FUNCTION/PROCEDURE called from hoc (`syn.setRNG(1, 2, 3)`):
 * pp, the function's name (owned by the interpreter), numeric arguments. */
typedef rv_status (*rv_hoc_pp_call_fn)(void *ud, int pp, const char *fn, const double *args,
                                       int nargs, double *result, rv_error *err);

/* Output sink for print/printf (default: stdout). */
typedef void (*rv_hoc_write_fn)(void *ud, const char *text, size_t n);

rv_status rv_hoc_create(rv_model *m, rv_hoc **out, rv_error *err);
void rv_hoc_destroy(rv_hoc *h);
void rv_hoc_set_output(rv_hoc *h, rv_hoc_write_fn fn, void *ud);
/* Top-level expression statements print their value as nrniv does
 * (default on; off for embedding). */
void rv_hoc_set_echo(rv_hoc *h, int on);
/* Stop with an error after this many executed statements per call
 * (0: no limit; for fuzzing and untrusted snippets). */
void rv_hoc_set_step_limit(rv_hoc *h, long max_statements);
/* Run a hoc file (as load_file: relative paths inside it are relative to
 * the including file; loading the same file twice is a no-op). */
rv_status rv_hoc_load_file(rv_hoc *h, const char *path, rv_error *err);
/* Run hoc source text; `name` is used in error messages. */
rv_status rv_hoc_exec(rv_hoc *h, const char *code, const char *name, rv_error *err);
/* Declare a mechanism registered in the model (by rv_model_add_mech), so
 * that its range variables ("gIhbar_Ih") and, for "X_ion", the ion's
 * variables ("eX", "Xi", "Xo", "iX") are recognised before the first
 * `insert`.  The built-ins are declared by rv_hoc_create. */
rv_status rv_hoc_declare_mechanism(rv_hoc *h, const char *name, rv_error *err);
/* Mechanism GLOBAL variables assigned in hoc ("usetable_hh = 0") are kept
 * until this call (setting them sets the model up, which freezes its
 * structure); the hoc finitialize() applies them too.  Call it after all
 * cells are built, before rv_model_finitialize. */
rv_status rv_hoc_apply_globals(rv_hoc *h, rv_error *err);
/* Write the state of the cell held by the top-level objref `objref` (a
 * template instance) as JSON in the layout of neurodamus's cell-state dump
 * (cellstate_<gid>.json): cell attributes, every section, segment and
 * mechanism variable (rounded to 14 decimals), v.  Sections: the template's
 * `all` list, else its sections in creation order.  `gid` is written when
 * the template has no `gid` variable.  Point processes are not written.
 * Reading values sets the model up (call after finitialize). */
rv_status rv_hoc_dump_cell(rv_hoc *h, const char *objref, double gid, FILE *out, rv_error *err);
/* Read a top-level numeric variable. */
rv_status rv_hoc_get_number(rv_hoc *h, const char *name, double *value, rv_error *err);

/* ---- for simulation drivers (hoc_api_cell.c) ---------------------------- */
/* Engine section ids of a SectionList expression ("cell.all", is_list 1) or
 * of one section ("cell.soma[0]", is_list 0), in list order; *secs comes
 * from rv_malloc (the caller frees it with rv_free). */
rv_status rv_hoc_sections(rv_hoc *h, const char *expr, int is_list, int **secs, int *n,
                          rv_error *err);
/* Element `index` of a top-level number variable or array. */
rv_status rv_hoc_get_element(rv_hoc *h, const char *name, int index, double *value, rv_error *err);
/* The value of a top-level strdef (owned by the interpreter); RV_ENOENT when
 * it does not exist. */
rv_status rv_hoc_get_string(rv_hoc *h, const char *name, const char **value, rv_error *err);
/* 1 when `name` is a template defined by hoc code. */
int rv_hoc_has_template(rv_hoc *h, const char *name);
/* 1 when template `tmpl` defines the proc/func/obfunc `fn`. */
int rv_hoc_template_has_func(rv_hoc *h, const char *tmpl, const char *fn);
/* Make the top-level objref `name` refer to the point process `pp` (of
 * mechanism `mech`) created through engine.h, so hoc code can set it. */
rv_status rv_hoc_bind_pp(rv_hoc *h, const char *name, const char *mech, int pp, rv_error *err);
/* NEURON's sec.orientation(): the end (0 or 1) of section `sec` that is
 * connected towards the root; -1 for an unknown section. */
int rv_hoc_section_orientation(rv_hoc *h, int sec);
/* Route point-process FUNCTION/PROCEDURE calls made by hoc code through fn
 * (a driver defers those that would lower the model); NULL: rv_pp_call. */
void rv_hoc_set_pp_call(rv_hoc *h, rv_hoc_pp_call_fn fn, void *ud);
/* Run hoc source text with engine section `sec` as the accessed section. */
rv_status rv_hoc_exec_in_section(rv_hoc *h, int sec, const char *code, const char *name,
                                 rv_error *err);
/* The point process the top-level objref `name` refers to: its id and
 * mechanism name (owned by the interpreter); RV_EINVAL when it is not one. */
rv_status rv_hoc_get_pp(rv_hoc *h, const char *name, int *pp, const char **mech, rv_error *err);
/* 1 when template `tmpl` declares `name` public. */
int rv_hoc_template_has_public(rv_hoc *h, const char *tmpl, const char *name);

#ifdef __cplusplus
}
#endif
#endif
