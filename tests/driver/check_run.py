#!/usr/bin/env python3
"""`ranvier run` on the allen-300-intfire example (issue #6, first slice).

Modes (each works in its own --work directory; ../shared is never written):
  reference  every spike of output/spikes.h5 (NEURON + BMTK) reproduced:
             same (node, time) multiset, times within 1e-9 ms
  structure  the output layout, and the parts of the reference that do not
             depend on the order of simultaneous events: every spike before
             the first such tie, and the whole train of every cell without
             recurrent (v1 -> v1) input
  mpi        `mpiexec -np 2 ranvier run --mpi` writes the same spikes as 1 process
  bad        broken configurations: non-zero exit, a message naming the file
             or key, and no spike file
Expected values come from the files themselves (h5py, JSON), never from memory.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

EX = "circuits/allen-300-intfire"


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def ranvier_run(a, outdir, extra=(), mpi=None):
    cfg = os.path.join(a.shared, EX, "config.json")
    cmd = [a.ranvier, "run", cfg, "--output-dir", outdir] + list(extra)
    if mpi:
        cmd = [a.mpiexec, "-np", str(mpi), "--oversubscribe", "--allow-run-as-root"] + cmd + ["--mpi"]
    r = run(cmd)
    if r.returncode != 0:
        sys.exit("FAIL: %s\nstdout: %s\nstderr: %s" % (" ".join(cmd), r.stdout, r.stderr))
    print(r.stdout.strip())
    return os.path.join(outdir, "spikes.h5")


def load(path, pop="v1"):
    with h5py.File(path, "r") as f:
        g = f["spikes"][pop]
        return g["timestamps"][:], g["node_ids"][:], g.attrs.get("sorting")


def reference(a):
    return load(os.path.join(a.shared, EX, "output", "spikes.h5"))


def pairs(t, n):
    return sorted(zip(n.tolist(), t.tolist()))


def compare(t, n, rt, rn):
    """(count difference, max |dt| over spikes matched node by node, #mismatched)"""
    bad, maxdt = 0, 0.0
    for node in sorted(set(n.tolist()) | set(rn.tolist())):
        a_ = np.sort(t[n == node])
        b_ = np.sort(rt[rn == node])
        k = min(len(a_), len(b_))
        if k:
            d = np.abs(a_[:k] - b_[:k])
            maxdt = max(maxdt, float(d.max()))
            bad += int((d > 1e-9).sum())
        bad += abs(len(a_) - len(b_))
    return len(t) - len(rt), maxdt, bad


def mode_reference(a):
    t, n, _ = load(ranvier_run(a, os.path.join(a.work, "out")))
    rt, rn, _ = reference(a)
    dn, maxdt, bad = compare(t, n, rt, rn)
    print("spikes: ranvier %d, reference %d (difference %d); max |dt| %.3g ms; %d mismatched"
          % (len(t), len(rt), dn, maxdt, bad))
    if dn or bad:
        sys.exit("FAIL: spikes differ from the reference")


def mode_structure(a):
    path = ranvier_run(a, os.path.join(a.work, "out"))
    with h5py.File(path, "r") as f:
        assert list(f["spikes"].keys()) == ["v1"], list(f["spikes"].keys())
        g = f["spikes/v1"]
        srt = g.attrs["sorting"]
        assert h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype) is not None or srt == 2, srt
        assert int(srt) == 2, "sorting should be by_time (2), got %r" % srt
        assert g["timestamps"].attrs["units"] in ("ms", b"ms")
        t, n = g["timestamps"][:], g["node_ids"][:]
    with h5py.File(os.path.join(a.shared, EX, "network", "v1_nodes.h5"), "r") as f:
        nv1 = f["nodes/v1/node_type_id"].shape[0]
    assert n.max() < nv1, "node id beyond v1"
    assert np.all(np.diff(t) >= 0), "not sorted by time"
    key = np.lexsort((n, t))
    assert np.all(key == np.arange(len(t))), "ties not ordered by node id"
    rt, rn, _ = reference(a)
    tmax = float(os.environ.get("RV_TIE_LIMIT", "0"))
    # 1. cells without recurrent input: their trains depend only on the inputs
    with h5py.File(os.path.join(a.shared, EX, "network", "v1_v1_edges.h5"), "r") as f:
        has_rec = np.zeros(nv1, bool)
        has_rec[f["edges/v1_to_v1/target_node_id"][:]] = True
    free = [i for i in range(nv1) if not has_rec[i]]
    for i in free:
        a_, b_ = np.sort(t[n == i]), np.sort(rt[rn == i])
        if len(a_) != len(b_) or (len(a_) and np.abs(a_ - b_).max() > 1e-9):
            sys.exit("FAIL: cell %d (no recurrent input): %d spikes vs %d in the reference"
                     % (i, len(a_), len(b_)))
    # 2. the common prefix: everything up to the first spike that differs
    A, B = pairs(t, n), pairs(rt, rn)
    sa = sorted(A, key=lambda p: (p[1], p[0]))
    sb = sorted(B, key=lambda p: (p[1], p[0]))
    k = 0
    while k < min(len(sa), len(sb)) and sa[k][0] == sb[k][0] and abs(sa[k][1] - sb[k][1]) <= 1e-9:
        k += 1
    first = sb[k][1] if k < len(sb) else float("inf")
    print("%d cells without recurrent input match the reference exactly; the first %d spikes "
          "(t < %.3f ms) match" % (len(free), k, first))
    if first < 600.0 or first < tmax:
        sys.exit("FAIL: reference prefix too short (first difference at %.3f ms)" % first)


