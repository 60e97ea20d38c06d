#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""LFP (electrode) reports of `ranvier run` on the Blue Brain ring test circuit.

Usage: lfp_test.py CASE --ranvier BIN --shared DATA --work DIR [--mpiexec M --np N]

The circuit is prepared as tests/driver/bbp/ring_oracle.py does (our TestCell
template, our mechanisms/bbp), with the inputs of neurodamus's own LFP tests
(ringtest base config: Mosaic, dt 0.1, tstop 50, celsius 35, v_init -65; a
physical-electrode pulse on RingA: delay 1, 10 nA, width 1 ms, 50 Hz).
CASE:
  reference  lfp reports of RingA with lfp_3elec_ringA.h5 and of RingA_Cell0
             with lfp_2elec_ringA_cell0.h5 (report electrodes_file, no
             variable_name, as neurodamus's tests write them) against
             neurodamus's own outputs reference/lfp_reports/lfp_single_{A,B}.h5
             (mapping identical; data within TOL_REF of the largest value)
  neuron     the same network built live in NEURON (ring_oracle.run_neuron,
             i_membrane_ of every segment recorded with fast_imem) and the LFP
             computed from it here by the rules of lfp.h: compartments in
             the order somatic, axonal, basal, apical; sum of i_membrane_ x
             factor; CoreNEURON's timing (computed at steps k > 0, k % period
             == 0); three reports: lfp_file.h5 on Mosaic (RingA and RingB,
             run.electrodes_file), lfp_3elec_ringA.h5 on RingA with dt 0.4
             and start 0.2 ms (frames at steps 2, 6, 10 ... take the sums of
             steps 0 (none), 4, 8 ...: CoreNEURON's lag), and lfp_2elec_ringA_cell0.h5 on RingA_Cell0;
             on 1 rank and (with MPI) 2 ranks; float32 rounding tolerance
  reader     the reader alone (lfp_read): every node of the three shared
             electrodes files against h5py (exact), its errors, and every
             allocation failing in turn (RV_ENOMEM)
  bad        electrodes files ranvier must refuse (no electrodes group, a
             missing population, a cell not in node_ids, offsets of the wrong
             length, 1-D scaling factors, a row count other than the cell's
             segment count, a missing file, no electrodes file at all): a
             non-zero exit, a message naming the file/dataset or key, no
             report, no spikes and no SUCCESS marker
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "driver", "bbp"))
import ring_oracle  # noqa: E402  (prepare; its 'neuron' mode builds the NEURON model)

TOL_REF = 1e-5   # relative to the largest |value| of the reference report
NRN_LIB = None
TOL_F32 = 2.0    # float32 ulps of the expected value (plus 1e-12 absolute)

PULSE = {"module": "pulse", "input_type": "current_clamp", "delay": 1, "duration": 50,
         "node_set": "RingA", "represents_physical_electrode": True, "amp_start": 10,
         "width": 1, "frequency": 50}


def make_config(circ, name, reports, extra_run=None):
    with open(os.path.join(circ, "simulation_config_reference_reports.json")) as f:
        cfg = json.load(f)
    cfg["reports"] = reports
    cfg["inputs"] = {"stimulus_pulse": dict(PULSE)}
    cfg["output"] = {"output_dir": "output_" + name}
    cfg.pop("compartment_sets_file", None)
    if extra_run:
        cfg["run"].update(extra_run)
    path = os.path.join(circ, "sim_lfp_%s.json" % name)
    with open(path, "w") as f:
        json.dump(cfg, f, indent=1)
    return path, cfg


def read_report(path):
    import h5py
    out = {}
    with h5py.File(path) as f:
        for pop in f["report"]:
            g = f["report"][pop]
            m = g["mapping"]
            out[pop] = {"data": g["data"][:], "units": g["data"].attrs.get("units"),
                        "node_ids": [int(x) for x in m["node_ids"][:]],
                        "element_ids": [int(x) for x in m["element_ids"][:]],
                        "index_pointers": [int(x) for x in m["index_pointers"][:]],
                        "time": [float(x) for x in m["time"][:]]}
    return out


def units(u):
    return u.decode() if isinstance(u, bytes) else str(u)


