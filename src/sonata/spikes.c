/* SPDX-License-Identifier: MIT
 * sonata/spikes.c -- SONATA spike files (read/write), BMTK variants, the
 * neurodamus out.dat text form, sorting and the MPI gather of spikes.
 *
 * In memory a spike set is a list of populations, each two parallel arrays
 * (timestamps, node_ids) in a stated order (rv_sonata_sorting).  Sorting is
 * a stable merge sort of (time, id) records: by_time compares time then id,
 * by_id id then time, which is what libsonatareport's pair of std::stable_sort
 * calls gives (ties fully equal keep their order).
 *
 * Files are written to a temporary name beside the target and renamed only
 * after the last byte is written (see sonata_output.h), so a failure never
 * leaves a truncated spike file.  HDF5's own error printing is switched off
 * around every call (H5E_BEGIN_TRY); failures become rv_error values naming
 * the file and the dataset.
 *
 * Not done here: time unit conversion (units are reported, not converted),
 * NWB or CSV spike files, appending to an existing spike file.
 */
#include "ranvier/sonata_output.h"

#include <errno.h>
#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ranvier/base.h"
#include "h5out_int.h"

/* Fail with a user position: file path and dataset/attribute key. */
#define FAIL_AT(err, code, path, key, ...)                                                         \
    (RV_FAIL((err), (code), __VA_ARGS__), rv_error_where((err), (path), 0, (key)), (code))

/* ---- small HDF5 helpers ------------------------------------------------- */

/* The file exists, is readable and is HDF5; opened read-only into *f. */
static rv_status open_read(const char *path, hid_t *f, rv_error *err) {
    struct stat sb;
    if (stat(path, &sb) != 0)
        return FAIL_AT(err, RV_ENOENT, path, NULL, "cannot open '%s': %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode)) return FAIL_AT(err, RV_EIO, path, NULL, "'%s' is a directory", path);
    if (access(path, R_OK) != 0)
        return FAIL_AT(err, RV_EIO, path, NULL, "cannot read '%s': %s", path, strerror(errno));
    if (H5Fis_hdf5(path) <= 0)
        return FAIL_AT(err, RV_EFORMAT, path, NULL, "'%s' is not an HDF5 file", path);
    *f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*f < 0) return FAIL_AT(err, RV_EIO, path, NULL, "HDF5 cannot open '%s'", path);
    return RV_OK;
}

/* The directory of path must exist and be writable. */

/* Create "<path>.tmp.<pid>.<k>" exclusively; *tmp is rv_malloc'd. */
static rv_status create_tmp_h5(const char *path, hid_t *f, char **tmp, rv_error *err) {
    *f = H5I_INVALID_HID;
    *tmp = NULL;
    rv_status st = rv__h5o_check_dir(path, err);
    if (st != RV_OK) return st;
    size_t n = strlen(path) + 48;
    char *name = rv_malloc(n);
    if (!name) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0) H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    *f = H5I_INVALID_HID;
    for (int k = 0; k < 100 && *f < 0; k++) {
        snprintf(name, n, "%s.tmp.%ld.%d", path, (long)getpid(), k);
        if (access(name, F_OK) == 0) continue;
        *f = H5Fcreate(name, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
        if (*f < 0) break;
    }
    rv__h5o_close(&fapl);
    if (*f < 0) {
        rv_free(name);
        return FAIL_AT(err, RV_EIO, path, NULL, "cannot create a file beside '%s'", path);
    }
    *tmp = name;
    return RV_OK;
}

/* Close *f; on st == RV_OK rename tmp over path, else remove tmp.  Frees tmp. */
static rv_status finish_tmp_h5(hid_t *f, char *tmp, const char *path, rv_status st, rv_error *err) {
    if (*f >= 0 && H5Fclose(*f) < 0 && st == RV_OK)
        st = FAIL_AT(err, RV_EIO, path, NULL, "closing '%s' failed", tmp);
    *f = H5I_INVALID_HID;
    if (st == RV_OK && rename(tmp, path) != 0)
        st = FAIL_AT(err, RV_EIO, path, NULL, "cannot rename '%s' to '%s': %s", tmp, path,
                     strerror(errno));
    if (st != RV_OK) remove(tmp);
    rv_free(tmp);
    return st;
}

/* ---- sorting order names ------------------------------------------------ */

const char *rv_sonata_sorting_name(rv_sonata_sorting s) {
    switch (s) {
    case RV_SONATA_SORT_NONE:
        return "none";
    case RV_SONATA_SORT_BY_ID:
        return "by_id";
    case RV_SONATA_SORT_BY_TIME:
        return "by_time";
    }
    return "?";
}

