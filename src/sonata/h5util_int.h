/* SPDX-License-Identifier: MIT
 * sonata/h5util_int.h -- private to the nodes/edges readers: HDF5 helpers
 * (h5util.c, prefix rv__h5_), the types CSV tables (csvtypes.c, rv__csvt_),
 * the population core shared by nodes.c and edges.c (rv__circ_), and the
 * structures behind rv_sonata_file and rv_sonata_pop.
 *
 * Paths held here are absolute HDF5 paths ("/nodes/A/0/x"); every error
 * names the file (err->path) and the dataset (err->key).
 */
#ifndef RV_SONATA_H5UTIL_INT_H
#define RV_SONATA_H5UTIL_INT_H

#include "ranvier/sonata_circuit.h"

#include <hdf5.h>

/* ---- HDF5 helpers (h5util.c) -------------------------------------------- */

/* Turn off HDF5's automatic error printing (errors come back as rv_error). */
void rv__h5_quiet(void);
/* Open read-only; RV_ENOENT (missing), RV_EIO (unreadable, directory),
 * RV_EFORMAT (not HDF5). */
rv_status rv__h5_open_file(const char *path, hid_t *out, rv_error *err);
/* 1 if every component of `path` exists (link), 0 otherwise. */
int rv__h5_exists(hid_t fid, const char *path);
/* 1 group, 2 dataset, 0 other or missing. */
int rv__h5_kind(hid_t fid, const char *path);

/* Children of a group, sorted by name; *names is one rv_malloc block
 * (pointer array then text), *kinds (rv_malloc) as rv__h5_kind. */
rv_status rv__h5_list(hid_t fid, const char *file, const char *group, char ***names, int **kinds,
                      size_t *n, rv_error *err);

/* Map an HDF5 type to rv_sonata_dtype (enum types map to their base). */
rv_sonata_dtype rv__h5_dtype(hid_t type);

typedef struct rv__dsinfo {
    rv_sonata_dtype dtype;
    int rank;         /* 0 scalar, 1, 2; a null dataspace is rank 1 length 0 */
    uint64_t dims[2]; /* dims[1] is 1 for rank 1 */
} rv__dsinfo;

/* Shape and dtype of a dataset (RV_ENOENT if missing, RV_EFORMAT if not a
 * dataset or more than 2-D). */
rv_status rv__h5_info(hid_t fid, const char *file, const char *dset, rv__dsinfo *out,
                      rv_error *err);

typedef enum rv__rd {
    RV__RD_F64, /* double: integer or float datasets */
    RV__RD_I64, /* int64: integer datasets; unsigned above INT64_MAX refused */
    RV__RD_U64, /* uint64: integer datasets; negative values refused */
    RV__RD_STR  /* char * (rv_strdup each, caller frees): string datasets */
} rv__rd;

/* Read the rows of ranges r[0..nr) (sorted, disjoint) of a 1-D or 2-D
 * dataset, all columns, into out (rows in order; for 2-D, row-major).
 * Rows outside the dataset are RV_EFORMAT naming `why` (what the rows are,
 * for the message; may be NULL).  *bytes grows by the bytes requested. */
rv_status rv__h5_read_rows(hid_t fid, const char *file, const char *dset, const rv_sonata_range *r,
                           size_t nr, rv__rd kind, void *out, uint64_t *bytes, const char *why,
                           rv_error *err);
/* Read a string attribute (HDF5 attribute, not dataset) of an object. */
rv_status rv__h5_read_str_attr(hid_t fid, const char *file, const char *obj, const char *attr,
                               char **out, rv_error *err);

/* printf into a new rv_malloc string (NULL on failure). */
char *rv__h5_strf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Set err (status code) naming file and dataset; returns code. */
#define RV__FAILK(err, code, file, key, ...)                                                       \
    rv__h5_fail_where(rv_error_set((err), (code), __FILE__, __LINE__, __VA_ARGS__), (err), (file), \
                      (key))
rv_status rv__h5_fail_where(rv_status code, rv_error *err, const char *file, const char *key);
/* Out of memory, with what was being allocated. */
rv_status rv__h5_nomem(rv_error *err, const char *src, int line, const char *what);
#define RV__NOMEM(err, what) rv__h5_nomem((err), __FILE__, __LINE__, (what))

