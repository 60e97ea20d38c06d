#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ranvier run --save DIR [--save-time T]` and `--restore DIR` (issue 6,
save/restore) on the bbp-mini example (10 hoc cells, stochastic synapses,
minis, replay, pulse and noise inputs, a soma voltage report; dt 0.025,
tstop 150), against a straight run of the same config:

  bbp:  a save at 60 in the middle of a run changes nothing; a run of the
        config cut at tstop 60 with --save, restored with tstop 150, and the
        mid-run save restored give the straight run's spikes after 60 and its
        report frames from 60 on, bit for bit (neurodamus: spikes of the
        restored run only, report window start_time + t, end_time + t); a
        chain restore-at-60 / save-at-100 / restore-at-100; relative folders
        taken from the config's folder; --save-time beyond tstop or without
        --save (warnings).
  bad:  missing folder, truncated, corrupt and foreign files, another model
        (node set, dt), tstop before the saved time, bad --save-time values:
        exit code != 0, a message naming the problem, no spikes, report or
        SUCCESS marker written.
  mpi:  (--mpiexec) the same on 2 ranks, and restores refused with another
        rank count or with rank files of different saves.
  bbp50: a generated 50-cell circuit (tools/gen_bbp_circuit.py: gap
        junctions, extra inputs, minis, replay, AIS spike detection): the
        restore at 75 gives the straight run's spikes after 75, its report
        frames and its soma voltage at every step bit for bit (1 rank, and 2
        with --mpiexec).
  allen: the Allen/BMTK path (../shared allen-300-intfire: IntFire1 cells,
        VecStim inputs, 3000 ms): save at 1500 changes nothing, the restore
        gives the straight run's spikes after 1500.

  ck_run.py bbp|bad|mpi --ranvier EXE --work DIR --copy examples/bbp-mini [--mpiexec EXE]
  ck_run.py bbp50 --ranvier EXE --work DIR --copy examples/bbp-mini --gen tools/gen_bbp_circuit.py [--mpiexec EXE]
  ck_run.py allen --ranvier EXE --work DIR --copy examples/bbp-mini --shared ../shared/data
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

FAILS = []
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def check(cond, what):
    print("%s: %s" % ("ok" if cond else "FAIL", what))
    sys.stdout.flush()
    if not cond:
        FAILS.append(what)


def fresh(path):
    if os.path.exists(path):
        shutil.rmtree(path)
    return path


class Ctx:
    pass


def setup(a):
    c = Ctx()
    c.exe, c.work, c.mpi = a.ranvier, os.path.abspath(a.work), None
    os.makedirs(c.work, exist_ok=True)
    c.circ = os.path.join(c.work, "circuit")
    fresh(c.circ)
    shutil.copytree(a.copy, c.circ)
    for fn in os.listdir(c.circ):
        if fn.endswith(".SUCCESS"):
            os.remove(os.path.join(c.circ, fn))
    c.base = json.load(open(os.path.join(c.circ, "simulation_config.json")))
    return c


def config(c, name, **run):
    """a copy of the config with run.* values changed (node_set at top level)"""
    cfg = json.loads(json.dumps(c.base))
    for k, v in run.items():
        if k == "node_set":
            cfg["node_set"] = v
        else:
            cfg["run"][k] = v
    path = os.path.join(c.circ, name)
    json.dump(cfg, open(path, "w"), indent=1)
    return path


def ranvier(c, cfg, out, *opts, np_=0, cwd=None):
    cmd = [c.exe, "run", cfg, "--output-path", out] + list(opts)
    if np_:
        cmd = [c.mpi, "--oversubscribe", "-n", str(np_)] + cmd + ["--mpi"]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd or c.work, env=ENV)
    return r


def spikes(out):
    with h5py.File(os.path.join(out, "out.h5"), "r") as f:
        res = []
        for p in f["spikes"]:
            g = f["spikes"][p]
            res += [(float(t), int(n)) for t, n in zip(g["timestamps"][:], g["node_ids"][:])]
    return sorted(res)


