#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A Blue Brain circuit with connection_overrides and modoverride helpers,
built in NEURON as neurodamus builds it (our reading of neurodamus, facts
§3 of /work/shared/reference/neurodamus-facts.md).

Usage: NEURON_MODULE_OPTIONS=-nogui HOC_LIBRARY_PATH=DIR /usr/bin/python3 \\
           mo_reference.py SIMULATION_CONFIG --lib LIBNRNMECH --out RESULT.json

Like ../bbp50/nd_reference.py (whose Circuit, offsets and stimuli it uses),
plus: connection_overrides (creation phase: pathways an override overlaps
keep only edges inside a non-delayed overlapping override; configure phase
in config order: weight factor := weight, modoverride when present);
chemical and Exp2Syn_synapse edge populations; a connection with
modoverride M gets its synapses from `new MHelper(tgid+1, params, x,
synapse_id, random_seed, spop, tpop)` with the section accessed, params a
Python object with neurodamus's SynapseParameters fields (int32 fields
truncated) plus MHelper_NeededAttributes (MHelper_UHillScaleVariables
scaled by the calcium factor); NetCon type in weight[nc_type_param_<mech>].
Also spont_minis and synapse_configure of overrides.  Not handled: delayed
overrides, synapse_delay_override, gap junctions, modifications (refused)."""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "driver", "bbp50"))
sys.path.insert(0, os.path.join(ROOT, "tests", "driver"))
sys.dont_write_bytecode = True
import nd_reference as nd  # noqa: E402

STD = ["sgid", "delay", "isec", "ipt", "offset", "weight", "U", "D", "F", "DTC", "synType",
       "nrrp", "u_hill_coefficient", "conductance_ratio", "maskValue", "location"]
E2S = ["sgid", "delay", "isec", "ipt", "offset", "weight", "synType", "conductance_ratio",
       "location", "tau1", "tau2", "erev"]
INT32 = {"isec", "ipt", "synType", "nrrp"}


class Params:
    pass


def node_set_pops(circ, ns):
    """populations a node set may select (None: any)"""
    d = circ.nodesets[ns]
    if isinstance(d, list):
        out = set()
        for sub in d:
            p = node_set_pops(circ, sub)
            if p is None:
                return None
            out |= p
        return out
    p = d.get("population")
    if p is None:
        return None
    return set(p if isinstance(p, list) else [p])


def build(circ, lib):
    import stim_oracle
    from neuron import h
    h.nrn_load_dll(lib)
    h.load_file("stdrun.hoc")
    h.load_file("import3d.hoc")
    sim = circ.sim
    cond = sim.get("conditions", {})
    if cond.get("modifications") or any(e[2] == "electrical" for e in circ.edges):
        raise SystemExit("mo_reference: modifications / gap junctions are not implemented")
    overrides = sim.get("connection_overrides", [])
    for o in overrides:
        for k in ("delay", "synapse_delay_override"):
            if o.get(k):
                raise SystemExit("mo_reference: override key %s is not implemented" % k)
    run = sim["run"]
    dt, tstop = float(run["dt"]), float(run["tstop"])
    thr = float(run.get("spike_threshold", -30))
    minis_seed = int(run.get("minis_seed", 0))
    base_seed = int(run.get("random_seed", 0))
    pc = h.ParallelContext()
    h.Random().Random123_globalindex(base_seed)
    h.celsius = float(cond.get("celsius", 34))
    h.dt = dt
    h.steps_per_ms = 1.0 / dt
    ca = cond.get("extracellular_calcium")

    # cells (as nd_reference: build() there also makes the synapses, so the
    # cell part is repeated here)
    ns = sim.get("node_set")
    target = {}
    for name, p in circ.pops.items():
        if p["type"] == "biophysical":
            target[name] = circ.select(ns, name) if ns else list(range(p["size"]))
    offs = nd.offsets_of(circ, target)
    cells, keep = {}, []
    for name in sorted(target):
        p = circ.pops[name]
        a = circ.attrs(name, ["model_template", "morphology", "@dynamics:threshold_current",
                              "@dynamics:holding_current", "exc_mini_frequency",
                              "inh_mini_frequency"])
        mdir, ext = p["alt"]["neurolucida-asc"], "asc"
        both_cur = "@dynamics:threshold_current" in a and "@dynamics:holding_current" in a
        both_mini = "exc_mini_frequency" in a and "inh_mini_frequency" in a
        for raw in target[name]:
            emodel = a["model_template"][raw].split(":", 1)[-1]
            if not hasattr(h, emodel):
                h.load_file(os.path.join(p["hoc"], emodel + ".hoc"))
            extra = [0]
            try:
                needed = getattr(h, emodel + "_NeededAttributes")
            except (AttributeError, LookupError):
                needed = None
            if needed:
                na = [x.strip() for x in needed.split(";") if x.strip()]
                vals = circ.attrs(name, ["@dynamics:" + x for x in na])
                extra = [float(vals["@dynamics:" + x][raw]) for x in na]
            c = getattr(h, emodel)(raw, mdir, a["morphology"][raw] + "." + ext, *extra)
            table = [None] * int(c.nSecAll)
            for sec in c.all:
                v = sec(0.0001).v
                if v >= 0:
                    table[int(v)] = sec
            if hasattr(c, "re_init_rng"):
                c.re_init_rng(int(run.get("ionchannel_seed", 0)))
            gid = offs[name] + raw
            nc = h.NetCon(c.soma[0](1)._ref_v, None, sec=c.soma[0])
            nc.threshold = thr
            pc.set_gid2node(gid, 0)
            pc.cell(gid, nc)
            c.gid = gid
            cells[gid] = {
                "cell": c, "table": table,
                "thr": float(a["@dynamics:threshold_current"][raw]) if both_cur else 0.0,
                "hold": float(a["@dynamics:holding_current"][raw]) if both_cur else 0.0,
                "exc_mini": float(a["exc_mini_frequency"][raw]) if both_mini else 0.0,
                "inh_mini": float(a["inh_mini_frequency"][raw]) if both_mini else 0.0}

    replays = []
    for inp in sim.get("inputs", {}).values():
        if inp["module"] != "synapse_replay":
            continue
        times = {}
        with circ.h5py.File(circ.res(inp["spike_file"])) as f:
            for pname in f["spikes"]:
                g = f["spikes"][pname]
                for t, i in zip(g["timestamps"][:], g["node_ids"][:]):
                    if t >= float(inp.get("delay", 0)):
                        times.setdefault((pname, int(i)), []).append(float(t))
        tset = set()
        for name in target:
            tset |= {offs[name] + r for r in circ.select(inp["node_set"], name)}
        replays.append((times, tset))

    helpers = {}

    def helper(mod):
        if mod not in helpers:
            tname = mod + "Helper"
            if not hasattr(h, tname):
                h.load_file(tname + ".hoc")
            extra, scale = [], []
            for suffix, lst in (("_NeededAttributes", extra), ("_UHillScaleVariables", scale)):
                try:
                    txt = getattr(h, tname + suffix)
                except (AttributeError, LookupError):
                    txt = ""
                lst += [x.strip() for x in txt.split(";") if x.strip()]
            helpers[mod] = (getattr(h, tname), extra, scale)
        return helpers[mod]

    def slot(mech):
        try:
            return int(getattr(h, "nc_type_param_" + mech))
        except (AttributeError, LookupError):
            return 0

    # managers: inner populations first, then projections in config order
    chem = [e for e in circ.edges if e[2] in ("chemical", "point_process", "Exp2Syn_synapse")]
    info = []
    for ename, fn, typ in chem:
        with circ.h5py.File(fn) as f:
            g = f["edges"][ename]
            s, t = (g[k].attrs["node_population"] for k in ("source_node_id", "target_node_id"))
        info.append((s.decode() if isinstance(s, bytes) else s,
                     t.decode() if isinstance(t, bytes) else t))
    order, used = [], set()
    for pname in sorted(circ.pops):
        for i, (ename, fn, typ) in enumerate(chem):
            if i in used:
                continue
            if ename == "%s__%s__chemical" % (pname, pname) or \
                    (typ != "Exp2Syn_synapse" and info[i][0] == info[i][1] == pname):
                order.append(i), used.add(i)
                break
    order += [i for i in range(len(chem)) if i not in used]
    nsyn = nmo = 0
    sel = {}

    def in_set(ns_, pop, raw):
        if (ns_, pop) not in sel:
            sel[(ns_, pop)] = set(circ.select(ns_, pop))
        return raw in sel[(ns_, pop)]

    for i in order:
        ename, fn, typ = chem[i]
        sname, tname = info[i]
        with circ.h5py.File(fn) as f:
            g = f["edges"][ename]
            src, trg = g["source_node_id"][:], g["target_node_id"][:]
            a = {k: g["0"][k][:] for k in g["0"]}
        spop, tpop = nd.pop_id(sname), nd.pop_id(tname)
        svirtual = circ.pops[sname]["type"] == "virtual"
        e2s = typ == "Exp2Syn_synapse"
        ov = []
        for o in overrides:
            sp_, tp_ = node_set_pops(circ, o["source"]), node_set_pops(circ, o["target"])
            if (sp_ is None or sname in sp_) and (tp_ is None or tname in tp_):
                ov.append(o)
        for traw in target.get(tname, []):
            tgid = offs[tname] + traw
            cell = cells[tgid]
            mine = [e for e in range(len(trg)) if trg[e] == traw]
            synid = {e: k for k, e in enumerate(mine)}
            conns = {}
            for e in mine:
                conns.setdefault(int(src[e]), []).append(e)
            for s in sorted(conns, reverse=True):
                # creation and configure phases
                if ov:
                    if len(ov) == 1 and abs(float(ov[0].get("weight", 1.0))) < 1e-12:
                        continue
                    if not any(in_set(o["source"], sname, s) and in_set(o["target"], tname, traw)
                               for o in ov):
                        continue
                wf, mo, minis, confs, csyns = 1.0, None, None, [], []
                for o in ov:
                    if in_set(o["source"], sname, s) and in_set(o["target"], tname, traw):
                        wf = float(o.get("weight", 1.0))
                        minis = o.get("spont_minis")
                        if o.get("synapse_configure"):
                            confs.append(o["synapse_configure"])
                        if o.get("modoverride"):
                            mo = o["modoverride"]
                if e2s and mo is None:
                    raise SystemExit("mo_reference: Exp2Syn edge without modoverride")
                sgid = offs[sname] + s
                for e in conns[s]:
                    styp = int(a["syn_type_id"][e]) if "syn_type_id" in a else -1
                    exc = styp >= 100
                    sid = int(a["afferent_section_id"][e])
                    sec = cell["table"][sid]
                    pos = float(a["afferent_section_pos"][e])
                    x = min(max(pos, 1e-7), 0.9999999)
                    delay = int(float(a["delay"][e]) / dt + 1e-5) * dt
                    w = float(a["conductance"][e])
                    kf = 1.0
                    if ca is not None and not e2s:
                        K = float(a["u_hill_coefficient"][e]) if "u_hill_coefficient" in a else 0
                        kf = (K ** 4 + 16) / 16 * ca ** 4 / (K ** 4 + ca ** 4)
                    if mo:
                        cls, extra, scale = helper(mo)
                        p = Params()
                        vals = {"sgid": s, "delay": delay, "isec": sid, "ipt": -1, "offset": pos,
                                "weight": w, "synType": styp, "location": 0.5,
                                "conductance_ratio": float(a["conductance_scale_factor"][e])
                                if "conductance_scale_factor" in a else -1.0}
                        if not e2s:
                            vals.update({"U": float(a["u_syn"][e]) * kf,
                                         "D": float(a["depression_time"][e]),
                                         "F": float(a["facilitation_time"][e]),
                                         "DTC": float(a["decay_time"][e]),
                                         "nrrp": float(a["n_rrp_vesicles"][e]),
                                         "maskValue": -1.0,
                                         "u_hill_coefficient": float(a["u_hill_coefficient"][e])
                                         if "u_hill_coefficient" in a else 0.0})
                        for k in (E2S if e2s else STD):
                            if k not in vals:
                                vals[k] = float(a[k][e])
                        for k in extra:
                            if k not in vals:
                                vals[k] = float(a[k][e])
                        for k in scale:
                            vals[k] *= kf
                        for k, v in vals.items():
                            setattr(p, k, float(int(v)) if k in INT32 else float(v))
                        sec.push()
                        hl = cls(tgid + 1, p, x, synid[e], base_seed, spop, tpop)
                        h.pop_section()
                        syn = hl.synapse
                        keep.append(hl)
                        nmo += 1
                    else:
                        syn = (h.ProbAMPANMDA_EMS if exc else h.ProbGABAAB_EMS)(x, sec=sec)
                        u = float(a["u_syn"][e]) * kf
                        if exc:
                            syn.tau_d_AMPA = a["decay_time"][e]
                        else:
                            syn.tau_d_GABAA = a["decay_time"][e]
                        syn.Use = abs(u)
                        syn.Dep = abs(float(a["depression_time"][e]))
                        syn.Fac = abs(float(a["facilitation_time"][e]))
                        if a["n_rrp_vesicles"][e] >= 0:
                            syn.Nrrp = a["n_rrp_vesicles"][e]
                        syn.synapseID = synid[e]
                        syn.setRNG(tgid + 1 + 250, synid[e] + 100,
                                   spop * 65536 + tpop + int(run.get("synapse_seed", 0)) + 300)
                        csf = a.get("conductance_scale_factor")
                        if csf is not None and csf[e] >= 0:
                            if exc:
                                syn.NMDA_ratio = csf[e]
                            else:
                                syn.GABAB_ratio = csf[e]
                        keep.append(syn)
                    if hasattr(syn, "conductance"):
                        syn.conductance = w
                    csyns.append(syn)
                    mech = syn.hname().split("[")[0]
                    k = slot(mech)
                    if not svirtual:
                        nc = pc.gid_connect(sgid, syn)
                        nc.delay = delay
                        nc.weight[0] = w * wf
                        nc.threshold = thr
                        keep.append(nc)
                    rate = cell["exc_mini"] if exc else cell["inh_mini"]
                    if minis is not None:
                        rate = float(minis)
                    if rate > 0:
                        ips = h.InhPoissonStim(x, sec=sec)
                        ms = spop * 65536 + tpop + minis_seed
                        ips.setRNGs(synid[e] + 200, tgid + 251, ms + 300,
                                    synid[e] + 200, tgid + 251, ms + 350)
                        tb, rv = h.Vector([0]), h.Vector([rate])
                        ips.setTbins(tb)
                        ips.setRate(rv)
                        ips.duration = tstop
                        mnc = h.NetCon(ips, syn)
                        mnc.delay = 0.1
                        mnc.weight[0] = w * wf
                        if k:
                            mnc.weight[k] = 1
                        keep += [ips, tb, rv, mnc]
                    tl = []
                    for times, tset in replays:
                        if tgid in tset:
                            tl += times.get((sname, s), [])
                    if tl:
                        tv = h.Vector(sorted(tl))
                        vs = h.VecStim()
                        vs.play(tv)
                        rnc = h.NetCon(vs, syn)
                        rnc.threshold = 10
                        rnc.delay = delay
                        rnc.weight[0] = w * wf
                        if k:
                            rnc.weight[k] = 2
                        keep += [tv, vs, rnc]
                    nsyn += 1
                for syn in csyns:  # synapse_configure, after the connection's synapses
                    for code in confs:
                        h("{%s}" % code.replace("%s", syn.hname()))

    run_kv, inputs_kv = stim_oracle.config_inputs(circ.simpath)
    counts = {"noise": 0, "shot": 0, "ou": 0}
    for s in inputs_kv:
        if s["module"] == "synapse_replay":
            continue
        fam = nd.FAMILY.get(s["module"])
        if stim_oracle.is_noop(s):
            continue
        count = counts[fam] if fam else 0
        if fam:
            counts[fam] += 1
        for name in sorted(target):
            for raw in circ.select(s["node_set"], name):
                gid = offs[name] + raw
                if gid not in cells:
                    continue
                cd = cells[gid]
                cinfo = {"threshold": cd["thr"], "holding": cd["hold"], "rin": 0.0, "gid": gid}
                for point, sec in enumerate(cd["cell"].somatic):
                    try:
                        kind, t, y, dur, amp1, rs, cont, _ = stim_oracle.build(
                            s, cinfo, point, count, run_kv)
                    except stim_oracle.Skip:
                        continue
                    if kind != stim_oracle.CURRENT:
                        raise SystemExit("mo_reference: only current inputs")
                    src = (h.IClamp if s.get("represents_physical_electrode") == "true"
                           else h.MembraneCurrentSource)(0.5, sec=sec)
                    src.delay = 0
                    src.dur = dur
                    tv, yv = h.Vector(t), h.Vector(y)
                    if len(t):
                        yv.play(src._ref_amp, tv, cont)
                    keep += [src, tv, yv]
    return h, pc, cells, offs, keep, {"synapses": nsyn, "helper_synapses": nmo}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("--lib", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    circ = nd.Circuit(args.config)
    h, pc, cells, offs, keep, counts = build(circ, args.lib)
    tstop = float(circ.sim["run"]["tstop"])
    recs = {}
    for gid, cd in cells.items():
        recs[gid] = h.Vector()
        recs[gid].record(cd["cell"].soma[0](0.5)._ref_v)
    tv, iv = h.Vector(), h.Vector()
    pc.spike_record(-1, tv, iv)
    pc.set_maxstep(4)
    h.v_init = float(circ.sim.get("conditions", {}).get("v_init", -80))
    h.stdinit()
    cur = round(h.t, 2)
    while cur < tstop:
        nxt = min(tstop, cur + 25)
        pc.psolve(nxt)
        cur = nxt
    res = {"spikes": [[t, int(i)] for t, i in zip(tv, iv)],
           "soma": {str(g): list(v) for g, v in recs.items()},
           "offsets": offs, "counts": counts,
           "pops": {n: p["type"] for n, p in circ.pops.items()}}
    with open(args.out, "w") as f:
        json.dump(res, f)
    print("NEURON: %d cells, %s, %d spikes" % (len(cells), counts, len(res["spikes"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
