/* SPDX-License-Identifier: MIT
 * ranvier/sonata_circuit.h -- SONATA nodes and edges files (layer 4).
 *
 * A nodes or edges HDF5 file, optionally paired with its types CSV file, is
 * opened as an rv_sonata_file.  Each population inside it is opened as an
 * rv_sonata_pop; nodes and edges populations share one type because they
 * share the SONATA layout:
 *
 *   /nodes/<pop>/node_type_id            (size of the population)
 *   /nodes/<pop>/node_group_id           optional when there is one group
 *   /nodes/<pop>/node_group_index        optional when there is one group
 *   /nodes/<pop>/node_id                 optional, exposed as data
 *   /nodes/<pop>/<g>/<attr>              one dataset per attribute, g = 0, 1...
 *   /nodes/<pop>/<g>/dynamics_params/<p> exposed as attribute "@dynamics:<p>"
 *   /nodes/<pop>/<g>/@library/<attr>     strings: <attr> is an enumeration
 *   (edges: the same with edge_, plus source_node_id, target_node_id and
 *    indices/{source_to_target,target_to_source}/{node_id_to_ranges,
 *    range_to_edge_id})
 *
 * Rows are addressed by their index in the population (the SONATA node or
 * edge id, as in libsonata); a selection is a canonical list of half-open
 * ranges of rows.  Every read takes a selection and fills the caller's array
 * in ascending row order, reading only the selected rows from the file
 * (hyperslabs), never whole datasets.
 *
 * Attribute values: a node's (edge's) value of attribute A comes from the
 * dataset A of its group when that dataset exists ("HDF5 wins"), else from
 * column A of the types CSV at the row of its node_type_id (edge_type_id),
 * else it is missing (a CSV value NONE is missing too).  String reads give
 * NULL for missing values; numeric reads fail on them.
 *
 * Population-type defaults from the circuit config (model_type of a
 * population) are the caller's business: this layer exposes the values.
 *
 * Every function returns rv_status and fills err (if non-NULL); err->path is
 * the file and err->key the HDF5 dataset path (or CSV column) at fault.
 * Files are opened read-only; the HDF5 library's own error printing is
 * turned off by the open functions (H5Eset_auto2 on the default stack).
 * Objects are not thread-safe (HDF5 serial is not either).
 */
#ifndef RV_SONATA_CIRCUIT_H
#define RV_SONATA_CIRCUIT_H

#include "ranvier/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- selections ---------------------------------------------------------
 * Canonical: ranges sorted by begin, each non-empty, disjoint and not
 * touching (ranges that meet are merged).  The ranges array is owned by the
 * selection (rv_malloc); rv_sonata_sel_free releases it.  An empty selection
 * has n == 0 and r == NULL.
 */
typedef struct rv_sonata_range {
    uint64_t begin, end; /* rows begin .. end-1 */
} rv_sonata_range;

typedef struct rv_sonata_sel {
    rv_sonata_range *r;
    size_t n;
} rv_sonata_sel;

/* From arbitrary ids (any order, duplicates allowed). */
rv_status rv_sonata_sel_from_ids(const uint64_t *ids, size_t n, rv_sonata_sel *out, rv_error *err);
/* From arbitrary ranges (any order, may overlap; empty ranges dropped). */
rv_status rv_sonata_sel_from_ranges(const rv_sonata_range *r, size_t n, rv_sonata_sel *out,
                                    rv_error *err);
/* Number of rows selected. */
uint64_t rv_sonata_sel_count(const rv_sonata_sel *sel);
/* The selected rows, ascending, into ids (rv_sonata_sel_count entries). */
void rv_sonata_sel_to_ids(const rv_sonata_sel *sel, uint64_t *ids);
void rv_sonata_sel_free(rv_sonata_sel *sel);

/* ---- files and populations --------------------------------------------- */
typedef struct rv_sonata_file rv_sonata_file;
typedef struct rv_sonata_pop rv_sonata_pop;

typedef enum rv_sonata_kind { RV_SONATA_NODES = 0, RV_SONATA_EDGES = 1 } rv_sonata_kind;

/* Open a nodes file (group /nodes) or an edges file (group /edges).
 * types_csv may be NULL; otherwise it is the space-separated types table
 * (first line: column names, one of them node_type_id / edge_type_id;
 * fields may be double-quoted; NONE is a missing value).  Errors: the file
 * is missing (RV_ENOENT), unreadable (RV_EIO), not HDF5 or without the top
 * group (RV_EFORMAT), or the CSV is malformed (RV_EFORMAT, with line). */
rv_status rv_sonata_nodes_open(const char *h5_path, const char *types_csv, rv_sonata_file **out,
                               rv_error *err);
rv_status rv_sonata_edges_open(const char *h5_path, const char *types_csv, rv_sonata_file **out,
                               rv_error *err);
