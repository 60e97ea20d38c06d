# SPDX-License-Identifier: MIT
"""Reading what `ranvier run` wrote, for the driver tests that compare it
with a NEURON reference (bbp/ring_oracle.py, bbp50/bbp50_test.py and the
tests that reuse them): populations_offset.dat, the SONATA spike file with
node ids turned back into gids, and the --record-soma traces of every rank."""
import os


def read(outdir, nprocs, soma=True):
    """{"spikes": [[time, gid], ...], "soma": {gid: [v, ...]} (soma files
    of nprocs ranks when soma), "offsets": {pop: offset}, "offset_lines":
    the lines of populations_offset.dat}.  Fails (SystemExit) when a
    population's spikes are not sorted by (time, node id) or do not say
    sorting=by_time."""
    import h5py
    offsets = {}
    with open(os.path.join(outdir, "populations_offset.dat")) as f:
        lines = f.read().splitlines()
    for ln in lines:
        pop, off, _alias = ln.split("::")
        offsets[pop] = int(off)
    spikes = []
    with h5py.File(os.path.join(outdir, "out.h5"), "r") as f:
        for pop in f["spikes"]:
            g = f["spikes"][pop]
            ts, ids = g["timestamps"][:], g["node_ids"][:]
            if g.attrs.get("sorting") not in (2, "by_time", b"by_time"):
                raise SystemExit("FAIL: spikes of %s: sorting attribute %r" %
                                 (pop, g.attrs.get("sorting")))
            order = sorted(range(len(ts)), key=lambda k: (ts[k], ids[k]))
            if order != list(range(len(ts))):
                raise SystemExit("FAIL: spikes of %s not sorted by (time, id)" % pop)
            spikes += [[float(t), int(i) + offsets[pop]] for t, i in zip(ts, ids)]
    vs = {}
    for rk in range(max(nprocs, 1)) if soma else ():
        with open(os.path.join(outdir, "soma.%d" % rk)) as f:
            for ln in f:
                g, _step, v = ln.split()
                vs.setdefault(g, []).append(float(v))
    return {"spikes": spikes, "soma": vs, "offsets": offsets, "offset_lines": lines}