rv_status rv_sonata_sorting_parse(const char *text, rv_sonata_sorting *out, rv_error *err) {
    static const struct {
        const char *name;
        rv_sonata_sorting value;
    } names[] = {{"none", RV_SONATA_SORT_NONE},       {"unknown", RV_SONATA_SORT_NONE},
                 {"by_id", RV_SONATA_SORT_BY_ID},     {"id", RV_SONATA_SORT_BY_ID},
                 {"by_gid", RV_SONATA_SORT_BY_ID}, /* BMTK's old spike files */
                 {"by_time", RV_SONATA_SORT_BY_TIME}, {"time", RV_SONATA_SORT_BY_TIME}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (text && strcmp(text, names[i].name) == 0) {
            *out = names[i].value;
            return RV_OK;
        }
    return RV_FAIL(err, RV_EFORMAT,
                   "unknown spike sorting '%s' (expected none, by_id or by_time; BMTK's id, "
                   "by_gid, time, unknown)",
                   text ? text : "(null)");
}

/* ---- the in-memory set -------------------------------------------------- */

rv_status rv_sonata_spikes_create(rv_sonata_spikes **out, rv_error *err) {
    *out = rv_calloc(1, sizeof **out);
    if (!*out) return RV_FAIL(err, RV_ENOMEM, "out of memory creating a spike set");
    return RV_OK;
}

static void pop_free(rv_sonata_spike_pop *p) {
    rv_strfree(p->name);
    rv_free(p->timestamps);
    rv_free(p->node_ids);
    memset(p, 0, sizeof *p);
}

void rv_sonata_spikes_destroy(rv_sonata_spikes *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n_pops; i++) pop_free(&s->pops[i]);
    rv_free(s->pops);
    rv_free(s);
}

rv_sonata_spike_pop *rv_sonata_spikes_find(const rv_sonata_spikes *s, const char *population) {
    for (size_t i = 0; s && i < s->n_pops; i++)
        if (strcmp(s->pops[i].name, population) == 0) return &s->pops[i];
    return NULL;
}

/* Find or append population `name`. */
static rv_status pop_get(rv_sonata_spikes *s, const char *name, rv_sonata_spike_pop **out,
                         rv_error *err) {
    rv_sonata_spike_pop *p = rv_sonata_spikes_find(s, name);
    if (!p) {
        if (rv_grow((void **)&s->pops, &s->cap, s->n_pops + 1, sizeof *s->pops) != RV_OK)
            return RV_FAIL(err, RV_ENOMEM, "out of memory adding spike population '%s'", name);
        p = &s->pops[s->n_pops];
        memset(p, 0, sizeof *p);
        p->name = rv_strdup(name);
        if (!p->name)
            return RV_FAIL(err, RV_ENOMEM, "out of memory adding spike population '%s'", name);
        snprintf(p->units, sizeof p->units, "ms");
        s->n_pops++;
    }
    *out = p;
    return RV_OK;
}

static rv_status pop_reserve(rv_sonata_spike_pop *p, size_t need, rv_error *err) {
    if (need <= p->cap) return RV_OK;
    size_t cap = p->cap ? p->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2 / sizeof(double)) goto nomem;
        cap *= 2;
    }
    double *t = rv_realloc(p->timestamps, cap * sizeof *t);
    if (!t) goto nomem;
    p->timestamps = t;
    uint64_t *id = rv_realloc(p->node_ids, cap * sizeof *id);
    if (!id) goto nomem;
    p->node_ids = id;
    p->cap = cap;
    return RV_OK;
nomem:
    return RV_FAIL(err, RV_ENOMEM, "out of memory for %zu spikes of population '%s'", need,
                   p->name);
}

rv_status rv_sonata_spikes_add(rv_sonata_spikes *s, const char *population,
                               const double *timestamps, const uint64_t *node_ids, size_t n,
                               rv_error *err) {
    if (!s || !population || (n && (!timestamps || !node_ids)))
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_spikes_add: NULL argument");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(timestamps[i]))
            return RV_FAIL(err, RV_ERANGE,
                           "spike %zu of population '%s' (node %" PRIu64 ") has time %g", i,
                           population, node_ids[i], timestamps[i]);
    rv_sonata_spike_pop *p;
    rv_status st = pop_get(s, population, &p, err);
    if (st == RV_OK) st = pop_reserve(p, p->n + n, err);
    if (st != RV_OK) return st;
    if (n) {
        memcpy(p->timestamps + p->n, timestamps, n * sizeof *timestamps);
        memcpy(p->node_ids + p->n, node_ids, n * sizeof *node_ids);
    }
    p->n += n;
    p->sorting = RV_SONATA_SORT_NONE;
    return RV_OK;
}

/* ---- sorting ------------------------------------------------------------ */

typedef struct spike_rec {
    double t;
    uint64_t id;
} spike_rec;

