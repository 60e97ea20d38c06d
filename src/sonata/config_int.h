/* SPDX-License-Identifier: MIT
 * sonata/config_int.h -- private to the config_*.c files of the SONATA layer.
 *
 * A load runs one rv__cfg_ctx.  Everything that ends up in the returned
 * rv_sonata_config lives in its arena (one chain of rv_malloc blocks freed
 * together).  Scratch data (file text, the jansson tree, the line map, the
 * problem list) is owned by the context and freed when the load returns.
 *
 * Problems are appended, never thrown: readers record one and carry on with
 * a default value.  An allocation failure sets ctx->oom; from then on
 * readers return early and the load reports RV_ENOMEM.
 */
#ifndef RV_SONATA_CONFIG_INT_H
#define RV_SONATA_CONFIG_INT_H

#include "ranvier/sonata_config.h"

#include <jansson.h>
#include <stdarg.h>

/* Key paths longer than this are truncated in messages. */
#define RV__CFG_PATH_MAX 512

typedef struct rv__cfg_line {
    size_t path_off; /* into rv__cfg_file.lm_text */
    int line, col;
} rv__cfg_line;

/* One JSON file being read. */
typedef struct rv__cfg_file {
    const char *path; /* absolute, arena */
    const char *dir;  /* its folder, arena */
    json_t *root;     /* after manifest expansion */
    rv__cfg_line *lm; /* line of every value, by key path */
    size_t n_lm, cap_lm;
    char *lm_text;
    size_t n_lm_text, cap_lm_text;
} rv__cfg_file;

typedef struct rv__cfg_ctx {
    rv_sonata_config *cfg;
    rv_sonata_cfg_flavour flavour; /* resolved (BBP or ALLEN) */
    rv__cfg_file *file;            /* the file being read */
    rv_error *problems;
    size_t n_problems, cap_problems;
    const char **warnings;
    size_t n_warnings, cap_warnings;
    int oom;
} rv__cfg_ctx;

/* ---- arena (config.c) ---------------------------------------------------- */
void *rv__cfg_alloc(rv__cfg_ctx *c, size_t n); /* zeroed; NULL (and c->oom) on failure */
void *rv__cfg_array(rv__cfg_ctx *c, size_t count, size_t size);
const char *rv__cfg_strdup(rv__cfg_ctx *c, const char *s); /* NULL stays NULL */
const char *rv__cfg_strndup(rv__cfg_ctx *c, const char *s, size_t n);
const char *rv__cfg_printf(rv__cfg_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- problems (config_json.c) -------------------------------------------
 * Records a problem about the value at key path `kp` of the current file
 * (line found through the line map, nearest enclosing value if `kp` has
 * none). */
void rv__cfg_problem(rv__cfg_ctx *c, rv_status code, const char *src_file, int src_line,
                     const char *kp, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
#define RV__CFG_PROBLEM(c, code, kp, ...)                                                          \
    rv__cfg_problem((c), (code), __FILE__, __LINE__, (kp), __VA_ARGS__)
/* A problem at an explicit line and column (invalid JSON). */
void rv__cfg_problem_at(rv__cfg_ctx *c, rv_status code, const char *src_file, int src_line,
                        const char *path, int line, int col, const char *msg);
void rv__cfg_warn(rv__cfg_ctx *c, const char *kp, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- files (config_json.c) ----------------------------------------------- */
/* Build the line map of `text` (valid JSON). */
void rv__cfg_linemap(rv__cfg_ctx *c, rv__cfg_file *f, const char *text);
void rv__cfg_file_free(rv__cfg_file *f);
/* Expand the manifest of f->root in place (see sonata_config.h). */
void rv__cfg_expand_manifest(rv__cfg_ctx *c, rv__cfg_file *f);

/* ---- paths (config_json.c) ----------------------------------------------- */
/* base/rel normalised (rel if absolute); arena string. */
const char *rv__cfg_path_join(rv__cfg_ctx *c, const char *base, const char *rel);
/* Child key paths: "parent.key" or "parent[i]" into buf. */
const char *rv__cfg_kp(char *buf, const char *parent, const char *key);
const char *rv__cfg_kpi(char *buf, const char *parent, size_t i);

/* ---- typed readers (config_json.c) ----------------------------------------
 * obj is the object at key path `kp`.  Each returns 1 when the key holds a
 * valid value (stored in *out), 0 when it is absent or null (a problem if
 * `required`), -1 when it is invalid (problem recorded, *out untouched). */
typedef struct rv__cfg_enum {
    const char *name;
    int value;
} rv__cfg_enum;

int rv__cfg_num(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                double *out);
int rv__cfg_int(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                long long *out);
int rv__cfg_bool(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                 int *out);
int rv__cfg_str(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                const char **out);
/* A path: a string resolved against `base` (the file's folder when NULL);
 * "" counts as absent. */
int rv__cfg_path(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                 const char *base, const char **out);
/* `what` names the allowed values in messages, e.g. "soma or AIS". */
int rv__cfg_enumv(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                  const rv__cfg_enum *tab, int *out);
/* A number or an array of numbers (scalar gives one element). */
int rv__cfg_nums(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                 int allow_scalar, const double **out, size_t *n);
/* An object (1), absent/null (0), or another type (-1). */
int rv__cfg_obj(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                json_t **out);
/* Scalar entries of an object as params.  `strict`: arrays, objects and
 * null are problems (libsonata's variant type); else kept as JSON text. */
void rv__cfg_params(rv__cfg_ctx *c, json_t *obj, const char *kp, int strict,
                    rv_sonata_cfg_params *out);
/* One JSON value as a generic value; -1 if `strict` refuses its type. */
int rv__cfg_value(rv__cfg_ctx *c, json_t *v, int strict, rv_sonata_cfg_value *out);
/* "string", "integer", ... for messages. */
const char *rv__cfg_type_name(const json_t *v);
/* Frees text that jansson allocated (json_dumps), with jansson's free. */
void rv__cfg_json_free(void *p);
/* Compact JSON text of v in the arena. */
const char *rv__cfg_dump(rv__cfg_ctx *c, const json_t *v);

/* ---- sections ---------------------------------------------------------- */
/* target_simulator spellings of the current flavour (config_circuit.c). */
const rv__cfg_enum *rv__cfg_simulators(const rv__cfg_ctx *c);
rv_sonata_circuit_config *rv__cfg_circuit(rv__cfg_ctx *c, rv__cfg_file *f);
rv_sonata_simulation_config *rv__cfg_simulation(rv__cfg_ctx *c, rv__cfg_file *f);
void rv__cfg_inputs(rv__cfg_ctx *c, json_t *root, rv_sonata_simulation_config *s);

#endif
