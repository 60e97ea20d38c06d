#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A Blue Brain circuit with connection_overrides and modoverride helpers,
built in NEURON as neurodamus builds it (our reading of neurodamus, facts
§3 of /work/shared/reference/neurodamus-facts.md).

Usage: NEURON_MODULE_OPTIONS=-nogui HOC_LIBRARY_PATH=DIR /usr/bin/python3 \\
           mo_reference.py SIMULATION_CONFIG --lib LIBNRNMECH --out RESULT.json

Like ../bbp50/nd_reference.py (whose Circuit, settings, cells, offsets,
replay spikes, manager order, stimuli and run it uses; synapses, minis and
replay sources from ../nd_common.py),
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
import nd_common  # noqa: E402
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
    pc = nd.setup_neuron(h, circ)
    ca = cond.get("extracellular_calcium")

    # cells, replay spikes (as nd_reference)
    target = nd.targets_of(circ)
    offs = nd.offsets_of(circ, target)
    cells = nd.make_cells(h, pc, circ, target, offs)
    keep = []
    replays = nd.replay_table(circ, target, offs)

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

    # managers: inner populations first, then projections in config order
    chem = [e for e in circ.edges if e[2] in ("chemical", "point_process", "Exp2Syn_synapse")]
    order, info = nd.chem_order(circ, chem)
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
                        syn = nd_common.prob_synapse(h, a, e, x, sec, exc,
                                                     float(a["u_syn"][e]) * kf, synid[e], tgid,
                                                     spop, tpop, int(run.get("synapse_seed", 0)))
                        keep.append(syn)
                    if hasattr(syn, "conductance"):
                        syn.conductance = w
                    csyns.append(syn)
                    k = nd_common.nc_slot(h, syn)
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
                        keep += nd_common.add_minis(h, syn, rate, w * wf, k, synid[e], tgid, spop,
                                                    tpop, minis_seed, tstop)
                    tl = []
                    for times, tset in replays:
                        if tgid in tset:
                            tl += times.get((sname, s), [])
                    if tl:
                        keep += nd_common.add_replay(h, syn, tl, delay, w * wf, k)
                    nsyn += 1
                for syn in csyns:  # synapse_configure, after the connection's synapses
                    for code in confs:
                        h("{%s}" % code.replace("%s", syn.hname()))

    nd.add_stimuli(h, circ, target, offs, cells, keep, current_only="mo_reference")
    return h, pc, cells, offs, keep, {"synapses": nsyn, "helper_synapses": nmo}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("--lib", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    circ = nd.Circuit(args.config)
    h, pc, cells, offs, keep, counts = build(circ, args.lib)
    nd.simulate(circ, h, pc, cells, offs, counts, args.out, transfer=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
