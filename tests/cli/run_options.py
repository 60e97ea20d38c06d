#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ranvier run` options (issue 6): --output-path/--output-dir, --dry-run,
--dump-cell-state, --lb-mode, the `ranvier CONFIG` alias, the log file
<output>/ranvier.log, and bad option values (exit code != 0, a message naming
the option).

  run_options.py bbp   --ranvier EXE --work DIR --copy examples/bbp-mini
  run_options.py allen --ranvier EXE --work DIR --shared ../shared/data
  run_options.py bad   --ranvier EXE --work DIR --copy examples/bbp-mini
  run_options.py mpi   --ranvier EXE --work DIR --copy examples/bbp-mini --mpiexec EXE
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

FAILS = []


def check(cond, what):
    print("%s: %s" % ("ok" if cond else "FAIL", what))
    if not cond:
        FAILS.append(what)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return r


def fresh(path):
    if os.path.exists(path):
        shutil.rmtree(path)
    return path


def copy_circuit(src, work):
    circ = os.path.join(work, "circuit")
    fresh(circ)
    shutil.copytree(src, circ)
    for fn in os.listdir(circ):
        if fn.endswith(".SUCCESS"):
            os.remove(os.path.join(circ, fn))
    return os.path.join(circ, "simulation_config.json")


def nrndat(path):
    """the parts of a prcellstate file used here"""
    lines = open(path).read().splitlines()
    d = {"lines": lines}
    for ln in lines[:3]:
        k, v = ln.split(" = ")
        d[k] = float(v)
    if len(lines) > 3:
        m = re.match(r"(\d+) nodes  (-?\d+) is the threshold node", lines[3])
        d["nodes"] = int(m.group(1))
        i = lines.index("inode parent area a b")
        j = lines.index("inode v")
        d["table"] = lines[i + 1:j]
        d["v"] = [float(x.split()[1]) for x in lines[j + 1:j + 1 + d["nodes"]]]
        d["types"] = [ln for ln in lines if ln.startswith("type=")]
    return d


def log_of(outdir):
    p = os.path.join(outdir, "ranvier.log")
    return open(p).read() if os.path.exists(p) else None


def progress_lines(stderr):
    return [ln[len("ranvier run: "):] for ln in stderr.splitlines()
            if ln.startswith("ranvier run: ")]


