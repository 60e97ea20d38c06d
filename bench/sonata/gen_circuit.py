#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate a BBP-style SONATA circuit for the I/O benchmark (bench_io).

    gen_circuit.py OUTDIR [--nodes 100000] [--edges 10000000] [--seed 1]
                          [--population bench]

writes into OUTDIR (created; existing files of these names are replaced):

  nodes.h5             /nodes/<pop>: node_type_id (int64, -1 as BBP), group 0
                       with x, y, z (float32, um), orientation_w/x/y/z
                       (float32, random unit quaternions), morphology and
                       model_template (variable-length strings), mtype,
                       etype, layer, synapse_class, model_type (uint32
                       indices into @library/<name>), dynamics_params/
                       {holding_current, threshold_current} (float32)
  edges.h5             /edges/<pop>__<pop>__chemical: source_node_id and
                       target_node_id (uint64, attribute node_population),
                       edge_type_id (int64, -1), sorted by target node, group 0
                       with the BBP synapse attributes afferent_section_id
                       (int32), afferent_section_pos (float32), conductance,
                       decay_time, delay, depression_time, facilitation_time,
                       u_syn (float32), n_rrp_vesicles, syn_type_id (int32);
                       indices/target_to_source and indices/source_to_target
                       (node_id_to_ranges [nodes x 2], range_to_edge_id
                       [ranges x 2], uint64)
  circuit_config.json  the two files, one population each
  node_sets.json       a few node sets (by layer, synapse class, mtype, ids)

