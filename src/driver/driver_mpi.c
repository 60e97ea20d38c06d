/* SPDX-License-Identifier: MIT
 * driver/driver_mpi.c -- MPI start-up for the driver (built with MPI). */
#include "driver_int.h"

#include "ranvier/comm_mpi.h"

static int initialised_here;

rv_status rv__drv_mpi_start(rv_comm *c, rv_error *err) {
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) {
        if (MPI_Init(NULL, NULL) != MPI_SUCCESS) return RV_FAIL(err, RV_ECOMM, "MPI_Init failed");
        initialised_here = 1;
    }
    return rv_comm_mpi(c, MPI_COMM_WORLD, err);
}

void rv__drv_mpi_stop(rv_comm *c) {
    rv_comm_mpi_free(c);
}

void rv__drv_mpi_finalize(void) {
    int fin = 0;
    MPI_Finalized(&fin);
    if (initialised_here && !fin) MPI_Finalize();
    initialised_here = 0;
}

int rv__drv_mpi_available(void) {
    return 1;
}
