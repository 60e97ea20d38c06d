/* SPDX-License-Identifier: MIT
 * sonata/nodes.c -- SONATA populations: the core shared by nodes and edges
 * (rv_sonata_file_*, rv_sonata_pop_*) and the node-only readers
 * (rv_sonata_nodes_*).  edges.c adds what only edges have.
 *
 * Opening a population reads no data, only names, shapes and dtypes: the
 * population-level datasets (type ids, group ids and indices, node_id) are
 * checked to be 1-D integers of one length, the groups (numerically named
 * subgroups) are listed with their datasets, dynamics_params datasets and
 * @library enumerations, and the attribute names of all groups and of the
 * types CSV are merged into one sorted list.
 *
 * Reading attribute A over a selection:
 *   1. map: each selected row's group id and group index (read from
 *      node_group_id/node_group_index over the selection only; implicit when
 *      the population has one group and no such datasets).  When every row
 *      sits in one group at its own row number ("identity", the common case)
 *      the group datasets are read with the selection itself;
 *   2. per group holding a dataset A: the group indices of its rows, sorted
 *      and merged into ranges, are read (hyperslabs) and scattered back;
 *   3. rows left (their group lacks A) take column A of the types CSV at
 *      their type id; NONE or no column leaves the value missing.
 * The map of the last selection is kept, so reading many attributes of one
 * selection reads the group datasets once.
 *
 * Invariants: p->attrs sorted by name, p->groups sorted by id, each gattr's
 * `attr` indexes p->attrs; f->refs counts the caller's reference and one per
 * open population.
 */
#include "sonata/h5util_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- files ----------------------------------------------------------------- */

static void file_release(rv_sonata_file *f) {
    if (!f || --f->refs > 0) return;
    if (f->fid >= 0) H5Fclose(f->fid);
    rv__csvt_free(f->types);
    rv_free(f->pops);
    rv_free(f->path);
    rv_free(f);
}

rv_status rv__circ_file_open(const char *h5_path, const char *csv, rv_sonata_kind kind,
                             rv_sonata_file **out, rv_error *err) {
    if (!out || !h5_path)
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_%s_open: NULL argument",
                       kind == RV_SONATA_NODES ? "nodes" : "edges");
    *out = NULL;
    rv__h5_quiet();
    rv_sonata_file *f = rv_calloc(1, sizeof *f);
    if (!f) return RV__NOMEM(err, "file");
    f->fid = -1;
    f->refs = 1;
    f->kind = kind;
    f->path = rv_strdup(h5_path);
    if (!f->path) {
        file_release(f);
        return RV__NOMEM(err, "file");
    }
    rv_status st = rv__h5_open_file(h5_path, &f->fid, err);
    const char *top = kind == RV_SONATA_NODES ? "/nodes" : "/edges";
    if (st == RV_OK && rv__h5_kind(f->fid, top) != 1)
        st = RV__FAILK(err, RV_EFORMAT, h5_path, top, "%s has no %s group (not a SONATA %s file)",
                       h5_path, top, kind == RV_SONATA_NODES ? "nodes" : "edges");
    char **names = NULL;
    int *kinds = NULL;
    size_t n = 0;
    if (st == RV_OK) st = rv__h5_list(f->fid, h5_path, top, &names, &kinds, &n, err);
    if (st == RV_OK) {
        /* keep only groups: compact the pointer array in place */
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (kinds[i] == 1) names[k++] = names[i];
        f->pops = names;
        f->npop = k;
        names = NULL;
    }
    rv_free(names);
    rv_free(kinds);
    if (st == RV_OK && csv)
        st = rv__csvt_load(csv, kind == RV_SONATA_NODES ? "node_type_id" : "edge_type_id",
                           &f->types, err);
    if (st != RV_OK) {
        file_release(f);
        return st;
    }
    *out = f;
    return RV_OK;
}

rv_status rv_sonata_nodes_open(const char *h5_path, const char *types_csv, rv_sonata_file **out,
                               rv_error *err) {
    return rv__circ_file_open(h5_path, types_csv, RV_SONATA_NODES, out, err);
}

void rv_sonata_file_close(rv_sonata_file *f) {
    file_release(f);
}
rv_sonata_kind rv_sonata_file_kind(const rv_sonata_file *f) {
    return f->kind;
}
const char *rv_sonata_file_path(const rv_sonata_file *f) {
    return f->path;
}
size_t rv_sonata_file_population_count(const rv_sonata_file *f) {
    return f ? f->npop : 0;
}
const char *rv_sonata_file_population_name(const rv_sonata_file *f, size_t i) {
    return f && i < f->npop ? f->pops[i] : NULL;
}

/* ---- population opening ----------------------------------------------------- */

static void map_reset(rv__map *m) {
    rv_sonata_sel_free(&m->sel);
    rv_free(m->gid);
    rv_free(m->gidx);
    rv_free(m->type);
    memset(m, 0, sizeof *m);
}

void rv_sonata_pop_close(rv_sonata_pop *p) {
    if (!p) return;
    for (size_t g = 0; g < p->ngroups; g++) {
        for (size_t i = 0; i < p->groups[g].nga; i++) {
            rv_free(p->groups[g].ga[i].name);
            rv_free(p->groups[g].ga[i].dset);
            rv_free(p->groups[g].ga[i].lib);
        }
        rv_free(p->groups[g].ga);
        rv_free(p->groups[g].path);
    }
    rv_free(p->groups);
    for (size_t i = 0; i < p->nattr; i++) rv_free(p->attrs[i].name);
    rv_free(p->attrs);
    map_reset(&p->map);
    rv_free(p->name);
    rv_free(p->root);
    rv_free(p->type_ds);
    rv_free(p->gid_ds);
    rv_free(p->gidx_ds);
    rv_free(p->node_id_ds);
    rv_free(p->src_ds);
    rv_free(p->tgt_ds);
    rv_free(p->src_pop);
    rv_free(p->tgt_pop);
    for (int d = 0; d < 2; d++) {
        rv_free(p->n2r[d]);
        rv_free(p->r2e[d]);
    }
    file_release(p->f);
    rv_free(p);
}