static int rec_before(const spike_rec *a, const spike_rec *b, rv_sonata_sorting order) {
    if (order == RV_SONATA_SORT_BY_TIME) {
        if (a->t < b->t) return 1;
        if (b->t < a->t) return 0;
        return a->id < b->id;
    }
    if (a->id < b->id) return 1;
    if (b->id < a->id) return 0;
    return a->t < b->t;
}

/* Stable bottom-up merge sort of n records (tmp has room for n). */
static void merge_sort(spike_rec *a, spike_rec *tmp, size_t n, rv_sonata_sorting order) {
    spike_rec *src = a, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = rec_before(&src[j], &src[i], order) ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        spike_rec *x = src;
        src = dst;
        dst = x;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
}

/* Sorted copies of p's arrays into t/id (n each). */
static rv_status sorted_copy(const rv_sonata_spike_pop *p, rv_sonata_sorting order, double *t,
                             uint64_t *id, rv_error *err) {
    if (order == RV_SONATA_SORT_NONE || p->n < 2) {
        if (p->n) {
            memcpy(t, p->timestamps, p->n * sizeof *t);
            memcpy(id, p->node_ids, p->n * sizeof *id);
        }
        return RV_OK;
    }
    if (p->n > SIZE_MAX / 2 / sizeof(spike_rec))
        return RV_FAIL(err, RV_ENOMEM, "too many spikes to sort");
    spike_rec *r = rv_malloc(2 * p->n * sizeof *r);
    if (!r)
        return RV_FAIL(err, RV_ENOMEM, "out of memory sorting %zu spikes of population '%s'", p->n,
                       p->name);
    for (size_t i = 0; i < p->n; i++) r[i] = (spike_rec){p->timestamps[i], p->node_ids[i]};
    merge_sort(r, r + p->n, p->n, order);
    for (size_t i = 0; i < p->n; i++) {
        t[i] = r[i].t;
        id[i] = r[i].id;
    }
    rv_free(r);
    return RV_OK;
}

rv_status rv_sonata_spikes_sort(rv_sonata_spikes *s, rv_sonata_sorting order, rv_error *err) {
    if (!s) return RV_FAIL(err, RV_EINVAL, "rv_sonata_spikes_sort: NULL set");
    if (order != RV_SONATA_SORT_NONE && order != RV_SONATA_SORT_BY_ID &&
        order != RV_SONATA_SORT_BY_TIME)
        return RV_FAIL(err, RV_EINVAL, "unknown sorting order %d", (int)order);
    for (size_t i = 0; i < s->n_pops; i++) {
        rv_sonata_spike_pop *p = &s->pops[i];
        rv_status st = sorted_copy(p, order, p->timestamps, p->node_ids, err);
        if (st != RV_OK) return st;
        if (order != RV_SONATA_SORT_NONE) p->sorting = order;
    }
    return RV_OK;
}

/* ---- MPI gather --------------------------------------------------------- */

/* Serialized population: u64 name length, name, u64 n, n doubles, n u64. */
static size_t ser_size(const rv_sonata_spikes *s) {
    size_t n = 0;
    for (size_t i = 0; i < s->n_pops; i++) n += 16 + strlen(s->pops[i].name) + 16 * s->pops[i].n;
    return n;
}

static unsigned char *put(unsigned char *q, const void *src, size_t n) {
    if (n) memcpy(q, src, n);
    return q + n;
}

