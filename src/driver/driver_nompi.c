/* SPDX-License-Identifier: MIT
 * driver/driver_nompi.c -- the driver's MPI hooks when built without MPI. */
#include "driver_int.h"

rv_status rv__drv_mpi_start(rv_comm *c, rv_error *err) {
    (void)c;
    return RV_FAIL(err, RV_EUNSUPPORTED, "--mpi: ranvier was built without MPI (-DRV_MPI=OFF)");
}

void rv__drv_mpi_stop(rv_comm *c) {
    (void)c;
}
void rv__drv_mpi_finalize(void) {}
int rv__drv_mpi_available(void) {
    return 0;
}
