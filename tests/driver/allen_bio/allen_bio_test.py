#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""An Allen/BMTK biophysical network in `ranvier run` against NEURON.

Usage: allen_bio_test.py --ranvier RANVIER --work DIR [--cells N] [--seed S]
                         [--np 2 --mpiexec MPIEXEC] [--gen-flag FLAG]...

tools/gen_allen_circuit.py writes a circuit (BMTK layout) into DIR/circuit;
`ranvier run` simulates it (--record-soma) on 1 rank and, with --np 2, on
2 MPI ranks.  ref_network() builds the same network in NEURON from the
circuit's files (h5py + the CSVs), as BMTK's bionet does: gids by
population order, every v1 cell an Allen perisomatic cell (Import3d of the
SWC into a template, fix_axon_peri, set_params_peri, nseg from dL) with its
spike detector at soma[0](0.5) (run.spike_threshold), VecStims for the
virtual population playing its spike file, one Exp2Syn per edge at
hobj.all[sec_id](sec_x) with tau1/tau2/erev of the edge's synaptic model
JSON, NetCon weight syn_weight and the edge type's delay (recurrent edges
first, then the virtual ones, targets ascending), the IClamp input (one
IClamp per amp/delay/duration entry at section_name[section_index]
(section_dist), default soma[0](0.5)).  Our mechanisms/allen
and VecStim are compiled by nrnivmodl.

--bad: broken variants of the circuit (no synapse positions, another
synapse template, a sec_id beyond the cell, another model_processing, a
synaptic model without tau2, an IClamp on a distance range) must each fail with
a message naming the problem (no crash).

