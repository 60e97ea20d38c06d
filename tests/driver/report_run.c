/* SPDX-License-Identifier: MIT
 * tests/driver/report_run.c -- builds two small cells through the engine
 * API, makes four reports through src/driver/report.c (compartment v,
 * compartment i_membrane_ with an off-grid start and an end past tstop,
 * summation of soma currents at dt_report = dt (2000 frames: the ALU lag
 * appears), summation of i_membrane_ per segment), runs and writes them into
 * DIR.  report_check.py builds the same model in NEURON, emulates
 * neurodamus' helper and ALU events with NEURON's own event queue, and
 * compares every frame.  Usage: report_run DIR.  Built with RV_HAVE_MPI
 * (report_run_mpi): cell k lives on rank k % size and the files must equal
 * those of one process.
 */
#include "ranvier/engine.h"
#include "report_int.h"
#ifdef RV_HAVE_MPI
#include "ranvier/comm_mpi.h"
#endif

#include <stdio.h>
#include <string.h>

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        rv_status st_ = (x);                                                                       \
        if (st_) {                                                                                 \
            char b_[512];                                                                          \
            rv_error_format(&err, b_, sizeof b_);                                                  \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, b_);                                \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

typedef struct cell {
    const char *pop;
    uint64_t gid, node;
    int soma, dend, stim;
    int nseg_dend;
} cell;

static int build(rv_model *m, cell *c, int k, double amp, double del, double dur, int nseg,
                 rv_error *errp) {
    rv_error err = {0};
    char nm[32];
    snprintf(nm, sizeof nm, "soma%d", k);
    CHECK(rv_section_create(m, nm, 1, &c->soma, &err));
    CHECK(rv_section_set_L(m, c->soma, 20, &err));
    CHECK(rv_section_set_diam(m, c->soma, 20, &err));
    CHECK(rv_section_set_Ra(m, c->soma, 100, &err));
    CHECK(rv_section_insert(m, c->soma, "hh", &err));
    snprintf(nm, sizeof nm, "dend%d", k);
    CHECK(rv_section_create(m, nm, nseg, &c->dend, &err));
    CHECK(rv_section_set_L(m, c->dend, 150, &err));
    CHECK(rv_section_set_diam(m, c->dend, 2, &err));
    CHECK(rv_section_set_Ra(m, c->dend, 100, &err));
    CHECK(rv_section_insert(m, c->dend, "pas", &err));
    CHECK(rv_section_connect(m, c->dend, 0, c->soma, 1, &err));
    CHECK(rv_pp_create(m, "IClamp", c->soma, 0.5, &c->stim, &err));
    CHECK(rv_pp_set(m, c->stim, "del", del, &err));
    CHECK(rv_pp_set(m, c->stim, "dur", dur, &err));
    CHECK(rv_pp_set(m, c->stim, "amp", amp, &err));
    c->nseg_dend = nseg;
    (void)errp;
    return 0;
}

/* segment centres of a section with nseg segments */
static double xc(int j, int nseg) {
    return (j + 0.5) / nseg;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: report_run DIR\n");
        return 2;
    }
    rv_error err = {0};
    int rank = 0, size = 1;
    rv_sonata_comm sc, *scp = NULL;
#ifdef RV_HAVE_MPI
    MPI_Init(&argc, &argv);
    rv_comm comm;
    CHECK(rv_comm_mpi(&comm, MPI_COMM_WORLD, &err));
    rank = comm.rank, size = comm.size;
    memset(&sc, 0, sizeof sc);
    sc.rank = rank, sc.size = size, sc.ud = comm.ud;
    sc.allgather_int = comm.allgather_int;
    sc.allgatherv_bytes = comm.allgatherv_bytes;
    scp = &sc;
#else
    (void)sc;
