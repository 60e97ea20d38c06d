/* SPDX-License-Identifier: MIT
 * sonata/report.c -- SONATA compartment reports: a buffered writer that one
 * or several ranks feed (gathered to rank 0), a reader, and the two
 * collective helpers (agree, gather) the output layer uses.
 *
 * Writer, one rank:
 *
 *   add_node (local description)     -> layout at the first frame or close:
 *   nodes sorted by (population, id), mapping datasets written, a list of
 *   "runs" built: copy n values from offset src of a rank's frame to column
 *   dst of population p.  A frame is converted to float straight into the
 *   per-population chunk buffers [k frames x elements]; every k frames the
 *   chunks are written as one hyperslab of rows.
 *
 * Several ranks: each rank buffers its own frames [k x local elements]; at
 * every k-th frame the ranks' chunks are gathered to rank 0 (the
 * rv_sonata_comm's gatherv), which applies the runs of every rank and writes.
 * Only rank 0 touches HDF5 (serial HDF5 suffices).  After every collective
 * step the ranks agree on a status (rv_sonata_comm_agree), so an error on
 * rank 0 (disk full, ...) is returned on every rank with rank 0's message.
 *
 * k, the frames per write, is the largest count with k x (all elements) x 4
 * bytes <= buffer_bytes (at least 1, at most n_frames): it bounds rank 0's
 * memory (chunks + receive buffer = 2 x buffer_bytes).
 *
 * Invariants: in the file each population lists nodes by ascending id (so
 * node_ids carries sorted = 1 and the file does not depend on the number of
 * ranks); index_pointers[0] = 0 and index_pointers[n] = element count.
 *
 * Not done here: parallel HDF5 (the gather is used instead), appending to a
 * report, summation/synapse semantics (the driver computes the values),
 * libsonatareport's per-step recording calls (the caller passes frames).
 */
#include "ranvier/sonata_output.h"

#include <errno.h>
#include <hdf5.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ranvier/base.h"
#include "h5out_int.h"

#define FAIL_AT(err, code, path, key, ...)                                                         \
    (RV_FAIL((err), (code), __VA_ARGS__), rv_error_where((err), (path), 0, (key)), (code))

#define DEFAULT_BUFFER ((size_t)4 << 20)
#define MAX_BUFFER     ((size_t)1 << 30)

/* ---- collectives -------------------------------------------------------- */

static int is_parallel(const rv_sonata_comm *c) {
    return c && c->size > 1;
}

/* What travels when ranks agree on an error. */
typedef struct wire_error {
    int code, line, src_line, pad;
    char path[256], key[128], msg[512];
} wire_error;

rv_status rv_sonata_comm_agree(const rv_sonata_comm *c, rv_status st, rv_error *err) {
    if (!is_parallel(c)) return st;
    int small[256], *all = c->size <= 256 ? small : rv_malloc((size_t)c->size * sizeof *all);
    if (!all) return RV_FAIL(err, RV_ENOMEM, "out of memory agreeing on a status");
    rv_status out = RV_OK;
    int first = -1;
    if (c->allgather_int(c->ud, (int)st, all) != 0) {
        out = RV_FAIL(err, RV_ECOMM, "allgather of the ranks' status failed");
        goto done;
    }
    for (int r = 0; r < c->size && first < 0; r++)
        if (all[r] != RV_OK) first = r;
    if (first < 0) goto done;
    /* rank `first` sends its message to everybody */
    int csmall[256], *counts = c->size <= 256 ? csmall : rv_calloc((size_t)c->size, sizeof *counts);
    int dsmall[256], *displs = c->size <= 256 ? dsmall : rv_calloc((size_t)c->size, sizeof *displs);
    wire_error w, mine;
    memset(&mine, 0, sizeof mine);
    if (c->rank == first && err) {
        mine.code = err->code;
        mine.line = err->line;
        mine.src_line = err->src_line;
        memcpy(mine.path, err->path, sizeof mine.path);
        memcpy(mine.key, err->key, sizeof mine.key);
        memcpy(mine.msg, err->msg, sizeof mine.msg);
    }
    mine.code = all[first];
    if (!counts || !displs) {
        out = RV_FAIL(err, RV_ENOMEM, "out of memory agreeing on a status");
    } else {
        for (int r = 0; r < c->size; r++) {
            counts[r] = r == first ? (int)sizeof w : 0;
            displs[r] = 0;
        }
        if (c->allgatherv_bytes(c->ud, &mine, c->rank == first ? (int)sizeof mine : 0, &w, counts,
                                displs) != 0) {
            out = RV_FAIL(err, RV_ECOMM, "allgatherv of an error message failed");
        } else {
            out = (rv_status)all[first];
            if (c->rank != first && err) {
                RV_FAIL(err, out, "%s", w.msg[0] ? w.msg : rv_status_str(out));
                w.path[sizeof w.path - 1] = 0;
                w.key[sizeof w.key - 1] = 0;
                rv_error_where(err, w.path[0] ? w.path : NULL, w.line, w.key[0] ? w.key : NULL);
            }
        }
    }
    if (counts != csmall) rv_free(counts);
    if (displs != dsmall) rv_free(displs);
done:
    if (all != small) rv_free(all);
    return out;
}

rv_status rv_sonata_comm_gather(const rv_sonata_comm *c, const void *send, size_t n, void **recv,
                                size_t **sizes, rv_error *err) {
    *recv = NULL;
    *sizes = NULL;
    if (!is_parallel(c)) {
        *recv = rv_malloc(n);
        *sizes = rv_malloc(sizeof **sizes);
        if (!*recv || !*sizes) {
            rv_free(*recv);
            rv_free(*sizes);
            *recv = NULL;
            *sizes = NULL;
            return RV_FAIL(err, RV_ENOMEM, "out of memory gathering %zu bytes", n);
        }
        if (n) memcpy(*recv, send, n);
        (*sizes)[0] = n;
        return RV_OK;
    }
    int p = c->size;
    int *all = rv_malloc((size_t)p * sizeof *all), *displs = rv_malloc((size_t)p * sizeof *displs);
    rv_status st = all && displs ? RV_OK : RV_FAIL(err, RV_ENOMEM, "out of memory for a gather");
    st = rv_sonata_comm_agree(c, st, err);
    if (st != RV_OK) goto done;
    if (c->allgather_int(c->ud, n > INT_MAX ? -1 : (int)n, all) != 0) {
        st = RV_FAIL(err, RV_ECOMM, "allgather of gather sizes failed");
        goto done;
    }
    size_t total = 0;
    for (int r = 0; r < p; r++) {
        if (all[r] < 0) {
            st = RV_FAIL(err, RV_ERANGE, "rank %d sends 2 GiB or more in one gather", r);
            goto done;
        }
        displs[r] = (int)total;
        total += (size_t)all[r];
    }
    if (total > INT_MAX) {
        st = RV_FAIL(err, RV_ERANGE, "a gather of %zu bytes exceeds 2 GiB", total);
        goto done;
    }
    int receives = c->rank == 0 || !c->gatherv_bytes;
    void *buf = receives ? rv_malloc(total) : NULL;
    size_t *sz = c->rank == 0 ? rv_malloc((size_t)p * sizeof *sz) : NULL;
    st = (receives && !buf) || (c->rank == 0 && !sz)
             ? RV_FAIL(err, RV_ENOMEM, "out of memory receiving %zu bytes", total)
             : RV_OK;
    st = rv_sonata_comm_agree(c, st, err);
    int rc = 0;
    if (st == RV_OK)
        rc = c->gatherv_bytes ? c->gatherv_bytes(c->ud, send, (int)n, buf, all, displs)
                              : c->allgatherv_bytes(c->ud, send, (int)n, buf, all, displs);
    if (st == RV_OK && rc != 0) st = RV_FAIL(err, RV_ECOMM, "gather of %zu bytes failed", total);
    if (st != RV_OK || c->rank != 0) {
        rv_free(buf);
        rv_free(sz);
        goto done;
    }
    for (int r = 0; r < p; r++) sz[r] = (size_t)all[r];
    *recv = buf;
    *sizes = sz;
done:
    rv_free(all);
    rv_free(displs);
    return st;
}