Passes when the spike rasters are identical (same gids, times equal to
1e-9 ms) and every soma v trace agrees within 1e-6 mV (max |dV| printed),
and the network spikes enough for that to mean something."""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
TOL_T, TOL_V = 1e-9, 1e-6


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.stdout.write(r.stdout)
        sys.stderr.write(r.stderr)
        raise SystemExit("FAIL: %s exited with %d" % (" ".join(cmd[:3]), r.returncode))
    return r


def read_types(path):
    with open(path) as f:
        rows = list(csv.DictReader(f, delimiter=" "))
    return {int(r["node_type_id" if "node_type_id" in r else "edge_type_id"]): r for r in rows}


def expand(cfg_path):
    """A BMTK config with its manifest applied (values only)."""
    cfg = json.load(open(cfg_path))
    base = os.path.dirname(os.path.abspath(cfg_path))
    man = dict(cfg.get("manifest", {}))
    for _ in range(5):
        for k in man:
            for k2, v2 in man.items():
                man[k] = man[k].replace(k2, v2) if isinstance(man[k], str) else man[k]

    def sub(x):
        if isinstance(x, dict):
            return {k: sub(v) for k, v in x.items()}
        if isinstance(x, list):
            return [sub(v) for v in x]
        if isinstance(x, str):
            for k, v in sorted(man.items(), key=lambda kv: -len(kv[0])):
                x = x.replace(k, v)
            if x.startswith("./") or x.startswith("../") or x == ".":
                x = os.path.normpath(os.path.join(base, x))
        return x
    return sub(cfg)


HOC_TEMPLATE = """
begintemplate RvPeriCell
public soma, dend, apic, axon, all, somatic, axonal, basal, apical
create soma[1], dend[1], apic[1], axon[1]
objref all, somatic, axonal, basal, apical
proc init() {
    all = new SectionList()
    somatic = new SectionList()
    axonal = new SectionList()
    basal = new SectionList()
    apical = new SectionList()
}
endtemplate RvPeriCell
"""


def peri_cell(h, swc, fit, dL):
    """An Allen perisomatic cell as BMTK builds it (facts of ctdb:Biophys1.hoc
    and aibs_perisomatic); returns the template object."""
    cell = h.RvPeriCell()
    # the template's placeholder sections go: Import3d creates those the SWC has
    for sec in list(cell.soma) + list(cell.dend) + list(cell.apic) + list(cell.axon):
        h.delete_section(sec=sec)
    r = h.Import3d_SWC_read()
    r.quiet = 1
    r.input(swc)
    h.Import3d_GUI(r, 0).instantiate(cell)
    # fix_axon_peri
    for sec in list(cell.axon):
        h.delete_section(sec=sec)
    h.execute("create axon[2]", cell)
    for sec in cell.axon:
        sec.L, sec.diam = 30, 1
        cell.axonal.append(sec=sec)
        cell.all.append(sec=sec)
    cell.axon[0].connect(cell.soma[0], 0.5, 0)
    cell.axon[1].connect(cell.axon[0], 1, 0)
    h.define_shape()
    # set_params_peri
    passive, cond, genome = fit["passive"][0], fit["conditions"][0], fit["genome"]
    cm = dict((c["section"], c["cm"]) for c in passive.get("cm", []))
    kind = lambda sec: sec.name().split(".")[1][:4]
    for sec in cell.all:
        sec.Ra = passive["ra"]
        if "cm" in passive:
            sec.cm = cm[kind(sec)]
        sec.insert("pas")
        if "e_pas" in passive:
            for seg in sec:
                seg.pas.e = passive["e_pas"]
    for p in genome:
        for sec in cell.all:
            if kind(sec) != p["section"]:
                continue
            if p.get("mechanism", ""):
                sec.insert(p["mechanism"])
            setattr(sec, p["name"], float(p["value"]))
    for e in cond.get("erev", []):
        for sec in cell.all:
            if kind(sec) == e["section"]:
                sec.ena, sec.ek = e["ena"], e["ek"]
    # BioCell.set_nseg
    for sec in cell.all:
        sec.nseg = 1 + 2 * int(sec.L / (2 * dL))
    return cell


def ref_network(cfgdir, work):
    """Runs NEURON (in this process) on the circuit; returns spikes and soma v."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
    import h5py
    import oracle
    from neuron import h
    mods = os.path.join(work, "mods")
    os.makedirs(mods, exist_ok=True)
    for d in (os.path.join(ROOT, "mechanisms", "allen"), os.path.join(ROOT, "mechanisms")):
        for fn in os.listdir(d):
            if fn.endswith(".mod") and (d.endswith("allen") or fn == "VecStim.mod"):
                shutil.copy(os.path.join(d, fn), mods)
    h.nrn_load_dll(oracle.compile_mods(mods, tempfile.mkdtemp(prefix="rvab", dir=work)))
    h.load_file("stdrun.hoc")
    h.load_file("import3d.hoc")
    h(HOC_TEMPLATE)
    top = json.load(open(os.path.join(cfgdir, "config.json")))
    circ = expand(os.path.normpath(os.path.join(cfgdir, top["network"])))
    sim = expand(os.path.normpath(os.path.join(cfgdir, top["simulation"])))
    comp = circ["components"]
    run, cond = sim["run"], sim["conditions"]
    h.celsius, h.dt = cond["celsius"], run["dt"]
    pc = h.ParallelContext()
    # nodes: gids back to back in circuit order
    pops, offset = {}, 0
    for nf in circ["networks"]["nodes"]:
        types = read_types(nf["node_types_file"])
        with h5py.File(nf["nodes_file"]) as f:
            for name, g in f["nodes"].items():
                tid = g["node_type_id"][:]
                attrs = {k: g["0"][k][:] for k in g["0"].keys()}
                nodes = []
                for i in range(len(tid)):
                    a = dict(types[int(tid[i])])
                    for k, v in attrs.items():
                        a[k] = v[i].decode() if isinstance(v[i], bytes) else v[i]
                    nodes.append(a)
                pops[name] = {"offset": offset, "nodes": nodes}
                offset += len(nodes)
    keep, cells, soma_v, spk_t, spk_g = [], {}, {}, h.Vector(), h.Vector()
    for name, p in pops.items():
        for i, a in enumerate(p["nodes"]):
            if a["model_type"] != "biophysical":
                continue
            gid = p["offset"] + i
            fit = json.load(open(os.path.join(comp["biophysical_neuron_models_dir"],
                                              a["dynamics_params"])))
            c = peri_cell(h, os.path.join(comp["morphologies_dir"], a["morphology"]), fit,
                          run.get("dL", 20.0))
            cells[gid] = (c, list(c.all))
            pc.set_gid2node(gid, 0)
            nc = h.NetCon(c.soma[0](0.5)._ref_v, None, sec=c.soma[0])
            nc.threshold = run.get("spike_threshold", -15.0)
            pc.cell(gid, nc)
            v = h.Vector()
            v.record(c.soma[0](0.5)._ref_v)
            soma_v[gid] = v
            keep.append(nc)
    pc.spike_record(-1, spk_t, spk_g)
    syncache = {}

    def edges(ef, virtual):
        types = read_types(ef["edge_types_file"])
        with h5py.File(ef["edges_file"]) as f:
            for name, g in f["edges"].items():
                sp = g["source_node_id"].attrs["node_population"]
                tp = g["target_node_id"].attrs["node_population"]
                sp = sp.decode() if isinstance(sp, bytes) else sp
                tp = tp.decode() if isinstance(tp, bytes) else tp
                is_virt = all(a["model_type"] == "virtual" for a in pops[sp]["nodes"])
                if is_virt != virtual:
                    continue
                src, trg = g["source_node_id"][:], g["target_node_id"][:]
                et, grp = g["edge_type_id"][:], g["0"]
                order = sorted(range(len(trg)), key=lambda k: (int(trg[k]), k))
                for k in order:
                    t = types[int(et[k])]
                    c, secs = cells[pops[tp]["offset"] + int(trg[k])]
                    dyn = t["dynamics_params"]
                    if dyn not in syncache:
                        syncache[dyn] = json.load(open(os.path.join(comp["synaptic_models_dir"],
                                                                    dyn)))
                    sp_ = syncache[dyn]
                    aff = "afferent_section_id" in grp
                    sec = secs[int(grp["afferent_section_id" if aff else "sec_id"][k])]
                    syn = h.Exp2Syn(sec(float(grp["afferent_section_pos" if aff else "sec_x"][k])))
                    syn.tau1, syn.tau2, syn.e = sp_["tau1"], sp_["tau2"], sp_["erev"]
                    nc = pc.gid_connect(pops[sp]["offset"] + int(src[k]), syn)
                    nc.weight[0] = float(grp["syn_weight"][k])
                    nc.delay = float(t["delay"])
                    keep.extend([syn, nc])

    for ef in circ["networks"]["edges"]:  # recurrent edges first
        edges(ef, False)
    nodesets = json.load(open(sim["node_sets_file"]))
    for name, inp in sim["inputs"].items():
        if inp["module"] == "IClamp":
            ns = nodesets[inp["node_set"]]
            ids = ns.get("node_id", range(len(pops[ns["population"]]["nodes"])))
            for i in ids:
                c = cells[pops[ns["population"]]["offset"] + i][0]
                site = getattr(c, inp.get("section_name", "soma"))[inp.get("section_index", 0)]
                for amp, dl, dur in zip(inp["amp"], inp["delay"], inp["duration"]):
                    st = h.IClamp(site(inp.get("section_dist", 0.5)))
                    st.amp, st.dur = amp, dur
                    setattr(st, "del", dl)
                    keep.append(st)
        else:
            pop = nodesets[inp["node_set"]]["population"]
            with h5py.File(inp["input_file"]) as f:
                g = f["spikes"][pop]
                ts, ids = g["timestamps"][:], g["node_ids"][:]
            for i in range(len(pops[pop]["nodes"])):
                vec = h.Vector(sorted(float(t) for t, n in zip(ts, ids) if n == i))
                vs = h.VecStim()
                vs.play(vec)
                gid = pops[pop]["offset"] + i
                pc.set_gid2node(gid, 0)
                nc = h.NetCon(vs, None)
                pc.cell(gid, nc)
                keep.extend([vec, vs, nc])
            for ef in circ["networks"]["edges"]:
                edges(ef, True)
    pc.set_maxstep(10)
    h.finitialize(cond["v_init"])
    pc.psolve(run["tstop"])
    spikes = sorted((int(g), float(t)) for t, g in zip(spk_t, spk_g))
    return {"spikes": spikes, "soma": {g: list(v) for g, v in soma_v.items()}}


