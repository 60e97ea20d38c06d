/* SPDX-License-Identifier: MIT
 * cli/cmd_run.c -- `ranvier run CONFIG [--output-dir DIR] [--mechanisms DIR]...
 * [--mpi] [-v]`: simulate a SONATA circuit (ranvier/driver.h) and print where
 * the spikes went.  Under mpiexec, pass --mpi. */
#include "ranvier/driver.h"
#include "ranvier/engine.h"

#include <stdio.h>
#include <string.h>

static int usage(FILE *f) {
    fprintf(f, "usage: ranvier run CONFIG [--output-dir DIR] [--mechanisms DIR]... [--mpi] [-v]\n"
               "  CONFIG             simulation_config.json or a BMTK config.json\n"
               "  --output-dir DIR   write outputs there instead of the config's output_dir\n"
               "  --mechanisms DIR   also load the .mod files of DIR (repeatable)\n"
               "  --mpi              distribute cells over the ranks of MPI_COMM_WORLD\n"
               "  --event-order neuron|gid  order of simultaneous events: NEURON's queue order\n"
               "                     (default on one rank) or by source gid (default on more;\n"
               "                     the same on any number of ranks)\n"
               "  --record-soma PREFIX  (Blue Brain circuits) write soma v of every cell at every\n"
               "                     step to PREFIX.<rank>, lines \"gid step v\" (for tests)\n"
               "  -v                 progress on stderr\n");
    return f == stdout ? 0 : 2;
}

int rv_cmd_run(int argc, char **argv) {
    rv_drv_options o;
    memset(&o, 0, sizeof o);
    const char *mechs[16];
    size_t n_mechs = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) return usage(stdout);
        if ((strcmp(a, "--output-dir") == 0 || strcmp(a, "--output-path") == 0) && i + 1 < argc) {
            o.output_dir = argv[++i];
        } else if (strcmp(a, "--mechanisms") == 0 && i + 1 < argc) {
            if (n_mechs == sizeof mechs / sizeof *mechs) {
                fprintf(stderr, "ranvier run: too many --mechanisms\n");
                return 2;
            }
            mechs[n_mechs++] = argv[++i];
        } else if (strcmp(a, "--event-order") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "neuron") == 0) {
                o.event_order = RV_EVENT_ORDER_NEURON;
            } else if (strcmp(v, "gid") == 0) {
                o.event_order = RV_EVENT_ORDER_GID;
            } else {
                fprintf(stderr, "ranvier run: --event-order takes neuron or gid, not '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--record-soma") == 0 && i + 1 < argc) {
            o.record_soma = argv[++i];
        } else if (strcmp(a, "--mpi") == 0) {
            o.use_mpi = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o.verbose = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "ranvier run: unknown or incomplete option '%s'\n", a);
            return usage(stderr);
        } else if (!o.config) {
            o.config = a;
        } else {
            fprintf(stderr, "ranvier run: more than one CONFIG ('%s', '%s')\n", o.config, a);
            return usage(stderr);
        }
    }
    if (!o.config) return usage(stderr);
    o.mechanisms = mechs;
    o.n_mechanisms = n_mechs;
    rv_drv_result res;
    rv_error err;
    rv_error_clear(&err);
    rv_status st = rv_drv_run(&o, &res, &err);
    if (st) {
        if (res.rank == 0) {
            char buf[1200];
            fprintf(stderr, "%s\n", rv_error_format(&err, buf, sizeof buf));
        }
        rv_drv_finalize();
        return 1;
    }
    if (res.rank == 0 && res.n_synapses)
        printf("%llu cells, %llu synapses (%llu netcons) on %d process%s, %g ms: %llu spikes -> "
               "%s\n",
               (unsigned long long)res.n_cells, (unsigned long long)res.n_synapses,
               (unsigned long long)res.n_netcons, res.size, res.size == 1 ? "" : "es", res.tstop,
               (unsigned long long)res.n_spikes, res.spikes_path);
    else if (res.rank == 0)
        printf("%llu cells (%llu virtual inputs, %llu netcons) on %d process%s, %g ms: %llu "
               "spikes -> %s\n",
               (unsigned long long)res.n_cells, (unsigned long long)res.n_virtual,
               (unsigned long long)res.n_netcons, res.size, res.size == 1 ? "" : "es", res.tstop,
               (unsigned long long)res.n_spikes, res.spikes_path);
    rv_drv_finalize();
    return 0;
}