/* Rank 0's value of v on every rank. */
static rv_status share_from0(const rv_sonata_comm *c, int v, int *out, rv_error *err) {
    if (!is_parallel(c)) {
        *out = v;
        return RV_OK;
    }
    int *all = rv_malloc((size_t)c->size * sizeof *all);
    rv_status st = all ? RV_OK : RV_FAIL(err, RV_ENOMEM, "out of memory");
    st = rv_sonata_comm_agree(c, st, err);
    if (st == RV_OK && c->allgather_int(c->ud, v, all) != 0)
        st = RV_FAIL(err, RV_ECOMM, "allgather failed");
    if (st == RV_OK) *out = all[0];
    rv_free(all);
    return st;
}

/* ---- small HDF5 helpers ------------------------------------------------- */

static H5I_type_t obj_kind(hid_t g, const char *name) {
    if (H5Lexists(g, name, H5P_DEFAULT) <= 0) return H5I_BADID;
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    if (o < 0) return H5I_BADID;
    H5I_type_t k = H5Iget_type(o);
    H5Oclose(o);
    return k;
}

/* Scalar string attribute `name` of obj into buf ("" when absent).
 * Returns -1 when present but not a readable string. */
static int read_string_attr(hid_t obj, const char *name, char *buf, size_t n) {
    buf[0] = 0;
    if (H5Aexists(obj, name) <= 0) return 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    int rc = rv__h5o_read_str_attr(a, buf, n);
    rv__h5o_close(&a);
    return rc;
}

/* ---- writer ------------------------------------------------------------- */

/* Frames implied by time = [t0, t1, dt]: libsonata counts t0 + i*dt below
 * t1 - 1e-6; libsonatareport writes ceil((t1 - t0) / dt).  Either is
 * accepted. */
static int frames_match(double t0, double t1, double dt, size_t rows) {
    double c = ceil((t1 - t0) / dt);
    if (c >= 0 && (size_t)c == rows) return 1;
    if ((t1 - t0) / dt > 1e8) return 0;
    size_t i = 0;
    for (double t = t0; t < t1 - 1e-6; t += dt) i++;
    return i == rows;
}

enum { W_DESCRIBE, W_WRITING, W_CLOSED, W_FAILED };

typedef struct wnode {
    size_t pop; /* index into w->pops */
    uint64_t id;
    size_t n_el;   /* elements */
    size_t el_off; /* first element in this rank's frame */
} wnode;

/* A population of the file (rank 0). */
typedef struct gpop {
    char *name;
    size_t n_el;
    hid_t data;
    float *chunk; /* k x n_el */
} gpop;

/* Copy n values from offset src of a rank's frame to column dst of pop. */
typedef struct run {
    size_t rank, pop, src, dst, n;
} run;

struct rv_sonata_report_writer {
    char *path, *tmp, *units;
    double time[3];
    size_t n_frames, buffer_bytes;
    rv_sonata_comm comm;
    const rv_sonata_comm *c; /* &comm or NULL */
    int state;
    /* local description */
    char **pops;
    size_t n_pops, cap_pops;
    wnode *nodes;
    size_t n_nodes, cap_nodes;
    uint32_t *el;
    size_t n_el, cap_el;
    /* buffering */
    size_t k, in_chunk, frames_done;
    float *local; /* parallel: k x n_el */
    /* rank 0 */
    hid_t file;
    gpop *g;
    size_t n_g;
    run *runs;
    size_t n_runs;
    size_t *rank_runs; /* runs of rank r: [rank_runs[r], rank_runs[r+1]) */
    size_t *rank_nel;  /* elements of rank r */
};

static int rank0(const rv_sonata_report_writer *w) {
    return !w->c || w->c->rank == 0;
}

static int nranks(const rv_sonata_report_writer *w) {
    return w->c ? w->c->size : 1;
}

static int valid_pop_name(const char *name) {
    return name && name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 &&
           strcmp(name, "..") != 0;
}

rv_status rv_sonata_report_writer_create(rv_sonata_report_writer **out, const char *path,
                                         const rv_sonata_report_params *p,
                                         const rv_sonata_comm *comm, rv_error *err) {
    if (!out || !path || !p)
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_report_writer_create: NULL argument");
    *out = NULL;
    if (!(p->dt > 0) || !isfinite(p->dt))
        return RV_FAIL(err, RV_ERANGE, "report dt %g must be positive", p->dt);
    if (!isfinite(p->tstart) || !isfinite(p->tend) || p->tend < p->tstart)
        return RV_FAIL(err, RV_ERANGE, "report end time %g is before start time %g", p->tend,
                       p->tstart);
    if (p->buffer_bytes > MAX_BUFFER)
        return RV_FAIL(err, RV_ERANGE, "report buffer of %zu bytes exceeds 1 GiB", p->buffer_bytes);
    if (comm && (comm->size < 1 || comm->rank < 0 || comm->rank >= comm->size ||
                 (comm->size > 1 && (!comm->allgather_int || !comm->allgatherv_bytes))))
        return RV_FAIL(err, RV_EINVAL, "invalid communicator (rank %d of %d)", comm->rank,
                       comm->size);
    rv_sonata_report_writer *w = rv_calloc(1, sizeof *w);
    if (!w) return RV_FAIL(err, RV_ENOMEM, "out of memory creating a report writer");
    w->file = H5I_INVALID_HID;
    w->path = rv_strdup(path);
    w->units = rv_strdup(p->data_units ? p->data_units : "mV");
    if (!w->path || !w->units) {
        rv_sonata_report_writer_destroy(w);
        return RV_FAIL(err, RV_ENOMEM, "out of memory creating a report writer");
    }
    /* libsonatareport: start rounded to a multiple of dt (save-restore) */
    w->time[0] = round(p->tstart / p->dt) * p->dt;
    w->time[1] = p->tend;
    w->time[2] = p->dt;
    double nf = ceil((p->tend - w->time[0]) / p->dt);
    w->n_frames = p->n_frames ? p->n_frames : nf > 0 ? (size_t)nf : 0;
    if (p->n_frames && !frames_match(w->time[0], w->time[1], w->time[2], p->n_frames)) {
        rv_sonata_report_writer_destroy(w);
        return RV_FAIL(err, RV_EINVAL,
                       "%zu frames do not fit time [%g, %g, %g], which gives %.0f frames",
                       p->n_frames, round(p->tstart / p->dt) * p->dt, p->tend, p->dt, nf);
    }
    w->buffer_bytes = p->buffer_bytes ? p->buffer_bytes : DEFAULT_BUFFER;
    if (comm) {
        w->comm = *comm;
        w->c = &w->comm;
    }
    *out = w;
    return RV_OK;
}