def run_ranvier(args, cfg, outdir, nprocs):
    import h5py
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    os.makedirs(outdir)
    cmd = [args.ranvier, "run", cfg, "--output-dir", outdir,
           "--record-soma", os.path.join(outdir, "soma")]
    if nprocs > 1:
        cmd = [args.mpiexec, "-n", str(nprocs), "--oversubscribe"] + cmd + ["--mpi"]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               RANVIER_MECHANISMS_DIR=os.path.join(ROOT, "mechanisms"))
    r = sh(cmd, env=env)
    sys.stdout.write(r.stdout + r.stderr)
    spikes = []
    with h5py.File(os.path.join(outdir, "spikes.h5")) as f:
        for pop in f["spikes"]:
            g = f["spikes"][pop]
            off = 0  # v1 is the first population
            if pop != "v1":
                raise SystemExit("FAIL: spikes of population %s" % pop)
            spikes += [(int(i) + off, float(t)) for t, i in zip(g["timestamps"][:],
                                                                g["node_ids"][:])]
    soma = {}
    for rk in range(nprocs):
        with open(os.path.join(outdir, "soma.%d" % rk)) as f:
            for ln in f:
                g, k, v = ln.split()
                soma.setdefault(int(g), []).append(float(v))
    return {"spikes": sorted(spikes), "soma": soma}


