#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`ranvier run` with connection_overrides modoverride and an Exp2Syn_synapse
edge population, against NEURON.

Usage: mo_test.py CASE --ranvier BIN --work DIR [--np 2 --mpiexec MPIEXEC]
CASE: glu      -- tools/gen_bbp_circuit.py's circuit (8 cells) whose chemical
                  edges get the extra attributes of our TestGluHelper.hoc
                  (NeededAttributes volume_CR, rho0_GB, Use_d_TM, Use_p_TM,
                  gmax_d_AMPA, gmax_p_AMPA, theta_d, theta_p); overrides:
                  `base` All -> All, then `plastic` Excitatory -> All
                  (weight 0.8, spont_minis 15 Hz, modoverride TestGlu: our
                  TestGlu.mod, whose minis events count half); plus a
                  virtual population stim2 with an Exp2Syn_synapse edge
                  population (tau1, tau2, erev; override `e2s`, weight 1.5,
                  modoverride Exp2Syn through our Exp2SynHelper.hoc, and a
                  synapse_configure on them) and its replayed spikes;
      calcium  -- the TestGlu part with extracellular_calcium 1.6 (U and the
                  UHillScaleVariables scaled), no Exp2Syn population;
      bad      -- broken variants: helper not found, helper without public
                  synapse, a NeededAttribute missing from the edges, an
                  Exp2Syn_synapse population without modoverride: each exits
                  non-zero with a clear message and writes no spikes.