def test_bbp(a):
    cfg = copy_circuit(a.copy, a.work)
    success = cfg + ".SUCCESS"
    v_init = -70.0
    # 1. run with every option; -v progress goes to stderr and to the log
    out1 = fresh(os.path.join(a.work, "out1"))
    r = run([a.ranvier, "run", cfg, "--output-path", out1, "--lb-mode", "RoundRobin",
             "--dump-cell-state", "3,5-6", "-v"])
    check(r.returncode == 0, "run with --output-path --lb-mode --dump-cell-state -v exits 0 "
          "(%d: %s)" % (r.returncode, (r.stderr.strip().splitlines() or [""])[-1]))
    summary = r.stdout.strip()
    check(re.search(r"10 cells, 180 synapses .* 150 ms: \d+ spikes -> %s/out.h5$" %
                    re.escape(out1), summary) is not None, "summary line: %s" % summary)
    check(os.path.exists(os.path.join(out1, "out.h5")), "spikes in --output-path")
    check(os.path.exists(success), "SUCCESS marker written")
    log = log_of(out1)
    check(log is not None, "ranvier.log written in the output folder")
    if log:
        ll = [re.sub(r"^\[[^]]*\] ", "", x) for x in log.splitlines()]
        check(ll[0].startswith("ranvier run %s --output-path %s" % (cfg, out1)),
              "log starts with the command line")
        prog = progress_lines(r.stderr)
        check(len(prog) >= 3 and all(p in ll for p in prog),
              "every -v progress line (%d) is in the log" % len(prog))
        check(summary in ll, "the summary line is in the log")
        check(all(re.match(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] ", x)
                  for x in log.splitlines()), "log lines are time-stamped")
    # dump files: gids 3, 5, 6 at t=0.0 and 150.0, nothing else
    want = sorted("%d_py_Neuron_t%s.nrndat" % (g, t) for g in (3, 5, 6) for t in ("0.0", "150.0"))
    got = sorted(f for f in os.listdir(out1) if f.endswith(".nrndat"))
    check(got == want, "dump files %s" % got)
    for g in (3, 5, 6):
        p0 = os.path.join(out1, "%d_py_Neuron_t0.0.nrndat" % g)
        p1 = os.path.join(out1, "%d_py_Neuron_t150.0.nrndat" % g)
        if not (os.path.exists(p0) and os.path.exists(p1)):
            continue
        d0, d1 = nrndat(p0), nrndat(p1)
        check(d0["gid"] == g and d0["t"] == 0 and d0["celsius"] == 34,
              "gid %d t=0 header (gid, t, celsius)" % g)
        check(d1["t"] == 150, "gid %d: t = %r at tstop (neurodamus' h.t = tstop)" % (g, d1["t"]))
        check(d0["nodes"] > 10 and len(d0["table"]) == d0["nodes"] and
              len(d0["v"]) == d0["nodes"], "gid %d: %d nodes, table and v complete" %
              (g, d0["nodes"]))
        check(all(x == v_init for x in d0["v"]), "gid %d: v = v_init everywhere at t=0" % g)
        check(any(x != v_init for x in d1["v"]), "gid %d: v moved by tstop" % g)
        check(d0["table"] == d1["table"], "gid %d: node table (area, a, b) unchanged" % g)
        check(d0["types"] == d1["types"] and d0["types"][0] == "type=3 capacitance size=2",
              "gid %d: mechanism blocks %s" % (g, [t.split()[1] for t in d0["types"]]))
    # 2. --output-dir (alias) and the `ranvier CONFIG` form give the same results
    out2 = fresh(os.path.join(a.work, "out2"))
    r2 = run([a.ranvier, cfg, "--output-dir=%s" % out2, "--dump-cell-state=5"])
    check(r2.returncode == 0, "`ranvier CONFIG --output-dir=DIR` exits 0 (%s)" %
          r2.stderr.strip()[-200:])
    check(r2.stdout.strip() == summary.replace(out1, out2),
          "`ranvier CONFIG` prints the same summary as `ranvier run CONFIG`")
    for t in ("0.0", "150.0"):
        f = "5_py_Neuron_t%s.nrndat" % t
        same = (os.path.exists(os.path.join(out2, f)) and
                open(os.path.join(out1, f)).read() == open(os.path.join(out2, f)).read())
        check(same, "%s identical in both runs" % f)
    check(sorted(f for f in os.listdir(out2) if f.endswith(".nrndat")) ==
          ["5_py_Neuron_t0.0.nrndat", "5_py_Neuron_t150.0.nrndat"], "only gid 5 dumped")
    log2 = log_of(out2)
    check(log2 is not None and "--dump-cell-state=5" in log2 and "-v" not in log2.split("\n")[0]
          and "cells built" in log2, "log without -v still holds the progress lines")
    # 3. --dry-run: builds (same counts), writes nothing but the log, keeps SUCCESS
    out3 = fresh(os.path.join(a.work, "out3"))
    r3 = run([a.ranvier, "run", cfg, "--output-path", out3, "--dry-run",
              "--dump-cell-state", "3"])
    check(r3.returncode == 0, "--dry-run exits 0 (%s)" % r3.stderr.strip()[-200:])
    check(r3.stdout.startswith("dry run: 10 cells, 180 synapses (360 netcons) built"),
          "dry-run summary: %s" % r3.stdout.strip())
    check(os.listdir(out3) == ["ranvier.log"], "dry run wrote only ranvier.log: %s" %
          os.listdir(out3))
    check(os.path.exists(success), "dry run left the previous SUCCESS marker alone")
    check("dry run" in (log_of(out3) or ""), "dry run logged")
    # 4. an error after the output folder is known is logged too
    out4 = fresh(os.path.join(a.work, "out4"))
    r4 = run([a.ranvier, "run", cfg, "--output-path", out4, "--mechanisms",
              os.path.join(a.work, "no-such-folder")])
    check(r4.returncode != 0, "a missing --mechanisms folder fails")
    l4 = log_of(out4) or ""
    check("error:" in l4 and "no-such-folder" in l4, "the error is in the log")
    # 5. target_simulator CORENEURON: simulated by ranvier's engine, same spikes
    with open(cfg) as f:
        sim = json.load(f)
    sim["target_simulator"] = "CORENEURON"
    cfg5 = os.path.join(os.path.dirname(cfg), "simulation_config_coreneuron.json")
    with open(cfg5, "w") as f:
        json.dump(sim, f)
    out5 = fresh(os.path.join(a.work, "out5"))
    r5 = run([a.ranvier, "run", cfg5, "--output-path", out5])
    check(r5.returncode == 0, "target_simulator CORENEURON runs (%s)" % r5.stderr.strip()[-200:])
    check(r5.stdout.strip() == summary.replace(out1, out5),
          "CORENEURON: same summary as NEURON (%s)" % r5.stdout.strip())
    def spikes(d):
        import h5py
        with h5py.File(os.path.join(d, "out.h5"), "r") as f:
            return {p: (list(g["timestamps"][()]), list(g["node_ids"][()]))
                    for p, g in f["spikes"].items()}
    s1, s5 = spikes(out1), spikes(out5)
    check(s1 == s5 and sum(len(v[0]) for v in s1.values()) > 0,
          "CORENEURON: the same spikes as the NEURON run (%d)" %
          sum(len(v[0]) for v in s5.values()))
    check("target_simulator CORENEURON" in (log_of(out5) or ""), "CORENEURON noted in the log")