def report(out):
    with h5py.File(os.path.join(out, "soma_v.h5"), "r") as f:
        g = f["report/cortex"]
        return g["data"][:], g["mapping/time"][:], g["mapping/node_ids"][:]


def ok_run(r, what):
    check(r.returncode == 0, "%s: exit 0 (%s)" % (what, (r.stderr or r.stdout).strip()[-300:]))


def same_report(a, b, first, what):
    """b holds a's frames from `first` on, bit for bit"""
    da, ta, na = a
    db, tb, nb = b
    n = da.shape[0] - first
    same = db.shape == (n, da.shape[1]) and np.array_equal(na, nb)
    diff = float(np.abs(da[first:] - db).max()) if same else float("nan")
    check(same and diff == 0.0,
          "%s: report frames %s = straight frames %d.. (%d frames x %d cells, max |diff| %g)"
          % (what, db.shape, first, n, da.shape[1], diff))


def test_bbp(c, np_=0):
    sfx = "_np%d" % np_ if np_ else ""
    cfg = os.path.join(c.circ, "simulation_config.json")
    cfg60 = config(c, "sim_t60.json", tstop=60.0)
    cfg100 = config(c, "sim_t100.json", tstop=100.0)
    out = lambda n: os.path.join(c.work, "out_" + n + sfx)
    ck = lambda n: os.path.join(c.work, "ck_" + n + sfx)
    r = ranvier(c, cfg, out("straight"), np_=np_)
    ok_run(r, "straight run")
    S, R = spikes(out("straight")), report(out("straight"))
    after = lambda t: [s for s in S if s[0] > t]
    check(len(after(60)) > 0 and len(S) > len(after(60)), "straight run: %d spikes, %d after 60 ms"
          % (len(S), len(after(60))))
    # a save in the middle changes nothing
    r = ranvier(c, cfg, out("mid"), "--save", ck("mid"), "--save-time", "60", np_=np_)
    ok_run(r, "--save --save-time 60")
    check("saved the state at t = 60 ms" in r.stdout, "save reported: %s" % r.stdout.strip())
    files = sorted(os.listdir(ck("mid")))
    want = ["ranvier.r%d.ckpt" % k for k in range(max(np_, 1))]
    check(files == want, "save folder holds %s (no temporaries): %s" % (want, files))
    check(spikes(out("mid")) == S, "run with a save at 60: spikes identical (%d)" % len(S))
    same_report(R, report(out("mid")), 0, "run with a save at 60")
    # neurodamus' way: a run cut at 60 saved at its end, continued with tstop 150
    r = ranvier(c, cfg60, out("t60"), "--save", ck("t60"), np_=np_)
    ok_run(r, "tstop 60 --save")
    check(spikes(out("t60")) == [s for s in S if s[0] <= 60], "tstop 60: spikes up to 60")
    same_report((R[0][:120], R[1], R[2]), report(out("t60")), 0, "tstop 60")
    for name in ("t60", "mid"):
        r = ranvier(c, cfg, out("r_" + name), "--restore", ck(name), np_=np_)
        ok_run(r, "--restore %s" % name)
        check("restored the state at t = 60 ms" in r.stdout, "restore reported: %s" % r.stdout.strip())
        got = spikes(out("r_" + name))
        check(got == after(60), "restore of %s: spikes after 60 identical (%d, straight %d)"
              % (name, len(got), len(after(60))))
        rr = report(out("r_" + name))
        check(list(rr[1]) == [60.0, 150.0, 0.5], "restore of %s: report time %s" % (name, list(rr[1])))
        same_report(R, rr, 120, "restore of %s" % name)
        check(os.path.exists(cfg + ".SUCCESS"), "restore of %s: SUCCESS marker" % name)
    # a chain: restore at 60, save at tstop 100, restore at 100 up to 150
    r = ranvier(c, cfg100, out("r60_s100"), "--restore", ck("t60"), "--save", ck("t100"), np_=np_)
    ok_run(r, "--restore t60 --save (tstop 100)")
    check(spikes(out("r60_s100")) == [s for s in S if 60 < s[0] <= 100], "chain: spikes in (60, 100]")
    r = ranvier(c, cfg, out("r100"), "--restore", ck("t100"), np_=np_)
    ok_run(r, "--restore t100")
    check(spikes(out("r100")) == after(100), "chain: spikes after 100 (%d)" % len(after(100)))
    same_report(R, report(out("r100")), 200, "chain restore at 100")
    if np_:
        return
    # relative folders: from the config's folder (neurodamus); run from elsewhere
    elsewhere = fresh(os.path.join(c.work, "elsewhere"))
    os.makedirs(elsewhere)
    r = ranvier(c, cfg, out("rel"), "--save", "ck_rel", "--save-time", "30", cwd=elsewhere)
    ok_run(r, "--save relative")
    check(os.path.exists(os.path.join(c.circ, "ck_rel", "ranvier.r0.ckpt"))
          and not os.path.exists(os.path.join(elsewhere, "ck_rel")),
          "--save ck_rel went to the config's folder")
    r = ranvier(c, cfg, out("rrel"), "--restore", "ck_rel", cwd=elsewhere)
    ok_run(r, "--restore relative")
    check(spikes(out("rrel")) == after(30), "restore at 30: spikes after 30 (%d)" % len(after(30)))
    same_report(R, report(out("rrel")), 60, "restore at 30")
    # --save-time beyond tstop: saved at tstop, with a warning
    r = ranvier(c, cfg60, out("late"), "--save", ck("late"), "--save-time", "500")
    ok_run(r, "--save-time 500")
    check("beyond tstop" in r.stderr and "saved the state at t = 60 ms" in r.stdout,
          "--save-time beyond tstop: warning, saved at tstop (%s)" % r.stderr.strip())
    r = ranvier(c, cfg60, out("notime"), "--save-time", "20")
    ok_run(r, "--save-time without --save")
    check("ignored" in r.stderr and "saved" not in r.stdout,
          "--save-time without --save: warning, nothing saved (%s)" % r.stderr.strip())