def mode_mpi(a):
    # several ranks order simultaneous events by source gid: compare with one
    # process using the same order
    t1, n1, _ = load(ranvier_run(a, os.path.join(a.work, "np1"), extra=["--event-order", "gid"]))
    t2, n2, _ = load(ranvier_run(a, os.path.join(a.work, "np2"), mpi=2))
    if not (np.array_equal(t1, t2) and np.array_equal(n1, n2)):
        dn, maxdt, bad = compare(t2, n2, t1, n1)
        sys.exit("FAIL: 2 ranks differ from 1 (count %+d, max |dt| %g, %d mismatched)"
                 % (dn, maxdt, bad))
    print("2 ranks: %d spikes, identical to 1 process" % len(t1))


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)


def mode_bad(a):
    src = os.path.join(a.shared, EX)
    comp = os.path.join(a.shared, "circuits", "shared_components")
    w = a.work
    if os.path.exists(w):
        shutil.rmtree(w)
    os.makedirs(w)
    with open(os.path.join(src, "simulation_config.json")) as f:
        sim0 = json.load(f)
    with open(os.path.join(src, "circuit_config.json")) as f:
        circ0 = json.load(f)
    circ0["manifest"] = {"$NETWORK_DIR": os.path.join(src, "network"), "$COMPONENT_DIR": comp}
    sim0["manifest"] = {"$BASE_DIR": src, "$OUTPUT_DIR": os.path.join(w, "never"),
                        "$INPUT_DIR": os.path.join(src, "inputs"), "$COMPONENT_DIR": comp}

    def case(name, mutate_sim=None, mutate_circ=None, expect=(), files=None):
        d = os.path.join(w, name)
        os.makedirs(d)
        sim, circ = json.loads(json.dumps(sim0)), json.loads(json.dumps(circ0))
        if mutate_sim:
            mutate_sim(sim)
        if mutate_circ:
            mutate_circ(circ, d)
        write(os.path.join(d, "simulation_config.json"), sim)
        write(os.path.join(d, "circuit_config.json"), circ)
        write(os.path.join(d, "config.json"), {"network": "./circuit_config.json",
                                               "simulation": "./simulation_config.json"})
        out = os.path.join(d, "out")
        r = run([a.ranvier, "run", files or os.path.join(d, "config.json"), "--output-dir", out])
        msg = r.stderr.strip()
        ok = r.returncode != 0 and all(e in msg for e in expect) \
            and not os.path.exists(os.path.join(out, "spikes.h5"))
        print("%-22s exit %d: %s" % (name, r.returncode, msg.splitlines()[0] if msg else ""))
        if not ok:
            sys.exit("FAIL: %s: expected failure mentioning %r, got exit %d, stderr %r"
                     % (name, expect, r.returncode, msg))

    def own_nodes_csv(circ, d, text):
        p = os.path.join(d, "v1_node_types.csv")
        with open(p, "w") as f:
            f.write(text)
        circ["networks"]["nodes"][0]["node_types_file"] = p

    case("missing_config", files=os.path.join(w, "nope.json"), expect=["nope.json"])
    case("circuit_only", files=os.path.join(src, "circuit_config.json"),
         expect=["not a simulation config"])

    def unknown_set(sim):
        sim["inputs"]["LGN_spikes"]["node_set"] = "nosuch"
    case("unknown_node_set", unknown_set, expect=["nosuch"])

    def no_spikes(sim):
        sim["inputs"]["TW_spikes"]["input_file"] = os.path.join(w, "absent.h5")
    case("missing_spike_file", no_spikes, expect=["absent.h5"])

    def bad_params(circ, d):
        pn = os.path.join(d, "pn")
        os.makedirs(pn)
        for fn in os.listdir(os.path.join(comp, "point_neuron_models_dir")):
            with open(os.path.join(comp, "point_neuron_models_dir", fn)) as f:
                j = json.load(f)
            j.pop("refrac", None)
            write(os.path.join(pn, fn), j)
        circ["components"]["point_neuron_models_dir"] = pn
    case("intfire_no_refrac", mutate_circ=bad_params, expect=["refrac", "IntFire1_"])

    def bad_sign(circ, d):
        sm = os.path.join(d, "syn")
        os.makedirs(sm)
        for fn in os.listdir(os.path.join(comp, "synaptic_models")):
            shutil.copy(os.path.join(comp, "synaptic_models", fn), sm)
        write(os.path.join(sm, "instanteneousExc.json"), {"level_of_detail": "instanteneous"})
        circ["components"]["synaptic_models_dir"] = sm
    case("synapse_no_sign", mutate_circ=bad_sign, expect=["sign", "instanteneousExc.json"])

    def bad_template(circ, d):
        with open(os.path.join(src, "network", "v1_node_types.csv")) as f:
            text = f.read().replace("nrn:IntFire1", "nrn:IzhiCell", 1)
        own_nodes_csv(circ, d, text)
    case("unsupported_template", mutate_circ=bad_template, expect=["nrn:IzhiCell"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["reference", "structure", "mpi", "bad"])
    p.add_argument("--ranvier", required=True)
    p.add_argument("--shared", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--mpiexec", default="mpiexec")
    a = p.parse_args()
    if a.mode != "bad":
        if os.path.exists(a.work):
            shutil.rmtree(a.work)
        os.makedirs(a.work)
    {"reference": mode_reference, "structure": mode_structure, "mpi": mode_mpi,
     "bad": mode_bad}[a.mode](a)
    print("OK")


if __name__ == "__main__":
    main()
