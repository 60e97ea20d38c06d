#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compare resolve_dump's view of every node with the rules applied here,
independently, to the config JSON and the nodes files (h5py, types CSV).
usage: check_resolve.py RESOLVE_DUMP CONFIG..."""
import csv
import json
import os
import subprocess
import sys

import h5py


def load_json(path):
    with open(path) as f:
        return json.load(f)


def expand(s, man):
    for k in sorted(man, key=len, reverse=True):
        s = s.replace("${%s}" % k.strip("$"), man[k]).replace(k, man[k])
    return s


def abspath(base, p):
    p = os.path.normpath(os.path.join(base, p)) if not os.path.isabs(p) else os.path.normpath(p)
    return p


def circuit_of(cfg_path):
    cfg = load_json(cfg_path)
    d = os.path.dirname(os.path.abspath(cfg_path))
    if "network" in cfg and isinstance(cfg["network"], str):
        man = {k: v for k, v in cfg.get("manifest", {}).items()}
        net = abspath(d, expand(cfg["network"], man))
        return circuit_of(net) if "networks" not in load_json(net) else (net, load_json(net))
    return cfg_path, cfg


def expected(cfg_path):
    cpath, c = circuit_of(cfg_path)
    cdir = os.path.dirname(os.path.abspath(cpath))
    man = dict(c.get("manifest", {}))
    man.setdefault("${configdir}", cdir)
    comps = c.get("components", {})
    out = []
    for nf in c["networks"]["nodes"]:
        h5 = abspath(cdir, expand(nf["nodes_file"], man))
        types = {}
        if nf.get("node_types_file"):
            with open(abspath(cdir, expand(nf["node_types_file"], man))) as f:
                for row in csv.DictReader(f, delimiter=" "):
                    types[int(row["node_type_id"])] = row
        declared = nf.get("populations", {})
        with h5py.File(h5) as f:
            for pop in f["nodes"]:
                g = f["nodes"][pop]
                props = dict(comps)
                props.update(declared.get(pop, {}))
                ptype = props.get("type", "biophysical")
                type_given = "type" in declared.get(pop, {})
                n = len(g["node_type_id"])
                grp = g["0"]

                def attr(name, i):
                    if name in grp:
                        v = grp[name][i]
                        return v.decode() if isinstance(v, bytes) else str(v)
                    t = types.get(int(g["node_type_id"][i]), {})
                    v = t.get(name)
                    return None if v in (None, "NONE") else v
                for i in range(n):
                    mt = attr("model_type", i)
                    rtype = ptype if type_given else (mt if mt else ptype)
                    tpl = attr("model_template", i)
                    kind, name, path = "none", "-", "-"
                    if tpl:
                        if ":" in tpl:
                            sch, nm = tpl.split(":", 1)
                            kind = sch if sch in ("hoc", "nrn", "ctdb", "nml") else "other"
                            name = nm if kind != "other" else tpl
                        else:
                            kind, name = "hoc", tpl
                        if kind in ("hoc", "ctdb") and name.endswith(".hoc"):
                            name = name[:-4]
                        if kind == "hoc" and props.get("biophysical_neuron_models_dir"):
                            bdir = abspath(cdir, expand(props["biophysical_neuron_models_dir"], man))
                            path = "%s/%s.hoc" % (bdir, name)
                    morph = "-"
                    m = attr("morphology", i)
                    if m is not None:
                        alt = props.get("alternate_morphologies", {})
                        if "neurolucida-asc" in alt:
                            dd, ext = alt["neurolucida-asc"], ".asc"
                        elif "h5v1" in alt:
                            dd, ext = alt["h5v1"], ".h5"
                        else:
                            dd, ext = props["morphologies_dir"], ".swc"
                        if m.lower().endswith((".swc", ".asc", ".h5")):
                            ext = ""
                        morph = "%s/%s%s" % (abspath(cdir, expand(dd, man)), m, ext)
                    out.append("%s %d %s %s %s %s %s" % (pop, i, rtype, kind, name, path, morph))
    return out


def main():
    tool, ok = sys.argv[1], True
    for cfg in sys.argv[2:]:
        r = subprocess.run([tool, cfg], capture_output=True, text=True)
        got = r.stdout.split("\n")[:-1]
        exp = expected(cfg)
        same = r.returncode == 0 and got == exp
        print("%s: %d nodes, %s" % (cfg, len(exp), "identical" if same else "DIFFERENT"))
        if not same:
            print(r.stderr)
            for a, b in zip(exp, got):
                if a != b:
                    print("  expected %s\n  got      %s" % (a, b))
                    break
        ok &= same
    print("%d passed, %d failed" % (ok, not ok))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