Every node has an in-degree drawn around edges/nodes (targets are uniform
draws, sorted); sources are uniform.  Datasets are contiguous (h5py's
default, as in BBP circuits written by libsonata tools); nothing is
compressed.  The result is a function of the arguments only.  The default
circuit takes about 700 MB; keep it out of the repository (use /tmp).
"""
import argparse
import json
import os
import time

import h5py
import numpy as np

MTYPES = ["L1_DAC", "L1_HAC", "L23_BP", "L23_PC", "L23_LBC", "L23_NBC", "L4_PC", "L4_SS",
          "L4_LBC", "L4_MC", "L5_TPC_A", "L5_TPC_B", "L5_UPC", "L5_LBC", "L5_MC", "L6_TPC_A",
          "L6_IPC", "L6_BPC", "L6_LBC", "L6_MC"]
ETYPES = ["cADpyr", "cNAC", "bNAC", "cAC", "bAC", "dNAC", "cIR", "bIR", "cSTUT", "dSTUT"]
LAYERS = ["1", "2", "3", "4", "5", "6"]


def write_nodes(path, pop, n, rng):
    mtype = rng.integers(0, len(MTYPES), n).astype(np.uint32)
    layer = np.array([LAYERS.index(m[1]) for m in MTYPES], np.uint32)[mtype]
    exc = np.array(["PC" in m or m.endswith("_SS") for m in MTYPES])
    etype = np.where(exc[mtype], 0, rng.integers(1, len(ETYPES), n)).astype(np.uint32)
    syn_class = np.where(exc[mtype], 0, 1).astype(np.uint32)
    n_morph = max(1, n // 100)
    morph_id = rng.integers(0, n_morph, n)
    morph_names = np.array(["dend-C%06d_axon-C%06d" % (i, (7 * i) % n_morph) for i in range(n_morph)],
                           dtype=object)
    templates = np.array(["hoc:%s_%s" % (ETYPES[e], MTYPES[m].split("_")[0])
                          for m in range(len(MTYPES)) for e in range(len(ETYPES))], dtype=object)
    model_template = templates[mtype * len(ETYPES) + etype]
    q = rng.normal(size=(n, 4))
    q /= np.linalg.norm(q, axis=1)[:, None]
    st = h5py.string_dtype()
    with h5py.File(path, "w") as f:
        g = f.create_group("nodes/%s" % pop)
        g.create_dataset("node_type_id", data=np.full(n, -1, np.int64))
        g0 = g.create_group("0")
        for k, axis in enumerate("xyz"):
            g0.create_dataset(axis, data=rng.uniform(0, [1000, 2000, 1000][k], n).astype(np.float32))
        for k, c in enumerate("wxyz"):
            g0.create_dataset("orientation_" + c, data=q[:, k].astype(np.float32))
        g0.create_dataset("morphology", data=morph_names[morph_id], dtype=st)
        g0.create_dataset("model_template", data=model_template, dtype=st)
        lib = g0.create_group("@library")
        for name, idx, values in (("mtype", mtype, MTYPES), ("etype", etype, ETYPES),
                                  ("layer", layer, LAYERS), ("synapse_class", syn_class, ["EXC", "INH"]),
                                  ("model_type", np.zeros(n, np.uint32), ["biophysical"])):
            g0.create_dataset(name, data=idx)
            lib.create_dataset(name, data=np.array(values, dtype=object), dtype=st)
        dyn = g0.create_group("dynamics_params")
        dyn.create_dataset("holding_current", data=rng.normal(-0.05, 0.02, n).astype(np.float32))
        dyn.create_dataset("threshold_current", data=rng.normal(0.2, 0.05, n).astype(np.float32))
    return layer, syn_class, mtype


def ranges_of(keys, n):
    """For edge ids ordered so that keys[order] ascends: node_id_to_ranges
    (n x 2) and range_to_edge_id (runs of consecutive edge ids)."""
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    brk = np.ones(len(order), bool)
    brk[1:] = (k[1:] != k[:-1]) | (order[1:] != order[:-1] + 1)
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:], len(order))
    r2e = np.stack([order[starts], order[ends - 1] + 1], axis=1).astype(np.uint64)
    rk = k[starts]  # node of each range
    first = np.searchsorted(rk, np.arange(n), side="left")
    last = np.searchsorted(rk, np.arange(n), side="right")
    n2r = np.stack([first, last], axis=1).astype(np.uint64)
    empty = first == last
    n2r[empty] = 0  # nodes without edges: an empty range [0, 0)
    return n2r, r2e


def write_edges(path, pop, node_pop, n, e, rng):
    tgt = np.sort(rng.integers(0, n, e)).astype(np.uint64)
    src = rng.integers(0, n, e).astype(np.uint64)
    with h5py.File(path, "w") as f:
        g = f.create_group("edges/%s" % pop)
        d = g.create_dataset("source_node_id", data=src)
        d.attrs["node_population"] = node_pop
        d = g.create_dataset("target_node_id", data=tgt)
        d.attrs["node_population"] = node_pop
        g.create_dataset("edge_type_id", data=np.full(e, -1, np.int64))
        g0 = g.create_group("0")
        f32 = np.float32
        g0.create_dataset("afferent_section_id", data=rng.integers(1, 200, e).astype(np.int32))
        g0.create_dataset("afferent_section_pos", data=rng.random(e).astype(f32))
        g0.create_dataset("conductance", data=rng.gamma(2.0, 0.3, e).astype(f32))
        g0.create_dataset("decay_time", data=rng.normal(1.7, 0.2, e).astype(f32))
        g0.create_dataset("delay", data=rng.uniform(0.1, 5.0, e).astype(f32))
        g0.create_dataset("depression_time", data=rng.normal(670, 20, e).astype(f32))
        g0.create_dataset("facilitation_time", data=rng.normal(17, 5, e).astype(f32))
        g0.create_dataset("u_syn", data=rng.uniform(0.1, 0.6, e).astype(f32))
        g0.create_dataset("n_rrp_vesicles", data=rng.integers(1, 4, e).astype(np.int32))
        g0.create_dataset("syn_type_id", data=rng.choice([5, 113, 119], e).astype(np.int32))
        for name, keys in (("target_to_source", tgt), ("source_to_target", src)):
            n2r, r2e = ranges_of(keys, n)
            gi = g.create_group("indices/" + name)
            gi.create_dataset("node_id_to_ranges", data=n2r)
            gi.create_dataset("range_to_edge_id", data=r2e)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--nodes", type=int, default=100000)
    ap.add_argument("--edges", type=int, default=10000000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--population", default="bench")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    t0 = time.time()
    pop, epop = a.population, "%s__%s__chemical" % (a.population, a.population)
    write_nodes(os.path.join(a.outdir, "nodes.h5"), pop, a.nodes, rng)
    t1 = time.time()
    write_edges(os.path.join(a.outdir, "edges.h5"), epop, pop, a.nodes, a.edges, rng)
    t2 = time.time()
    cfg = {
        "version": 2,
        "components": {"morphologies_dir": "morphologies", "biophysical_neuron_models_dir": "hoc"},
        "node_sets_file": "node_sets.json",
        "networks": {
            "nodes": [{"nodes_file": "nodes.h5", "populations": {pop: {"type": "biophysical"}}}],
            "edges": [{"edges_file": "edges.h5", "populations": {epop: {"type": "chemical"}}}],
        },
    }
    with open(os.path.join(a.outdir, "circuit_config.json"), "w") as fh:
        json.dump(cfg, fh, indent=2)
        fh.write("\n")
    node_sets = {
        "All": {"population": pop},
        "Layer5": {"layer": "5"},
        "Excitatory": {"synapse_class": "EXC"},
        "Inhibitory": {"synapse_class": "INH"},
        "L5_TPC": {"mtype": ["L5_TPC_A", "L5_TPC_B"]},
        "first1000": {"population": pop, "node_id": list(range(min(1000, a.nodes)))},
        "Layer5_or_EXC": ["Layer5", "Excitatory"],
    }
    with open(os.path.join(a.outdir, "node_sets.json"), "w") as fh:
        json.dump(node_sets, fh, indent=2)
        fh.write("\n")
    size = sum(os.path.getsize(os.path.join(a.outdir, f)) for f in ("nodes.h5", "edges.h5"))
    print("wrote %s: %d nodes (%.1f s), %d edges (%.1f s), %.1f MB"
          % (a.outdir, a.nodes, t1 - t0, a.edges, t2 - t1, size / 1e6))


if __name__ == "__main__":
    main()
