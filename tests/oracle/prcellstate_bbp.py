#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--dump-cell-state on the bbp-mini example against NEURON's pc.prcellstate.

NEURON: the circuit built as neurodamus would by tests/driver/bbp50/
nd_reference.py (its .mod files compiled by nrnivmodl), stdinit, then
pc.prcellstate(gid, "py_Neuron_t0.0"), psolve in 25 ms chunks to tstop, h.t
set to tstop (as neurodamus does), pc.prcellstate again.  ranvier: `ranvier
run CONFIG --dump-cell-state GIDS`.  The files are compared value by value:
the node table, v, every mechanism instance, the NetCons.

Line classes that differ by design (counted and printed, not failures):
  * type ids of the circuit's own mechanisms (>= 24): NEURON numbers them in
    nrnivmodl's load order of every compiled .mod file, ranvier in its
    registration order; so their blocks may come in another order.  Blocks
    are matched by mechanism name; the built-in ids (< 24) must be equal.
  * positions inside a mechanism block: nocmodl stores ASSIGNED variables
    that are not RANGE (factor_AMPA, minf of Ih, declared ion variables)
    after the states, in declaration order with the derivative states;
    ranvier's mechanism ABI does not record RANGE, so ranvier prints them
    among the ranges.  Values are compared by variable
    name (the names of both layouts are derived from the .mod files and from
    `ranvier nmodl`), so every value is still checked.
  * hh: ranvier keeps minf hinf ninf mtau htau ntau per instance (6 more).
Tolerances: t=0 1e-12 relative; tstop 1e-12 x max(1, |value|) (measured:
0 at t=0, below 3e-14 at tstop).
usage: prcellstate_bbp.py --ranvier EXE --work DIR --copy examples/bbp-mini
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

GIDS = [0, 3, 5, 8]

ND_DUMP = r"""
import os, sys
sys.path.insert(0, %r)
import nd_reference as nd
cfg, lib, out = sys.argv[1], sys.argv[2], sys.argv[3]
gids = [int(x) for x in sys.argv[4].split(",")]
circ = nd.Circuit(cfg)
h, pc, cells, offs, keep, counts = nd.build(circ, lib)
tstop = float(circ.sim["run"]["tstop"])
pc.setup_transfer()
pc.set_maxstep(4)
h.v_init = float(circ.sim.get("conditions", {}).get("v_init", -80))
h.stdinit()
os.chdir(out)
for g in gids:
    pc.prcellstate(g, "py_Neuron_t%%s" %% h.t)
cur = round(h.t, 2)
while cur < tstop:
    nxt = min(tstop, cur + 25)
    pc.psolve(nxt)
    cur = nxt
h.t = cur
for g in gids:
    pc.prcellstate(g, "py_Neuron_t%%s" %% h.t)
""" % os.path.join(ROOT, "tests", "driver", "bbp50")

HH_NEURON = ["gnabar", "gkbar", "gl", "el", "gna", "gk", "il", "m", "h", "n",
             "Dm", "Dh", "Dn", "ena", "ek", "ina", "ik", "v", "_g"]
HH_RANVIER = ["gnabar", "gkbar", "gl", "el", "gna", "gk", "il", "minf", "hinf", "ninf",
              "mtau", "htau", "ntau", "m", "h", "n", "Dm", "Dh", "Dn", "ena", "ek", "ina",
              "ik", "v", "_g"]


def block_names(text, block):
    m = re.search(r"^[ \t]*%s\s*\{([^}]*)\}" % block, text, re.M)
    if not m:
        return []
    names = []
    for ln in m.group(1).splitlines():
        ln = ln.split(":")[0].strip()
        if not ln:
            continue
        if block == "STATE":
            for w in re.findall(r"[A-Za-z_]\w*", re.sub(r"\(.*?\)|<.*?>|FROM.*", "", ln)):
                names.append(w)
        else:
            w = re.match(r"[A-Za-z_]\w*", ln)
            if w:
                names.append(w.group(0))
    return names


