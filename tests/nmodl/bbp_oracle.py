#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Our Blue Brain synapse and minis mechanisms (mechanisms/bbp/*.mod) against
NEURON running the same files (nrnivmodl), live.

Usage: bbp_oracle.py RVSIM_NMODL [--secondorder 0|2]

A ball-and-stick hh cell carries ProbAMPANMDA_EMS and ProbGABAAB_EMS
synapses (Nrrp 1..5, Fac > 0 and Fac = 0, NMDA/GABAB ratios, delayed weight
changes through setup_delay_vecs) driven through NetCons with the
neurodamus weight-vector layout (weight[4] = NetCon type: 0 presynaptic, 1
minis, 2 replay) by NetStims (one noisy, Random123), a VecStim, the cell's
own spikes and InhPoissonStims (constant and binned rates, delay 0.1, as
neurodamus's minis); Random123 ids as neurodamus computes them
(setRNG(tgid+1+250, synapse_id+100, seed2+300), setRNGs(synapse_id+200,
tgid+251, seed2+300, synapse_id+200, tgid+251, seed2+350)) and a Random123
global index (run.random_seed).

Passes when max |dV| <= 1e-6 mV, every synapse's release-state records
(occupied, unoccupied, tsyn, u, next_delay) are bit-identical, spike rasters
(cell and InhPoissonStim events) identical, and the stochastic release is
exercised (events with and without release)."""
import argparse
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))
import cases  # noqa: E402
import oracle  # noqa: E402

TSTOP = 150.0
TGID, SPOP, TPOP, SEED = 0, 0, 0, 0
GLOBAL_INDEX = 29  # neurodamus: run.random_seed
SEED2 = SPOP * 65536 + TPOP + SEED

# (id, mechanism, section, x, synapse_id, parameters)
SYNS = [
    ("a1", "ProbAMPANMDA_EMS", "dend", 0.3, 0,
     {"Use": 0.5, "Dep": 60, "Fac": 20, "Nrrp": 3, "tau_d_AMPA": 1.74}),
    ("a2", "ProbAMPANMDA_EMS", "soma", 0.5, 1,
     {"Use": 0.6, "Dep": 40, "Fac": 0, "Nrrp": 1, "NMDA_ratio": 1.2, "conductance": 0.9}),
    ("a3", "ProbAMPANMDA_EMS", "dend", 0.8, 2,
     {"Use": 0.3, "Dep": 30, "Fac": 0, "Nrrp": 5, "tau_d_AMPA": 3}),
    ("g1", "ProbGABAAB_EMS", "soma", 0.5, 3,
     {"Use": 0.25, "Dep": 80, "Fac": 10, "Nrrp": 2, "GABAB_ratio": 0.3, "tau_r_GABAA": 0.5}),
    ("g2", "ProbGABAAB_EMS", "dend", 0.5, 4,
     {"Use": 0.4, "Dep": 25, "Fac": 0, "Nrrp": 4, "tau_d_GABAA": 10}),
]
STATE_VARS = ["occupied", "unoccupied", "tsyn", "u", "next_delay"]


def model(so, moddir):
    L = cases.header(so, TSTOP, ["nrnmech " + moddir, "r123global %d" % GLOBAL_INDEX])
    L += ["cell 0", "section soma 1", "geom soma 20 20 100 1", "insert soma hh",
          "section dend 5", "geom dend 200 2 100 1", "insert dend pas",
          "connect dend 0 soma 1", "gidsec 0 soma 0.5 -20"]
    calls, recs = [], ["record soma 0.5 v", "record dend 0.5 v", "record dend 0.9 v"]
    for sid, mech, sec, x, synid, par in SYNS:
        L.append("pp %s %s %s %g" % (sid, mech, sec, x))
        L += ["ppset %s %s %.17g" % (sid, k, v) for k, v in par.items()]
        L.append("ppset %s synapseID %d" % (sid, synid))
        calls.append("ppcall %s setRNG %d %d %d" % (sid, TGID + 1 + 250, synid + 100, SEED2 + 300))
        recs += ["recordpp %s %s" % (sid, v) for v in STATE_VARS]
        recs.append("recordpp %s %s" % (sid, "A_AMPA" if "AMPA" in mech else "A_GABAA"))
    # a2's delayed weight changes (applied through its presynaptic NetCon)
    calls.append("ppcall a2 setup_delay_vecs v:15,40.0125,90 v:2,0.5,1.5")
    # presynaptic sources: regular and noisy NetStims, a VecStim
    L += ["cell 1", "art ns1 NetStim", "ppset ns1 start 2", "ppset ns1 interval 7",
          "ppset ns1 number 30", "ppset ns1 noise 0", "gidpp 1 ns1",
          "cell 2", "art ns2 NetStim", "ppset ns2 start 1", "ppset ns2 interval 5",
          "ppset ns2 number 1000", "ppset ns2 noise 0.8", "r123 ns2 7 3 11", "gidpp 2 ns2",
          "cell 3", "art vs VecStim", "vecplay vs 3 3 9.5 20 33.3 60 61 100", "gidpp 3 vs"]
    # minis: InhPoissonStims at constant and binned rates, duration = tstop
    ips = [("m1", "a3", 2, [0], [90]), ("m2", "g1", 3, [0], [60]),
           ("m3", "a1", 0, [0, 30, 70.5], [40, 250, 15])]
    for k, (iid, syn, synid, tb, rate) in enumerate(ips):
        L += ["cell %d" % (4 + k), "art %s InhPoissonStim" % iid,
              "ppset %s duration %g" % (iid, TSTOP), "gidpp %d %s" % (4 + k, iid)]
        calls += ["ppcall %s setRNGs %d %d %d %d %d %d" %
                  (iid, synid + 200, TGID + 251, SEED2 + 300, synid + 200, TGID + 251, SEED2 + 350),
                  "ppcall %s setTbins v:%s" % (iid, ",".join("%g" % x for x in tb)),
                  "ppcall %s setRate v:%s" % (iid, ",".join("%g" % x for x in rate))]
    L.append("cell 0")
    L += calls + recs
    # NetCons: SRC TARGET DELAY weight weight_X weight_Y Psurv nc_type
    L += ["netcon 1 a1 1.5 8 0 0 0 0", "netcon 2 a1 2.0 6 0 0 0 2",
          "netcon 3 a2 1.0 12 0 0 0 2", "netcon 1 a2 1.0 9 0 0 0 0",
          "netcon 4 a3 0.1 5 0 0 0 1", "netcon 0 a3 3 7 0 0 0 0",
          "netcon 2 a3 1.2 9 0 0 0 0",
          "netcon 5 g1 0.1 1.0 0 0 0 1", "netcon 2 g1 1.0 3 0 0 0 0",
          "netcon 1 g2 2.5 2.0 0 0 0 0", "netcon 4 g2 0.1 0 0 0 0 1",
          "netcon 6 a1 0.1 4 0 0 0 1"]
    return L


def mechdir():
    """A folder with our three mechanisms and VecStim; RV_BBP_MODDIR names
    another folder to take them from instead (a local check of other
    implementations of the same interface, never part of the suite)."""
    d = tempfile.mkdtemp(prefix="rvbbp")
    bbp = os.environ.get("RV_BBP_MODDIR") or os.path.join(ROOT, "mechanisms", "bbp")
    for fn in os.listdir(bbp):
        if fn.endswith(".mod"):
            shutil.copy(os.path.join(bbp, fn), d)
    shutil.copy(os.path.join(ROOT, "mechanisms", "VecStim.mod"), d)
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rvsim")
    ap.add_argument("--secondorder", type=int, default=None)
    ap.add_argument("--tol", type=float, default=1e-6)
    a = ap.parse_args()
    d = mechdir()
    ok = True
    try:
        for so in ([a.secondorder] if a.secondorder is not None else [0, 2]):
            lines = model(so, d)
            name = "bbp secondorder=%d" % so
            ref = cases.neuron_in_subprocess(lines)
            got = oracle.run_ranvier(["mechlib " + d] + lines, a.rvsim)
            ok &= oracle.compare(name, ref, got, tol=a.tol)
            # release-state records, bit for bit, and what they show
            base = 3
            released = failed = 0
            for k, (sid, mech, _, _, _, par) in enumerate(SYNS):
                r0 = base + k * (len(STATE_VARS) + 1)
                same = all(ref[1][r0 + j] == got[1][r0 + j] for j in range(len(STATE_VARS)))
                tsyn = ref[1][r0 + 2]
                A = ref[1][r0 + len(STATE_VARS)]  # decays, jumps at each release
                nev = sum(1 for p, q in zip(tsyn, tsyn[1:]) if q != p)
                nrel = sum(1 for p, q in zip(A, A[1:]) if q > p)
                released += nrel
                failed += nev - nrel
                print("%s: %s %s (Nrrp %g): %d events, %d with release, final occupied %g: "
                      "release state %s" % (name, sid, mech, par["Nrrp"], nev, nrel,
                                            ref[1][r0][-1], "identical" if same else
                                            "DIFFERENT FAIL"))
                ok &= same
                if sid == "a2":
                    nd = ref[1][r0 + 4][-1]
                    print("%s: a2 delayed weight changes applied: %g of 3%s" %
                          (name, nd, "" if nd == 3 else " FAIL"))
                    ok &= nd == 3
            nips = sum(1 for s in ref[2] if s[1] >= 4)
            print("%s: %d InhPoissonStim events, %d cell spikes" %
                  (name, nips, sum(1 for s in ref[2] if s[1] == 0)))
            if released == 0 or failed <= 0 or nips == 0:
                print("%s: stochastic release not exercised FAIL" % name)
                ok = False
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