/* Release the caller's reference; the file stays open while populations
 * opened from it are open.  Accepts NULL. */
void rv_sonata_file_close(rv_sonata_file *f);
rv_sonata_kind rv_sonata_file_kind(const rv_sonata_file *f);
const char *rv_sonata_file_path(const rv_sonata_file *f);
/* Population names, sorted (byte order); valid until the file is freed. */
size_t rv_sonata_file_population_count(const rv_sonata_file *f);
const char *rv_sonata_file_population_name(const rv_sonata_file *f, size_t i);

/* Open population `name`: checks that the population-level datasets exist,
 * are 1-D integers of one length, finds the groups and lists attributes.
 * RV_ENOENT for an unknown name or a missing mandatory dataset. */
rv_status rv_sonata_pop_open(rv_sonata_file *f, const char *name, rv_sonata_pop **out,
                             rv_error *err);
void rv_sonata_pop_close(rv_sonata_pop *p); /* accepts NULL */
const char *rv_sonata_pop_name(const rv_sonata_pop *p);
rv_sonata_kind rv_sonata_pop_kind(const rv_sonata_pop *p);
uint64_t rv_sonata_pop_size(const rv_sonata_pop *p);
/* Bytes of dataset elements requested from HDF5 by this population so far
 * (every read, including index and group look-ups): the measure that reads
 * are proportional to selections. */
uint64_t rv_sonata_pop_bytes_read(const rv_sonata_pop *p);

/* ---- attributes ---------------------------------------------------------
 * Names: HDF5 group datasets ("x", "model_template", "conductance"...),
 * dynamics_params datasets as "@dynamics:<name>", and the CSV columns other
 * than the type id column.  Listed sorted by name, each once. */
typedef enum rv_sonata_dtype {
    RV_SONATA_NONE = 0, /* no value source (unused in listings) */
    RV_SONATA_INT8,
    RV_SONATA_UINT8,
    RV_SONATA_INT16,
    RV_SONATA_UINT16,
    RV_SONATA_INT32,
    RV_SONATA_UINT32,
    RV_SONATA_INT64,
    RV_SONATA_UINT64,
    RV_SONATA_FLOAT32,
    RV_SONATA_FLOAT64,
    RV_SONATA_STRING, /* fixed or variable length */
    RV_SONATA_OTHER   /* compound, array, 2-D...: listed, not readable */
} rv_sonata_dtype;

/* "int8" ... "float64", "string", "other" */
const char *rv_sonata_dtype_name(rv_sonata_dtype t);

typedef struct rv_sonata_attr_info {
    const char *name;      /* valid while the population is open */
    rv_sonata_dtype dtype; /* of the first group's dataset; else inferred from the CSV
                              column: int64 if every value is an integer, float64 if every
                              value is a number, else string */
    int enumeration;       /* 1: integer indices into @library/<name> strings */
    int dynamics;          /* 1: a dynamics_params dataset */
    int n_groups;          /* number of groups holding a dataset of this name */
    int in_csv;            /* 1: a column of the types CSV */
} rv_sonata_attr_info;

size_t rv_sonata_pop_attr_count(const rv_sonata_pop *p);
rv_status rv_sonata_pop_attr_info(const rv_sonata_pop *p, size_t i, rv_sonata_attr_info *out,
                                  rv_error *err);
/* Index of attribute `name`, or -1. */
long rv_sonata_pop_attr_find(const rv_sonata_pop *p, const char *name);

/* Groups: their ids (the numeric group names), ascending. */
size_t rv_sonata_pop_group_count(const rv_sonata_pop *p);
uint32_t rv_sonata_pop_group_id(const rv_sonata_pop *p, size_t g);
/* dtype of attribute `name` in group id `group_id`, RV_SONATA_NONE if that
 * group has no dataset of this name. */
rv_sonata_dtype rv_sonata_pop_group_attr_dtype(const rv_sonata_pop *p, uint32_t group_id,
                                               const char *name);

/* Every read below: `sel` must be canonical and inside [0, size); `out` has
 * rv_sonata_sel_count(sel) entries, filled in ascending row order. */

/* Numeric values as double: integer and float datasets, numeric CSV values.
 * A string attribute is a dtype error (RV_EFORMAT); a missing value too. */
rv_status rv_sonata_pop_read_f64(rv_sonata_pop *p, const char *name, const rv_sonata_sel *sel,
                                 double *out, rv_error *err);
/* Integer values: integer datasets (enumerations give their indices) and
 * integer CSV values; floats are a dtype error; uint64 values above
 * INT64_MAX are RV_ERANGE. */
rv_status rv_sonata_pop_read_i64(rv_sonata_pop *p, const char *name, const rv_sonata_sel *sel,
                                 int64_t *out, rv_error *err);
