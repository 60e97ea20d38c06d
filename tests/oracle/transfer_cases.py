#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Voltage transfer (gap junctions through ParallelContext source_var /
target_var) against NEURON, on 1 process and under MPI.

Usage: transfer_cases.py CASE RVSIM_NMODL [--mpi RVSIM_NMODL_MPI --np 1 2 3]
                         [--secondorder 0|2]
CASE: gap_pair, gap_ring, no_source.

Our mechanisms/Gap.mod (a POINTER vgap, g in nS) is compiled by nrnivmodl for NEURON
and by ranvier (rvsim's `mechlib`).  NEURON runs on one process with
pc.source_var / pc.target_var / pc.setup_transfer; ranvier with
rv_transfer_source / rv_transfer_target, on one process and on each --np
count, which must give bit-identical records and spikes.  no_source checks
that a target without a source fails, naming its sgid."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases  # noqa: E402
import oracle  # noqa: E402


def gap_dir():
    d = tempfile.mkdtemp(prefix="rvxfer")
    shutil.copy(os.path.join(HERE, "..", "..", "mechanisms", "Gap.mod"), d)
    return d


def hh_cell(c, L):
    s, d = "s%d" % c, "d%d" % c
    L += ["cell %d" % c, "section %s 1" % s, "geom %s 20 20 100 1" % s, "insert %s hh" % s,
          "section %s 5" % d, "geom %s 200 2 100 1" % d, "insert %s pas" % d,
          "rangeall %s e_pas -65" % d, "rangeall %s g_pas 0.0001" % d, "connect %s 0 %s 1" % (d, s),
          "gidsec %d %s 0.5 -20" % (c, s)]


def case_gap_pair(so):
    """(a) two hh cells (soma + 5-segment dendrite) coupled by a pair of Gap
    point processes: A's dendrite at x = 0.7 and B's soma, each the target of
    the other's source; an IClamp drives A."""
    L = cases.header(so, 60)
    hh_cell(0, L)
    L += ["pp st IClamp s0 0.5", "ppset st del 2", "ppset st dur 50", "ppset st amp 0.2",
          "pp ga Gap d0 0.7", "ppset ga g 4", "xsource 11 d0 0.7", "xtarget 22 ga vgap",
          "record s0 0.5 v", "record d0 0.7 v", "recordpp ga i"]
    hh_cell(1, L)
    L += ["pp gb Gap s1 0.5", "ppset gb g 4", "xsource 22 s1 0.5", "xtarget 11 gb vgap",
          "record s1 0.5 v", "recordpp gb i"]
    return L


def case_gap_ring(so):
    """(b) six hh cells in a ring: a gap junction (a Gap pair) between each
    cell's dendrite (x = 0.9) and the next cell's soma, one more Gap on cell 3
    reading cell 0's dendrite (two targets of one source), ExpSyn synapses from
    each cell to the next (2-4 ms), an IClamp on cell 0 and NetStim drive."""
    L = cases.header(so, 120)
    n = 6
    for c in range(n):
        hh_cell(c, L)
        nx = (c + 1) % n
        pv = (c - 1) % n
        L += ["pp e%d ExpSyn d%d 0.5" % (c, c), "ppset e%d tau 3" % c,
              "netcon %d e%d %g 0.004" % (pv, c, 2 + 0.4 * c),
              # junction c: this dendrite <-> next soma
              "pp ja%d Gap d%d 0.9" % (c, c), "ppset ja%d g %g" % (c, 4 + c),
              "xsource %d d%d 0.9" % (100 + 2 * c, c), "xtarget %d ja%d vgap" % (101 + 2 * c, c),
              # junction c-1: previous dendrite <-> this soma
              "pp jb%d Gap s%d 0.5" % (c, c), "ppset jb%d g %g" % (c, 4 + pv),
              "xsource %d s%d 0.5" % (101 + 2 * pv, c), "xtarget %d jb%d vgap" % (100 + 2 * pv, c),
              "record s%d 0.5 v" % c, "record d%d 0.9 v" % c, "recordpp ja%d i" % c]
        if c == 0:
            L += ["pp st IClamp s0 0.5", "ppset st del 5", "ppset st dur 80",
                  "ppset st amp 0.25"]
        if c == 3:
            L += ["pp jx Gap d3 0.2", "ppset jx g 3", "xtarget 100 jx vgap",
                  "recordpp jx i"]
    L += ["cell 50", "art ns NetStim", "ppset ns start 10", "ppset ns interval 15",
          "ppset ns number 6", "ppset ns noise 0", "gidpp 50 ns"]
    # NetCons live with their target: cells 2 and 4 also get the drive
    out = []
    for ln in L:
        out.append(ln)
        if ln in ("ppset e2 tau 3", "ppset e4 tau 3"):
            out.append("netcon 50 e%s 1 0.01" % ln.split()[1][1:])
    return out


def rv_lines(moddir, lines):
    return ["mechlib " + moddir] + lines


def run_rvsim_expect_fail(lines, rvsim, nprocs=0):
    """Run rvsim; return (returncode, stderr)."""
    with tempfile.TemporaryDirectory() as d:
        mp, op = os.path.join(d, "m.txt"), os.path.join(d, "o.txt")
        with open(mp, "w") as f:
            f.write("\n".join(lines) + "\n")
        cmd = [rvsim, mp, op]
        if nprocs:
            cmd = ["mpiexec", "--oversubscribe", "--allow-run-as-root", "-np", str(nprocs)] + cmd
        r = subprocess.run(cmd, capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr


def error_line(msg):
    for ln in msg.split("\n"):
        if "error:" in ln:
            return ln.split("error:", 1)[1].strip()[:160]
    return "(no error message)"


def no_source(a, moddir):
    """A target whose sgid has no source: setup fails naming the sgid (on one
    process, and on two where the target's process has no source at all);
    and two sources with one sgid fail too."""
    ok = True
    base = cases.header(0, 5)
    L = base + ["cell 0", "section a 1", "insert a hh", "pp g Gap a 0.5", "xtarget 77 g vgap",
                "xsource 5 a 0.5", "cell 1", "section b 1", "insert b hh", "xsource 6 b 0.5"]
    runs = [(0, a.rvsim)] + ([(2, a.mpi)] if a.mpi else [])
    for np_, exe in runs:
        rc, msg = run_rvsim_expect_fail(rv_lines(moddir, L), exe, np_)
        good = rc != 0 and "sgid 77 has no source" in msg
        print("no_source np=%d: exit %d, %s %s" % (np_, rc, error_line(msg),
                                                   "ok" if good else "FAIL"))
        ok &= good
    D = base + ["cell 0", "section a 1", "insert a hh", "pp g Gap a 0.5", "xtarget 5 g vgap",
                "xsource 5 a 0.5", "cell 1", "section b 1", "insert b hh", "xsource 5 b 0.5"]
    for np_, exe in runs:
        rc, msg = run_rvsim_expect_fail(rv_lines(moddir, D), exe, np_)
        good = rc != 0 and "sgid 5" in msg
        print("duplicate source np=%d: exit %d, %s %s" %
              (np_, rc, error_line(msg), "ok" if good else "FAIL"))
        ok &= good
    return ok


CASES = {"gap_pair": case_gap_pair, "gap_ring": case_gap_ring}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES) + ["no_source"])
    ap.add_argument("rvsim")
    ap.add_argument("--mpi", default=None, help="rvsim built with MPI and NMODL")
    ap.add_argument("--np", type=int, nargs="*", default=[1, 2, 3])
    ap.add_argument("--secondorder", type=int, default=None)
    ap.add_argument("--tol", type=float, default=1e-9)
    a = ap.parse_args()
    moddir = gap_dir()
    ok = True
    if a.case == "no_source":
        ok = no_source(a, moddir)
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    for so in ([a.secondorder] if a.secondorder is not None else [0, 2]):
        lines = CASES[a.case](so)
        name = "%s secondorder=%d" % (a.case, so)
        ref = cases.neuron_in_subprocess(["nrnmech " + moddir] + lines)
        got = oracle.run_ranvier(rv_lines(moddir, lines), a.rvsim)
        ok &= oracle.compare(name, ref, got, tol=a.tol)
        if not a.mpi:
            continue
        gl = rv_lines(moddir, ["event_order gid"] + lines)
        one = oracle.run_ranvier(gl, a.rvsim)
        ok &= oracle.compare(name + " event_order gid", ref, one, tol=a.tol)
        for np_ in a.np:
            g2 = oracle.run_ranvier(gl, a.mpi, nprocs=np_)
            same = g2[1] == one[1] and g2[2] == one[2]
            print("%s: %d MPI processes vs 1 process: %s" %
                  (name, np_, "bit-identical" if same else "DIFFERENT FAIL"))
            ok &= same
            ok &= oracle.compare(name + " np=%d" % np_, ([], ref[1], ref[2]), g2, tol=a.tol)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
