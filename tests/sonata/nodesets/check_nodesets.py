#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of ranvier's SONATA node sets and compartment sets (issue #4 item 4).

Every expected selection is computed here, independently of the C code,
from the files themselves: node sets with json, populations with h5py (and
this script's own reading of the types CSV), regular expressions with
Python's re.search (libsonata calls std::regex_search).  nodesets_tool
prints what the library computes; the two are compared.  Subcommands (one
ctest each):

  sonata_format  libsonata's node_sets.json on nodes1.h5, lenient and strict
  grammar        cases/nodes1_sets.json: every clause form, compounds, the
                 refused comparisons, on nodes1.h5
  ringtest       the BBP ring test: its nodesets.json through the simulation
                 config, and cases/ringtest_sets.json merged over it
  allen          the Allen 300 IntFire1 network (types CSV attributes, BMTK
                 node_type_id), its node_sets.json through config.json, and
                 BMTK inline "node_sets" in a simulation config
  generated      a nodes file written here: several groups, an attribute
                 missing from a group and taken from the CSV (with NONE),
                 enumeration in one group only, uint64, float32, dynamics
  merge          circuit + simulation + inline precedence, cross-file
                 compounds, info (source, position, overrides), warnings
  compsets       compartment sets of sonata-format and bbp-ringtest
  regex          the ECMAScript -> POSIX translation against re.search
  bad --case C   one case of the malformed-input catalogue bad/CATALOGUE
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys

import h5py
import numpy as np

ARGS = None
FAILS = []
CHECKS = [0]


def check(cond, msg):
    CHECKS[0] += 1
    if not cond:
        FAILS.append(msg)
        print("FAIL:", msg)


def tool(*args, rc_ok=(0,)):
    cmd = [ARGS.tool] + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, text=True, errors="surrogateescape")
    if p.returncode not in rc_ok:
        raise SystemExit("nodesets_tool %s: exit %d\n%s\n%s" % (" ".join(cmd[1:]), p.returncode,
                                                                  p.stdout, p.stderr))
    if p.stderr.strip():
        print(p.stderr, file=sys.stderr)
    return p.returncode, json.loads(p.stdout)


def shared(*parts):
    return os.path.join(ARGS.shared, *parts)


def src(*parts):
    return os.path.join(ARGS.src, *parts)


def work(*parts):
    return os.path.join(ARGS.work, *parts)


# ------------------------------------------------------------------ populations


def read_types_csv(path):
    """{type_id: {column: text or None}} from a space-separated types file."""
    with open(path) as fh:
        lines = [ln for ln in fh.read().splitlines() if ln.strip()]
    header = shlex.split(lines[0])
    table = {}
    for ln in lines[1:]:
        cells = shlex.split(ln)
        row = {h: (None if c == "NONE" else c) for h, c in zip(header, cells)}
        table[int(row["node_type_id"])] = row
    return header, table