size_t rv_sonata_report_writer_n_local(const rv_sonata_report_writer *w) {
    return w ? w->n_el : 0;
}
size_t rv_sonata_report_writer_n_frames(const rv_sonata_report_writer *w) {
    return w ? w->n_frames : 0;
}
size_t rv_sonata_report_writer_frames_per_write(const rv_sonata_report_writer *w) {
    return w ? w->k : 0;
}

rv_status rv_sonata_report_writer_add_node(rv_sonata_report_writer *w, const char *population,
                                           uint64_t node_id, const uint32_t *element_ids,
                                           size_t n_elements, rv_error *err) {
    if (!w || (n_elements && !element_ids))
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_report_writer_add_node: NULL argument");
    if (w->state != W_DESCRIBE)
        return RV_FAIL(err, RV_ESTATE, "report '%s': nodes must be added before the first frame",
                       w->path);
    if (!valid_pop_name(population))
        return RV_FAIL(err, RV_EINVAL,
                       "report population name '%s' is empty or not a valid HDF5 group name",
                       population ? population : "(null)");
    size_t pi = 0;
    while (pi < w->n_pops && strcmp(w->pops[pi], population) != 0) pi++;
    if (pi == w->n_pops) {
        char *d = rv_strdup(population);
        if (!d || rv_grow((void **)&w->pops, &w->cap_pops, w->n_pops + 1, sizeof *w->pops)) {
            rv_strfree(d);
            return RV_FAIL(err, RV_ENOMEM, "out of memory adding population '%s'", population);
        }
        w->pops[w->n_pops++] = d;
    }
    if (rv_grow((void **)&w->nodes, &w->cap_nodes, w->n_nodes + 1, sizeof *w->nodes) ||
        rv_grow((void **)&w->el, &w->cap_el, w->n_el + n_elements, sizeof *w->el))
        return RV_FAIL(err, RV_ENOMEM, "out of memory adding node %" PRIu64, node_id);
    w->nodes[w->n_nodes++] = (wnode){pi, node_id, n_elements, w->n_el};
    if (n_elements) memcpy(w->el + w->n_el, element_ids, n_elements * sizeof *element_ids);
    w->n_el += n_elements;
    return RV_OK;
}

/* Local description as bytes: per node u64 name length, name, u64 id,
 * u64 n_el, n_el x u32. */
static rv_status pack_layout(const rv_sonata_report_writer *w, unsigned char **out, size_t *n,
                             rv_error *err) {
    size_t sz = 0;
    for (size_t i = 0; i < w->n_nodes; i++)
        sz += 24 + strlen(w->pops[w->nodes[i].pop]) + 4 * w->nodes[i].n_el;
    unsigned char *b = rv_malloc(sz), *q = b;
    if (!b) return RV_FAIL(err, RV_ENOMEM, "out of memory packing the report layout");
    for (size_t i = 0; i < w->n_nodes; i++) {
        const wnode *nd = &w->nodes[i];
        uint64_t ln = strlen(w->pops[nd->pop]), ne = nd->n_el;
        memcpy(q, &ln, 8);
        memcpy(q + 8, w->pops[nd->pop], ln);
        q += 8 + ln;
        memcpy(q, &nd->id, 8);
        memcpy(q + 8, &ne, 8);
        q += 16;
        if (ne) memcpy(q, w->el + nd->el_off, 4 * ne);
        q += 4 * ne;
    }
    *out = b;
    *n = sz;
    return RV_OK;
}

/* A node as rank 0 sees it while building the file layout. */
typedef struct lnode {
    const char *name; /* not terminated */
    size_t name_len;
    uint64_t id;
    size_t n_el, rank, src;
    const unsigned char *el; /* n_el x u32, unaligned */
} lnode;

static int lnode_cmp(const void *a, const void *b) {
    const lnode *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    if (c) return c;
    if (x->name_len != y->name_len) return x->name_len < y->name_len ? -1 : 1;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank ? 1 : (x->src > y->src) - (x->src < y->src);
}

static int run_cmp(const void *a, const void *b) {
    const run *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    return (x->src > y->src) - (x->src < y->src);
}

