#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`ranvier run` on a generated 50-cell Blue Brain style circuit against NEURON.

Usage: bbp50_test.py --ranvier BIN --work DIR [--cells 50] [--seed 50]
                     [--np 2 --mpiexec MPIEXEC] [--gen-flag FLAG]... [--gap-range-vgap]

1. tools/gen_bbp_circuit.py writes the circuit into DIR/circuit (three
   emodels of ours incl. a NeededAttributes one, ASC morphologies, chemical
   synapses of both kinds, minis, replay from a virtual population, pulse
   and noise inputs, a soma report); --gen-flag passes more flags
   (e.g. --gap-junctions, --extra-inputs).
2. nd_reference.py builds the same circuit in NEURON (the circuit's .mod
   files plus VecStim, MembraneCurrentSource, ConductanceSource, Gap of
   mechanisms/, compiled by nrnivmodl) as neurodamus would.
3. `ranvier run` on 1 rank and, with --np 2, on 2 MPI ranks.
Passes when spike rasters are identical (same gids, times equal to 1e-9 ms),
soma voltages agree within 1e-6 mV at every step, the soma report equals
NEURON's soma voltage at the frame times (float32), populations_offset.dat
holds neurodamus's offsets and the SUCCESS marker exists."""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
sys.path.insert(0, os.path.join(ROOT, "tests", "driver"))
import ranvier_outputs  # noqa: E402

TOL_V = 1e-6
TOL_T = 1e-9


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.stdout.write(r.stdout)
        sys.stderr.write(r.stderr)
        raise SystemExit("FAIL: %s exited with %d" % (os.path.basename(cmd[0]) if len(cmd) < 2
                                                      else " ".join(cmd[:2]), r.returncode))
    return r


def run_ranvier(args, cfg, outdir, nprocs):
    cmd = [args.ranvier, "run", cfg, "--output-dir", outdir,
           "--record-soma", os.path.join(outdir, "soma"), "-v"]
    if nprocs > 1:
        cmd = [args.mpiexec, "-n", str(nprocs), "--oversubscribe"] + cmd + ["--mpi"]
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               RANVIER_MECHANISMS_DIR=os.path.join(ROOT, "mechanisms"))
    r = sh(cmd, env=env)
    sys.stdout.write(r.stdout)
    return ranvier_outputs.read(outdir, nprocs)


def compare(name, ref, got):
    ok = True
    rs, gs = sorted((g, t) for t, g in ref["spikes"]), sorted((g, t) for t, g in got["spikes"])
    dtm = 0.0
    if len(rs) == len(gs) and all(a[0] == b[0] for a, b in zip(rs, gs)):
        dtm = max([abs(a[1] - b[1]) for a, b in zip(rs, gs)] or [0.0])
        ok = dtm <= TOL_T
    else:
        ok = False
        dtm = float("nan")
    print("%s: spikes NEURON %d, ranvier %d, max |dt| %.3g ms%s" %
          (name, len(rs), len(gs), dtm, "" if ok else "  <- rasters differ"))
    if not ok:
        print("  only NEURON :", sorted(set(rs) - set(gs))[:20])
        print("  only ranvier:", sorted(set(gs) - set(rs))[:20])
    dv, worst = 0.0, None
    for g, v in ref["soma"].items():
        w = got["soma"].get(g)
        if w is None or len(w) != len(v):
            print("%s: gid %s soma trace missing or of length %s (NEURON %d)" %
                  (name, g, None if w is None else len(w), len(v)))
            ok = False
            continue
        d = max(abs(a - b) for a, b in zip(v, w))
        if d > dv:
            dv, worst = d, g
    if set(got["soma"]) - set(ref["soma"]):
        print("%s: ranvier recorded cells NEURON does not have" % name)
        ok = False
    print("%s: soma v of %d cells x %d steps: max |dV| = %.3g mV (gid %s; tolerance %g)" %
          (name, len(ref["soma"]), len(next(iter(ref["soma"].values()))), dv, worst, TOL_V))
    ok = ok and dv <= TOL_V
    want = ["%s::%d::%s" % (p, ref["offsets"][p], p) for p in sorted(ref["offsets"])
            if ref["pops"][p] != "virtual"]
    want += ["%s::%d::virtual" % (p, ref["offsets"][p]) for p in sorted(ref["offsets"])
             if ref["pops"][p] == "virtual"]
    if sorted(got["offset_lines"]) != sorted(want):
        print("%s: populations_offset.dat %s, expected %s" % (name, got["offset_lines"], want))
        ok = False
    return ok


