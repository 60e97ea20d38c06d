/* SPDX-License-Identifier: MIT
 * sonata/nodesets_int.h -- private to nodesets*.c and compsets.c: the JSON
 * documents with value positions (nodesets_json.c, prefix rv__nsj_), the
 * parsed node sets (nodesets.c), their evaluation (nodesets_eval.c) and the
 * regex translation (nodesets_regex.c).
 */
#ifndef RV_SONATA_NODESETS_INT_H
#define RV_SONATA_NODESETS_INT_H

#include "ranvier/sonata_nodesets.h"

#include <jansson.h>
#include <regex.h>

/* ---- JSON documents (nodesets_json.c) ---------------------------------------
 * A document is the jansson tree of a file or text plus the line and column
 * of its values down to a fixed depth (the root is depth 0, its members 1,
 * theirs 2...).  Deeper values (long node_id lists) are not recorded, so the
 * map stays small for large files.  Entries are in document order; the
 * children of entry e follow it, before the next entry of depth <= its own.
 */
typedef struct rv__nsj_pos {
    int depth;
    long index; /* array element index, -1 for an object member */
    size_t key; /* object member: offset of its key in rv__nsj_doc.keys */
    int line, col;
} rv__nsj_pos;

typedef struct rv__nsj_doc {
    char *label; /* file path or text label, for messages */
    json_t *root;
    rv__nsj_pos *pos;
    size_t npos, cap_pos;
    char *keys;
    size_t nkeys, cap_keys;
    size_t *top; /* depth-1 entries sorted by key (object root) */
    size_t ntop;
} rv__nsj_doc;

/* Read `path` (or, when NULL, parse `text` labelled `label`) recording
 * positions to depth max_depth.  RV_ENOENT / RV_EIO for the file, RV_EFORMAT
 * for invalid JSON (jansson's line and column, duplicate keys refused) or a
 * root that is not an object (`what` names the file kind in messages). */
rv_status rv__nsj_read(const char *path, const char *text, const char *label, int max_depth,
                       const char *what, rv__nsj_doc *doc, rv_error *err);
void rv__nsj_free(rv__nsj_doc *doc);
/* The depth-1 entry of key `key`, or -1. */
long rv__nsj_top(const rv__nsj_doc *d, const char *key);
/* The child of entry e with key `key` (non-NULL) or array index `index`; -1. */
long rv__nsj_child(const rv__nsj_doc *d, long e, const char *key, long index);
/* Line and column of entry e (0, 0 for -1). */
void rv__nsj_where(const rv__nsj_doc *d, long e, int *line, int *col);
/* Set err: code, message, then the user position (label, entry e, key path). */
rv_status rv__nsj_fail(rv_error *err, rv_status code, const char *src, int src_line,
                       const char *label, int line, int col, const char *kp, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 9, 10)))
#endif
    ;
#define RV__NSJ_FAIL(err, code, label, line, col, kp, ...)                                         \
    rv__nsj_fail((err), (code), __FILE__, __LINE__, (label), (line), (col), (kp), __VA_ARGS__)
/* "an object", "a string", ... */
const char *rv__nsj_type(const json_t *v);
/* Compact JSON of v as an rv_malloc string (NULL on failure). */
char *rv__nsj_dump(const json_t *v);
/* A JSON number that is an integer: 1 and *out set; 0 if not integral or out
 * of range (*is_float set when it is a non-integral number). */
int rv__nsj_int64(const json_t *v, int64_t *out, int *is_float);
/* Key paths "parent.key" and "parent[i]" (truncated with "..."). */
#define RV__NSJ_KP 256
void rv__nsj_kp(char *buf, const char *parent, const char *key);
void rv__nsj_kpi(char *buf, const char *parent, size_t i);

/* ---- parsed node sets (nodesets.c) ------------------------------------------ */
typedef enum rv__ns_kind {
    RV__NS_POP,     /* population in strs */
    RV__NS_NODE_ID, /* ids */
    RV__NS_NULL,    /* empty list: matches nothing */
    RV__NS_EQ_INT,  /* attribute in ints (sorted, unique) */
    RV__NS_EQ_STR,  /* attribute in strs (sorted, unique) */
    RV__NS_CMP,     /* attribute op num */
    RV__NS_REGEX    /* attribute matches re */
} rv__ns_kind;

typedef enum rv__ns_op { RV__NS_GT, RV__NS_LT, RV__NS_GTE, RV__NS_LTE } rv__ns_op;

typedef struct rv__ns_clause {
    rv__ns_kind kind;
    char *attr; /* the key as written */
    size_t n;
    int64_t *ints;
    uint64_t *ids;
    char **strs;
    rv__ns_op op;
    double num;
    char *pattern;
    regex_t re;
    int has_re;
    int line, col;
} rv__ns_clause;

typedef struct rv__ns_set {
    char *name;
    int compound;
    rv__ns_clause *cl; /* basic */
    size_t ncl;
    char **members; /* compound */
    size_t nmem;
    size_t *midx; /* members resolved to set indices (after merging) */
    int *mline, *mcol;
    size_t src; /* index into rv_sonata_nodesets.srcs */
    int line, col;
    long overrides; /* source replaced, -1 */
    char *json;
} rv__ns_set;

struct rv_sonata_nodesets {
    rv__ns_set **sets; /* sorted by name */
    size_t n, cap;
    char **srcs; /* labels of the sources */
    size_t nsrc;
    char **warn;
    size_t nwarn, cap_warn;
};

/* ---- evaluation (nodesets_eval.c) ------------------------------------------- */
rv_status rv__ns_select(rv_sonata_nodesets *ns, size_t idx, rv_sonata_pop *pop, unsigned flags,
                        rv_sonata_sel *out, rv_error *err);

/* ---- regex (nodesets_regex.c) ------------------------------------------------
 * Translate an ECMAScript pattern into a POSIX ERE and compile it (REG_EXTENDED
 * | REG_NOSUB).  0 on success; otherwise a status (RV_EUNSUPPORTED for a
 * construct that has no ERE form, RV_EFORMAT for an invalid pattern, RV_ENOMEM)
 * and a message in why. */
rv_status rv__ns_regex_compile(const char *ecma, regex_t *out, char *why, size_t nwhy);
/* The translation alone (for tests): *out is an rv_malloc string; status as above. */
rv_status rv__ns_regex_translate(const char *ecma, char **out, char *why, size_t nwhy);

/* ---- selections (nodesets_eval.c) ------------------------------------------- */
rv_status rv__ns_sel_and(const rv_sonata_sel *a, const rv_sonata_sel *b, rv_sonata_sel *out,
                         rv_error *err);
rv_status rv__ns_sel_or(rv_sonata_sel *acc, const rv_sonata_sel *b, rv_error *err);

#endif
