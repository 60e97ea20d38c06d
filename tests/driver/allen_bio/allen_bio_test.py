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

Edges without positions but with nsyns (gen flag --placement) are placed
as BMTK's BioCell._set_connections does, written here from its algorithm:
per cell np.random.RandomState(gid); Morphology.seg_props (hobj.all order,
h.distance from soma[0](0), length L/nseg, type from the name);
find_sections (overlap of [dist -+ length/2] with distance_range, section
types of target_sections, p = length * overlap / sum); prng.choice of
nsyns segments; the synapses, then one NetCon each.  expsyn edges get an
ExpSyn (tau = tau1).  With reports (gen flag --report) the run steps one dt
at a time and samples like BMTK's MembraneReport/SomaReport after each
fadvance; ranvier's report files must have the same mapping and values
(float32) within 2e-5 mV.

--bad: broken variants of the circuit (no synapse positions, another
synapse template, a sec_id beyond the cell, another model_processing, a
synaptic model without tau2, an IClamp on a distance range; on a circuit with
random placement and reports: an unknown target_sections name, a
distance_range that selects no segment, a distance_range that is not a list,
a report dt that is not a multiple of run.dt, another report module, a report
transform) must each fail with a message naming the problem (no crash).

Passes when the spike rasters are identical (same gids, times equal to
1e-9 ms) and every soma v trace agrees within 1e-6 mV (max |dV| printed),
and the network spikes enough for that to mean something."""
import argparse
import ast
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

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
        with h5py.File(nf["nodes_file"], "r") as f:
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
    points = {}
    for name, p in pops.items():
        for i, a in enumerate(p["nodes"]):
            gid = p["offset"] + i
            if a["model_type"] == "point_process":  # nrn:IntFire1, times in seconds
                prm = json.load(open(os.path.join(comp["point_neuron_models_dir"],
                                                  a["dynamics_params"])))
                cell = h.IntFire1()
                cell.tau, cell.refrac = prm["tau"] * 1000.0, prm["refrac"] * 1000.0
                pc.set_gid2node(gid, 0)
                nc = h.NetCon(cell, None)
                pc.cell(gid, nc)
                points[gid] = cell
                keep.extend([cell, nc])
                continue
            if a["model_type"] != "biophysical":
                continue
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
    prngs, segprops = {}, {}
    swc_type = {"soma": 1, "somatic": 1, "axon": 2, "axonal": 2, "dend": 3, "basal": 3,
                "apic": 4, "apical": 4}

    def seg_props(gid):
        """BMTK's _LazySegmentProps"""
        if gid not in segprops:
            c, secs = cells[gid]
            h.distance(sec=c.soma[0])
            sid, xs, length, dist, typ = [], [], [], [], []
            for k, sec in enumerate(secs):
                t = swc_type[sec.name().split(".")[1][:4]]
                for seg in sec:
                    sid.append(k)
                    xs.append(seg.x)
                    length.append(sec.L / sec.nseg)
                    dist.append(h.distance(seg))
                    typ.append(t)
            segprops[gid] = tuple(np.array(v) for v in (sid, xs, length, dist, typ))
        return segprops[gid]

    def place(gid, sections, drange, nsyns):
        """BMTK's find_sections + prng.choice"""
        if gid not in prngs:
            prngs[gid] = np.random.RandomState(gid)
        sid, xs, length, dist, typ = seg_props(gid)
        d0, d1 = dist - length / 2.0, dist + length / 2.0
        frac = np.maximum(0, (np.minimum(d1, drange[1]) - np.maximum(d0, drange[0]))) / length
        ix_range = np.where(frac > 0)
        ix_labels = np.array([], dtype=int)
        for name in sections:
            ix_labels = np.append(ix_labels, np.where(typ == swc_type[name]))
        ix = np.intersect1d(ix_range, ix_labels)
        tl = length[ix] * frac[ix]
        segs = prngs[gid].choice(ix, nsyns, p=tl / np.sum(tl))
        return [(int(sid[k]), float(xs[k])) for k in segs]

    def make_syn(sec, x, tmpl, sp_):
        if tmpl == "expsyn":
            syn = h.ExpSyn(sec(x))
            syn.tau, syn.e = sp_["tau1"], sp_["erev"]
        else:
            syn = h.Exp2Syn(sec(x))
            syn.tau1, syn.tau2, syn.e = sp_["tau1"], sp_["tau2"], sp_["erev"]
        return syn

    def edges(ef, virtual):
        types = read_types(ef["edge_types_file"])
        with h5py.File(ef["edges_file"], "r") as f:
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
                    gid = pops[tp]["offset"] + int(trg[k])
                    dyn = t["dynamics_params"]
                    if dyn not in syncache:
                        syncache[dyn] = json.load(open(os.path.join(comp["synaptic_models_dir"],
                                                                    dyn)))
                    sp_ = syncache[dyn]
                    if gid in points:  # PointProcessCell: the NetCon onto the IntFire1
                        nc = pc.gid_connect(pops[sp]["offset"] + int(src[k]), points[gid])
                        w = float(grp["syn_weight"][k])
                        if "nsyns" in grp:
                            w *= sp_["sign"] * int(grp["nsyns"][k])
                        nc.weight[0] = w
                        nc.delay = float(t["delay"])
                        keep.append(nc)
                        continue
                    c, secs = cells[gid]
                    tmpl = t.get("model_template", "exp2syn")
                    aff = "afferent_section_id" in grp
                    if "nsyns" in grp and not aff and "sec_id" not in grp:
                        sites = place(gid, ast.literal_eval(t["target_sections"]),
                                      json.loads(t["distance_range"]), int(grp["nsyns"][k]))
                    else:
                        sites = [(int(grp["afferent_section_id" if aff else "sec_id"][k]),
                                  float(grp["afferent_section_pos" if aff else "sec_x"][k]))]
                    syns = [make_syn(secs[si], x, tmpl, sp_) for si, x in sites]
                    for syn in syns:
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
            with h5py.File(inp["input_file"], "r") as f:
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
    # reports: BMTK's MembraneReport (sections != "soma") / SomaReport
    reps = {}
    for rname, r in sim.get("reports", {}).items():
        ns = nodesets[r["cells"]]
        pop = pops[ns["population"]]
        ids = ns.get("node_id", range(len(pop["nodes"])))
        secsel = r.get("sections", "all")
        want = None if secsel == "all" else swc_type[secsel]
        nodes, eids, refs = [], [], []
        for i in sorted(ids):
            gid = pop["offset"] + i
            c, secs = cells[gid]
            if secsel == "soma":
                el = [(0, c.soma[0](0.5))]
            else:
                sid, xs, _, _, typ = seg_props(gid)
                el = [(int(a), secs[int(a)](float(x))) for a, x, t in zip(sid, xs, typ)
                      if want is None or t == want]
            nodes.append((i, len(el)))
            eids += [a for a, _ in el]
            refs += [seg for _, seg in el]
        pv = h.PtrVector(len(refs))
        for k, seg in enumerate(refs):
            pv.pset(k, seg._ref_v)
        dt_r = r.get("dt", run["dt"])
        start, end = r.get("start_time", 0.0), r.get("end_time", run["tstop"])
        reps[rname] = {"file": os.path.basename(r["file_name"]), "nodes": nodes, "eids": eids,
                       "pv": pv, "frames": [], "time": [start, end, dt_r],
                       "dt_step": int(dt_r / run["dt"]), "start_step": int(start / run["dt"]),
                       "end_step": end / run["dt"]}
    h.finitialize(cond["v_init"])
    if not reps:
        pc.psolve(run["tstop"])
    else:  # BMTK's post_fadvance after each step
        for tstep in range(int(round(run["tstop"] / run["dt"]))):
            pc.psolve(h.t + h.dt)
            for r in reps.values():
                if r["start_step"] <= tstep < r["end_step"] and tstep % r["dt_step"] == 0:
                    buf = h.Vector(len(r["eids"]))
                    r["pv"].gather(buf)
                    r["frames"].append(np.array(buf.as_numpy()))
    spikes = sorted((int(g), float(t)) for t, g in zip(spk_t, spk_g))
    for r in reps.values():
        del r["pv"]
    return {"spikes": spikes, "soma": {g: list(v) for g, v in soma_v.items()}, "reports": reps,
            "offsets": {name: p["offset"] for name, p in pops.items()}}


