#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""numpy's legacy RandomState as reproduced in src/driver/np_random.c, against
numpy itself (live): the MT19937 state after RandomState(seed) and after
seeding with an array (init_by_array), random_sample, randint (32-bit and
64-bit masked rejection), choice(n, size, p=p) and np.sum's pairwise
summation.  Usage: np_random_check.py NP_RANDOM_DUMP [--seed S]

Passes when every value is bit-identical (the counts are printed)."""
import subprocess
import sys

import numpy as np


def main():
    exe = sys.argv[1]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--seed" else 20261126
    meta = np.random.RandomState(seed)
    cmds, want = [], []

    def add(cmd, expect):
        cmds.append(cmd)
        want.append(expect)

    nstate = nsamp = nint = nchoice = nsum = 0
    seeds = [0, 1, 2, 5, 11, 4294967295, 123456789] + list(meta.randint(0, 2**32, 20, dtype=np.uint64))
    for sd in seeds:
        sd = int(sd)
        rs = np.random.RandomState(sd)
        add("seed %d" % sd, "ok")
        st = rs.get_state()
        add("state", "%d %s" % (st[2], " ".join(str(int(x)) for x in st[1])))
        nstate += 1
        n = int(meta.randint(1, 1500))
        add("sample %d" % n, [float(x) for x in rs.random_sample(n)])
        nsamp += n
        for lo, hi in [(0, 1), (0, 2), (0, 7), (-5, 1000), (0, 2**31), (0, 2**32 - 1), (0, 2**32),
                       (0, 2**32 + 1), (3, 2**40 + 17), (-2**62, 2**62)]:
            m = int(meta.randint(1, 40))
            add("randint %d %d %d" % (lo, hi, m), [int(x) for x in rs.randint(lo, hi, m,
                                                                            dtype=np.int64)])
            nint += m
        for _ in range(6):
            k = int(meta.randint(1, 300))
            w = meta.random_sample(k) * (meta.random_sample(k) < 0.8)
            w[meta.randint(0, k)] += 0.1
            p = w / np.sum(w)
            size = int(meta.randint(0, 60))
            got = rs.choice(k, size, p=p)
            add("choice %d %s" % (size, " ".join(repr(float(x)) for x in p)),
                [int(x) for x in got])
            nchoice += size
        tail = [float(x) for x in rs.random_sample(3)]
        add("sample 3", tail)
    for sd in range(6):
        key = [int(x) for x in meta.randint(0, 2**32, int(meta.randint(1, 700)), dtype=np.uint64)]
        rs = np.random.RandomState(np.array(key, dtype=np.uint32))
        add("seedarr " + " ".join(map(str, key)), "ok")
        st = rs.get_state()
        add("state", "%d %s" % (st[2], " ".join(str(int(x)) for x in st[1])))
        add("sample 50", [float(x) for x in rs.random_sample(50)])
        nstate += 1
        nsamp += 50
    for n in list(range(0, 300)) + [511, 1000, 1024, 2047, 5000]:
        a = meta.random_sample(n) * 10.0 ** meta.randint(-3, 4, n).astype(float)
        add("sum " + " ".join(repr(float(x)) for x in a), float(np.sum(a)))
        nsum += 1
    r = subprocess.run([exe], input="\n".join(cmds) + "\n", capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit("FAIL: %s exited with %d" % (exe, r.returncode))
    lines = r.stdout.splitlines()
    bad = 0
    for i, (c, w) in enumerate(zip(cmds, want)):
        g = lines[i] if i < len(lines) else "<missing>"
        if isinstance(w, list):
            if w and isinstance(w[0], float):
                gv = [float(x) for x in g.split()] if g else []
            else:
                gv = [int(x) for x in g.split()] if g else []
            ok = gv == w
        elif isinstance(w, float):
            ok = float(g) == w
        else:
            ok = g == w
        if not ok:
            bad += 1
            if bad <= 5:
                print("MISMATCH for '%s': numpy %s / ranvier %s" % (c[:60], str(w)[:120], g[:120]))
    print("numpy %s: %d states, %d random_sample, %d randint, %d choice draws, %d sums compared; "
          "%d mismatching commands" % (np.__version__, nstate, nsamp, nint, nchoice, nsum, bad))
    if bad or len(lines) != len(cmds):
        raise SystemExit("FAIL")
    print("PASS")


if __name__ == "__main__":
    main()
