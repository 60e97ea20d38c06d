#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Generate a small Allen Institute (BMTK layout) biophysical SONATA circuit.

Usage:
  /usr/bin/python3 tools/gen_allen_circuit.py OUTDIR [--cells N] [--virtual M]
        [--seed S] [--tstop T] [--components DIR] [--relative-components]
        [--dyn-in-h5] [--sonata-names] [--iclamp-site NAME,INDEX,DIST]
        [--placement] [--expsyn] [--report] [--point N]

Everything is written by this script from a seed.  OUTDIR receives

  config.json                 {"network", "simulation"} (BMTK's top config)
  circuit_config.json         manifest ($NETWORK_DIR, $COMPONENT_DIR) and
                              components: morphologies_dir and
                              biophysical_neuron_models_dir in the shared
                              components (absolute, or relative to OUTDIR with
                              --relative-components), synaptic_models_dir ours
  simulation_config.json      run (dt 0.025, dL 20, spike_threshold -15),
                              conditions (celsius 34, v_init -80), inputs
                              (spike file for `lgn`, an IClamp with lists of
                              amp/delay/duration on node set `stim`; at
                              soma[0](0.5) or --iclamp-site), output
  node_sets.json              v1, lgn, stim
  network/v1_nodes.h5 + v1_node_types.csv
                              population `v1`: N biophysical cells, model_template
                              ctdb:Biophys1.hoc, model_processing
                              aibs_perisomatic, morphology + dynamics_params (a
                              Cell Types fit) per node type (--dyn-in-h5: the
                              fit as a node attribute instead)
  network/lgn_nodes.h5 + lgn_node_types.csv
                              population `lgn`: M virtual nodes
  network/v1_v1_edges.h5 + v1_v1_edge_types.csv
  network/lgn_v1_edges.h5 + lgn_v1_edge_types.csv
                              one synapse per edge at an explicit sec_id/sec_x
                              (BMTK's preselected placement), syn_weight per
                              edge, delay and dynamics_params per edge type,
                              model_template exp2syn (--sonata-names:
                              afferent_section_id/afferent_section_pos)
                              --placement: no positions; nsyns per edge
                              (0..3) and, per edge type, target_sections
                              and distance_range (BMTK places the synapses
                              with np.random.RandomState(gid))
                              --expsyn: edges from inhibitory cells use
                              model_template expsyn (ExpSyn, tau = tau1)
  synaptic_models/*.json      our Exp2Syn parameters (tau1, tau2, erev)
  --point N                   population `pn`: N IntFire1 point neurons
                              (point_process, nrn:IntFire1, our
                              point_neuron_models/*.json in seconds), edges
                              v1 -> pn and lgn -> pn with nsyns and
                              instantaneous synapses (sign +-1: weight
                              syn_weight * sign * nsyns), pn -> v1 onto the
                              biophysical cells like the other edges
  --report                    reports: membrane_report of v on all sections
                              (dt 0.1), on soma (SomaReport), on dend
                              (start 20, end tstop - 40, dt 0.05)
  inputs/lgn_spikes.h5        Poisson spikes of `lgn` (SONATA spike file)

sec_id is drawn below a lower bound of the cell's section count (soma,
the SWC's dendritic sections, the two axon stubs of aibs_perisomatic), so
every id exists in the cell BMTK builds (hobj.all order)."""
import argparse
import json
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_COMPONENTS = os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "data", "circuits", "shared_components"))

# (model_name, ei, morphology, fit): BMTK's V1 example pairs
TYPES = [
    ("Scnn1a", "e", "Scnn1a_473845048_m.swc", "472363762_fit.json"),
    ("PV1", "i", "Pvalb_470522102_m.swc", "472912177_fit.json"),
    ("Nr5a1", "e", "Nr5a1_471087815_m.swc", "473863035_fit.json"),
    ("PV2", "i", "Pvalb_469628681_m.swc", "473862421_fit.json"),
    ("Rorb", "e", "Rorb_325404214_m.swc", "473863510_fit.json"),
]

# our synaptic models (name -> tau1, tau2, erev)
SYNAPSES = {
    "rvExc2Exc.json": (0.9, 2.8, 0.0),
    "rvExc2Inh.json": (0.4, 1.9, 0.0),
    "rvInh2Exc.json": (2.5, 14.0, -72.0),
    "rvInh2Inh.json": (1.1, 8.5, -70.0),
}


def dend_sections(swc):
    """A lower bound of the dendritic sections Import3d makes of an SWC:
    points of type 3/4 whose parent is a soma point or a branch point."""
    pts = {}
    children = {}
    for line in open(swc):
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        i, t, p = int(f[0]), int(f[1]), int(f[6])
        pts[i] = (t, p)
        children[p] = children.get(p, 0) + 1
    n = 0
    for i, (t, p) in pts.items():
        if t in (3, 4) and p in pts and (pts[p][0] == 1 or children.get(p, 0) > 1):
            n += 1
    return n


def write_types_csv(path, header, rows):
    with open(path, "w") as f:
        f.write(" ".join(header) + "\n")
        for r in rows:
            f.write(" ".join(str(x) for x in r) + "\n")


def write_nodes(path, pop, type_ids, attrs):
    n = len(type_ids)
    with h5py.File(path, "w") as f:
        g = f.create_group("nodes/" + pop)
        g["node_id"] = np.arange(n, dtype=np.uint64)
        g["node_type_id"] = np.asarray(type_ids, dtype=np.uint64)
        g["node_group_id"] = np.zeros(n, dtype=np.uint32)
        g["node_group_index"] = np.arange(n, dtype=np.uint64)
        g0 = g.create_group("0")
        for k, v in attrs.items():
            if isinstance(v[0], str):
                g0.create_dataset(k, data=np.array(v, dtype=h5py.string_dtype()))
            else:
                g0[k] = np.asarray(v)


def write_edges(path, pop, src_pop, trg_pop, src, trg, type_ids, attrs):
    n = len(src)
    with h5py.File(path, "w") as f:
        g = f.create_group("edges/" + pop)
        d = g.create_dataset("source_node_id", data=np.asarray(src, dtype=np.uint64))
        d.attrs["node_population"] = src_pop
        d = g.create_dataset("target_node_id", data=np.asarray(trg, dtype=np.uint64))
        d.attrs["node_population"] = trg_pop
        g["edge_type_id"] = np.asarray(type_ids, dtype=np.uint64)
        g["edge_group_id"] = np.zeros(n, dtype=np.uint32)
        g["edge_group_index"] = np.arange(n, dtype=np.uint64)
        g0 = g.create_group("0")
        for k, v in attrs.items():
            g0[k] = v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--cells", type=int, default=12)
    ap.add_argument("--virtual", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tstop", type=float, default=400.0)
    ap.add_argument("--components", default=DEFAULT_COMPONENTS)
    ap.add_argument("--relative-components", action="store_true")
    ap.add_argument("--dyn-in-h5", action="store_true")
    ap.add_argument("--sonata-names", action="store_true")
    ap.add_argument("--iclamp-site", default=None)
    ap.add_argument("--placement", action="store_true")
    ap.add_argument("--expsyn", action="store_true")
    ap.add_argument("--report", action="store_true")
    ap.add_argument("--point", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.RandomState(a.seed)
    out = os.path.abspath(a.outdir)
    comp = os.path.abspath(a.components)
    for sub in ("network", "inputs", "synaptic_models"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    if not os.path.isdir(os.path.join(comp, "morphologies")):
        sys.exit("gen_allen_circuit: no morphologies in %s" % comp)
    comp_ref = os.path.relpath(comp, out) if a.relative_components else comp

    # ---- v1: biophysical cells
    n = a.cells
    ntypes = len(TYPES)
    tidx = [k % ntypes for k in range(n)]
    rng.shuffle(tidx)
    type_ids = [100 + t for t in tidx]
    nsec = [1 + dend_sections(os.path.join(comp, "morphologies", TYPES[t][2])) + 2 for t in tidx]
    attrs = {"x": rng.uniform(-100, 100, n), "y": rng.uniform(-350, -300, n),
             "z": rng.uniform(-100, 100, n), "tuning_angle": rng.uniform(0, 360, n)}
    header = ["node_type_id", "model_type", "model_template", "model_processing", "ei",
              "model_name", "morphology"]
    if a.dyn_in_h5:
        attrs["dynamics_params"] = [TYPES[t][3] for t in tidx]
    else:
        header.append("dynamics_params")
    rows = []
    for k, (name, ei, morph, fit) in enumerate(TYPES):
        r = [100 + k, "biophysical", "ctdb:Biophys1.hoc", "aibs_perisomatic", ei, name, morph]
        if not a.dyn_in_h5:
            r.append(fit)
        rows.append(r)
    write_nodes(os.path.join(out, "network", "v1_nodes.h5"), "v1", type_ids, attrs)
    write_types_csv(os.path.join(out, "network", "v1_node_types.csv"), header, rows)

    # ---- lgn: virtual
    m = a.virtual
    write_nodes(os.path.join(out, "network", "lgn_nodes.h5"), "lgn", [100] * m,
                {"x": rng.uniform(0, 1, m)})
    write_types_csv(os.path.join(out, "network", "lgn_node_types.csv"),
                    ["node_type_id", "model_type", "ei", "model_name"],
                    [[100, "virtual", "e", "lgn_e"]])

    # ---- synaptic models
    for name, (t1, t2, e) in SYNAPSES.items():
        with open(os.path.join(out, "synaptic_models", name), "w") as f:
            json.dump({"level_of_detail": "exp2syn", "tau1": t1, "tau2": t2, "erev": e}, f,
                      indent=2)

    ei = [TYPES[t][1] for t in tidx]

    def syn_name(se, te):
        return "rv%s2%s.json" % ("Exc" if se == "e" else "Inh", "Exc" if te == "e" else "Inh")

    SID, SX = ("afferent_section_id", "afferent_section_pos") if a.sonata_names else \
        ("sec_id", "sec_x")
    # --placement: target_sections / distance_range by edge type (BMTK's CSV
    # spelling: a quoted Python list, a JSON list)
    PLACE = {100: ("['basal', 'apical']", "[0.0, 150.0]"),
             101: ("['somatic', 'basal']", "[0.0, 1e20]"),
             102: ("['somatic']", "[0.0, 50.0]"),
             103: ("['dend', 'soma']", "[20.0, 400.0]")}
    LGN_PLACE = {100: ("['apical', 'basal']", "[30.0, 250.0]"),
                 101: ("['basal', 'somatic']", "[0.0, 200.0]")}

    def positions(attrs, sid, sx, nsy):
        if a.placement:
            attrs["nsyns"] = pick(nsy, np.int64) if pick else np.asarray(nsy, np.int64)
        else:
            attrs[SID] = pick(sid, np.int64) if pick else np.asarray(sid, np.int64)
            attrs[SX] = pick(sx, np.float64) if pick else np.asarray(sx, np.float64)
        return attrs

    def templ(se):
        return "expsyn" if a.expsyn and se == "i" else "exp2syn"

    def type_row(row, tid, place):
        if a.placement:
            ts, dr = place[tid]
            row += ['"%s"' % ts, '"%s"' % dr]
        return row

    type_head = ["edge_type_id", "target_query", "source_query", "delay", "weight_function",
                 "dynamics_params", "model_template"]
    if a.placement:
        type_head += ["target_sections", "distance_range"]

    # ---- v1 -> v1: each pair with probability 0.3 (no autapses), 1..3 edges
    src, trg, et, sid, sx, w, nsy = [], [], [], [], [], [], []
    for t in range(n):
        for s in range(n):
            if s == t or rng.uniform() > 0.3:
                continue
            for _ in range(rng.randint(1, 4)):
                src.append(s)
                trg.append(t)
                et.append(100 + 2 * (ei[s] == "i") + (ei[t] == "i"))
                sid.append(rng.randint(0, nsec[t]))
                sx.append(float(np.round(rng.uniform(0, 1), 6)))
                w.append((0.002 if ei[s] == "e" else 0.004) * rng.uniform(0.5, 1.5))
                nsy.append(rng.randint(0, 4))
    order = np.lexsort((np.arange(len(trg)), trg))  # by target (BMTK writes them so)
    pick = lambda v, dt: np.asarray(v, dtype=dt)[order]
    write_edges(os.path.join(out, "network", "v1_v1_edges.h5"), "v1_to_v1", "v1", "v1",
                pick(src, np.uint64), pick(trg, np.uint64), pick(et, np.uint64),
                positions({"syn_weight": pick(w, np.float64)}, sid, sx, nsy))
    rows = []
    for se in "ei":
        for te in "ei":
            tid = 100 + 2 * (se == "i") + (te == "i")
            rows.append(type_row([tid, "ei=='%s'" % te, "ei=='%s'" % se,
                                  1.5 if se == "e" else 2.0, "wmax", syn_name(se, te),
                                  templ(se)], tid, PLACE))
    write_types_csv(os.path.join(out, "network", "v1_v1_edge_types.csv"), type_head, rows)

    # ---- lgn -> v1: every cell gets 4..8 edges from random lgn nodes
    src, trg, et, sid, sx, w, nsy = [], [], [], [], [], [], []
    for t in range(n):
        for _ in range(rng.randint(4, 9)):
            src.append(rng.randint(0, m))
            trg.append(t)
            et.append(100 + (ei[t] == "i"))
            sid.append(rng.randint(0, nsec[t]))
            sx.append(float(np.round(rng.uniform(0, 1), 6)))
            w.append(0.004 * rng.uniform(0.5, 1.5))
            nsy.append(rng.randint(1, 4))
    pick = None
    n_lgn_edges = len(src)
    write_edges(os.path.join(out, "network", "lgn_v1_edges.h5"), "lgn_to_v1", "lgn", "v1",
                np.asarray(src, np.uint64), np.asarray(trg, np.uint64), np.asarray(et, np.uint64),
                positions({"syn_weight": np.asarray(w, np.float64)}, sid, sx, nsy))
    write_types_csv(os.path.join(out, "network", "lgn_v1_edge_types.csv"), type_head,
                    [type_row([100, "ei=='e'", "*", 2.0, "wmax", "rvExc2Exc.json", "exp2syn"],
                              100, LGN_PLACE),
                     type_row([101, "ei=='i'", "*", 2.0, "wmax", "rvExc2Inh.json", "exp2syn"],
                              101, LGN_PLACE)])

    # ---- lgn spikes: Poisson 20 Hz each
    ts, ids = [], []
    for k in range(m):
        t = 0.0
        while True:
            t += rng.exponential(1000.0 / 20.0)
            if t >= a.tstop:
                break
            ts.append(round(t, 3))
            ids.append(k)
    o = np.argsort(ts, kind="stable")
    with h5py.File(os.path.join(out, "inputs", "lgn_spikes.h5"), "w") as f:
        g = f.create_group("spikes/lgn")
        g.attrs["sorting"] = np.array(2, dtype=np.uint8)  # by_time
        d = g.create_dataset("timestamps", data=np.asarray(ts, np.float64)[o])
        d.attrs["units"] = "ms"
        g["node_ids"] = np.asarray(ids, np.uint64)[o]

    # ---- configs
    stim = sorted(int(x) for x in rng.choice(n, size=max(1, n // 3), replace=False))
    json.dump({"v1": {"population": "v1"}, "lgn": {"population": "lgn"},
               "stim": {"population": "v1", "node_id": stim}},
              open(os.path.join(out, "node_sets.json"), "w"), indent=2)

    # ---- pn: IntFire1 point neurons (after everything else: same circuit otherwise)
    node_pops, edge_pops = ["v1", "lgn"], ["v1_v1", "lgn_v1"]
    if a.point:
        q = a.point
        os.makedirs(os.path.join(out, "point_neuron_models"), exist_ok=True)
        for name, tau in (("rvIF1_e.json", 0.024), ("rvIF1_i.json", 0.007)):
            with open(os.path.join(out, "point_neuron_models", name), "w") as f:
                json.dump({"tau": tau, "type": "NEURON_IntFire1", "refrac": 0.003}, f, indent=2)
        for name, sign in (("rvInstExc.json", 1), ("rvInstInh.json", -1)):
            with open(os.path.join(out, "synaptic_models", name), "w") as f:
                json.dump({"level_of_detail": "instantaneous", "sign": sign}, f, indent=2)
        pei = ["e" if rng.uniform() < 0.7 else "i" for _ in range(q)]
        write_nodes(os.path.join(out, "network", "pn_nodes.h5"), "pn",
                    [200 + (x == "i") for x in pei], {"x": rng.uniform(0, 1, q)})
        write_types_csv(os.path.join(out, "network", "pn_node_types.csv"),
                        ["node_type_id", "model_type", "model_template", "ei", "dynamics_params"],
                        [[200, "point_process", "nrn:IntFire1", "e", "rvIF1_e.json"],
                         [201, "point_process", "nrn:IntFire1", "i", "rvIF1_i.json"]])
        inst_head = ["edge_type_id", "target_query", "source_query", "delay", "dynamics_params"]
        for spop, ns_, sei in (("v1", n, ei), ("lgn", m, ["e"] * m)):
            src, trg, et, w, nsy = [], [], [], [], []
            for t in range(q):
                for _ in range(rng.randint(3, 7)):
                    s_ = rng.randint(0, ns_)
                    src.append(s_)
                    trg.append(t)
                    et.append(300 + (sei[s_] == "i"))
                    w.append(rng.uniform(0.1, 0.35))
                    nsy.append(rng.randint(1, 4))
            write_edges(os.path.join(out, "network", "%s_pn_edges.h5" % spop),
                        "%s_to_pn" % spop, spop, "pn", np.asarray(src, np.uint64),
                        np.asarray(trg, np.uint64), np.asarray(et, np.uint64),
                        {"syn_weight": np.asarray(w, np.float64),
                         "nsyns": np.asarray(nsy, np.int64)})
            write_types_csv(os.path.join(out, "network", "%s_pn_edge_types.csv" % spop),
                            inst_head, [[300, "*", "ei=='e'", 1.0, "rvInstExc.json"],
                                        [301, "*", "ei=='i'", 1.2, "rvInstInh.json"]])
        src, trg, et, sid, sx, w, nsy = [], [], [], [], [], [], []
        for t in range(n):
            for _ in range(rng.randint(1, 4)):
                s_ = rng.randint(0, q)
                src.append(s_)
                trg.append(t)
                et.append(100 + 2 * (pei[s_] == "i") + (ei[t] == "i"))
                sid.append(rng.randint(0, nsec[t]))
                sx.append(float(np.round(rng.uniform(0, 1), 6)))
                w.append((0.002 if pei[s_] == "e" else 0.004) * rng.uniform(0.5, 1.5))
                nsy.append(rng.randint(1, 3))
        pick = None
        write_edges(os.path.join(out, "network", "pn_v1_edges.h5"), "pn_to_v1", "pn", "v1",
                    np.asarray(src, np.uint64), np.asarray(trg, np.uint64),
                    np.asarray(et, np.uint64),
                    positions({"syn_weight": np.asarray(w, np.float64)}, sid, sx, nsy))
        rows = []
        for se in "ei":
            for te in "ei":
                tid = 100 + 2 * (se == "i") + (te == "i")
                rows.append(type_row([tid, "ei=='%s'" % te, "ei=='%s'" % se, 2.5,
                                      "wmax", syn_name(se, te), templ(se)], tid, PLACE))
        write_types_csv(os.path.join(out, "network", "pn_v1_edge_types.csv"), type_head, rows)
        node_pops.append("pn")
        edge_pops += ["v1_pn", "lgn_pn", "pn_v1"]
    circ = {
        "manifest": {"$BASE_DIR": ".", "$NETWORK_DIR": "$BASE_DIR/network",
                     "$COMPONENT_DIR": comp_ref},
        "components": {
            "morphologies_dir": "$COMPONENT_DIR/morphologies",
            "biophysical_neuron_models_dir": "$COMPONENT_DIR/biophysical_neuron_templates/json",
            "synaptic_models_dir": "$BASE_DIR/synaptic_models",
            "point_neuron_models_dir": "$BASE_DIR/point_neuron_models",
        },
        "networks": {
            "nodes": [{"nodes_file": "$NETWORK_DIR/%s_nodes.h5" % p,
                       "node_types_file": "$NETWORK_DIR/%s_node_types.csv" % p}
                      for p in node_pops],
            "edges": [{"edges_file": "$NETWORK_DIR/%s_edges.h5" % p,
                       "edge_types_file": "$NETWORK_DIR/%s_edge_types.csv" % p}
                      for p in edge_pops],
        },
    }
    json.dump(circ, open(os.path.join(out, "circuit_config.json"), "w"), indent=2)
    sim = {
        "manifest": {"$BASE_DIR": ".", "$OUTPUT_DIR": "$BASE_DIR/output",
                     "$INPUT_DIR": "$BASE_DIR/inputs"},
        "run": {"tstop": a.tstop, "dt": 0.025, "dL": 20.0, "spike_threshold": -15,
                "nsteps_block": 5000},
        "target_simulator": "NEURON",
        "conditions": {"celsius": 34.0, "v_init": -80.0},
        "node_sets_file": "$BASE_DIR/node_sets.json",
        "inputs": {
            "lgn_spikes": {"input_type": "spikes", "module": "h5",
                           "input_file": "$INPUT_DIR/lgn_spikes.h5", "node_set": "lgn"},
            "current_clamp": {"input_type": "current_clamp", "module": "IClamp",
                              "node_set": "stim", "amp": [0.18, 0.3],
                              "delay": [40.0, 0.55 * a.tstop],
                              "duration": [0.4 * a.tstop, 0.3 * a.tstop]},
        },
        "output": {"output_dir": "$OUTPUT_DIR", "spikes_file": "spikes.h5",
                   "spikes_sort_order": "time"},
    }
    if a.iclamp_site:
        name, index, dist = a.iclamp_site.split(",")
        sim["inputs"]["current_clamp"].update(
            {"section_name": name, "section_index": int(index), "section_dist": float(dist),
             "amp": [0.6, 0.9]})
    if a.report:
        sim["reports"] = {
            "v_all": {"module": "membrane_report", "cells": "v1", "variable_name": "v",
                      "sections": "all", "dt": 0.1, "file_name": "v_all.h5"},
            "soma_v": {"module": "membrane_report", "cells": "stim", "variable_name": ["v"],
                       "sections": "soma", "file_name": "soma_v.h5"},
            "dend_v": {"module": "membrane_report", "cells": "v1", "variable_name": "v",
                       "sections": "dend", "dt": 0.05, "start_time": 20.0,
                       "end_time": a.tstop - 40.0, "file_name": "dend_v.h5"},
        }
    json.dump(sim, open(os.path.join(out, "simulation_config.json"), "w"), indent=2)
    json.dump({"network": "./circuit_config.json", "simulation": "./simulation_config.json"},
              open(os.path.join(out, "config.json"), "w"), indent=2)
    print("gen_allen_circuit: %d biophysical cells, %d virtual, %d + %d edges, %d input spikes"
          " -> %s%s" % (n, m, len(order), n_lgn_edges, len(ts), out,
                        " (+ %d point neurons)" % a.point if a.point else ""))


if __name__ == "__main__":
    main()
