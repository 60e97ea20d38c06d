#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""ranvier vs NEURON benchmark on the network of bench/network.py.

For each N: writes the model, runs ranvier (rvsim) and NEURON
(bench/neuron_bench.py, cache_efficient(1)) one process each, measures wall
time and peak RSS (/usr/bin/time %M, a fresh process per run), checks that
the spike rasters (sorted (t, gid), NetStim gids included) are identical bit
for bit, and prints a table.  With --np P (P >= 2) also runs rvsim_mpi under
mpiexec on P processes and checks its raster against the 1-process run.
Exit status 1 if any raster differs (2 on a failed run).

  bench/run_bench.py --build /tmp/bench-build -N 100 1000 [--np 2] [--skip-neuron]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import network  # noqa: E402

MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}


def write_model(path, lines, tstop=None):
    if tstop is not None:
        lines = ["tstop %g" % tstop if ln.startswith("tstop ") else ln for ln in lines]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def timed(cmd, env=None, pin=None):
    """Run cmd in a fresh process under /usr/bin/time; return (wall seconds,
    peak RSS in MB, stdout).  Peak RSS is %M: for mpiexec, the largest of
    mpiexec and its ranks."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", tf.name]
        if pin is not None:
            full += ["taskset", "-c", str(pin)]
        full += cmd
        e = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui")
        if env:
            e.update(env)
        t0 = time.perf_counter()
        r = subprocess.run(full, capture_output=True, text=True, env=e)
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            sys.stderr.write("command failed (%d): %s\n%s\n%s\n" %
                             (r.returncode, " ".join(cmd), r.stdout[-3000:], r.stderr[-3000:]))
            sys.exit(2)
        _, kb = tf.read().split()[-2:]
    return wall, int(kb) / 1024.0, r.stdout


def read_spikes(path):
    """Spike raster of an rvsim (or neuron_bench.py) output file: sorted
    (t, gid), t parsed from %.17g (exact)."""
    sp = []
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        t = lines[i].split()
        i += 1
        if not t:
            continue
        if t[0] == "rec":
            i += int(t[2])
        elif t[0] == "spikes":
            n = int(t[1])
            for ln in lines[i:i + n]:
                a, b = ln.split()
                sp.append((float(a), int(b)))
            i += n
    return sorted(sp)


def first_diff(a, b, tstop=None):
    """Describe how rasters a (ranvier) and b differ."""
    sa, sb = set(a), set(b)
    msg = "%d vs %d spikes, %d only in the first, %d only in the second" % (
        len(a), len(b), len(sa - sb), len(sb - sa))
    for k, (x, y) in enumerate(zip(a, b)):
        if x != y:
            msg += "; first difference at spike %d: %r vs %r" % (k, x, y)
            break
    if tstop is not None:
        ca = [s for s in a if s[0] <= tstop]
        cb = [s for s in b if s[0] <= tstop]
        if ca == cb:
            late = sorted((sa ^ sb))
            msg += ("; identical for t <= tstop, they differ only after tstop: %s" %
                    ", ".join("(%.17g, %d)" % s for s in late[:6]))
    return msg


def best(runs):
    """min wall over repeats; RSS of the same repeat (they agree anyway)."""
    return min(runs, key=lambda r: r[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="CMake build directory")
    ap.add_argument("-N", type=int, nargs="+", default=[100], help="network sizes")
    ap.add_argument("--np", type=int, default=0, help="also run rvsim_mpi on NP processes")
    ap.add_argument("--skip-neuron", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tstop", type=float, default=1000.0)
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement, min time kept")
    ap.add_argument("--pin", type=int, default=None, metavar="CPU",
                    help="pin serial runs to this CPU with taskset")
    ap.add_argument("--fadvance", action="store_true",
                    help="NEURON: the oracle's h.fadvance() loop instead of pc.psolve")
    ap.add_argument("--workdir", default=None, help="keep model and output files here")
    ap.add_argument("--json", default=None, help="write all measurements to this file")
    a = ap.parse_args()

    rvsim = os.path.join(a.build, "tests", "oracle", "rvsim")
    rvsim_mpi = os.path.join(a.build, "tests", "oracle", "rvsim_mpi")
    for exe in [rvsim] + ([rvsim_mpi] if a.np >= 2 else []):
        if not os.access(exe, os.X_OK):
            sys.exit("missing %s: build the project first" % exe)
    mpiexec = shutil.which("mpiexec") or "mpiexec"
    work = a.workdir or tempfile.mkdtemp(prefix="rvbench.")
    os.makedirs(work, exist_ok=True)
    nb = os.path.join(HERE, "neuron_bench.py")

    ok = True
    results = []
    for n in a.N:
        res = {"N": n, "compartments": network.compartments(n)}
        lines = network.build(n, a.seed, a.tstop)
        model = os.path.join(work, "net%d.txt" % n)
        model0 = os.path.join(work, "net%d_setup.txt" % n)
        write_model(model, lines)
        write_model(model0, lines, tstop=0)
        res["model_lines"] = len(lines)
        print("N=%d: %d cells, %d compartments, %d model lines, %s" %
              (n, n, res["compartments"], len(lines), model), flush=True)

        # ranvier, 1 process: whole run, and setup only (tstop 0)
        rout = os.path.join(work, "net%d.rv.out" % n)
        w, m, _ = best([timed([rvsim, model, rout], pin=a.pin) for _ in range(a.repeat)])
        ws, ms, _ = best([timed([rvsim, model0, rout + ".setup"], pin=a.pin)
                          for _ in range(a.repeat)])
        rsp = read_spikes(rout)
        res.update(rv_wall=w, rv_rss=m, rv_setup=ws, rv_setup_rss=ms, rv_run=w - ws,
                   spikes=len(rsp), cell_spikes=sum(1 for s in rsp if s[1] < network.DRIVE))
        print("  ranvier: %.2f s wall (setup %.2f s, run %.2f s), peak %.1f MB; "
              "%d spikes (%d from cells, %.1f Hz/cell)" %
              (w, ws, w - ws, m, len(rsp), res["cell_spikes"],
               res["cell_spikes"] / n / (a.tstop / 1000.0)), flush=True)

        if not a.skip_neuron:
            nout = os.path.join(work, "net%d.nrn.out" % n)
            cmd = ["/usr/bin/python3", nb, model, nout] + (["--fadvance"] if a.fadvance else [])
            runs = []
            for _ in range(a.repeat):
                w, m, out = timed(cmd, pin=a.pin)
                runs.append((w, m, json.loads(out.strip().split("\n")[-1])))
            w, m, info = best(runs)
            nsp = read_spikes(nout)
            same = nsp == rsp
            ok &= same
            res.update(nrn_wall=w, nrn_rss=m, nrn_import=info["import_s"],
                       nrn_build=info["build_s"], nrn_init=info["init_s"], nrn_run=info["run_s"],
                       nrn_rss_import=info["rss_import_mb"], nrn_spikes=len(nsp),
                       spikes_identical=same)
            print("  NEURON:  %.2f s wall (import %.2f s, build %.2f s, finitialize %.2f s, "
                  "run %.2f s), peak %.1f MB (%.1f MB after import); %d spikes" %
                  (w, info["import_s"], info["build_s"], info["init_s"], info["run_s"], m,
                   info["rss_import_mb"], len(nsp)), flush=True)
            print("  spikes ranvier vs NEURON: %s" %
                  ("identical" if same else "DIFFERENT: " + first_diff(rsp, nsp, a.tstop)),
                  flush=True)

        if a.np >= 2:
            mout = os.path.join(work, "net%d.mpi.out" % n)
            base = [mpiexec, "--oversubscribe", "--allow-run-as-root", "-np", str(a.np), rvsim_mpi]
            w, m, _ = best([timed(base + [model, mout], env=MPI_ENV) for _ in range(a.repeat)])
            ws, _, _ = best([timed(base + [model0, mout + ".setup"], env=MPI_ENV)
                             for _ in range(a.repeat)])
            msp = sorted(s for k in range(a.np) for s in read_spikes("%s.%d" % (mout, k)))
            same = msp == rsp
            ok &= same
            res.update(mpi_np=a.np, mpi_wall=w, mpi_rss=m, mpi_setup=ws, mpi_run=w - ws,
                       mpi_identical=same)
            print("  ranvier np=%d: %.2f s wall (setup %.2f s, run %.2f s), max RSS of one "
                  "process %.1f MB; speedup vs 1 process %.2fx wall, %.2fx run" %
                  (a.np, w, ws, w - ws, m, res["rv_wall"] / w, res["rv_run"] / max(w - ws, 1e-9)),
                  flush=True)
            print("  spikes np=%d vs 1 process: %s" %
                  (a.np, "identical" if same else "DIFFERENT: " + first_diff(rsp, msp, a.tstop)),
                  flush=True)
        results.append(res)

    print()
    hdr = ("%6s %7s %7s %7s | %8s %8s | %8s %8s | %6s %6s | %7s %7s %6s | %s"
           % ("N", "comps", "cellsp", "allsp", "rv wall", "rv run", "nrn wall", "nrn run",
              "x wall", "x run", "rv MB", "nrn MB", "x mem", "raster"))
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        if "nrn_wall" in r:
            cols = ("%8.2f %8.2f | %6.2f %6.2f | %7.1f %7.1f %6.2f" %
                    (r["nrn_wall"], r["nrn_run"], r["nrn_wall"] / r["rv_wall"],
                     r["nrn_run"] / max(r["rv_run"], 1e-9), r["rv_rss"], r["nrn_rss"],
                     r["nrn_rss"] / r["rv_rss"]))
            cols += " | " + ("identical" if r["spikes_identical"] else
                             "DIFFERENT (NEURON %d)" % r["nrn_spikes"])
        else:
            cols = ("%8s %8s | %6s %6s | %7.1f %7s %6s | -" %
                    ("-", "-", "-", "-", r["rv_rss"], "-", "-"))
        print("%6d %7d %7d %7d | %8.2f %8.2f | %s" %
              (r["N"], r["compartments"], r["cell_spikes"], r["spikes"], r["rv_wall"], r["rv_run"],
               cols))
    print("comps: compartments; cellsp: spikes of cells (allsp: + NetStim drive events);")
    print("rv wall: rvsim process wall time; rv run: rv wall - wall of the same model with tstop 0;")
    print("nrn wall: NEURON process wall time (python, import, build, run);")
    print("nrn run: NEURON pc.psolve time only; x wall, x run: NEURON / ranvier;")
    print("MB: peak RSS of the process; x mem: NEURON / ranvier.")
    if any("nrn_wall" in r for r in results):
        print("NEURON setup detail (s): " + ", ".join(
            "N=%d import %.2f build %.2f finitialize %.2f (RSS after import %.1f MB)" %
            (r["N"], r["nrn_import"], r["nrn_build"], r["nrn_init"], r["nrn_rss_import"])
            for r in results if "nrn_wall" in r))
        print("ranvier setup (tstop 0 run, s): " + ", ".join(
            "N=%d %.2f" % (r["N"], r["rv_setup"]) for r in results))
    if a.np >= 2:
        print()
        print("%6s %4s | %8s %8s | %8s %8s | %7s %7s | %s" %
              ("N", "np", "1p wall", "1p run", "np wall", "np run", "x wall", "x run", "spikes"))
        for r in results:
            print("%6d %4d | %8.2f %8.2f | %8.2f %8.2f | %7.2f %7.2f | %s" %
                  (r["N"], r["mpi_np"], r["rv_wall"], r["rv_run"], r["mpi_wall"], r["mpi_run"],
                   r["rv_wall"] / r["mpi_wall"], r["rv_run"] / max(r["mpi_run"], 1e-9),
                   "identical" if r["mpi_identical"] else "DIFFERENT"))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    print()
    print("spike rasters: %s" % ("all identical" if ok else "DIFFERENCES (FAIL)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
