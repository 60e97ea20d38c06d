#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Build and simulation benchmark of `ranvier run` on Blue Brain style
circuits against NEURON building the same circuit (issue 6).

For each size N (cells):
 1. tools/gen_bbp_circuit.py writes the circuit (three emodels incl. the
    NeededAttributes one, ASC morphologies, --syn-per-cell chemical synapses
    and --input-syn-per-cell replay synapses per cell, minis, pulse + noise
    stimuli; no soma report);
 2. `ranvier run -v` on 1 process (and with --np P under mpiexec on P):
    the phases are timed from the arrival of its -v progress lines on
    stderr ("cells built", "synapses", "simulating", "simulated"), with the
    CPU time (user+sys) of the process tree read from /proc at each line;
    totals and peak RSS from wait4();
 3. NEURON: this script re-runs itself under /usr/bin/python3 as a child
    that imports tests/driver/bbp50/nd_reference.py (the circuit built as
    neurodamus builds it), times Circuit() + build() split into the cell
    and synapse phases, then runs pc.psolve in 25 ms chunks recording
    spikes only, with cvode.cache_efficient(1) as neurodamus (unless the
    circuit has gap junctions).  nd_reference finds each cell's afferent edges by a Python
    scan of the whole edge list per cell (O(cells x edges)), which
    neurodamus does not do (it reads the edge index): the child recompiles
    nd_reference.build with that one line replaced by a lookup in an index
    built with numpy (same edges, same ascending order; the index build is
    timed with the synapses).  If the line is not found (nd_reference
    changed), the scan stays, is timed on a sample of cells, extrapolated
    and subtracted from the NEURON synapse phase (noisier);
 4. checks the spike rasters are identical (same (gid, t) set; times to
    1e-9 ms; also says whether they are bit-identical) and prints cells/s,
    synapses/s, build and simulation CPU and wall times, peak RSS and the
    NEURON/ranvier ratios.

CPU time (user+sys) is the primary measure: the machine is shared.  The
load average is printed with every run.

  bench/bbp_bench.py --ranvier build/src/cli/ranvier -N 200 1000 [--np 2]
       [--syn-per-cell 150] [--input-syn-per-cell 50] [--tstop 150]
       [--skip-neuron] [--workdir DIR] [--json FILE] [--gen-flag=--no-minis]
Exit status: 0 when every raster matches, 1 when one differs, 2 on a failed run.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, ".."))
PY = "/usr/bin/python3"  # Debian's python with neuron and h5py
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
TOL_T = 1e-9
TICK = os.sysconf("SC_CLK_TCK")


# ---- process measurement --------------------------------------------------------------

def _stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    rest = s[s.rindex(")") + 2:].split()
    # rest[0] = state (field 3); utime 14, stime 15, cutime 16, cstime 17
    return int(rest[1]), sum(int(rest[k]) for k in (11, 12, 13, 14))


def tree_cpu(root):
    """user+sys seconds of root and its live descendants (incl. their reaped
    children), from /proc"""
    kids, cpu = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            ppid, ticks = _stat(int(d))
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(d))
        cpu[int(d)] = ticks
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += cpu.get(p, 0)
        todo += kids.get(p, [])
    return total / TICK


def run_measured(cmd, env, marks=()):
    """Run cmd; for each regex of marks, the (wall, cpu) at the arrival of the
    first stderr line matching it.  Returns dict(wall, cpu, rss_mb, marks,
    stdout, stderr, load)."""
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    out = []
    th = threading.Thread(target=lambda: out.append(p.stdout.read()))
    th.start()
    got, err = {}, []
    for ln in p.stderr:
        err.append(ln)
        for k, rx in marks:
            if k not in got and re.search(rx, ln):
                got[k] = (time.perf_counter() - t0, tree_cpu(p.pid))
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    th.join()
    r = {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024.0,
         "marks": got, "stdout": "".join(out), "stderr": "".join(err), "load": load,
         "rc": p.returncode}
    if p.returncode != 0:
        sys.stderr.write("command failed (%d): %s\n%s\n%s\n" % (
            p.returncode, " ".join(cmd), r["stdout"][-3000:], r["stderr"][-3000:]))
        sys.exit(2)
    return r


