#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`ranvier dump-cell` against neurodamus's cell-state dumps of bbp-ringtest
(cellstate_<gid>.json, made on NEURON): our TestCell-like template
(testcell.hoc) on the circuit's morphology at the circuit's celsius and
v_init must give the same cell attributes, sections, segments, mechanisms,
variable names and values (relative 1e-9; synapses and NetCons come from the
circuit and are not compared).

  dump_compare.py RANVIER REFERENCE_DIR MORPHOLOGY_DIR
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def compare(a, b, path, out):
    if isinstance(b, dict):
        if not isinstance(a, dict) or list(a.keys()) != list(b.keys()):
            out["bad"].append("%s: keys %s != %s" % (path, list(a.keys()) if isinstance(a, dict)
                                                       else type(a), list(b.keys())))
            return
        for k in b:
            compare(a[k], b[k], path + "." + k, out)
    elif isinstance(b, list):
        if not isinstance(a, list) or len(a) != len(b):
            out["bad"].append("%s: list lengths differ" % path)
            return
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, "%s[%d]" % (path, i), out)
    elif isinstance(b, (int, float)) and not isinstance(b, bool):
        if type(a) is not type(b):
            out["bad"].append("%s: %r is not a %s" % (path, a, type(b).__name__))
            return
        d = abs(a - b)
        rel = 0.0 if d == 0 else d / max(abs(b), 1e-300)
        out["n"] += 1
        out["maxrel"] = max(out["maxrel"], rel if abs(b) > 1e-12 else 0.0)
        out["maxabs0"] = max(out["maxabs0"], d if abs(b) <= 1e-12 else 0.0)
        if (abs(b) > 1e-12 and rel > 1e-9) or (abs(b) <= 1e-12 and d > 1e-12):
            out["bad"].append("%s: %r != %r" % (path, a, b))
    elif a != b:
        out["bad"].append("%s: %r != %r" % (path, a, b))


def main():
    ranvier, refdir, morphdir = sys.argv[1:4]
    cfg = json.load(open(os.path.join(refdir, "..", "simulation_config.json")))
    cond = cfg.get("conditions", {})
    celsius, vinit = cond.get("celsius", 34), cond.get("v_init", -65)
    fail = 0
    for gid in (0, 1000):
        ref = json.load(open(os.path.join(refdir, "cellstate_%d.json" % gid)))
        r = subprocess.run([ranvier, "dump-cell", "--gid", str(gid), "--celsius", str(celsius),
                            "--v-init", str(vinit), os.path.join(HERE, "testcell.hoc"),
                            "TestCell", str(gid), morphdir, "cell_small.asc"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            print("ranvier dump-cell failed:", r.stderr)
            return 1
        ours = json.loads(r.stdout)
        (rk, rc), = ref.items()
        (ok, oc), = ours.items()
        out = {"n": 0, "maxrel": 0.0, "maxabs0": 0.0, "bad": []}
        if rk != ok:
            out["bad"].append("cell key %s != %s" % (ok, rk))
        keys = [k for k in rc if k not in ("n_synapses", "synapses", "n_netcons", "netcons")]
        for k in keys:
            if k not in oc:
                out["bad"].append("missing %s" % k)
            else:
                compare(oc[k], rc[k], k, out)
        print("cellstate_%d.json: %d numbers compared, max relative difference %.3g, "
              "max |difference| where the reference is 0: %.3g" %
              (gid, out["n"], out["maxrel"], out["maxabs0"]))
        for b in out["bad"][:20]:
            print("  " + b)
        fail |= bool(out["bad"])
    print("FAIL" if fail else "ok")
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
