#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Oracle for rv_model_prcellstate (neurodamus' --dump-cell-state files).

The same cell (hh soma, two pas dendrites on both ends, IClamp, an ExpSyn fed
by a NetStim and by the cell's own gid) is built in NEURON, which writes
pc.prcellstate(1, "py_Neuron_t<t>") at t=0 after finitialize and at tstop,
and by tests/oracle/prcellstate_model.c through ranvier.  The files are
compared line by line: same words, numbers within 1e-12 relative (1e-15
absolute).  Known, documented line classes that differ are listed and
skipped explicitly (and counted), never silently:
  - hh: ranvier keeps minf hinf ninf mtau htau ntau per instance (RANGE, in
    mechanisms/hh.mod and the built-in); NEURON's hh.mod has them GLOBAL, so
    ranvier's hh block has 6 more values (size=25 vs 19).  The hh block is
    compared by variable name through that mapping.
usage: prcellstate_check.py PRCELLSTATE_MODEL WORKDIR
"""
import math
import os
import subprocess
import sys

TSTOP = 5.0

NEURON_MODEL = r"""
from neuron import h
import os, sys
os.chdir(sys.argv[1])
so = int(sys.argv[2])
pc = h.ParallelContext()
soma = h.Section(name="soma"); soma.L = 20; soma.diam = 20; soma.insert("hh")
dend = h.Section(name="dend"); dend.L = 200; dend.diam = 2; dend.nseg = 3; dend.insert("pas")
dend.connect(soma(1))
dend2 = h.Section(name="dend2"); dend2.L = 100; dend2.diam = 1; dend2.nseg = 2; dend2.insert("pas")
dend2.connect(soma(0))
syn = h.ExpSyn(dend(0.8)); syn.tau = 2
ns = h.NetStim(); ns.start = 1; ns.number = 3; ns.interval = 2; ns.noise = 0
nc0 = h.NetCon(ns, syn); nc0.delay = 1; nc0.weight[0] = 0.01
pc.set_gid2node(1, 0)
src = h.NetCon(soma(0.5)._ref_v, None, sec=soma); src.threshold = -20
pc.cell(1, src)
nc2 = pc.gid_connect(1, syn); nc2.delay = 2; nc2.weight[0] = 0.005
ic = h.IClamp(soma(0.5)); ic.delay = 1; ic.dur = 1; ic.amp = 0.5
h.celsius = 6.3; h.dt = 0.025; h.secondorder = so
pc.set_maxstep(10)
h.finitialize(-65)
pc.prcellstate(1, "py_Neuron_t%s" % float(h.t))
pc.psolve(%TSTOP%)
pc.prcellstate(1, "py_Neuron_t%s" % float(h.t))
"""

HH_NEURON = ["gnabar", "gkbar", "gl", "el", "gna", "gk", "il", "m", "h", "n",
             "Dm", "Dh", "Dn", "ena", "ek", "ina", "ik", "v", "_g"]
HH_RANVIER = ["gnabar", "gkbar", "gl", "el", "gna", "gk", "il", "minf", "hinf", "ninf",
              "mtau", "htau", "ntau", "m", "h", "n", "Dm", "Dh", "Dn", "ena", "ek", "ina",
              "ik", "v", "_g"]


def num(w):
    try:
        return float(w)
    except ValueError:
        return None


def close(a, b):
    if a == b:
        return True
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b)) or abs(a - b) <= 1e-15


def blocks(lines):
    """split into the leading part and one block per 'type=' header"""
    head, out, cur = [], [], None
    for ln in lines:
        if ln.startswith("type="):
            cur = [ln]
            out.append(cur)
        elif ln.startswith("netcons"):
            cur = None
            head.append("--netcons--")
            head.append(ln)
        elif cur is not None:
            cur.append(ln)
        else:
            head.append(ln)
    return head, out


def cmp_lines(a, b, where, stats):
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return "%s: '%s' vs '%s'" % (where, a, b)
    for x, y in zip(wa, wb):
        fx, fy = num(x), num(y)
        if fx is None or fy is None:
            if x != y:
                return "%s: '%s' vs '%s'" % (where, a, b)
        else:
            if not close(fx, fy):
                return "%s: '%s' vs '%s'" % (where, a, b)
            d = abs(fx - fy) / max(abs(fx), abs(fy), 1e-300)
            stats["maxrel"] = max(stats["maxrel"], d)
    stats["lines"] += 1
    return None


def compare(nf, rf):
    nl = open(nf).read().splitlines()
    rl = open(rf).read().splitlines()
    stats = {"maxrel": 0.0, "lines": 0, "mapped": 0}
    nh, nb = blocks(nl)
    rh, rb = blocks(rl)
    errs = []
    if len(nh) != len(rh):
        errs.append("%s: %d vs %d lines outside mechanism blocks" % (rf, len(nh), len(rh)))
    for i, (a, b) in enumerate(zip(nh, rh)):
        e = cmp_lines(a, b, "%s line %d" % (os.path.basename(rf), i), stats)
        if e:
            errs.append(e)
    names_n = [b[0] for b in nb]
    names_r = [b[0] for b in rb]
    if len(nb) != len(rb):
        errs.append("mechanism blocks differ: %s vs %s" % (names_n, names_r))
    for bn, br in zip(nb, rb):
        if bn[0].split()[1] == "hh" and br[0].split()[1] == "hh":
            # documented difference: map by name
            if bn[0] != "type=17 hh size=19" or br[0] != "type=17 hh size=25":
                errs.append("hh header: %s / %s" % (bn[0], br[0]))
            vn = {}
            for ln in bn[1:]:
                node, j, val = ln.split()
                vn[(node, HH_NEURON[int(j)])] = float(val)
            vr = {}
            for ln in br[1:]:
                node, j, val = ln.split()
                vr[(node, HH_RANVIER[int(j)])] = float(val)
            for k, v in vn.items():
                if k not in vr or not close(v, vr[k]):
                    errs.append("hh %s: NEURON %r ranvier %r" % (k, v, vr.get(k)))
                else:
                    stats["mapped"] += 1
                    d = abs(v - vr[k]) / max(abs(v), abs(vr[k]), 1e-300)
                    stats["maxrel"] = max(stats["maxrel"], d)
            continue
        if len(bn) != len(br):
            errs.append("%s: %d vs %d lines" % (bn[0], len(bn), len(br)))
        for i, (a, b) in enumerate(zip(bn, br)):
            e = cmp_lines(a, b, "%s line %d" % (bn[0], i), stats)
            if e:
                errs.append(e)
    return errs, stats


def main():
    model, work = sys.argv[1], sys.argv[2]
    ok = True
    for so in (0, 2):
        nd = os.path.join(work, "neuron%d" % so)
        rd = os.path.join(work, "ranvier%d" % so)
        for d in (nd, rd):
            os.makedirs(d, exist_ok=True)
            for f in os.listdir(d):
                os.remove(os.path.join(d, f))
        script = os.path.join(work, "model.py")
        with open(script, "w") as f:
            f.write(NEURON_MODEL.replace("%TSTOP%", repr(TSTOP)))
        env = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui")
        subprocess.run(["/usr/bin/python3", script, nd, str(so)], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        subprocess.run([model, rd, repr(TSTOP), str(so)], check=True)
        files = sorted(os.listdir(nd))
        if sorted(os.listdir(rd)) != files or len(files) != 2:
            print("FAIL: files differ: NEURON %s ranvier %s" % (files, sorted(os.listdir(rd))))
            ok = False
            continue
        for fn in files:
            errs, st = compare(os.path.join(nd, fn), os.path.join(rd, fn))
            print("secondorder %d %s: %d lines equal, %d hh values mapped by name, "
                  "max rel diff %.3g, %d differences" % (so, fn, st["lines"], st["mapped"],
                                                         st["maxrel"], len(errs)))
            for e in errs[:20]:
                print("  " + e)
            if errs:
                ok = False
    print("known difference: hh block size 25 vs 19 (minf..ntau RANGE in ranvier)")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
