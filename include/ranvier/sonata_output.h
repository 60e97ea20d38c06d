/* SPDX-License-Identifier: MIT
 * ranvier/sonata_output.h -- SONATA simulation outputs: spike files (HDF5 and
 * the text out.dat of old neurodamus) and compartment reports (a buffered,
 * MPI-capable writer and a reader).
 *
 * Spike file (libsonatareport's layout, read by libsonata and BMTK):
 *
 *   /spikes/<population>            group, attribute sorting: HDF5 enum over
 *                                   uint8 {none = 0, by_id = 1, by_time = 2}
 *   /spikes/<population>/timestamps float64 [n], attribute units = "ms"
 *   /spikes/<population>/node_ids   uint64 [n] (0-based SONATA node ids)
 *
 * The reader also takes BMTK's variants: a string `sorting` ("by_time",
 * "time", "by_id", "id", "none", "unknown"), also when it sits on the node_ids
 * dataset; signed or narrower integer ids; float32 times; the old layout
 * without populations, /spikes/{gids,timestamps}, returned as population "".
 *
 * Compartment report (libsonatareport's layout, read by libsonata):
 *
 *   /report/<population>/data                    float32 [frames x elements],
 *                                                attribute units ("mV", ...)
 *   /report/<population>/mapping/node_ids        uint64 [n], attribute
 *                                                sorted = 1 (uint8) when ascending
 *   /report/<population>/mapping/index_pointers  uint64 [n + 1]: node i owns
 *                                                columns [ip[i], ip[i+1])
 *   /report/<population>/mapping/element_ids     uint32 [elements]
 *   /report/<population>/mapping/time            float64 [start, end, dt],
 *                                                attribute units = "ms"
 *
 * Strings are scalar variable-length UTF-8 attributes, as libsonatareport
 * writes them.  Writers never leave a half-written file: they write to
 * "<path>.tmp.<pid>.<n>" in the same directory and rename it over <path>
 * only when everything succeeded; on error the temporary file is removed and
 * an existing <path> is left untouched.
 *
 * MPI: the layer does not link MPI.  Collective calls take an rv_sonata_comm
 * (function pointers with the same signatures as the engine's rv_comm, plus
 * an optional gather to rank 0).  Reports and spikes from several ranks are
 * gathered to rank 0, which alone opens and writes the file; the result is
 * the same file whatever the number of ranks.
 */
#ifndef RV_SONATA_OUTPUT_H
#define RV_SONATA_OUTPUT_H

#include "ranvier/base.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- collectives --------------------------------------------------------
 * Every function returns 0 on success.  allgather_int: all[r] = rank r's
 * `mine`.  allgatherv_bytes: rank r's `nbytes` land at recv + displs[r] on
 * every rank.  gatherv_bytes (optional, NULL: allgatherv_bytes is used): the
 * same, but only rank 0 receives; recv/counts/displs are read on rank 0
 * only.  A NULL rv_sonata_comm everywhere means "one process".
 */
typedef struct rv_sonata_comm {
    int rank, size;
    void *ud;
    int (*allgather_int)(void *ud, int mine, int *all);
    int (*allgatherv_bytes)(void *ud, const void *send, int nbytes, void *recv, const int *counts,
                            const int *displs);
    int (*gatherv_bytes)(void *ud, const void *send, int nbytes, void *recv, const int *counts,
                         const int *displs);
} rv_sonata_comm;

/* Collective: every rank passes its local status `st` (with its message in
 * *err when st != RV_OK).  Returns the status of the lowest rank that failed
 * (RV_OK if none) and copies that rank's message into *err on every rank, so
 * that all ranks report the same error.  A failing collective gives
 * RV_ECOMM. */
rv_status rv_sonata_comm_agree(const rv_sonata_comm *comm, rv_status st, rv_error *err);

/* Collective: gather `n` bytes from every rank to rank 0.  On rank 0,
 * *recv (rv_malloc'd, caller frees) holds the ranks' bytes back to back and
 * sizes[r] (rv_malloc'd, caller frees) each rank's count; on other ranks both
 * are set to NULL.  The total must stay below 2 GiB (MPI counts are int). */
rv_status rv_sonata_comm_gather(const rv_sonata_comm *comm, const void *send, size_t n, void **recv,
                                size_t **sizes, rv_error *err);

/* ---- spikes ------------------------------------------------------------ */

typedef enum rv_sonata_sorting {
    RV_SONATA_SORT_NONE = 0,   /* no order (also: attribute absent, BMTK "unknown") */
    RV_SONATA_SORT_BY_ID = 1,  /* node id, then time */
    RV_SONATA_SORT_BY_TIME = 2 /* time, then node id */
} rv_sonata_sorting;