/* Write one population's mapping and create its data dataset. */
static rv_status write_mapping(rv_sonata_report_writer *w, hid_t report, gpop *gp,
                               const lnode *nodes, size_t n, rv_error *err) {
    char key[200];
    snprintf(key, sizeof key, "/report/%s", gp->name);
    rv_status st = RV_OK;
    hid_t g = H5I_INVALID_HID, m = H5I_INVALID_HID, sp = H5I_INVALID_HID, ds = H5I_INVALID_HID,
          a = H5I_INVALID_HID;
    uint64_t *ids = rv_malloc((n ? n : 1) * 8), *ip = rv_malloc((n + 1) * 8);
    uint32_t *el = rv_malloc((gp->n_el ? gp->n_el : 1) * 4);
    if (!ids || !ip || !el) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory writing the mapping of '%s'", gp->name);
        goto done;
    }
    ip[0] = 0;
    for (size_t i = 0; i < n; i++) {
        ids[i] = nodes[i].id;
        ip[i + 1] = ip[i] + nodes[i].n_el;
        if (nodes[i].n_el) memcpy(el + ip[i], nodes[i].el, 4 * nodes[i].n_el);
    }
    g = H5Gcreate2(report, gp->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    m = g >= 0 ? H5Gcreate2(g, "mapping", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    if (m < 0) goto io;
    struct {
        const char *name;
        hid_t ftype, mtype;
        hsize_t len;
        const void *buf;
    } sets[] = {{"node_ids", H5T_STD_U64LE, H5T_NATIVE_UINT64, n, ids},
                {"index_pointers", H5T_STD_U64LE, H5T_NATIVE_UINT64, n + 1, ip},
                {"element_ids", H5T_STD_U32LE, H5T_NATIVE_UINT32, gp->n_el, el},
                {"time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, w->time}};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        sp = H5Screate_simple(1, &sets[i].len, NULL);
        ds = sp >= 0 ? H5Dcreate2(m, sets[i].name, sets[i].ftype, sp, H5P_DEFAULT, H5P_DEFAULT,
                                  H5P_DEFAULT)
                     : -1;
        if (ds < 0 || (sets[i].len &&
                       H5Dwrite(ds, sets[i].mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, sets[i].buf) < 0))
            goto io;
        if (i == 0) {
            /* libsonata reads `sorted` (uint8) to skip sorting the ids */
            uint8_t one = 1;
            hid_t asp = H5Screate(H5S_SCALAR);
            a = H5Acreate2(ds, "sorted", H5T_STD_U8LE, asp, H5P_DEFAULT, H5P_DEFAULT);
            rv__h5o_close(&asp);
            if (a < 0 || H5Awrite(a, H5T_NATIVE_UINT8, &one) < 0) goto io;
            rv__h5o_close(&a);
        }
        if (i == 3 && rv__h5o_write_str_attr(ds, "units", "ms") < 0) goto io;
        rv__h5o_close(&ds);
        rv__h5o_close(&sp);
    }
    hsize_t dims[2] = {w->n_frames, gp->n_el};
    sp = H5Screate_simple(2, dims, NULL);
    gp->data =
        sp >= 0 ? H5Dcreate2(g, "data", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)
                : -1;
    if (gp->data < 0 || rv__h5o_write_str_attr(gp->data, "units", w->units) < 0) goto io;
    goto done;
io:
    st = FAIL_AT(err, RV_EIO, w->path, key, "HDF5 failed writing the report population '%s'",
                 gp->name);
done:
    rv__h5o_close(&a);
    rv__h5o_close(&ds);
    rv__h5o_close(&sp);
    rv__h5o_close(&m);
    rv__h5o_close(&g);
    rv_free(ids);
    rv_free(ip);
    rv_free(el);
    return st;
}

/* The directory of path must exist and be writable. */

static rv_status create_file(rv_sonata_report_writer *w, rv_error *err) {
    rv_status st = rv__h5o_check_dir(w->path, err);
    if (st != RV_OK) return st;
    size_t n = strlen(w->path) + 48;
    w->tmp = rv_malloc(n);
    if (!w->tmp) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0) H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    for (int k = 0; k < 100 && w->file < 0; k++) {
        snprintf(w->tmp, n, "%s.tmp.%ld.%d", w->path, (long)getpid(), k);
        if (access(w->tmp, F_OK) == 0) continue;
        w->file = H5Fcreate(w->tmp, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
        if (w->file < 0) break;
    }
    rv__h5o_close(&fapl);
    if (w->file < 0) {
        rv_free(w->tmp);
        w->tmp = NULL;
        return FAIL_AT(err, RV_EIO, w->path, NULL, "cannot create a file beside '%s'", w->path);
    }
    return RV_OK;
}

/* Rank 0: parse every rank's layout, sort, write the mapping, build runs. */
static rv_status build_layout(rv_sonata_report_writer *w, const unsigned char *all,
                              const size_t *sizes, rv_error *err) {
    int p = nranks(w);
    size_t n = 0, total = 0;
    for (int r = 0; r < p; r++) total += sizes[r];
    /* count nodes */
    for (const unsigned char *q = all, *end = all + total; q < end; n++) {
        uint64_t ln, ne;
        memcpy(&ln, q, 8);
        memcpy(&ne, q + 16 + ln, 8);
        q += 24 + ln + 4 * ne;
    }
    lnode *nodes = rv_malloc((n ? n : 1) * sizeof *nodes);
    w->rank_nel = rv_calloc((size_t)p, sizeof *w->rank_nel);
    w->rank_runs = rv_calloc((size_t)p + 1, sizeof *w->rank_runs);
    w->runs = rv_malloc((n ? n : 1) * sizeof *w->runs);
    rv_status st = RV_OK;
    hid_t report = H5I_INVALID_HID;
    if (!nodes || !w->rank_nel || !w->rank_runs || !w->runs) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory laying out report '%s'", w->path);
        goto done;
    }
    const unsigned char *q = all;
    size_t i = 0;
    for (int r = 0; r < p; r++) {
        const unsigned char *end = q + sizes[r];
        size_t src = 0;
        while (q < end) {
            lnode *nd = &nodes[i++];
            uint64_t ln, ne;
            memcpy(&ln, q, 8);
            nd->name = (const char *)q + 8;
            nd->name_len = ln;
            memcpy(&nd->id, q + 8 + ln, 8);
            memcpy(&ne, q + 16 + ln, 8);
            nd->n_el = ne;
            nd->el = q + 24 + ln;
            nd->rank = (size_t)r;
            nd->src = src;
            src += ne;
            q += 24 + ln + 4 * ne;
        }
        w->rank_nel[r] = src;
    }
    qsort(nodes, n, sizeof *nodes, lnode_cmp);
    size_t n_el_all = 0, n_pops = 0;
    for (i = 0; i < n; i++) {
        n_el_all += nodes[i].n_el;
        int new_pop = i == 0 || nodes[i].name_len != nodes[i - 1].name_len ||
                      memcmp(nodes[i].name, nodes[i - 1].name, nodes[i].name_len) != 0;
        n_pops += new_pop;
        if (!new_pop && nodes[i].id == nodes[i - 1].id) {
            char where[64] = "";
            if (p > 1)
                snprintf(where, sizeof where, " (on rank %zu and rank %zu)", nodes[i - 1].rank,
                         nodes[i].rank);
            st = FAIL_AT(err, RV_EINVAL, w->path, NULL,
                         "report population '%.*s': node %" PRIu64 " added twice%s",
                         (int)nodes[i].name_len, nodes[i].name, nodes[i].id, where);
            goto done;
        }
    }
    if (n_el_all > INT_MAX / 4) {
        st = FAIL_AT(err, RV_ERANGE, w->path, NULL,
                     "report has %zu elements per frame: more than a gather can carry", n_el_all);
        goto done;
    }
    w->k = n_el_all ? w->buffer_bytes / (4 * n_el_all) : w->n_frames;
    if (w->k > w->n_frames) w->k = w->n_frames;
    if (w->k < 1) w->k = 1;
    if (w->k > INT_MAX) w->k = INT_MAX;
    w->g = rv_calloc(n_pops ? n_pops : 1, sizeof *w->g);
    if (!w->g) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory laying out report '%s'", w->path);
        goto done;
    }
    if ((st = create_file(w, err)) != RV_OK) goto done;
    report = H5Gcreate2(w->file, "report", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (report < 0) {
        st = FAIL_AT(err, RV_EIO, w->path, "/report", "HDF5 failed creating /report");
        goto done;
    }
    /* one population at a time: its nodes are nodes[b, e) */
    for (size_t b = 0, e; b < n && st == RV_OK; b = e) {
        gpop *gp = &w->g[w->n_g++];
        gp->data = H5I_INVALID_HID;
        gp->name = rv_malloc(nodes[b].name_len + 1);
        if (!gp->name) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            break;
        }
        memcpy(gp->name, nodes[b].name, nodes[b].name_len);
        gp->name[nodes[b].name_len] = 0;
        size_t col = 0;
        for (e = b; e < n && nodes[e].name_len == nodes[b].name_len &&
                    memcmp(nodes[e].name, nodes[b].name, nodes[b].name_len) == 0;
             e++) {
            if (nodes[e].n_el)
                w->runs[w->n_runs++] =
                    (run){nodes[e].rank, w->n_g - 1, nodes[e].src, col, nodes[e].n_el};
            col += nodes[e].n_el;
        }
        gp->n_el = col;
        st = write_mapping(w, report, gp, nodes + b, e - b, err);
        if (st == RV_OK && !(gp->chunk = rv_malloc((gp->n_el ? w->k * gp->n_el : 1) * 4)))
            st = RV_FAIL(err, RV_ENOMEM, "out of memory for %zu frames of report '%s'", w->k,
                         w->path);
    }
    if (st != RV_OK) goto done;
    /* runs by (rank, src), merged where both sides are contiguous */
    qsort(w->runs, w->n_runs, sizeof *w->runs, run_cmp);
    size_t m = 0;
    for (i = 0; i < w->n_runs; i++) {
        run *prev = m ? &w->runs[m - 1] : NULL, *cur = &w->runs[i];
        if (prev && prev->rank == cur->rank && prev->pop == cur->pop &&
            prev->src + prev->n == cur->src && prev->dst + prev->n == cur->dst)
            prev->n += cur->n;
        else
            w->runs[m++] = *cur;
    }
    w->n_runs = m;
    for (i = 0; i < m; i++) w->rank_runs[w->runs[i].rank + 1]++;
    for (int r = 0; r < p; r++) w->rank_runs[r + 1] += w->rank_runs[r];
done:
    rv__h5o_close(&report);
    rv_free(nodes);
    return st;
}