def mod_info(path):
    text = open(path).read()
    text = re.sub(r"VERBATIM.*?ENDVERBATIM", "", text, flags=re.S)
    text = re.sub(r"COMMENT.*?ENDCOMMENT", "", text, flags=re.S)
    nb = re.search(r"NEURON\s*\{(.*?)\}", text, re.S).group(1)
    nb = "\n".join(ln.split(":")[0] for ln in nb.splitlines())

    def listed(kw):
        out = []
        for m in re.finditer(r"\b%s\b([^\n]*)" % kw, nb):
            out += re.findall(r"[A-Za-z_]\w*", m.group(1))
        return out
    rng = set(listed("RANGE")) | set(listed("NONSPECIFIC_CURRENT"))
    glob = set(listed("GLOBAL"))
    ptr = set(listed("POINTER")) | set(listed("BBCOREPOINTER"))
    name = (listed("SUFFIX") or listed("POINT_PROCESS") or listed("ARTIFICIAL_CELL"))[0]
    ions = []
    for m in re.finditer(r"USEION\s+(\w+)", nb):
        ions.append(m.group(1))
    params = block_names(text, "PARAMETER")
    assigned = block_names(text, "ASSIGNED")
    states = block_names(text, "STATE")
    has_cur = bool(re.search(r"\bNONSPECIFIC_CURRENT\b|\bWRITE\s+i\w*|ELECTRODE_CURRENT",
                             nb))
    has_nr = bool(re.search(r"\bNET_RECEIVE\b", text))
    ionvars = set()
    for ion in ions:
        ionvars |= {"e" + ion, ion + "i", ion + "o", "i" + ion}
    # nocmodl's declare_p: RANGE parameters, RANGE assigned (ion variables
    # are never in these lists), states, then every other symbol that lives
    # in the p array in declaration order: the non-RANGE assigned of the
    # ASSIGNED block and the derivative states declared with the STATE block,
    # whichever block comes first in the file; then v, _g, _tsav
    lay = [p for p in params if p in rng and p not in ionvars]
    lay += [a for a in assigned if a in rng and a != "v" and a not in ionvars]
    lay += states
    rest_a = [a for a in assigned if (a not in rng or a in ionvars) and a not in glob
              and a not in ptr and a not in ("v", "celsius") and a not in states]
    rest_s = ["D" + s for s in states]
    ia = re.search(r"^[ \t]*ASSIGNED\s*\{", text, re.M)
    ist = re.search(r"^[ \t]*STATE\s*\{", text, re.M)
    if ia and ist and ist.start() < ia.start():
        lay += rest_s + rest_a
    else:
        lay += rest_a + rest_s
    lay += ["v"]
    if has_cur:
        lay += ["_g"]
    if has_nr:
        lay += ["_tsav"]
    return name, lay, ions


def ranvier_layout(exe, path, ions):
    r = subprocess.run([exe, "nmodl", path], capture_output=True, text=True, check=True)
    vs = re.findall(r'\{"(\w+)", RV_VAR_(PARAM|ASSIGNED|STATE|INTERNAL)', r.stdout)
    lay = [n for n, role in vs if role != "INTERNAL"]
    lay += ["D" + n for n, role in vs if role == "STATE"]
    reads, curs = set(), set()
    for ion in ions:
        reads |= {"e" + ion, ion + "i", ion + "o"}
        curs.add("i" + ion)
    lay += [n for n, role in vs if role == "INTERNAL" and n in reads]
    lay += [n for n, role in vs if role == "INTERNAL" and n in curs]
    lay += ["v"]
    names = [n for n, _ in vs]
    if "_g" in names:
        lay += ["_g"]
    if "_tsav" in names:
        lay += ["_tsav"]
    return lay


