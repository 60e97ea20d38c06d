#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A Blue Brain SONATA circuit built in NEURON as neurodamus builds it.

Usage: NEURON_MODULE_OPTIONS=-nogui /usr/bin/python3 nd_reference.py \
           SIMULATION_CONFIG --lib LIBNRNMECH --out RESULT.json

General, driven by the simulation config (not by one circuit): it reads the
circuit config, node sets, nodes and edges with h5py and builds, in one
NEURON process, what neurodamus would build on one rank, following our own
reading of neurodamus (/work/shared/reference/neurodamus-facts.md):
  - gid offsets per population (alphabetical, next multiple of 1000 above the
    previous population's highest registered id), virtual populations;
  - cells of the simulation node_set in ascending raw id: the emodel hoc
    template of model_template, constructor (raw id, morphology dir, file,
    NeededAttributes values or 0), the v(0.0001) section table, re_init_rng
    (ionchannel_seed) while the template gid is the raw id, spike NetCon at
    soma[0](1) (or axon[1](0.5) for spike_location AIS), then gid := final;
  - chemical edges (inner populations first, then projections in config
    order; per post cell connections in descending source gid; synapse id =
    index among the cell's afferent edges): ProbAMPANMDA_EMS (syn_type_id >=
    100) / ProbGABAAB_EMS with every BBP parameter, the calcium u scaling,
    NMDA/GABAB ratio from conductance_scale_factor, setRNG(final+1+250,
    synapse_id+100, spop*65536+tpop+synapse_seed+300) with MD5 population
    ids, delays truncated to dt, presynaptic NetCons from non-virtual
    sources, minis through InhPoissonStim, replay VecStims;
  - electrical edges: Gap per edge, pc.source_var / pc.target_var with the
    afferent / efferent junction ids (g = conductance, nS);
  - stimuli in file order at each soma section (0.5), signals built with
    NEURON by tests/driver/stim_oracle.py (neurodamus's algorithms and
    Random123 draws), played into IClamp / MembraneCurrentSource /
    ConductanceSource / SEClamp;
  - stdinit and psolve in 25 ms chunks.
Also randomize_gaba_rise_time (a lognormal tau_r_GABAA per GABAAB synapse).
connection_overrides and conditions.modifications are not implemented here
(the script refuses configs that have them).

RESULT: spikes [[t, final gid]], soma v of every cell at every step
(soma[0](0.5)), offsets, counts."""
import argparse
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "driver"))
sys.dont_write_bytecode = True  # nothing written into the source tree
import nd_common  # noqa: E402  (synapses, minis, replay sources)


# ---- configs ------------------------------------------------------------------

def load_json(path):
    with open(path) as f:
        return json.load(f)


def resolver(cfg, base):
    man = cfg.get("manifest", {})

    def res(p):
        if p is None:
            return None
        for _ in range(8):
            m = re.search(r"\$[A-Za-z0-9_]+", p)
            if not m:
                break
            p = p.replace(m.group(0), man[m.group(0)])
        return os.path.normpath(p if os.path.isabs(p) else os.path.join(base, p))
    return res


def pop_id(name):
    d = hashlib.md5(name.encode()).digest()
    return ((d[1] & 0x0F) << 8) + d[0]


class Circuit:
    def __init__(self, simpath):
        import h5py
        self.h5py = h5py
        self.simpath = simpath
        self.sim = load_json(simpath)
        res = resolver(self.sim, os.path.dirname(os.path.abspath(simpath)))
        netpath = res(self.sim.get("network", "circuit_config.json"))
        self.cc = load_json(netpath)
        cres = resolver(self.cc, os.path.dirname(netpath))
        self.res = res
        comp = self.cc.get("components", {})
        self.nodesets = {}
        if "node_sets_file" in self.cc:
            self.nodesets.update(load_json(cres(self.cc["node_sets_file"])))
        if "node_sets_file" in self.sim:
            self.nodesets.update(load_json(res(self.sim["node_sets_file"])))
        self.pops = {}  # name -> dict(type, size, attrs(lazy), dirs)
        for nf in self.cc["networks"]["nodes"]:
            path = cres(nf["nodes_file"])
            for name, pc in nf["populations"].items():
                d = dict(comp)
                d.update(pc)
                with h5py.File(path) as f:
                    size = len(f["nodes"][name]["node_type_id"])
                self.pops[name] = {
                    "type": d.get("type", "biophysical"), "size": size, "file": path,
                    "morph": cres(d.get("morphologies_dir")),
                    "alt": {k: cres(v) for k, v in d.get("alternate_morphologies", {}).items()},
                    "hoc": cres(d.get("biophysical_neuron_models_dir")),
                }
        self.edges = []  # (name, file, type)
        for ef in self.cc["networks"].get("edges", []):
            path = cres(ef["edges_file"])
            for name, pc in ef["populations"].items():
                self.edges.append((name, path, pc.get("type", "chemical")))
        self.mechanisms_dir = cres(comp.get("mechanisms_dir"))

    def attrs(self, pop, names):
        with self.h5py.File(self.pops[pop]["file"]) as f:
            g = f["nodes"][pop]["0"]
            out = {}
            for n in names:
                if n.startswith("@dynamics:"):
                    k = n.split(":", 1)[1]
                    if "dynamics_params" in g and k in g["dynamics_params"]:
                        out[n] = g["dynamics_params"][k][:]
                elif n in g:
                    v = g[n][:]
                    if v.dtype.kind in "OS":
                        v = [x.decode() if isinstance(x, bytes) else x for x in v]
                    out[n] = v
            return out

    def select(self, ns, pop):
        """sorted raw ids of population pop in node set ns"""
        d = self.nodesets[ns]
        if isinstance(d, list):
            ids = set()
            for sub in d:
                ids |= set(self.select(sub, pop))
            return sorted(ids)
        ps = d.get("population")
        if ps is not None:
            ps = ps if isinstance(ps, list) else [ps]
            if pop not in ps:
                return []
        ids = list(range(self.pops[pop]["size"]))
        if "node_id" in d:
            ids = sorted(set(int(i) for i in d["node_id"]) & set(ids))
        rest = [k for k in d if k not in ("population", "node_id")]
        if rest:
            a = self.attrs(pop, rest)
            for k in rest:
                want = d[k] if isinstance(d[k], list) else [d[k]]
                if k not in a:
                    return []
                ids = [i for i in ids if a[k][i] in want]
        return ids


# ---- neurodamus's rules -------------------------------------------------------------

def offsets_of(circ, target):
    """facts §1: alphabetical, each next offset the smallest multiple of 1000
    above the previous population's highest registered id."""
    offs, prev = {}, None
    for name in sorted(circ.pops):
        p = circ.pops[name]
        if p["type"] == "virtual":
            mx = p["size"] - 1
        else:
            mx = max(target.get(name, []) or [0])
        off = 0 if prev is None else ((prev[0] + prev[1]) // 1000 + 1) * 1000
        offs[name] = off
        prev = (off, mx)
    return offs


FAMILY = {"noise": "noise", "shot_noise": "shot", "relative_shot_noise": "shot",
          "absolute_shot_noise": "shot", "ornstein_uhlenbeck": "ou",
          "relative_ornstein_uhlenbeck": "ou"}


def make_cells(h, pc, circ, target, offs):
    """the cells of target (population -> ascending raw ids): the emodel hoc
    template of model_template, constructor (raw id, morphology dir, file,
    NeededAttributes values or 0), the v(0.0001) section table, re_init_rng
    (ionchannel_seed) while the template gid is the raw id, spike NetCon at
    soma[0](1) (or axon[1](0.5) for spike_location AIS), then gid := final.
    Returns final gid -> dict(cell, pop, raw, table, thr, hold, exc_mini,
    inh_mini)."""
    run = circ.sim["run"]
    cond = circ.sim.get("conditions", {})
    thr = float(run.get("spike_threshold", -30))
    cells = {}
    for name in sorted(target):
        p = circ.pops[name]
        ids = target[name]
        if not ids:
            continue
        a = circ.attrs(name, ["model_template", "morphology", "@dynamics:threshold_current",
                              "@dynamics:holding_current", "exc_mini_frequency",
                              "inh_mini_frequency"])
        if "neurolucida-asc" in p["alt"]:
            mdir, ext = p["alt"]["neurolucida-asc"], "asc"
        elif "h5v1" in p["alt"]:
            mdir, ext = p["alt"]["h5v1"], "h5"
        else:
            mdir, ext = p["morph"], "swc"
        both_cur = "@dynamics:threshold_current" in a and "@dynamics:holding_current" in a
        both_mini = "exc_mini_frequency" in a and "inh_mini_frequency" in a
        for raw in ids:
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
            if cond.get("spike_location", "soma") == "AIS":
                nc = h.NetCon(c.axon[1](0.5)._ref_v, None, sec=c.axon[1])
            else:
                nc = h.NetCon(c.soma[0](1)._ref_v, None, sec=c.soma[0])
            nc.threshold = thr
            pc.set_gid2node(gid, 0)
            pc.cell(gid, nc)
            c.gid = gid
            cells[gid] = {
                "cell": c, "pop": name, "raw": raw, "table": table,
                "thr": float(a["@dynamics:threshold_current"][raw]) if both_cur else 0.0,
                "hold": float(a["@dynamics:holding_current"][raw]) if both_cur else 0.0,
                "exc_mini": float(a["exc_mini_frequency"][raw]) if both_mini else 0.0,
                "inh_mini": float(a["inh_mini_frequency"][raw]) if both_mini else 0.0}
    return cells


def replay_table(circ, target, offs):
    """replay spikes of every synapse_replay input: [(times, target gids)],
    times (source population, raw) -> spike times at or after the delay"""
    replays = []
    for inp in circ.sim.get("inputs", {}).values():
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
    return replays


def chem_order(circ, chem):
    """neurodamus' order of the synapse managers of the edge populations
    chem [(name, file, type)]: per population (by name) its inner one
    (named P__P__chemical, else the first non-Exp2Syn_synapse one with
    source = target = P), then the others in config order.  Returns
    (order, [(source population, target population)] of chem)."""
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
    return order, info


def add_stimuli(h, circ, target, offs, cells, keep, current_only=None):
    """the stimuli of the config in file order at each soma section (0.5),
    signals from stim_oracle; current_only: a script name, and inputs that
    are not currents are refused.  Returns how many were made."""
    import stim_oracle  # neurodamus's signal algorithms, built with NEURON
    run_kv, inputs_kv = stim_oracle.config_inputs(circ.simpath)
    counts = {"noise": 0, "shot": 0, "ou": 0}
    nstim = 0
    for s in inputs_kv:
        if s["module"] == "synapse_replay":
            continue
        fam = FAMILY.get(s["module"])
        if stim_oracle.is_noop(s):
            continue
        count = counts[fam] if fam else 0
        if fam:
            counts[fam] += 1
        phys = s.get("represents_physical_electrode") == "true"
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
                    if current_only and kind != stim_oracle.CURRENT:
                        raise SystemExit("%s: only current inputs" % current_only)
                    if kind == stim_oracle.CURRENT:
                        src = (h.IClamp if phys else h.MembraneCurrentSource)(0.5, sec=sec)
                        src.delay = 0
                        src.dur = dur
                        var = src._ref_amp
                    elif kind == stim_oracle.CONDUCTANCE:
                        src = (h.SEClamp if phys else h.ConductanceSource)(0.5, sec=sec)
                        src.amp1 = amp1
                        src.dur1 = dur
                        var = src._ref_rs
                    else:
                        src = h.SEClamp(0.5, sec=sec)
                        src.rs, src.dur1, src.amp1 = rs, dur, amp1
                        var = src._ref_amp1
                    tv, yv = h.Vector(t), h.Vector(y)
                    if len(t):
                        yv.play(var, tv, cont)
                    keep += [src, tv, yv]
                    nstim += 1
    return nstim


def setup_neuron(h, circ):
    """the run's global settings in NEURON: Random123 global index
    (random_seed), celsius, dt, secondorder (integration_method), the
    conditions.mechanisms globals; returns the ParallelContext"""
    run = circ.sim["run"]
    cond = circ.sim.get("conditions", {})
    pc = h.ParallelContext()
    h.Random().Random123_globalindex(int(run.get("random_seed", 0)))
    h.celsius = float(cond.get("celsius", 34))
    h.dt = float(run["dt"])
    h.steps_per_ms = 1.0 / h.dt
    h.secondorder = {"euler": 0, "crank_nicolson": 1, "crank_nicolson_ion": 2}[
        run.get("integration_method", "euler")]
    for suffix, vars_ in cond.get("mechanisms", {}).items():
        for k, v in vars_.items():
            setattr(h, "%s_%s" % (k, suffix), float(v))
    return pc


def targets_of(circ):
    """biophysical population -> ascending raw ids of the simulation's
    node_set (every cell without one)"""
    ns = circ.sim.get("node_set")
    target = {}
    for name, p in circ.pops.items():
        if p["type"] == "biophysical":
            target[name] = circ.select(ns, name) if ns else list(range(p["size"]))
    return target


def build(circ, lib):
    from neuron import h
    h.nrn_load_dll(lib)
    h.load_file("stdrun.hoc")
    h.load_file("import3d.hoc")
    sim = circ.sim
    if sim.get("connection_overrides"):
        raise SystemExit("nd_reference: connection_overrides are not implemented")
    cond = sim.get("conditions", {})
    if cond.get("modifications"):
        raise SystemExit("nd_reference: conditions.modifications are not implemented")
    gaba_rise = bool(cond.get("randomize_gaba_rise_time"))
    run = sim["run"]
    dt, tstop = float(run["dt"]), float(run["tstop"])
    thr = float(run.get("spike_threshold", -30))
    syn_seed, minis_seed = int(run.get("synapse_seed", 0)), int(run.get("minis_seed", 0))
    pc = setup_neuron(h, circ)
    ca = cond.get("extracellular_calcium")

    # the cells of the node set, offsets
    target = targets_of(circ)
    offs = offsets_of(circ, target)
    cells = make_cells(h, pc, circ, target, offs)
    keep = []

    # replay spikes: (source population, raw) -> times, per input node set
    replays = replay_table(circ, target, offs)

    # chemical edges: inner populations (by name), then projections in config order
    chem = [e for e in circ.edges if e[2] in ("chemical", "point_process")]
    order, _ = chem_order(circ, chem)
    nsyn, nmini, nrep, nskip = 0, 0, 0, 0
    for i in order:
        ename, fn, _ = chem[i]
        with circ.h5py.File(fn) as f:
            g = f["edges"][ename]
            sname = g["source_node_id"].attrs["node_population"]
            tname = g["target_node_id"].attrs["node_population"]
            sname = sname.decode() if isinstance(sname, bytes) else sname
            tname = tname.decode() if isinstance(tname, bytes) else tname
            src, trg = g["source_node_id"][:], g["target_node_id"][:]
            a = {k: g["0"][k][:] for k in g["0"]}
        spop, tpop = pop_id(sname), pop_id(tname)
        svirtual = circ.pops[sname]["type"] == "virtual"
        for traw in target.get(tname, []):
            tgid = offs[tname] + traw
            cell = cells[tgid]
            mine = [e for e in range(len(trg)) if trg[e] == traw]  # ascending edge id
            synid = {e: k for k, e in enumerate(mine)}
            conns = {}
            for e in mine:
                conns.setdefault(int(src[e]), []).append(e)
            for s in sorted(conns, reverse=True):
                sgid = offs[sname] + s
                for e in conns[s]:
                    exc = a["syn_type_id"][e] >= 100
                    sid = int(a["afferent_section_id"][e])
                    sec = cell["table"][sid] if sid < len(cell["table"]) else None
                    if sid >= len(cell["table"]):
                        raise SystemExit("edge %s %d: section id %d >= nSecAll" % (ename, e, sid))
                    if sec is None:  # a deleted (axon) section: neurodamus warns, skips
                        nskip += 1
                        continue
                    x = min(max(float(a["afferent_section_pos"][e]), 1e-7), 0.9999999)
                    u = float(a["u_syn"][e])
                    if ca is not None:
                        K = float(a["u_hill_coefficient"][e]) if "u_hill_coefficient" in a else 0.0
                        u *= (K ** 4 + 16) / 16 * ca ** 4 / (K ** 4 + ca ** 4)
                    syn = nd_common.prob_synapse(h, a, e, x, sec, exc, u, synid[e], tgid, spop,
                                                 tpop, syn_seed, gaba_rise)
                    syn.conductance = a["conductance"][e]
                    delay = int(float(a["delay"][e]) / dt + 1e-5) * dt
                    w = float(a["conductance"][e])
                    keep.append(syn)
                    if not svirtual:
                        nc = pc.gid_connect(sgid, syn)
                        nc.delay = delay
                        nc.weight[0] = w
                        nc.threshold = thr
                        keep.append(nc)
                    rate = cell["exc_mini"] if exc else cell["inh_mini"]
                    if rate > 0:
                        keep += nd_common.add_minis(h, syn, rate, w, 4, synid[e], tgid, spop,
                                                    tpop, minis_seed, tstop)
                        nmini += 1
                    tl = []
                    for times, tset in replays:
                        if tgid in tset:
                            tl += times.get((sname, s), [])
                    if tl:
                        keep += nd_common.add_replay(h, syn, tl, delay, w, 4)
                        nrep += 1
                    nsyn += 1

    # gap junctions
    ngap = 0
    for ename, fn, typ in circ.edges:
        if typ != "electrical":
            continue
        with circ.h5py.File(fn) as f:
            g = f["edges"][ename]
            sname = g["source_node_id"].attrs["node_population"]
            tname = g["target_node_id"].attrs["node_population"]
            sname = sname.decode() if isinstance(sname, bytes) else sname
            tname = tname.decode() if isinstance(tname, bytes) else tname
            src, trg = g["source_node_id"][:], g["target_node_id"][:]
            a = {k: g["0"][k][:] for k in g["0"]}
        srcset = set(target.get(sname, []))
        # neurodamus' finalize order: per post cell, connections by
        # descending source, edges ascending
        for e in sorted(range(len(trg)), key=lambda k: (int(trg[k]), -int(src[k]), k)):
            tgid = offs[tname] + int(trg[e])
            if tgid not in cells or int(src[e]) not in srcset:
                continue
            sec = cells[tgid]["table"][int(a["afferent_section_id"][e])]
            x = min(max(float(a["afferent_section_pos"][e]), 1e-7), 0.9999999)
            gap = h.Gap(x, sec=sec)
            gap.g = float(a["conductance"][e])  # nS, as neurodamus' gap.mod
            # our Gap.mod reads vgap through a POINTER, and NEURON's target_var
            # wants a variable inside a point process: point vgap at the amp
            # of an IClamp that never switches on (i = 0 exactly); a Gap with
            # a RANGE vgap (neurodamus' style; setpointer refuses it) is the
            # target itself
            hold = h.IClamp(x, sec=sec)
            hold.delay, hold.dur = 1e9, 0
            try:
                h.setpointer(hold._ref_amp, "vgap", gap)
                pc.target_var(hold, hold._ref_amp, int(a["efferent_junction_id"][e]))
            except (RuntimeError, TypeError):  # TypeError in NEURON 8.2
                pc.target_var(gap, gap._ref_vgap, int(a["efferent_junction_id"][e]))
            keep.append(hold)
            pc.source_var(sec(x)._ref_v, int(a["afferent_junction_id"][e]), sec=sec)
            keep.append(gap)
            ngap += 1

    # stimuli, in file order
    nstim = add_stimuli(h, circ, target, offs, cells, keep)
    return h, pc, cells, offs, keep, {"synapses": nsyn, "skipped": nskip, "minis": nmini,
                                      "replay": nrep,
                                      "gaps": ngap, "stimuli": nstim}


def simulate(circ, h, pc, cells, offs, counts, out, transfer=True):
    """record soma[0](0.5) v of every cell and the spikes, stdinit, psolve
    in 25 ms chunks; write RESULT to out"""
    tstop = float(circ.sim["run"]["tstop"])
    recs = {}
    for gid, cd in cells.items():
        recs[gid] = h.Vector()
        recs[gid].record(cd["cell"].soma[0](0.5)._ref_v)
    tv, iv = h.Vector(), h.Vector()
    pc.spike_record(-1, tv, iv)
    if transfer:
        pc.setup_transfer()
    # no cvode.cache_efficient(1) as neurodamus calls (same numbers): its
    # data reordering leaves the vgap POINTER into the IClamp holder stale
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
    with open(out, "w") as f:
        json.dump(res, f)
    print("NEURON: %d cells, %s, %d spikes" % (len(cells), counts, len(res["spikes"])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("--lib", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
    circ = Circuit(args.config)
    h, pc, cells, offs, keep, counts = build(circ, args.lib)
    simulate(circ, h, pc, cells, offs, counts, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
