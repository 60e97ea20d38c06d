#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Built-in vs run-time compiled mechanisms on the network of bench/network.py.

Runs the same model twice in ranvier (tests/nmodl's rvsim_nmodl, one fresh
process per run): with the engine's built-in hh, pas and ExpSyn, and with
mechanisms/hh.mod, pas.mod and ExpSyn.mod compiled by ranvier's NMODL
compiler at run time loaded in their place (`mechlib`).  The built-ins are
themselves those .mod files compiled at build time, unless the build was
configured with -DRV_HANDWRITTEN_BUILTINS=ON (src/engine/mech_builtin.c's
hand-written C): use such a build to compare generated with hand-written
code.  The compile cache is warmed
first (not timed).  Checks that both spike rasters are identical bit for
bit and prints the run-time ratio compiled / built-in (run = CPU time of
the process, user + system, minus that of a tstop 0 setup run; best of
--repeat runs, the two variants alternating; CPU time rather than wall
because the development machine is shared).  Not a test.

  bench/mech_bench.py --build BUILD [-N 100] [--tstop 1000] [--repeat 3] [--pin CPU]
                      [--mods hh,pas,ExpSyn | --mechlib LIB ...] [--workdir DIR] [--json FILE]
"""
import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import network  # noqa: E402
import run_bench  # noqa: E402

MECHS = os.path.join(HERE, "..", "mechanisms")


def cpu_time(cmd, env, pin):
    """Run cmd; return (wall s, user + system CPU s of the process)."""
    import subprocess
    import time
    full = (["taskset", "-c", str(pin)] if pin is not None else []) + cmd
    t0 = time.perf_counter()
    p = subprocess.Popen(full, env=dict(os.environ, **env), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if status != 0:
        sys.stderr.write("command failed: %s\n%s\n" % (" ".join(full), err[-3000:]))
        sys.exit(2)
    return wall, ru.ru_utime + ru.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="CMake build directory")
    ap.add_argument("-N", type=int, default=100, help="network size")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tstop", type=float, default=1000.0)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement, min kept")
    ap.add_argument("--pin", type=int, default=None, metavar="CPU")
    ap.add_argument("--mods", default="hh,pas,ExpSyn", help="mechanisms/*.mod to compile")
    ap.add_argument("--mechlib", action="append", default=[], metavar="LIB",
                    help="load these prebuilt libraries (rvsim mechlib lines) instead of "
                         "compiling --mods; repeatable")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()

    rvsim = os.path.join(a.build, "tests", "nmodl", "rvsim_nmodl")
    if not os.access(rvsim, os.X_OK):
        sys.exit("missing %s: build the project first" % rvsim)
    work = a.workdir or tempfile.mkdtemp(prefix="rvmechbench.")
    os.makedirs(work, exist_ok=True)
    moddir = os.path.join(work, "mod")
    os.makedirs(moddir, exist_ok=True)
    for name in a.mods.split(","):
        with open(os.path.join(MECHS, name + ".mod")) as f, \
                open(os.path.join(moddir, name + ".mod"), "w") as g:
            g.write(f.read())
    env = {"XDG_CACHE_HOME": os.path.join(work, "cache")}

    lines = network.build(a.N, a.seed, a.tstop)
    res = {"N": a.N, "tstop": a.tstop, "mods": a.mods}
    rasters, files = {}, {}
    mechlines = ["mechlib " + x for x in a.mechlib] or ["mechlib " + moddir]
    labels = (("builtin", []), ("compiled", mechlines))
    for label, extra in labels:
        model = os.path.join(work, "net_%s.txt" % label)
        model0 = os.path.join(work, "net_%s_setup.txt" % label)
        run_bench.write_model(model, extra + lines)
        run_bench.write_model(model0, extra + lines, tstop=0)
        out = os.path.join(work, "net_%s.out" % label)
        run_bench.timed([rvsim, model0, out + ".warm"], env=env)  # compile cache
        files[label] = (model, model0, out)
        res[label] = {"cpu": [], "wall": [], "setup_cpu": []}
    # alternate the two, so that a change of machine load hits both alike
    for _ in range(a.repeat):
        for label, _x in labels:
            model, model0, out = files[label]
            w, cpu = cpu_time([rvsim, model, out], env, a.pin)
            res[label]["wall"].append(w)
            res[label]["cpu"].append(cpu)
            res[label]["setup_cpu"].append(cpu_time([rvsim, model0, out + ".setup"], env,
                                                    a.pin)[1])
    for label, _x in labels:
        r = res[label]
        rasters[label] = run_bench.read_spikes(files[label][2])
        r["run"] = min(r["cpu"]) - min(r["setup_cpu"])
        print("%-9s run %.2f s CPU (best of %s; setup %.2f s), wall %s, %d spikes" %
              (label + ":", r["run"], " ".join("%.2f" % c for c in r["cpu"]),
               min(r["setup_cpu"]), " ".join("%.2f" % c for c in r["wall"]),
               len(rasters[label])), flush=True)
    same = rasters["builtin"] == rasters["compiled"]
    res["ratio_run"] = res["compiled"]["run"] / res["builtin"]["run"]
    res["ratio_wall"] = min(res["compiled"]["wall"]) / min(res["builtin"]["wall"])
    res["spikes_identical"] = same
    print("ratio compiled/built-in: run CPU %.3f, best wall %.3f; spikes %s" %
          (res["ratio_run"], res["ratio_wall"],
           "identical" if same else "DIFFERENT: " +
           run_bench.first_diff(rasters["compiled"], rasters["builtin"])))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