def test_allen(a):
    cfg = os.path.join(a.shared, "circuits", "allen-300-intfire", "config.json")
    out1 = fresh(os.path.join(a.work, "out1"))
    r = run([a.ranvier, cfg, "--output-path", out1, "--dump-cell-state", "0,150-151",
             "--lb-mode", "roundrobin"])
    check(r.returncode == 0, "allen: `ranvier CONFIG` with options exits 0 (%s)" %
          r.stderr.strip()[-200:])
    check(": 4322 spikes -> %s/" % out1 in r.stdout, "allen: the 4322 spikes: %s" %
          r.stdout.strip())
    got = sorted(f for f in os.listdir(out1) if f.endswith(".nrndat"))
    want = sorted("%d_py_Neuron_t%s.nrndat" % (g, t) for g in (0, 150, 151)
                  for t in ("0.0", "3000.0"))
    check(got == want, "allen dump files %s" % got)
    # IntFire1 cells are artificial: NEURON writes the three header lines only
    for f in got:
        d = nrndat(os.path.join(out1, f))
        check(len(d["lines"]) == 3 and d["gid"] == int(f.split("_")[0]) and
              d["celsius"] == 34, "allen %s: header only (artificial cell)" % f)
    log = log_of(out1) or ""
    check("4322 spikes" in log and "built; simulating 3000 ms" in log, "allen log")
    out2 = fresh(os.path.join(a.work, "out2"))
    r2 = run([a.ranvier, "run", cfg, "--output-path", out2, "--dry-run"])
    check(r2.returncode == 0 and r2.stdout.startswith("dry run: 300 cells (120 virtual inputs, "
                                                      "87720 netcons) built"),
          "allen dry run: %s" % r2.stdout.strip())
    check(os.listdir(out2) == ["ranvier.log"], "allen dry run wrote only the log: %s" %
          os.listdir(out2))
    # --lb-mode WholeCell on an Allen network: said (stderr and log), then round-robin
    out3 = fresh(os.path.join(a.work, "out3"))
    r3 = run([a.ranvier, "run", cfg, "--output-path", out3, "--dry-run", "--lb-mode", "WholeCell"])
    check(r3.returncode == 0 and "WholeCell balances Blue Brain circuits only" in r3.stderr and
          "WholeCell balances Blue Brain circuits only" in (log_of(out3) or ""),
          "allen --lb-mode WholeCell: warning on stderr and in the log (%s)" %
          r3.stderr.strip()[-200:])