rv_status rv__circ_check_ids(rv_sonata_pop *p, const char *dset, rv_error *err) {
    rv__dsinfo in;
    rv_status st = rv__h5_info(p->f->fid, p->f->path, dset, &in, err);
    if (st != RV_OK) return st;
    if (in.rank != 1)
        return RV__FAILK(err, RV_EFORMAT, p->f->path, dset, "%s has %d dimensions, expected 1",
                         dset, in.rank);
    if (in.dtype == RV_SONATA_STRING || in.dtype == RV_SONATA_FLOAT32 ||
        in.dtype == RV_SONATA_FLOAT64 || in.dtype == RV_SONATA_OTHER)
        return RV__FAILK(err, RV_EFORMAT, p->f->path, dset,
                         "wrong dtype: %s is %s, expected integers", dset,
                         rv_sonata_dtype_name(in.dtype));
    if (p->size == UINT64_MAX) {
        p->size = in.dims[0];
    } else if (in.dims[0] != p->size) {
        return RV__FAILK(err, RV_EFORMAT, p->f->path, dset,
                         "mismatched lengths: %s has %llu rows but %s has %llu", dset,
                         (unsigned long long)in.dims[0], p->type_ds, (unsigned long long)p->size);
    }
    return RV_OK;
}

static int all_digits(const char *s) {
    if (!*s || strlen(s) > 9) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

static int cmp_group(const void *a, const void *b) {
    const rv__group *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static rv_status add_gattr(rv__group *g, size_t *cap, const char *name, const char *dset,
                           rv_error *err) {
    if (rv_grow((void **)&g->ga, cap, g->nga + 1, sizeof *g->ga) != RV_OK)
        return RV__NOMEM(err, "group attributes");
    rv__gattr *a = &g->ga[g->nga];
    memset(a, 0, sizeof *a);
    a->name = rv_strdup(name);
    a->dset = rv_strdup(dset);
    g->nga++;
    if (!a->name || !a->dset) return RV__NOMEM(err, "group attributes");
    return RV_OK;
}

/* Datasets of group g (and of its dynamics_params), @library links. */
static rv_status scan_group(rv_sonata_pop *p, rv__group *g, rv_error *err) {
    hid_t fid = p->f->fid;
    const char *file = p->f->path;
    char **names = NULL;
    int *kinds = NULL;
    size_t n = 0, cap = 0;
    rv_status st = rv__h5_list(fid, file, g->path, &names, &kinds, &n, err);
    for (size_t i = 0; i < n && st == RV_OK; i++) {
        char *full = rv__h5_strf("%s/%s", g->path, names[i]);
        if (!full) {
            st = RV__NOMEM(err, "dataset path");
            break;
        }
        if (kinds[i] == 2) {
            st = add_gattr(g, &cap, names[i], full, err);
        } else if (kinds[i] == 1 && strcmp(names[i], "dynamics_params") == 0) {
            char **dn = NULL;
            int *dk = NULL;
            size_t nd = 0;
            st = rv__h5_list(fid, file, full, &dn, &dk, &nd, err);
            for (size_t j = 0; j < nd && st == RV_OK; j++) {
                if (dk[j] != 2) continue;
                char *an = rv__h5_strf("@dynamics:%s", dn[j]);
                char *ds = rv__h5_strf("%s/%s", full, dn[j]);
                if (!an || !ds)
                    st = RV__NOMEM(err, "dynamics attribute");
                else
                    st = add_gattr(g, &cap, an, ds, err);
                rv_free(an);
                rv_free(ds);
            }
            rv_free(dn);
            rv_free(dk);
        }
        rv_free(full);
    }
    rv_free(names);
    rv_free(kinds);
    for (size_t i = 0; i < g->nga && st == RV_OK; i++) {
        rv__gattr *a = &g->ga[i];
        st = rv__h5_info(fid, file, a->dset, &a->info, err);
        if (st != RV_OK) break;
        if (a->info.rank != 1) a->info.dtype = RV_SONATA_OTHER;
        if (strncmp(a->name, "@dynamics:", 10) == 0) continue;
        char *lib = rv__h5_strf("%s/@library/%s", g->path, a->name);
        if (!lib) {
            st = RV__NOMEM(err, "library path");
            break;
        }
        if (rv__h5_kind(fid, lib) == 2)
            a->lib = lib;
        else
            rv_free(lib);
    }
    return st;
}

static rv_status scan_groups(rv_sonata_pop *p, rv_error *err) {
    char **names = NULL;
    int *kinds = NULL;
    size_t n = 0;
    rv_status st = rv__h5_list(p->f->fid, p->f->path, p->root, &names, &kinds, &n, err);
    if (st != RV_OK) return st;
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) ng += kinds[i] == 1 && all_digits(names[i]);
    p->groups = rv_calloc(ng ? ng : 1, sizeof *p->groups);
    if (!p->groups) st = RV__NOMEM(err, "groups");
    for (size_t i = 0; i < n && st == RV_OK; i++) {
        if (!(kinds[i] == 1 && all_digits(names[i]))) continue;
        rv__group *g = &p->groups[p->ngroups++];
        g->id = (uint32_t)strtoul(names[i], NULL, 10);
        g->path = rv__h5_strf("%s/%s", p->root, names[i]);
        if (!g->path) st = RV__NOMEM(err, "group path");
    }
    rv_free(names);
    rv_free(kinds);
    if (st != RV_OK) return st;
    qsort(p->groups, p->ngroups, sizeof *p->groups, cmp_group);
    for (size_t g = 1; g < p->ngroups; g++)
        if (p->groups[g].id == p->groups[g - 1].id)
            return RV__FAILK(err, RV_EFORMAT, p->f->path, p->groups[g].path,
                             "groups %s and %s have the same number", p->groups[g - 1].path,
                             p->groups[g].path);
    for (size_t g = 0; g < p->ngroups && st == RV_OK; g++) st = scan_group(p, &p->groups[g], err);
    return st;
}

static int cmp_cstr(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Merge group attribute names and CSV columns into p->attrs. */
static rv_status build_attrs(rv_sonata_pop *p, rv_error *err) {
    const rv__types *t = p->f->types;
    size_t m = t ? t->ncol : 0;
    for (size_t g = 0; g < p->ngroups; g++) m += p->groups[g].nga;
    const char **tmp = rv_malloc((m ? m : 1) * sizeof *tmp);
    if (!tmp) return RV__NOMEM(err, "attributes");
    size_t n = 0;
    for (size_t g = 0; g < p->ngroups; g++)
        for (size_t i = 0; i < p->groups[g].nga; i++) tmp[n++] = p->groups[g].ga[i].name;
    if (t)
        for (size_t j = 0; j < t->ncol; j++)
            if (j != t->id_col) tmp[n++] = t->cols[j];
    qsort(tmp, n, sizeof *tmp, cmp_cstr);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || strcmp(tmp[k - 1], tmp[i]) != 0) tmp[k++] = tmp[i];
    p->attrs = rv_calloc(k ? k : 1, sizeof *p->attrs);
    rv_status st = p->attrs ? RV_OK : RV__NOMEM(err, "attributes");
    for (size_t i = 0; i < k && st == RV_OK; i++) {
        p->attrs[i].name = rv_strdup(tmp[i]);
        if (!p->attrs[i].name)
            st = RV__NOMEM(err, "attribute names");
        else
            p->nattr = i + 1;
    }
    rv_free(tmp);
    if (st != RV_OK) return st;
    for (size_t i = 0; i < p->nattr; i++) {
        rv__attr *a = &p->attrs[i];
        a->dtype = RV_SONATA_NONE;
        a->dynamics = strncmp(a->name, "@dynamics:", 10) == 0;
        a->csv_col = t ? rv__csvt_col(t, a->name) : -1;
        if (a->csv_col >= 0 && (size_t)a->csv_col == t->id_col) a->csv_col = -1;
    }
    for (size_t g = 0; g < p->ngroups; g++)
        for (size_t i = 0; i < p->groups[g].nga; i++) {
            rv__gattr *ga = &p->groups[g].ga[i];
            long ai = rv_sonata_pop_attr_find(p, ga->name);
            ga->attr = (size_t)ai;
            rv__attr *a = &p->attrs[ai];
            a->n_groups++;
            if (ga->lib) a->enumeration = 1;
            if (a->dtype == RV_SONATA_NONE) a->dtype = ga->info.dtype;
        }
    for (size_t i = 0; i < p->nattr; i++)
        if (p->attrs[i].dtype == RV_SONATA_NONE && p->attrs[i].csv_col >= 0)
            p->attrs[i].dtype = t->col_type[p->attrs[i].csv_col];
    return RV_OK;
}

rv_status rv_sonata_pop_open(rv_sonata_file *f, const char *name, rv_sonata_pop **out,
                             rv_error *err) {
    if (!f || !name || !out) return RV_FAIL(err, RV_EINVAL, "rv_sonata_pop_open: NULL argument");
    *out = NULL;
    rv__h5_quiet();
    size_t i;
    for (i = 0; i < f->npop; i++)
        if (strcmp(f->pops[i], name) == 0) break;
    const char *top = f->kind == RV_SONATA_NODES ? "nodes" : "edges";
    if (i == f->npop) {
        char list[200] = "";
        size_t used = 0;
        for (size_t j = 0; j < f->npop && used + 1 < sizeof list; j++) {
            int w = snprintf(list + used, sizeof list - used, "%s'%s'", j ? ", " : "", f->pops[j]);
            if (w < 0) break;
            used += (size_t)w;
        }
        if (used >= sizeof list) used = sizeof list - 1;
        rv_status st = RV_FAIL(err, RV_ENOENT, "no %s population '%s' in %s (it has %s)", top, name,
                               f->path, f->npop ? list : "none");
        rv_error_where(err, f->path, 0, name);
        return st;
    }
    rv_sonata_pop *p = rv_calloc(1, sizeof *p);
    if (!p) return RV__NOMEM(err, "population");
    p->f = f;
    f->refs++;
    p->kind = f->kind;
    p->size = UINT64_MAX;
    const char *pf = f->kind == RV_SONATA_NODES ? "node" : "edge";
    p->name = rv_strdup(name);
    p->root = rv__h5_strf("/%s/%s", top, name);
    p->type_ds = rv__h5_strf("/%s/%s/%s_type_id", top, name, pf);
    char *gid = rv__h5_strf("/%s/%s/%s_group_id", top, name, pf);
    char *gidx = rv__h5_strf("/%s/%s/%s_group_index", top, name, pf);
    char *nid = rv__h5_strf("/%s/%s/node_id", top, name);
    rv_status st = RV_OK;
    if (!p->name || !p->root || !p->type_ds || !gid || !gidx || !nid) st = RV__NOMEM(err, "names");
    if (st == RV_OK) st = rv__circ_check_ids(p, p->type_ds, err);
    if (st == RV_OK) {
        int e1 = rv__h5_exists(f->fid, gid), e2 = rv__h5_exists(f->fid, gidx);
        if (e1 != e2) {
            st = RV__FAILK(err, RV_EFORMAT, f->path, e1 ? gidx : gid,
                           "missing dataset %s (%s exists)", e1 ? gidx : gid, e1 ? gid : gidx);
        } else if (e1) {
            st = rv__circ_check_ids(p, gid, err);
            if (st == RV_OK) st = rv__circ_check_ids(p, gidx, err);
            if (st == RV_OK) {
                p->gid_ds = gid;
                p->gidx_ds = gidx;
                gid = gidx = NULL;
            }
        }
    }
    if (st == RV_OK && f->kind == RV_SONATA_NODES && rv__h5_exists(f->fid, nid)) {
        st = rv__circ_check_ids(p, nid, err);
        if (st == RV_OK) {
            p->node_id_ds = nid;
            nid = NULL;
        }
    }
    rv_free(gid);
    rv_free(gidx);
    rv_free(nid);
    if (st == RV_OK) st = scan_groups(p, err);
    if (st == RV_OK && !p->gid_ds && p->ngroups > 1)
        st = RV__FAILK(err, RV_EFORMAT, f->path, p->root,
                       "population %s has %zu groups but no %s_group_id/%s_group_index datasets",
                       p->root, p->ngroups, pf, pf);
    if (st == RV_OK) st = build_attrs(p, err);
    if (st == RV_OK && f->kind == RV_SONATA_EDGES) st = rv__circ_edges_init(p, err);
    if (st != RV_OK) {
        rv_sonata_pop_close(p);
        return st;
    }
    *out = p;
    return RV_OK;
}

const char *rv_sonata_pop_name(const rv_sonata_pop *p) {
    return p->name;
}
rv_sonata_kind rv_sonata_pop_kind(const rv_sonata_pop *p) {
    return p->kind;
}
uint64_t rv_sonata_pop_size(const rv_sonata_pop *p) {
    return p->size;
}
uint64_t rv_sonata_pop_bytes_read(const rv_sonata_pop *p) {
    return p->bytes_read;
}
size_t rv_sonata_pop_attr_count(const rv_sonata_pop *p) {
    return p->nattr;
}
size_t rv_sonata_pop_group_count(const rv_sonata_pop *p) {
    return p->ngroups;
}
uint32_t rv_sonata_pop_group_id(const rv_sonata_pop *p, size_t g) {
    return g < p->ngroups ? p->groups[g].id : UINT32_MAX;
}

long rv_sonata_pop_attr_find(const rv_sonata_pop *p, const char *name) {
    size_t lo = 0, hi = p->nattr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(p->attrs[mid].name, name);
        if (c == 0) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

rv_status rv_sonata_pop_attr_info(const rv_sonata_pop *p, size_t i, rv_sonata_attr_info *out,
                                  rv_error *err) {
    if (!p || !out || i >= p->nattr)
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_pop_attr_info: attribute index %zu out of range",
                       i);
    const rv__attr *a = &p->attrs[i];
    out->name = a->name;
    out->dtype = a->dtype;
    out->enumeration = a->enumeration;
    out->dynamics = a->dynamics;
    out->n_groups = a->n_groups;
    out->in_csv = a->csv_col >= 0;
    return RV_OK;
}

static rv__group *find_group(const rv_sonata_pop *p, uint32_t id) {
    size_t lo = 0, hi = p->ngroups;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->groups[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->ngroups && p->groups[lo].id == id ? &p->groups[lo] : NULL;
}

static rv__gattr *group_attr(const rv__group *g, size_t ai) {
    if (!g) return NULL;
    for (size_t i = 0; i < g->nga; i++)
        if (g->ga[i].attr == ai) return &g->ga[i];
    return NULL;
}

rv_sonata_dtype rv_sonata_pop_group_attr_dtype(const rv_sonata_pop *p, uint32_t group_id,
                                               const char *name) {
    long ai = rv_sonata_pop_attr_find(p, name);
    if (ai < 0) return RV_SONATA_NONE;
    const rv__gattr *ga = group_attr(find_group(p, group_id), (size_t)ai);
    return ga ? ga->info.dtype : RV_SONATA_NONE;
}

/* ---- selections and maps ---------------------------------------------------- */

rv_status rv__circ_check_sel(const rv_sonata_pop *p, const rv_sonata_sel *sel, rv_error *err) {
    if (!sel || (sel->n && !sel->r)) return RV_FAIL(err, RV_EINVAL, "NULL selection");
    for (size_t i = 0; i < sel->n; i++)
        if (sel->r[i].begin >= sel->r[i].end || (i && sel->r[i].begin < sel->r[i - 1].end))
            return RV_FAIL(err, RV_EINVAL,
                           "selection is not canonical at range %zu [%llu, %llu) (build it with "
                           "rv_sonata_sel_from_ids or rv_sonata_sel_from_ranges)",
                           i, (unsigned long long)sel->r[i].begin,
                           (unsigned long long)sel->r[i].end);
    if (sel->n && sel->r[sel->n - 1].end > p->size) {
        rv_status st = RV_FAIL(
            err, RV_ERANGE, "selection reaches %s %llu but population %s has %llu",
            p->kind == RV_SONATA_NODES ? "node" : "edge",
            (unsigned long long)(sel->r[sel->n - 1].end - 1), p->name, (unsigned long long)p->size);
        rv_error_where(err, p->f->path, 0, p->root);
        return st;
    }
    return RV_OK;
}

rv_status rv__circ_read_ds(rv_sonata_pop *p, const char *dset, const rv_sonata_sel *sel,
                           rv__rd kind, void *out, rv_error *err) {
    return rv__h5_read_rows(p->f->fid, p->f->path, dset, sel->r, sel->n, kind, out, &p->bytes_read,
                            NULL, err);
}

static int same_sel(const rv_sonata_sel *a, const rv_sonata_sel *b) {
    if (a->n != b->n) return 0;
    return a->n == 0 || memcmp(a->r, b->r, a->n * sizeof *a->r) == 0;
}

static rv_status map_sel(rv_sonata_pop *p, const rv_sonata_sel *sel, rv_error *err) {
    rv__map *m = &p->map;
    if (m->valid && same_sel(&m->sel, sel)) return RV_OK;
    map_reset(m);
    rv_status st = rv_sonata_sel_from_ranges(sel->r, sel->n, &m->sel, err);
    if (st != RV_OK) return st;
    uint64_t n = rv_sonata_sel_count(sel);
    if (!p->gid_ds) {
        m->identity = 1;
        m->g0 = p->ngroups ? p->groups[0].id : UINT32_MAX;
        m->valid = 1;
        return RV_OK;
    }
    uint64_t *buf = rv_malloc((n ? n : 1) * sizeof *buf);
    m->gid = rv_malloc((n ? n : 1) * sizeof *m->gid);
    if (!buf || !m->gid) {
        rv_free(buf);
        map_reset(m);
        return RV__NOMEM(err, "group ids");
    }
    st = rv__circ_read_ds(p, p->gid_ds, sel, RV__RD_U64, buf, err);
    for (uint64_t i = 0; i < n && st == RV_OK; i++)
        m->gid[i] = buf[i] > UINT32_MAX ? UINT32_MAX : (uint32_t)buf[i];
    if (st == RV_OK) st = rv__circ_read_ds(p, p->gidx_ds, sel, RV__RD_U64, buf, err);
    if (st != RV_OK) {
        rv_free(buf);
        map_reset(m);
        return st;
    }
    m->gidx = buf;
    /* identity? */
    int ident = 1;
    uint64_t k = 0;
    for (size_t r = 0; r < sel->n && ident; r++)
        for (uint64_t row = sel->r[r].begin; row < sel->r[r].end && ident; row++, k++)
            ident = m->gid[k] == m->gid[0] && m->gidx[k] == row;
    if (ident && n) {
        m->identity = 1;
        m->g0 = m->gid[0];
        rv_free(m->gid);
        rv_free(m->gidx);
        m->gid = NULL;
        m->gidx = NULL;
    }
    m->valid = 1;
    return RV_OK;
}

static rv_status map_types(rv_sonata_pop *p, rv_error *err) {
    rv__map *m = &p->map;
    if (m->type) return RV_OK;
    uint64_t n = rv_sonata_sel_count(&m->sel);
    m->type = rv_malloc((n ? n : 1) * sizeof *m->type);
    if (!m->type) return RV__NOMEM(err, "type ids");
    rv_status st = rv__circ_read_ds(p, p->type_ds, &m->sel, RV__RD_I64, m->type, err);
    if (st != RV_OK) {
        rv_free(m->type);
        m->type = NULL;
    }
    return st;
}

/* Row number of the k-th selected row. */
static uint64_t sel_row(const rv_sonata_sel *sel, uint64_t k) {
    for (size_t i = 0; i < sel->n; i++) {
        uint64_t c = sel->r[i].end - sel->r[i].begin;
        if (k < c) return sel->r[i].begin + k;
        k -= c;
    }
    return UINT64_MAX;
}

/* ---- gathering attribute values -------------------------------------------- */

/* Read group dataset rows (ranges of group indices) with enumeration
 * resolution for string reads. */
static rv_status read_gattr(rv_sonata_pop *p, const rv__gattr *ga, const rv_sonata_range *r,
                            size_t nr, uint64_t count, rv__rd kind, void *out, rv_error *err) {
    const char *file = p->f->path;
    hid_t fid = p->f->fid;
    const char *why =
        p->kind == RV_SONATA_NODES ? "needed by node_group_index" : "needed by edge_group_index";
    if (ga->info.rank != 1)
        return RV__FAILK(err, RV_EFORMAT, file, ga->dset, "%s has %d dimensions, expected 1",
                         ga->dset, ga->info.rank);
    if (!(ga->lib && kind == RV__RD_STR))
        return rv__h5_read_rows(fid, file, ga->dset, r, nr, kind, out, &p->bytes_read, why, err);
    rv__dsinfo li;
    rv_status st = rv__h5_info(fid, file, ga->lib, &li, err);
    if (st != RV_OK) return st;
    if (li.rank != 1 || li.dtype != RV_SONATA_STRING)
        return RV__FAILK(err, RV_EFORMAT, file, ga->lib, "wrong dtype: %s must be 1-D strings",
                         ga->lib);
    int64_t *idx = rv_malloc((count ? count : 1) * sizeof *idx);
    char **lib = rv_calloc(li.dims[0] ? li.dims[0] : 1, sizeof *lib);
    if (!idx || !lib) {
        rv_free(idx);
        rv_free(lib);
        return RV__NOMEM(err, "enumeration");
    }
    st = rv__h5_read_rows(fid, file, ga->dset, r, nr, RV__RD_I64, idx, &p->bytes_read, why, err);
    rv_sonata_range all = {0, li.dims[0]};
    if (st == RV_OK && li.dims[0])
        st = rv__h5_read_rows(fid, file, ga->lib, &all, 1, RV__RD_STR, lib, &p->bytes_read, NULL,
                              err);
    char **o = out;
    for (uint64_t i = 0; i < count && st == RV_OK; i++) {
        if (idx[i] < 0 || (uint64_t)idx[i] >= li.dims[0]) {
            /* locate the group row for the message */
            uint64_t k = i, row = 0;
            for (size_t j = 0; j < nr; j++) {
                uint64_t c = r[j].end - r[j].begin;
                if (k < c) {
                    row = r[j].begin + k;
                    break;
                }
                k -= c;
            }
            st = RV__FAILK(err, RV_EFORMAT, file, ga->dset,
                           "enumeration value %lld at row %llu of %s is outside %s (%llu values)",
                           (long long)idx[i], (unsigned long long)row, ga->dset, ga->lib,
                           (unsigned long long)li.dims[0]);
            break;
        }
        o[i] = rv_strdup(lib[idx[i]]);
        if (!o[i]) st = RV__NOMEM(err, "enumeration strings");
    }
    if (st != RV_OK)
        for (uint64_t i = 0; i < count; i++) {
            rv_free(o[i]);
            o[i] = NULL;
        }
    for (uint64_t i = 0; i < li.dims[0]; i++) rv_free(lib[i]);
    rv_free(lib);
    rv_free(idx);
    return st;
}

typedef struct pair {
    uint64_t gidx, pos;
} pair;

static int cmp_pair(const void *a, const void *b) {
    const pair *x = a, *y = b;
    if (x->gidx != y->gidx) return x->gidx < y->gidx ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Values of the rows in group g (explicit map): positions collected, group
 * indices sorted and merged, read once each, scattered to out[pos]. */
static rv_status gather_group(rv_sonata_pop *p, const rv__gattr *ga, uint32_t gid, rv__rd kind,
                              void *out, unsigned char *have, rv_error *err) {
    rv__map *m = &p->map;
    uint64_t n = rv_sonata_sel_count(&m->sel), cnt = 0;
    for (uint64_t i = 0; i < n; i++) cnt += m->gid[i] == gid;
    if (cnt == 0) return RV_OK;
    pair *pr = rv_malloc(cnt * sizeof *pr);
    if (!pr) return RV__NOMEM(err, "group rows");
    uint64_t k = 0;
    int sorted = 1;
    for (uint64_t i = 0; i < n; i++)
        if (m->gid[i] == gid) {
            pr[k].gidx = m->gidx[i];
            pr[k].pos = i;
            if (k && pr[k].gidx < pr[k - 1].gidx) sorted = 0;
            k++;
        }
    if (!sorted) qsort(pr, cnt, sizeof *pr, cmp_pair);
    uint64_t nu = 0, nr = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        if (i == 0 || pr[i].gidx != pr[i - 1].gidx) nu++;
        if (i == 0 || pr[i].gidx > pr[i - 1].gidx + 1) nr++;
    }
    rv_sonata_range *r = rv_malloc(nr * sizeof *r);
    void *tmp = rv_calloc(nu, 8);
    if (!r || !tmp) {
        rv_free(r);
        rv_free(tmp);
        rv_free(pr);
        return RV__NOMEM(err, "group rows");
    }
    uint64_t j = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        if (i == 0 || pr[i].gidx > pr[i - 1].gidx + 1) {
            if (i) j++;
            r[j].begin = pr[i].gidx;
        }
        r[j].end = pr[i].gidx + 1;
    }
    rv_status st = read_gattr(p, ga, r, nr, nu, kind, tmp, err);
    uint64_t u = 0;
    for (uint64_t i = 0; i < cnt && st == RV_OK; i++) {
        if (i && pr[i].gidx != pr[i - 1].gidx) u++;
        uint64_t pos = pr[i].pos;
        if (kind == RV__RD_STR) {
            char **src = tmp, **dst = out;
            if (i + 1 < cnt && pr[i + 1].gidx == pr[i].gidx) {
                dst[pos] = rv_strdup(src[u]); /* shared value: copy */
                if (!dst[pos]) st = RV__NOMEM(err, "string values");
            } else {
                dst[pos] = src[u];
                src[u] = NULL;
            }
        } else {
            memcpy((char *)out + pos * 8, (char *)tmp + u * 8, 8);
        }
        have[pos] = 1;
    }
    if (kind == RV__RD_STR)
        for (uint64_t i = 0; i < nu; i++) rv_free(((char **)tmp)[i]);
    rv_free(tmp);
    rv_free(r);
    rv_free(pr);
    return st;
}

static int parse_i64(const char *s, int64_t *v) {
    char *end;
    if (!*s) return 0;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (*end || errno) return 0;
    *v = x;
    return 1;
}

/* Values from the types CSV for rows without one. */
static rv_status gather_csv(rv_sonata_pop *p, const rv__attr *a, rv__rd kind, void *out,
                            unsigned char *have, rv_error *err) {
    const rv__types *t = p->f->types;
    rv__map *m = &p->map;
    uint64_t n = rv_sonata_sel_count(&m->sel);
    uint64_t need = 0;
    for (uint64_t i = 0; i < n; i++) need += !have[i];
    if (need == 0 || a->csv_col < 0) return RV_OK;
    rv_status st = map_types(p, err);
    if (st != RV_OK) return st;
    const char *idname = p->kind == RV_SONATA_NODES ? "node_type_id" : "edge_type_id";
    for (uint64_t i = 0; i < n; i++) {
        if (have[i]) continue;
        long row = rv__csvt_row(t, m->type[i]);
        if (row < 0) {
            st = RV__FAILK(err, RV_EFORMAT, t->path, idname,
                           "%s %lld of %s %llu (population %s) is not in the types file %s", idname,
                           (long long)m->type[i], p->kind == RV_SONATA_NODES ? "node" : "edge",
                           (unsigned long long)sel_row(&m->sel, i), p->name, t->path);
            return st;
        }
        const char *v = t->cells[(size_t)row * t->ncol + (size_t)a->csv_col];
        if (!v) continue; /* NONE */
        if (kind == RV__RD_STR) {
            char *s = rv_strdup(v);
            if (!s) return RV__NOMEM(err, "string values");
            ((char **)out)[i] = s;
        } else if (kind == RV__RD_F64) {
            char *end;
            double x = strtod(v, &end);
            if (!*v || *end) {
                st =
                    RV__FAILK(err, RV_EFORMAT, t->path, a->name,
                              "wrong dtype: value '%s' of column '%s' is not a number", v, a->name);
                if (err) err->line = t->lines[row];
                return st;
            }
            ((double *)out)[i] = x;
        } else {
            int64_t x;
            if (!parse_i64(v, &x)) {
                st = RV__FAILK(err, RV_EFORMAT, t->path, a->name,
                               "wrong dtype: value '%s' of column '%s' is not an integer", v,
                               a->name);
                if (err) err->line = t->lines[row];
                return st;
            }
            ((int64_t *)out)[i] = x;
        }
        have[i] = 1;
    }
    return RV_OK;
}

/* Values of attribute ai for sel into out (8-byte slots or char *); have[i]
 * set for rows with a value.  Without `have_out`, a missing value is an
 * error. */
static rv_status gather(rv_sonata_pop *p, const char *name, const rv_sonata_sel *sel, rv__rd kind,
                        void *out, unsigned char *have_out, rv_error *err) {
    if (!p || !name || (!out && rv_sonata_sel_count(sel)))
        return RV_FAIL(err, RV_EINVAL, "read attribute: NULL argument");
    rv_status st = rv__circ_check_sel(p, sel, err);
    if (st != RV_OK) return st;
    long ai = rv_sonata_pop_attr_find(p, name);
    if (ai < 0) {
        st = RV_FAIL(err, RV_ENOENT, "no attribute '%s' in %s population %s", name,
                     p->kind == RV_SONATA_NODES ? "nodes" : "edges", p->name);
        rv_error_where(err, p->f->path, 0, p->root);
        return st;
    }
    const rv__attr *a = &p->attrs[ai];
    uint64_t n = rv_sonata_sel_count(sel);
    if (kind == RV__RD_STR) memset(out, 0, n * sizeof(char *));
    if (n == 0) return RV_OK;
    st = map_sel(p, sel, err);
    if (st != RV_OK) return st;
    rv__map *m = &p->map;
    unsigned char *have = have_out ? have_out : rv_calloc(n, 1);
    if (!have) return RV__NOMEM(err, "value flags");
    if (have_out) memset(have, 0, n);
    if (m->identity) {
        const rv__group *g = find_group(p, m->g0);
        const rv__gattr *ga = group_attr(g, (size_t)ai);
        if (ga) {
            st = read_gattr(p, ga, sel->r, sel->n, n, kind, out, err);
            if (st == RV_OK) memset(have, 1, n);
        } else if (!g && p->gid_ds) {
            st =
                RV__FAILK(err, RV_EFORMAT, p->f->path, p->gid_ds,
                          "%s value %u names no group of population %s", p->gid_ds, m->g0, p->name);
        }
    } else {
        for (uint64_t i = 0; i < n && st == RV_OK; i++)
            if ((i == 0 || m->gid[i] != m->gid[i - 1]) && !find_group(p, m->gid[i]))
                st = RV__FAILK(err, RV_EFORMAT, p->f->path, p->gid_ds,
                               "%s value %u at row %llu names no group of population %s", p->gid_ds,
                               m->gid[i], (unsigned long long)sel_row(sel, i), p->name);
        for (size_t g = 0; g < p->ngroups && st == RV_OK; g++) {
            const rv__gattr *ga = group_attr(&p->groups[g], (size_t)ai);
            if (ga) st = gather_group(p, ga, p->groups[g].id, kind, out, have, err);
        }
    }
    if (st == RV_OK) st = gather_csv(p, a, kind, out, have, err);
    if (st == RV_OK && !have_out && kind != RV__RD_STR) {
        for (uint64_t i = 0; i < n; i++)
            if (!have[i]) {
                int csv = a->csv_col >= 0;
                st =
                    RV__FAILK(err, RV_EFORMAT, p->f->path, p->root,
                              "attribute '%s' has no value for %s %llu of population %s (its group "
                              "has no such dataset%s%s%s)",
                              name, p->kind == RV_SONATA_NODES ? "node" : "edge",
                              (unsigned long long)sel_row(sel, i), p->name, csv ? " and " : "",
                              csv ? p->f->types->path : "", csv ? " has NONE" : "");
                break;
            }
    }
    if (st != RV_OK && kind == RV__RD_STR) {
        char **s = out;
        for (uint64_t i = 0; i < n; i++) {
            rv_free(s[i]);
            s[i] = NULL;
        }
    }
    if (!have_out) rv_free(have);
    return st;
}

rv_status rv_sonata_pop_read_f64(rv_sonata_pop *p, const char *name, const rv_sonata_sel *sel,
                                 double *out, rv_error *err) {
    return gather(p, name, sel, RV__RD_F64, out, NULL, err);
}

rv_status rv_sonata_pop_read_i64(rv_sonata_pop *p, const char *name, const rv_sonata_sel *sel,
                                 int64_t *out, rv_error *err) {
    return gather(p, name, sel, RV__RD_I64, out, NULL, err);
}

/* Pack n strings (some NULL) into one block and free them. */
static rv_status pack_strings(char **s, uint64_t n, char ***out, rv_error *err) {
    size_t text = 0;
    for (uint64_t i = 0; i < n; i++) text += s[i] ? strlen(s[i]) + 1 : 0;
    char **blk = rv_malloc(n * sizeof(char *) + text + 1);
    if (!blk) {
        for (uint64_t i = 0; i < n; i++) rv_free(s[i]);
        return RV__NOMEM(err, "strings");
    }
    char *t = (char *)(blk + n);
    for (uint64_t i = 0; i < n; i++) {
        if (!s[i]) {
            blk[i] = NULL;
            continue;
        }
        size_t l = strlen(s[i]) + 1;
        memcpy(t, s[i], l);
        blk[i] = t;
        t += l;
        rv_free(s[i]);
    }
    *out = blk;
    return RV_OK;
}

static rv_status read_str_opt(rv_sonata_pop *p, const char *name, const rv_sonata_sel *sel,
                              int absent_ok, char ***out, rv_error *err) {
    if (!out) return RV_FAIL(err, RV_EINVAL, "read strings: NULL output");
    *out = NULL;
    if (!p || !name) return RV_FAIL(err, RV_EINVAL, "read strings: NULL argument");
    rv_status st = rv__circ_check_sel(p, sel, err);
    if (st != RV_OK) return st;
    uint64_t n = rv_sonata_sel_count(sel);
    char **tmp = rv_calloc(n ? n : 1, sizeof *tmp);
    if (!tmp) return RV__NOMEM(err, "strings");
    if (!(absent_ok && rv_sonata_pop_attr_find(p, name) < 0))
        st = gather(p, name, sel, RV__RD_STR, tmp, NULL, err);
    if (st == RV_OK) st = pack_strings(tmp, n, out, err);
    rv_free(tmp);
    return st;
}

rv_status rv_sonata_pop_read_str(rv_sonata_pop *p, const char *name, const rv_sonata_sel *sel,
                                 char ***out, rv_error *err) {
    return read_str_opt(p, name, sel, 0, out, err);
}

rv_status rv_sonata_pop_read_type_ids(rv_sonata_pop *p, const rv_sonata_sel *sel, int64_t *out,
                                      rv_error *err) {
    if (!p) return RV_FAIL(err, RV_EINVAL, "NULL population");
    rv_status st = rv__circ_check_sel(p, sel, err);
    if (st != RV_OK) return st;
    return rv__circ_read_ds(p, p->type_ds, sel, RV__RD_I64, out, err);
}

rv_status rv_sonata_pop_read_groups(rv_sonata_pop *p, const rv_sonata_sel *sel, uint32_t *group_id,
                                    uint64_t *group_index, rv_error *err) {
    if (!p) return RV_FAIL(err, RV_EINVAL, "NULL population");
    rv_status st = rv__circ_check_sel(p, sel, err);
    if (st != RV_OK) return st;
    uint64_t n = rv_sonata_sel_count(sel);
    if (n == 0) return RV_OK;
    st = map_sel(p, sel, err);
    if (st != RV_OK) return st;
    const rv__map *m = &p->map;
    uint64_t k = 0;
    for (size_t r = 0; r < sel->n; r++)
        for (uint64_t row = sel->r[r].begin; row < sel->r[r].end; row++, k++) {
            if (group_id) group_id[k] = m->identity ? m->g0 : m->gid[k];
            if (group_index) group_index[k] = m->identity ? row : m->gidx[k];
        }
    return RV_OK;
}

/* ---- nodes ------------------------------------------------------------------ */

int rv_sonata_nodes_has_node_id(const rv_sonata_pop *p) {
    return p && p->node_id_ds != NULL;
}

rv_status rv_sonata_nodes_read_node_ids(rv_sonata_pop *p, const rv_sonata_sel *sel, uint64_t *out,
                                        rv_error *err) {
    if (!p) return RV_FAIL(err, RV_EINVAL, "NULL population");
    rv_status st = rv__circ_check_sel(p, sel, err);
    if (st != RV_OK) return st;
    if (p->node_id_ds) return rv__circ_read_ds(p, p->node_id_ds, sel, RV__RD_U64, out, err);
    rv_sonata_sel_to_ids(sel, out);
    return RV_OK;
}

rv_status rv_sonata_nodes_read_models(rv_sonata_pop *p, const rv_sonata_sel *sel,
                                      char ***model_type, char ***model_template, rv_error *err) {
    if (model_type) *model_type = NULL;
    if (model_template) *model_template = NULL;
    rv_status st = RV_OK;
    if (model_type) st = read_str_opt(p, "model_type", sel, 1, model_type, err);
    if (st == RV_OK && model_template)
        st = read_str_opt(p, "model_template", sel, 1, model_template, err);
    if (st != RV_OK && model_type) {
        rv_free(*model_type);
        *model_type = NULL;
    }
    return st;
}

/* Optional numeric attribute: all-absent when the population lacks it. */
static rv_status read_f64_opt(rv_sonata_pop *p, const char *name, const rv_sonata_sel *sel,
                              double *out, unsigned char *have, rv_error *err) {
    uint64_t n = rv_sonata_sel_count(sel);
    if (rv_sonata_pop_attr_find(p, name) < 0) {
        memset(have, 0, n);
        return RV_OK;
    }
    return gather(p, name, sel, RV__RD_F64, out, have, err);
}

static void quat_matrix(double x, double y, double z, double w, double *m) {
    m[0] = 1 - 2 * (y * y + z * z);
    m[1] = 2 * (x * y - z * w);
    m[2] = 2 * (x * z + y * w);
    m[3] = 2 * (x * y + z * w);
    m[4] = 1 - 2 * (x * x + z * z);
    m[5] = 2 * (y * z - x * w);
    m[6] = 2 * (x * z - y * w);
    m[7] = 2 * (y * z + x * w);
    m[8] = 1 - 2 * (x * x + y * y);
}

static void mat_mul(const double *a, const double *b, double *c) {
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            c[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
}

static void euler_matrix(double ax, double ay, double az, double *m) {
    double cx = cos(ax), sx = sin(ax), cy = cos(ay), sy = sin(ay), cz = cos(az), sz = sin(az);
    const double rx[9] = {1, 0, 0, 0, cx, -sx, 0, sx, cx};
    const double ry[9] = {cy, 0, sy, 0, 1, 0, -sy, 0, cy};
    const double rz[9] = {cz, -sz, 0, sz, cz, 0, 0, 0, 1};
    double t[9];
    mat_mul(ry, rx, t);
    mat_mul(rz, t, m);
}

rv_status rv_sonata_nodes_read_rotations(rv_sonata_pop *p, const rv_sonata_sel *sel, double *out,
                                         unsigned char *has_rotation, rv_error *err) {
    static const char *qn[4] = {"orientation_x", "orientation_y", "orientation_z", "orientation_w"};
    static const char *en[3] = {"rotation_angle_xaxis", "rotation_angle_yaxis",
                                "rotation_angle_zaxis"};
    if (!p || !out) return RV_FAIL(err, RV_EINVAL, "read rotations: NULL argument");
    rv_status st = rv__circ_check_sel(p, sel, err);
    if (st != RV_OK) return st;
    uint64_t n = rv_sonata_sel_count(sel);
    if (n == 0) return RV_OK;
    double *v = rv_malloc(7 * n * sizeof *v);
    unsigned char *h = rv_malloc(7 * n);
    if (!v || !h) {
        rv_free(v);
        rv_free(h);
        return RV__NOMEM(err, "rotations");
    }
    for (int k = 0; k < 4 && st == RV_OK; k++)
        st = read_f64_opt(p, qn[k], sel, v + k * n, h + k * n, err);
    for (int k = 0; k < 3 && st == RV_OK; k++)
        st = read_f64_opt(p, en[k], sel, v + (4 + k) * n, h + (4 + k) * n, err);
    for (uint64_t i = 0; i < n && st == RV_OK; i++) {
        double *m = out + 9 * i;
        int q = h[i] && h[n + i] && h[2 * n + i] && h[3 * n + i];
        int e = h[4 * n + i] || h[5 * n + i] || h[6 * n + i];
        if (has_rotation) has_rotation[i] = (unsigned char)(q || e);
        if (q) {
            double x = v[i], y = v[n + i], z = v[2 * n + i], w = v[3 * n + i];
            double norm = sqrt(x * x + y * y + z * z + w * w);
            if (!(norm > 0) || !isfinite(norm)) {
                st = RV__FAILK(err, RV_ERANGE, p->f->path, p->root,
                               "orientation quaternion of node %llu of population %s is %s",
                               (unsigned long long)sel_row(sel, i), p->name,
                               isfinite(norm) ? "zero" : "not finite");
                break;
            }
            quat_matrix(x / norm, y / norm, z / norm, w / norm, m);
        } else if (e) {
            double ax = h[4 * n + i] ? v[4 * n + i] : 0, ay = h[5 * n + i] ? v[5 * n + i] : 0,
                   az = h[6 * n + i] ? v[6 * n + i] : 0;
            euler_matrix(ax, ay, az, m);
        } else {
            for (int k = 0; k < 9; k++) m[k] = k % 4 == 0;
        }
    }
    rv_free(v);
    rv_free(h);
    return st;
}
