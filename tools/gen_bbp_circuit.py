#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Generate a small Blue Brain style SONATA circuit (ranvier's own).

Usage:
  /usr/bin/python3 tools/gen_bbp_circuit.py OUTDIR [--cells N] [--seed S] [options]

Everything is written by this script from a seed: no file of any other
project is copied.  OUTDIR receives

  nodes.h5              population `cortex` (biophysical): model_template
                        hoc:<emodel>, morphology, x/y/z, orientation_w/x/y/z
                        (unit quaternions), mtype, etype, exc/inh_mini_frequency,
                        dynamics_params threshold_current, holding_current (and
                        AIS_scaler with --ais); population `input` (virtual)
  edges.h5              `cortex__cortex__chemical`: afferent_section_id/pos,
                        efferent_section_id/pos, conductance, u_syn,
                        depression_time, facilitation_time, decay_time,
                        syn_type_id (< 100 inhibitory, >= 100 excitatory),
                        n_rrp_vesicles, conductance_scale_factor,
                        u_hill_coefficient, delay; with indices
  input_edges.h5        `input__cortex__chemical` (from the virtual population)
  gap_junctions.h5      (--gap-junctions) `cortex__cortex__electrical` (2-10 nS), both
                        directions of every junction, afferent/efferent_junction_id
  input_spikes.h5       Poisson spikes of the virtual population (synapse_replay)
  node_sets.json, circuit_config.json, simulation_config.json
  emodels/*.hoc         our emodel templates (BluePyOpt/neurodamus style)
  morphologies/*.asc    our generated Neurolucida morphologies (tens of sections)
  mechanisms/*.mod      copies of the ranvier .mod files the circuit needs
                        (mechanisms/bbp synapses and minis, mechanisms/cortex
                        channels), so the circuit is self-contained

Emodels: bmPyrExc (hh + pas + Ih/Im/Kv3_1 of mechanisms/cortex, a Random123
jitter in re_init_rng), bmBasketInh (hh + pas + Kv3_1), and with --ais
bmPyrAIS (a NeededAttributes template taking AIS_scaler).

Default inputs: pulse (a third of the excitatory cells), noise (relative
to threshold_current, all cells), synapse_replay; a soma v compartment
report; spikes out.h5.  Flags add features: --ais, --extra-inputs
(hyperpolarizing + relative_linear on an IClamp), --calcium C
(extracellular_calcium), --spike-location AIS, --axon-synapses (some
synapses on the original axon: the stubs or deleted sections),
--gap-junctions (electrical edges, both directions), --gaba-rise-time
(randomize_gaba_rise_time); --no-minis, --no-noise, --no-report.
The HDF5 files carry no timestamps: the same arguments give the same bytes.
"""
import argparse
import json
import math
import os
import shutil

import h5py
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# ---- emodel templates (hoc) --------------------------------------------------

HOC_COMMON = r"""
proc init() {
    gid = $1
    CellRef = this
    all = new SectionList()
    somatic = new SectionList()
    axonal = new SectionList()
    basal = new SectionList()
    apical = new SectionList()
    channel_seed = 0
    load_morphology($s2, $s3)
    indexSections()
    geom_nseg()
    replace_axon(%(AISARG)s)
    insertChannel()
    biophys()
}

obfunc getCell() {
    return this
}

func count_secs() { local n localobj sl
    sl = $o1
    n = 0
    forsec sl { n = n + 1 }
    return n
}

proc load_morphology() { localobj reader, gui
    strdef path
    sprint(path, "%%s/%%s", $s1, $s2)
    reader = new Import3d_Neurolucida3()
    reader.quiet = 1
    reader.input(path)
    gui = new Import3d_GUI(reader, 0)
    gui.instantiate(this)
    nSecSoma = count_secs(somatic)
    nSecBasal = count_secs(basal)
    nSecApical = count_secs(apical)
}

/* each section's position in `all`, held in v(0.0001) until finitialize:
 * the section index synapses are placed with */
proc indexSections() { local index
    index = 0
    forsec all {
        v(0.0001) = index
        index = index + 1
    }
    nSecAll = index
}

proc geom_nseg() {
    forsec all { nseg = 1 + 2*int(L/40) }
}

/* The axon is replaced by two 30 um stubs with the diameters of the first
 * two original axon sections (times $1); the stubs keep those sections'
 * indices in v(0.0001). */