def run_ranvier(args, cfgpath, outdir, nprocs):
    """ranvier run (on nprocs MPI ranks); returns the spikes as [time, gid]."""
    return ring_oracle.run_ranvier(args, cfgpath, outdir, nprocs,
                                   os.path.join(ROOT, "mechanisms", "bbp"), soma=False)["spikes"]


# ---- (a) neurodamus's reference outputs ------------------------------------------------

def case_reference(args, circ):
    import numpy as np
    reports = {
        "lfp_report_A": {"type": "lfp", "cells": "RingA", "electrodes_file": "lfp_3elec_ringA.h5",
                         "dt": 0.1, "start_time": 0.0, "end_time": 2.0},
        "lfp_report_B": {"type": "lfp", "cells": "RingA_Cell0",
                         "electrodes_file": "lfp_2elec_ringA_cell0.h5",
                         "dt": 0.1, "start_time": 0.0, "end_time": 2.0}}
    cfgpath, cfg = make_config(circ, "reference", reports)
    ok = True
    for nprocs in sorted({1, args.np}):
        outdir = os.path.join(args.work, "ref%d" % nprocs)
        run_ranvier(args, cfgpath, outdir, nprocs)
        for rname, refname in (("lfp_report_A", "lfp_single_A.h5"),
                               ("lfp_report_B", "lfp_single_B.h5")):
            ref = read_report(os.path.join(args.shared, "circuits", "bbp-ringtest", "reference",
                                           "lfp_reports", refname))
            got = read_report(os.path.join(outdir, rname + ".h5"))
            tag = "reference, %d rank%s, %s vs %s" % (nprocs, "" if nprocs == 1 else "s", rname,
                                                      refname)
            if sorted(got) != sorted(ref):
                print("%s: populations %s, expected %s" % (tag, sorted(got), sorted(ref)))
                ok = False
                continue
            for pop in ref:
                r, g = ref[pop], got[pop]
                for k in ("node_ids", "element_ids", "index_pointers", "time"):
                    if r[k] != g[k]:
                        print("%s: %s/%s %s, expected %s" % (tag, pop, k, g[k], r[k]))
                        ok = False
                if units(g["units"]) != units(r["units"]):
                    print("%s: units %s, expected %s" % (tag, g["units"], r["units"]))
                    ok = False
                if r["data"].shape != g["data"].shape:
                    print("%s: data shape %s, expected %s" % (tag, g["data"].shape,
                                                              r["data"].shape))
                    ok = False
                    continue
                a = r["data"].astype(np.float64)
                b = g["data"].astype(np.float64)
                scale = float(np.max(np.abs(a)))
                d = float(np.max(np.abs(a - b)))
                print("%s: %s, %d frames x %d electrodes: max |diff| %.3g (largest |value| "
                      "%.3g, relative %.3g, tolerance %g)" % (tag, pop, a.shape[0], a.shape[1], d,
                                                              scale, d / scale, TOL_REF))
                if not scale > 0 or d > TOL_REF * scale:
                    ok = False
    return ok


# ---- (b) NEURON, live ----------------------------------------------------------------

def expected_lfp(segrec, factors, dt, rc, tstop):
    """Frames of one cell's electrodes from NEURON's per-step i_membrane_."""
    import math
    import numpy as np
    order = {"soma": 0, "axon": 1, "dend": 2, "apic": 3}
    secs = sorted(segrec, key=lambda s: (order[s["name"].split("[")[0]],
                                         int(s["name"].split("[")[1].rstrip("]"))))
    imem = [np.array(sg["imem"]) for s in secs for sg in s["segs"]]
    if len(imem) != factors.shape[0]:
        raise SystemExit("FAIL: %d segments, %d rows" % (len(imem), factors.shape[0]))
    lfp = np.zeros((len(imem[0]), factors.shape[1]))
    for k, im in enumerate(imem):
        lfp += np.outer(im, factors[k])
    dtr, t0 = rc["dt"], rc["start_time"]
    t1 = min(rc["end_time"], tstop)
    period = int(dtr / dt)
    nfr = int(math.ceil((t1 - math.floor(t0 / dtr + 0.5) * dtr) / dtr))  # C round()
    # libsonatareport's due steps; CoreNEURON's last computed sums
    frames, last, step_rec = [], None, t0 / dt
    for k in range(len(imem[0])):
        if k > 0 and k % period == 0:
            last = lfp[k]
        if k >= step_rec and k <= t1 / dt and int(k - step_rec) % period == 0:
            step_rec += period
            if len(frames) < nfr:
                frames.append(last if last is not None else np.zeros(factors.shape[1]))
    while len(frames) < nfr:
        frames.append(np.zeros(factors.shape[1]))
    return np.array(frames)


