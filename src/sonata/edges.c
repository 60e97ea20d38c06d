/* SPDX-License-Identifier: MIT
 * sonata/edges.c -- what only edge populations have: source and target node
 * ids with their node_population attributes, and the two edge indices.
 *
 * An index (indices/target_to_source for afferent look-ups,
 * indices/source_to_target for efferent ones) is two (N, 2) tables:
 *
 *   node_id_to_ranges[node] = [b, e)   rows b..e-1 of range_to_edge_id
 *   range_to_edge_id[row]   = [eb, ee) edges eb..ee-1
 *
 * Selecting the edges of a set of nodes reads only the node_id_to_ranges
 * rows of those nodes (consecutive node ids merged into one hyperslab
 * piece), then only the range_to_edge_id rows they name, and returns the
 * union of the edge ranges as a canonical selection: no edge dataset is
 * read at all.  BMTK writes node_id_to_range (singular): accepted.  A
 * node_id_to_ranges table may be shorter than the node population (files
 * written with the node count of the edges seen): ids beyond it have no
 * edges, as in libsonata.  An index row pointing past the end of the table
 * it points into, or an inverted range, is a format error naming the
 * dataset, the row and the node.
 *
 * Without an index the choice is the caller's: rv_sonata_edges_select fails
 * with RV_ENOENT naming the missing group, unless RV_SONATA_SCAN_IF_NO_INDEX
 * is passed, which scans target_node_id (source_node_id) in blocks of
 * SCAN_BLOCK rows -- the whole dataset is read, so this is explicit.
 */
#include "sonata/h5util_int.h"

#include <stdlib.h>
#include <string.h>

#define SCAN_BLOCK (1u << 20)

rv_status rv_sonata_edges_open(const char *h5_path, const char *types_csv, rv_sonata_file **out,
                               rv_error *err) {
    return rv__circ_file_open(h5_path, types_csv, RV_SONATA_EDGES, out, err);
}

static rv_status init_index(rv_sonata_pop *p, int dir, rv_error *err) {
    hid_t fid = p->f->fid;
    const char *file = p->f->path;
    char *grp = rv__h5_strf("%s/indices/%s", p->root,
                            dir == RV_SONATA_AFFERENT ? "target_to_source" : "source_to_target");
    if (!grp) return RV__NOMEM(err, "index path");
    rv_status st = RV_OK;
    if (rv__h5_kind(fid, grp) != 1) {
        rv_free(grp);
        return RV_OK; /* no index in this direction */
    }
    char *n2r = rv__h5_strf("%s/node_id_to_ranges", grp);
    char *n2r_bmtk = rv__h5_strf("%s/node_id_to_range", grp);
    char *r2e = rv__h5_strf("%s/range_to_edge_id", grp);
    if (!n2r || !n2r_bmtk || !r2e) st = RV__NOMEM(err, "index path");
    if (st == RV_OK && !rv__h5_exists(fid, n2r)) {
        if (rv__h5_exists(fid, n2r_bmtk)) {
            rv_free(n2r);
            n2r = n2r_bmtk;
            n2r_bmtk = NULL;
        } else {
            st = RV__FAILK(err, RV_EFORMAT, file, n2r, "index group %s has no node_id_to_ranges",
                           grp);
        }
    }
    if (st == RV_OK && !rv__h5_exists(fid, r2e))
        st = RV__FAILK(err, RV_EFORMAT, file, r2e, "index group %s has no range_to_edge_id", grp);
    const char *ds[2] = {n2r, r2e};
    for (int k = 0; k < 2 && st == RV_OK; k++) {
        rv__dsinfo in;
        st = rv__h5_info(fid, file, ds[k], &in, err);
        if (st != RV_OK) break;
        int is_int = in.dtype != RV_SONATA_STRING && in.dtype != RV_SONATA_FLOAT32 &&
                     in.dtype != RV_SONATA_FLOAT64 && in.dtype != RV_SONATA_OTHER;
        if (in.rank != 2 || in.dims[1] != 2 || !is_int)
            st = RV__FAILK(err, RV_EFORMAT, file, ds[k],
                           "%s must be an (N, 2) table of integers, found %d-D %s%s", ds[k],
                           in.rank, rv_sonata_dtype_name(in.dtype),
                           in.rank == 2 && in.dims[1] != 2 ? " with other than 2 columns" : "");
    }
    if (st == RV_OK) {
        p->n2r[dir] = n2r;
        p->r2e[dir] = r2e;
        n2r = r2e = NULL;
    }
    rv_free(n2r);
    rv_free(n2r_bmtk);
    rv_free(r2e);
    rv_free(grp);
    return st;
}