The helpers are found in the circuit's mechanisms_dir; RNGSettings is
ranvier's built-in (NEURON gets our RNGSettings.hoc through
HOC_LIBRARY_PATH).  Passes when spikes are identical and soma v agrees
within 1e-6 mV at every step, on 1 rank and (--np 2) on 2 MPI ranks."""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
sys.path.insert(0, os.path.join(ROOT, "tests", "driver", "bbp50"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.dont_write_bytecode = True
import bbp50_test  # noqa: E402  (run_ranvier, compare, check_runs)
import gen_bbp_circuit as gen  # noqa: E402  (HDF5 writers)

EXTRA = ["volume_CR", "rho0_GB", "Use_d_TM", "Use_p_TM", "gmax_d_AMPA", "gmax_p_AMPA",
         "theta_d", "theta_p"]

RNG_SETTINGS = """// our RNGSettings for NEURON: the run section's seeds
begintemplate RNGSettings
public interpret, getGlobalSeed, getIonChannelSeed, getSynapseSeed, getStimulusSeed, getMinisSeed
proc interpret() {}
func getGlobalSeed() { return %d }
func getIonChannelSeed() { return %d }
func getSynapseSeed() { return %d }
func getStimulusSeed() { return %d }
func getMinisSeed() { return %d }
endtemplate RNGSettings
"""


def sh(cmd, **kw):
    return bbp50_test.sh(cmd, **kw)


def add_extra_attrs(circ, rng, drop=None):
    path = os.path.join(circ, "edges.h5")
    import h5py
    with h5py.File(path, "a") as f:
        g = f["edges/cortex__cortex__chemical/0"]
        n = len(g["conductance"])
        vals = {"volume_CR": rng.uniform(0.05, 0.5, n), "rho0_GB": rng.uniform(0, 1, n),
                "Use_d_TM": rng.uniform(0.1, 0.4, n), "Use_p_TM": rng.uniform(0.5, 0.9, n),
                "gmax_d_AMPA": rng.uniform(0.5, 1.5, n), "gmax_p_AMPA": rng.uniform(1.5, 3.0, n),
                "theta_d": rng.uniform(0.1, 0.3, n), "theta_p": rng.uniform(0.3, 0.6, n)}
        for k in EXTRA:
            if k != drop:
                gen.dataset(g, k, vals[k].astype(np.float64))


def add_stim2(circ, rng, cfg, ccfg, ns):
    """virtual population stim2 (4 nodes), Exp2Syn_synapse edges onto cortex, replay"""
    import h5py
    n = 4
    with gen.h5create(os.path.join(circ, "stim2_nodes.h5")) as f:
        g = gen.group(f, "nodes/stim2")
        gen.dataset(g, "node_type_id", np.full(n, -1, dtype=np.int64))
        gen.write_strings(gen.group(g, "0"), "model_type", ["virtual"] * n)
    with h5py.File(os.path.join(circ, "edges.h5")) as f:
        g = f["edges/cortex__cortex__chemical"]
        trg0, sec0 = g["target_node_id"][:], g["0/afferent_section_id"][:]
        pos0 = g["0/afferent_section_pos"][:]
    ncells = int(trg0.max()) + 1
    src, trg, sec, pos = [], [], [], []
    for t in range(ncells):  # 3 edges per cell at places the chemical edges use
        rows = np.nonzero(trg0 == t)[0]
        for k in range(3):
            r = rows[rng.integers(len(rows))]
            src.append(int(rng.integers(n)))
            trg.append(t)
            sec.append(int(sec0[r]))
            pos.append(float(pos0[r]))
    m = len(src)
    attrs = {"afferent_section_id": (sec, np.int64), "afferent_section_pos": (pos, np.float64),
             "conductance": (rng.uniform(0.5, 2.0, m), np.float64),
             "delay": (rng.uniform(0.5, 3.0, m), np.float64),
             "tau1": (rng.uniform(0.2, 1.0, m), np.float64),
             "tau2": (rng.uniform(3.0, 9.0, m), np.float64),
             "erev": (rng.choice([0.0, -75.0], m), np.float64)}
    gen.write_edges(os.path.join(circ, "stim2_edges.h5"), "stim2__cortex__exp2syn", "stim2",
                    "cortex", src, trg, attrs)
    ts, ids = [], []
    for node in range(n):
        t = 5.0
        while True:
            t += float(rng.exponential(1000.0 / 40.0))
            if t >= float(cfg["run"]["tstop"]):
                break
            ts.append(round(t, 3))
            ids.append(node)
    order = sorted(range(len(ts)), key=lambda k: (ts[k], ids[k]))
    with gen.h5create(os.path.join(circ, "stim2_spikes.h5")) as f:
        g = gen.group(f, "spikes/stim2")
        g.attrs["sorting"] = np.array(2, dtype=np.uint8)
        gen.dataset(g, "timestamps", np.array([ts[k] for k in order], dtype=np.float64))
        gen.dataset(g, "node_ids", np.array([ids[k] for k in order], dtype=np.uint64))
    ccfg["networks"]["nodes"].append({"nodes_file": "$BASE_DIR/stim2_nodes.h5",
                                      "populations": {"stim2": {"type": "virtual"}}})
    ccfg["networks"]["edges"].append({"edges_file": "$BASE_DIR/stim2_edges.h5",
                                      "populations": {"stim2__cortex__exp2syn":
                                                      {"type": "Exp2Syn_synapse"}}})
    ns["Stim2"] = {"population": "stim2"}
    cfg["inputs"]["replay2"] = {"module": "synapse_replay", "input_type": "spikes",
                                "spike_file": "$BASE_DIR/stim2_spikes.h5", "node_set": "All",
                                "delay": 0.0, "duration": cfg["run"]["tstop"]}
    cfg["connection_overrides"].append({"name": "e2s", "source": "Stim2", "target": "All",
                                        "weight": 1.5, "modoverride": "Exp2Syn",
                                        "synapse_configure": "%s.tau2 = %s.tau2 * 1.3"})


def make_circuit(work, case, seed=4, variant=None):
    circ = os.path.join(work, "circuit")
    if os.path.exists(circ):
        shutil.rmtree(circ)
    flags = ["--cells", "8", "--seed", str(seed), "--no-report", "--tstop", "120"]
    if case == "calcium":
        flags += ["--calcium", "1.6"]
    sh(["/usr/bin/python3", os.path.join(ROOT, "tools", "gen_bbp_circuit.py"), circ] + flags)
    rng = np.random.default_rng(seed)
    add_extra_attrs(circ, rng, drop="theta_p" if variant == "missing-attr" else None)
    mech = os.path.join(circ, "mechanisms")
    shutil.copy(os.path.join(HERE, "TestGlu.mod"), mech)
    if variant != "no-helper":
        src = open(os.path.join(HERE, "TestGluHelper.hoc")).read()
        if variant == "no-public":
            src = src.replace("public synapse\n", "")
        open(os.path.join(mech, "TestGluHelper.hoc"), "w").write(src)
    shutil.copy(os.path.join(HERE, "Exp2SynHelper.hoc"), mech)
    cfgpath = os.path.join(circ, "simulation_config.json")
    cfg = json.load(open(cfgpath))
    ccpath = os.path.join(circ, "circuit_config.json")
    ccfg = json.load(open(ccpath))
    nspath = os.path.join(circ, "node_sets.json")
    ns = json.load(open(nspath))
    cfg["connection_overrides"] = [
        {"name": "base", "source": "All", "target": "All", "weight": 1.0},
        {"name": "plastic", "source": "Excitatory", "target": "All", "weight": 0.8,
         "spont_minis": 15.0, "modoverride": "TestGlu"}]
    if case != "calcium":
        add_stim2(circ, rng, cfg, ccfg, ns)
        if variant == "e2s-no-mo":
            del cfg["connection_overrides"][-1]["modoverride"]
    json.dump(cfg, open(cfgpath, "w"), indent=1)
    json.dump(ccfg, open(ccpath, "w"), indent=1)
    json.dump(ns, open(nspath, "w"), indent=1)
    return circ, cfgpath, cfg


def run_bad(args):
    ok = True
    cases = [("no-helper", ["TestGluHelper", "not found", "plastic", "mechanisms"]),
             ("no-public", ["TestGluHelper", "public", "synapse"]),
             ("missing-attr", ["theta_p", "cortex__cortex__chemical", "NeededAttributes"]),
             ("e2s-no-mo", ["stim2__cortex__exp2syn", "modoverride", "Exp2Syn"])]
    for variant, words in cases:
        work = os.path.join(args.work, variant)
        os.makedirs(work, exist_ok=True)
        circ, cfgpath, cfg = make_circuit(work, "glu", variant=variant)
        out = os.path.join(work, "out")
        env = dict(os.environ, RANVIER_MECHANISMS_DIR=os.path.join(ROOT, "mechanisms"))
        r = subprocess.run([args.ranvier, "run", cfgpath, "--output-dir", out], env=env,
                           capture_output=True, text=True)
        msg = (r.stdout + r.stderr).strip().replace("\n", " | ")
        good = r.returncode != 0 and all(w in msg for w in words) and \
            not os.path.exists(os.path.join(out, "out.h5")) and \
            not os.path.exists(cfgpath + ".SUCCESS")
        print("%s: exit %d: %s%s" % (variant, r.returncode, msg[:400],
                                     "" if good else "   <- expected a failure naming %s" % words))
        ok = ok and good
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["glu", "calcium", "bad"])
    ap.add_argument("--ranvier", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--np", type=int, default=1)
    ap.add_argument("--mpiexec", default="mpiexec")
    args = ap.parse_args()
    import oracle
    os.makedirs(args.work, exist_ok=True)
    if args.case == "bad":
        ok = run_bad(args)
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    circ, cfgpath, cfg = make_circuit(args.work, args.case, seed=4 if args.case == "glu" else 9)
    moddir, builddir = os.path.join(args.work, "mods"), os.path.join(args.work, "nrnmech")
    hocdir = os.path.join(args.work, "nrnhoc")
    for dd in (moddir, builddir, hocdir):
        if os.path.exists(dd):
            shutil.rmtree(dd)
        os.makedirs(dd)
    for fn in os.listdir(os.path.join(circ, "mechanisms")):
        if fn.endswith(".mod"):
            shutil.copy(os.path.join(circ, "mechanisms", fn), moddir)
    for fn in ["VecStim.mod", "MembraneCurrentSource.mod"]:
        shutil.copy(os.path.join(ROOT, "mechanisms", fn), moddir)
    lib = oracle.compile_mods(moddir, builddir)
    r = cfg["run"]
    with open(os.path.join(hocdir, "RNGSettings.hoc"), "w") as f:
        f.write(RNG_SETTINGS % (r.get("random_seed", 0), r.get("ionchannel_seed", 0),
                                r.get("synapse_seed", 0), r.get("stimulus_seed", 0),
                                r.get("minis_seed", 0)))
    for fn in ("TestGluHelper.hoc", "Exp2SynHelper.hoc"):
        shutil.copy(os.path.join(circ, "mechanisms", fn), hocdir)
    refpath = os.path.join(args.work, "neuron.json")
    rr = sh(["/usr/bin/python3", os.path.join(HERE, "mo_reference.py"), cfgpath, "--lib", lib,
             "--out", refpath], env=dict(os.environ, NEURON_MODULE_OPTIONS="-nogui",
                                         HOC_LIBRARY_PATH=hocdir), cwd=hocdir)
    sys.stdout.write(rr.stdout)
    ref = json.load(open(refpath))
    ok = True
    if len(ref["spikes"]) < 5 or ref["counts"]["helper_synapses"] < 20:
        print("FAIL: too few spikes (%d) or helper synapses (%d): the test would prove little" %
              (len(ref["spikes"]), ref["counts"]["helper_synapses"]))
        ok = False
    ok = bbp50_test.check_runs(args, cfgpath, ref, args.case) and ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