proc replace_axon() { local scale, d0, d1, i0, i1, k
    scale = $1
    nSecAxonalOrig = count_secs(axonal)
    d0 = 1  d1 = 1  i0 = -1  i1 = -1
    k = 0
    forsec axonal {
        if (k == 0) { d0 = diam  i0 = v(0.0001) }
        if (k == 1) { d1 = diam  i1 = v(0.0001) }
        k = k + 1
    }
    if (k == 1) d1 = d0
    forsec axonal { delete_section() }
    execute1("create axon[2]", CellRef)
    access axon[0]
    L = 30
    nseg = 1
    diam = d0 * scale
    v(0.0001) = i0
    all.append()
    axonal.append()
    access axon[1]
    L = 30
    nseg = 1
    diam = d1 * scale
    v(0.0001) = i1
    all.append()
    axonal.append()
    nSecAxonal = 2
    soma[0] connect axon[0](0), 1
    axon[0] connect axon[1](0), 1
    access soma
}
"""

HOC_HEAD = r"""/* %(NAME)s: an emodel template generated by ranvier's tools/gen_bbp_circuit.py
 * (%(WHAT)s), in the style of BluePyOpt/neurodamus cell templates:
 * new %(NAME)s(gid, morphology_dir, morphology_name, %(ARG4)s).  Morphology through
 * Import3d, nseg from L, section index in v(0.0001), axon replaced by two
 * stubs, channels per section list, re_init_rng(seed) called by the
 * simulator. */
%(NEEDED)sbegintemplate %(NAME)s
public init, load_morphology, geom_nseg, replace_axon, insertChannel, biophys
public re_init_rng, getCell, indexSections
public soma, dend, apic, axon, gid, CellRef, channel_seed
public all, somatic, axonal, basal, apical
public nSecAll, nSecSoma, nSecAxonalOrig, nSecAxonal, nSecBasal, nSecApical
objref this, CellRef, all, somatic, axonal, basal, apical
create soma[1], dend[1], apic[1], axon[1]
"""

HOC_EXC = r"""
proc insertChannel() {
    forsec all { insert pas }
    forsec somatic { insert hh insert Kv3_1 insert Ih }
    forsec axonal { insert hh insert Kv3_1 }
    forsec basal { insert Ih }
    forsec apical { insert Ih insert Im }
}

proc biophys() { local x
    forsec all { Ra = 100  cm = 1  g_pas = 3e-5  e_pas = -72 }
    forsec somatic {
        gnabar_hh = 0.4  gkbar_hh = 0.05  gl_hh = 0  ek = -85
        gbar_Kv3_1 = 0.02  gbar_Ih = 5e-5
    }
    forsec axonal { gnabar_hh = 0.8  gkbar_hh = 0.1  gl_hh = 0  ek = -85  gbar_Kv3_1 = 0.05 }
    forsec basal { cm = 2  gbar_Ih = 5e-5 }
    forsec apical { cm = 2  ek = -85  gbar_Im = 1e-4 }
    this.soma[0] distance(0, 0.5)
    forsec apical for (x, 0) { gbar_Ih(x) = 5e-5 * (1 + 3 * distance(x) / 300) }
}

/* per-cell jitter of the basal leak from a Random123 stream (gid, seed) */
proc re_init_rng() { local x localobj rng
    if (numarg() == 1) channel_seed = $1
    rng = new Random()
    rng.Random123(gid, channel_seed, 7)
    rng.uniform(0.9, 1.1)
    forsec basal for (x, 0) { g_pas(x) = g_pas(x) * rng.repick() }
}
endtemplate %(NAME)s
"""

HOC_INH = r"""
proc insertChannel() {
    forsec all { insert pas }
    forsec somatic { insert hh insert Kv3_1 }
    forsec axonal { insert hh insert Kv3_1 }
    forsec basal { insert Kv3_1 }
}

proc biophys() {
    forsec all { Ra = 120  cm = 1  g_pas = 5e-5  e_pas = -70 }
    forsec somatic { gnabar_hh = 0.4  gkbar_hh = 0.06  gl_hh = 0  ek = -90  gbar_Kv3_1 = 0.1 }
    forsec axonal { gnabar_hh = 0.8  gkbar_hh = 0.1  gl_hh = 0  ek = -90  gbar_Kv3_1 = 0.2 }
    forsec basal { ek = -90  gbar_Kv3_1 = 0.002 }
}