def check_report(name, cfg, ref, outdir):
    """compartment report of soma v: frames = NEURON's soma v at the frame times"""
    import h5py
    import numpy as np
    ok, worst, n = True, 0.0, 0
    dt, tstop = cfg["run"]["dt"], cfg["run"]["tstop"]
    for rname, rc in cfg.get("reports", {}).items():
        if rc.get("type", "compartment") != "compartment" or rc.get("variable_name") != "v" or \
                rc.get("sections", "soma") != "soma":
            continue
        dtr, t0 = rc["dt"], rc.get("start_time", 0.0)
        t1 = min(rc.get("end_time", tstop), tstop)
        period = int(dtr / dt + 1e-9)
        nfr = int(np.ceil((t1 - round(t0 / dtr) * dtr) / dtr - 1e-9))
        first = int(round(t0 / dt))
        with h5py.File(os.path.join(outdir, rname + ".h5")) as f:
            for pop in f["report"]:
                g = f["report"][pop]
                data = g["data"][:]
                nodes = g["mapping"]["node_ids"][:]
                if data.shape[0] != nfr:
                    print("%s: report %s has %d frames, expected %d" % (name, rname,
                                                                         data.shape[0], nfr))
                    ok = False
                    continue
                for ci, node in enumerate(nodes):
                    v = np.array(ref["soma"][str(int(node) + ref["offsets"][pop])])
                    want = v[first + period * np.arange(nfr)].astype(np.float32)
                    d = np.abs(want.astype(np.float64) - data[:, ci].astype(np.float64))
                    worst = max(worst, float(d.max()))
                    n += 1
                    if np.any(d > np.spacing(np.abs(want)).astype(np.float64)):
                        ok = False
    print("%s: soma report, %d cells: max |diff| vs NEURON %.3g mV (float32) %s" %
          (name, n, worst, "" if ok and n else "<- WRONG"))
    return ok and n > 0


def check_runs(args, cfgpath, ref, label, more=None):
    """ranvier on 1 and args.np ranks (outputs in args.work/out<n>) against
    the NEURON result ref: compare(), more(name, outdir) when given, and the
    .SUCCESS file written.  True when all hold."""
    ok = True
    success = cfgpath + ".SUCCESS"
    for nprocs in sorted({1, args.np}):
        if os.path.exists(success):
            os.remove(success)
        out = os.path.join(args.work, "out%d" % nprocs)
        got = run_ranvier(args, cfgpath, out, nprocs)
        name = "%s, %d rank%s" % (label, nprocs, "" if nprocs == 1 else "s")
        ok = compare(name, ref, got) and ok
        if more:
            ok = more(name, out) and ok
        if not os.path.exists(success):
            print("%s: %s was not written" % (name, success))
            ok = False
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranvier", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cells", type=int, default=50)
    ap.add_argument("--seed", type=int, default=50)
    ap.add_argument("--np", type=int, default=1)
    ap.add_argument("--mpiexec", default="mpiexec")
    ap.add_argument("--gen-flag", action="append", default=[])
    ap.add_argument("--gap-range-vgap", action="store_true",
                    help="put into the circuit's mechanisms a Gap.mod whose vgap is a RANGE "
                    "variable (neurodamus' style) instead of our POINTER")
    ap.add_argument("--copy", help="instead of generating, copy this circuit folder (its "
                    "simulation_config.json; e.g. examples/bbp-mini)")
    args = ap.parse_args()
    import oracle
    os.makedirs(args.work, exist_ok=True)
    circ = os.path.join(args.work, "circuit")
    if os.path.exists(circ):
        shutil.rmtree(circ)
    flags = [f for f in args.gen_flag if f]
    if args.copy:
        shutil.copytree(args.copy, circ)
    else:
        r = sh(["/usr/bin/python3", os.path.join(ROOT, "tools", "gen_bbp_circuit.py"), circ,
                "--cells", str(args.cells), "--seed", str(args.seed), "--ais"] + flags)
        sys.stdout.write(r.stdout)
    cfgpath = os.path.join(circ, "simulation_config.json")
    cfg = json.load(open(cfgpath))
    if args.gap_range_vgap:
        src = open(os.path.join(ROOT, "mechanisms", "Gap.mod")).read()
        if "    POINTER vgap\n" not in src:
            raise SystemExit("FAIL: mechanisms/Gap.mod has no 'POINTER vgap' line to turn "
                             "into a RANGE")
        with open(os.path.join(circ, "mechanisms", "Gap.mod"), "w") as f:
            f.write(src.replace("    POINTER vgap\n", "    RANGE vgap\n"))
    # NEURON: the circuit's mechanisms and the ones neurodamus ships
    moddir, builddir = os.path.join(args.work, "mods"), os.path.join(args.work, "nrnmech")
    for dd in (moddir, builddir):
        if os.path.exists(dd):
            shutil.rmtree(dd)
        os.makedirs(dd)
    for fn in os.listdir(os.path.join(circ, "mechanisms")):
        shutil.copy(os.path.join(circ, "mechanisms", fn), moddir)
    for fn in ["VecStim.mod", "MembraneCurrentSource.mod", "ConductanceSource.mod", "Gap.mod"]:
        if not os.path.exists(os.path.join(moddir, fn)):  # the circuit's own first
            shutil.copy(os.path.join(ROOT, "mechanisms", fn), moddir)
    lib = oracle.compile_mods(moddir, builddir)
    refpath = os.path.join(args.work, "neuron.json")
    r = sh(["/usr/bin/python3", os.path.join(HERE, "nd_reference.py"), cfgpath, "--lib", lib,
            "--out", refpath], env=dict(os.environ, NEURON_MODULE_OPTIONS="-nogui"))
    sys.stdout.write(r.stdout)
    ref = json.load(open(refpath))
    ok = True
    if len(ref["spikes"]) < 10 or len({g for _, g in ref["spikes"]}) < 5:
        print("FAIL: the network hardly spikes (%d spikes): the test would prove little" %
              len(ref["spikes"]))
        ok = False
    ok = check_runs(args, cfgpath, ref, "%d cells" % len(ref["soma"]),
                    lambda name, out: check_report(name, cfg, ref, out)) and ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
