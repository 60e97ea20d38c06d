#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""NEURON-as-oracle harness.

A model is a list of lines in rvsim's format (see rvsim.c).  `run_neuron`
builds the same model in NEURON (Debian's python3-neuron, live) and runs it;
`run_ranvier` runs rvsim (optionally under mpirun).  `compare` reports the
maximum |dV| over every recorded trace and checks that spike rasters are
identical, bit for bit.
"""
import math
import os
import subprocess
import tempfile

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")


def compile_mods(moddir, workdir):
    """Compile moddir/*.mod with Debian's nrnivmodl (whose makefile path needs
    fixing: it lives in /usr/lib/nrn); return the path of libnrnmech.so."""
    import shutil
    src = open("/usr/bin/nrnivmodl").read()
    src = src.replace('"${bindir}/nrnmech_makefile"', "/usr/lib/nrn/nrnmech_makefile")
    src = src.replace('"ROOT=${prefix}"', '"ROOT=${prefix}" libdir=/usr/lib/nrn')
    script = os.path.join(workdir, "nrnivmodl_fixed")
    with open(script, "w") as f:
        f.write(src)
    os.chmod(script, 0o755)
    for fn in os.listdir(moddir):
        if fn.endswith(".mod"):
            shutil.copy(os.path.join(moddir, fn), workdir)
    # linking `special` fails without libinterviews-dev; the library is built first
    subprocess.run([script], cwd=workdir, capture_output=True, text=True)
    lib = os.path.join(workdir, "x86_64", ".libs", "libnrnmech.so")
    if not os.path.exists(lib):
        raise RuntimeError("nrnivmodl did not build " + lib)
    return lib


class NeuronModel:
    """A model built in NEURON from rvsim lines (see build_neuron)."""


def build_neuron(lines):
    """Build the model in NEURON (no run); returns a NeuronModel with h, pc,
    secs, pps, keep, recs, probes, tstop, vinit and the spike vectors."""
    from neuron import h
    for ln in lines:
        if ln.startswith("nrnmech "):
            work = tempfile.mkdtemp(prefix="rvmod")
            h.nrn_load_dll(compile_mods(ln.split()[1], work))

    pc = h.ParallelContext()
    secs, pps, keep, recs, probes = {}, {}, [], [], []
    tstop, vinit = 0.0, -65.0
    transfer = False
    # NEURON wants every gid declared before gid_connect: NetCons last
    lines = [ln for ln in lines if not ln.startswith("netcon ")] + \
        [ln for ln in lines if ln.startswith("netcon ")]
    h.secondorder = 0
    h.celsius = 6.3
    h.dt = 0.025
    for ln in lines:
        t = ln.split()
        if not t or t[0].startswith("#"):
            continue
        c = t[0]
        if c in ("cell", "nrnmech", "event_order"):
            continue
        elif c == "dt":
            h.dt = float(t[1])
        elif c == "secondorder":
            h.secondorder = int(t[1])
        elif c == "celsius":
            h.celsius = float(t[1])
        elif c == "tstop":
            tstop = float(t[1])
        elif c == "vinit":
            vinit = float(t[1])
        elif c == "fast_imem":
            h.CVode().use_fast_imem(int(t[1]))
        elif c == "global":
            setattr(h, t[1], float(t[2]))
        elif c == "section":
            s = h.Section(name=t[1])
            s.nseg = int(t[2])
            secs[t[1]] = s
        elif c == "geom":
            s = secs[t[1]]
            s.L = float(t[2])
            s.diam = float(t[3])
            s.Ra = float(t[4])
            s.cm = float(t[5])
        elif c == "setra":
            secs[t[1]].Ra = float(t[2])
        elif c == "segdiam":
            secs[t[1]](float(t[2])).diam = float(t[3])
        elif c == "segcm":
            secs[t[1]](float(t[2])).cm = float(t[3])
        elif c == "pt3d":
            h.pt3dadd(float(t[2]), float(t[3]), float(t[4]), float(t[5]), sec=secs[t[1]])
        elif c == "connect":
            secs[t[1]].connect(secs[t[3]](float(t[4])), int(t[2]))
        elif c == "insert":
            secs[t[1]].insert(t[2])
        elif c == "range":
            setattr(secs[t[1]](float(t[2])), t[3], float(t[4]))
        elif c == "rangeall":
            for seg in secs[t[1]]:
                setattr(seg, t[2], float(t[3]))
        elif c == "pp":
            pps[t[1]] = getattr(h, t[2])(secs[t[3]](float(t[4])))
        elif c == "art":
            pps[t[1]] = getattr(h, t[2])()
        elif c == "ppset":
            if "[" in t[2]:  # an array element: name[k]
                nm, k = t[2].rstrip("]").split("[")
                getattr(pps[t[1]], nm)[int(k)] = float(t[3])
            else:
                setattr(pps[t[1]], t[2], float(t[3]))
        elif c == "r123":
            pps[t[1]].noiseFromRandom123(int(t[2]), int(t[3]), int(t[4]))
        elif c == "vecplay":
            vec = h.Vector([float(x) for x in t[2:]])
            pps[t[1]].play(vec)
            keep.append(vec)
        elif c in ("varplay", "rangeplay"):
            r = c == "rangeplay"
            tv = h.Vector([float(x) for x in t[4 + r].split(",")])
            yv = h.Vector([float(x) for x in t[5 + r].split(",")])
            ref = (getattr(pps[t[1]], "_ref_" + t[2]) if not r else
                   getattr(secs[t[1]](float(t[2])), "_ref_" + t[3]))
            yv.play(ref, tv, int(t[3 + r]))
            keep += [tv, yv]
        elif c == "setpointer":
            h.setpointer(getattr(secs[t[3]](float(t[4])), "_ref_" + t[5]), t[2], pps[t[1]])
        elif c == "gidsec":
            gid, s, x = int(t[1]), secs[t[2]], float(t[3])
            pc.set_gid2node(gid, pc.id())
            nc = h.NetCon(s(x)._ref_v, None, sec=s)
            nc.threshold = float(t[4])
            pc.cell(gid, nc)
        elif c == "xsource":
            s = secs[t[2]]
            pc.source_var(s(float(t[3]))._ref_v, int(t[1]), sec=s)
            transfer = True
        elif c == "xtarget":
            # NEURON's target_var writes into a variable of a point process;
            # a POINTER is pointed at the amp of an IClamp that never switches
            # on (its current is exactly 0) and that amp is the target
            pp = pps[t[2]]
            hold = h.IClamp(pp.get_segment())
            hold.delay, hold.dur = 1e9, 0
            h.setpointer(hold._ref_amp, t[3], pp)
            pc.target_var(hold, hold._ref_amp, int(t[1]))
            keep.append(hold)
            transfer = True
        elif c == "gidpp":
            gid = int(t[1])
            pc.set_gid2node(gid, pc.id())
            pc.cell(gid, h.NetCon(pps[t[2]], None))
        elif c == "netcon":
            nc = pc.gid_connect(int(t[1]), pps[t[2]])
            nc.delay = float(t[3])
            nc.weight[0] = float(t[4])
            for k, w in enumerate(t[5:]):
                nc.weight[k + 1] = float(w)
            keep.append(nc)
        elif c == "r123global":
            h.Random().Random123_globalindex(int(t[1]))
        elif c == "ppcall":
            args = []
            for a in t[3:]:
                if a.startswith("v:"):
                    vec = h.Vector([float(x) for x in a[2:].split(",") if x])
                    keep.append(vec)
                    args.append(vec)
                else:
                    args.append(float(a))
            getattr(pps[t[1]], t[2])(*args)
        elif c == "record":
            v = h.Vector()
            v.record(getattr(secs[t[1]](float(t[2])), "_ref_" + t[3]))
            recs.append(v)
        elif c == "recordpp":
            v = h.Vector()
            v.record(getattr(pps[t[1]], "_ref_" + t[2]))
            recs.append(v)
        elif c == "probe":
            s, x = secs[t[1]], float(t[2])
            probes.append((s, x))
        else:
            raise ValueError("unknown directive " + c)
    if transfer:
        pc.setup_transfer()
    tv, idv = h.Vector(), h.Vector()
    pc.spike_record(-1, tv, idv)
    pc.set_maxstep(10)
    nm = NeuronModel()
    nm.h, nm.pc, nm.secs, nm.pps, nm.keep, nm.recs, nm.probes = h, pc, secs, pps, keep, recs, probes
    nm.tstop, nm.vinit, nm.tv, nm.idv = tstop, vinit, tv, idv
    return nm


def neuron_results(nm):
    """(probes, records, spikes) of a NEURON model after its run."""
    h = nm.h
    pr = [(s(x).area() if 0 < x < 1 else 0.0, h.ri(x, sec=s)) for s, x in nm.probes]
    spikes = sorted(zip(nm.tv.to_python(), [int(g) for g in nm.idv]))
    return pr, [list(v) for v in nm.recs], spikes


def run_neuron(lines):
    """Build and run the model in NEURON; return (probes, records, spikes)."""
    nm = build_neuron(lines)
    h = nm.h
    h.finitialize(nm.vinit)
    while h.t < nm.tstop - 0.5 * h.dt:
        h.fadvance()
    return neuron_results(nm)


def parse_output(path):
    probes, recs, spikes = [], [], []
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        t = lines[i].split()
        i += 1
        if not t:
            continue
        if t[0] == "probe":
            probes.append((float(t[1]), float(t[2])))
        elif t[0] == "rec":
            n = int(t[2])
            recs.append([float(x) for x in lines[i:i + n]])
            i += n
        elif t[0] == "spikes":
            n = int(t[1])
            for ln in lines[i:i + n]:
                a, b = ln.split()
                spikes.append((float(a), int(b)))
            i += n
    return probes, recs, sorted(spikes)


def run_ranvier(lines, rvsim, nprocs=0, mpiexec="mpiexec"):
    """Run rvsim on the model.  nprocs > 0 runs it under MPI; then records
    come back per process in file order of the cells they belong to."""
    with tempfile.TemporaryDirectory() as d:
        mpath = os.path.join(d, "model.txt")
        opath = os.path.join(d, "out.txt")
        with open(mpath, "w") as f:
            f.write("\n".join(lines) + "\n")
        if nprocs:
            cmd = [mpiexec, "--oversubscribe", "--allow-run-as-root", "-np", str(nprocs), rvsim,
                   mpath, opath]
            env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
        else:
            cmd, env = [rvsim, mpath, opath], None
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise RuntimeError("rvsim failed (%d): %s %s" % (r.returncode, r.stdout, r.stderr))
        if nprocs and nprocs > 1:
            outs = [parse_output("%s.%d" % (opath, k)) for k in range(nprocs)]
            return merge_ranks(lines, outs, nprocs)
        return parse_output(opath)


def merge_ranks(lines, outs, nprocs):
    """Put per-process records back in model order (cell k on k % P)."""
    owner, ncell, order = 0, 0, []
    for ln in lines:
        t = ln.split()
        if not t:
            continue
        if t[0] == "cell":
            owner = ncell % nprocs
            ncell += 1
        elif t[0] in ("record", "recordpp"):
            order.append(owner)
    pos = [0] * nprocs
    recs = []
    for o in order:
        recs.append(outs[o][1][pos[o]])
        pos[o] += 1
    spikes = sorted(s for out in outs for s in out[2])
    return [], recs, spikes


def compare(name, ref, got, tol=1e-6, geom_rel_tol=0.0):
    """Print measured differences; return True when within tolerance."""
    ok = True
    pr_ref, rec_ref, sp_ref = ref
    pr_got, rec_got, sp_got = got
    if pr_ref:
        worst = 0.0
        for (a0, r0), (a1, r1) in zip(pr_ref, pr_got):
            for x0, x1 in ((a0, a1), (r0, r1)):
                worst = max(worst, abs(x0 - x1) / max(abs(x0), 1e-300))
        gok = len(pr_ref) == len(pr_got) and worst <= geom_rel_tol
        print("%s: %d area/ri probes, max relative difference %.3g %s" %
              (name, len(pr_ref), worst, "ok" if gok else "FAIL"))
        ok &= gok
    if len(rec_ref) != len(rec_got):
        print("%s: %d records in NEURON, %d in ranvier FAIL" % (name, len(rec_ref), len(rec_got)))
        return False
    maxd = 0.0
    for k, (a, b) in enumerate(zip(rec_ref, rec_got)):
        if len(a) != len(b):
            print("%s: record %d has %d samples in NEURON, %d in ranvier FAIL" %
                  (name, k, len(a), len(b)))
            return False
        for x, y in zip(a, b):
            if math.isnan(x) != math.isnan(y):
                maxd = math.inf
            elif not math.isnan(x):
                maxd = max(maxd, abs(x - y))
    nsamp = sum(len(a) for a in rec_ref)
    vok = maxd <= tol
    print("%s: %d traces, %d samples, max |difference| = %.3g %s" %
          (name, len(rec_ref), nsamp, maxd, "ok" if vok else "FAIL (tol %g)" % tol))
    sok = sp_ref == sp_got
    print("%s: %d spikes in NEURON, %d in ranvier, %s" %
          (name, len(sp_ref), len(sp_got), "identical" if sok else "DIFFERENT FAIL"))
    if not sok:
        for k, (a, b) in enumerate(zip(sp_ref, sp_got)):
            if a != b:
                print("  first difference at spike %d: NEURON %r ranvier %r" % (k, a, b))
                break
    return ok and vok and sok