def neuron_model(args, circ, cfgpath, tag):
    """The network of cfgpath built and run in NEURON by ring_oracle.py."""
    import oracle
    global NRN_LIB
    moddir, builddir = os.path.join(args.work, "mods"), os.path.join(args.work, "nrnmech")
    if NRN_LIB is None:  # compiled once per run of this script
        for dd in (moddir, builddir):
            if os.path.exists(dd):
                shutil.rmtree(dd)
            os.makedirs(dd)
        for fn in ["ProbAMPANMDA_EMS.mod", "ProbGABAAB_EMS.mod", "InhPoissonStim.mod"]:
            shutil.copy(os.path.join(ROOT, "mechanisms", "bbp", fn), moddir)
        for fn in ["MembraneCurrentSource.mod", "VecStim.mod", "TTXDynamicsSwitch.mod"]:
            shutil.copy(os.path.join(ROOT, "mechanisms", fn), moddir)
        NRN_LIB = oracle.compile_mods(moddir, builddir)
    lib = NRN_LIB
    refpath = os.path.join(args.work, "neuron_%s.json" % tag)
    r = subprocess.run(["/usr/bin/python3", ring_oracle.__file__, "neuron", "--circuit", circ,
                        "--config", cfgpath, "--lib", lib, "--out", refpath],
                       capture_output=True, text=True,
                       env=dict(os.environ, NEURON_MODULE_OPTIONS="-nogui"))
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit("FAIL: the NEURON model failed")
    with open(refpath) as f:
        return json.load(f)


