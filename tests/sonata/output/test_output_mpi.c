/* SPDX-License-Identifier: MIT
 * tests/sonata/output/test_output_mpi.c -- several MPI ranks write one report
 * and one spike file through rv_sonata_comm (gather to rank 0); the files
 * must hold exactly what a single process writes for the same nodes.  Also:
 * an error on rank 0 (missing directory) and a node id added on two ranks
 * are reported on every rank with the same message.
 *
 *   mpiexec -np N test_output_mpi WORK_DIR
 */
#include "ranvier/sonata_output.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL rank %d %s:%d: ", rank, __FILE__, __LINE__);                     \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)

static int rank, size;

/* ---- rv_sonata_comm over MPI_COMM_WORLD ----------------------------------- */
static int mpi_allgather_int(void *ud, int mine, int *all) {
    (void)ud;
    return MPI_Allgather(&mine, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD) != MPI_SUCCESS;
}
static int mpi_allgatherv(void *ud, const void *send, int n, void *recv, const int *counts,
                          const int *displs) {
    (void)ud;
    return MPI_Allgatherv(send, n, MPI_BYTE, recv, counts, displs, MPI_BYTE, MPI_COMM_WORLD) !=
           MPI_SUCCESS;
}
static int mpi_gatherv(void *ud, const void *send, int n, void *recv, const int *counts,
                       const int *displs) {
    (void)ud;
    return MPI_Gatherv(send, n, MPI_BYTE, recv, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD) !=
           MPI_SUCCESS;
}

/* ---- the network: population, id, element count, distribution --------- */
#define N_A 23 /* pA: node i has i % 4 elements (some none) */
#define N_B 9  /* pB: 2 elements each */

static size_t n_el(int pop, int id) {
    return pop == 0 ? (size_t)(id % 4) : 2;
}
static double value(int pop, int id, size_t j, size_t f) {
    return (pop + 1) * 10000.0 + id * 10.0 + (double)j + 0.125 * (double)f;
}
static int owner(int pop, int id) {
    return (id * 7 + pop) % size; /* scattered, not in blocks */
}

/* Add the nodes owned by `who` (-1: all), in descending id order. */
static size_t add_nodes(rv_sonata_report_writer *w, int who, int *pops, int *ids, rv_error *e) {
    size_t n = 0;
    uint32_t el[4];
    for (int pop = 1; pop >= 0; pop--)
        for (int id = (pop ? N_B : N_A) - 1; id >= 0; id--) {
            if (who >= 0 && owner(pop, id) != who) continue;
            for (size_t j = 0; j < n_el(pop, id); j++) el[j] = (uint32_t)(3 - j);
            if (rv_sonata_report_writer_add_node(w, pop ? "pB" : "pA", (uint64_t)id, el,
                                                 n_el(pop, id), e) != RV_OK)
                return (size_t)-1;
            pops[n] = pop;
            ids[n++] = id;
        }
    return n;
}

static rv_status write_report(const char *path, const rv_sonata_comm *comm, int who, size_t buffer,
                              rv_error *e) {
    rv_sonata_report_params prm = {.tstart = 0, .tend = 5, .dt = 0.25, .buffer_bytes = buffer};
    rv_sonata_report_writer *w;
    rv_status st = rv_sonata_report_writer_create(&w, path, &prm, comm, e);
    if (st != RV_OK) return st;
    int pops[64], ids[64];
    size_t n = add_nodes(w, who, pops, ids, e);
    st = n == (size_t)-1 ? e->code : RV_OK;
    double v[256];
    for (size_t f = 0; st == RV_OK && f < rv_sonata_report_writer_n_frames(w); f++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n_el(pops[i], ids[i]); j++)
                v[k++] = value(pops[i], ids[i], j, f);
        st = rv_sonata_report_writer_frame(w, v, e);
    }
    if (st == RV_OK) st = rv_sonata_report_writer_close(w, e);
    rv_sonata_report_writer_destroy(w);
    return st;
}

