/* SPDX-License-Identifier: MIT
 * ranvier/comm_mpi.h -- an rv_comm over an MPI communicator (rv_comm_mpi
 * library, built when MPI is found).
 */
#ifndef RV_COMM_MPI_H
#define RV_COMM_MPI_H

#include "ranvier/engine.h"

#include <mpi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Fill *out for `comm` (duplicated; release with rv_comm_mpi_free). */
rv_status rv_comm_mpi(rv_comm *out, MPI_Comm comm, rv_error *err);
void rv_comm_mpi_free(rv_comm *c);

#ifdef __cplusplus
}
#endif
#endif