/* "none", "by_id", "by_time". */
const char *rv_sonata_sorting_name(rv_sonata_sorting s);
/* Accepts "none", "by_id", "by_time" and BMTK's "id", "time", "unknown"
 * (= none).  Anything else: RV_EFORMAT naming the value. */
rv_status rv_sonata_sorting_parse(const char *text, rv_sonata_sorting *out, rv_error *err);

typedef struct rv_sonata_spike_pop {
    char *name;                /* "" for the old layout without populations */
    rv_sonata_sorting sorting; /* read: as declared in the file; in memory: order of the arrays */
    char units[32];            /* units of the timestamps ("ms" when the file gives none) */
    size_t n, cap;
    double *timestamps; /* n */
    uint64_t *node_ids; /* n */
} rv_sonata_spike_pop;

/* A set of spike populations; owns every array. */
typedef struct rv_sonata_spikes {
    size_t n_pops, cap;
    rv_sonata_spike_pop *pops;
} rv_sonata_spikes;

rv_status rv_sonata_spikes_create(rv_sonata_spikes **out, rv_error *err);
void rv_sonata_spikes_destroy(rv_sonata_spikes *s); /* NULL ok */

/* Append n spikes to `population` (created if new, n may be 0).  Times must
 * be finite.  The population's sorting becomes NONE. */
rv_status rv_sonata_spikes_add(rv_sonata_spikes *s, const char *population,
                               const double *timestamps, const uint64_t *node_ids, size_t n,
                               rv_error *err);
/* The population named `population`, or NULL.  Valid until the set changes. */
rv_sonata_spike_pop *rv_sonata_spikes_find(const rv_sonata_spikes *s, const char *population);

/* Reorder every population in place: BY_TIME sorts by (time, node id),
 * BY_ID by (node id, time), as libsonatareport's two stable sorts do; NONE
 * keeps the order.  Equal pairs keep their order (the sort is stable). */
rv_status rv_sonata_spikes_sort(rv_sonata_spikes *s, rv_sonata_sorting order, rv_error *err);

/* Collective: move every rank's spikes to rank 0, population by population
 * (populations matched by name, ranks appended in rank order).  Afterwards
 * the other ranks' sets are empty.  NULL comm: nothing to do. */
rv_status rv_sonata_spikes_gather(rv_sonata_spikes *s, const rv_sonata_comm *comm, rv_error *err);

/* Write a SONATA spike file (layout above), every population sorted by
 * `order` (the set itself is not changed), groups in the set's order. */
rv_status rv_sonata_spikes_write(const char *path, const rv_sonata_spikes *s,
                                 rv_sonata_sorting order, rv_error *err);
/* Read every population of a SONATA spike file into a new set, populations
 * in name order (HDF5's link order). */
rv_status rv_sonata_spikes_read(const char *path, rv_sonata_spikes **out, rv_error *err);

/* Text form written by neurodamus' SpikeWriter (out.dat): a first line
 * "/scatter", then one "%.3f\t%d" line (time in ms, NEURON gid) per spike.
 * Every population is written in the set's order and array order, its ids
 * shifted by gid_offsets[i] (NULL: no shift). */
rv_status rv_sonata_spikes_write_dat(const char *path, const rv_sonata_spikes *s,
                                     const uint64_t *gid_offsets, rv_error *err);
/* Read an out.dat into a new set with one population `population` (sorting
 * NONE).  The "/scatter" line is optional; blank lines are skipped; every
 * other line must be "<time> <gid>" (whitespace separated, gid a
 * non-negative integer).  Errors name the line. */
rv_status rv_sonata_spikes_read_dat(const char *path, const char *population,
                                    rv_sonata_spikes **out, rv_error *err);

/* ---- compartment report writer -----------------------------------------
 * Usage on every rank (calls marked "collective" are made by all ranks the
 * same number of times, also by ranks without nodes):
 *
 *   rv_sonata_report_writer_create(&w, path, &params, comm, &err);
 *   rv_sonata_report_writer_add_node(w, "pop", node_id, element_ids, n, &err);  // local nodes
 *   for each frame: rv_sonata_report_writer_frame(w, values, &err);  // collective
 *   rv_sonata_report_writer_close(w, &err);                          // collective
 *   rv_sonata_report_writer_destroy(w);
 *
 * `values` holds this rank's elements in the order they were added (nodes in
 * add order, across populations; each node's elements in its element_ids
 * order).  In the file each population lists its nodes by ascending node id,
 * so the file does not depend on how nodes are spread over ranks; node ids
 * of a population must be unique over all ranks.  Frames are buffered and
 * written `frames_per_write` at a time, where that number is the largest
 * whose frames x all elements x 4 bytes fit in buffer_bytes (at least 1).
 */