/* Sort helper for selections (canonicalise ranges in place, returns new n). */
size_t rv__h5_ranges_canon(rv_sonata_range *r, size_t n);

/* ---- types CSV (csvtypes.c) --------------------------------------------- */
typedef struct rv__types {
    char *path;
    size_t ncol, nrow;
    char **cols;               /* column names */
    size_t id_col;             /* the node_type_id / edge_type_id column */
    int64_t *ids;              /* type id per row, rows sorted by id */
    char **cells;              /* nrow * ncol, NULL for NONE */
    int *lines;                /* source line of each row */
    rv_sonata_dtype *col_type; /* INT64, FLOAT64 or STRING per column */
    char *text;                /* storage of names and cells */
} rv__types;

rv_status rv__csvt_load(const char *path, const char *id_col, rv__types **out, rv_error *err);
void rv__csvt_free(rv__types *t);
long rv__csvt_col(const rv__types *t, const char *name);
long rv__csvt_row(const rv__types *t, int64_t type_id);

/* ---- files and populations (nodes.c; edges.c adds the edge parts) ------- */
struct rv_sonata_file {
    hid_t fid;
    rv_sonata_kind kind;
    char *path;
    rv__types *types; /* NULL without a CSV */
    char **pops;      /* one block */
    size_t npop;
    int refs; /* the caller's reference + one per open population */
};

typedef struct rv__gattr {
    char *name;  /* attribute name ("x", "@dynamics:p") */
    size_t attr; /* index into pop->attrs */
    char *dset;  /* absolute dataset path */
    char *lib;   /* @library dataset path, NULL if not an enumeration */
    rv__dsinfo info;
} rv__gattr;

typedef struct rv__group {
    uint32_t id;
    char *path;
    rv__gattr *ga;
    size_t nga;
} rv__group;

typedef struct rv__attr {
    char *name;
    rv_sonata_dtype dtype;
    int enumeration, dynamics, n_groups;
    long csv_col; /* -1 if not in the CSV */
} rv__attr;

/* Per-row group look-up of the last selection read (reused while the same
 * selection is read again, as when many attributes of one edge selection
 * are read in turn). */
typedef struct rv__map {
    rv_sonata_sel sel; /* copy of the selection */
    int valid;
    int identity;   /* every row in group `g0` at group index = row */
    uint32_t g0;    /* the group id when identity */
    uint32_t *gid;  /* per row, NULL when identity */
    uint64_t *gidx; /* per row, NULL when identity */
    int64_t *type;  /* per row type id, NULL until needed */
} rv__map;

struct rv_sonata_pop {
    rv_sonata_file *f;
    char *name;
    char *root; /* "/nodes/<name>" */
    rv_sonata_kind kind;
    uint64_t size;
    char *type_ds, *gid_ds, *gidx_ds; /* gid/gidx NULL when implicit */
    char *node_id_ds;                 /* nodes: NULL if absent */
    rv__group *groups;                /* sorted by id */
    size_t ngroups;
    rv__attr *attrs; /* sorted by name */
    size_t nattr;
    uint64_t bytes_read;
    rv__map map;
    /* edges */
    char *src_ds, *tgt_ds, *src_pop, *tgt_pop;
    char *n2r[2], *r2e[2]; /* index datasets per rv_sonata_edge_dir, NULL if absent */
};

/* Opening of the file object shared by rv_sonata_nodes_open/edges_open. */
rv_status rv__circ_file_open(const char *h5_path, const char *csv, rv_sonata_kind kind,
                             rv_sonata_file **out, rv_error *err);
/* Check a population-level dataset: 1-D integer of length p->size (or any
 * length if p->size is UINT64_MAX, then set). */
rv_status rv__circ_check_ids(rv_sonata_pop *p, const char *dset, rv_error *err);
/* Check that sel is canonical and within the population. */
rv_status rv__circ_check_sel(const rv_sonata_pop *p, const rv_sonata_sel *sel, rv_error *err);
/* Read a population-level dataset over sel. */
rv_status rv__circ_read_ds(rv_sonata_pop *p, const char *dset, const rv_sonata_sel *sel,
                           rv__rd kind, void *out, rv_error *err);
/* Edge-specific part of rv_sonata_pop_open (edges.c). */
rv_status rv__circ_edges_init(rv_sonata_pop *p, rv_error *err);

#endif