/* Both report files hold the same populations, mapping and data. */
static int same_reports(const char *a, const char *b) {
    rv_sonata_report *ra, *rb;
    rv_error e = {0};
    if (rv_sonata_report_open(a, &ra, &e) != RV_OK) return 0;
    if (rv_sonata_report_open(b, &rb, &e) != RV_OK) {
        rv_sonata_report_destroy(ra);
        return 0;
    }
    int same = rv_sonata_report_n_pops(ra) == rv_sonata_report_n_pops(rb) &&
               rv_sonata_report_n_pops(ra) == 2;
    for (size_t i = 0; same && i < rv_sonata_report_n_pops(ra); i++) {
        const rv_sonata_report_pop *pa, *pb;
        const char *name = rv_sonata_report_pop_name(ra, i);
        if (rv_sonata_report_pop_get(ra, name, &pa, &e) != RV_OK ||
            rv_sonata_report_pop_get(rb, name, &pb, &e) != RV_OK) {
            same = 0;
            break;
        }
        same = pa->n_nodes == pb->n_nodes && pa->n_elements == pb->n_elements &&
               pa->n_frames == pb->n_frames && pa->tstart == pb->tstart && pa->tstop == pb->tstop &&
               pa->dt == pb->dt && pa->sorted == pb->sorted &&
               !memcmp(pa->node_ids, pb->node_ids, pa->n_nodes * 8) &&
               !memcmp(pa->index_pointers, pb->index_pointers, (pa->n_nodes + 1) * 8) &&
               !memcmp(pa->element_ids, pb->element_ids, pa->n_elements * 4);
        size_t n = pa->n_frames * pa->n_elements;
        float *da = malloc((n + 1) * 4), *db = malloc((n + 1) * 4);
        same = same && da && db &&
               rv_sonata_report_read_frames(ra, pa, 0, pa->n_frames, da, &e) == RV_OK &&
               rv_sonata_report_read_frames(rb, pb, 0, pb->n_frames, db, &e) == RV_OK &&
               !memcmp(da, db, n * 4);
        /* and the values are the ones written */
        for (size_t k = 0; same && k < pa->n_nodes; k++) {
            int pop = name[1] == 'B', id = (int)pa->node_ids[k];
            size_t b0 = pa->index_pointers[k];
            for (size_t f = 0; f < pa->n_frames; f++)
                for (size_t j = 0; j < n_el(pop, id); j++)
                    same = same && da[f * pa->n_elements + b0 + j] == (float)value(pop, id, j, f) &&
                           pa->element_ids[b0 + j] == 3 - j;
        }
        free(da);
        free(db);
    }
    rv_sonata_report_destroy(ra);
    rv_sonata_report_destroy(rb);
    return same;
}