# ---- ranvier ----------------------------------------------------------------------------

RV_MARKS = [("cells", r"cells built"), ("synapses", r"synapses, .* NetCons"),
            ("simstart", r"simulating "), ("simend", r"simulated ")]


def ranvier_spikes(outdir):
    import h5py
    offs = {}
    for ln in open(os.path.join(outdir, "populations_offset.dat")).read().splitlines():
        pop, off, _ = ln.split("::")
        offs[pop] = int(off)
    spikes = []
    with h5py.File(os.path.join(outdir, "out.h5")) as f:
        for pop in f["spikes"]:
            g = f["spikes"][pop]
            spikes += [(int(i) + offs[pop], float(t))
                       for t, i in zip(g["timestamps"][:], g["node_ids"][:])]
    return sorted(spikes)


def run_ranvier(args, cfg, outdir, nprocs):
    cmd = [args.ranvier, "run", cfg, "--output-dir", outdir, "-v"]
    if nprocs > 1:
        cmd = [args.mpiexec, "-n", str(nprocs), "--oversubscribe"] + cmd + ["--mpi"]
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    env = dict(os.environ, RANVIER_MECHANISMS_DIR=os.path.join(ROOT, "mechanisms"), **MPI_ENV)
    r = run_measured(cmd, env, RV_MARKS)
    m = r["marks"]
    if set(m) != {k for k, _ in RV_MARKS}:
        sys.stderr.write("ranvier -v did not print every phase line:\n" + r["stderr"])
        sys.exit(2)
    mo = re.search(r"(\d+) synapses, (\d+) NetCons", r["stderr"])
    ph = {"cells": (m["cells"][0], m["cells"][1]),
          "synapses": (m["synapses"][0] - m["cells"][0], m["synapses"][1] - m["cells"][1]),
          "build": m["simstart"],
          "sim": (m["simend"][0] - m["simstart"][0], m["simend"][1] - m["simstart"][1]),
          "total": (r["wall"], r["cpu"])}
    return {"phases": ph, "rss_mb": r["rss_mb"], "load": r["load"],
            "n_syn": int(mo.group(1)), "n_netcons": int(mo.group(2)),
            "spikes": ranvier_spikes(outdir), "nprocs": nprocs}


# ---- NEURON (child process under /usr/bin/python3) --------------------------------------