def test_bad(a):
    cfg = copy_circuit(a.copy, a.work)
    out = os.path.join(a.work, "out-bad")
    cases = [
        (["--lb-mode", "Memory"], "--lb-mode", "not supported"),
        (["--lb-mode", "MultiSplit"], "--lb-mode", "WholeCell"),
        (["--lb-mode=foo"], "--lb-mode", "not 'foo'"),
        (["--lb-mode"], "--lb-mode", "needs a value"),
        (["--dump-cell-state", "3-1"], "--dump-cell-state", "reversed"),
        (["--dump-cell-state", "abc"], "--dump-cell-state", "'abc'"),
        (["--dump-cell-state", "1,,2"], "--dump-cell-state", "'1,,2'"),
        (["--dump-cell-state", "-3"], "--dump-cell-state", "'-3'"),
        (["--dump-cell-state="], "--dump-cell-state", "empty"),
        (["--output-path"], "--output-path", "needs a value"),
        (["--event-order", "fifo"], "--event-order", "'fifo'"),
        (["--dry-runs"], "--dry-runs", "unknown option"),
    ]
    for extra, opt, msg in cases:
        fresh(out) if os.path.exists(out) else None
        r = run([a.ranvier, "run", cfg, "--output-path", out] + extra
                if extra[0] != "--output-path" else [a.ranvier, "run", cfg] + extra)
        ok = r.returncode != 0 and opt in r.stderr and msg in r.stderr
        check(ok, "%s: exit %d, %r" % (" ".join(extra), r.returncode,
                                       r.stderr.strip().splitlines()[0] if r.stderr else ""))
        check(not os.path.exists(out), "%s: nothing written" % " ".join(extra))
    # the alias only takes an existing .json file
    r = run([a.ranvier, os.path.join(a.work, "missing.json")])
    check(r.returncode != 0 and "unknown command" in r.stderr,
          "`ranvier missing.json` is refused: %s" % r.stderr.strip().splitlines()[0])
    r = run([a.ranvier, "run", "--help"])
    check(r.returncode == 0 and all(o in r.stdout for o in
                                    ("--output-path", "--dry-run", "--dump-cell-state",
                                     "--lb-mode", "ranvier.log")), "run --help lists the options")


def test_mpi(a):
    cfg = copy_circuit(a.copy, a.work)
    outs = {}
    for np_ in (1, 2):
        out = fresh(os.path.join(a.work, "np%d" % np_))
        cmd = [a.ranvier, "run", cfg, "--output-path", out, "--dump-cell-state", "0-9"]
        if np_ > 1:
            cmd = [a.mpiexec, "-np", str(np_)] + cmd + ["--mpi"]
        r = run(cmd)
        check(r.returncode == 0, "%d rank(s) exit 0 (%s)" % (np_, r.stderr.strip()[-200:]))
        outs[np_] = out
    f1 = sorted(f for f in os.listdir(outs[1]) if f.endswith(".nrndat"))
    f2 = sorted(f for f in os.listdir(outs[2]) if f.endswith(".nrndat"))
    check(len(f1) == 20 and f1 == f2, "20 dump files on 1 and 2 ranks")
    same = sum(open(os.path.join(outs[1], f)).read() == open(os.path.join(outs[2], f)).read()
               for f in f1 if f in f2)
    check(same == len(f1), "%d/%d dump files identical on 1 and 2 ranks" % (same, len(f1)))
    l2 = log_of(outs[2]) or ""
    check("on 2 processes" in l2 and "(5 on rank 0)" in l2, "2-rank log from rank 0")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("which", choices=["bbp", "allen", "bad", "mpi"])
    ap.add_argument("--ranvier", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--copy")
    ap.add_argument("--shared")
    ap.add_argument("--mpiexec", default="mpiexec")
    a = ap.parse_args()
    a.work = os.path.abspath(a.work)
    os.makedirs(a.work, exist_ok=True)
    {"bbp": test_bbp, "allen": test_allen, "bad": test_bad, "mpi": test_mpi}[a.which](a)
    print("%d failure(s)" % len(FAILS))
    print("PASS" if not FAILS else "FAIL")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