def check_neuron(args, circ, cfgpath, cfg, ref, files, tag):
    """Run ranvier on 1 (and N) ranks; every lfp report against NEURON."""
    import h5py
    import numpy as np
    offsets = ref["offsets"]
    nodesets = json.load(open(os.path.join(circ, "nodesets.json")))
    dt, tstop = cfg["run"]["dt"], cfg["run"]["tstop"]
    ok = True
    for nprocs in sorted({1, args.np}):
        outdir = os.path.join(args.work, "%s%d" % (tag, nprocs))
        spikes = run_ranvier(args, cfgpath, outdir, nprocs)
        rs = sorted((round(t, 9), g) for t, g in ref["spikes"])
        gs = sorted((round(t, 9), g) for t, g in spikes)
        print("%s, %d rank(s): spikes NEURON %d, ranvier %d%s" %
              (tag, nprocs, len(rs), len(gs), "" if rs == gs else " (rasters differ)"))
        ok = ok and rs == gs
        for rname, rc in cfg["reports"].items():
            tag2 = "%s, %d rank%s, %s" % (tag, nprocs, "" if nprocs == 1 else "s", rname)
            got = read_report(os.path.join(outdir, rname + ".h5"))
            ns = nodesets[rc["cells"]]
            pops = ns["population"] if isinstance(ns["population"], list) else [ns["population"]]
            if sorted(got) != sorted(pops):
                print("%s: populations %s, expected %s" % (tag2, sorted(got), sorted(pops)))
                ok = False
                continue
            dmax, scale = 0.0, 0.0
            with h5py.File(os.path.join(circ, files[rname])) as ef:
                for pop in pops:
                    g = got[pop]
                    nodes = ns.get("node_id") or \
                        sorted(int(k) - offsets[pop] for k in ref["segrec"]
                               if offsets[pop] <= int(k) < offsets[pop] + 1000)
                    if g["node_ids"] != nodes:
                        print("%s: %s node ids %s, expected %s" % (tag2, pop, g["node_ids"],
                                                                    nodes))
                        ok = False
                        continue
                    if units(g["units"]) != "mV":
                        print("%s: units %s, expected mV" % (tag2, g["units"]))
                        ok = False
                    fids = list(ef[pop]["node_ids"][:])
                    offs = ef[pop]["offsets"][:]
                    sf = ef["electrodes"][pop]["scaling_factors"][:]
                    col = 0
                    for ci, node in enumerate(nodes):
                        i = fids.index(node)
                        fac = sf[offs[i]:offs[i + 1]]
                        ne = fac.shape[1]
                        ip = g["index_pointers"]
                        if ip[ci + 1] - ip[ci] != ne or \
                                g["element_ids"][ip[ci]:ip[ci + 1]] != list(range(ne)):
                            print("%s: %s node %d element ids %s, expected 0..%d" %
                                  (tag2, pop, node, g["element_ids"][ip[ci]:ip[ci + 1]], ne - 1))
                            ok = False
                            break
                        want = expected_lfp(ref["segrec"][str(node + offsets[pop])], fac, dt, rc,
                                            tstop)
                        have = g["data"][:, col:col + ne].astype(np.float64)
                        col += ne
                        if want.shape != have.shape:
                            print("%s: %s node %d data %s, expected %s" %
                                  (tag2, pop, node, have.shape, want.shape))
                            ok = False
                            continue
                        w32 = want.astype(np.float32).astype(np.float64)
                        d = np.abs(w32 - have)
                        tol = TOL_F32 * np.spacing(np.abs(want).astype(np.float32)) + 1e-12
                        if np.any(d > tol):
                            k = np.unravel_index(np.argmax(d - tol), d.shape)
                            print("%s: %s node %d frame %d electrode %d: %.9g, expected %.9g" %
                                  (tag2, pop, node, k[0], k[1], have[k], want[k]))
                            ok = False
                        dmax = max(dmax, float(np.max(np.abs(want - have))))
                        scale = max(scale, float(np.max(np.abs(want))))
            print("%s: max |ranvier - NEURON| %.3g mV (largest |value| %.3g)" % (tag2, dmax,
                                                                                 scale))
            if not scale > 0:
                print("%s: all values zero: the test would prove little" % tag2)
                ok = False
    return ok


def case_neuron(args, circ):
    import h5py
    import numpy as np
    reports = {
        "lfp_mosaic": {"type": "lfp", "cells": "Mosaic", "dt": 0.1, "start_time": 0.0,
                       "end_time": 6.0},
        "lfp_a_slow": {"type": "lfp", "cells": "RingA", "electrodes_file": "lfp_3elec_ringA.h5",
                       "dt": 0.4, "start_time": 0.2, "end_time": 7.0},
        "lfp_cell0": {"type": "lfp", "cells": "RingA_Cell0",
                      "electrodes_file": os.path.join(circ, "lfp_2elec_ringA_cell0.h5"),
                      "dt": 0.1, "start_time": 1.0, "end_time": 25.0}}
    cfgpath, cfg = make_config(circ, "neuron", reports,
                               {"electrodes_file": "lfp_file.h5", "tstop": 25.0})
    ref = neuron_model(args, circ, cfgpath, "pulse")
    files = {"lfp_mosaic": "lfp_file.h5", "lfp_a_slow": "lfp_3elec_ringA.h5",
             "lfp_cell0": "lfp_2elec_ringA_cell0.h5"}
    ok = check_neuron(args, circ, cfgpath, cfg, ref, files, "pulse")
    # TestCellNA cells (tests/driver/bbp): an axon of two sections made after
    # the dendrites, so `all` (soma, dend, dend, axon, axon) is not the LFP
    # order (somatic, axonal, basal); ring_oracle's "features" inputs; an
    # electrodes file of ours (4 electrodes, random factors, nodes listed out
    # of order, a node that is not simulated)
    fcirc, _, fcfg = ring_oracle.prepare("features", args.shared,
                                         os.path.join(args.work, "features"))
    fcfg["reports"] = {"lfp_feat": {"type": "lfp", "cells": "Mosaic",
                                    "electrodes_file": "lfp_features.h5", "dt": 0.2,
                                    "start_time": 0.0, "end_time": 30.0}}
    fcfg["output"] = {"output_dir": "output_features"}
    fcfg.pop("compartment_sets_file", None)
    fcfg["run"]["tstop"] = 30.0
    fpath = os.path.join(fcirc, "sim_lfp_features.json")
    with open(fpath, "w") as f:
        json.dump(fcfg, f, indent=1)
    fref = neuron_model(args, fcirc, fpath, "features")
    rng = np.random.default_rng(6)
    with h5py.File(os.path.join(fcirc, "lfp_features.h5"), "w") as f:
        for pop in ("RingA", "RingB"):
            off = fref["offsets"][pop]
            nodes = sorted(int(k) - off for k in fref["segrec"] if off <= int(k) < off + 1000)
            nodes = nodes[::-1] + [len(nodes) + 3]  # reversed, plus one not simulated
            rows = [sum(len(s["segs"]) for s in fref["segrec"][str(n + off)])
                    if str(n + off) in fref["segrec"] else 7 for n in nodes]
            g = f.create_group(pop)
            g.create_dataset("node_ids", data=np.array(nodes, dtype=np.int64))
            g.create_dataset("offsets", data=np.cumsum([0] + rows).astype(np.int64))
            f.create_dataset("electrodes/%s/scaling_factors" % pop,
                             data=rng.uniform(-1.0, 1.0, (sum(rows), 4)))
    ok = check_neuron(args, fcirc, fpath, fcfg, fref, {"lfp_feat": "lfp_features.h5"},
                      "features") and ok
    return ok