/* Collective: fix the layout, create the file on rank 0, agree on k. */
static rv_status layout(rv_sonata_report_writer *w, rv_error *err) {
    unsigned char *mine = NULL;
    size_t n = 0, *sizes = NULL;
    void *all = NULL;
    rv_status st = pack_layout(w, &mine, &n, err);
    st = rv_sonata_comm_agree(w->c, st, err);
    if (st == RV_OK) st = rv_sonata_comm_gather(w->c, mine, n, &all, &sizes, err);
    rv_free(mine);
    if (st != RV_OK) return st;
    if (rank0(w)) {
        H5E_BEGIN_TRY {
            st = build_layout(w, all, sizes, err);
        }
        H5E_END_TRY
    }
    rv_free(all);
    rv_free(sizes);
    st = rv_sonata_comm_agree(w->c, st, err);
    int k = (int)w->k;
    if (st == RV_OK) st = share_from0(w->c, k, &k, err);
    if (st != RV_OK) return st;
    w->k = (size_t)k;
    if (is_parallel(w->c)) {
        w->local = rv_malloc((w->n_el ? w->k * w->n_el : 1) * sizeof *w->local);
        st = w->local ? RV_OK
                      : RV_FAIL(err, RV_ENOMEM, "out of memory for %zu frames of %zu elements",
                                w->k, w->n_el);
        st = rv_sonata_comm_agree(w->c, st, err);
    }
    return st;
}

/* Rank 0: write the buffered rows [frames_done - in_chunk, frames_done). */
static rv_status write_rows_h5(rv_sonata_report_writer *w, rv_error *err) {
    hsize_t start[2] = {w->frames_done - w->in_chunk, 0}, count[2] = {w->in_chunk, 0};
    for (size_t i = 0; i < w->n_g; i++) {
        gpop *gp = &w->g[i];
        if (!gp->n_el || !w->in_chunk) continue;
        count[1] = gp->n_el;
        hid_t fs = H5Dget_space(gp->data), ms = H5Screate_simple(2, count, NULL);
        int bad = fs < 0 || ms < 0 ||
                  H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
                  H5Dwrite(gp->data, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, gp->chunk) < 0;
        rv__h5o_close(&fs);
        rv__h5o_close(&ms);
        if (bad) {
            char key[200];
            snprintf(key, sizeof key, "/report/%s/data", gp->name);
            return FAIL_AT(err, RV_EIO, w->path, key, "HDF5 failed writing frames %zu..%zu",
                           (size_t)start[0], (size_t)(start[0] + count[0] - 1));
        }
    }
    return RV_OK;
}

static rv_status write_rows(rv_sonata_report_writer *w, rv_error *err) {
    rv_status st = RV_OK;
    H5E_BEGIN_TRY {
        st = write_rows_h5(w, err);
    }
    H5E_END_TRY
    return st;
}

/* Collective (parallel): gather the ranks' chunks, scatter by runs, write. */
static rv_status flush(rv_sonata_report_writer *w, rv_error *err) {
    rv_status st = RV_OK;
    if (is_parallel(w->c)) {
        void *all = NULL;
        size_t *sizes = NULL;
        st = rv_sonata_comm_gather(w->c, w->local, w->in_chunk * w->n_el * sizeof(float), &all,
                                   &sizes, err);
        if (st != RV_OK) return st;
        if (rank0(w)) {
            const unsigned char *base = all;
            for (int r = 0; r < nranks(w) && st == RV_OK; r++) {
                size_t ne = w->rank_nel[r];
                if (sizes[r] != w->in_chunk * ne * sizeof(float)) {
                    st = RV_FAIL(err, RV_EINTERNAL, "rank %d sent %zu bytes, expected %zu", r,
                                 sizes[r], w->in_chunk * ne * sizeof(float));
                    break;
                }
                for (size_t f = 0; f < w->in_chunk; f++)
                    for (size_t j = w->rank_runs[r]; j < w->rank_runs[r + 1]; j++) {
                        const run *rn = &w->runs[j];
                        gpop *gp = &w->g[rn->pop];
                        memcpy(gp->chunk + f * gp->n_el + rn->dst,
                               base + (f * ne + rn->src) * sizeof(float), rn->n * sizeof(float));
                    }
                base += sizes[r];
            }
            if (st == RV_OK) st = write_rows(w, err);
        }
        rv_free(all);
        rv_free(sizes);
        st = rv_sonata_comm_agree(w->c, st, err);
    } else {
        st = write_rows(w, err);
    }
    w->in_chunk = 0;
    return st;
}

rv_status rv_sonata_report_writer_frame(rv_sonata_report_writer *w, const double *values,
                                        rv_error *err) {
    if (!w || (w->n_el && !values))
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_report_writer_frame: NULL argument");
    if (w->state == W_FAILED || w->state == W_CLOSED)
        return RV_FAIL(err, RV_ESTATE, "report '%s' is %s", w->path,
                       w->state == W_FAILED ? "in a failed state" : "closed");
    if (w->frames_done >= w->n_frames)
        return RV_FAIL(err, RV_ERANGE, "report '%s': all %zu frames are already written", w->path,
                       w->n_frames);
    rv_status st;
    if (w->state == W_DESCRIBE) {
        st = layout(w, err);
        if (st != RV_OK) {
            w->state = W_FAILED;
            return st;
        }
        w->state = W_WRITING;
    }
    if (is_parallel(w->c)) {
        float *dst = w->local + w->in_chunk * w->n_el;
        for (size_t i = 0; i < w->n_el; i++) dst[i] = (float)values[i];
    } else {
        for (size_t j = 0; j < w->n_runs; j++) {
            const run *rn = &w->runs[j];
            gpop *gp = &w->g[rn->pop];
            float *dst = gp->chunk + w->in_chunk * gp->n_el + rn->dst;
            const double *src = values + rn->src;
            for (size_t i = 0; i < rn->n; i++) dst[i] = (float)src[i];
        }
    }
    w->in_chunk++;
    w->frames_done++;
    if (w->in_chunk == w->k || w->frames_done == w->n_frames) {
        st = flush(w, err);
        if (st != RV_OK) {
            w->state = W_FAILED;
            return st;
        }
    }
    return RV_OK;
}

