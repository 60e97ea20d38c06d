/* SPDX-License-Identifier: MIT
 * ranvier/morph.h -- layer 3: morphology files and NEURON-identical sections.
 *
 * Reads SWC, Neurolucida ASC and MorphIO h5v1 files and imports them into
 * exactly the sections NEURON 8.2's Import3d builds with
 *
 *     r = Import3d_SWC_read() (or Import3d_Neurolucida3())
 *     r.input(path); Import3d_GUI(r, 0).instantiate(nil)
 *
 * the same section names and order, parents, connection positions, and the
 * same single-precision 3-D points (bit for bit), including the soma built
 * from a contour (contour -> centroid line with diameters) or from one or
 * three points (a 3-point cylinder with L = diam).  The result is a plain
 * description (rv_morph) that knows nothing about the engine; sections are
 * made from it through a small builder interface (rv_morph_build), or in an
 * rv_model with rv_morph_instantiate (library rv_morph_engine).
 *
 * h5 files (MorphIO h5v1: /points x,y,z,d and /structure start,type,parent)
 * are imported as NEURON imports the Neurolucida file they describe: a soma
 * of three or more points is a contour, neurites are trees whose first
 * point repeats the parent's last point.  A one-point soma is a sphere, as a
 * one-point SWC soma.
 *
 * Errors name the file and the line (or HDF5 dataset in rv_error.key).
 * Nothing here calls exit() or abort().
 *
 * Where ranvier is stricter than NEURON 8.2 (which prints a message and goes
 * on, or fails later): SWC lines that are not 7 numbers, unknown parents,
 * parent ids not below the id (loops), duplicate ids, several roots,
 * negative radii or diameters, non-finite or huge (> 1e9 um) values, and in
 * ASC anything after the last object (NEURON ignores the rest of the file)
 * are errors.  More lenient: SWC points out of id order are sorted (NEURON
 * 8.2 garbles them) and ASC lines may end in tabs (NEURON's reader stops).
 * Not done: define_shape()'s translation of sections (instantiate does not
 * call it), the GUI's optional axon-to-nearest-point reconnection, and the
 * contour-stack surface area NEURON prints.
 */
#ifndef RV_MORPH_H
#define RV_MORPH_H

#include "ranvier/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rv_morph_format {
    RV_MORPH_AUTO = 0, /* from the file name's extension, else from the content */
    RV_MORPH_SWC = 1,
    RV_MORPH_ASC = 2,
    RV_MORPH_H5 = 3
} rv_morph_format;

/* One NEURON section.  Points are what pt3dadd stored: single precision. */
typedef struct rv_morph_section {
    const char *name;  /* "soma[0]", "axon[2]", "dend[7]", "apic[0]", "dend_5[0]", "minus_1[0]" */
    const char *base;  /* the array name: "soma", "axon", ... */
    int type;          /* SWC type: 1 soma, 2 axon, 3 dend, 4 apic, other values as given */
    int index;         /* position in the array: dend[index] */
    int parent;        /* index in rv_morph.sec, -1 for a root */
    double parent_x;   /* connect this(child_end), parent(parent_x): 0, 0.5 or 1 */
    int child_end;     /* always 0 */
    int npt;           /* number of 3-D points (>= 2) */
    const float *pt;   /* 4 * npt values: x, y, z, diam */
    int logical;       /* 1: pt3dstyle(1, lx, ly, lz): drawn with a wire to the parent */
    double lx, ly, lz; /* the logical connection point (single-precision values) */
    int line;          /* input line of the section's first point, 0 if none (h5) */
} rv_morph_section;

typedef struct rv_morph {
    int nsec;
    rv_morph_section *sec; /* NEURON's creation order (forall): by type, then index */
    int *order;            /* nsec section indices in Import3d's order: the order in
                              which instantiate connects sections and adds points */
    int nnote;
    const char **note; /* what NEURON prints while importing (a one-point section
                          removed, a root outside the soma ...), one line each */
    rv_morph_format format;
    int npoint_read; /* points (samples) read from the file */
} rv_morph;

/* Read and import a file.  *out is owned by the caller (rv_morph_destroy). */
rv_status rv_morph_load(const char *path, rv_morph_format format, rv_morph **out, rv_error *err);
/* The same from memory (SWC or ASC; AUTO looks at the content).  name is
 * used in messages.  The buffer need not be NUL-terminated. */
rv_status rv_morph_load_mem(const char *data, size_t size, const char *name, rv_morph_format format,
                            rv_morph **out, rv_error *err);
void rv_morph_destroy(rv_morph *m);

/* Index of the section called name ("dend[3]"), or -1. */
int rv_morph_find(const rv_morph *m, const char *name);
/* NEURON's L of the section: arc length of its 3-D points (at least 1e-9). */
double rv_morph_section_L(const rv_morph_section *s);
/* "SWC", "ASC", "H5". */
const char *rv_morph_format_name(rv_morph_format f);

/* ---- building sections ---------------------------------------------------
 * rv_morph_build calls create for every section in creation order, then, in
 * Import3d's order, connect (for sections with a parent), pt3dstyle (for
 * sections with a logical connection; may be NULL) and pt3dadd for every
 * point -- the calls Import3d_GUI.instantiate makes.  Handles returned by
 * create are passed back unchanged; handles (may be NULL) receives them.
 * The first failing callback's status is returned. */
typedef struct rv_morph_builder {
    void *ud;
    rv_status (*create)(void *ud, const rv_morph_section *s, int *handle, rv_error *err);
    rv_status (*connect)(void *ud, int child, int child_end, int parent, double parent_x,
                         rv_error *err);
    rv_status (*pt3dstyle)(void *ud, int sec, double x, double y, double z, rv_error *err);
    rv_status (*pt3dadd)(void *ud, int sec, double x, double y, double z, double diam,
                         rv_error *err);
} rv_morph_builder;

rv_status rv_morph_build(const rv_morph *m, const rv_morph_builder *b, int *handles, rv_error *err);

/* In library rv_morph_engine (links the engine): make the sections in an
 * rv_model, nseg 1, named prefix + name (prefix may be NULL), e.g.
 * "Cell[0].soma[0]".  secs (may be NULL) receives the model's section ids,
 * indexed like m->sec. */
struct rv_model;
rv_status rv_morph_instantiate(const rv_morph *m, struct rv_model *model, const char *prefix,
                               int *secs, rv_error *err);

#ifdef __cplusplus
}
#endif
#endif