# ---- (c) bad electrodes files -------------------------------------------------------------

def write_elec(path, pops, drop=None):
    """An electrodes file for pops {name: [(node_id, rows)]}, 2 electrodes;
    drop: 'electrodes' (no group), 'offsets_len', 'one_d'."""
    import h5py
    import numpy as np
    with h5py.File(path, "w") as f:
        for pop, nodes in pops.items():
            g = f.create_group(pop)
            g.create_dataset("node_ids", data=np.array([n for n, _ in nodes], dtype=np.int64))
            offs = np.cumsum([0] + [r for _, r in nodes]).astype(np.int64)
            if drop == "offsets_len":
                offs = offs[:-1]
            g.create_dataset("offsets", data=offs)
            if drop == "electrodes":
                continue
            n = int(sum(r for _, r in nodes))
            sf = np.arange(2 * n, dtype=np.float64).reshape(n, 2) * 0.01
            if drop == "one_d":
                sf = sf[:, 0]
            f.create_dataset("electrodes/%s/scaling_factors" % pop, data=sf)


def case_bad(args, circ):
    ok = True
    ringA = [(0, 5), (1, 5), (2, 5)]
    cases = [
        ("no_group", {"RingA": ringA}, "electrodes", "RingA", ["no group 'electrodes'",
                                                                "/electrodes"]),
        ("missing_pop", {"RingB": [(0, 5), (1, 5)]}, None, "RingA",
         ["no population 'RingA'", "/RingA"]),
        ("missing_gid", {"RingA": [(0, 5), (2, 5)]}, None, "RingA",
         ["node 1 of population 'RingA'", "/RingA/node_ids"]),
        ("offsets_len", {"RingA": ringA}, "offsets_len", "RingA",
         ["/RingA/offsets", "len(/RingA/node_ids) + 1"]),
        ("one_d", {"RingA": ringA}, "one_d", "RingA",
         ["/electrodes/RingA/scaling_factors", "2-D"]),
        ("rows", {"RingA": [(0, 5), (1, 4), (2, 5)]}, None, "RingA",
         ["4 rows", "5 compartments", "/electrodes/RingA/scaling_factors"]),
        ("no_file", None, None, "RingA", ["no_file.h5", "reports.lfp.electrodes_file"]),
        ("not_hdf5", "text", None, "RingA", ["not_hdf5.h5", "not a readable HDF5"]),
        ("no_electrodes_file", "none", None, "RingA", ["needs an electrodes file",
                                                       "reports.lfp.electrodes_file"]),
    ]
    for name, pops, drop, cells, needles in cases:
        fn = os.path.join(circ, "%s.h5" % name)
        if isinstance(pops, dict):
            write_elec(fn, pops, drop)
        elif pops == "text":
            with open(fn, "w") as f:
                f.write("not hdf5\n")
        rep = {"type": "lfp", "cells": cells, "dt": 0.1, "start_time": 0.0, "end_time": 2.0}
        if pops != "none":
            rep["electrodes_file"] = "%s.h5" % name
        cfgpath, cfg = make_config(circ, "bad_" + name, {"lfp": rep}, {"tstop": 5.0})
        outdir = os.path.join(args.work, "bad_" + name)
        if os.path.exists(outdir):
            shutil.rmtree(outdir)
        success = cfgpath + ".SUCCESS"
        if os.path.exists(success):
            os.remove(success)
        r = subprocess.run([args.ranvier, "run", cfgpath, "--mechanisms",
                            os.path.join(ROOT, "mechanisms", "bbp"), "--output-dir", outdir],
                           capture_output=True, text=True)
        msg = (r.stdout + r.stderr).strip().replace("\n", " | ")
        left = [p for p in ("lfp.h5", "out.h5") if os.path.exists(os.path.join(outdir, p))]
        good = r.returncode != 0 and all(n in msg for n in needles) and not left and \
            not os.path.exists(success)
        print("bad %-20s exit %d, %s: %s" % (name, r.returncode, "ok" if good else
                                            "FAIL (wanted %s; outputs %s)" % (needles, left),
                                            msg[:300]))
        ok = ok and good
    return ok


