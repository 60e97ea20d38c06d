#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run an rvsim-format model (tests/oracle/rvsim.c) in NEURON, timed.

Builds the model exactly as tests/oracle/oracle.py run_neuron() does (same
directives, same order, NetCons last), with h.CVode().cache_efficient(1),
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
    pc = h.ParallelContext()
    secs, pps, keep, recs = {}, {}, [], []
    tstop, vinit = 0.0, -65.0
    # NEURON wants every gid declared before gid_connect: NetCons last
    lines = [ln for ln in lines if not ln.startswith("netcon ")] + \
        [ln for ln in lines if ln.startswith("netcon ")]
    h.secondorder = 0
    h.celsius = 6.3
    h.dt = 0.025
    for ln in lines:
        t = ln.split()
        if not t or t[0].startswith("#"):
            continue
        c = t[0]
        if c == "cell":
            continue
        elif c == "dt":
            h.dt = float(t[1])
        elif c == "secondorder":
            h.secondorder = int(t[1])
        elif c == "celsius":
            h.celsius = float(t[1])
        elif c == "tstop":
            tstop = float(t[1])
        elif c == "vinit":
            vinit = float(t[1])
        elif c == "fast_imem":
            h.CVode().use_fast_imem(int(t[1]))
        elif c == "global":
            setattr(h, t[1], float(t[2]))
        elif c == "section":
            s = h.Section(name=t[1])
            s.nseg = int(t[2])
            secs[t[1]] = s
        elif c == "geom":
            s = secs[t[1]]
            s.L = float(t[2])
            s.diam = float(t[3])
            s.Ra = float(t[4])
            s.cm = float(t[5])
        elif c == "setra":
            secs[t[1]].Ra = float(t[2])
        elif c == "segdiam":
            secs[t[1]](float(t[2])).diam = float(t[3])
        elif c == "segcm":
            secs[t[1]](float(t[2])).cm = float(t[3])
        elif c == "pt3d":
            h.pt3dadd(float(t[2]), float(t[3]), float(t[4]), float(t[5]), sec=secs[t[1]])
        elif c == "connect":
            secs[t[1]].connect(secs[t[3]](float(t[4])), int(t[2]))
        elif c == "insert":
            secs[t[1]].insert(t[2])
        elif c == "range":
            setattr(secs[t[1]](float(t[2])), t[3], float(t[4]))
        elif c == "rangeall":
            for seg in secs[t[1]]:
                setattr(seg, t[2], float(t[3]))
        elif c == "pp":
            pps[t[1]] = getattr(h, t[2])(secs[t[3]](float(t[4])))
        elif c == "art":
            pps[t[1]] = getattr(h, t[2])()
        elif c == "ppset":
            setattr(pps[t[1]], t[2], float(t[3]))
        elif c == "r123":
            pps[t[1]].noiseFromRandom123(int(t[2]), int(t[3]), int(t[4]))
        elif c == "gidsec":
            gid, s, x = int(t[1]), secs[t[2]], float(t[3])
            pc.set_gid2node(gid, pc.id())
            nc = h.NetCon(s(x)._ref_v, None, sec=s)
            nc.threshold = float(t[4])
            pc.cell(gid, nc)
        elif c == "gidpp":
            gid = int(t[1])
            pc.set_gid2node(gid, pc.id())
            pc.cell(gid, h.NetCon(pps[t[2]], None))
        elif c == "netcon":
            nc = pc.gid_connect(int(t[1]), pps[t[2]])
            nc.delay = float(t[3])
            nc.weight[0] = float(t[4])
            keep.append(nc)
        elif c == "record":
            v = h.Vector()
            v.record(getattr(secs[t[1]](float(t[2])), "_ref_" + t[3]))
            recs.append(v)
        elif c == "recordpp":
            v = h.Vector()
            v.record(getattr(pps[t[1]], "_ref_" + t[2]))
            recs.append(v)
        elif c == "probe":
            pass
        else:
            raise ValueError("unknown directive " + c)
    tv, idv = h.Vector(), h.Vector()
    pc.spike_record(-1, tv, idv)
    h.CVode().cache_efficient(1)
    pc.set_maxstep(10)
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

    spikes = sorted(zip(tv.to_python(), [int(g) for g in idv]))
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