typedef struct rv_sonata_report_params {
    double tstart, tend, dt; /* ms; mapping/time = [round(tstart/dt)*dt, tend, dt] */
    size_t n_frames;         /* 0: ceil((tend - round(tstart/dt)*dt) / dt) (libsonatareport);
                                else it must agree with that time window */
    const char *data_units;  /* NULL: "mV" */
    size_t buffer_bytes;     /* 0: 4 MiB (libsonatareport's default); at most 1 GiB */
} rv_sonata_report_params;

typedef struct rv_sonata_report_writer rv_sonata_report_writer;

/* `comm` is copied (NULL: one process). */
rv_status rv_sonata_report_writer_create(rv_sonata_report_writer **out, const char *path,
                                         const rv_sonata_report_params *params,
                                         const rv_sonata_comm *comm, rv_error *err);
/* Add a local node before the first frame.  Population names are non-empty
 * and contain no '/'. */
rv_status rv_sonata_report_writer_add_node(rv_sonata_report_writer *w, const char *population,
                                           uint64_t node_id, const uint32_t *element_ids,
                                           size_t n_elements, rv_error *err);
/* Number of values a frame takes on this rank; frame count of the file. */
size_t rv_sonata_report_writer_n_local(const rv_sonata_report_writer *w);
size_t rv_sonata_report_writer_n_frames(const rv_sonata_report_writer *w);
/* Frames buffered per write (known after the first frame or close). */
size_t rv_sonata_report_writer_frames_per_write(const rv_sonata_report_writer *w);
/* Collective: record the next frame (values may be NULL when n_local is 0).
 * Writing more than n_frames frames is RV_ERANGE. */
rv_status rv_sonata_report_writer_frame(rv_sonata_report_writer *w, const double *values,
                                        rv_error *err);
/* Collective: write what is buffered and commit the file.  All n_frames
 * frames must have been recorded (else RV_ESTATE and no file). */
rv_status rv_sonata_report_writer_close(rv_sonata_report_writer *w, rv_error *err);
/* Free; a file not committed by close is removed.  Not collective.  NULL ok. */
void rv_sonata_report_writer_destroy(rv_sonata_report_writer *w);

/* ---- compartment report reader ----------------------------------------- */

typedef struct rv_sonata_report_pop {
    const char *name;
    size_t n_nodes, n_elements, n_frames;
    const uint64_t *node_ids;       /* n_nodes */
    const uint64_t *index_pointers; /* n_nodes + 1, index_pointers[0] = 0 */
    const uint32_t *element_ids;    /* n_elements */
    double tstart, tstop, dt;       /* mapping/time */
    const char *data_units, *time_units;
    int sorted;    /* node_ids attribute `sorted` (0 when absent) */
    int ascending; /* node ids found strictly ascending */
} rv_sonata_report_pop;

typedef struct rv_sonata_report rv_sonata_report;

/* Open a report file and list /report's populations (not validated yet). */
rv_status rv_sonata_report_open(const char *path, rv_sonata_report **out, rv_error *err);
void rv_sonata_report_destroy(rv_sonata_report *r); /* NULL ok */
size_t rv_sonata_report_n_pops(const rv_sonata_report *r);
const char *rv_sonata_report_pop_name(const rv_sonata_report *r, size_t i);
/* Load and check one population's mapping (dtypes, lengths, index pointers,
 * time against the data's shape).  The result lives until destroy. */
rv_status rv_sonata_report_pop_get(rv_sonata_report *r, const char *population,
                                   const rv_sonata_report_pop **out, rv_error *err);
/* Columns [*begin, *end) of node `node_id`; RV_ENOENT if absent. */
rv_status rv_sonata_report_node_range(const rv_sonata_report_pop *p, uint64_t node_id,
                                      size_t *begin, size_t *end, rv_error *err);
/* Frames [frame0, frame0 + n) of every element: out[f * n_elements + e]. */
rv_status rv_sonata_report_read_frames(rv_sonata_report *r, const rv_sonata_report_pop *p,
                                       size_t frame0, size_t n, float *out, rv_error *err);
/* Frames [frame0, frame0 + n) of one node's elements only:
 * out[f * (end - begin) + e], with begin/end from rv_sonata_report_node_range. */
rv_status rv_sonata_report_read_node(rv_sonata_report *r, const rv_sonata_report_pop *p,
                                     uint64_t node_id, size_t frame0, size_t n, float *out,
                                     rv_error *err);

#ifdef __cplusplus
}
#endif
#endif