rv_status rv_sonata_spikes_gather(rv_sonata_spikes *s, const rv_sonata_comm *comm, rv_error *err) {
    if (!s) return RV_FAIL(err, RV_EINVAL, "rv_sonata_spikes_gather: NULL set");
    if (!comm || comm->size <= 1) return RV_OK;
    size_t nbytes = ser_size(s);
    unsigned char *buf = rv_malloc(nbytes);
    rv_status st = buf ? RV_OK : RV_FAIL(err, RV_ENOMEM, "out of memory packing spikes");
    if (buf) {
        unsigned char *q = buf;
        for (size_t i = 0; i < s->n_pops; i++) {
            const rv_sonata_spike_pop *p = &s->pops[i];
            uint64_t ln = strlen(p->name), n = p->n;
            q = put(q, &ln, 8);
            q = put(q, p->name, ln);
            q = put(q, &n, 8);
            q = put(q, p->timestamps, 8 * p->n);
            q = put(q, p->node_ids, 8 * p->n);
        }
    }
    /* every rank must enter the gather; a rank that failed sends nothing */
    st = rv_sonata_comm_agree(comm, st, err);
    if (st != RV_OK) {
        rv_free(buf);
        return st;
    }
    void *recv = NULL;
    size_t *sizes = NULL;
    st = rv_sonata_comm_gather(comm, buf, nbytes, &recv, &sizes, err);
    rv_free(buf);
    if (st != RV_OK) return st;
    /* rank 0 rebuilds the set from every rank's bytes, in rank order */
    rv_sonata_spikes *all = NULL;
    if (comm->rank == 0) {
        st = rv_sonata_spikes_create(&all, err);
        const unsigned char *q = recv;
        for (int r = 0; r < comm->size && st == RV_OK; r++) {
            const unsigned char *end = q + sizes[r];
            while (q < end && st == RV_OK) {
                uint64_t ln, n;
                memcpy(&ln, q, 8);
                q += 8;
                char name[1024];
                if (ln >= sizeof name) {
                    st = RV_FAIL(err, RV_EINTERNAL, "spike population name too long");
                    break;
                }
                memcpy(name, q, ln);
                name[ln] = 0;
                q += ln;
                memcpy(&n, q, 8);
                q += 8;
                rv_sonata_spike_pop *p;
                st = pop_get(all, name, &p, err);
                if (st == RV_OK) st = pop_reserve(p, p->n + n, err);
                if (st != RV_OK) break;
                if (n) {
                    memcpy(p->timestamps + p->n, q, 8 * n);
                    memcpy(p->node_ids + p->n, q + 8 * n, 8 * n);
                }
                p->n += n;
                q += 16 * n;
            }
        }
    }
    rv_free(recv);
    rv_free(sizes);
    st = rv_sonata_comm_agree(comm, st, err);
    if (st != RV_OK) {
        rv_sonata_spikes_destroy(all);
        return st;
    }
    /* swap contents: rank 0 takes the gathered set, others become empty */
    for (size_t i = 0; i < s->n_pops; i++) pop_free(&s->pops[i]);
    rv_free(s->pops);
    memset(s, 0, sizeof *s);
    if (all) {
        *s = *all;
        rv_free(all);
    }
    return RV_OK;
}

/* ---- HDF5 writer -------------------------------------------------------- */

static int valid_pop_name(const char *name) {
    return name && name[0] && !strchr(name, '/') && strcmp(name, ".") != 0;
}

static rv_status write_pop(hid_t root, const rv_sonata_spike_pop *p, rv_sonata_sorting order,
                           hid_t enum_t, const char *path, rv_error *err) {
    char key[160];
    snprintf(key, sizeof key, "/spikes/%s", p->name);
    if (!valid_pop_name(p->name))
        return FAIL_AT(err, RV_EINVAL, path, key,
                       "spike population name '%s' is not a valid HDF5 group name", p->name);
    rv_status st = RV_OK;
    hid_t g = H5I_INVALID_HID, sp = H5I_INVALID_HID, ds = H5I_INVALID_HID, a = H5I_INVALID_HID;
    double *t = rv_malloc((p->n ? p->n : 1) * sizeof *t);
    uint64_t *id = rv_malloc((p->n ? p->n : 1) * sizeof *id);
    if (!t || !id) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory writing population '%s'", p->name);
        goto done;
    }
    if ((st = sorted_copy(p, order, t, id, err)) != RV_OK) goto done;
    g = H5Gcreate2(root, p->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims[1] = {p->n};
    sp = H5Screate_simple(1, dims, NULL);
    if (g < 0 || sp < 0) goto io;
    uint8_t ov = (uint8_t)order;
    hid_t asp = H5Screate(H5S_SCALAR);
    a = H5Acreate2(g, "sorting", enum_t, asp, H5P_DEFAULT, H5P_DEFAULT);
    rv__h5o_close(&asp);
    if (a < 0 || H5Awrite(a, enum_t, &ov) < 0) goto io;
    rv__h5o_close(&a);
    ds = H5Dcreate2(g, "timestamps", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds < 0 || (p->n && H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t) < 0))
        goto io;
    if (rv__h5o_write_str_attr(ds, "units", p->units[0] ? p->units : "ms") < 0) goto io;
    rv__h5o_close(&ds);
    ds = H5Dcreate2(g, "node_ids", H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds < 0 || (p->n && H5Dwrite(ds, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, id) < 0))
        goto io;
    goto done;
io:
    st = FAIL_AT(err, RV_EIO, path, key, "HDF5 failed writing spike population '%s'", p->name);
done:
    rv__h5o_close(&a);
    rv__h5o_close(&ds);
    rv__h5o_close(&sp);
    rv__h5o_close(&g);
    rv_free(t);
    rv_free(id);
    return st;
}