/* Rank 0: close every HDF5 object; commit (rename) or discard the file. */
static rv_status finish_file(rv_sonata_report_writer *w, int commit, rv_error *err) {
    rv_status st = RV_OK;
    for (size_t i = 0; i < w->n_g; i++) rv__h5o_close(&w->g[i].data);
    if (w->file >= 0 && H5Fclose(w->file) < 0 && commit)
        st = FAIL_AT(err, RV_EIO, w->path, NULL, "closing '%s' failed", w->tmp);
    w->file = H5I_INVALID_HID;
    if (!w->tmp) return st;
    if (commit && st == RV_OK && rename(w->tmp, w->path) != 0)
        st = FAIL_AT(err, RV_EIO, w->path, NULL, "cannot rename '%s' to '%s': %s", w->tmp, w->path,
                     strerror(errno));
    if (!commit || st != RV_OK) remove(w->tmp);
    rv_free(w->tmp);
    w->tmp = NULL;
    return st;
}

rv_status rv_sonata_report_writer_close(rv_sonata_report_writer *w, rv_error *err) {
    if (!w) return RV_FAIL(err, RV_EINVAL, "rv_sonata_report_writer_close: NULL writer");
    if (w->state == W_FAILED || w->state == W_CLOSED)
        return RV_FAIL(err, RV_ESTATE, "report '%s' is %s", w->path,
                       w->state == W_FAILED ? "in a failed state" : "already closed");
    rv_status st = RV_OK;
    if (w->state == W_DESCRIBE) {
        st = layout(w, err);
        if (st != RV_OK) {
            w->state = W_FAILED;
            return st;
        }
        w->state = W_WRITING;
    }
    if (w->frames_done < w->n_frames) {
        w->state = W_FAILED;
        return RV_FAIL(err, RV_ESTATE, "report '%s': only %zu of %zu frames were written", w->path,
                       w->frames_done, w->n_frames);
    }
    if (w->in_chunk) st = flush(w, err);
    if (rank0(w)) {
        rv_status fst = st;
        H5E_BEGIN_TRY {
            fst = finish_file(w, st == RV_OK, err);
        }
        H5E_END_TRY
        st = fst;
    }
    st = rv_sonata_comm_agree(w->c, st, err);
    w->state = st == RV_OK ? W_CLOSED : W_FAILED;
    return st;
}

void rv_sonata_report_writer_destroy(rv_sonata_report_writer *w) {
    if (!w) return;
    H5E_BEGIN_TRY {
        finish_file(w, 0, NULL);
    }
    H5E_END_TRY
    for (size_t i = 0; i < w->n_g; i++) {
        rv_free(w->g[i].name);
        rv_free(w->g[i].chunk);
    }
    rv_free(w->g);
    for (size_t i = 0; i < w->n_pops; i++) rv_strfree(w->pops[i]);
    rv_free(w->pops);
    rv_free(w->nodes);
    rv_free(w->el);
    rv_free(w->local);
    rv_free(w->runs);
    rv_free(w->rank_runs);
    rv_free(w->rank_nel);
    rv_free(w->path);
    rv_free(w->units);
    rv_free(w);
}

/* ---- reader ------------------------------------------------------------- */

typedef struct rpop {
    rv_sonata_report_pop pub;
    char *name;
    int loaded;
    hid_t data;
    uint64_t *node_ids, *ip;
    uint32_t *el;
    char data_units[64], time_units[64];
} rpop;

struct rv_sonata_report {
    char *path;
    hid_t file;
    rpop *pops;
    size_t n_pops, cap;
};

static herr_t collect_pop(hid_t g, const char *name, const H5L_info_t *info, void *ud) {
    (void)info;
    rv_sonata_report *r = ud;
    if (obj_kind(g, name) != H5I_GROUP) return 0;
    if (rv_grow((void **)&r->pops, &r->cap, r->n_pops + 1, sizeof *r->pops) != RV_OK) return -1;
    rpop *p = &r->pops[r->n_pops];
    memset(p, 0, sizeof *p);
    p->data = H5I_INVALID_HID;
    if (!(p->name = rv_strdup(name))) return -1;
    r->n_pops++;
    return 0;
}

static rv_status report_open(const char *path, rv_sonata_report *r, rv_error *err) {
    struct stat sb;
    if (stat(path, &sb) != 0)
        return FAIL_AT(err, RV_ENOENT, path, NULL, "cannot open '%s': %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode)) return FAIL_AT(err, RV_EIO, path, NULL, "'%s' is a directory", path);
    if (access(path, R_OK) != 0)
        return FAIL_AT(err, RV_EIO, path, NULL, "cannot read '%s': %s", path, strerror(errno));
    if (H5Fis_hdf5(path) <= 0)
        return FAIL_AT(err, RV_EFORMAT, path, NULL, "'%s' is not an HDF5 file", path);
    r->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (r->file < 0) return FAIL_AT(err, RV_EIO, path, NULL, "HDF5 cannot open '%s'", path);
    if (obj_kind(r->file, "report") != H5I_GROUP)
        return FAIL_AT(err, RV_EFORMAT, path, "/report", "no group '/report': not a report file");
    hid_t g = H5Gopen2(r->file, "report", H5P_DEFAULT);
    herr_t rc = g < 0 ? -1 : H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_pop, r);
    rv__h5o_close(&g);
    if (rc < 0)
        return RV_FAIL(err, RV_ENOMEM, "out of memory listing the populations of '%s'", path);
    return RV_OK;
}

rv_status rv_sonata_report_open(const char *path, rv_sonata_report **out, rv_error *err) {
    if (!path || !out) return RV_FAIL(err, RV_EINVAL, "rv_sonata_report_open: NULL argument");
    *out = NULL;
    rv_sonata_report *r = rv_calloc(1, sizeof *r);
    if (!r) return RV_FAIL(err, RV_ENOMEM, "out of memory opening '%s'", path);
    r->file = H5I_INVALID_HID;
    rv_status st = (r->path = rv_strdup(path)) ? RV_OK : RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (st == RV_OK) {
        H5E_BEGIN_TRY {
            st = report_open(path, r, err);
        }
        H5E_END_TRY
    }
    if (st != RV_OK) {
        rv_sonata_report_destroy(r);
        return st;
    }
    *out = r;
    return RV_OK;
}

void rv_sonata_report_destroy(rv_sonata_report *r) {
    if (!r) return;
    H5E_BEGIN_TRY {
        for (size_t i = 0; i < r->n_pops; i++) {
            rpop *p = &r->pops[i];
            rv__h5o_close(&p->data);
            rv_free(p->name);
            rv_free(p->node_ids);
            rv_free(p->ip);
            rv_free(p->el);
        }
        rv__h5o_close(&r->file);
    }
    H5E_END_TRY
    rv_free(r->pops);
    rv_free(r->path);
    rv_free(r);
}

size_t rv_sonata_report_n_pops(const rv_sonata_report *r) {
    return r ? r->n_pops : 0;
}

const char *rv_sonata_report_pop_name(const rv_sonata_report *r, size_t i) {
    return r && i < r->n_pops ? r->pops[i].name : NULL;
}