def compare(name, ref, got):
    rs, gs = ref["spikes"], got["spikes"]
    ok = len(rs) == len(gs) and all(a[0] == b[0] for a, b in zip(rs, gs))
    dtm = max([abs(a[1] - b[1]) for a, b in zip(rs, gs)] or [0.0]) if ok else float("nan")
    ok = ok and dtm <= TOL_T
    print("%s: spikes NEURON %d, ranvier %d, max |dt| %.3g ms%s" %
          (name, len(rs), len(gs), dtm, "" if ok else "  <- rasters differ"))
    if not ok:
        print("  only NEURON :", sorted(set(rs) - set(gs))[:10])
        print("  only ranvier:", sorted(set(gs) - set(rs))[:10])
    dv, worst = 0.0, None
    for g, v in ref["soma"].items():
        w = got["soma"].get(g)
        if w is None or len(w) != len(v):
            print("%s: gid %d soma trace missing or of length %s (NEURON %d)" %
                  (name, g, None if w is None else len(w), len(v)))
            ok = False
            continue
        d = max(abs(a - b) for a, b in zip(v, w))
        if d > dv:
            dv, worst = d, g
    if set(got["soma"]) != set(ref["soma"]):
        print("%s: recorded cells differ" % name)
        ok = False
    print("%s: soma v of %d cells x %d steps: max |dV| = %.3g mV (gid %s; tolerance %g)" %
          (name, len(ref["soma"]), len(next(iter(ref["soma"].values()))), dv, worst, TOL_V))
    return ok and dv <= TOL_V


def edit_csv(path, col, value):
    lines = open(path).read().splitlines()
    head = lines[0].split(" ")
    k = head.index(col)
    out = [lines[0]]
    for ln in lines[1:]:
        f = ln.split(" ")
        f[k] = value
        out.append(" ".join(f))
    open(path, "w").write("\n".join(out) + "\n")