def text(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def dclass(dt):
    if h5py.check_string_dtype(dt) is not None or dt.kind in "SUO":
        return "str"
    if dt.kind in "iu":
        return "int"
    if dt.kind == "f":
        return "float"
    return "other"


INT_RE = re.compile(r"^[+-]?[0-9]+$")


def is_float_text(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


class Pop:
    """A nodes population as this script reads it with h5py."""

    def __init__(self, h5, csv, name):
        self.name = name
        self.h5, self.csv = h5, csv
        with h5py.File(h5, "r") as f:
            g = f["nodes"][name]
            self.type_ids = [int(x) for x in g["node_type_id"][()]]
            self.size = len(self.type_ids)
            self.gid = ([int(x) for x in g["node_group_id"][()]] if "node_group_id" in g
                        else [0] * self.size)
            self.gidx = ([int(x) for x in g["node_group_index"][()]] if "node_group_index" in g
                         else list(range(self.size)))
            # groups[gid][attr] = (class, values, library or None)
            self.groups = {}
            for k in g:
                if not k.isdigit():
                    continue
                grp, attrs = g[k], {}
                lib = grp["@library"] if "@library" in grp else None
                for a in grp:
                    obj = grp[a]
                    if isinstance(obj, h5py.Dataset):
                        vals = obj[()] if obj.shape else []
                        libv = [text(x) for x in lib[a][()]] if lib is not None and a in lib else None
                        attrs[a] = (dclass(obj.dtype), list(vals), libv)
                if "dynamics_params" in grp:
                    for a, obj in grp["dynamics_params"].items():
                        attrs["@dynamics:" + a] = (dclass(obj.dtype), list(obj[()]), None)
                self.groups[int(k)] = attrs
        self.csv_cols, self.csv_rows = ([], {}) if not csv else read_types_csv(csv)
        self.csv_cols = [c for c in self.csv_cols if c != "node_type_id"]

    def attr_names(self):
        s = set(self.csv_cols)
        for a in self.groups.values():
            s |= set(a)
        return s

    def info(self, attr):
        """(found, classes, enumeration) or None."""
        classes, enum, ingroups = set(), False, 0
        for attrs in self.groups.values():
            if attr in attrs:
                ingroups += 1
                cls, _, lib = attrs[attr]
                classes.add(cls)
                enum = enum or lib is not None
        if ingroups == 0 and attr in self.csv_cols:
            vals = [r.get(attr) for r in self.csv_rows.values() if r.get(attr) is not None]
            if vals and all(INT_RE.match(v) for v in vals):
                classes.add("int")
            elif vals and all(is_float_text(v) for v in vals):
                classes.add("float")
            else:
                classes.add("str")
        if ingroups == 0 and attr not in self.csv_cols:
            if attr == "node_type_id":
                return {"int"}, False
            return None
        return classes, enum

    def value(self, attr, row):
        """('h5', value, index-or-None) | ('csv', text) | None."""
        if attr == "node_type_id" and attr not in self.attr_names():
            return ("h5", self.type_ids[row], None)
        grp = self.groups.get(self.gid[row], {})
        if attr in grp:
            cls, vals, lib = grp[attr]
            v = vals[self.gidx[row]]
            if lib is not None:
                return ("h5", lib[int(v)], int(v))
            return ("h5", text(v) if cls == "str" else v, None)
        if attr in self.csv_cols:
            t = self.csv_rows.get(self.type_ids[row], {}).get(attr)
            return None if t is None else ("csv", t)
        return None


# ------------------------------------------------------------------ expected node sets


class Expect(Exception):
    """An error the library must report: kind, node set, attribute."""

    def __init__(self, kind, nset=None, attr=None):
        super().__init__(kind)
        self.kind, self.nset, self.attr = kind, nset, attr


ERRORS = {  # kind -> (status, words of the message)
    "float": ("EFORMAT", "exact comparison with a float attribute is not supported"),
    "enum_int": ("EFORMAT", "@library enumeration"),
    "str_int": ("EFORMAT", "holds strings: compare it with strings"),
    "num_str": ("EFORMAT", "is numeric"),
    "cmp_str": ("EFORMAT", "needs a numeric attribute"),
    "strict": ("ENOENT", "no attribute"),
    "csv_float": ("EFORMAT", "exact comparison with a float attribute is not supported"),
    "csv_not_int": ("EFORMAT", "not an integer"),
    "csv_nan": ("EFORMAT", "not a number"),
    "unknown": ("ENOENT", "unknown node set"),
}


def merged(*dicts):
    """Node set definitions merged in order; {} definitions are skipped."""
    out = {}
    for d in dicts:
        for k, v in d.items():
            if isinstance(v, dict) and not v:
                continue
            out[k] = v
    return out


def as_list(v):
    return v if isinstance(v, list) else [v]


def clause_kind(key, v):
    if isinstance(v, dict):
        op = next(iter(v))
        return "regex" if op == "$regex" else "cmp"
    first = as_list(v)[0]
    return "eq_str" if isinstance(first, str) else "eq_int"


def type_check(pop, nset, key, v):
    info = pop.info(key)
    if info is None:
        return False
    classes, enum = info
    kind = clause_kind(key, v)
    if kind == "eq_int":
        if enum:
            raise Expect("enum_int", nset, key)
        if "float" in classes:
            raise Expect("float", nset, key)
        if "str" in classes:
            raise Expect("str_int", nset, key)
    elif kind in ("eq_str", "regex"):
        if not enum and ("int" in classes or "float" in classes):
            raise Expect("num_str", nset, key)
    elif "str" in classes:
        raise Expect("cmp_str", nset, key)
    return True


OPS = {"$gt": lambda a, b: a > b, "$lt": lambda a, b: a < b,
       "$gte": lambda a, b: a >= b, "$lte": lambda a, b: a <= b}


def matches(pop, nset, key, v, row):
    val = pop.value(key, row)
    if val is None:
        return False
    kind = clause_kind(key, v)
    if kind in ("eq_str", "regex"):
        s = val[1]
        if kind == "regex":
            return re.search(v["$regex"], s) is not None
        return s in as_list(v)
    if val[0] == "csv":
        t = val[1]
        if kind == "eq_int":
            if INT_RE.match(t):
                return int(t) in [int(x) for x in as_list(v)]
            raise Expect("csv_float" if is_float_text(t) else "csv_not_int", nset, key)
        if not is_float_text(t):
            raise Expect("csv_nan", nset, key)
        num = float(t)
    else:
        num = val[2] if val[2] is not None else val[1]
    if kind == "eq_int":
        return int(num) in [int(x) for x in as_list(v)]
    op, arg = next(iter(v.items()))
    return OPS[op](float(num), float(arg))


def expect_basic(pop, nset, d, strict):
    items = list(d.items())
    for k, v in items:
        if k == "population" and pop.name not in as_list(v):
            return []
    for k, v in items:
        if isinstance(v, list) and not v:
            return []
    cand = list(range(pop.size))
    for k, v in items:
        if k == "node_id":
            ids = {int(x) for x in as_list(v)}
            cand = [r for r in cand if r in ids]
    attrs = [(k, v) for k, v in items if k not in ("population", "node_id")]
    missing = False
    for k, v in attrs:
        if not type_check(pop, nset, k, v):
            if strict:
                raise Expect("strict", nset, k)
            missing = True
    if missing:
        return []
    for k, v in attrs:
        if not cand:
            break
        cand = [r for r in cand if matches(pop, nset, k, v, r)]
    return cand


def expect_select(sets, name, pop, strict=False):
    if name not in sets:
        raise Expect("unknown", name)
    d = sets[name]
    if isinstance(d, list):
        out = set()
        for m in d:
            out |= set(expect_select(sets, m, pop, strict))
        return sorted(out)
    return expect_basic(pop, name, d, strict)


def popspec(pop):
    return "%s::%s::%s" % (pop.h5, pop.csv or "-", pop.name)


def compare_select(got, sets, pops, strict=False, label=""):
    """Compare nodesets_tool's selections with the expected ones."""
    check(sorted(got["names"]) == sorted(sets), "%s: names %s != %s" % (label, got["names"],
                                                                          sorted(sets)))
    check(got["names"] == sorted(got["names"], key=lambda s: s.encode()),
          "%s: names not sorted" % label)
    n = 0
    for pop in pops:
        for name in sets:
            g = got["select"][pop.name].get(name)
            try:
                exp = expect_select(sets, name, pop, strict)
            except Expect as e:
                code, words = ERRORS[e.kind]
                ok = isinstance(g, dict) and g["error"]["code"] == code and words in g["error"]["msg"]
                if ok and e.attr is not None and e.kind not in ("csv_float", "csv_not_int",
                                                                 "csv_nan"):
                    err = g["error"]
                    ok = ("node set '" in err["msg"] and "population %s" % pop.name in err["msg"]
                          and err["key"].endswith("." + e.attr) and err["line"] > 0)
                check(ok, "%s: %s on %s: expected error %s (%s), got %s" %
                      (label, name, pop.name, e.kind, words, g))
                n += 1
                continue
            check(g == exp, "%s: %s on %s: got %s, expected %s" % (label, name, pop.name, g, exp))
            n += 1
    print("%s: %d selections compared" % (label, n))


def select_all(sources, pops, strict=False, extra=()):
    args = ["select"] + list(sources) + list(extra)
    for p in pops:
        args += ["-P", popspec(p)]
    if strict:
        args.append("-s")
    return tool(*args)[1]


def load_json(path):
    with open(path) as fh:
        return json.load(fh)


# ------------------------------------------------------------------ subcommands


def t_sonata_format():
    ns = shared("sonata-format", "node_sets.json")
    pop = Pop(shared("sonata-format", "nodes1.h5"), None, "nodes-A")
    sets = merged(load_json(ns))
    for strict in (False, True):
        got = select_all(["-c", ns], [pop], strict)
        compare_select(got, sets, [pop], strict, "node_sets.json strict=%d" % strict)
    # libsonata's own expectations for this file's names
    check(set(sets) == {"bio_layer45", "V1_point_prime", "power_number_test",
                        "power_regex_test", "combined"}, "names of node_sets.json")


def t_grammar():
    ns = src("cases", "nodes1_sets.json")
    pop = Pop(shared("sonata-format", "nodes1.h5"), None, "nodes-A")
    sets = merged(load_json(ns))
    got = select_all(["-c", ns], [pop])
    compare_select(got, sets, [pop], False, "nodes1_sets.json")
    check(len(got["warnings"]) == 1 and "skipped_empty_object" in got["warnings"][0]
          and "empty definition" in got["warnings"][0], "warning for {}: %s" % got["warnings"])
    got = select_all(["-c", ns], [pop], True)
    compare_select(got, sets, [pop], True, "nodes1_sets.json strict")
    # unknown names
    rc, out = tool("select", "-c", ns, "-P", popspec(pop), "no_such_set")
    e = out["select"]["nodes-A"]["no_such_set"]
    check(isinstance(e, dict) and e["error"]["code"] == "ENOENT" and "no_such_set" in e["error"]["msg"],
          "unknown node set: %s" % e)


def ring_pops():
    d = shared("circuits", "bbp-ringtest")
    return [Pop(os.path.join(d, "nodes_%s.h5" % x), None, "Ring" + x) for x in "ABC"]


def t_ringtest():
    d = shared("circuits", "bbp-ringtest")
    pops = ring_pops()
    base = merged(load_json(os.path.join(d, "nodesets.json")))
    for cfg in ("simulation_config.json", "simulation_config_reference_reports.json"):
        got = select_all(["-C", os.path.join(d, cfg)], pops)
        compare_select(got, base, pops, False, "ringtest via " + cfg)
    over = src("cases", "ringtest_sets.json")
    sets = merged(load_json(os.path.join(d, "nodesets.json")), load_json(over))
    got = select_all(["-c", os.path.join(d, "nodesets.json"), "-m", over], pops)
    compare_select(got, sets, pops, False, "ringtest + ringtest_sets.json")
    check(any("'RingB' replaces" in w for w in got["warnings"]), "RingB override warning")
    got = select_all(["-c", os.path.join(d, "nodesets.json"), "-m", over], pops, True)
    compare_select(got, sets, pops, True, "ringtest + ringtest_sets.json strict")
    # bigcell variant of RingA (model_type, orientation attributes)
    big = Pop(os.path.join(d, "nodes_A_bigcell.h5"), None, "RingA")
    extra = {"bio": {"model_type": "biophysical"}, "morph_big": {"morphology": "cell_big"},
             "ow": {"orientation_w": {"$lt": 0}}}
    path = work("bigcell_sets.json")
    with open(path, "w") as fh:
        json.dump(extra, fh)
    got = select_all(["-c", path], [big])
    compare_select(got, merged(extra), [big], False, "bigcell")


def allen_pops():
    d = shared("circuits", "allen-300-intfire", "network")
    return [Pop(os.path.join(d, "%s_nodes.h5" % p), os.path.join(d, "%s_node_types.csv" % p), p)
            for p in ("v1", "lgn", "tw")]


ALLEN_INLINE = {
    "LGN": {"population": "lgn", "model_name": ["tON", "tOFF"]},
    "exc": {"ei": "e"},
    "inh_v1": {"population": "v1", "ei": "i"},
    "point": {"model_type": "point_process"},
    "vis": {"location": {"$regex": "^Vis"}},
    "template": {"model_template": "nrn:IntFire1"},
    "type101": {"node_type_id": 101},
    "type_ge": {"node_type_id": {"$gte": 101}},
    "east": {"x": {"$gt": 100.0}},
    "east_on": {"x": {"$gt": 100.0}, "model_name": {"$regex": "ON$"}},
    "dyn": {"dynamics_params": {"$regex": "inh"}},
    "inputs": ["LGN", "TW"],
    "err_type_str": {"node_type_id": "100"},
    "err_ei_int": {"ei": 1},
    "err_x_eq": {"x": 52},
}


def t_allen():
    d = shared("circuits", "allen-300-intfire")
    pops = allen_pops()
    base = merged(load_json(os.path.join(d, "node_sets.json")))
    got = select_all(["-C", os.path.join(d, "config.json")], pops)
    compare_select(got, base, pops, False, "allen via config.json")
    # BMTK inline node sets: the simulation config with "node_sets" added
    sim = load_json(os.path.join(d, "simulation_config.json"))
    sim["manifest"]["$BASE_DIR"] = d
    sim["network"] = os.path.join(d, "circuit_config.json")
    sim["output"]["output_dir"] = work("out")
    sim["node_sets"] = ALLEN_INLINE
    path = work("simulation_inline.json")
    with open(path, "w") as fh:
        json.dump(sim, fh, indent=2)
    sets = merged(base, ALLEN_INLINE)
    got = select_all(["-C", path], pops)
    compare_select(got, sets, pops, False, "allen inline node_sets")
    check(any("'LGN' replaces" in w and "<inline node_sets>" in w for w in got["warnings"]),
          "inline LGN replaces the file's: %s" % got["warnings"])
    _, info = tool("info", "-C", path)
    nsfile = os.path.normpath(os.path.join(d, "node_sets.json"))
    check(info["sets"]["LGN"]["source"] == "<inline node_sets>"
          and info["sets"]["LGN"]["overrides"] == nsfile
          and info["sets"]["TW"]["source"] == nsfile,
          "allen info sources: %s %s" % (info["sets"]["LGN"], info["sets"]["TW"]))
    got = select_all(["-C", path], pops, True)
    compare_select(got, sets, pops, True, "allen inline node_sets strict")


def make_generated(path, csv):
    """Two populations: 'multi' (two groups, CSV fall-back, enum in one group)
    and 'single' (one implicit group)."""
    n = 12
    gid = np.array([0, 1] * 6, dtype=np.uint32)
    gidx = np.zeros(n, dtype=np.uint64)
    c = [0, 0]
    for i in range(n):
        gidx[i] = c[gid[i]]
        c[gid[i]] += 1
    types = np.array([1, 2, 3, 2, 1, 3, 2, 2, 1, 3, 3, 1], dtype=np.int64)
    str_dt = h5py.string_dtype()
    with h5py.File(path, "w") as f:
        g = f.create_group("nodes/multi")
        g["node_type_id"] = types
        g["node_group_id"] = gid
        g["node_group_index"] = gidx
        g0, g1 = g.create_group("0"), g.create_group("1")
        g0["layer"] = np.array([1, 2, 3, 4, 5, 6], dtype=np.int32)
        g1["layer"] = np.array([6, 5, 4, 3, 2, 1], dtype=np.int64)
        g0["mtype"] = np.array([0, 1, 2, 0, 1, 2], dtype=np.uint16)
        g0.create_dataset("@library/mtype", data=["L1_A", "L2_B", "L5_TPC"], dtype=str_dt)
        g1.create_dataset("mtype", data=["L5_TPC", "L6_X", "L1_A", "L5_UPC", "L6_X", "L2_B"],
                          dtype=str_dt)
        g0["score"] = np.array([0.5, 1.5, 2.5, 3.5, 4.5, 5.5], dtype=np.float32)
        g0.create_dataset("name", data=["n0", "n2", "n4", "n6", "n8", "n10"], dtype=str_dt)
        g0["big"] = np.array([2**63 + 5, 1, 2**40, 7, 2**63, 0], dtype=np.uint64)
        g1["big"] = np.array([3, 2**62, 9, 2**50, 11, 13], dtype=np.uint64)
        g0["dynamics_params/tau"] = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
        g1["dynamics_params/tau"] = np.array([6.0, 5.0, 4.0, 3.0, 2.0, 1.0])
        s = f.create_group("nodes/single")
        s["node_type_id"] = np.array([3, 2, 1, 2], dtype=np.int64)
        s0 = s.create_group("0")
        s0["layer"] = np.array([2, 3, 2, 5], dtype=np.int8)
        s0.create_dataset("mtype", data=["L2_B", "L5_TPC", "L5_TPC", "X"], dtype=str_dt)
        s0["score"] = np.array([0.25, 9.0, 4.0, 4.5])
    with open(csv, "w") as fh:
        fh.write("node_type_id name score etype kind_id model_type ratio\n")
        fh.write('1 "csv one" 1.25 cADpyr 1 biophysical 0.5\n')
        fh.write("2 csvtwo NONE bAC 2 biophysical 2\n")
        fh.write('3 "csv three" 7 NONE 3 point_process 3.5\n')


GEN_SETS = {
    "layer4": {"layer": 4},
    "layer_hi": {"layer": {"$gte": 5}},
    "layers": {"layer": [1, 2, 6]},
    "mtype_l5": {"mtype": "L5_TPC"},
    "mtype_l5_re": {"mtype": {"$regex": "^L5_"}},
    "mtype_l6": {"mtype": ["L6_X", "L1_A"]},
    "mtype_gt": {"mtype": {"$gt": 0}},
    "names": {"name": ["n4", "csv one", "csvtwo"]},
    "names_re": {"name": {"$regex": "^csv"}},
    "score_gt": {"score": {"$gt": 2}},
    "score_lt": {"score": {"$lt": 1.3}},
    "etype": {"etype": "bAC"},
    "etype_re": {"etype": {"$regex": "py"}},
    "kind": {"kind_id": [1, 3]},
    "kind_lt": {"kind_id": {"$lt": 3}},
    "bio": {"model_type": "biophysical", "layer": {"$lt": 4}},
    "type2": {"node_type_id": 2},
    "type_gt": {"node_type_id": {"$gt": 1}},
    "tau": {"@dynamics:tau": {"$gte": 4}},
    "big": {"big": {"$gt": 1000}},
    "ratio_lt": {"ratio": {"$lt": 3}},
    "pop_multi": {"population": "multi", "node_id": [0, 1, 2, 11, 12]},
    "grouped": ["layer4", "layers", "mtype_l5", "mtype_l6", "names"],
    "mixed": ["grouped", "tau", "pop_multi"],
    "err_mtype_int": {"mtype": 1},
    "err_score_eq": {"score": 1},
    "err_name_int": {"name": 1},
    "err_ratio_eq": {"ratio": 2},
    "err_etype_gt": {"etype": {"$gt": 1}},
    "missing": {"nothing": 1},
}


def t_generated():
    h5, csv = work("generated.h5"), work("generated_types.csv")
    make_generated(h5, csv)
    pops = [Pop(h5, csv, "multi"), Pop(h5, csv, "single")]
    path = work("generated_sets.json")
    with open(path, "w") as fh:
        json.dump(GEN_SETS, fh, indent=1)
    sets = merged(GEN_SETS)
    for strict in (False, True):
        got = select_all(["-c", path], pops, strict)
        compare_select(got, sets, pops, strict, "generated strict=%d" % strict)
    # big uint64 equality: values above INT64_MAX cannot be read as int64
    with open(work("bigeq.json"), "w") as fh:
        json.dump({"big_eq": {"big": 7}}, fh)
    got = select_all(["-c", work("bigeq.json")], pops[:1])
    e = got["select"]["multi"]["big_eq"]
    check(isinstance(e, dict) and e["error"]["code"] == "ERANGE" and "node set 'big_eq'" in
          e["error"]["msg"], "uint64 above INT64_MAX in an equality: %s" % e)


def t_merge():
    pop = Pop(shared("sonata-format", "nodes1.h5"), None, "nodes-A")
    circ = {"a": {"attr-Y": 21}, "b": {"attr-Y": 22}, "both": ["a", "b"], "keep": {"node_id": 5},
            "emptied": {"node_id": 4}}
    sim = {"b": {"attr-Y": 26}, "sim_only": ["both", "keep"], "emptied": {}}
    inl = {"a": {"node_id": [3]}, "inline_only": ["sim_only"]}
    cp, sp = work("circuit_ns.json"), work("sim_ns.json")
    with open(cp, "w") as fh:
        json.dump(circ, fh, indent=2)
    with open(sp, "w") as fh:
        json.dump(sim, fh, indent=2)
    sets = merged(circ, sim, inl)
    got = select_all(["-c", cp, "-m", sp, "-i", json.dumps(inl)], [pop])
    compare_select(got, sets, [pop], False, "merge")
    check(got["select"]["nodes-A"]["both"] == [3, 5] and got["select"]["nodes-A"]["emptied"] == [4],
          "merge: 'both' uses the replaced members; {} does not erase: %s" % got["select"])
    _, info = tool("info", "-c", cp, "-m", sp, "-i", json.dumps(inl))
    s = info["sets"]
    check(s["a"]["source"] == "<inline node_sets>" and s["a"]["overrides"] == cp, "a: %s" % s["a"])
    check(s["b"]["source"] == sp and s["b"]["overrides"] == cp, "b: %s" % s["b"])
    check(s["both"]["source"] == cp and s["both"]["overrides"] is None and
          s["both"]["compound"] == 1 and s["both"]["members"] == ["a", "b"], "both: %s" % s["both"])
    check(s["keep"]["json"] == {"node_id": 5} and s["keep"]["compound"] == 0 and
          s["keep"]["n_members"] == 1, "keep: %s" % s["keep"])
    check(s["emptied"]["source"] == cp, "emptied: %s" % s["emptied"])
    # positions: each circuit-file definition at its value in the file
    for name, entry in s.items():
        if entry["source"] == cp:
            check((entry["line"], entry["col"]) == value_position(cp, name),
                  "%s at %d:%d" % (name, entry["line"], entry["col"]))
    check(len(got["warnings"]) == 3, "merge warnings (a twice, b, sim {}): %s" % got["warnings"])
    # the same file as circuit and simulation file is read once (no warnings)
    got = select_all(["-c", cp, "-m", cp], [pop])
    check(got["warnings"] == [], "same path twice: %s" % got["warnings"])
    compare_select(got, merged(circ), [pop], False, "same path twice")
    # a simulation file naming a circuit set that another source replaces
    # into a cycle is refused after merging
    with open(work("cyc.json"), "w") as fh:
        json.dump({"a": ["both"]}, fh)
    rc, out = tool("info", "-c", cp, "-m", work("cyc.json"), rc_ok=(1,))
    check(out["error"]["code"] == "EFORMAT" and "circular" in out["error"]["msg"]
          and ("a -> both -> a" in out["error"]["msg"] or "both -> a -> both" in out["error"]["msg"]),
          "cycle across files: %s" % out)
    # nothing at all
    _, out = tool("info")
    check(out["names"] == [] and out["sets"] == {}, "no sources: %s" % out)


def value_position(path, key):
    """Line and column of the value of top-level key `key` in a JSON file."""
    with open(path) as fh:
        txt = fh.read()
    at = txt.index('"%s"' % key) + len(key) + 2
    at = txt.index(":", at) + 1
    while txt[at] in " \t\r\n":
        at += 1
    line = txt.count("\n", 0, at) + 1
    col = at - (txt.rfind("\n", 0, at) + 1) + 1
    return line, col


def t_compsets():
    files = [(shared("sonata-format", "compartment_sets.json"), []),
             (shared("circuits", "bbp-ringtest", "compartment_sets.json"), ring_pops())]
    for path, pops in files:
        exp = load_json(path)
        args = ["compsets", path]
        for p in pops:
            args += ["-P", popspec(p)]
        _, got = tool(*args)
        check(list(got["sets"]) == sorted(exp), "%s: names %s" % (path, list(got["sets"])))
        for name, e in exp.items():
            g = got["sets"][name]
            check(g["population"] == e["population"], "%s %s population" % (path, name))
            check(g["compartment_set"] == e["compartment_set"],
                  "%s %s entries %s != %s" % (path, name, g["compartment_set"], e["compartment_set"]))
            ids = sorted({c[0] for c in e["compartment_set"]})
            check(g["node_ids"] == ids, "%s %s node ids" % (path, name))
            check((g["line"], g["col"]) == value_position(path, name),
                  "%s %s position %s" % (path, name, (g["line"], g["col"])))
            for p in pops:
                c = g["check"][p.name]
                if e["population"] != p.name:
                    ok = isinstance(c, dict) and c["code"] == "EINVAL" and p.name in c["msg"]
                elif any(x[0] >= p.size for x in e["compartment_set"]):
                    ok = isinstance(c, dict) and c["code"] == "ERANGE"
                else:
                    ok = c == "ok"
                check(ok, "%s %s check on %s: %s" % (path, name, p.name, c))
        # libsonata's sorting rule, checked on the data itself
        for name, e in exp.items():
            cs = [tuple(x) for x in e["compartment_set"]]
            check(all(a < b for a, b in zip(cs, cs[1:])), "%s %s strictly sorted" % (path, name))
    print("compsets: %d files" % len(files))


REGEX_CASES = [
    ("^[s][o]me value$", ["some value", "some values", "xsome value"]),
    ("b", ["abc", "xyz", "b"]),
    (r"\d+", ["abc", "a1", "123"]),
    (r"^\D+$", ["abc", "a1", ""]),
    (r"\w\s\w", ["a b", "ab", "a\tb", "a-b"]),
    (r"^\S+$", ["nospace", "with space"]),
    (r"L\d_(?:TPC|UPC)", ["L5_TPC", "L5_BPC", "xL6_UPCx"]),
    (r"^L5_.*?C$", ["L5_TPC", "L5_TPCx"]),
    (r"^a+?b", ["aab", "b", "ab"]),
    (r"^a{2,3}$", ["a", "aa", "aaa", "aaaa"]),
    (r"^a{2}?$", ["aa", "aaa"]),
    (r"x{", ["ax{b", "x"]),
    (r"a}b", ["a}b", "ab"]),
    (r"^\.\*\+\?\(\)\[\]\{\}\|\^\$\\$", [".*+?()[]{}|^$\\", "x"]),
    (r"[\]a]", ["]", "a", "b"]),
    (r"[a\-z]", ["-", "b", "z"]),
    (r"[\d.]", ["7", ".", "x"]),
    (r"[^\d]", ["123", "12a"]),
    (r"[\w-]+$", ["ab-c", "!"]),
    (r"[\s]", ["a b", "ab"]),
    (r"[\^x]", ["^", "x", "y"]),
    (r"[\[]", ["[", "x"]),
    (r"^[-^]$", ["-", "^", "x"]),
    (r"[.]", [".", "x"]),
    (r"\bfoo\b", ["a foo b", "afoob"]),
    (r"\x41\u0042", ["AB", "ab"]),
    ("\\u00e9t\\u00e9", ["\u00e9t\u00e9", "ete"]),
    (r"\/path\/", ["/path/", "path"]),
    (r"^(a|bc)+$", ["abca", "abd"]),
    (r"\t", ["a\tb", "ab"]),
    ("^\u00e9+$", ["\u00e9\u00e9", "\u00e9", "e"]),
    ("^\u00e9{2}$", ["\u00e9\u00e9", "\u00e9"]),
    ("^\u00c9t\u00e9?$", ["\u00c9t\u00e9", "\u00c9t", "\u00c9t\u00e9\u00e9"]),
    ("^\\u00e9+$", ["\u00e9\u00e9", "e"]),
]

REGEX_REFUSED = [
    (r"(?=a)", "EUNSUPPORTED"), (r"(?!a)", "EUNSUPPORTED"), (r"(?<=a)b", "EUNSUPPORTED"),
    (r"(?<name>a)", "EUNSUPPORTED"), (r"(a)\1", "EUNSUPPORTED"), (r"\p{L}", "EUNSUPPORTED"),
    (r"[\D]", "EUNSUPPORTED"), ("[]", "EUNSUPPORTED"), ("[^]", "EUNSUPPORTED"),
    ("(", "EFORMAT"), ("a\\", "EFORMAT"), ("[a", "EFORMAT"), ("[z-a]", "EFORMAT"),
    (r"\xZZ", "EFORMAT"), (r"\u0000", "EUNSUPPORTED"), ("*a", "EFORMAT"), (r"\q", "EUNSUPPORTED"),
    ("[\u00e9]", "EUNSUPPORTED"), (r"[\u00e9]", "EUNSUPPORTED"), ("[a-\u00e9]", "EUNSUPPORTED"),
]


def t_regex():
    for pat, strings in REGEX_CASES:
        _, out = tool("regex", pat, *strings)
        if "error" in out:
            check(False, "regex %r refused: %s" % (pat, out))
            continue
        for s in strings:
            exp = re.search(pat, s) is not None
            check(out["matches"][s] == exp, "regex %r on %r: %s (re.search: %s; ERE %r)" %
                  (pat, s, out["matches"][s], exp, out["ere"]))
    for pat, code in REGEX_REFUSED:
        _, out = tool("regex", pat)
        check(out.get("error") == code and out.get("why"), "regex %r: expected %s, got %s" %
              (pat, code, out))
    print("regex: %d patterns, %d refused" % (len(REGEX_CASES), len(REGEX_REFUSED)))


# ------------------------------------------------------------------ bad inputs


def position(path, at):
    """Expected (line, col) from the catalogue: "L:C", "-" (none), or a text
    anchor: the first occurrence of the text in the file."""
    if at == "-":
        return 0, 0
    m = re.match(r"^(\d+):(\d+)$", at)
    if m:
        return int(m.group(1)), int(m.group(2))
    with open(path) as fh:
        txt = fh.read()
    i = txt.find(at)
    if i < 0:
        raise SystemExit("anchor %r not in %s" % (at, path))
    return txt.count("\n", 0, i) + 1, i - (txt.rfind("\n", 0, i) + 1) + 1


POPS = {
    "nodes1": lambda: "%s::-::nodes-A" % shared("sonata-format", "nodes1.h5"),
    "RingA": lambda: "%s::-::RingA" % shared("circuits", "bbp-ringtest", "nodes_A.h5"),
}


def t_bad(case):
    rows = {}
    with open(src("bad", "CATALOGUE")) as fh:
        for ln in fh:
            if ln.strip() and not ln.startswith("#"):
                cells = [c.strip() for c in ln.rstrip("\n").split("|")]
                rows[cells[0]] = cells
    if case not in rows:
        raise SystemExit("no case %s in CATALOGUE" % case)
    _, mode, status, where, at, key, words = rows[case][:7]
    fixture = src("bad", case + ".json")
    h5 = shared("sonata-format", "nodes1.h5")
    parts = mode.split()
    m = parts[0]
    if m == "load":  # the fixture as the only node sets file
        rc, out = tool("info", "-c", fixture, rc_ok=(1,))
        err = out["error"]
    elif m == "missing":  # a file that does not exist
        fixture = src("bad", "no_such_file.json")
        rc, out = tool("info", "-c", fixture, rc_ok=(1,))
        err = out["error"]
    elif m == "sim":  # a valid circuit file, then the fixture as simulation file
        rc, out = tool("info", "-c", src("cases", "nodes1_sets.json"), "-m", fixture, rc_ok=(1,))
        err = out["error"]
    elif m == "inline":  # the fixture's text as inline node_sets
        with open(fixture) as fh:
            rc, out = tool("info", "-i", fh.read(), rc_ok=(1,))
        err = out["error"]
    elif m in ("select", "strict"):  # select NAME on POP
        pop, name = parts[1], parts[2]
        args = ["select", "-c", fixture, "-P", POPS[pop](), name] + (["-s"] if m == "strict" else [])
        rc, out = tool(*args, rc_ok=(0,))
        g = out["select"][pop if pop != "nodes1" else "nodes-A"][name]
        check(isinstance(g, dict), "%s: expected an error, got %s" % (case, g))
        err = g["error"] if isinstance(g, dict) else {}
    elif m == "cs":
        rc, out = tool("compsets", fixture, rc_ok=(1,))
        err = out["error"]
    elif m == "cscheck":  # compartment set NAME checked against POP
        pop, name = parts[1], parts[2]
        rc, out = tool("compsets", fixture, "-P", POPS[pop]())
        err = out["sets"][name]["check"][pop]
    else:
        raise SystemExit("unknown mode " + m)
    expected_path = {"file": fixture, "h5": h5, "inline": "<inline node_sets>"}.get(where, None)
    line, col = position(fixture, at) if where != "h5" else (0, 0)
    ok = err.get("code") == status
    ok = ok and (expected_path is None or err.get("path") == expected_path)
    ok = ok and (err.get("line"), err.get("col")) == (line, col)
    ok = ok and (key == "-" or err.get("key") == key)
    for w in [w for w in words.split(";") if w]:
        ok = ok and w in err.get("formatted", "")
    if expected_path:
        ok = ok and err.get("formatted", "").startswith(expected_path)
    check(ok, "%s: expected %s at %s %d:%d key %s words %s; got %s" %
          (case, status, expected_path, line, col, key, words, json.dumps(err)))
    print("%s: %s" % (case, err.get("formatted")))


# ------------------------------------------------------------------ main


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("what")
    ap.add_argument("--case")
    ap.add_argument("--tool", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--work", required=True)
    ARGS = ap.parse_args()
    os.makedirs(ARGS.work, exist_ok=True)
    tests = {"sonata_format": t_sonata_format, "grammar": t_grammar, "ringtest": t_ringtest,
             "allen": t_allen, "generated": t_generated, "merge": t_merge, "compsets": t_compsets,
             "regex": t_regex}
    if ARGS.what == "bad":
        t_bad(ARGS.case)
    elif ARGS.what in tests:
        tests[ARGS.what]()
    else:
        raise SystemExit("unknown test " + ARGS.what)
    print("%d checks, %d failed" % (CHECKS[0], len(FAILS)))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