def parse(path):
    head, blocks, order, tail, cur = [], {}, [], [], None
    for ln in open(path).read().splitlines():
        if ln.startswith("type="):
            m = re.match(r"type=(\d+) (\S+) size=(\d+)", ln)
            cur = {"id": int(m.group(1)), "size": int(m.group(3)), "lines": []}
            blocks[m.group(2)] = cur
            order.append(m.group(2))
        elif ln.startswith("netcons"):
            cur = tail
            tail.append(ln)
        elif cur is tail:
            tail.append(ln)
        elif cur is not None:
            cur["lines"].append(ln)
        else:
            head.append(ln)
    return head, blocks, order, tail


def values(block, layout):
    """{(node, instance-in-node, name): value}, nri lines kept as ('nri', node, k)"""
    out, seen = {}, {}
    inst = {}
    for ln in block["lines"]:
        w = ln.split()
        if w[1] == "nri":
            out[("nri", w[0], len(out))] = w[2]
            continue
        node, j, val = w[0], int(w[1]), float(w[2])
        if j == 0:
            seen[node] = seen.get(node, -1) + 1
        inst = seen[node]
        name = layout[j] if j < len(layout) else "#%d" % j
        out[(node, inst, name)] = val
    return out


class Cmp:
    def __init__(self, tol_rel, tol_scaled):
        self.tol_rel, self.tol_scaled = tol_rel, tol_scaled
        self.maxd, self.n, self.errs = 0.0, 0, []

    def num(self, a, b, where):
        d = abs(a - b)
        scale = max(abs(a), abs(b), 1.0) if self.tol_scaled else max(abs(a), abs(b), 1e-300)
        rel = d / scale if d else 0.0
        self.maxd = max(self.maxd, rel)
        self.n += 1
        lim = self.tol_scaled or self.tol_rel
        if rel > lim and d > 1e-15:
            self.errs.append("%s: NEURON %r ranvier %r" % (where, a, b))

    def words(self, la, lb, where):
        wa, wb = la.split(), lb.split()
        if len(wa) != len(wb):
            self.errs.append("%s: '%s' vs '%s'" % (where, la, lb))
            return
        for x, y in zip(wa, wb):
            try:
                self.num(float(x), float(y), where)
            except ValueError:
                if x != y:
                    self.errs.append("%s: '%s' vs '%s'" % (where, la, lb))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranvier", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--copy", required=True)
    args = ap.parse_args()
    import oracle
    work = os.path.abspath(args.work)
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    circ = os.path.join(work, "circuit")
    shutil.copytree(args.copy, circ)
    for fn in os.listdir(circ):
        if fn.endswith(".SUCCESS"):
            os.remove(os.path.join(circ, fn))
    cfg = os.path.join(circ, "simulation_config.json")
    moddir, builddir = os.path.join(work, "mods"), os.path.join(work, "nrnmech")
    os.makedirs(moddir)
    os.makedirs(builddir)
    for fn in os.listdir(os.path.join(circ, "mechanisms")):
        shutil.copy(os.path.join(circ, "mechanisms", fn), moddir)
    for fn in ["VecStim.mod", "MembraneCurrentSource.mod", "ConductanceSource.mod", "Gap.mod"]:
        shutil.copy(os.path.join(ROOT, "mechanisms", fn), moddir)
    lib = oracle.compile_mods(moddir, builddir)
    nd_out, rv_out = os.path.join(work, "neuron"), os.path.join(work, "ranvier")
    os.makedirs(nd_out)
    script = os.path.join(work, "nd_dump.py")
    open(script, "w").write(ND_DUMP)
    gl = ",".join(str(g) for g in GIDS)
    subprocess.run(["/usr/bin/python3", script, cfg, lib, nd_out, gl], check=True,
                   stdout=subprocess.DEVNULL,
                   env=dict(os.environ, NEURON_MODULE_OPTIONS="-nogui"))
    r = subprocess.run([args.ranvier, "run", cfg, "--output-path", rv_out,
                        "--dump-cell-state", gl], capture_output=True, text=True)
    if r.returncode:
        print(r.stdout, r.stderr)
        print("FAIL: ranvier exited with %d" % r.returncode)
        return 1
    # layouts by mechanism name
    lay_n, lay_r = {}, {}
    for fn in sorted(os.listdir(moddir)):
        if fn.endswith(".mod"):
            name, lay, ions = mod_info(os.path.join(moddir, fn))
            lay_n[name] = lay
            lay_r[name] = ranvier_layout(args.ranvier, os.path.join(moddir, fn), ions)
    lay_n["hh"], lay_r["hh"] = HH_NEURON, HH_RANVIER
    ok = True
    nfiles = 0
    idnote = set()
    for fn in sorted(os.listdir(nd_out)):
        rf = os.path.join(rv_out, fn)
        if not os.path.exists(rf):
            print("FAIL: ranvier did not write %s (it wrote %s)" %
                  (fn, sorted(f for f in os.listdir(rv_out) if f.endswith(".nrndat"))))
            ok = False
            continue
        nfiles += 1
        at0 = "_t0.0." in fn
        c = Cmp(1e-12, 0 if at0 else 1e-12)
        hn, bn, on, tn = parse(os.path.join(nd_out, fn))
        hr, br, orr, tr = parse(rf)
        if len(hn) != len(hr):
            c.errs.append("%d vs %d lines before the mechanisms" % (len(hn), len(hr)))
        for i, (a, b) in enumerate(zip(hn, hr)):
            c.words(a, b, "line %d" % (i + 1))
        if set(bn) != set(br):
            c.errs.append("mechanisms: NEURON %s ranvier %s" % (sorted(bn), sorted(br)))
        builtin_n = [k for k in on if bn[k]["id"] < 24]
        builtin_r = [k for k in orr if br[k]["id"] < 24]
        if builtin_n != builtin_r:
            c.errs.append("built-in block order: %s vs %s" % (builtin_n, builtin_r))
        for name in on:
            if name not in br:
                continue
            a, b = bn[name], br[name]
            if a["id"] < 24 and a["id"] != b["id"]:
                c.errs.append("%s: type %d vs %d" % (name, a["id"], b["id"]))
            elif a["id"] != b["id"]:
                idnote.add("%s %d/%d" % (name, a["id"], b["id"]))
            if name in lay_n:
                if len(lay_n[name]) != a["size"] or len(lay_r[name]) != b["size"]:
                    c.errs.append("%s: layout sizes %d/%d, files %d/%d" %
                                  (name, len(lay_n[name]), len(lay_r[name]), a["size"],
                                   b["size"]))
                    continue
                va, vb = values(a, lay_n[name]), values(b, lay_r[name])
            else:
                if a["size"] != b["size"]:
                    c.errs.append("%s: size %d vs %d" % (name, a["size"], b["size"]))
                    continue
                idx = ["#%d" % j for j in range(a["size"])]
                va, vb = values(a, idx), values(b, idx)
            if name == "hh":  # documented: ranvier's 6 extra RANGE variables
                vb = {k: v for k, v in vb.items() if k in va}
            if set(va) != set(vb):
                c.errs.append("%s: instances/variables differ: %s" %
                              (name, sorted(set(va) ^ set(vb))[:6]))
                continue
            for k in va:
                if k[0] == "nri":
                    if va[k] != vb[k]:
                        c.errs.append("%s %s: nri %s vs %s" % (name, k, va[k], vb[k]))
                else:
                    c.num(va[k], vb[k], "%s %s" % (name, k))
        if len(tn) != len(tr):
            c.errs.append("netcons: %d vs %d lines" % (len(tn), len(tr)))
        for i, (a, b) in enumerate(zip(tn, tr)):
            c.words(a, b, "netcons line %d" % i)
        print("%s: %d values compared, max %s diff %.3g, %d differences" %
              (fn, c.n, "relative" if at0 else "scaled", c.maxd, len(c.errs)))
        for e in c.errs[:15]:
            print("   " + e)
        ok = ok and not c.errs
    if nfiles != 2 * len(GIDS):
        print("FAIL: %d file pairs, expected %d" % (nfiles, 2 * len(GIDS)))
        ok = False
    print("type ids of the circuit's mechanisms (NEURON/ranvier, by design): %s" %
          ", ".join(sorted(idnote)))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