def bad_cases(args, circ, work):
    import h5py

    def no_positions(d):
        with h5py.File(os.path.join(d, "network", "v1_v1_edges.h5"), "a") as f:
            del f["edges/v1_to_v1/0/sec_id"], f["edges/v1_to_v1/0/sec_x"]

    def far_section(d):
        with h5py.File(os.path.join(d, "network", "lgn_v1_edges.h5"), "a") as f:
            f["edges/lgn_to_v1/0/sec_id"][3] = 100000

    def no_tau2(d):
        p = os.path.join(d, "synaptic_models", "rvExc2Exc.json")
        j = json.load(open(p))
        del j["tau2"]
        json.dump(j, open(p, "w"))

    def section_name(d):
        p = os.path.join(d, "simulation_config.json")
        j = json.load(open(p))
        j["inputs"]["current_clamp"]["section_name"] = ["dend", "apic"]
        j["inputs"]["current_clamp"]["section_index"] = [100.0, 200.0]
        json.dump(j, open(p, "w"))

    cases = [
        ("positions", no_positions, "without explicit synapse positions"),
        ("template", lambda d: edit_csv(os.path.join(d, "network", "v1_v1_edge_types.csv"),
                                        "model_template", "expsyn"),
         "synapse model_template 'expsyn'"),
        ("sec_id", far_section, "section 100000"),
        ("processing", lambda d: edit_csv(os.path.join(d, "network", "v1_node_types.csv"),
                                          "model_processing", "aibs_allactive"),
         "model_processing 'aibs_allactive' is not supported"),
        ("tau2", no_tau2, "rvExc2Exc.json"),
        ("section_name", section_name, "'section_name' must be a section name"),
    ]
    ok = True
    for name, mutate, want in cases:
        d = os.path.join(work, "bad-" + name)
        if os.path.exists(d):
            shutil.rmtree(d)
        shutil.copytree(circ, d)
        mutate(d)
        r = subprocess.run([args.ranvier, "run", os.path.join(d, "config.json")],
                           capture_output=True, text=True,
                           env=dict(os.environ, RANVIER_MECHANISMS_DIR=os.path.join(ROOT,
                                                                                    "mechanisms")))
        msg = (r.stderr or r.stdout).strip().splitlines()
        good = r.returncode == 1 and want in r.stderr
        print("%-13s exit %d: %s%s" % (name, r.returncode, msg[-1] if msg else "",
                                       "" if good else "   <- expected '%s'" % want))
        ok = ok and good
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranvier", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cells", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tstop", type=float, default=400.0)
    ap.add_argument("--np", type=int, default=1)
    ap.add_argument("--mpiexec", default="")
    ap.add_argument("--gen-flag", action="append", default=[])
    ap.add_argument("--bad", action="store_true")
    args = ap.parse_args()
    work = os.path.abspath(args.work)
    circ = os.path.join(work, "circuit")
    if os.path.exists(circ):
        shutil.rmtree(circ)
    os.makedirs(work, exist_ok=True)
    r = sh([sys.executable, os.path.join(ROOT, "tools", "gen_allen_circuit.py"), circ,
            "--cells", str(args.cells), "--seed", str(args.seed), "--tstop", str(args.tstop)]
           + args.gen_flag)
    sys.stdout.write(r.stdout)
    if args.bad:
        if not bad_cases(args, circ, work):
            raise SystemExit("FAIL")
        print("PASS")
        return
    ref = ref_network(circ, work)
    if len(ref["spikes"]) < 10 or len({g for g, _ in ref["spikes"]}) < 4:
        raise SystemExit("FAIL: the network hardly spikes (%d spikes): the test would prove "
                         "little" % len(ref["spikes"]))
    ok = True
    cfg = os.path.join(circ, "config.json")
    for n in ([1, 2] if args.np > 1 and args.mpiexec else [1]):
        got = run_ranvier(args, cfg, os.path.join(work, "out-np%d" % n), n)
        ok = compare("%d rank%s" % (n, "s" if n > 1 else ""), ref, got) and ok
    if not ok:
        raise SystemExit("FAIL")
    print("PASS")


if __name__ == "__main__":
    main()