def run_ranvier(args, cfg, outdir, nprocs, offsets):
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
    with h5py.File(os.path.join(outdir, "spikes.h5"), "r") as f:
        for pop in f["spikes"]:
            g = f["spikes"][pop]
            if pop not in offsets or pop == "lgn":
                raise SystemExit("FAIL: spikes of population %s" % pop)
            off = offsets[pop]
            spikes += [(int(i) + off, float(t)) for t, i in zip(g["timestamps"][:],
                                                                g["node_ids"][:])]
    soma = {}
    for rk in range(nprocs):
        with open(os.path.join(outdir, "soma.%d" % rk)) as f:
            for ln in f:
                g, k, v = ln.split()
                soma.setdefault(int(g), []).append(float(v))
    return {"spikes": sorted(spikes), "soma": soma, "outdir": outdir}


def compare_reports(name, ref, got):
    import h5py
    ok = True
    for rname, r in ref["reports"].items():
        path = os.path.join(got["outdir"], r["file"])
        if not os.path.exists(path):
            print("%s: report %s: no file %s" % (name, rname, path))
            ok = False
            continue
        with h5py.File(path, "r") as f:
            g = f["report/v1"]
            data = g["data"][:]
            nids = [int(x) for x in g["mapping/node_ids"][:]]
            ip = [int(x) for x in g["mapping/index_pointers"][:]]
            eids = [int(x) for x in g["mapping/element_ids"][:]]
            tm = [float(x) for x in g["mapping/time"][:]]
        want_ip = [0]
        for _, ne in r["nodes"]:
            want_ip.append(want_ip[-1] + ne)
        good = (nids == [i for i, _ in r["nodes"]] and ip == want_ip and eids == r["eids"]
                and all(abs(a - b) < 1e-9 for a, b in zip(tm, r["time"])))
        if not good:
            print("%s: report %s: mapping differs (node_ids %s / %s, elements %d / %d, time %s / "
                  "%s)" % (name, rname, nids[:5], [i for i, _ in r["nodes"]][:5], len(eids),
                           len(r["eids"]), tm, r["time"]))
            ok = False
            continue
        want = np.array(r["frames"], dtype=np.float32)
        if want.shape != data.shape:
            print("%s: report %s: data %s, NEURON %s" % (name, rname, data.shape, want.shape))
            ok = False
            continue
        dv = float(np.max(np.abs(want.astype(np.float64) - data.astype(np.float64))))
        print("%s: report %s: %d frames x %d elements, max |dV| = %.3g mV (float32; tolerance "
              "2e-5)" % (name, rname, data.shape[0], data.shape[1], dv))
        ok = ok and dv <= 2e-5
    return ok


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
    """Sets column col of every row (the types CSV: space separated, quoted fields)."""
    with open(path) as f:
        rows = list(csv.reader(f, delimiter=" "))
    k = rows[0].index(col)
    for r in rows[1:]:
        r[k] = value
    with open(path, "w") as f:
        csv.writer(f, delimiter=" ", lineterminator="\n").writerows(rows)


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
                                        "model_template", "tmgsyn"),
         "synapse model_template 'tmgsyn'"),
        ("sec_id", far_section, "section 100000"),
        ("processing", lambda d: edit_csv(os.path.join(d, "network", "v1_node_types.csv"),
                                          "model_processing", "aibs_allactive"),
         "model_processing 'aibs_allactive' is not supported"),
        ("tau2", no_tau2, "rvExc2Exc.json"),
        ("section_name", section_name, "'section_name' must be a section name"),
    ]
    # on a circuit with BMTK's random placement (nsyns, target_sections, distance_range)
    place = circ + "-place"
    def report_dt(d):
        p = os.path.join(d, "simulation_config.json")
        j = json.load(open(p))
        j["reports"]["v_all"]["dt"] = 0.03
        json.dump(j, open(p, "w"))

    def report_module(d):
        p = os.path.join(d, "simulation_config.json")
        j = json.load(open(p))
        j["reports"]["v_all"]["module"] = "ecp"
        json.dump(j, open(p, "w"))

    def report_transform(d):
        p = os.path.join(d, "simulation_config.json")
        j = json.load(open(p))
        j["reports"]["soma_v"]["transform"] = {"v": "first_element"}
        json.dump(j, open(p, "w"))

    pcases = [
        ("target_sections", lambda d: edit_csv(os.path.join(d, "network", "v1_v1_edge_types.csv"),
                                               "target_sections", "['basal', 'tuft']"),
         "unknown section name 'tuft' in target_sections"),
        ("distance_range", lambda d: edit_csv(os.path.join(d, "network", "lgn_v1_edge_types.csv"),
                                              "distance_range", "[5000.0, 6000.0]"),
         "select no segment of the target cell"),
        ("range_syntax", lambda d: edit_csv(os.path.join(d, "network", "lgn_v1_edge_types.csv"),
                                            "distance_range", "150"),
         "distance_range '150' is not a list of two numbers"),
        ("report_dt", report_dt, "report 'v_all': dt must be a whole multiple"),
        ("report_module", report_module, "only module membrane_report"),
        ("report_transform", report_transform, "'transform' is not supported"),
    ]
    ok = True
    for name, mutate, want, base in ([(n, m, w, circ) for n, m, w in cases] +
                                     [(n, m, w, place) for n, m, w in pcases]):
        d = os.path.join(work, "bad-" + name)
        if os.path.exists(d):
            shutil.rmtree(d)
        shutil.copytree(base, d)
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
        if os.path.exists(circ + "-place"):
            shutil.rmtree(circ + "-place")
        r = sh([sys.executable, os.path.join(ROOT, "tools", "gen_allen_circuit.py"),
                circ + "-place", "--cells", "4", "--seed", "2", "--tstop", "50", "--placement",
                "--report"] + args.gen_flag)
        sys.stdout.write(r.stdout)
        if not bad_cases(args, circ, work):
            raise SystemExit("FAIL")
        print("PASS")
        return
    ref = ref_network(circ, work)
    npt = sum(1 for g, _ in ref["spikes"] if g >= ref["offsets"].get("pn", 1 << 60))
    if npt:
        print("NEURON: %d spikes of point neurons" % npt)
    if len(ref["spikes"]) < 10 or len({g for g, _ in ref["spikes"]}) < 4:
        raise SystemExit("FAIL: the network hardly spikes (%d spikes): the test would prove "
                         "little" % len(ref["spikes"]))
    ok = True
    cfg = os.path.join(circ, "config.json")
    for n in ([1, 2] if args.np > 1 and args.mpiexec else [1]):
        got = run_ranvier(args, cfg, os.path.join(work, "out-np%d" % n), n, ref["offsets"])
        ok = compare("%d rank%s" % (n, "s" if n > 1 else ""), ref, got) and ok
        ok = compare_reports("%d rank%s" % (n, "s" if n > 1 else ""), ref, got) and ok
    if not ok:
        raise SystemExit("FAIL")
    print("PASS")


if __name__ == "__main__":
    main()