static rv_status spikes_write(const char *path, const rv_sonata_spikes *s, rv_sonata_sorting order,
                              rv_error *err) {
    for (size_t i = 0; i < s->n_pops; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->pops[i].name, s->pops[j].name) == 0)
                return FAIL_AT(err, RV_EINVAL, path, NULL, "spike population '%s' appears twice",
                               s->pops[i].name);
    hid_t f = H5I_INVALID_HID, root = H5I_INVALID_HID, enum_t = H5I_INVALID_HID;
    char *tmp = NULL;
    rv_status st = create_tmp_h5(path, &f, &tmp, err);
    if (st != RV_OK) return st;
    /* the sorting enum libsonata reads: uint8 {none 0, by_id 1, by_time 2} */
    enum_t = H5Tenum_create(H5T_STD_U8LE);
    for (int v = 0; v <= 2 && enum_t >= 0; v++) {
        uint8_t u = (uint8_t)v;
        if (H5Tenum_insert(enum_t, rv_sonata_sorting_name((rv_sonata_sorting)v), &u) < 0)
            rv__h5o_close(&enum_t);
    }
    root = H5Gcreate2(f, "spikes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (enum_t < 0 || root < 0)
        st = FAIL_AT(err, RV_EIO, path, "/spikes", "HDF5 failed creating /spikes");
    for (size_t i = 0; i < s->n_pops && st == RV_OK; i++)
        st = write_pop(root, &s->pops[i], order, enum_t, path, err);
    rv__h5o_close(&root);
    rv__h5o_close(&enum_t);
    return finish_tmp_h5(&f, tmp, path, st, err);
}

rv_status rv_sonata_spikes_write(const char *path, const rv_sonata_spikes *s,
                                 rv_sonata_sorting order, rv_error *err) {
    if (!path || !s) return RV_FAIL(err, RV_EINVAL, "rv_sonata_spikes_write: NULL argument");
    if (order != RV_SONATA_SORT_NONE && order != RV_SONATA_SORT_BY_ID &&
        order != RV_SONATA_SORT_BY_TIME)
        return RV_FAIL(err, RV_EINVAL, "unknown sorting order %d", (int)order);
    rv_status st = RV_OK;
    H5E_BEGIN_TRY {
        st = spikes_write(path, s, order, err);
    }
    H5E_END_TRY
    return st;
}

/* ---- HDF5 reader -------------------------------------------------------- */

typedef struct name_list {
    char **names;
    size_t n, cap;
    int failed;
} name_list;

static herr_t collect_name(hid_t g, const char *name, const H5L_info_t *info, void *ud) {
    (void)g;
    (void)info;
    name_list *l = ud;
    char *d = rv_strdup(name);
    if (!d || rv_grow((void **)&l->names, &l->cap, l->n + 1, sizeof *l->names) != RV_OK) {
        rv_strfree(d);
        l->failed = 1;
        return -1;
    }
    l->names[l->n++] = d;
    return 0;
}

static void names_free(name_list *l) {
    for (size_t i = 0; i < l->n; i++) rv_strfree(l->names[i]);
    rv_free(l->names);
}

/* Kind of the object `name` in g: H5I_GROUP, H5I_DATASET, or H5I_BADID. */
static H5I_type_t obj_kind(hid_t g, const char *name) {
    if (H5Lexists(g, name, H5P_DEFAULT) <= 0) return H5I_BADID;
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    if (o < 0) return H5I_BADID;
    H5I_type_t k = H5Iget_type(o);
    H5Oclose(o);
    return k;
}

/* Sorting attribute of a population: on the group, else (BMTK legacy) on
 * its node-id dataset.  Enum (by member name), integer or string. */
static rv_status read_sorting(hid_t g, hid_t ids, const char *ids_name, const char *path,
                              const char *key, rv_sonata_sorting *out, rv_error *err) {
    *out = RV_SONATA_SORT_NONE;
    hid_t holder = H5Aexists(g, "sorting") > 0 ? g : H5Aexists(ids, "sorting") > 0 ? ids : -1;
    if (holder < 0) return RV_OK;
    char akey[300];
    snprintf(akey, sizeof akey, "%s%s%s@sorting", key, holder == ids ? "/" : "",
             holder == ids ? ids_name : "");
    hid_t a = H5Aopen(holder, "sorting", H5P_DEFAULT), ft = H5I_INVALID_HID, mt = H5I_INVALID_HID;
    rv_status st = RV_OK;
    char name[64] = "", tdesc[32];
    if (a < 0 || (ft = H5Aget_type(a)) < 0) {
        st = FAIL_AT(err, RV_EIO, path, akey, "cannot read the sorting attribute");
        goto done;
    }
    switch (H5Tget_class(ft)) {
    case H5T_ENUM: {
        unsigned char raw[16] = {0};
        mt = H5Tget_native_type(ft, H5T_DIR_DEFAULT);
        if (mt < 0 || H5Tget_size(mt) > sizeof raw || H5Aread(a, mt, raw) < 0) {
            st = FAIL_AT(err, RV_EIO, path, akey, "cannot read the sorting attribute");
        } else if (H5Tenum_nameof(mt, raw, name, sizeof name) < 0) {
            st = FAIL_AT(err, RV_EFORMAT, path, akey,
                         "sorting attribute holds a value outside its enum");
        }
        break;
    }
    case H5T_INTEGER: {
        long long v = -1;
        if (H5Aread(a, H5T_NATIVE_LLONG, &v) < 0)
            st = FAIL_AT(err, RV_EIO, path, akey, "cannot read the sorting attribute");
        else if (v < 0 || v > 2)
            st = FAIL_AT(err, RV_EFORMAT, path, akey,
                         "sorting attribute is %lld (expected 0 none, 1 by_id, 2 by_time)", v);
        else
            snprintf(name, sizeof name, "%s", rv_sonata_sorting_name((rv_sonata_sorting)v));
        break;
    }
    case H5T_STRING:
        if (rv__h5o_read_str_attr(a, name, sizeof name) < 0)
            st = FAIL_AT(err, RV_EIO, path, akey, "cannot read the sorting attribute");
        break;
    default:
        st = FAIL_AT(err, RV_EFORMAT, path, akey,
                     "sorting attribute has type %s (expected an enum or a string)",
                     rv__h5o_type_desc(ft, tdesc, sizeof tdesc));
    }
    if (st == RV_OK && rv_sonata_sorting_parse(name, out, err) != RV_OK) {
        rv_error_where(err, path, 0, akey);
        st = RV_EFORMAT;
    }
done:
    rv__h5o_close(&mt);
    rv__h5o_close(&ft);
    if (a >= 0) H5Aclose(a);
    return st;
}

