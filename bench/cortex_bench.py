#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""ranvier vs NEURON on cells carrying our layer-5 pyramidal channel set
(mechanisms/cortex/*.mod: NaTs, Nap, K_P, K_T, Kv3_1, SK, Im, Ih, Ca_HVA,
Ca_LVA, CaDynamics), a benchmark (not a test).

N independent cells, each a soma (all 11 mechanisms + pas) and four
dendrites (two basal, an apical trunk and an oblique; pas, Ih, Im, NaTs,
Kv3_1, SK, Ca_HVA, Ca_LVA, CaDynamics), driven by an IClamp whose amplitude
varies from cell to cell; 34 degC, dt 0.025 ms, secondorder 0, 1000 ms.
ranvier runs rvsim_nmodl with `mechlib mechanisms/cortex` (compiled by
ranvier; the compile cache is warmed first); NEURON runs
bench/neuron_bench.py (cache_efficient(1), pc.psolve) on the same .mod
files compiled once by nrnivmodl beforehand (compile time not counted).
Each run is a fresh process under /usr/bin/time: wall time and peak RSS.
Spike rasters must be identical bit for bit.  Exit status 1 if they differ.

  bench/cortex_bench.py --build /tmp/build-cortex [-N 100] [--tstop 1000]
"""
import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
CORTEX = os.path.abspath(os.path.join(ROOT, "mechanisms", "cortex"))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
import run_bench  # noqa: E402  (timed, read_spikes, write_model, first_diff)

SOMA = [("NaTs", "gbar", 1.0), ("Nap", "gbar", 0.002), ("K_P", "gbar", 0.005),
        ("K_T", "gbar", 0.02), ("Kv3_1", "gbar", 0.3), ("SK", "gbar", 0.005),
        ("Im", "gbar", 0.0005), ("Ih", "gbar", 8e-5), ("Ca_HVA", "gbar", 0.001),
        ("Ca_LVA", "gbar", 0.003), ("CaDynamics", "gamma", 0.0006),
        ("CaDynamics", "decay", 200)]
DEND = [("NaTs", "gbar", 0.02), ("Kv3_1", "gbar", 0.01), ("SK", "gbar", 0.001),
        ("Im", "gbar", 1e-4), ("Ih", "gbar", 2e-4), ("Ca_HVA", "gbar", 5e-5),
        ("Ca_LVA", "gbar", 5e-4), ("CaDynamics", "gamma", 0.001),
        ("CaDynamics", "decay", 120)]
# name, nseg, L, diam, parent, parent end
DENDS = [("b1", 5, 150, 1.5, "soma", 0), ("b2", 5, 150, 1.5, "soma", 0),
         ("ap", 9, 300, 3, "soma", 1), ("ob", 5, 150, 1, "ap", 0.5)]


def build(n, tstop, mechdir_line):
    L = ["dt 0.025", "secondorder 0", "celsius 34", "tstop %g" % tstop, "vinit -85",
         mechdir_line]
    for c in range(n):
        s = "s%d" % c
        L += ["cell %d" % c, "section %s 1" % s, "geom %s 20 20 100 1" % s]
        secs = [(s, SOMA)]
        for name, nseg, ln, diam, par, x in DENDS:
            d, p = "%s_%d" % (name, c), (s if par == "soma" else "%s_%d" % (par, c))
            L += ["section %s %d" % (d, nseg), "geom %s %g %g 100 2" % (d, ln, diam),
                  "connect %s 0 %s %g" % (d, p, x)]
            secs.append((d, DEND))
        for sec, mechs in secs:
            L += ["insert %s pas" % sec, "rangeall %s g_pas 3e-5" % sec,
                  "rangeall %s e_pas -90" % sec]
            for m in dict.fromkeys(m for m, _, _ in mechs):
                L.append("insert %s %s" % (sec, m))
            for m, var, val in mechs:
                L.append("rangeall %s %s_%s %.17g" % (sec, var, m, val))
            L += ["rangeall %s ena 53" % sec, "rangeall %s ek -107" % sec]
        L += ["pp st%d IClamp %s 0.5" % (c, s), "ppset st%d del 50" % c,
              "ppset st%d dur %g" % (c, tstop), "ppset st%d amp %.17g" % (c, 0.3 + 0.5 * c / max(n, 1)),
              "gidsec %d %s 0.5 -20" % (c, s)]
    return L


def neuron_worker(lib, model, out):
    """In a fresh NEURON process: load the precompiled library in place of
    oracle.build_neuron's nrnivmodl call, then run bench/neuron_bench.py."""
    import oracle
    oracle.compile_mods = lambda moddir, workdir: lib
    import neuron_bench
    sys.argv = ["neuron_bench.py", model, out]
    return neuron_bench.main()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--neuron-worker":
        return neuron_worker(*sys.argv[2:5])
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="ranvier build tree")
    ap.add_argument("-N", type=int, default=100)
    ap.add_argument("--tstop", type=float, default=1000.0)
    ap.add_argument("--workdir")
    ap.add_argument("--skip-neuron", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    rvsim = os.path.join(a.build, "tests", "nmodl", "rvsim_nmodl")
    if not os.path.exists(rvsim):
        sys.stderr.write("no %s (build the tree first)\n" % rvsim)
        return 2
    work = a.workdir or tempfile.mkdtemp(prefix="rvcortex")
    os.makedirs(work, exist_ok=True)
    env = {"XDG_CACHE_HOME": os.path.join(work, "cache")}
    n = a.N
    res = {"N": n, "tstop": a.tstop}

    rv_lines = build(n, a.tstop, "mechlib " + CORTEX)
    model = os.path.join(work, "cortex%d.rv.txt" % n)
    model0 = os.path.join(work, "cortex%d.rv0.txt" % n)
    run_bench.write_model(model, rv_lines)
    run_bench.write_model(model0, rv_lines, tstop=0)
    comps = n * (1 + sum(d[1] for d in DENDS))
    print("N=%d: %d compartments, %d model lines, %s" % (n, comps, len(rv_lines), model),
          flush=True)

    rout = os.path.join(work, "cortex%d.rv.out" % n)
    run_bench.timed([rvsim, model0, rout + ".warm"], env=env)  # fills the compile cache
    ws, ms, _ = run_bench.timed([rvsim, model0, rout + ".setup"], env=env)
    w, m, _ = run_bench.timed([rvsim, model, rout], env=env)
    rsp = run_bench.read_spikes(rout)
    res.update(rv_wall=w, rv_rss=m, rv_setup=ws, rv_run=w - ws, rv_spikes=len(rsp))
    print("  ranvier: %.2f s wall (setup %.2f s, run %.2f s), peak %.1f MB; %d spikes "
          "(%.1f Hz/cell)" % (w, ws, w - ws, m, len(rsp), len(rsp) / n / (a.tstop / 1000.0)),
          flush=True)

    ok = True
    if not a.skip_neuron:
        import oracle
        lib = oracle.compile_mods(CORTEX, tempfile.mkdtemp(prefix="nrncortex", dir=work))
        nmodel = os.path.join(work, "cortex%d.nrn.txt" % n)
        run_bench.write_model(nmodel, build(n, a.tstop, "nrnmech " + CORTEX))
        nout = os.path.join(work, "cortex%d.nrn.out" % n)
        w, m, out = run_bench.timed(["/usr/bin/python3", os.path.abspath(__file__),
                                     "--neuron-worker", lib, nmodel, nout])
        info = json.loads(out.strip().split("\n")[-1])
        nsp = run_bench.read_spikes(nout)
        same = nsp == rsp
        ok &= same
        res.update(nrn_wall=w, nrn_rss=m, nrn_build=info["build_s"], nrn_init=info["init_s"],
                   nrn_run=info["run_s"], nrn_rss_import=info["rss_import_mb"],
                   nrn_spikes=len(nsp), identical=same)
        print("  NEURON:  %.2f s wall (build %.2f s, init %.2f s, run %.2f s), peak %.1f MB "
              "(%.1f MB after import); %d spikes" %
              (w, info["build_s"], info["init_s"], info["run_s"], m, info["rss_import_mb"],
               len(nsp)), flush=True)
        print("  ratio ranvier/NEURON: wall %.3f, run %.3f (rv run / NEURON run), peak memory "
              "%.3f, memory above NEURON's import baseline %.3f" %
              (res["rv_wall"] / w, res["rv_run"] / info["run_s"], res["rv_rss"] / m,
               res["rv_rss"] / max(m - info["rss_import_mb"], 1e-9)))
        print("  spikes: %s" % ("identical (%d)" % len(rsp) if same else
                                "DIFFERENT: " + run_bench.first_diff(rsp, nsp)))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