def neuron_child(cfgpath, lib, out):
    """Runs in the child: build with nd_reference, phase-timed; simulate."""
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.join(ROOT, "tests", "driver", "bbp50"))
    sys.path.insert(0, os.path.join(ROOT, "tests", "driver"))
    import nd_reference as nd
    import stim_oracle

    def now():
        return (time.perf_counter(), time.process_time())

    stamps = {"start": now()}
    circ = nd.Circuit(cfgpath)
    edge_files = {os.path.abspath(fn) for _, fn, _ in circ.edges}
    real_h5py = circ.h5py

    class H5Proxy:  # stamps the first open of an edges file: the cells are built
        def __getattr__(self, k):
            return getattr(real_h5py, k)

        def File(self, path, *a, **kw):
            if "cells" not in stamps and os.path.abspath(path) in edge_files:
                stamps["cells"] = now()
            return real_h5py.File(path, *a, **kw)
    circ.h5py = H5Proxy()
    real_inputs = stim_oracle.config_inputs

    def inputs(*a, **kw):  # called once, after the synapses (and gap junctions)
        stamps.setdefault("synapses", now())
        return real_inputs(*a, **kw)
    stim_oracle.config_inputs = inputs
    import inspect
    import numpy as np
    scan_line = "mine = [e for e in range(len(trg)) if trg[e] == traw]"
    src = inspect.getsource(nd.build)
    index = {}

    def afferent(trg, traw):
        """ascending ids of the edges of trg whose target is traw"""
        if id(trg) not in index:
            order = np.argsort(trg, kind="stable")
            u, first = np.unique(trg[order], return_index=True)
            bounds = list(first) + [len(order)]
            index[id(trg)] = (trg, {int(u[k]): order[bounds[k]:bounds[k + 1]].tolist()
                                    for k in range(len(u))})
        return index[id(trg)][1].get(int(traw), [])
    patched = scan_line in src
    if patched:
        nd._rv_afferent = afferent
        exec(compile(src.replace(scan_line, "mine = _rv_afferent(trg, traw)"), nd.__file__,
                     "exec"), nd.__dict__)
    h, pc, cells, offs, keep, counts = nd.build(circ, lib)
    stamps["built"] = now()
    circ.h5py = real_h5py

    # the original per-cell scan of every edge: time it on a sample of target
    # cells, extrapolate
    import h5py
    scan = 0.0
    ns = circ.sim.get("node_set")
    for ename, fn, typ in ([] if patched else circ.edges):
        if typ not in ("chemical", "point_process"):
            continue
        with h5py.File(fn) as f:
            g = f["edges"][ename]
            tname = g["target_node_id"].attrs["node_population"]
            tname = tname.decode() if isinstance(tname, bytes) else tname
            trg = g["target_node_id"][:]
        tids = circ.select(ns, tname) if ns else list(range(circ.pops[tname]["size"]))
        sample = tids[::max(1, len(tids) // 20)]
        c0 = time.process_time()
        for traw in sample:
            [e for e in range(len(trg)) if trg[e] == traw]
        if sample:
            scan += (time.process_time() - c0) * len(tids) / len(sample)

    tv, iv = h.Vector(), h.Vector()
    pc.spike_record(-1, tv, iv)
    tstop = float(circ.sim["run"]["tstop"])
    s0 = now()
    if not counts.get("gaps"):  # neurodamus's setting; nd_reference leaves it off for gaps only
        h.CVode().cache_efficient(1)
    pc.setup_transfer()
    pc.set_maxstep(4)
    h.v_init = float(circ.sim.get("conditions", {}).get("v_init", -80))
    h.stdinit()
    cur = round(h.t, 2)
    while cur < tstop:
        nxt = min(tstop, cur + 25)
        pc.psolve(nxt)
        cur = nxt
    s1 = now()

    def d(a, b):
        return (stamps[b][0] - stamps[a][0], stamps[b][1] - stamps[a][1])
    ph = {"cells": d("start", "cells"), "synapses": d("cells", "synapses"),
          "build": d("start", "built"), "sim": (s1[0] - s0[0], s1[1] - s0[1]), "scan_cpu": scan,
          "indexed": patched}
    with open(out, "w") as f:
        json.dump({"phases": ph, "counts": counts, "n_cells": len(cells),
                   "spikes": [[int(i), float(t)] for t, i in zip(tv, iv)]}, f)
    return 0


def neuron_lib(circ, work):
    """nrnivmodl of the circuit's .mod files + neurodamus's extra ones
    (compiled once per distinct set of files)."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
    import hashlib
    import oracle
    files = [os.path.join(circ, "mechanisms", fn) for fn in sorted(os.listdir(
        os.path.join(circ, "mechanisms"))) if fn.endswith(".mod")]
    files += [os.path.join(ROOT, "mechanisms", fn) for fn in
              ["VecStim.mod", "MembraneCurrentSource.mod", "ConductanceSource.mod", "Gap.mod"]]
    key = hashlib.md5(b"".join(open(p, "rb").read() for p in files)).hexdigest()[:12]
    builddir = os.path.join(work, "nrnmech-" + key)
    lib = os.path.join(builddir, "x86_64", ".libs", "libnrnmech.so")
    if os.path.exists(lib):
        return lib
    moddir = builddir + "-mods"
    for dd in (moddir, builddir):
        if os.path.exists(dd):
            shutil.rmtree(dd)
        os.makedirs(dd)
    for p in files:
        shutil.copy(p, moddir)
    return oracle.compile_mods(moddir, builddir)


def run_neuron(cfg, lib, work):
    out = os.path.join(work, "neuron.json")
    env = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui")
    r = run_measured([PY, os.path.abspath(__file__), "--neuron-child", cfg, lib, out], env)
    res = json.load(open(out))
    ph = res["phases"]
    ph["total"] = (r["wall"], r["cpu"])
    return {"phases": ph, "rss_mb": r["rss_mb"], "load": r["load"],
            "n_syn": res["counts"]["synapses"], "n_cells": res["n_cells"],
            "spikes": sorted((g, t) for g, t in res["spikes"]), "nprocs": 1}


# ---- comparison and report --------------------------------------------------------------

def same_raster(a, b):
    if len(a) != len(b) or any(x[0] != y[0] for x, y in zip(a, b)):
        return False, float("nan"), False
    dt = max([abs(x[1] - y[1]) for x, y in zip(a, b)] or [0.0])
    return dt <= TOL_T, dt, all(x[1] == y[1] for x, y in zip(a, b))


def rate(n, s):
    return n / s if s > 0 else float("inf")


def report_row(name, r, ncells, nsyn):
    ph = r["phases"]
    syn_cpu = ph["synapses"][1] - ph.get("scan_cpu", 0.0)
    print("  %-16s cells %6.2f s cpu (%8.0f cells/s) | synapses %6.2f s cpu (%9.0f syn/s)%s" % (
        name, ph["cells"][1], rate(ncells, ph["cells"][1]), syn_cpu, rate(nsyn, syn_cpu),
        " [edge index]" if ph.get("indexed") else "" if "scan_cpu" not in ph else
        " [+%.2f s nd_reference scan excluded]" % ph["scan_cpu"]))
    print("  %-16s build %6.2f s cpu %6.2f s wall | sim %7.2f s cpu %7.2f s wall | "
          "total %7.2f s cpu %7.2f s wall | peak RSS %7.1f MB | load %.1f | %d spikes" % (
              "", ph["build"][1] - ph.get("scan_cpu", 0.0), ph["build"][0], ph["sim"][1],
              ph["sim"][0], ph["total"][1], ph["total"][0], r["rss_mb"], r["load"],
              len(r["spikes"])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ranvier", default=os.path.join(ROOT, "build", "src", "cli", "ranvier"))
    ap.add_argument("-N", "--cells", type=int, nargs="+", default=[200, 1000])
    ap.add_argument("--syn-per-cell", type=int, default=150)
    ap.add_argument("--input-syn-per-cell", type=int, default=50)
    ap.add_argument("--tstop", type=float, default=150.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--np", type=int, default=1, help="also run ranvier on NP MPI processes")
    ap.add_argument("--mpiexec", default="mpiexec")
    ap.add_argument("--skip-neuron", action="store_true")
    ap.add_argument("--gen-flag", action="append", default=[],
                    help="extra flag for tools/gen_bbp_circuit.py (repeatable)")
    ap.add_argument("--workdir", help="keep circuits and outputs there")
    ap.add_argument("--json", help="save every measurement")
    ap.add_argument("--neuron-child", nargs=3, metavar=("CONFIG", "LIB", "OUT"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.dont_write_bytecode = True  # nothing written into the source tree
    if args.neuron_child:
        return neuron_child(*args.neuron_child)
    if not os.path.exists(args.ranvier):
        sys.exit("no ranvier binary at %s (pass --ranvier)" % args.ranvier)
    work = args.workdir or tempfile.mkdtemp(prefix="bbp_bench.")
    os.makedirs(work, exist_ok=True)
    print("ranvier %s; %d CPUs; NEURON %s; CPU time = user+sys of the process tree" % (
        args.ranvier, os.cpu_count(), "skipped" if args.skip_neuron else "via " + PY))

    def gen(n, d, tstop):
        if os.path.exists(d):
            shutil.rmtree(d)
        cmd = [PY, os.path.join(ROOT, "tools", "gen_bbp_circuit.py"), d, "--cells", str(n),
               "--seed", str(args.seed), "--ais", "--no-report", "--syn-per-cell",
               str(args.syn_per_cell), "--input-syn-per-cell", str(args.input_syn_per_cell),
               "--tstop", str(tstop)] + [f for f in args.gen_flag if f]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("gen_bbp_circuit failed:\n" + r.stdout + r.stderr)
        return os.path.join(d, "simulation_config.json")

    # warm-up: ranvier compiles the circuit's mechanisms into its cache once
    wcfg = gen(10, os.path.join(work, "warmup"), 50.0)
    run_ranvier(args, wcfg, os.path.join(work, "warmup-out"), 1)

    results, status = [], 0
    for n in args.cells:
        d = os.path.join(work, "c%d" % n)
        t0 = time.perf_counter()
        cfg = gen(n, d, args.tstop)
        print("\nN=%d cells, %d+%d synapses/cell requested, tstop %g ms (generated in %.1f s)" % (
            n, args.syn_per_cell, args.input_syn_per_cell, args.tstop, time.perf_counter() - t0))
        runs = {}
        runs["ranvier"] = run_ranvier(args, cfg, os.path.join(work, "out%d-1" % n), 1)
        nsyn = runs["ranvier"]["n_syn"]
        if args.np > 1:
            runs["ranvier np=%d" % args.np] = run_ranvier(
                args, cfg, os.path.join(work, "out%d-%d" % (n, args.np)), args.np)
        if not args.skip_neuron:
            lib = neuron_lib(d, work)
            runs["NEURON"] = run_neuron(cfg, lib, work)
            if runs["NEURON"]["n_syn"] != nsyn:
                print("  synapse counts differ: NEURON %d, ranvier %d" % (
                    runs["NEURON"]["n_syn"], nsyn))
                status = max(status, 1)
        for k, r in runs.items():
            report_row(k, r, n, nsyn)
        ref_name = "NEURON" if "NEURON" in runs else "ranvier"
        ref = runs[ref_name]
        for k, r in runs.items():
            if k == ref_name:
                continue
            ok, dt, bits = same_raster(ref["spikes"], r["spikes"])
            print("  spikes %s vs %s: %d vs %d, max |dt| %.3g ms -> %s" % (
                k, ref_name, len(r["spikes"]), len(ref["spikes"]), dt,
                ("IDENTICAL" + (" (bit for bit)" if bits else "")) if ok else "DIFFER"))
            if not ok:
                status = max(status, 1)
        if "NEURON" in runs:
            a, b = runs["NEURON"]["phases"], runs["ranvier"]["phases"]
            nb = a["build"][1] - a["scan_cpu"]
            print("  NEURON/ranvier CPU: build %.1fx (cells %.1fx, synapses %.1fx), "
                  "simulation %.2fx, peak RSS %.1fx  [aims: build >= 10x, simulation >= 2x]" % (
                      nb / b["build"][1], a["cells"][1] / b["cells"][1],
                      (a["synapses"][1] - a["scan_cpu"]) / b["synapses"][1],
                      a["sim"][1] / b["sim"][1],
                      runs["NEURON"]["rss_mb"] / runs["ranvier"]["rss_mb"]))
        for r in runs.values():
            r["n_spikes"] = len(r.pop("spikes"))
        results.append({"cells": n, "synapses": nsyn, "runs": runs})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "results": results}, f, indent=1)
    return status


if __name__ == "__main__":
    sys.exit(main())
