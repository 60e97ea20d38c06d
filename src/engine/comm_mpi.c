/* SPDX-License-Identifier: MIT
 * engine/comm_mpi.c -- spike-exchange collectives over MPI.
 *
 * The engine itself never calls MPI: it is handed an rv_comm.  This file is
 * the MPI implementation: MPI_Allgather of counts and MPI_Allgatherv of
 * spike records, as NEURON's default spike exchange does (and MPI_Alltoallv
 * for voltage transfer, as NEURON's partrans), on a duplicate of
 * the caller's communicator so that ranvier's traffic never mixes with the
 * caller's.
 */
#include "ranvier/comm_mpi.h"

static int ag_int(void *ud, int mine, int *all) {
    return MPI_Allgather(&mine, 1, MPI_INT, all, 1, MPI_INT, *(MPI_Comm *)ud) != MPI_SUCCESS;
}

static int ag_bytes(void *ud, const void *send, int nbytes, void *recv, const int *counts,
                    const int *displs) {
    return MPI_Allgatherv(send, nbytes, MPI_BYTE, recv, counts, displs, MPI_BYTE,
                          *(MPI_Comm *)ud) != MPI_SUCCESS;
}

static int ar_min(void *ud, double mine, double *out) {
    return MPI_Allreduce(&mine, out, 1, MPI_DOUBLE, MPI_MIN, *(MPI_Comm *)ud) != MPI_SUCCESS;
}

static int ar_max(void *ud, double mine, double *out) {
    return MPI_Allreduce(&mine, out, 1, MPI_DOUBLE, MPI_MAX, *(MPI_Comm *)ud) != MPI_SUCCESS;
}

static int a2av_bytes(void *ud, const void *send, const int *scounts, const int *sdispls,
                      void *recv, const int *rcounts, const int *rdispls) {
    return MPI_Alltoallv(send, scounts, sdispls, MPI_BYTE, recv, rcounts, rdispls, MPI_BYTE,
                         *(MPI_Comm *)ud) != MPI_SUCCESS;
}

rv_status rv_comm_mpi(rv_comm *out, MPI_Comm comm, rv_error *err) {
    MPI_Comm *dup = rv_malloc(sizeof *dup);
    if (!dup) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (MPI_Comm_dup(comm, dup) != MPI_SUCCESS) {
        rv_free(dup);
        return RV_FAIL(err, RV_ECOMM, "MPI_Comm_dup failed");
    }
    MPI_Comm_rank(*dup, &out->rank);
    MPI_Comm_size(*dup, &out->size);
    out->ud = dup;
    out->allgather_int = ag_int;
    out->allgatherv_bytes = ag_bytes;
    out->allreduce_min = ar_min;
    out->allreduce_max = ar_max;
    out->alltoallv_bytes = a2av_bytes;
    return RV_OK;
}

void rv_comm_mpi_free(rv_comm *c) {
    if (!c || !c->ud) return;
    MPI_Comm_free((MPI_Comm *)c->ud);
    rv_free(c->ud);
    c->ud = NULL;
}