proc re_init_rng() {
    if (numarg() == 1) channel_seed = $1
}
endtemplate %(NAME)s
"""

EMODELS = {
    # name: (kind, needs AIS_scaler, mtype, etype)
    "bmPyrExc": ("exc", False, "L5_TPC", "cADpyr"),
    "bmBasketInh": ("inh", False, "L5_LBC", "cNAC"),
    "bmPyrAIS": ("exc", True, "L5_UPC", "cADpyr"),
}


def emodel_hoc(name):
    kind, ais, mt, et = EMODELS[name]
    what = ("excitatory: hh + pas + Ih, Im, Kv3_1 of mechanisms/cortex" if kind == "exc" else
            "inhibitory: hh + pas + Kv3_1 of mechanisms/cortex")
    if ais:
        what += "; axon stubs scaled by AIS_scaler (NeededAttributes)"
    d = {"NAME": name, "WHAT": what, "ARG4": "AIS_scaler" if ais else "extra (unused)",
         "NEEDED": ('strdef %s_NeededAttributes\n%s_NeededAttributes = "AIS_scaler"\n\n' %
                    (name, name)) if ais else "",
         "AISARG": "$4" if ais else "1"}
    body = HOC_EXC if kind == "exc" else HOC_INH
    return HOC_HEAD % d + HOC_COMMON % d + body % d


# ---- morphologies ------------------------------------------------------------

def _branch(rng, start, direction, depth, diam, lines, ind, seclen):
    """A section of ~seclen um with 4..7 points, then (depth > 0) two children."""
    npts = int(rng.integers(4, 8))
    L = seclen * rng.uniform(0.6, 1.4)
    p = np.array(start, dtype=float)
    d = np.array(direction, dtype=float)
    pad = "  " * ind
    for k in range(npts):
        jitter = rng.normal(0, 0.15, 3)
        d = d + jitter
        d /= np.linalg.norm(d)
        p = p + d * (L / npts)
        dd = max(0.3, diam * (1 - 0.25 * k / npts))
        lines.append("%s(%.2f %.2f %.2f %.2f)" % (pad, p[0], p[1], p[2], dd))
    if depth > 0:
        lines.append("%s(" % pad)
        for b in range(2):
            if b:
                lines.append("%s|" % pad)
            ang = rng.uniform(0.4, 0.9) * (1 if b == 0 else -1)
            axis = np.cross(d, rng.normal(0, 1, 3))
            axis /= np.linalg.norm(axis)
            nd = d * math.cos(ang) + np.cross(axis, d) * math.sin(ang)
            _branch(rng, p, nd, depth - 1, diam * 0.7, lines, ind + 1, seclen * 0.8)
        lines.append("%s)" % pad)


def morphology_asc(rng, kind):
    """Neurolucida text: soma contour, an axon, basal trees, (exc) an apical tree."""
    r = rng.uniform(7, 10)
    out = ['; generated by ranvier tools/gen_bbp_circuit.py', '("CellBody"',
           '  (Color Red)', '  (CellBody)']
    for k in range(12):
        a = 2 * math.pi * k / 12
        rr = r * (1 + 0.15 * math.cos(2 * a))
        out.append("  (%.2f %.2f 0.00 0.00)" % (rr * math.cos(a), rr * math.sin(a) * 1.2))
    out.append(")")
    trees = [("Axon", (0, -1, 0), 2, 1.2, 60)]
    nbasal = int(rng.integers(3, 5)) if kind == "exc" else int(rng.integers(4, 6))
    for b in range(nbasal):
        a = 2 * math.pi * (b + rng.uniform(0.2, 0.8)) / nbasal
        trees.append(("Dendrite", (math.cos(a), 0.3 * math.sin(a) - 0.4, math.sin(a)), 2,
                      1.6 if kind == "exc" else 1.2, 50))
    # every morphology has every type: NEURON keeps a template's section array
    # sizes per template, so a cell without apical sections would inherit
    # empty ones from the previous cell of its template
    if kind == "exc":
        trees.append(("Apical", (0, 1, 0), 3, 3.0, 90))
    else:
        trees.append(("Apical", (0, 1, 0), 1, 1.2, 60))
    for typ, d, depth, diam, seclen in trees:
        d = np.array(d, dtype=float)
        d /= np.linalg.norm(d)
        start = d * r * 0.9
        lines = ["", "( (Color Blue)", "  (%s)" % typ,
                 "  (%.2f %.2f %.2f %.2f)" % (start[0], start[1], start[2], diam)]
        _branch(rng, start, d, depth, diam, lines, 1, seclen)
        lines.append(")")
        out += lines
    return "\n".join(out) + "\n"


# ---- SONATA writers ----------------------------------------------------------

def h5create(path):
    """a new HDF5 file (latest format) whose root group has no times"""
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    return h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl))


def group(parent, path):
    """groups without modification times (reproducible files)"""
    for part in path.split("/"):
        if part not in parent:
            gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
            gcpl.set_obj_track_times(False)
            h5py.h5g.create(parent.id, part.encode(), gcpl=gcpl)
        parent = parent[part]
    return parent


def dataset(g, name, data, **kw):
    return g.create_dataset(name, data=data, track_times=False, **kw)


def write_strings(g, name, values):
    dataset(g, name, np.array(values, dtype=object), dtype=h5py.string_dtype())


def write_edges(path, pname, src_pop, trg_pop, src, trg, attrs):
    """Edges sorted by (target, source) with both index directions."""
    src, trg = np.asarray(src, dtype=np.uint64), np.asarray(trg, dtype=np.uint64)
    n = len(src)
    with h5create(path) as f:
        g = group(f, "edges/" + pname)
        d = dataset(g, "source_node_id", src)
        d.attrs["node_population"] = src_pop
        d = dataset(g, "target_node_id", trg)
        d.attrs["node_population"] = trg_pop
        dataset(g, "edge_type_id", np.full(n, -1, dtype=np.int64))
        dataset(g, "edge_group_id", np.zeros(n, dtype=np.uint32))
        dataset(g, "edge_group_index", np.arange(n, dtype=np.uint64))
        a = group(g, "0")
        for k, (v, dt) in attrs.items():
            dataset(a, k, np.asarray(v, dtype=dt))
        nsrc = int(src.max()) + 1 if n else 0
        ntrg = int(trg.max()) + 1 if n else 0
        for name, ids, nn in (("source_to_target", src, nsrc), ("target_to_source", trg, ntrg)):
            ig = group(g, "indices/" + name)
            ranges, n2r = [], np.zeros((nn, 2), dtype=np.uint64)
            for node in range(nn):
                e = np.nonzero(ids == node)[0]
                first = len(ranges)
                k = 0
                while k < len(e):
                    j = k
                    while j + 1 < len(e) and e[j + 1] == e[j] + 1:
                        j += 1
                    ranges.append((e[k], e[j] + 1))
                    k = j + 1
                n2r[node] = (first, len(ranges))
            dataset(ig, "node_id_to_ranges", n2r)
            dataset(ig, "range_to_edge_id", np.array(ranges, dtype=np.uint64).reshape(-1, 2))


def section_table(asc_text):
    """(type, number of points) of each section, in Import3d's `all` order:
    soma first, then the trees in file order, each depth-first."""
    # only the section types are needed: soma 0, then one entry per branch
    secs = [("soma", 0)]
    typ, stack = None, []
    for line in asc_text.splitlines():
        s = line.strip()
        if s in ("(Axon)", "(Dendrite)", "(Apical)"):
            typ = {"(Axon)": "axon", "(Dendrite)": "dend", "(Apical)": "apic"}[s]
            secs.append((typ, 0))
            stack = []
        elif typ is None:
            continue
        elif s == "(":
            stack.append(len(secs))
            secs.append((typ, 0))
        elif s == "|":
            secs.append((typ, 0))
        elif s == ")":
            if stack:
                stack.pop()
    return secs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--cells", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--virtual", type=int, default=None, help="virtual input cells (default cells)")
    ap.add_argument("--exc-fraction", type=float, default=0.75)
    ap.add_argument("--syn-per-cell", type=int, default=12, help="afferent synapses from the circuit")
    ap.add_argument("--input-syn-per-cell", type=int, default=6)
    ap.add_argument("--tstop", type=float, default=150.0)
    ap.add_argument("--dt", type=float, default=0.025)
    ap.add_argument("--input-rate", type=float, default=20.0, help="Hz of the replayed spikes")
    ap.add_argument("--morphologies", type=int, default=0, help="how many (default min(cells, 6))")
    ap.add_argument("--ais", action="store_true", help="add the NeededAttributes emodel bmPyrAIS")
    ap.add_argument("--gap-junctions", action="store_true", help="electrical edges between inh cells")
    ap.add_argument("--extra-inputs", action="store_true",
                    help="also hyperpolarizing and relative_linear inputs")
    ap.add_argument("--calcium", type=float, default=None,
                    help="conditions.extracellular_calcium (mM): u_syn scaled by u_hill_coefficient")
    ap.add_argument("--spike-location", choices=["soma", "AIS"], default=None)
    ap.add_argument("--gaba-rise-time", action="store_true",
                    help="conditions.randomize_gaba_rise_time: true")
    ap.add_argument("--axon-synapses", action="store_true",
                    help="some synapses on original axon sections (stubs or deleted)")
    ap.add_argument("--no-minis", action="store_true", help="mini frequencies 0")
    ap.add_argument("--no-noise", action="store_true", help="leave the noise input out")
    ap.add_argument("--no-report", action="store_true", help="leave the soma report out")
    ap.add_argument("--mechanisms", default=os.path.join(ROOT, "mechanisms"),
                    help="ranvier's mechanisms folder to copy .mod files from")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    out = args.outdir
    if os.path.exists(out):
        for sub in ("emodels", "morphologies", "mechanisms"):
            if os.path.isdir(os.path.join(out, sub)):
                shutil.rmtree(os.path.join(out, sub))
    for sub in ("emodels", "morphologies", "mechanisms"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    N = args.cells
    NV = args.virtual if args.virtual is not None else N

    # cells: emodels, morphologies
    names = ["bmPyrExc", "bmBasketInh"] + (["bmPyrAIS"] if args.ais else [])
    nexc = max(1, int(round(N * args.exc_fraction)))
    emodel = []
    for i in range(N):
        if i < nexc:
            emodel.append("bmPyrAIS" if args.ais and i % 3 == 2 else "bmPyrExc")
        else:
            emodel.append("bmBasketInh")
    perm = rng.permutation(N)  # mix the kinds over the ids
    emodel = [emodel[k] for k in perm]
    kind = [EMODELS[e][0] for e in emodel]
    nmorph = args.morphologies or max(2, min(N, 6))
    morphs, tables = [], {}
    for k in range(nmorph):
        kd = "exc" if k % 2 == 0 else "inh"
        name = "morph_%s_%d" % (kd, k)
        text = morphology_asc(rng, kd)
        with open(os.path.join(out, "morphologies", name + ".asc"), "w") as f:
            f.write(text)
        morphs.append((name, kd))
        tables[name] = section_table(text)
    cell_morph = []
    for i in range(N):
        pool = [m for m, kd in morphs if kd == kind[i]]
        cell_morph.append(pool[int(rng.integers(len(pool)))])
    for e in names:
        with open(os.path.join(out, "emodels", e + ".hoc"), "w") as f:
            f.write(emodel_hoc(e))

    # nodes
    pos = rng.uniform(0, 200, (N, 3)).astype(np.float32)
    q = rng.normal(0, 1, (N, 4))
    q /= np.linalg.norm(q, axis=1)[:, None]
    thr = np.where(np.array(kind) == "exc", rng.uniform(0.15, 0.3, N),
                   rng.uniform(0.1, 0.2, N)).astype(np.float32)
    hold = rng.uniform(-0.08, -0.02, N).astype(np.float32)
    mini_exc = np.zeros(N) if args.no_minis else rng.uniform(0.5, 2.0, N)
    mini_inh = np.zeros(N) if args.no_minis else rng.uniform(0.5, 2.0, N)
    with h5create(os.path.join(out, "nodes.h5")) as f:
        g = group(f, "nodes/cortex")
        dataset(g, "node_type_id", np.full(N, -1, dtype=np.int64))
        a = group(g, "0")
        write_strings(a, "model_template", ["hoc:" + e for e in emodel])
        write_strings(a, "morphology", cell_morph)
        write_strings(a, "mtype", [EMODELS[e][2] for e in emodel])
        write_strings(a, "etype", [EMODELS[e][3] for e in emodel])
        write_strings(a, "synapse_class", ["EXC" if k == "exc" else "INH" for k in kind])
        for j, c in enumerate("xyz"):
            dataset(a, c, pos[:, j])
        for j, c in enumerate("wxyz"):
            dataset(a, "orientation_" + c, q[:, j].astype(np.float32))
        dataset(a, "exc_mini_frequency", mini_exc.astype(np.float32))
        dataset(a, "inh_mini_frequency", mini_inh.astype(np.float32))
        dp = group(a, "dynamics_params")
        dataset(dp, "threshold_current", thr)
        dataset(dp, "holding_current", hold)
        if args.ais:
            dataset(dp, "AIS_scaler", rng.uniform(0.8, 1.6, N).astype(np.float32))
        g = group(f, "nodes/input")
        dataset(g, "node_type_id", np.full(NV, -1, dtype=np.int64))
        a = group(g, "0")
        write_strings(a, "model_type", ["virtual"] * NV)

    def place(morph, axon=False):
        """a section id on soma/dend/apic of the original morphology, a position;
        with axon (--axon-synapses), one in ten on the original axon: the
        first two sections become the stubs, the others are deleted (such
        synapses are skipped with a warning by neurodamus)"""
        tab = tables[morph]
        ok = [i for i, (t, _) in enumerate(tab) if t in ("soma", "dend", "apic")]
        if axon and rng.uniform() < 0.1:
            ok = [i for i, (t, _) in enumerate(tab) if t == "axon"]
        return ok[int(rng.integers(len(ok)))], float(rng.uniform(0.02, 0.98))

    def chem_attrs(rows, exc_of, gscale=1.0):
        n = len(rows)
        at = {k: [] for k in ("afferent_section_id", "afferent_section_pos", "efferent_section_id",
                              "efferent_section_pos", "conductance", "u_syn", "depression_time",
                              "facilitation_time", "decay_time", "syn_type_id", "n_rrp_vesicles",
                              "conductance_scale_factor", "u_hill_coefficient", "delay")}
        for s, t in rows:
            exc = exc_of(s)
            sid, x = place(cell_morph[t], args.axon_synapses)
            at["afferent_section_id"].append(sid)
            at["afferent_section_pos"].append(x)
            at["efferent_section_id"].append(1)  # the first axon section of the source
            at["efferent_section_pos"].append(float(rng.uniform(0.1, 0.9)))
            if exc:
                at["conductance"].append(gscale * rng.uniform(0.6, 1.8))
                at["u_syn"].append(rng.uniform(0.3, 0.6))
                at["depression_time"].append(rng.uniform(300, 800))
                at["facilitation_time"].append(rng.uniform(5, 30))
                at["decay_time"].append(rng.uniform(1.5, 2.5))
                at["syn_type_id"].append(int(rng.choice([110, 113, 120])))
                at["n_rrp_vesicles"].append(int(rng.integers(1, 4)))
                at["conductance_scale_factor"].append(rng.uniform(0.3, 0.9))
            else:
                at["conductance"].append(rng.uniform(0.8, 2.5))
                at["u_syn"].append(rng.uniform(0.2, 0.4))
                at["depression_time"].append(rng.uniform(500, 900))
                at["facilitation_time"].append(rng.uniform(1, 20))
                at["decay_time"].append(rng.uniform(6, 10))
                at["syn_type_id"].append(int(rng.choice([2, 7, 8])))
                at["n_rrp_vesicles"].append(int(rng.integers(1, 4)))
                at["conductance_scale_factor"].append(rng.uniform(0.0, 0.5))
            at["u_hill_coefficient"].append(rng.uniform(1.5, 2.8))
            at["delay"].append(rng.uniform(0.5, 3.0))
        types = {"afferent_section_id": np.int64, "efferent_section_id": np.int64,
                 "syn_type_id": np.int64, "n_rrp_vesicles": np.int64}
        return {k: (v, types.get(k, np.float32)) for k, v in at.items()}, n

    # chemical edges inside the circuit: 1..3 synapses per connection
    rows = []
    for t in range(N):
        left = args.syn_per_cell
        while left > 0:
            s = int(rng.integers(N))
            if s == t:
                continue
            k = min(left, int(rng.integers(1, 4)))
            rows += [(s, t)] * k
            left -= k
    rows.sort(key=lambda r: (r[1], r[0]))
    at, _ = chem_attrs(rows, lambda s: kind[s] == "exc", 5.0)
    write_edges(os.path.join(out, "edges.h5"), "cortex__cortex__chemical", "cortex", "cortex",
                [r[0] for r in rows], [r[1] for r in rows], at)
    # from the virtual population (excitatory)
    rows = []
    for t in range(N):
        left = args.input_syn_per_cell
        while left > 0:
            k = min(left, int(rng.integers(1, 3)))
            rows += [(int(rng.integers(NV)), t)] * k
            left -= k
    rows.sort(key=lambda r: (r[1], r[0]))
    at, _ = chem_attrs(rows, lambda s: True, 12.0)
    write_edges(os.path.join(out, "input_edges.h5"), "input__cortex__chemical", "input", "cortex",
                [r[0] for r in rows], [r[1] for r in rows], at)
    # gap junctions between inhibitory cells, both directions
    inh = [i for i in range(N) if kind[i] == "inh"]
    if args.gap_junctions and len(inh) >= 2:
        pairs = set()
        for _ in range(max(1, len(inh))):
            a, b = rng.choice(inh, 2, replace=False)
            pairs.add((int(min(a, b)), int(max(a, b))))
        grow = []
        for j, (a, b) in enumerate(sorted(pairs)):
            ga, gb = place(cell_morph[a]), place(cell_morph[b])
            g = float(rng.uniform(2.0, 10.0))  # nS
            # (source, target, section, pos, afferent jid, efferent jid, g)
            grow.append((a, b, gb[0], gb[1], 2 * j + 1, 2 * j, g))
            grow.append((b, a, ga[0], ga[1], 2 * j, 2 * j + 1, g))
        grow.sort(key=lambda r: (r[1], r[0]))
        at = {"afferent_section_id": ([r[2] for r in grow], np.int64),
              "afferent_section_pos": ([r[3] for r in grow], np.float32),
              "afferent_junction_id": ([r[4] for r in grow], np.int64),
              "efferent_junction_id": ([r[5] for r in grow], np.int64),
              "conductance": ([r[6] for r in grow], np.float32)}
        write_edges(os.path.join(out, "gap_junctions.h5"), "cortex__cortex__electrical",
                    "cortex", "cortex", [r[0] for r in grow], [r[1] for r in grow], at)
    elif os.path.exists(os.path.join(out, "gap_junctions.h5")):
        os.remove(os.path.join(out, "gap_junctions.h5"))

    # replayed spikes of the virtual population (Poisson), sorted by time
    ts, ids = [], []
    for v in range(NV):
        t = 0.0
        while True:
            t += rng.exponential(1000.0 / args.input_rate)
            if t >= args.tstop:
                break
            ts.append(round(t, 3))
            ids.append(v)
    order = sorted(range(len(ts)), key=lambda k: (ts[k], ids[k]))
    with h5create(os.path.join(out, "input_spikes.h5")) as f:
        g = group(f, "spikes/input")
        g.attrs["sorting"] = np.array(2, dtype=np.uint8)  # by_time
        d = dataset(g, "timestamps", np.array([ts[k] for k in order], dtype=np.float64))
        d.attrs["units"] = "ms"
        dataset(g, "node_ids", np.array([ids[k] for k in order], dtype=np.uint64))

    # mechanisms: our own .mod files the circuit needs
    mods = [os.path.join("bbp", m) for m in ("ProbAMPANMDA_EMS.mod", "ProbGABAAB_EMS.mod",
                                             "InhPoissonStim.mod")]
    mods += [os.path.join("cortex", m) for m in ("Ih.mod", "Im.mod", "Kv3_1.mod")]
    for m in mods:
        shutil.copy(os.path.join(args.mechanisms, m), os.path.join(out, "mechanisms"))

    # node sets
    exc_ids = [i for i in range(N) if kind[i] == "exc"]
    stim = exc_ids[: max(1, len(exc_ids) // 3)]
    node_sets = {
        "All": {"population": "cortex"},
        "Excitatory": {"population": "cortex", "node_id": exc_ids},
        "Inhibitory": {"population": "cortex", "node_id": inh},
        "Stimulated": {"population": "cortex", "node_id": stim},
        "Mosaic": ["Excitatory", "Inhibitory"],
        "Inputs": {"population": "input"},
    }
    with open(os.path.join(out, "node_sets.json"), "w") as f:
        json.dump(node_sets, f, indent=1)
    pop = {"type": "biophysical", "morphologies_dir": "$BASE_DIR/morphologies",
           "alternate_morphologies": {"neurolucida-asc": "$BASE_DIR/morphologies"},
           "biophysical_neuron_models_dir": "$BASE_DIR/emodels"}
    edges = [{"edges_file": "$BASE_DIR/edges.h5",
              "populations": {"cortex__cortex__chemical": {"type": "chemical"}}},
             {"edges_file": "$BASE_DIR/input_edges.h5",
              "populations": {"input__cortex__chemical": {"type": "chemical"}}}]
    if args.gap_junctions and len(inh) >= 2:
        edges.append({"edges_file": "$BASE_DIR/gap_junctions.h5",
                      "populations": {"cortex__cortex__electrical": {"type": "electrical"}}})
    circuit = {
        "version": 2,
        "manifest": {"$BASE_DIR": "."},
        "components": {"mechanisms_dir": "$BASE_DIR/mechanisms"},
        "node_sets_file": "$BASE_DIR/node_sets.json",
        "networks": {
            "nodes": [{"nodes_file": "$BASE_DIR/nodes.h5",
                       "populations": {"cortex": pop, "input": {"type": "virtual"}}}],
            "edges": edges,
        },
    }
    with open(os.path.join(out, "circuit_config.json"), "w") as f:
        json.dump(circuit, f, indent=1)
    tstop = args.tstop
    inputs = {
        "pulse_stim": {"module": "pulse", "input_type": "current_clamp", "node_set": "Stimulated",
                       "delay": 10.0, "duration": tstop - 30, "amp_start": 2.5, "width": 5.0,
                       "frequency": 25.0},
    }
    if not args.no_noise:
        inputs["noise_all"] = {"module": "noise", "input_type": "current_clamp", "node_set": "All",
                               "delay": 0.0, "duration": tstop, "mean_percent": 130.0,
                               "variance": 5.0}
    if args.extra_inputs:
        inputs["hold_inh"] = {"module": "hyperpolarizing", "input_type": "current_clamp",
                              "node_set": "Inhibitory", "delay": 0.0, "duration": tstop}
        inputs["ramp_exc"] = {"module": "relative_linear", "input_type": "current_clamp",
                              "node_set": "Excitatory", "delay": 20.0, "duration": 50.0,
                              "percent_start": 50.0, "percent_end": 120.0,
                              "represents_physical_electrode": True}
    inputs["replay"] = {"module": "synapse_replay", "input_type": "spikes",
                        "spike_file": "$BASE_DIR/input_spikes.h5", "node_set": "All",
                        "delay": 0.0, "duration": tstop}
    sim = {
        "manifest": {"$BASE_DIR": ".", "$OUTPUT_DIR": "./output"},
        "network": "$BASE_DIR/circuit_config.json",
        "node_sets_file": "$BASE_DIR/node_sets.json",
        "node_set": "All",
        "target_simulator": "NEURON",
        "run": {"tstop": tstop, "dt": args.dt, "random_seed": 1000 + args.seed,
                "spike_threshold": -30, "synapse_seed": 3, "minis_seed": 5, "stimulus_seed": 7,
                "ionchannel_seed": 11},
        "conditions": {"celsius": 34.0, "v_init": -70.0},
        "output": {"output_dir": "$OUTPUT_DIR", "spikes_file": "out.h5"},
        "inputs": inputs,
    }
    if args.calcium is not None:
        sim["conditions"]["extracellular_calcium"] = args.calcium
    if args.spike_location:
        sim["conditions"]["spike_location"] = args.spike_location
    if args.gaba_rise_time:
        sim["conditions"]["randomize_gaba_rise_time"] = True
    if not args.no_report:
        sim["reports"] = {"soma_v": {"cells": "All", "variable_name": "v", "type": "compartment",
                                     "sections": "soma", "dt": 0.5, "start_time": 0.0,
                                     "end_time": tstop}}
    with open(os.path.join(out, "simulation_config.json"), "w") as f:
        json.dump(sim, f, indent=1)
    nsec = {m: len(t) for m, t in tables.items()}
    print("%s: %d cells (%s), %d virtual, morphologies %s sections" %
          (out, N, ", ".join("%d %s" % (emodel.count(e), e) for e in names), NV,
           "/".join(str(v) for v in sorted(nsec.values()))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