def no_outputs(out, cfg, what):
    left = sorted(os.listdir(out)) if os.path.isdir(out) else []
    check(left in ([], ["ranvier.log"]) and not os.path.exists(cfg + ".SUCCESS"),
          "%s: no outputs but the log (%s), no SUCCESS marker" % (what, left))


def expect_fail(c, what, needle, *opts, cfg=None, np_=0, code=1):
    cfg = cfg or os.path.join(c.circ, "simulation_config.json")
    if os.path.exists(cfg + ".SUCCESS"):
        os.remove(cfg + ".SUCCESS")
    out = fresh(os.path.join(c.work, "bad_" + what.replace(" ", "_")))
    r = ranvier(c, cfg, out, *opts, np_=np_)
    msg = (r.stderr + r.stdout).strip().splitlines()
    msg = [m for m in msg if needle in m]
    check(r.returncode == code and msg, "%s: exit %d (want %d), message with '%s': %s"
          % (what, r.returncode, code, needle, msg[:1] or (r.stderr.strip()[-300:])))
    no_outputs(out, cfg, what)


def test_bad(c):
    cfg = os.path.join(c.circ, "simulation_config.json")
    good = os.path.join(c.work, "ck_good")
    r = ranvier(c, cfg, os.path.join(c.work, "out_good"), "--save", good, "--save-time", "60")
    ok_run(r, "a good save")
    f0 = os.path.join(good, "ranvier.r0.ckpt")
    data = open(f0, "rb").read()

    def variant(name, blob):
        d = fresh(os.path.join(c.work, "ck_" + name))
        os.makedirs(d)
        open(os.path.join(d, "ranvier.r0.ckpt"), "wb").write(blob)
        return d

    expect_fail(c, "missing folder", "cannot open the checkpoint", "--restore",
                os.path.join(c.work, "no_such_ck"))
    expect_fail(c, "truncated", "truncated", "--restore", variant("trunc", data[:len(data) // 2]))
    expect_fail(c, "truncated header", "truncated", "--restore", variant("trunc_h", data[:30]))
    flip = bytearray(data)
    flip[len(data) * 3 // 4] ^= 0x01
    expect_fail(c, "corrupt", "corrupt", "--restore", variant("corrupt", bytes(flip)))
    expect_fail(c, "foreign file", "not a ranvier checkpoint", "--restore",
                variant("foreign", b"\x89HDF\r\n\x1a\n" + bytes(200)))
    expect_fail(c, "empty file", "not a ranvier checkpoint", "--restore", variant("empty", b""))
    expect_fail(c, "another node set", "different model: cells: 10 in the checkpoint, 2",
                "--restore", good, cfg=config(c, "sim_sub.json", node_set="Stimulated"))
    expect_fail(c, "another dt", "different model: dt", "--restore", good,
                cfg=config(c, "sim_dt.json", dt=0.05))
    expect_fail(c, "tstop before the saved time", "after this run's tstop", "--restore", good,
                cfg=config(c, "sim_t30.json", tstop=30.0))
    expect_fail(c, "save time before the restored time", "before the restored time",
                "--restore", good, "--save", os.path.join(c.work, "ck_x"), "--save-time", "20")
    expect_fail(c, "bad save time", "--save-time takes", "--save", "x", "--save-time", "abc",
                code=2)
    expect_fail(c, "negative save time", "--save-time takes", "--save", "x", "--save-time", "-5",
                code=2)
    expect_fail(c, "save without a folder", "--save needs a value", "--save", code=2)
    expect_fail(c, "unwritable save folder", "cannot create", "--save", "/proc/ranvier_ck_test")


def test_mpi(c):
    test_bbp(c, np_=2)
    cfg = os.path.join(c.circ, "simulation_config.json")
    expect_fail(c, "2-rank save restored on 1", "saved by a run on 2 ranks; this run has 1",
                "--restore", os.path.join(c.work, "ck_mid_np2"))
    expect_fail(c, "1-rank save restored on 2", "saved by a run on 1 rank; this run has 2",
                "--restore", os.path.join(c.work, "ck_mid_one"), np_=2)
    # rank files of two different saves
    mix = fresh(os.path.join(c.work, "ck_mix"))
    shutil.copytree(os.path.join(c.work, "ck_mid_np2"), mix)
    other = os.path.join(c.work, "ck_other_np2")
    r = ranvier(c, cfg, os.path.join(c.work, "out_other"), "--save", other, "--save-time", "80",
                np_=2)
    ok_run(r, "a second 2-rank save")
    shutil.copy(os.path.join(other, "ranvier.r1.ckpt"), os.path.join(mix, "ranvier.r1.ckpt"))
    expect_fail(c, "rank files of different saves", "different saves", "--restore", mix, np_=2)


def spikes_file(path):
    with h5py.File(path, "r") as f:
        res = []
        for p in f["spikes"]:
            g = f["spikes"][p]
            res += [(float(t), int(n)) for t, n in zip(g["timestamps"][:], g["node_ids"][:])]
    return sorted(res)


def soma_trace(prefix, nranks):
    """--record-soma files: {gid: [v at step 0, 1, ...]}"""
    d = {}
    for r in range(nranks):
        for ln in open("%s.%d" % (prefix, r)):
            g, k, v = ln.split()
            d.setdefault(int(g), {})[int(k)] = float(v)
    return {g: [d[g][k] for k in sorted(d[g])] for g in d}


def test_bbp50(c, gen, nps):
    circ = os.path.join(c.work, "circ50")
    fresh(circ)
    r = subprocess.run(["/usr/bin/python3", gen, circ, "--cells", "50", "--seed", "50", "--ais",
                        "--gap-junctions", "--extra-inputs"], capture_output=True, text=True)
    check(r.returncode == 0, "gen_bbp_circuit.py (%s)" % r.stderr.strip()[-300:])
    cfg = os.path.join(circ, "simulation_config.json")
    for np_ in nps:
        out = lambda n: os.path.join(c.work, "c50_%s_np%d" % (n, np_))
        ck = os.path.join(c.work, "c50_ck_np%d" % np_)
        for n in ("straight", "save", "restore"):
            fresh(out(n))
        r = ranvier(c, cfg, out("straight"), "--record-soma", os.path.join(out("straight"), "v"),
                    np_=np_ if np_ > 1 else 0)
        ok_run(r, "bbp50 np %d: straight" % np_)
        r = ranvier(c, cfg, out("save"), "--save", ck, "--save-time", "75",
                    np_=np_ if np_ > 1 else 0)
        ok_run(r, "bbp50 np %d: --save-time 75" % np_)
        r = ranvier(c, cfg, out("restore"), "--restore", ck, "--record-soma",
                    os.path.join(out("restore"), "v"), np_=np_ if np_ > 1 else 0)
        ok_run(r, "bbp50 np %d: --restore" % np_)
        S = spikes(out("straight"))
        check(spikes(out("save")) == S, "bbp50 np %d: a save at 75 changes nothing (%d spikes)"
              % (np_, len(S)))
        want, got = [x for x in S if x[0] > 75], spikes(out("restore"))
        check(got == want and len(want) >= 5,
              "bbp50 np %d: restored spikes = straight spikes after 75 (%d, straight %d)"
              % (np_, len(got), len(want)))
        a, b = soma_trace(os.path.join(out("straight"), "v"), np_), \
            soma_trace(os.path.join(out("restore"), "v"), np_)
        k0 = 3000  # 75 ms / 0.025
        nd, nv, mx = 0, 0, 0.0
        for g in a:
            for j, v in enumerate(b.get(g, [])):
                nv += 1
                if k0 + j >= len(a[g]) or a[g][k0 + j] != v:
                    nd += 1
                    if k0 + j < len(a[g]):
                        mx = max(mx, abs(a[g][k0 + j] - v))
        check(set(a) == set(b) and nd == 0 and nv == len(a) * (len(next(iter(a.values()))) - k0),
              "bbp50 np %d: soma v of %d cells at every step from 75 on: %d values, %d differ "
              "(max |diff| %g mV)" % (np_, len(a), nv, nd, mx))
        same_report(report(out("straight")), report(out("restore")), 150,
                    "bbp50 np %d: restore at 75" % np_)


def test_allen(c, shared):
    cfg = os.path.join(shared, "circuits", "allen-300-intfire", "config.json")
    out = lambda n: os.path.join(c.work, "allen_" + n)
    ck = os.path.join(c.work, "allen_ck")
    r = ranvier(c, cfg, out("straight"))
    ok_run(r, "allen straight")
    S = spikes_file(os.path.join(out("straight"), "spikes.h5"))
    r = ranvier(c, cfg, out("save"), "--save", ck, "--save-time", "1500")
    ok_run(r, "allen --save --save-time 1500")
    check(spikes_file(os.path.join(out("save"), "spikes.h5")) == S,
          "allen: a save at 1500 changes nothing (%d spikes)" % len(S))
    r = ranvier(c, cfg, out("restore"), "--restore", ck)
    ok_run(r, "allen --restore")
    want = [x for x in S if x[0] > 1500]
    got = spikes_file(os.path.join(out("restore"), "spikes.h5"))
    check(got == want and len(want) > 100,
          "allen: restored spikes = straight spikes after 1500 (%d, straight %d)"
          % (len(got), len(want)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["bbp", "bad", "mpi", "allen", "bbp50"])
    ap.add_argument("--ranvier", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--copy", required=True)
    ap.add_argument("--mpiexec")
    ap.add_argument("--shared")
    ap.add_argument("--gen")
    a = ap.parse_args()
    c = setup(a)
    if a.mode == "bbp":
        test_bbp(c)
    elif a.mode == "bad":
        test_bad(c)
    elif a.mode == "bbp50":
        c.mpi = a.mpiexec
        test_bbp50(c, a.gen, [1, 2] if a.mpiexec else [1])
    elif a.mode == "allen":
        test_allen(c, a.shared)
    else:
        c.mpi = a.mpiexec
        r = ranvier(c, os.path.join(c.circ, "simulation_config.json"),
                    os.path.join(c.work, "out_one"), "--save", os.path.join(c.work, "ck_mid_one"),
                    "--save-time", "60")
        ok_run(r, "a 1-rank save")
        test_mpi(c)
    if FAILS:
        print("%d FAILED" % len(FAILS))
        return 1
    print("all ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
