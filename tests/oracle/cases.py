#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Oracle test cases: each builds a model (rvsim lines), runs it in NEURON and
in ranvier, and compares.  Usage:
    cases.py CASE RVSIM [--secondorder 0|2] [--mpi RVSIM_MPI NPROCS...]
CASE: hh_iclamp, ball_stick, two_cells, branched, network50, intfire_net.
Exit status 0 only when every comparison passes."""
import argparse
import random
import sys

import oracle


def header(so, tstop, extra=()):
    return ["dt 0.025", "secondorder %d" % so, "celsius 6.3", "tstop %g" % tstop,
            "vinit -65"] + list(extra)


def case_hh_iclamp(so):
    """(a) single-compartment HH soma driven by an IClamp."""
    L = header(so, 60)
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "pp stim IClamp soma 0.5", "ppset stim del 2", "ppset stim dur 40",
          "ppset stim amp 0.15", "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record soma 0.5 m_hh", "record soma 0.5 n_hh",
          "record soma 0.5 ina", "recordpp stim i"]
    return L


def case_ball_stick(so):
    """(b) HH soma + passive 11-segment dendrite; ExpSyn driven by a regular
    NetStim and by a noisy NetStim on a Random123 stream; i_membrane_."""
    L = header(so, 100, ["fast_imem 1"])
    L += ["cell 0", "section soma 1", "geom soma 18.8 18.8 123 1", "insert soma hh",
          "section dend 11", "geom dend 300 1.2 123 1", "insert dend pas",
          "rangeall dend g_pas 0.0002", "rangeall dend e_pas -65",
          "connect dend 0 soma 1",
          "pp syn ExpSyn dend 0.8", "ppset syn tau 2", "ppset syn e 0",
          "pp syn2 ExpSyn dend 0.3", "ppset syn2 tau 5",
          "gidsec 0 soma 0.5 -10",
          "cell 1", "art ns NetStim", "ppset ns start 5", "ppset ns interval 12",
          "ppset ns number 6", "ppset ns noise 0", "gidpp 1 ns",
          "cell 2", "art nz NetStim", "ppset nz start 3", "ppset nz interval 7",
          "ppset nz number 1000", "ppset nz noise 0.6", "r123 nz 7 11 13", "gidpp 2 nz",
          "cell 0", "netcon 1 syn 1 0.04", "netcon 2 syn2 2.5 0.01",
          "record soma 0.5 v", "record dend 0.5 v", "record dend 0.95 v", "record dend 1 v",
          "record soma 0.5 i_membrane_", "record dend 0.5 i_membrane_",
          "recordpp syn g", "recordpp syn2 i"]
    return L


def case_two_cells(so):
    """(c) two HH cells, the first driven by an IClamp, connected by a NetCon
    with delay onto an Exp2Syn of the second."""
    L = header(so, 80)
    L += ["cell 0", "section a_soma 1", "geom a_soma 20 20 100 1", "insert a_soma hh",
          "pp st IClamp a_soma 0.5", "ppset st del 5", "ppset st dur 60", "ppset st amp 0.2",
          "gidsec 0 a_soma 0.5 0",
          "cell 1", "section b_soma 1", "geom b_soma 20 20 100 1", "insert b_soma hh",
          "pp syn Exp2Syn b_soma 0.5", "ppset syn tau1 0.5", "ppset syn tau2 3",
          "gidsec 1 b_soma 0.5 0", "netcon 0 syn 3.5 0.02",
          "record a_soma 0.5 v", "record b_soma 0.5 v", "recordpp syn g"]
    return L


def case_branched(so):
    """(d) a branched cell of 24 sections with varied nseg, diam and 3-D points
    (tapering, uneven spacing), hh in soma and some branches."""
    rng = random.Random(42)
    L = header(so, 40)
    L += ["cell 0", "section soma 1"]
    # soma from 3-D points (a contour-like profile)
    for k, (x, d) in enumerate([(0, 2), (3, 12), (8, 18.5), (13, 17), (18, 9), (20, 1.5)]):
        L.append("pt3d soma %g 0 0 %g" % (x, d))
    L += ["insert soma hh", "rangeall soma gnabar_hh 0.25"]
    names = ["soma"]
    for k in range(23):
        nm = "b%d" % k
        nseg = rng.choice([1, 2, 3, 5, 7, 9, 11])
        L.append("section %s %d" % (nm, nseg))
        parent = rng.choice(names)
        px = rng.choice([1, 1, 0.5, 0.3, 0.75, 0])
        if parent == "soma" and px == 0:
            px = 1
        if k % 3 == 0:
            # 3-D points: a wiggly, tapering branch with uneven spacing
            x = y = z = 0.0
            d = rng.uniform(1.0, 4.0)
            for j in range(rng.randint(2, 12)):
                L.append("pt3d %s %.4f %.4f %.4f %.4f" % (nm, x, y, z, d))
                x += rng.uniform(0.5, 30)
                y += rng.uniform(-5, 5)
                z += rng.uniform(-3, 3)
                d = max(0.3, d * rng.uniform(0.7, 1.1))
            L.append("geom_ra %s %g" % (nm, rng.uniform(80, 200)))
        else:
            L.append("geom %s %g %g %g %g" % (nm, rng.uniform(20, 400), rng.uniform(0.4, 3),
                                             rng.uniform(80, 200), rng.uniform(0.8, 2)))
            if nseg > 2:
                L.append("segdiam %s 0.1 %g" % (nm, rng.uniform(0.5, 4)))
        L.append("connect %s 0 %s %g" % (nm, parent, px))
        if k % 4 == 1:
            L.append("insert %s hh" % nm)
        else:
            L += ["insert %s pas" % nm, "rangeall %s g_pas %g" % (nm, rng.uniform(1e-5, 1e-3)),
                  "rangeall %s e_pas -70" % nm]
        names.append(nm)
        for x in (0.05, 0.5, 0.95):
            L.append("probe %s %g" % (nm, x))
        L.append("record %s 0.5 v" % nm)
    L += ["probe soma 0.5", "pp st IClamp soma 0.5", "ppset st del 1", "ppset st dur 30",
          "ppset st amp 3", "record soma 0.5 v", "gidsec 0 soma 0.5 0"]
    # geom_ra is "Ra only": expand to the generic directive both sides know
    out = []
    for ln in L:
        if ln.startswith("geom_ra "):
            _, nm, ra = ln.split()
            out.append("setra %s %s" % (nm, ra))
        else:
            out.append(ln)
    return out


def network(so, ncell, tstop, seed):
    """(e) random network: HH soma + 3-segment passive dendrite per cell,
    ExpSyn synapses with random sources and 1-5 ms delays, NetStim drive."""
    rng = random.Random(seed)
    L = header(so, tstop)
    for c in range(ncell):
        s, d = "s%d" % c, "d%d" % c
        L += ["cell %d" % c, "section %s 1" % s, "geom %s 20 20 100 1" % s,
              "insert %s hh" % s, "section %s 3" % d, "geom %s 150 2 100 1" % d,
              "insert %s pas" % d, "rangeall %s e_pas -65" % d, "connect %s 0 %s 1" % (d, s),
              "gidsec %d %s 0.5 -20" % (c, s), "pp e%d ExpSyn %s 0.7" % (c, d),
              "ppset e%d tau 3" % c]
        for k in range(5):
            src = rng.randrange(ncell)
            L.append("netcon %d e%d %.3f %.6f" % (src, c, rng.uniform(1, 5),
                                                    rng.uniform(0.002, 0.008)))
        L.append("record %s 0.5 v" % s)
    for k in range(5):  # drive
        g = 10000 + k
        L += ["cell %d" % g, "art ns%d NetStim" % k, "ppset ns%d start %g" % (k, 2 + 3 * k),
              "ppset ns%d interval 9" % k, "ppset ns%d number 50" % k,
              "ppset ns%d noise 0.3" % k, "r123 ns%d %d 2 3" % (k, k + 1), "gidpp %d ns%d" % (g, k)]
        for c in range(k, ncell, 5):
            L.append("cell_netcon %d %d e%d 1.0 0.05" % (c, g, c))
    return regroup(L)


def regroup(L):
    """Move 'cell_netcon C ...' lines into the block of cell C (NetCons live
    with their target)."""
    blocks, order, cur, glob = {}, [], None, []
    extra = {}
    for ln in L:
        t = ln.split()
        if t[0] == "cell":
            cur = t[1]
            if cur not in blocks:
                blocks[cur] = []
                order.append(cur)
            continue
        if t[0] == "cell_netcon":
            extra.setdefault(t[1], []).append("netcon " + " ".join(t[2:]))
            continue
        (blocks[cur] if cur is not None else glob).append(ln)
    out = list(glob)
    for c in order:
        out.append("cell " + c)
        out += blocks[c] + extra.get(c, [])
    return out


def case_network50(so):
    return network(so, 50, 200, 7)


def case_intfire_net(so):
    """IntFire1 network driven by NetStims (artificial cells, self events)."""
    rng = random.Random(3)
    L = header(so, 300)
    n = 30
    for c in range(n):
        L += ["cell %d" % c, "art f%d IntFire1" % c, "ppset f%d tau %g" % (c, rng.uniform(5, 20)),
              "ppset f%d refrac %g" % (c, rng.uniform(1, 5)), "gidpp %d f%d" % (c, c)]
        for k in range(4):
            L.append("netcon %d f%d %g %g" % (rng.randrange(n), c, rng.choice([1, 2, 2.5, 4]),
                                             rng.uniform(0.1, 0.4)))
        L.append("netcon %d f%d 1 0.6" % (100 + c % 3, c))
    # events in (tstop, tstop + dt/2] must not be delivered (NEURON delivers
    # up to t at the end of a step); this one would fire a spike at 300.01
    L += ["cell 999", "art edge NetStim", "ppset edge start 300.01", "ppset edge number 1",
          "gidpp 999 edge"]
    for k in range(3):
        L += ["cell %d" % (100 + k), "art ns%d NetStim" % k, "ppset ns%d start %d" % (k, k),
              "ppset ns%d interval 5" % k, "ppset ns%d number 100" % k, "ppset ns%d noise 0.5" % k,
              "r123 ns%d 1 %d 0" % (k, k), "gidpp %d ns%d" % (100 + k, k)]
    return L


def case_calcium(so):
    """Ions beyond the built-ins: a calcium channel (READ eca WRITE ica) and a
    calcium pool (READ ica WRITE cai) -- our own .mod files, compiled by
    nrnivmodl for NEURON and written by hand against the ABI for ranvier
    (tests/oracle/test_mechs.c).  cai is a state, eca follows Nernst every
    step; a second section has only the channel (eca stays a parameter)."""
    import os
    moddir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mod")
    L = header(so, 80, ["nrnmech " + moddir, "celsius 22"])
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "insert soma carv", "insert soma cadrv", "rangeall soma gbar_carv 0.002",
          "rangeall soma tau_cadrv 30", "rangeall soma k_cadrv 0.5",
          "section dend 5", "geom dend 200 2 100 1", "insert dend pas", "insert dend carv",
          "rangeall dend gbar_carv 0.0001", "connect dend 0 soma 1",
          "pp st IClamp soma 0.5", "ppset st del 5", "ppset st dur 60", "ppset st amp 0.3",
          "gidsec 0 soma 0.5 -20",
          "record soma 0.5 v", "record soma 0.5 cai", "record soma 0.5 eca",
          "record soma 0.5 ica", "record dend 0.5 v", "record dend 0.5 eca",
          "record dend 0.5 ica"]
    return L


def case_play(so):
    """Vector.play: IClamp amplitudes played continuously (steps as equal
    times, ramps, a start after 0, off-grid and half-step times, the linear
    extension after the last point), a dendritic g_pas played continuously,
    and a second cell whose amplitude is played by events (continuous 0)."""
    L = header(so, 45)
    ct = "2,2,5,7.0125,7.0125,10.01,15,20,20,30"
    cy = "0,0.1,0.1,0.3,-0.05,0.05,0.2,0.2,0,0.15"
    st = "0,1,3.0125,7.5,7.5,12.31,20,33.3"
    sy = "0.05,0.12,0.3,-0.1,0.25,0,0.2,0"
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "section dend 5", "geom dend 200 2 100 1", "insert dend pas",
          "connect dend 0 soma 1",
          "pp stim IClamp soma 0.5", "ppset stim del 0", "ppset stim dur 1e9",
          "varplay stim amp 1 %s %s" % (ct, cy),
          "rangeplay dend 0.5 g_pas 1 0,12,12,25 0.0001,0.002,0.0005,0.001",
          "cell 1", "section soma2 1", "geom soma2 20 20 100 1", "insert soma2 hh",
          "pp stim2 IClamp soma2 0.5", "ppset stim2 del 0", "ppset stim2 dur 1e9",
          "varplay stim2 amp 0 %s %s" % (st, sy),
          "gidsec 0 soma 0.5 -20", "gidsec 1 soma2 0.5 -20",
          "record soma 0.5 v", "record dend 0.5 v", "recordpp stim i", "recordpp stim amp",
          "record dend 0.5 g_pas",
          "record soma2 0.5 v", "recordpp stim2 i", "recordpp stim2 amp"]
    return L


CASES = {
    "play": case_play,
    "calcium": case_calcium,
    "hh_iclamp": case_hh_iclamp,
    "ball_stick": case_ball_stick,
    "two_cells": case_two_cells,
    "branched": case_branched,
    "network50": case_network50,
    "intfire_net": case_intfire_net,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("rvsim")
    ap.add_argument("--secondorder", type=int, default=None)
    ap.add_argument("--mpi", default=None, help="rvsim built with MPI")
    ap.add_argument("--np", type=int, nargs="*", default=[1, 2, 3])
    ap.add_argument("--tol", type=float, default=1e-6)
    a = ap.parse_args()
    ok = True
    for so in ([a.secondorder] if a.secondorder is not None else [0, 2]):
        lines = CASES[a.case](so)
        name = "%s secondorder=%d" % (a.case, so)
        # NEURON is run in a fresh process per model (its state is global)
        ref = neuron_in_subprocess(lines)
        got = oracle.run_ranvier(lines, a.rvsim)
        ok &= oracle.compare(name, ref, got, tol=a.tol)
        if a.mpi:
            # with several processes simultaneous events are ordered by source
            # gid (RV_EVENT_ORDER_GID); the 1-process reference uses it too
            gl = ["event_order gid"] + lines
            got = oracle.run_ranvier(gl, a.rvsim)
            ok &= oracle.compare(name + " event_order gid", ref, got, tol=a.tol)
            for np_ in a.np:
                g2 = oracle.run_ranvier(gl, a.mpi, nprocs=np_)
                same = g2[1] == got[1] and g2[2] == got[2]
                print("%s: %d MPI processes vs 1 process: %s" %
                      (name, np_, "bit-identical" if same else "DIFFERENT FAIL"))
                ok &= same
                ok &= oracle.compare(name + " np=%d" % np_, ([], ref[1], ref[2]), g2, tol=a.tol)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def neuron_in_subprocess(lines):
    import json
    import subprocess
    import tempfile
    import os
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        code = ("import sys, json; sys.path.insert(0, %r); import oracle;"
                "L = open(%r).read().split('\\n');"
                "print(json.dumps(oracle.run_neuron(L)))") % (os.path.dirname(__file__), path)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("NEURON run failed: " + r.stderr[-2000:])
        pr, recs, sp = json.loads(r.stdout.strip().split("\n")[-1])
        return [tuple(p) for p in pr], recs, [tuple(s) for s in sp]
    finally:
        os.unlink(path)


if __name__ == "__main__":
    sys.exit(main())