static rv_status make_spikes(rv_sonata_spikes **s, int who, rv_error *e) {
    rv_status st = rv_sonata_spikes_create(s, e);
    for (int pop = 0; pop < 2 && st == RV_OK; pop++)
        for (int id = 0; id < (pop ? N_B : N_A) && st == RV_OK; id++) {
            if (who >= 0 && owner(pop, id) != who) continue;
            for (int k = 0; k < id % 3 + 1 && st == RV_OK; k++) {
                double t = 0.5 * (double)((id * 5 + k * 3) % 11); /* many equal times */
                uint64_t nid = (uint64_t)id;
                st = rv_sonata_spikes_add(*s, pop ? "pB" : "pA", &t, &nid, 1, e);
            }
        }
    return st;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc != 2) {
        if (rank == 0) fprintf(stderr, "usage: %s WORK_DIR\n", argv[0]);
        MPI_Finalize();
        return 2;
    }
    char par[512], ser[512], par2[512], bad[512], sp_par[512], sp_ser[512];
    snprintf(par, sizeof par, "%s/mpi_report_np%d.h5", argv[1], size);
    snprintf(par2, sizeof par2, "%s/mpi_report_allgather_np%d.h5", argv[1], size);
    snprintf(ser, sizeof ser, "%s/mpi_report_serial_np%d.h5", argv[1], size);
    snprintf(bad, sizeof bad, "%s/no_such_dir/r.h5", argv[1]);
    snprintf(sp_par, sizeof sp_par, "%s/mpi_spikes_np%d.h5", argv[1], size);
    snprintf(sp_ser, sizeof sp_ser, "%s/mpi_spikes_serial_np%d.h5", argv[1], size);
    rv_sonata_comm comm = {rank, size, NULL, mpi_allgather_int, mpi_allgatherv, mpi_gatherv};
    rv_sonata_comm comm_ag = comm;
    comm_ag.gatherv_bytes = NULL; /* every rank receives: the fallback path */
    rv_error e = {0};
    char buf[1024];

    /* one file from every rank, 100 bytes of buffer: many gathers */
    rv_status st = write_report(par, &comm, rank, 100, &e);
    EXPECT(st == RV_OK, "parallel report: %s", rv_error_format(&e, buf, sizeof buf));
    st = write_report(par2, &comm_ag, rank, 0, &e);
    EXPECT(st == RV_OK, "parallel report (allgatherv): %s", rv_error_format(&e, buf, sizeof buf));
    if (rank == 0) {
        st = write_report(ser, NULL, -1, 0, &e);
        EXPECT(st == RV_OK, "serial report: %s", rv_error_format(&e, buf, sizeof buf));
        EXPECT(same_reports(par, ser), "%d-rank report differs from the 1-rank report", size);
        EXPECT(same_reports(par2, ser), "%d-rank report (allgatherv) differs", size);
    }

    /* rank 0 cannot create the file: every rank gets rank 0's message */
    st = write_report(bad, &comm, rank, 0, &e);
    EXPECT(st == RV_EIO && strstr(e.msg, "cannot write in directory") &&
               strstr(e.path, "no_such_dir"),
           "missing directory on every rank: %d %s", st, rv_error_format(&e, buf, sizeof buf));

    /* the same node on two ranks */
    rv_sonata_report_params prm = {.tstart = 0, .tend = 1, .dt = 0.5};
    rv_sonata_report_writer *w;
    uint32_t el = 0;
    double v = 1;
    EXPECT(rv_sonata_report_writer_create(&w, ser, &prm, &comm, &e) == RV_OK, "create");
    rv_sonata_report_writer_add_node(w, "dup", 5, &el, 1, &e);
    st = rv_sonata_report_writer_frame(w, &v, &e);
    rv_sonata_report_writer_destroy(w);
    if (size > 1)
        EXPECT(st == RV_EINVAL && strstr(e.msg, "node 5 added twice (on rank 0 and rank 1)"),
               "duplicate across ranks: %s", rv_error_format(&e, buf, sizeof buf));

    /* spikes: gather, sort by time, write on rank 0 == one process's file */
    rv_sonata_spikes *s = NULL, *all = NULL, *ra = NULL, *rb = NULL;
    EXPECT(make_spikes(&s, rank, &e) == RV_OK, "spikes");
    EXPECT(rv_sonata_spikes_gather(s, &comm, &e) == RV_OK, "gather: %s", e.msg);
    if (rank != 0) EXPECT(s->n_pops == 0, "non-root ranks hold no spikes after the gather");
    if (rank == 0) {
        EXPECT(rv_sonata_spikes_write(sp_par, s, RV_SONATA_SORT_BY_TIME, &e) == RV_OK, "write");
        EXPECT(make_spikes(&all, -1, &e) == RV_OK, "all spikes");
        EXPECT(rv_sonata_spikes_write(sp_ser, all, RV_SONATA_SORT_BY_TIME, &e) == RV_OK, "write");
        EXPECT(rv_sonata_spikes_read(sp_par, &ra, &e) == RV_OK &&
                   rv_sonata_spikes_read(sp_ser, &rb, &e) == RV_OK,
               "read back");
        for (size_t i = 0; ra && rb && i < 2; i++) {
            const rv_sonata_spike_pop *a = &ra->pops[i], *b = &rb->pops[i];
            EXPECT(ra->n_pops == 2 && rb->n_pops == 2 && strcmp(a->name, b->name) == 0 &&
                       a->n == b->n && !memcmp(a->timestamps, b->timestamps, 8 * a->n) &&
                       !memcmp(a->node_ids, b->node_ids, 8 * a->n),
                   "spike population %zu differs", i);
        }
    }
    rv_sonata_spikes_destroy(s);
    rv_sonata_spikes_destroy(all);
    rv_sonata_spikes_destroy(ra);
    rv_sonata_spikes_destroy(rb);

    int f = failures, c = checks;
    MPI_Allreduce(&f, &failures, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(&c, &checks, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) {
        if (!failures)
            printf("ok: %d ranks wrote one report and one spike file, equal to 1-rank files; "
                   "errors agreed on every rank\n",
                   size);
        printf("%d checks, %d failed\n", checks, failures);
    }
    MPI_Finalize();
    return failures != 0;
}