rv_status rv__circ_edges_init(rv_sonata_pop *p, rv_error *err) {
    p->src_ds = rv__h5_strf("%s/source_node_id", p->root);
    p->tgt_ds = rv__h5_strf("%s/target_node_id", p->root);
    if (!p->src_ds || !p->tgt_ds) return RV__NOMEM(err, "edge paths");
    rv_status st = rv__circ_check_ids(p, p->src_ds, err);
    if (st == RV_OK) st = rv__circ_check_ids(p, p->tgt_ds, err);
    if (st == RV_OK)
        st = rv__h5_read_str_attr(p->f->fid, p->f->path, p->src_ds, "node_population", &p->src_pop,
                                  err);
    if (st == RV_OK)
        st = rv__h5_read_str_attr(p->f->fid, p->f->path, p->tgt_ds, "node_population", &p->tgt_pop,
                                  err);
    for (int d = 0; d < 2 && st == RV_OK; d++) st = init_index(p, d, err);
    return st;
}

const char *rv_sonata_edges_source_population(const rv_sonata_pop *p) {
    return p ? p->src_pop : NULL;
}
const char *rv_sonata_edges_target_population(const rv_sonata_pop *p) {
    return p ? p->tgt_pop : NULL;
}

static rv_status check_edges(const rv_sonata_pop *p, rv_error *err) {
    if (!p) return RV_FAIL(err, RV_EINVAL, "NULL population");
    if (p->kind != RV_SONATA_EDGES)
        return RV_FAIL(err, RV_EINVAL, "population %s is a nodes population, not edges", p->name);
    return RV_OK;
}

rv_status rv_sonata_edges_read_source_ids(rv_sonata_pop *p, const rv_sonata_sel *sel, uint64_t *out,
                                          rv_error *err) {
    rv_status st = check_edges(p, err);
    if (st == RV_OK) st = rv__circ_check_sel(p, sel, err);
    if (st == RV_OK) st = rv__circ_read_ds(p, p->src_ds, sel, RV__RD_U64, out, err);
    return st;
}

rv_status rv_sonata_edges_read_target_ids(rv_sonata_pop *p, const rv_sonata_sel *sel, uint64_t *out,
                                          rv_error *err) {
    rv_status st = check_edges(p, err);
    if (st == RV_OK) st = rv__circ_check_sel(p, sel, err);
    if (st == RV_OK) st = rv__circ_read_ds(p, p->tgt_ds, sel, RV__RD_U64, out, err);
    return st;
}

int rv_sonata_edges_has_index(const rv_sonata_pop *p, rv_sonata_edge_dir dir) {
    return p && p->kind == RV_SONATA_EDGES && (dir == 0 || dir == 1) && p->n2r[dir] != NULL;
}

/* Node k of node ranges `nr` (for messages). */
static uint64_t nth_id(const rv_sonata_range *r, size_t nr, uint64_t k) {
    for (size_t i = 0; i < nr; i++) {
        uint64_t c = r[i].end - r[i].begin;
        if (k < c) return r[i].begin + k;
        k -= c;
    }
    return UINT64_MAX;
}