# ---- the reader alone (lfp_read) ------------------------------------------------------

def case_reader(args, circ):
    import h5py
    import numpy as np
    ok = True
    n = 0
    base = os.path.join(args.shared, "circuits", "bbp-ringtest")
    for fn in ("lfp_file.h5", "lfp_3elec_ringA.h5", "lfp_2elec_ringA_cell0.h5"):
        path = os.path.join(base, fn)
        with h5py.File(path) as f:
            for pop in f["electrodes"]:
                ids = list(f[pop]["node_ids"][:])
                offs = f[pop]["offsets"][:]
                sf = f["electrodes"][pop]["scaling_factors"][:]
                for i, node in enumerate(ids):
                    want = sf[offs[i]:offs[i + 1]]
                    r = subprocess.run([args.reader, path, pop, str(node)], capture_output=True,
                                       text=True)
                    lines = r.stdout.split("\n")
                    head = [int(x) for x in lines[0].split()] if r.returncode == 0 else None
                    got = np.array([[float(x) for x in ln.split()] for ln in lines[1:] if ln])
                    if head != list(want.shape) or got.shape != want.shape or \
                            not np.array_equal(got, want):
                        print("reader: %s %s node %d: %s, expected %s (%s)" %
                              (fn, pop, node, head, list(want.shape), r.stderr.strip()))
                        ok = False
                    n += 1
    print("reader: %d nodes of the three shared electrodes files read exactly" % n)
    # errors of the reader itself
    path = os.path.join(base, "lfp_file.h5")
    for pop, node, needle in (("RingC", 0, "no population 'RingC'"),
                              ("RingB", 2, "node 2 of population 'RingB'"),
                              ("a/b", 0, "bad population name")):
        r = subprocess.run([args.reader, path, pop, str(node)], capture_output=True, text=True)
        good = r.returncode == 2 and needle in r.stderr
        print("reader: %s node %d: exit %d, %s %s" % (pop, node, r.returncode,
                                                     r.stderr.strip()[:200], "" if good else
                                                     "(FAIL: wanted '%s')" % needle))
        ok = ok and good
    r = subprocess.run([args.reader, "oom", path, "RingA", "1"], capture_output=True, text=True)
    print(r.stdout.strip(), r.stderr.strip())
    return ok and r.returncode == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["reference", "neuron", "bad", "reader"])
    ap.add_argument("--reader")
    ap.add_argument("--ranvier", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--mpiexec", default="mpiexec")
    ap.add_argument("--np", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    circ, _, _ = ring_oracle.prepare("pulse", args.shared, args.work)
    ok = {"reference": case_reference, "neuron": case_neuron, "bad": case_bad,
          "reader": case_reader}[args.case](
        args, circ)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