#endif
    rv_model *m = NULL;
    CHECK(rv_model_create(&m, &err));
    CHECK(rv_model_set_fast_imem(m, 1, &err));
    /* added in descending gid order: the files list them ascending */
    cell cells[2] = {{"popB", 1001, 1, 0, 0, 0, 0}, {"popA", 3, 3, 0, 0, 0, 0}};
    if (0 % size == rank && build(m, &cells[0], 0, 0.3, 2, 30, 3, &err)) return 1;
    if (1 % size == rank && build(m, &cells[1], 1, 0.1, 5, 40, 2, &err)) return 1;
    CHECK(rv_model_setup(m, &err));

    const double dt = 0.025, tstop = 50;
    struct {
        const char *name;
        rv_rep_type type;
        double start, end, dtr;
    } R[4] = {{"compartment_v", RV_REP_COMPARTMENT, 0, 30, 0.1},
              {"compartment_i_membrane", RV_REP_COMPARTMENT, 1.05, 100, 0.5},
              {"summation_soma", RV_REP_SUMMATION, 0, 50, 0.025},
              {"summation_i_membrane", RV_REP_SUMMATION, 0, 50, 1}};
    rv_drv_reports set = {0};
    for (int r = 0; r < 4; ++r) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.h5", argv[1], R[r].name);
        rv_rep_params p = {0};
        p.name = R[r].name;
        p.type = R[r].type;
        p.path = path;
        p.start = R[r].start;
        p.end = R[r].end;
        p.dt_report = R[r].dtr;
        p.dt = dt;
        p.tstop = tstop;
        rv_drv_report *rep = NULL;
        CHECK(rv__rep_create(&rep, &p, scp, &err));
        CHECK(rv__reps_add(&set, rep, &err));
        for (int k = 0; k < 2; ++k) {
            if (k % size != rank) continue;
            cell *c = &cells[k];
            CHECK(rv__rep_add_cell(rep, c->pop, c->gid, c->node, &err));
            const double *ptr;
            double area;
            if (r == 0 || r == 1 || r == 3) {
                const char *var = r == 0 ? "v" : "i_membrane_";
                /* element ids: soma 0, dend 1 (one element per segment) */
                CHECK(rv__rep_add_element(rep, 0, &err));
                CHECK(rv_range_ptr(m, c->soma, 0.5, var, &ptr, &err));
                CHECK(rv__rep_add_term(rep, ptr, 1.0, &err));
                for (int j = 0; j < c->nseg_dend; ++j) {
                    CHECK(rv__rep_add_element(rep, 1, &err));
                    CHECK(rv_range_ptr(m, c->dend, xc(j, c->nseg_dend), var, &ptr, &err));
                    CHECK(rv__rep_add_term(rep, ptr, 1.0, &err));
                }
            } else {
                /* soma: ina, ik (area/100), IClamp i (-1); dend: i_pas (area/100) */
                CHECK(rv__rep_add_element(rep, 0, &err));
                CHECK(rv_section_area(m, c->soma, 0.5, &area, &err));
                CHECK(rv_range_ptr(m, c->soma, 0.5, "ina", &ptr, &err));
                CHECK(rv__rep_add_term(rep, ptr, area / 100., &err));
                CHECK(rv_range_ptr(m, c->soma, 0.5, "ik", &ptr, &err));
                CHECK(rv__rep_add_term(rep, ptr, area / 100., &err));
                CHECK(rv_pp_ptr(m, c->stim, "i", &ptr, &err));
                CHECK(rv__rep_add_term(rep, ptr, -1., &err));
                for (int j = 0; j < c->nseg_dend; ++j) {
                    double x = xc(j, c->nseg_dend);
                    CHECK(rv_section_area(m, c->dend, x, &area, &err));
                    CHECK(rv_range_ptr(m, c->dend, x, "i_pas", &ptr, &err));
                    CHECK(rv__rep_add_term(rep, ptr, area / 100., &err));
                }
            }
        }
    }
    CHECK(rv_model_set_init_hook(m, rv__reps_init_hook, &set, &err));
    CHECK(rv_model_set_dt(m, dt, &err));
    CHECK(rv_model_finitialize(m, -65, &err));
    CHECK(rv__reps_after_step(&set, rv_model_t(m), &err));
    while (rv_model_t(m) < tstop - 0.5 * dt) {
        CHECK(rv_model_step(m, &err));
        CHECK(rv__reps_after_step(&set, rv_model_t(m), &err));
    }
    for (int r = 0; r < 4 && rank == 0; ++r)
        printf("%s frames %zu elements %zu\n", R[r].name, rv__rep_n_frames(set.r[r]),
               rv__rep_n_elements(set.r[r]));
    CHECK(rv__reps_finish(&set, &err));
    rv__reps_free(&set);

    /* errors are values: bad parameters */
    rv_rep_params bad = {0};
    bad.name = "bad";
    bad.path = "/nonexistent/x.h5";
    bad.dt = 0.025;
    bad.tstop = 10;
    bad.dt_report = 0.01; /* < dt */
    bad.end = 10;
    rv_drv_report *br = NULL;
    if (rv__rep_create(&br, &bad, NULL, &err) != RV_EINVAL || br) {
        fprintf(stderr, "report dt < dt accepted\n");
        return 1;
    }
    if (rank == 0) printf("bad dt: %s\n", err.msg);
    rv_model_destroy(m);
#ifdef RV_HAVE_MPI
    rv_comm_mpi_free(&comm);
    MPI_Finalize();
#endif
    return 0;
}