static rv_status select_index(rv_sonata_pop *p, int dir, const rv_sonata_sel *nodes,
                              rv_sonata_sel *out, rv_error *err) {
    hid_t fid = p->f->fid;
    const char *file = p->f->path;
    rv__dsinfo n2ri, r2ei;
    rv_status st = rv__h5_info(fid, file, p->n2r[dir], &n2ri, err);
    if (st == RV_OK) st = rv__h5_info(fid, file, p->r2e[dir], &r2ei, err);
    if (st != RV_OK) return st;
    /* clip the node ranges to the (possibly short) node_id_to_ranges table */
    size_t nn = 0;
    for (size_t i = 0; i < nodes->n && nodes->r[i].begin < n2ri.dims[0]; i++) nn++;
    if (nn == 0) return RV_OK;
    rv_sonata_range *nr = rv_malloc(nn * sizeof *nr);
    if (!nr) return RV__NOMEM(err, "index ranges");
    uint64_t nnodes = 0;
    for (size_t i = 0; i < nn; i++) {
        nr[i] = nodes->r[i];
        if (nr[i].end > n2ri.dims[0]) nr[i].end = n2ri.dims[0];
        nnodes += nr[i].end - nr[i].begin;
    }
    /* each (N, 2) row is read straight into a range: begin, end */
    rv_sonata_range *rr = rv_malloc(nnodes * sizeof *rr);
    if (!rr) {
        rv_free(nr);
        return RV__NOMEM(err, "index rows");
    }
    st = rv__h5_read_rows(fid, file, p->n2r[dir], nr, nn, RV__RD_U64, rr, &p->bytes_read,
                          "node_id_to_ranges", err);
    /* node ranges -> rows of range_to_edge_id; validate, compact in place */
    size_t nrr = 0;
    for (uint64_t k = 0; k < nnodes && st == RV_OK; k++) {
        uint64_t b = rr[k].begin, e = rr[k].end;
        if (b > e || e > r2ei.dims[0]) {
            st = RV__FAILK(err, RV_EFORMAT, file, p->n2r[dir],
                           "index out of range: %s row %llu (node %llu) = [%llu, %llu) but %s has "
                           "%llu rows",
                           p->n2r[dir], (unsigned long long)nth_id(nr, nn, k),
                           (unsigned long long)nth_id(nr, nn, k), (unsigned long long)b,
                           (unsigned long long)e, p->r2e[dir], (unsigned long long)r2ei.dims[0]);
            break;
        }
        if (b < e) rr[nrr++] = rr[k];
    }
    rv_free(nr);
    if (st != RV_OK || nrr == 0) {
        rv_free(rr);
        return st;
    }
    nrr = rv__h5_ranges_canon(rr, nrr);
    uint64_t nsec = 0;
    for (size_t i = 0; i < nrr; i++) nsec += rr[i].end - rr[i].begin;
    rv_sonata_range *er = rv_malloc(nsec * sizeof *er);
    if (!er) {
        rv_free(rr);
        return RV__NOMEM(err, "index rows");
    }
    st = rv__h5_read_rows(fid, file, p->r2e[dir], rr, nrr, RV__RD_U64, er, &p->bytes_read,
                          "range_to_edge_id", err);
    size_t ner = 0;
    for (uint64_t k = 0; k < nsec && st == RV_OK; k++) {
        uint64_t b = er[k].begin, e = er[k].end;
        if (b > e || e > p->size) {
            st = RV__FAILK(err, RV_EFORMAT, file, p->r2e[dir],
                           "index out of range: %s row %llu = [%llu, %llu) but population %s has "
                           "%llu edges",
                           p->r2e[dir], (unsigned long long)nth_id(rr, nrr, k),
                           (unsigned long long)b, (unsigned long long)e, p->name,
                           (unsigned long long)p->size);
            break;
        }
        if (b < e) er[ner++] = er[k];
    }
    rv_free(rr);
    if (st == RV_OK) st = rv_sonata_sel_from_ranges(er, ner, out, err);
    rv_free(er);
    return st;
}

static int has_id(const rv_sonata_sel *s, uint64_t v) {
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->r[mid].end <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->r[lo].begin <= v;
}

