/* SPDX-License-Identifier: MIT
 * driver/driver_int.h -- private to src/driver: the MPI hooks (driver_mpi.c
 * when built with MPI, else driver_nompi.c). */
#ifndef RV_DRIVER_INT_H
#define RV_DRIVER_INT_H

#include "ranvier/engine.h"

/* Fill *c for MPI_COMM_WORLD (MPI_Init first when needed). */
rv_status rv__drv_mpi_start(rv_comm *c, rv_error *err);
void rv__drv_mpi_stop(rv_comm *c);
void rv__drv_mpi_finalize(void);
int rv__drv_mpi_available(void);

#endif
