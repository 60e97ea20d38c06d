/* SPDX-License-Identifier: MIT
 * ranvier/nmodl.h -- layer 2: the NMODL compiler.
 *
 * A .mod file is translated into C written against ranvier/mech_abi.h (one
 * `const rv_mech_type` per mechanism).  A folder of .mod files is compiled
 * by the system C compiler into one shared object exporting
 *     int rv_mechanisms(const rv_mech_type *const **types);
 * (returns the count and points *types at the list), cached by a content
 * hash under $XDG_CACHE_HOME/ranvier (or ~/.cache/ranvier), and loaded with
 * dlopen into a model.
 *
 * Diagnostics are "file:line:col: error: message" lines.  Strings returned
 * through char ** are allocated with rv_malloc and freed with rv_free.
 */
#ifndef RV_NMODL_H
#define RV_NMODL_H

#include "ranvier/base.h"
#include "ranvier/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the generated code; part of the cache key. */
#define RV_NMODL_VERSION 1

/* Translate one .mod text to C.  `path` names it in diagnostics.  On
 * RV_OK *c_out holds the C; *diag_out (if non-NULL) always receives the
 * diagnostics text (possibly empty).  Syntax or semantic errors give
 * RV_EFORMAT, constructs not handled yet RV_EUNSUPPORTED; err then names
 * the first diagnostic. */
rv_status rv_nmodl_translate(const char *path, const char *src, size_t len, char **c_out,
                             char **diag_out, rv_error *err);
/* Same for a file on disk. */
rv_status rv_nmodl_translate_file(const char *path, char **c_out, char **diag_out, rv_error *err);

typedef struct rv_nmodl_build_opts {
    const char *cc;        /* C compiler; NULL: $CC, else "cc" */
    const char *cache_dir; /* NULL: $XDG_CACHE_HOME/ranvier or ~/.cache/ranvier */
    const char *out;       /* also copy the shared object here (NULL: no copy) */
    int force;             /* rebuild even when cached */
    int verbose;           /* print the compiler command on stderr */
} rv_nmodl_build_opts;

/* Compile every *.mod of the directories (or single .mod files) into one
 * shared object; *so_path (size n) receives its path in the cache.
 * *cache_hit is set to 1 when nothing had to be compiled. */
rv_status rv_nmodl_build(const char *const *inputs, int ninputs, const rv_nmodl_build_opts *opts,
                         char *so_path, size_t n, int *cache_hit, char **diag_out, rv_error *err);

/* A loaded mechanism library; it must outlive every model using it. */
typedef struct rv_nmodl_lib rv_nmodl_lib;

rv_status rv_nmodl_open(const char *so_path, rv_nmodl_lib **out, rv_error *err);
int rv_nmodl_lib_count(const rv_nmodl_lib *lib);
const rv_mech_type *rv_nmodl_lib_type(const rv_nmodl_lib *lib, int i);
void rv_nmodl_close(rv_nmodl_lib *lib);

/* Flags of rv_nmodl_register / rv_nmodl_load */
#define RV_NMODL_REPLACE 0x1 /* a type named like a registered one replaces it in place */

/* Register every type of the library into m (rv_model_add_mech, or
 * rv_model_replace_mech with RV_NMODL_REPLACE for names already present). */
rv_status rv_nmodl_register(const rv_nmodl_lib *lib, rv_model *m, int flags, rv_error *err);

/* path: a shared object, or one or more directories of .mod files joined
 * by ':' (built through the cache).  Opens, registers, returns the library
 * in *out (close it after destroying the model). */
rv_status rv_nmodl_load(rv_model *m, const char *path, int flags, rv_nmodl_lib **out,
                        rv_error *err);

#ifdef __cplusplus
}
#endif
#endif