static rv_status select_scan(rv_sonata_pop *p, int dir, const rv_sonata_sel *nodes,
                             rv_sonata_sel *out, rv_error *err) {
    const char *ds = dir == RV_SONATA_AFFERENT ? p->tgt_ds : p->src_ds;
    uint64_t blk = p->size < SCAN_BLOCK ? p->size : SCAN_BLOCK;
    uint64_t *buf = rv_malloc((blk ? blk : 1) * sizeof *buf);
    if (!buf) return RV__NOMEM(err, "scan buffer");
    rv_sonata_range *r = NULL;
    size_t nr = 0, cap = 0;
    rv_status st = RV_OK;
    for (uint64_t at = 0; at < p->size && st == RV_OK; at += blk) {
        rv_sonata_range piece = {at, at + blk < p->size ? at + blk : p->size};
        st = rv__h5_read_rows(p->f->fid, p->f->path, ds, &piece, 1, RV__RD_U64, buf, &p->bytes_read,
                              NULL, err);
        for (uint64_t i = 0; i < piece.end - at && st == RV_OK; i++) {
            if (!has_id(nodes, buf[i])) continue;
            uint64_t e = at + i;
            if (nr && r[nr - 1].end == e) {
                r[nr - 1].end = e + 1;
                continue;
            }
            if (rv_grow((void **)&r, &cap, nr + 1, sizeof *r) != RV_OK) {
                st = RV__NOMEM(err, "scan ranges");
                break;
            }
            r[nr].begin = e;
            r[nr].end = e + 1;
            nr++;
        }
    }
    rv_free(buf);
    if (st == RV_OK) {
        out->r = nr ? r : NULL;
        out->n = nr;
        if (nr == 0) rv_free(r);
    } else {
        rv_free(r);
    }
    return st;
}

rv_status rv_sonata_edges_select(rv_sonata_pop *p, rv_sonata_edge_dir dir, const uint64_t *node_ids,
                                 size_t n, unsigned flags, rv_sonata_sel *out, rv_error *err) {
    if (!out) return RV_FAIL(err, RV_EINVAL, "rv_sonata_edges_select: NULL output");
    out->r = NULL;
    out->n = 0;
    rv_status st = check_edges(p, err);
    if (st != RV_OK) return st;
    if (dir != RV_SONATA_AFFERENT && dir != RV_SONATA_EFFERENT)
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_edges_select: bad direction %d", (int)dir);
    if (n && !node_ids) return RV_FAIL(err, RV_EINVAL, "rv_sonata_edges_select: NULL node ids");
    if (!p->n2r[dir] && !(flags & RV_SONATA_SCAN_IF_NO_INDEX)) {
        const char *g = dir == RV_SONATA_AFFERENT ? "target_to_source" : "source_to_target";
        st = RV_FAIL(err, RV_ENOENT,
                     "edge population %s has no index %s/indices/%s: cannot select %s edges "
                     "without reading all of %s (pass RV_SONATA_SCAN_IF_NO_INDEX to scan it)",
                     p->name, p->root, g, dir == RV_SONATA_AFFERENT ? "afferent" : "efferent",
                     dir == RV_SONATA_AFFERENT ? p->tgt_ds : p->src_ds);
        rv_error_where(err, p->f->path, 0, p->root);
        return st;
    }
    rv_sonata_sel nodes;
    st = rv_sonata_sel_from_ids(node_ids, n, &nodes, err);
    if (st != RV_OK || nodes.n == 0) return st;
    if (p->n2r[dir])
        st = select_index(p, dir, &nodes, out, err);
    else
        st = select_scan(p, dir, &nodes, out, err);
    rv_sonata_sel_free(&nodes);
    return st;
}

rv_status rv_sonata_edges_afferent(rv_sonata_pop *p, const uint64_t *targets, size_t n,
                                   rv_sonata_sel *out, rv_error *err) {
    return rv_sonata_edges_select(p, RV_SONATA_AFFERENT, targets, n, 0, out, err);
}
