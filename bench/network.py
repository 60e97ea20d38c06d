#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Benchmark network, written in rvsim's line format (tests/oracle/rvsim.c).

N cells.  Each cell (gid c):
  * soma: 1 segment, L = diam = 20 um, Ra 100, hh;
  * 4 dendrites, each two sections (proximal `a`, distal `b`) of nseg 10 in
    series, L 200 um, diam 1 um, Ra 100, pas (g_pas 1e-4 S/cm2, e_pas -65);
    dendrites 0,1 leave soma(1), dendrites 2,3 leave soma(0);
    1 + 4*2*10 = 81 compartments per cell;
  * 100 ExpSyn synapses at random dendritic locations; 80 excitatory
    (e 0, tau 2 ms), 20 inhibitory (e -80, tau 6 ms); each receives one NetCon
    from a uniformly random source cell, delay uniform 1-5 ms, small weight;
  * one Poisson NetStim (noise 1, Random123 stream (c, 1, 0), gid DRIVE+c)
    living in the cell's block and connected to the cell's first NDRIVE
    excitatory synapses (delay 1 ms, weight WDRIVE).
tstop 1000 ms, dt 0.025, celsius 6.3, secondorder 0.  Every NetCon is written
in the `cell` block of its target cell, so the file can be run on P MPI
processes (cell k lives on process k % P).  Deterministic given (N, seed).

Usage: network.py N [--seed S] [--tstop T] [--record K] [-o FILE]
"""
import argparse
import random
import sys

DRIVE = 1000000        # gid offset of the per-cell NetStims
NSYN = 100             # synapses per cell
NEXC = 80              # of which excitatory (the rest inhibitory)
NDRIVE = 2             # excitatory synapses per cell driven by the NetStim
W_EXC = (0.0003, 0.001)   # uS, uniform
W_INH = (0.001, 0.003)   # uS, uniform
WDRIVE = 0.004             # uS
DRIVE_INTERVAL = 30.0      # ms, mean Poisson interval


def build(n, seed=1, tstop=1000.0, record=0, drive_interval=DRIVE_INTERVAL, wdrive=WDRIVE,
          w_exc=W_EXC, w_inh=W_INH):
    """Return the model as a list of lines."""
    rng = random.Random(seed)
    L = ["# ranvier benchmark network: %d cells, seed %d" % (n, seed),
         "dt 0.025", "secondorder 0", "celsius 6.3", "tstop %g" % tstop, "vinit -65"]
    for c in range(n):
        s = "s%d" % c
        L += ["cell %d" % c, "section %s 1" % s, "geom %s 20 20 100 1" % s, "insert %s hh" % s]
        dends = []
        for k in range(4):
            for part in "ab":
                d = "d%d_%d%s" % (c, k, part)
                L += ["section %s 10" % d, "geom %s 200 1 100 1" % d, "insert %s pas" % d,
                      "rangeall %s g_pas 0.0001" % d, "rangeall %s e_pas -65" % d]
                dends.append(d)
            L.append("connect d%d_%da 0 %s %d" % (c, k, s, 1 if k < 2 else 0))
            L.append("connect d%d_%db 0 d%d_%da 1" % (c, k, c, k))
        L.append("gidsec %d %s 0.5 -20" % (c, s))
        for j in range(NSYN):
            p = "e%d_%d" % (c, j)
            d = rng.choice(dends)
            x = rng.randrange(1, 1000) / 1000.0
            L.append("pp %s ExpSyn %s %g" % (p, d, x))
            if j < NEXC:
                L.append("ppset %s tau 2" % p)
                w = rng.uniform(*w_exc)
            else:
                L += ["ppset %s tau 6" % p, "ppset %s e -80" % p]
                w = rng.uniform(*w_inh)
            L.append("netcon %d %s %.4f %.7f" % (rng.randrange(n), p, rng.uniform(1, 5), w))
        # drive
        ns, g = "ns%d" % c, DRIVE + c
        L += ["art %s NetStim" % ns, "ppset %s start %g" % (ns, rng.uniform(0, 10)),
              "ppset %s interval %g" % (ns, drive_interval), "ppset %s number 1e9" % ns,
              "ppset %s noise 1" % ns, "r123 %s %d 1 0" % (ns, c), "gidpp %d %s" % (g, ns)]
        for j in range(NDRIVE):
            L.append("netcon %d e%d_%d 1 %g" % (g, c, j, wdrive))
        if c < record:
            L.append("record %s 0.5 v" % s)
    return L


def compartments(n):
    return n * (1 + 4 * 2 * 10)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tstop", type=float, default=1000.0)
    ap.add_argument("--record", type=int, default=0, metavar="K",
                    help="record soma v of the first K cells")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()
    text = "\n".join(build(a.n, a.seed, a.tstop, a.record)) + "\n"
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