/* Open dataset `name` of g: must exist with `rank` dimensions; dims out. */
static rv_status open_ds(hid_t g, const char *name, int rank, const char *path, const char *key,
                         hid_t *ds, hid_t *type, hsize_t *dims, rv_error *err) {
    if (obj_kind(g, name) != H5I_DATASET)
        return FAIL_AT(err, RV_EFORMAT, path, key, "missing dataset '%s'", name);
    *ds = H5Dopen2(g, name, H5P_DEFAULT);
    hid_t sp = *ds >= 0 ? H5Dget_space(*ds) : -1;
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (nd == rank) H5Sget_simple_extent_dims(sp, dims, NULL);
    rv__h5o_close(&sp);
    if (nd < 0) return FAIL_AT(err, RV_EIO, path, key, "cannot open dataset '%s'", name);
    if (nd != rank)
        return FAIL_AT(err, RV_EFORMAT, path, key, "dataset '%s' has %d dimensions (expected %d)",
                       name, nd, rank);
    *type = H5Dget_type(*ds);
    return *type < 0 ? FAIL_AT(err, RV_EIO, path, key, "cannot read the type of '%s'", name)
                     : RV_OK;
}

/* Integer 1-D dataset `name` of g into a new uint64 array. */
static rv_status read_u64(hid_t g, const char *name, const char *path, const char *gkey,
                          uint64_t **out, size_t *n, rv_error *err) {
    char key[256], tdesc[32];
    snprintf(key, sizeof key, "%s/%s", gkey, name);
    hid_t ds = H5I_INVALID_HID, t = H5I_INVALID_HID;
    hsize_t dims[1] = {0};
    rv_status st = open_ds(g, name, 1, path, key, &ds, &t, dims, err);
    if (st != RV_OK) goto done;
    if (H5Tget_class(t) != H5T_INTEGER) {
        st = FAIL_AT(err, RV_EFORMAT, path, key,
                     "dataset '%s' has type %s (expected an integer type)", name,
                     rv__h5o_type_desc(t, tdesc, sizeof tdesc));
        goto done;
    }
    *n = (size_t)dims[0];
    if (!(*out = rv_malloc((*n ? *n : 1) * sizeof **out))) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory reading '%s'", key);
        goto done;
    }
    int is_signed = H5Tget_sign(t) == H5T_SGN_2;
    if (*n && H5Dread(ds, is_signed ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL,
                      H5P_DEFAULT, *out) < 0) {
        st = FAIL_AT(err, RV_EIO, path, key, "cannot read dataset '%s'", name);
        goto done;
    }
    for (size_t i = 0; is_signed && i < *n; i++)
        if ((int64_t)(*out)[i] < 0) {
            st = FAIL_AT(err, RV_ERANGE, path, key, "'%s'[%zu] = %" PRId64 " is negative", name, i,
                         (int64_t)(*out)[i]);
            goto done;
        }
done:
    rv__h5o_close(&t);
    rv__h5o_close(&ds);
    return st;
}

static rv_status load_pop(rv_sonata_report *r, rpop *p, rv_error *err) {
    const char *path = r->path;
    char gkey[200], mkey[220], key[260], tdesc[32];
    snprintf(gkey, sizeof gkey, "/report/%s", p->name);
    snprintf(mkey, sizeof mkey, "%s/mapping", gkey);
    hid_t g = H5I_INVALID_HID, m = H5I_INVALID_HID, ds = H5I_INVALID_HID, t = H5I_INVALID_HID;
    uint64_t *el = NULL;
    size_t n_ids = 0, n_ip = 0, n_el = 0;
    rv_status st = RV_OK;
    g = H5Gopen2(r->file, gkey, H5P_DEFAULT);
    if (g < 0 || obj_kind(g, "mapping") != H5I_GROUP) {
        st =
            FAIL_AT(err, RV_EFORMAT, path, mkey, "population '%s' has no group 'mapping'", p->name);
        goto done;
    }
    m = H5Gopen2(g, "mapping", H5P_DEFAULT);
    if ((st = read_u64(m, "node_ids", path, mkey, &p->node_ids, &n_ids, err)) != RV_OK ||
        (st = read_u64(m, "index_pointers", path, mkey, &p->ip, &n_ip, err)) != RV_OK ||
        (st = read_u64(m, "element_ids", path, mkey, &el, &n_el, err)) != RV_OK)
        goto done;
    snprintf(key, sizeof key, "%s/index_pointers", mkey);
    if (n_ip != n_ids + 1) {
        st = FAIL_AT(err, RV_EFORMAT, path, key,
                     "'index_pointers' has %zu entries, expected %zu ('node_ids' size plus one)",
                     n_ip, n_ids + 1);
        goto done;
    }
    if (p->ip[0] != 0) {
        st = FAIL_AT(err, RV_EFORMAT, path, key, "index_pointers[0] is %" PRIu64 ", expected 0",
                     p->ip[0]);
        goto done;
    }
    for (size_t i = 0; i < n_ids; i++)
        if (p->ip[i + 1] < p->ip[i]) {
            st = FAIL_AT(err, RV_EFORMAT, path, key,
                         "index_pointers decrease at node %zu (%" PRIu64 " then %" PRIu64 ")", i,
                         p->ip[i], p->ip[i + 1]);
            goto done;
        }
    if (p->ip[n_ids] != n_el) {
        st = FAIL_AT(err, RV_EFORMAT, path, key,
                     "index_pointers end at %" PRIu64 " but 'element_ids' has %zu entries",
                     p->ip[n_ids], n_el);
        goto done;
    }
    snprintf(key, sizeof key, "%s/element_ids", mkey);
    if (!(p->el = rv_malloc((n_el ? n_el : 1) * sizeof *p->el))) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory reading '%s'", key);
        goto done;
    }
    for (size_t i = 0; i < n_el; i++) {
        if (el[i] > UINT32_MAX) {
            st = FAIL_AT(err, RV_ERANGE, path, key, "element id %" PRIu64 " exceeds uint32", el[i]);
            goto done;
        }
        p->el[i] = (uint32_t)el[i];
    }
    /* time */
    snprintf(key, sizeof key, "%s/time", mkey);
    hsize_t dims[2] = {0, 0};
    double tm[3];
    if ((st = open_ds(m, "time", 1, path, key, &ds, &t, dims, err)) != RV_OK) goto done;
    if (H5Tget_class(t) != H5T_FLOAT || dims[0] != 3) {
        st = FAIL_AT(err, RV_EFORMAT, path, key,
                     "'time' is %s[%llu] (expected 3 floating point values: start, end, dt)",
                     rv__h5o_type_desc(t, tdesc, sizeof tdesc), (unsigned long long)dims[0]);
        goto done;
    }
    if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, tm) < 0) {
        st = FAIL_AT(err, RV_EIO, path, key, "cannot read 'time'");
        goto done;
    }
    if (!(tm[2] > 0) || !isfinite(tm[0]) || !isfinite(tm[1]) || !isfinite(tm[2]) || tm[1] < tm[0]) {
        st = FAIL_AT(err, RV_EFORMAT, path, key,
                     "'time' = [%g, %g, %g]: needs start <= end and dt > 0", tm[0], tm[1], tm[2]);
        goto done;
    }
    if (read_string_attr(ds, "units", p->time_units, sizeof p->time_units) < 0) {
        st = FAIL_AT(err, RV_EFORMAT, path, key, "attribute 'units' of 'time' is not a string");
        goto done;
    }
    rv__h5o_close(&t);
    rv__h5o_close(&ds);
    /* sorted attribute */
    hid_t ids = H5Dopen2(m, "node_ids", H5P_DEFAULT);
    if (ids >= 0 && H5Aexists(ids, "sorted") > 0) {
        hid_t a = H5Aopen(ids, "sorted", H5P_DEFAULT);
        int v = 0;
        if (a < 0 || H5Aread(a, H5T_NATIVE_INT, &v) < 0) {
            rv__h5o_close(&a);
            rv__h5o_close(&ids);
            snprintf(key, sizeof key, "%s/node_ids@sorted", mkey);
            st = FAIL_AT(err, RV_EFORMAT, path, key, "attribute 'sorted' is not a number");
            goto done;
        }
        rv__h5o_close(&a);
        p->pub.sorted = v != 0;
    }
    rv__h5o_close(&ids);
    /* data */
    snprintf(key, sizeof key, "%s/data", gkey);
    if ((st = open_ds(g, "data", 2, path, key, &p->data, &t, dims, err)) != RV_OK) goto done;
    if (H5Tget_class(t) != H5T_FLOAT || H5Tget_size(t) != 4) {
        st = FAIL_AT(err, RV_EFORMAT, path, key, "dataset 'data' has type %s (expected float32)",
                     rv__h5o_type_desc(t, tdesc, sizeof tdesc));
        goto done;
    }
    if (dims[1] != n_el) {
        st = FAIL_AT(err, RV_EFORMAT, path, key,
                     "'data' has %llu columns but the mapping lists %zu elements",
                     (unsigned long long)dims[1], n_el);
        goto done;
    }
    if (!frames_match(tm[0], tm[1], tm[2], (size_t)dims[0])) {
        st = FAIL_AT(
            err, RV_EFORMAT, path, key, "'data' has %llu frames but time [%g, %g, %g] gives %.0f",
            (unsigned long long)dims[0], tm[0], tm[1], tm[2], ceil((tm[1] - tm[0]) / tm[2]));
        goto done;
    }
    if (read_string_attr(p->data, "units", p->data_units, sizeof p->data_units) < 0) {
        st = FAIL_AT(err, RV_EFORMAT, path, key, "attribute 'units' of 'data' is not a string");
        goto done;
    }
    int asc = 1;
    for (size_t i = 1; i < n_ids && asc; i++) asc = p->node_ids[i - 1] < p->node_ids[i];
    p->pub = (rv_sonata_report_pop){
        p->name, n_ids, n_el,  (size_t)dims[0], p->node_ids,   p->ip,         p->el,
        tm[0],   tm[1], tm[2], p->data_units,   p->time_units, p->pub.sorted, asc};
    p->loaded = 1;