/* Strings: string datasets, @library enumerations (resolved; an index
 * outside the library is an error) and CSV values.  *out is one rv_malloc
 * block holding the pointer array and the text: free it with rv_free.
 * Entries are NULL where a row has no value.  Numeric datasets are a dtype
 * error. */
rv_status rv_sonata_pop_read_str(rv_sonata_pop *p, const char *name, const rv_sonata_sel *sel,
                                 char ***out, rv_error *err);

/* node_type_id / edge_type_id of the selected rows. */
rv_status rv_sonata_pop_read_type_ids(rv_sonata_pop *p, const rv_sonata_sel *sel, int64_t *out,
                                      rv_error *err);
/* node_group_id / node_group_index (edge_...) of the selected rows; either
 * array may be NULL.  Implicit (single group, row = index) when the file
 * has no such datasets. */
rv_status rv_sonata_pop_read_groups(rv_sonata_pop *p, const rv_sonata_sel *sel, uint32_t *group_id,
                                    uint64_t *group_index, rv_error *err);

/* ---- nodes --------------------------------------------------------------- */
/* The optional node_id dataset (1 if present). */
int rv_sonata_nodes_has_node_id(const rv_sonata_pop *p);
/* node_id values, or the row index when the dataset is absent. */
rv_status rv_sonata_nodes_read_node_ids(rv_sonata_pop *p, const rv_sonata_sel *sel, uint64_t *out,
                                        rv_error *err);
/* model_type and model_template of the selected rows (NULL where missing;
 * each array one rv_malloc block, free with rv_free; either may be NULL). */
rv_status rv_sonata_nodes_read_models(rv_sonata_pop *p, const rv_sonata_sel *sel,
                                      char ***model_type, char ***model_template, rv_error *err);
/* Rotation matrices (row-major 3x3, out[9*i + 3*r + c]) taking a cell's
 * local coordinates to the circuit's.  Per node, as neurodamus:
 *   - all of orientation_x/y/z/w present: the quaternion (x, y, z, w),
 *     normalised (a zero quaternion is RV_ERANGE);
 *   - else any of rotation_angle_xaxis/yaxis/zaxis present (radians,
 *     missing angles 0): extrinsic rotations about x, then y, then z,
 *     R = Rz(az) * Ry(ay) * Rx(ax) (scipy's from_euler("xyz"));
 *   - else the identity, and has_rotation[i] = 0.
 * has_rotation may be NULL. */
rv_status rv_sonata_nodes_read_rotations(rv_sonata_pop *p, const rv_sonata_sel *sel, double *out,
                                         unsigned char *has_rotation, rv_error *err);

/* ---- edges --------------------------------------------------------------- */
/* The node_population attributes of source_node_id / target_node_id. */
const char *rv_sonata_edges_source_population(const rv_sonata_pop *p);
const char *rv_sonata_edges_target_population(const rv_sonata_pop *p);
rv_status rv_sonata_edges_read_source_ids(rv_sonata_pop *p, const rv_sonata_sel *sel, uint64_t *out,
                                          rv_error *err);
rv_status rv_sonata_edges_read_target_ids(rv_sonata_pop *p, const rv_sonata_sel *sel, uint64_t *out,
                                          rv_error *err);

typedef enum rv_sonata_edge_dir {
    RV_SONATA_AFFERENT = 0, /* edges whose target is one of the nodes: target_to_source */
    RV_SONATA_EFFERENT = 1  /* edges whose source is one of the nodes: source_to_target */
} rv_sonata_edge_dir;

/* 1 if indices/target_to_source (AFFERENT) or source_to_target exists. */
int rv_sonata_edges_has_index(const rv_sonata_pop *p, rv_sonata_edge_dir dir);

#define RV_SONATA_SCAN_IF_NO_INDEX 1u

/* The edges attached to node_ids (any order, duplicates allowed) through the
 * index: reads the node_id_to_ranges rows of those nodes, then the
 * range_to_edge_id rows they name, nothing else.  Accepts BMTK's
 * node_id_to_range spelling; node ids beyond a short node_id_to_ranges
 * table have no edges.  Ranges pointing outside range_to_edge_id or the
 * edge datasets are RV_EFORMAT.
 * Without an index: RV_ENOENT naming the missing group, unless flags has
 * RV_SONATA_SCAN_IF_NO_INDEX, which scans target_node_id (source_node_id)
 * in blocks instead (reads the whole dataset). */
rv_status rv_sonata_edges_select(rv_sonata_pop *p, rv_sonata_edge_dir dir, const uint64_t *node_ids,
                                 size_t n, unsigned flags, rv_sonata_sel *out, rv_error *err);
/* rv_sonata_edges_select(p, RV_SONATA_AFFERENT, targets, n, 0, out, err) */
rv_status rv_sonata_edges_afferent(rv_sonata_pop *p, const uint64_t *targets, size_t n,
                                   rv_sonata_sel *out, rv_error *err);

#ifdef __cplusplus
}
#endif
#endif
