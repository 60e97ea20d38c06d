#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Allen perisomatic cells (SWC + Cell Types fit JSON) built by `ranvier
allen-cell` against the same cells built in NEURON (live) the way BMTK
builds them (ctdb:Biophys1.hoc: Import3d of the SWC; aibs_perisomatic:
fix_axon_peri + set_params_peri; BioCell.set_nseg with dL = 20), with our
mechanisms/allen/*.mod compiled by nrnivmodl.

Usage: allen_oracle.py RANVIER SHARED_COMPONENTS_DIR [--tstop T] [--only FIT]

For each (morphology, fit) pair: sections (names, nseg, L), every segment's
area, ri, diam, cm and every value the fit set; then the soma voltage under
an IClamp step at soma(0.5) (dt 0.025, fit's celsius and v_init), max |dV|
and the spike times (threshold -15 mV).  Passes when the structure matches
(relative 1e-12 for geometry, values exact), max |dV| <= 1e-6 mV and the
spike times are identical.  Also prints the run time of both simulators."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
MECHS = os.path.join(ROOT, "mechanisms", "allen")

# the pairs of BMTK's V1 example network, plus the older-layout fit
# 318331342 (no axon_morph, quoted values, cm/Ra/e_pas in the genome)
# (morphology, fit, IClamp amp nA, del ms, dur ms, tstop ms; None: --tstop)
# 318331342 has NaV (a 12-state kinetic scheme) in every section and fires
# only at the onset of a strong step: a short run
CELLS = [
    ("Scnn1a_473845048_m.swc", "472363762_fit.json", 0.25, 100.0, 700.0, None),
    ("Pvalb_470522102_m.swc", "472912177_fit.json", 0.4, 100.0, 700.0, None),
    ("Rorb_325404214_m.swc", "318331342_fit.json", 1.2, 20.0, 200.0, 250.0),
    ("Nr5a1_471087815_m.swc", "473863035_fit.json", 0.25, 100.0, 700.0, None),
    ("Pvalb_469628681_m.swc", "473862421_fit.json", 0.4, 100.0, 700.0, None),
    ("Rorb_325404214_m.swc", "473863510_fit.json", 0.25, 100.0, 700.0, None),
]
DT, THRESH, DL = 0.025, -15.0, 20.0


def neuron_side(job):
    """Runs in a child process: builds and runs every cell of job in NEURON."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
    import oracle  # compile_mods: Debian's nrnivmodl with the makefile fix
    from neuron import h
    work = tempfile.mkdtemp(prefix="rvallen")
    h.nrn_load_dll(oracle.compile_mods(MECHS, work))
    h.load_file("stdrun.hoc")
    h.load_file("import3d.hoc")
    out = []
    for swc, fitp, amp, delay, dur, tstop in job["cells"]:
        for sec in list(h.allsec()):
            h.delete_section(sec=sec)
        fit = json.load(open(fitp))
        # Biophys1: Import3d into a template-less cell
        r = h.Import3d_SWC_read()
        r.quiet = 1
        r.input(swc)
        imp = h.Import3d_GUI(r, 0)
        imp.instantiate(None)
        # fix_axon_peri
        for sec in list(h.allsec()):
            if sec.name().split("[")[0] == "axon":
                h.delete_section(sec=sec)
        h("create axon[2]")
        for sec in h.axon:
            sec.L = 30
            sec.diam = 1
        h.axon[0].connect(h.soma[0], 0.5, 0)
        h.axon[1].connect(h.axon[0], 1, 0)
        h.define_shape()
        secs = [s for s in h.allsec() if s.name().split("[")[0] != "axon"] + list(h.axon)
        t4 = {s.name(): s.name()[:4] for s in secs}
        # set_params_peri (missing passive cm / e_pas: left alone, as ranvier)
        passive, cond, genome = fit["passive"][0], fit["conditions"][0], fit["genome"]
        cm = dict((c["section"], c["cm"]) for c in passive.get("cm", []))
        setvars = {s.name(): [] for s in secs}
        for sec in secs:
            sec.Ra = passive["ra"]
            if "cm" in passive:
                sec.cm = cm[t4[sec.name()]]
                setvars[sec.name()].append("cm")
            sec.insert("pas")
            if "e_pas" in passive:
                for seg in sec:
                    seg.pas.e = passive["e_pas"]
                setvars[sec.name()].append("e_pas")
        for p in genome:
            for sec in secs:
                if t4[sec.name()] != p["section"]:
                    continue
                if p.get("mechanism", ""):
                    sec.insert(p["mechanism"])
                setattr(sec, p["name"], float(p["value"]))
                setvars[sec.name()].append(p["name"])
        for e in cond.get("erev", []):
            for sec in secs:
                if t4[sec.name()] == e["section"]:
                    sec.ena = e["ena"]
                    sec.ek = e["ek"]
                    setvars[sec.name()] += ["ena", "ek"]
        # BioCell.set_nseg
        for sec in secs:
            sec.nseg = 1 + 2 * int(sec.L / (2 * DL))
        h.celsius = cond["celsius"]
        h.dt = DT
        st = h.IClamp(h.soma[0](0.5))
        st.amp, st.dur = amp, dur
        setattr(st, "del", delay)
        nc = h.NetCon(h.soma[0](0.5)._ref_v, None, sec=h.soma[0])
        nc.threshold = THRESH
        spk = h.Vector()
        nc.record(spk)
        v = h.Vector()
        v.record(h.soma[0](0.5)._ref_v)
        h.finitialize(cond["v_init"])
        desc = {}
        for sec in secs:
            segs = []
            for seg in sec:
                vals = {}
                for n in setvars[sec.name()]:
                    if n == "Ra":
                        continue
                    vals[n] = seg.cm if n == "cm" else getattr(seg, n)
                segs.append({"x": seg.x, "area": seg.area(), "ri": seg.ri(),
                             "diam": seg.diam, "values": vals})
            desc[sec.name()] = {"nseg": sec.nseg, "L": sec.L, "segments": segs}
        t0 = time.perf_counter()
        while h.t < tstop - 0.5 * h.dt:
            h.fadvance()
        secs_run = time.perf_counter() - t0
        out.append({"desc": desc, "v": list(v), "spikes": list(spk), "time": secs_run,
                    "order": [s.name() for s in secs]})
        del st, nc
    return out


def run_neuron(cells):
    job = {"cells": cells}
    code = ("import sys, json; sys.path.insert(0, %r); import allen_oracle as a;"
            "print('@@' + json.dumps(a.neuron_side(json.loads(sys.argv[1]))))") % HERE
    env = dict(os.environ, NEURON_MODULE_OPTIONS="-nogui")
    r = subprocess.run(["/usr/bin/python3", "-c", code, json.dumps(job)], capture_output=True,
                       text=True, env=env)
    for ln in r.stdout.split("\n"):
        if ln.startswith("@@"):
            return json.loads(ln[2:])
    sys.stderr.write(r.stdout[-3000:] + r.stderr[-3000:])
    raise RuntimeError("the NEURON side failed")


def run_ranvier(rv, swc, fitp, amp, delay, dur, tstop, work):
    dump, trace = os.path.join(work, "dump.json"), os.path.join(work, "trace.txt")
    cmd = [rv, "allen-cell", "--dump", dump, "--iclamp", "%r,%r,%r" % (amp, delay, dur),
           "--tstop", repr(tstop), "--dt", repr(DT), "--threshold", repr(THRESH),
           "--dL", repr(DL), "--trace", trace, swc, fitp]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("ranvier failed: %s\n%s" % (" ".join(cmd), r.stderr))
    last = r.stdout.strip().split("\n")[-1]  # "T ms in S s: N spikes at t1 t2 ..."
    secs = float(last.split(" in ")[1].split(" s:")[0])
    spikes = [float(x) for x in last.split(" at ")[1].split()] if " at " in last else []
    desc = json.load(open(dump))
    v = [float(ln.split()[1]) for ln in open(trace)]
    return {"desc": desc, "v": v, "spikes": spikes, "time": secs}


def rel(a, b):
    return abs(a - b) / max(abs(a), 1e-300)


def compare(name, ref, got):
    ok = True
    rsecs = {s["name"]: s for s in got["desc"]["sections"]}
    names_ok = sorted(rsecs) == sorted(ref["desc"])
    geo = val = 0.0
    nseg_bad = nvals = 0
    for n, s in ref["desc"].items():
        g = rsecs.get(n)
        if g is None:
            continue
        if g["nseg"] != s["nseg"] or len(g["segments"]) != len(s["segments"]):
            nseg_bad += 1
            continue
        geo = max(geo, rel(s["L"], g["L"]))
        for a, b in zip(s["segments"], g["segments"]):
            for k in ("area", "ri", "diam"):
                geo = max(geo, rel(a[k], b[k]))
            if sorted(a["values"]) != sorted(b["values"]):
                print("%s: %s(%g) variables differ: NEURON %s ranvier %s FAIL" %
                      (name, n, a["x"], sorted(a["values"]), sorted(b["values"])))
                ok = False
                continue
            for k, x in a["values"].items():
                val = max(val, rel(x, b["values"][k]) if x else abs(b["values"][k]))
                nvals += 1
    nseg_tot = sum(s["nseg"] for s in ref["desc"].values())
    sok = names_ok and nseg_bad == 0 and geo <= 1e-12 and val == 0.0
    print("%s: %d sections (%s), %d segments, nseg %s; max relative difference of L/area/ri/diam "
          "%.3g; %d parameter values, max relative difference %.3g %s" %
          (name, len(ref["desc"]), "same names" if names_ok else "NAMES DIFFER", nseg_tot,
           "identical" if nseg_bad == 0 else "differs in %d sections" % nseg_bad, geo, nvals,
           val, "ok" if sok else "FAIL"))
    ok &= sok
    if len(ref["v"]) != len(got["v"]):
        print("%s: %d samples in NEURON, %d in ranvier FAIL" % (name, len(ref["v"]),
                                                                len(got["v"])))
        return False
    dv = max(abs(a - b) for a, b in zip(ref["v"], got["v"]))
    vok = dv <= 1e-6
    print("%s: soma v, %d samples, max |dV| = %.3g mV %s" % (name, len(ref["v"]), dv,
                                                             "ok" if vok else "FAIL"))
    spk_ok = len(ref["spikes"]) == len(got["spikes"]) and all(
        abs(a - b) <= 1e-9 for a, b in zip(ref["spikes"], got["spikes"]))
    print("%s: %d spikes in NEURON, %d in ranvier, %s" %
          (name, len(ref["spikes"]), len(got["spikes"]), "identical" if spk_ok else "DIFFERENT FAIL"))
    if not ref["spikes"]:
        print("%s: the step evokes no spike in NEURON: choose a larger amplitude FAIL" % name)
        ok = False
    print("%s: run time NEURON %.3f s, ranvier %.3f s, ratio %.2f" %
          (name, ref["time"], got["time"], ref["time"] / max(got["time"], 1e-9)))
    return ok and vok and spk_ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ranvier")
    ap.add_argument("components")
    ap.add_argument("--tstop", type=float, default=1000.0)
    ap.add_argument("--only", default=None)
    a = ap.parse_args()
    cells = [(os.path.join(a.components, "morphologies", m),
              os.path.join(a.components, "biophysical_neuron_templates", "json", f), amp, d, dur,
              t or a.tstop) for m, f, amp, d, dur, t in CELLS if a.only is None or a.only in f]
    ref = run_neuron(cells)
    ok = True
    tn = tr = 0.0
    with tempfile.TemporaryDirectory() as work:
        for (swc, fitp, amp, d, dur, t), r in zip(cells, ref):
            name = "%s + %s (%g ms)" % (os.path.basename(swc), os.path.basename(fitp), t)
            got = run_ranvier(a.ranvier, swc, fitp, amp, d, dur, t, work)
            ok &= compare(name, r, got)
            tn += r["time"]
            tr += got["time"]
    print("total run time of the %d cells: NEURON %.3f s, ranvier %.3f s, ratio %.2f" %
          (len(cells), tn, tr, tn / max(tr, 1e-9)))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
