#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run an rvsim-format model (tests/oracle/rvsim.c) in NEURON, timed.

Builds the model with tests/oracle/oracle.py's build_neuron() (the oracle's
own builder), with h.CVode().cache_efficient(1),
then runs it with ParallelContext.psolve (or, with --fadvance, the oracle's
h.fadvance() loop).  Writes the spike raster in rvsim's output format
("spikes N" then "t gid" lines, %.17g) and prints one JSON line with timings
(seconds) and peak RSS (MB) after import, build and run.

Usage: neuron_bench.py MODEL OUTPUT [--fadvance]
"""
import json
import os
import resource
import sys
import time

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "oracle"))
import oracle  # noqa: E402  (the model builder shared with the oracle tests)


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    model, output = sys.argv[1], sys.argv[2]
    use_fadvance = "--fadvance" in sys.argv[3:]
    t0 = time.perf_counter()
    from neuron import h
    t_import = time.perf_counter() - t0
    rss_import = rss_mb()

    t0 = time.perf_counter()
    with open(model) as f:
        lines = f.read().split("\n")
    nm = oracle.build_neuron(lines)
    h.CVode().cache_efficient(1)
    pc, tstop, vinit, recs, secs = nm.pc, nm.tstop, nm.vinit, nm.recs, nm.secs
    t_build = time.perf_counter() - t0
    rss_build = rss_mb()

    t0 = time.perf_counter()
    h.finitialize(vinit)
    t_init = time.perf_counter() - t0
    rss_init = rss_mb()

    t0 = time.perf_counter()
    if use_fadvance:
        while h.t < tstop - 0.5 * h.dt:
            h.fadvance()
    else:
        pc.psolve(tstop)
    t_run = time.perf_counter() - t0
    rss_run = rss_mb()

    spikes = oracle.neuron_results(nm)[2]
    with open(output, "w") as o:
        for k, v in enumerate(recs):
            o.write("rec %d %d\n" % (k, len(v)))
            o.write("".join("%.17g\n" % x for x in v))
        o.write("spikes %d\n" % len(spikes))
        o.write("".join("%.17g %d\n" % s for s in spikes))
    print(json.dumps({"import_s": t_import, "build_s": t_build, "init_s": t_init,
                      "run_s": t_run, "t_end": h.t, "nseg_total": sum(s.nseg for s in secs.values()),
                      "rss_import_mb": rss_import, "rss_build_mb": rss_build,
                      "rss_init_mb": rss_init, "rss_run_mb": rss_run,
                      "loop": "fadvance" if use_fadvance else "psolve"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
