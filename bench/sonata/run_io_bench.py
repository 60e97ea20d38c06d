#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""SONATA I/O benchmark driver (issue #4, "Performance"; not a test).

    run_io_bench.py --build BUILD [--dir /tmp/rv-sonata-bench] [--nodes 100000]
                    [--edges 10000000] [--regen] [--repeat 3] [--no-cold]

1. generates the BBP-style circuit with gen_circuit.py into --dir unless it is
   there already (same sizes) -- about 800 MB, keep it in /tmp;
2. runs BUILD/bench/sonata/bench_io on it with a warm page cache, then with a
   cold one (--cold: files evicted before every run);
3. times `BUILD/src/cli/ranvier inspect` on the circuit (populations, model
   template counts over all nodes, edge populations, every node set sized).

Use a Release build (cmake -DCMAKE_BUILD_TYPE=Release): a Debug or sanitizer
build measures the sanitizers.  Everything is printed; nothing is written
outside --dir.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--dir", default="/tmp/rv-sonata-bench")
    ap.add_argument("--nodes", type=int, default=100000)
    ap.add_argument("--edges", type=int, default=10000000)
    ap.add_argument("--regen", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-cold", action="store_true")
    a = ap.parse_args()

    bench = os.path.join(a.build, "bench", "sonata", "bench_io")
    ranvier = os.path.join(a.build, "src", "cli", "ranvier")
    for exe in (bench, ranvier):
        if not os.access(exe, os.X_OK):
            sys.exit("missing %s: build the targets bench_io and ranvier first" % exe)
    try:
        with open(os.path.join(a.build, "CMakeCache.txt")) as fh:
            ctype = [l.split("=", 1)[1].strip() for l in fh if l.startswith("CMAKE_BUILD_TYPE:")]
        if ctype and ctype[0] != "Release":
            print("warning: %s is a %s build; figures need Release" % (a.build, ctype[0]))
    except OSError:
        pass

    stamp = os.path.join(a.dir, "generated.json")
    want = {"nodes": a.nodes, "edges": a.edges}
    have = None
    if os.path.exists(stamp):
        with open(stamp) as fh:
            have = json.load(fh)
    if a.regen or have != want:
        subprocess.run([sys.executable, os.path.join(HERE, "gen_circuit.py"), a.dir,
                        "--nodes", str(a.nodes), "--edges", str(a.edges)], check=True)
        with open(stamp, "w") as fh:
            json.dump(want, fh)
    else:
        print("using the circuit in %s (%d nodes, %d edges)" % (a.dir, a.nodes, a.edges))

    args = [bench, a.dir, "--repeat", str(a.repeat)]
    subprocess.run(args, check=True)
    if not a.no_cold:
        subprocess.run(args + ["--cold", "--skip", "c"], check=True)

    cfg = os.path.join(a.dir, "circuit_config.json")
    best = None
    for _ in range(a.repeat):
        t = time.time()
        p = subprocess.run([ranvier, "inspect", cfg], capture_output=True, text=True)
        dt = time.time() - t
        if p.returncode != 0:
            sys.exit("ranvier inspect failed:\n" + p.stderr)
        best = dt if best is None else min(best, dt)
    print("ranvier inspect %s: %.3f s (best of %d)" % (cfg, best, a.repeat))


if __name__ == "__main__":
    main()