/* Open 1-D dataset `name` of g; *n its length, *type its file type. */
static rv_status open_1d(hid_t g, const char *name, const char *path, const char *key, hid_t *ds,
                         hid_t *type, size_t *n, rv_error *err) {
    if (obj_kind(g, name) != H5I_DATASET)
        return FAIL_AT(err, RV_EFORMAT, path, key, "missing dataset '%s'", name);
    *ds = H5Dopen2(g, name, H5P_DEFAULT);
    if (*ds < 0) return FAIL_AT(err, RV_EIO, path, key, "cannot open dataset '%s'", name);
    hid_t sp = H5Dget_space(*ds);
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    hsize_t dims[1] = {0};
    if (rank == 1) H5Sget_simple_extent_dims(sp, dims, NULL);
    rv__h5o_close(&sp);
    if (rank != 1)
        return FAIL_AT(err, RV_EFORMAT, path, key, "dataset '%s' has %d dimensions (expected 1)",
                       name, rank);
    *type = H5Dget_type(*ds);
    *n = (size_t)dims[0];
    return *type < 0 ? FAIL_AT(err, RV_EIO, path, key, "cannot read the type of '%s'", name)
                     : RV_OK;
}

static rv_status read_pop(hid_t g, const char *pop_name, const char *ids_name, const char *path,
                          rv_sonata_spikes *s, rv_error *err) {
    char key[200], tkey[220], ikey[220], tdesc[32];
    snprintf(key, sizeof key, pop_name[0] ? "/spikes/%s" : "/spikes", pop_name);
    snprintf(tkey, sizeof tkey, "%s/timestamps", key);
    snprintf(ikey, sizeof ikey, "%s/%s", key, ids_name);
    hid_t tds = H5I_INVALID_HID, tt = H5I_INVALID_HID, ids = H5I_INVALID_HID, it = H5I_INVALID_HID,
          a = H5I_INVALID_HID;
    size_t nt = 0, ni = 0;
    rv_sonata_spike_pop *p = NULL;
    rv_status st = open_1d(g, "timestamps", path, tkey, &tds, &tt, &nt, err);
    if (st == RV_OK) st = open_1d(g, ids_name, path, ikey, &ids, &it, &ni, err);
    if (st != RV_OK) goto done;
    if (H5Tget_class(tt) != H5T_FLOAT) {
        st = FAIL_AT(err, RV_EFORMAT, path, tkey,
                     "dataset 'timestamps' has type %s (expected floating point)",
                     rv__h5o_type_desc(tt, tdesc, sizeof tdesc));
        goto done;
    }
    if (H5Tget_class(it) != H5T_INTEGER) {
        st = FAIL_AT(err, RV_EFORMAT, path, ikey,
                     "dataset '%s' has type %s (expected an integer type)", ids_name,
                     rv__h5o_type_desc(it, tdesc, sizeof tdesc));
        goto done;
    }
    if (nt != ni) {
        st = FAIL_AT(err, RV_EFORMAT, path, key, "'%s' has %zu entries but 'timestamps' has %zu",
                     ids_name, ni, nt);
        goto done;
    }
    if (rv_sonata_spikes_find(s, pop_name)) {
        st = FAIL_AT(err, RV_EFORMAT, path, key, "spike population '%s' appears twice", pop_name);
        goto done;
    }
    if ((st = pop_get(s, pop_name, &p, err)) != RV_OK) goto done;
    if ((st = read_sorting(g, ids, ids_name, path, key, &p->sorting, err)) != RV_OK) goto done;
    if (H5Aexists(tds, "units") > 0) {
        a = H5Aopen(tds, "units", H5P_DEFAULT);
        if (a < 0 || rv__h5o_read_str_attr(a, p->units, sizeof p->units) < 0) {
            char ukey[240];
            snprintf(ukey, sizeof ukey, "%s@units", tkey);
            st = FAIL_AT(err, RV_EFORMAT, path, ukey, "attribute 'units' is not a string");
            goto done;
        }
    }
    if ((st = pop_reserve(p, nt, err)) != RV_OK) goto done;
    if (nt && H5Dread(tds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->timestamps) < 0) {
        st = FAIL_AT(err, RV_EIO, path, tkey, "cannot read 'timestamps'");
        goto done;
    }
    if (nt && H5Tget_sign(it) == H5T_SGN_2) {
        /* signed ids (BMTK writes int64): read as such and refuse negatives */
        int64_t *v = (int64_t *)p->node_ids;
        if (H5Dread(ids, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
            st = FAIL_AT(err, RV_EIO, path, ikey, "cannot read '%s'", ids_name);
            goto done;
        }
        for (size_t i = 0; i < nt; i++)
            if (v[i] < 0) {
                st = FAIL_AT(err, RV_ERANGE, path, ikey,
                             "node id %" PRId64 " at index %zu is negative", v[i], i);
                goto done;
            }
    } else if (nt &&
               H5Dread(ids, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->node_ids) < 0) {
        st = FAIL_AT(err, RV_EIO, path, ikey, "cannot read '%s'", ids_name);
        goto done;
    }
    p->n = nt;
done:
    rv__h5o_close(&a);
    rv__h5o_close(&tt);
    rv__h5o_close(&it);
    rv__h5o_close(&tds);
    rv__h5o_close(&ids);
    return st;
}

static rv_status spikes_read(const char *path, rv_sonata_spikes *s, rv_error *err) {
    hid_t f = H5I_INVALID_HID, root = H5I_INVALID_HID;
    name_list l = {0};
    rv_status st = open_read(path, &f, err);
    if (st != RV_OK) return st;
    if (obj_kind(f, "spikes") != H5I_GROUP) {
        st = FAIL_AT(err, RV_EFORMAT, path, "/spikes", "no group '/spikes': not a spike file");
        goto done;
    }
    root = H5Gopen2(f, "spikes", H5P_DEFAULT);
    if (root < 0 || H5Literate(root, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_name, &l) < 0) {
        st = l.failed ? RV_FAIL(err, RV_ENOMEM, "out of memory listing /spikes")
                      : FAIL_AT(err, RV_EIO, path, "/spikes", "cannot list '/spikes'");
        goto done;
    }
    int groups = 0;
    for (size_t i = 0; i < l.n; i++) groups += obj_kind(root, l.names[i]) == H5I_GROUP;
    if (groups) {
        for (size_t i = 0; i < l.n && st == RV_OK; i++) {
            if (obj_kind(root, l.names[i]) != H5I_GROUP) continue;
            hid_t g = H5Gopen2(root, l.names[i], H5P_DEFAULT);
            st = g < 0 ? FAIL_AT(err, RV_EIO, path, l.names[i], "cannot open group")
                       : read_pop(g, l.names[i], "node_ids", path, s, err);
            rv__h5o_close(&g);
        }
    } else if (obj_kind(root, "timestamps") == H5I_DATASET) {
        /* old layout without populations: /spikes/{gids,timestamps} */
        const char *ids = obj_kind(root, "gids") == H5I_DATASET ? "gids" : "node_ids";
        st = read_pop(root, "", ids, path, s, err);
    }
done:
    names_free(&l);
    rv__h5o_close(&root);
    rv__h5o_close(&f);
    return st;
}

rv_status rv_sonata_spikes_read(const char *path, rv_sonata_spikes **out, rv_error *err) {
    if (!path || !out) return RV_FAIL(err, RV_EINVAL, "rv_sonata_spikes_read: NULL argument");
    *out = NULL;
    rv_sonata_spikes *s;
    rv_status st = rv_sonata_spikes_create(&s, err);
    if (st != RV_OK) return st;
    H5E_BEGIN_TRY {
        st = spikes_read(path, s, err);
    }
    H5E_END_TRY
    if (st != RV_OK) {
        rv_sonata_spikes_destroy(s);
        return st;
    }
    *out = s;
    return RV_OK;
}

/* ---- out.dat ------------------------------------------------------------ */

rv_status rv_sonata_spikes_write_dat(const char *path, const rv_sonata_spikes *s,
                                     const uint64_t *gid_offsets, rv_error *err) {
    if (!path || !s) return RV_FAIL(err, RV_EINVAL, "rv_sonata_spikes_write_dat: NULL argument");
    rv_status dst = rv__h5o_check_dir(path, err);
    if (dst != RV_OK) return dst;
    size_t n = strlen(path) + 48;
    char *tmp = rv_malloc(n);
    if (!tmp) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    FILE *fp = NULL;
    for (int k = 0; k < 100 && !fp; k++) {
        snprintf(tmp, n, "%s.tmp.%ld.%d", path, (long)getpid(), k);
        fp = fopen(tmp, "wx");
        if (!fp && errno != EEXIST) break;
    }
    if (!fp) {
        rv_status st =
            FAIL_AT(err, RV_EIO, path, NULL, "cannot create '%s': %s", tmp, strerror(errno));
        rv_free(tmp);
        return st;
    }
    int bad = fputs("/scatter\n", fp) < 0;
    for (size_t i = 0; i < s->n_pops && !bad; i++) {
        const rv_sonata_spike_pop *p = &s->pops[i];
        uint64_t off = gid_offsets ? gid_offsets[i] : 0;
        for (size_t j = 0; j < p->n && !bad; j++)
            bad = fprintf(fp, "%.3f\t%" PRIu64 "\n", p->timestamps[j], p->node_ids[j] + off) < 0;
    }
    bad |= fclose(fp) != 0;
    rv_status st = RV_OK;
    if (bad)
        st = FAIL_AT(err, RV_EIO, path, NULL, "writing '%s' failed: %s", tmp, strerror(errno));
    else if (rename(tmp, path) != 0)
        st = FAIL_AT(err, RV_EIO, path, NULL, "cannot rename '%s' to '%s': %s", tmp, path,
                     strerror(errno));
    if (st != RV_OK) remove(tmp);
    rv_free(tmp);
    return st;
}

/* One "<time> <gid>" line; 0 on success. */
static int parse_dat_line(const char *line, double *t, uint64_t *gid) {
    char *end;
    errno = 0;
    *t = strtod(line, &end);
    if (end == line || errno == ERANGE || !isfinite(*t)) return -1;
    const char *q = end;
    while (*q == ' ' || *q == '\t') q++;
    if (q == end || *q < '0' || *q > '9') return -1;
    errno = 0;
    unsigned long long g = strtoull(q, &end, 10);
    if (errno == ERANGE) return -1;
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n') end++;
    if (*end) return -1;
    *gid = g;
    return 0;
}

static rv_status read_dat(FILE *fp, const char *path, rv_sonata_spike_pop *p, rv_error *err) {
    char line[512];
    for (int lineno = 1; fgets(line, sizeof line, fp); lineno++) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(fp)) {
            RV_FAIL(err, RV_EFORMAT, "line longer than %zu characters", sizeof line - 2);
            rv_error_where(err, path, lineno, NULL);
            return RV_EFORMAT;
        }
        const char *q = line;
        while (*q == ' ' || *q == '\t') q++;
        if (*q == '\n' || *q == '\r' || *q == 0) continue;
        if (lineno == 1 && strncmp(q, "/scatter", 8) == 0) continue;
        double t;
        uint64_t gid;
        if (parse_dat_line(q, &t, &gid) != 0) {
            line[strcspn(line, "\r\n")] = 0;
            RV_FAIL(err, RV_EFORMAT,
                    "expected '<time> <gid>' (a finite time and a non-negative integer), "
                    "found '%.80s'",
                    line);
            rv_error_where(err, path, lineno, NULL);
            return RV_EFORMAT;
        }
        rv_status st = pop_reserve(p, p->n + 1, err);
        if (st != RV_OK) return st;
        p->timestamps[p->n] = t;
        p->node_ids[p->n] = gid;
        p->n++;
    }
    if (ferror(fp)) return FAIL_AT(err, RV_EIO, path, NULL, "read error: %s", strerror(errno));
    return RV_OK;
}

rv_status rv_sonata_spikes_read_dat(const char *path, const char *population,
                                    rv_sonata_spikes **out, rv_error *err) {
    if (!path || !population || !out)
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_spikes_read_dat: NULL argument");
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return FAIL_AT(err, RV_EIO, path, NULL, "'%s' is a directory", path);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return FAIL_AT(err, errno == ENOENT ? RV_ENOENT : RV_EIO, path, NULL,
                       "cannot open '%s': %s", path, strerror(errno));
    rv_sonata_spikes *s = NULL;
    rv_sonata_spike_pop *p;
    rv_status st = rv_sonata_spikes_create(&s, err);
    if (st == RV_OK) st = pop_get(s, population, &p, err);
    if (st == RV_OK) st = read_dat(fp, path, p, err);
    fclose(fp);
    if (st != RV_OK) {
        rv_sonata_spikes_destroy(s);
        return st;
    }
    *out = s;
    return RV_OK;
}