done:
    rv_free(el);
    rv__h5o_close(&t);
    rv__h5o_close(&ds);
    rv__h5o_close(&m);
    rv__h5o_close(&g);
    if (st != RV_OK) {
        rv__h5o_close(&p->data);
        rv_free(p->node_ids);
        rv_free(p->ip);
        rv_free(p->el);
        p->node_ids = p->ip = NULL;
        p->el = NULL;
    }
    return st;
}

rv_status rv_sonata_report_pop_get(rv_sonata_report *r, const char *population,
                                   const rv_sonata_report_pop **out, rv_error *err) {
    if (!r || !population || !out)
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_report_pop_get: NULL argument");
    for (size_t i = 0; i < r->n_pops; i++) {
        rpop *p = &r->pops[i];
        if (strcmp(p->name, population) != 0) continue;
        rv_status st = RV_OK;
        if (!p->loaded) {
            H5E_BEGIN_TRY {
                st = load_pop(r, p, err);
            }
            H5E_END_TRY
        }
        *out = st == RV_OK ? &p->pub : NULL;
        return st;
    }
    return FAIL_AT(err, RV_ENOENT, r->path, "/report", "no report population '%s'", population);
}

rv_status rv_sonata_report_node_range(const rv_sonata_report_pop *p, uint64_t node_id,
                                      size_t *begin, size_t *end, rv_error *err) {
    if (!p || !begin || !end)
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_report_node_range: NULL argument");
    size_t i = p->n_nodes;
    if (p->ascending) {
        size_t lo = 0, hi = p->n_nodes;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (p->node_ids[mid] < node_id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < p->n_nodes && p->node_ids[lo] == node_id) i = lo;
    } else {
        for (i = 0; i < p->n_nodes && p->node_ids[i] != node_id; i++) {
        }
    }
    if (i == p->n_nodes)
        return RV_FAIL(err, RV_ENOENT, "report population '%s' has no node %" PRIu64, p->name,
                       node_id);
    *begin = (size_t)p->index_pointers[i];
    *end = (size_t)p->index_pointers[i + 1];
    return RV_OK;
}

static rv_status read_block(rv_sonata_report *r, const rv_sonata_report_pop *p, size_t frame0,
                            size_t n, size_t col0, size_t ncol, float *out, rv_error *err) {
    const rpop *rp = (const rpop *)p; /* pub is the first member */
    char key[200];
    snprintf(key, sizeof key, "/report/%s/data", p->name);
    if (frame0 > p->n_frames || n > p->n_frames - frame0)
        return FAIL_AT(err, RV_ERANGE, r->path, key,
                       "frames [%zu, %zu) requested but the report has %zu frames", frame0,
                       frame0 + n, p->n_frames);
    if (!n || !ncol) return RV_OK;
    hsize_t start[2] = {frame0, col0}, count[2] = {n, ncol};
    rv_status st = RV_OK;
    H5E_BEGIN_TRY {
        hid_t fs = H5Dget_space(rp->data), ms = H5Screate_simple(2, count, NULL);
        if (fs < 0 || ms < 0 ||
            H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
            H5Dread(rp->data, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, out) < 0)
            st = FAIL_AT(err, RV_EIO, r->path, key, "cannot read frames %zu..%zu", frame0,
                         frame0 + n - 1);
        rv__h5o_close(&fs);
        rv__h5o_close(&ms);
    }
    H5E_END_TRY
    return st;
}

static int owns(const rv_sonata_report *r, const rv_sonata_report_pop *p) {
    for (size_t i = 0; i < r->n_pops; i++)
        if (&r->pops[i].pub == p && r->pops[i].loaded) return 1;
    return 0;
}

rv_status rv_sonata_report_read_frames(rv_sonata_report *r, const rv_sonata_report_pop *p,
                                       size_t frame0, size_t n, float *out, rv_error *err) {
    if (!r || !p || (n && p->n_elements && !out))
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_report_read_frames: NULL argument");
    if (!owns(r, p)) return RV_FAIL(err, RV_EINVAL, "population was not obtained from this report");
    return read_block(r, p, frame0, n, 0, p->n_elements, out, err);
}

rv_status rv_sonata_report_read_node(rv_sonata_report *r, const rv_sonata_report_pop *p,
                                     uint64_t node_id, size_t frame0, size_t n, float *out,
                                     rv_error *err) {
    if (!r || !p) return RV_FAIL(err, RV_EINVAL, "rv_sonata_report_read_node: NULL argument");
    if (!owns(r, p)) return RV_FAIL(err, RV_EINVAL, "population was not obtained from this report");
    size_t b, e;
    rv_status st = rv_sonata_report_node_range(p, node_id, &b, &e, err);
    if (st != RV_OK) return st;
    if (n && e > b && !out)
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_report_read_node: NULL output");
    return read_block(r, p, frame0, n, b, e - b, out, err);
}
