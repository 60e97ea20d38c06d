#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`ranvier run` on the Blue Brain ring test circuit against NEURON, live.

Usage: ring_oracle.py CASE --ranvier BIN --shared DATA --work DIR
                      [--mpiexec MPIEXEC --np N]

The circuit (../shared/data/circuits/bbp-ringtest: RingA 3 cells, RingB 2
cells, chemical edges inside and between the rings) is copied into DIR with
our TestCell template (tests/driver/bbp/TestCell.hoc) and a simulation config
derived from simulation_config_reference_reports.json (reports left out).
CASE:
  pulse   the reference config: pulse current clamp on RingA, node_set Mosaic
  reports the reference config as it is, with its 13 reports (compartment,
          summation, compartment_set: v, i_membrane, pas, IClamp,
          ProbAMPANMDA_EMS), plus two synapse reports: every frame of every report against values
          derived from NEURON's per-segment records by neurodamus' rules
          (element order, section ids, factors), within float32 rounding
  features  RingA cells of template TestCellNA (tests/driver/bbp): the
          constructor's extra argument from TestCellNA_NeededAttributes
          (dynamics_params holding_current), re_init_rng(ionchannel_seed),
          spike detection at axon[1](0.5) (spike_location AIS), minis from the
          nodes' exc/inh_mini_frequency, hyperpolarizing and relative_linear
          inputs (holding and threshold currents), RingA's edges placed by
          afferent_segment_id/offset instead of afferent_section_pos
  bad     configs ranvier must refuse (gap junctions, unsupported inputs,
          missing mechanisms or templates ...): a non-zero exit, an error
          naming the key or file, no spike file, no populations_offset.dat and
          no SUCCESS marker
  overrides  the pulse config plus connection_overrides: weights,
          synapse_delay_override, synapse_configure snippets, spont_minis
          (InhPoissonStim), a delayed weight change, a minis_seed,
          randomize_gaba_rise_time
  bigcell the pulse config on circuit_config_bigA.json (RingA 0 on the
          large morphology cell_big.asc)
  subset  the pulse config with node_set RingA:oneCell (one cell whose
          presynaptic cell is not simulated; the input's node set is wider)
  virtual a virtual population (virtual_neurons) with a chemical projection
          onto RingB, driven only by synapse_replay (spikes before the
          input's delay dropped); its populations_offset.dat line
  implicit  the same projection with virtual_neurons left out of the
          circuit's nodes: an implicit virtual source population (offset
          after its alphabetical predecessor, not in populations_offset.dat);
          as in neurodamus the replay does not reach its synapses (replay
          targets are made of node populations): minis from RingB's
          exc/inh_mini_frequency drive them
  modifications  the pulse config plus conditions.modifications:
          configure_all_sections (run once per segment, so *= compounds),
          section_list, section (one out of range: skipped), ttx and
          compartment_set (segment sec(offset) of the type-ordered section
          id; the set's node ids taken as final gids, as neurodamus does)
  positions  the pulse config with node x/y/z far from the origin and a
          quaternion rotation: as in neurodamus nothing moves the cells'
          3-D points; --dump-cell-state's node table (areas, a, b) of gids
          0 and 1000 against NEURON's pc.prcellstate of the untransformed
          cells, besides spikes and voltages
  fskip   the pulse config with v_init -75 mV and run.forward_skip 200 ms:
          after finitialize, ten steps of 20 ms from t = -1e9, then t = 0 and
          the records restarted (neurodamus' ForwardSkip on NEURON)
  neuromod  circuit_config_neuromodulation.json (RingA, RingB, the virtual
          population virtual_neurons with a neuromodulatory projection onto
          RingB 0; delays shortened to fit the run) driven by a replay file
          of ours, plus connection_overrides setting neuromodulation_dtc for
          one source.  ProbAMPANMDA_EMS is a test-only variant of ours (made
          by nm_test_mod below) whose NET_RECEIVE adds weight[1] to a
          modulation level decaying with time constant weight[2] that scales
          g_AMPA, and whose nc_type_param is 3 (not 4), so a wrong match,
          strength, dtc or type slot changes the voltages; one edge finds no
          synapse within 0.05 and drops the rest of its connection; a chemical
          projection from virtual_neurons listed after it gets no replay
          (only the first manager of a population pair does)
  replay  the same plus synapse_replay of input_spikes.h5 onto every cell
          and again (from 3 ms on, merged) onto RingA 0, and again (from 1 ms
          on) with 'source' RingA_Cell0: only onto connections from RingA 0,
          a linear ramp on RingB (MembraneCurrentSource) that makes it spike, and a
          mechanism global from conditions.mechanisms

The same network is then built in NEURON by this script (a separate
process): h5py reads the same nodes and edges, the same hoc template, our
mechanisms/bbp/*.mod compiled by nrnivmodl, neurodamus's rules as written in
neurodamus-facts.md (gid offsets, v(0.0001) section table, synapse
parameters, Random123 seeds from the MD5 population ids, delay truncation,
descending-source-gid creation order, spike NetCons at soma[0](1), Vector.play
of the stimulus signal).  Passes when spike rasters (gid, time) are identical,
soma voltages agree within 1e-6 mV at every step, populations_offset.dat and
the SUCCESS marker are as neurodamus writes them."""
import argparse
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
sys.path.insert(0, os.path.join(ROOT, "tests", "driver"))
sys.dont_write_bytecode = True  # nothing written into the source tree
import nd_common  # noqa: E402  (minis and replay sources)
import ranvier_outputs  # noqa: E402

TOL_V = 1e-6


# ---- the circuit -----------------------------------------------------------

def prepare(case, shared, work):
    src = os.path.join(shared, "circuits", "bbp-ringtest")
    circ = os.path.join(work, "circuit")
    if os.path.exists(circ):
        shutil.rmtree(circ)
    shutil.copytree(src, circ)
    os.makedirs(os.path.join(circ, "hoc"), exist_ok=True)
    shutil.copy(os.path.join(HERE, "TestCell.hoc"), os.path.join(circ, "hoc"))
    with open(os.path.join(circ, "simulation_config_reference_reports.json")) as f:
        cfg = json.load(f)
    if case != "reports":
        cfg.pop("reports", None)
    else:
        cfg["reports"]["synapse_g"] = {
            "cells": "Mosaic", "dt": 1, "start_time": 0.0, "end_time": 40.0, "type": "synapse",
            "variable_name": "ProbAMPANMDA_EMS.g", "sections": "all"}
        cfg["reports"]["synapse_gaba_i"] = {
            "cells": "RingB", "dt": 0.5, "start_time": 2.0, "end_time": 33.0, "type": "synapse",
            "variable_name": "ProbGABAAB_EMS", "sections": "all"}
    if case == "replay":
        cfg["inputs"]["Replay"] = {
            "module": "synapse_replay", "input_type": "spikes",
            "spike_file": "input_spikes.h5", "delay": 0, "duration": 50,
            "node_set": "Mosaic"}
        cfg["inputs"]["ReplayA0"] = {  # merged with the first onto RingA 0 only
            "module": "synapse_replay", "input_type": "spikes",
            "spike_file": "input_spikes.h5", "delay": 3.0, "duration": 50,
            "node_set": "RingA_Cell0"}
        cfg["inputs"]["ReplaySrc"] = {  # 'source': only the connections from RingA 0
            "module": "synapse_replay", "input_type": "spikes",
            "spike_file": "input_spikes.h5", "delay": 1.0, "duration": 50,
            "node_set": "Mosaic", "source": "RingA_Cell0"}
        cfg["inputs"]["RampB"] = {
            "module": "linear", "input_type": "current_clamp", "amp_start": 2,
            "amp_end": 4, "delay": 5, "duration": 30, "node_set": "RingB"}
        cfg["conditions"]["mechanisms"] = {"ProbAMPANMDA_EMS": {"init_depleted": True,
                                                                 "tau_r_AMPA": 0.4}}
        cfg["run"]["synapse_seed"] = 17
    if case in ("virtual", "implicit"):
        import h5py
        import numpy as np
        # a chemical projection from the virtual population virtual_neurons
        # onto RingB, driven by a replay file of ours
        with h5py.File(os.path.join(circ, "neuromodulation", "projections.h5")) as fi, \
                h5py.File(os.path.join(circ, "proj_chem.h5"), "w") as fo:
            gi = fi["edges"]["virtual_neurons__RingB__neuromodulatory"]
            go = fo.create_group("edges").create_group("virtual_neurons__RingB__chemical")
            for k in ("source_node_id", "target_node_id", "edge_type_id"):
                gi.copy(k, go)
            gi.copy("indices", go)
            g0 = go.create_group("0")
            for k in ("afferent_section_id", "afferent_section_pos"):
                gi["0"].copy(k, g0)
            for k, v in (("conductance", [30.0, 40.0, 50.0]), ("decay_time", [1.7, 1.7, 8.0]),
                         ("delay", [1.04, 2.0, 3.0]), ("depression_time", [100.0, 200.0, 300.0]),
                         ("facilitation_time", [10.0, 0.0, 5.0]), ("u_syn", [0.5, 0.6, 0.3]),
                         ("n_rrp_vesicles", [2, 2, 3]), ("syn_type_id", [120, 120, 10])):
                g0.create_dataset(k, data=np.array(v, dtype=np.int64 if isinstance(v[0], int)
                                                   else np.float32))
        with h5py.File(os.path.join(circ, "virt_spikes.h5"), "w") as f:
            g = f.create_group("spikes").create_group("virtual_neurons")
            g.attrs["sorting"] = np.array(2, dtype=np.uint8)
            g.create_dataset("timestamps", data=[1.0, 2.025, 5.5, 12.0, 13.425, 22.0, 30.2])
            g["timestamps"].attrs["units"] = "ms"
            g.create_dataset("node_ids", data=np.array([0, 1, 0, 0, 1, 1, 0], dtype=np.uint64))
        net = json.load(open(os.path.join(circ, "circuit_config.json")))
        if case == "implicit":
            # no replay reaches an implicit source's synapses: minis drive them (the
            # nodes' exc/inh_mini_frequency on RingB); the replay input stays, ignored
            with h5py.File(os.path.join(circ, "nodes_B.h5"), "r+") as f:
                g = f["nodes"]["RingB"]["0"]
                g.create_dataset("exc_mini_frequency", data=[40.0, 25.0])
                g.create_dataset("inh_mini_frequency", data=[30.0, 0.0])
        if case == "virtual":  # implicit: the source population is no node population
            net["networks"]["nodes"].append({"nodes_file": "neuromodulation/virtual_neurons.h5",
                                             "populations": {"virtual_neurons": {"type":
                                                                                 "virtual"}}})
        net["networks"]["edges"].append({"edges_file": "proj_chem.h5", "populations": {
            "virtual_neurons__RingB__chemical": {"type": "chemical"}}})
        with open(os.path.join(circ, "circuit_virtual.json"), "w") as f:
            json.dump(net, f, indent=1)
        cfg["network"] = "circuit_virtual.json"
        cfg["inputs"]["Replay"] = {
            "module": "synapse_replay", "input_type": "spikes",
            "spike_file": "virt_spikes.h5", "delay": 1.5, "duration": 50, "node_set": "RingB"}
    if case == "positions":
        # node positions far from the origin and a rotation (quaternion
        # orientation_*): neurodamus never moves a cell's 3-D points (they
        # only feed its local_to_global matrix, for e-field and coordinate
        # mapping), so geometry and voltages must stay those of the file
        import h5py
        import numpy as np
        ax = np.array([1.0, 2.0, 3.0]) / math.sqrt(14.0)
        q = list(ax * math.sin(math.radians(20))) + [math.cos(math.radians(20))]
        for fn, pop, n in (("nodes_A.h5", "RingA", 3), ("nodes_B.h5", "RingB", 2)):
            with h5py.File(os.path.join(circ, fn), "r+") as f:
                g = f["nodes"][pop]["0"]
                for k, base in (("x", 1234.567), ("y", -987.321), ("z", 456.789)):
                    g[k][...] = base + 10.0 * np.arange(n)
                for k, v in zip(("orientation_x", "orientation_y", "orientation_z",
                                 "orientation_w"), q):
                    g.create_dataset(k, data=np.full(n, v))
        cfg["metadata"]["ring_oracle_dump"] = "0,1000"  # gids for --dump-cell-state
    if case == "fskip":
        # run.forward_skip: the cells settle from v_init -75 mV before t = 0
        cfg["run"]["forward_skip"] = 200.0
        cfg["conditions"]["v_init"] = -75.0
    if case == "neuromod":
        import h5py
        import numpy as np
        # also a chemical projection virtual_neurons -> RingB, listed after the
        # neuromodulatory one: replay reaches only the pair's first manager
        with h5py.File(os.path.join(circ, "neuromodulation", "projections.h5")) as fi, \
                h5py.File(os.path.join(circ, "proj_chem_late.h5"), "w") as fo:
            gi = fi["edges"]["virtual_neurons__RingB__neuromodulatory"]
            go = fo.create_group("edges").create_group("virtual_neurons__RingB__chemical")
            for k in ("source_node_id", "target_node_id", "edge_type_id", "indices"):
                gi.copy(k, go)
            g0 = go.create_group("0")
            for k in ("afferent_section_id", "afferent_section_pos"):
                gi["0"].copy(k, g0)
            for k, v in (("conductance", [30.0, 40.0, 50.0]), ("decay_time", [1.7, 1.7, 8.0]),
                         ("delay", [1.0, 2.0, 3.0]), ("depression_time", [100.0, 200.0, 300.0]),
                         ("facilitation_time", [10.0, 0.0, 5.0]), ("u_syn", [0.5, 0.6, 0.3]),
                         ("n_rrp_vesicles", [2, 2, 3]), ("syn_type_id", [120, 120, 10])):
                g0.create_dataset(k, data=np.array(v, dtype=np.int64 if isinstance(v[0], int)
                                                   else np.float32))
        net = json.load(open(os.path.join(circ, "circuit_config_neuromodulation.json")))
        net["networks"]["edges"].append({"edges_file": "proj_chem_late.h5", "populations": {
            "virtual_neurons__RingB__chemical": {"type": "chemical"}}})
        with open(os.path.join(circ, "circuit_nm.json"), "w") as f:
            json.dump(net, f, indent=1)
        cfg["network"] = "circuit_nm.json"
        with h5py.File(os.path.join(circ, "neuromodulation", "projections.h5"), "r+") as f:
            g0 = f["edges"]["virtual_neurons__RingB__neuromodulatory"]["0"]
            g0["delay"][...] = np.array([1.5, 2.04, 3.0], dtype=np.float32)
        with h5py.File(os.path.join(circ, "neuromod_spikes.h5"), "w") as f:
            g = f.create_group("spikes").create_group("virtual_neurons")
            g.attrs["sorting"] = np.array(2, dtype=np.uint8)
            g.create_dataset("timestamps", data=[2.0, 4.0, 9.0, 15.0, 21.0])
            g["timestamps"].attrs["units"] = "ms"
            g.create_dataset("node_ids", data=np.array([0, 1, 0, 1, 0], dtype=np.uint64))
        ns = json.load(open(os.path.join(circ, "nodesets.json")))
        ns["virt0"] = {"population": "virtual_neurons", "node_id": [0]}
        with open(os.path.join(circ, "nodesets.json"), "w") as f:
            json.dump(ns, f, indent=1)
        cfg["inputs"]["NeuroMod"] = {
            "module": "synapse_replay", "input_type": "spikes",
            "spike_file": "neuromod_spikes.h5", "delay": 0, "duration": 50, "node_set": "RingB"}
        cfg["connection_overrides"] = [
            {"name": "vnB", "source": "virtual_neurons", "target": "RingB", "weight": 1.0},
            {"name": "vn0B", "source": "virt0", "target": "RingB", "neuromodulation_dtc": 20.0}]
    if case == "modifications":
        cfg["conditions"]["modifications"] = [
            {"name": "cas", "type": "configure_all_sections", "node_set": "RingA",
             "section_configure": "%s.gnabar_hh *= 1.2; %s.e_pas = -68"},
            {"name": "sl", "type": "section_list", "node_set": "RingB",
             "section_configure": "basal.gl_hh = 0.0005; basal.gkbar_hh += 0.01"},
            {"name": "sec", "type": "section", "node_set": "Mosaic",
             "section_configure": "dend[1].gkbar_hh *= 0.8"},
            {"name": "none", "type": "section", "node_set": "Mosaic",
             "section_configure": "dend[7].gkbar_hh = 0"},
            {"name": "ttx", "type": "ttx", "node_set": "RingB"},
            # compartment sets: csA (RingA 1, offset 0) as meant; csB names RingB
            # node 0, but neurodamus compares node ids with final gids: RingA 0
            {"name": "csm", "type": "compartment_set", "compartment_set": "csA",
             "section_configure": "gnabar_hh = 0.05; gkbar_hh *= 1.5"},
            {"name": "csq", "type": "compartment_set", "compartment_set": "csB",
             "section_configure": "gl_hh += 0.0002"}]
    if case == "gapjunctions":
        # RingC (3 cells, a chemical ring) with its gap junction edges
        # (RingC 0 <-> RingC 2, 100 nS, segment-form placement); the pulse
        # drives RingC 0 only, so RingC 2 feels it through the junction first
        cfg["network"] = "circuit_config_gj.json"
        ns = json.load(open(os.path.join(circ, "nodesets.json")))
        ns["RingC_Cell0"] = {"population": "RingC", "node_id": [0]}
        with open(os.path.join(circ, "nodesets.json"), "w") as f:
            json.dump(ns, f, indent=1)
        cfg["node_set"] = "Ring:C"
        cfg["inputs"]["Stimulus"]["node_set"] = "RingC_Cell0"
    if case == "subset":
        cfg["node_set"] = "RingA:oneCell"  # RingA 1 only: its presynaptic cell is absent
        cfg["inputs"]["Stimulus"]["node_set"] = "Mosaic"
    if case == "bigcell":
        cfg["network"] = "circuit_config_bigA.json"  # RingA 0 on cell_big.asc
    if case == "overrides":
        cfg["connection_overrides"] = [
            {"name": "AtoB", "source": "RingA", "target": "RingB", "weight": 2.5,
             "synapse_delay_override": 0.7, "synapse_configure": "%s.Use = 0.3 %s.Dep = 50"},
            {"name": "AA", "source": "RingA", "target": "RingA", "weight": 1.5,
             "spont_minis": 40, "synapse_configure": "%s.Use = 0.4"},
            {"name": "BB", "source": "RingB", "target": "RingB", "weight": 0.5,
             "spont_minis": 300},
            {"name": "AtoB_late", "source": "RingA", "target": "RingB", "delay": 20,
             "weight": 0.2}]
        cfg["run"]["minis_seed"] = 5
        cfg["conditions"]["randomize_gaba_rise_time"] = True
    if case == "features":
        import h5py
        shutil.copy(os.path.join(HERE, "TestCellNA.hoc"), os.path.join(circ, "hoc"))
        # every cell a TestCellNA (AIS detection needs the axon everywhere)
        for fn, pop, n in (("nodes_A.h5", "RingA", 3), ("nodes_B.h5", "RingB", 2)):
            with h5py.File(os.path.join(circ, fn), "r+") as f:
                g = f["nodes"][pop]["0"]
                del g["model_template"]
                g.create_dataset("model_template", data=[b"hoc:TestCellNA"] * n)
                dp = g.create_group("dynamics_params")
                dp.create_dataset("holding_current", data=[0.1, 0.2, 0.3][:n])
                dp.create_dataset("threshold_current", data=[0.5, 0.6, 0.7][:n])
                g.create_dataset("exc_mini_frequency", data=[30.0, 0.0, 50.0][:n])
                g.create_dataset("inh_mini_frequency", data=[40.0, 60.0, 0.0][:n])
        # RingA's own edges placed by the segment form (no afferent_section_pos)
        with h5py.File(os.path.join(circ, "local_edges_A.h5"), "r+") as f:
            g = f["edges"]["RingA__RingA__chemical"]["0"]
            del g["afferent_section_pos"], g["afferent_segment_id"], g["afferent_segment_offset"]
            g.create_dataset("afferent_segment_id", data=[0, 1, 5])
            g.create_dataset("afferent_segment_offset", data=[10.0, 0.0, 0.0])
        cfg["inputs"]["Hyper"] = {"module": "hyperpolarizing", "input_type": "current_clamp",
                                  "delay": 5, "duration": 20, "node_set": "RingA"}
        cfg["inputs"]["Rel"] = {"module": "relative_linear", "input_type": "current_clamp",
                                "percent_start": 150, "percent_end": 250, "delay": 10,
                                "duration": 30, "node_set": "RingA"}
        cfg["conditions"]["spike_location"] = "AIS"
        cfg["run"]["ionchannel_seed"] = 7
        cfg["run"]["minis_seed"] = 3
    path = os.path.join(circ, "sim_%s.json" % case)
    with open(path, "w") as f:
        json.dump(cfg, f, indent=1)
    return circ, path, cfg


def pop_id(name):
    d = hashlib.md5(name.encode()).digest()
    return ((d[1] & 0x0F) << 8) + d[0]


# ---- neurodamus's stimulus signals (facts §4), for the NEURON side ---------

def pulse_signal(inp):
    A, w, f, d, D = inp["amp_start"], inp["width"], inp["frequency"], inp.get("delay", 0), \
        inp["duration"]
    t, y = [], []
    if d > 0:
        t.append(0.0), y.append(0.0)
    tau = 1000.0 / f
    n = int(D / tau)
    cur = d
    for _ in range(n):
        t += [cur, cur, cur + w, cur + w]
        y += [0, A, A, 0]
        cur += tau
    r = D - n * tau
    ww = w if w <= r else r
    t += [cur, cur, cur + ww, cur + ww]
    y += [0, A, A, 0]
    t.append(d + D), y.append(0.0)
    return t, y


def linear_signal(inp):
    d, D = inp.get("delay", 0), inp["duration"]
    a1 = inp["amp_start"]
    a2 = inp.get("amp_end", a1)
    t, y = [], []
    if d > 0:
        t.append(0.0), y.append(0.0)
    t += [d, d, d + D, d + D]
    y += [0, a1, a2, 0]
    return t, y


def seg_index(sg):
    n = sg.sec.nseg
    return min(int(sg.x * n), n - 1)


def nm_test_mod(text):
    """A test-only variant of our ProbAMPANMDA_EMS: an event of type 10
    (neuromodulation) adds weight[1] to a level nm that decays with time
    constant weight[2] and scales g_AMPA by (1 + nm); the type is read from
    weight[3] (nc_type_param 3), Psurv moves to weight[4]."""
    edits = [
        ("    GLOBAL nc_type_param\n", "    GLOBAL nc_type_param\n    RANGE nm, nm_step\n"),
        ("    nc_type_param = 4\n", "    nc_type_param = 3\n"),
        ("    next_delay (ms)\n}", "    next_delay (ms)\n    nm\n    nm_step\n}"),
        ("    next_delay = -1\n}", "    next_delay = -1\n    nm = 0\n    nm_step = 1\n}"),
        ("    g_AMPA = gmax*(B_AMPA - A_AMPA)\n", "    g_AMPA = gmax*(B_AMPA - A_AMPA)*(1 + nm)\n"),
        ("    B_NMDA = B_NMDA*B_NMDA_step\n}", "    B_NMDA = B_NMDA*B_NMDA_step\n    nm = nm*nm_step\n}"),
        ("NET_RECEIVE (weight, weight_AMPA, weight_NMDA, Psurv, nc_type) {\n"
         "    LOCAL result, ves, occu, k\n",
         "NET_RECEIVE (weight, weight_AMPA, weight_NMDA, nc_type, Psurv) {\n"
         "    LOCAL result, ves, occu, k\n"
         "    if (nc_type == 10) {\n"
         "        nm = nm + weight_AMPA\n"
         "        nm_step = exp(-dt/weight_NMDA)\n"
         "    }\n"),
    ]
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


# ---- NEURON --------------------------------------------------------------------

def run_neuron(circ, cfg, lib, out):
    os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")
    import h5py
    from neuron import h
    h.nrn_load_dll(lib)
    h.load_file("stdrun.hoc")
    h.load_file("import3d.hoc")
    h.load_file(os.path.join(circ, "hoc", "TestCell.hoc"))
    if os.path.exists(os.path.join(circ, "hoc", "TestCellNA.hoc")):
        h.load_file(os.path.join(circ, "hoc", "TestCellNA.hoc"))
    pc = h.ParallelContext()
    run = cfg["run"]
    dt, tstop = run["dt"], run["tstop"]
    syn_seed = run.get("synapse_seed", 0)
    h.Random().Random123_globalindex(run["random_seed"])
    h.celsius = cfg["conditions"]["celsius"]
    h.dt = dt
    h.steps_per_ms = 1.0 / dt
    h.secondorder = 0
    for suffix, vars_ in cfg["conditions"].get("mechanisms", {}).items():
        for k, v in vars_.items():
            setattr(h, "%s_%s" % (k, suffix), float(v))
    net = json.load(open(os.path.join(circ, cfg["network"])))
    pops = {p: n["nodes_file"] for n in net["networks"]["nodes"] for p in n["populations"]}
    virtual = {p for n in net["networks"]["nodes"] for p, v in n["populations"].items()
               if v.get("type") == "virtual"}
    pop_order = [p for n in net["networks"]["nodes"] for p in n["populations"]]
    nodesets = json.load(open(os.path.join(circ, "nodesets.json")))

    def in_set(ns, pname, raw):
        d = nodesets[ns]
        ps = d["population"] if isinstance(d["population"], list) else [d["population"]]
        return pname in ps and ("node_id" not in d or raw in d["node_id"])

    # offsets: alphabetical, next multiple of 1000 above the previous
    # population's highest gid of the simulation's node set
    offsets, off, prev, targets = {}, 0, None, {}
    for name in sorted(pops):
        with h5py.File(os.path.join(circ, pops[name])) as f:
            size = len(f["nodes"][name]["node_type_id"])
        targets[name] = [] if name in virtual else \
            [r for r in range(size) if in_set(cfg["node_set"], name, r)]
        if prev is not None:
            off = ((prev[0] + prev[1]) // 1000 + 1) * 1000
        offsets[name] = off
        prev = (off, size - 1 if name in virtual else max(targets[name] or [0]))
        pops[name] = (pops[name], size)
    cells, isec, node_attrs = {}, {}, {}
    for name in sorted(pops):
        if name in virtual:
            continue
        fn, size = pops[name]
        with h5py.File(os.path.join(circ, fn)) as f:
            g0 = f["nodes"][name]["0"]
            morph = [m.decode() for m in g0["morphology"][:]]
            tmpl = [m.decode().split(":")[1] for m in g0["model_template"][:]]
            dyn = {k: list(g0["dynamics_params"][k][:]) for k in g0.get("dynamics_params", {})}
            mini = {k: list(g0[k][:]) for k in ("exc_mini_frequency", "inh_mini_frequency")
                    if k in g0}
        node_attrs[name] = {"dyn": dyn, "mini": mini}
        for raw in targets[name]:
            gid = offsets[name] + raw
            needed = getattr(h, tmpl[raw] + "_NeededAttributes", None) \
                if hasattr(h, tmpl[raw] + "_NeededAttributes") else None
            extra = [float(dyn[a][raw]) for a in needed.split(";")] if needed else [0]
            c = getattr(h, tmpl[raw])(raw, os.path.join(circ, "morphologies", "asc"),
                                      morph[raw] + ".asc", *extra)
            table = [None] * int(c.nSecAll)
            for sec in c.all:
                v = sec(0.0001).v
                if v >= 0:
                    table[int(v)] = sec
            isec[gid] = table
            if hasattr(c, "re_init_rng"):
                c.re_init_rng(run.get("ionchannel_seed", 0))
            if cfg["conditions"].get("spike_location") == "AIS":
                nc = h.NetCon(c.axon[1](0.5)._ref_v, None, sec=c.axon[1])
            else:
                nc = h.NetCon(c.soma[0](1)._ref_v, None, sec=c.soma[0])
            nc.threshold = run.get("spike_threshold", -30)
            pc.set_gid2node(gid, 0)
            pc.cell(gid, nc)
            c.gid = gid
            cells[gid] = (c, nc)
    keep = []
    # managers: each population's inner edges (P__P__chemical), then the rest
    # in config order
    alle = []
    for n in net["networks"]["edges"]:
        with h5py.File(os.path.join(circ, n["edges_file"])) as f:
            for en in f["edges"]:
                g = f["edges"][en]
                alle.append((n["edges_file"], en, g["source_node_id"].attrs["node_population"],
                             g["target_node_id"].attrs["node_population"]))
    edges = []
    for p in pop_order:
        inner = [e for e in alle if e[1] == "%s__%s__chemical" % (p, p) and e not in edges]
        if inner:
            edges.append(inner[0])
    edges += [e for e in alle if e not in edges]
    replay = {}
    for inp in cfg["inputs"].values():
        if inp["module"] != "synapse_replay":
            continue
        with h5py.File(os.path.join(circ, inp["spike_file"])) as f:
            for pname in f["spikes"]:
                g = f["spikes"][pname]
                for t, i in zip(g["timestamps"][:], g["node_ids"][:]):
                    if t >= inp.get("delay", 0):
                        replay.setdefault((pname, int(i)), []).append(
                            (inp["node_set"], inp.get("source"), float(t)))

    def replay_times(sname, s, tname, traw, ename):
        # inputs whose node set holds the post cell and whose source (if any) the pre cell;
        # never from an implicit source population (neurodamus' replay targets are made
        # of the circuit's node populations)
        if sname not in pops or first_kind.get((sname, tname)) != etype.get(ename, "chemical"):
            return []
        return [t for ns, src_ns, t in replay.get((sname, s), [])
                if in_set(ns, tname, traw) and (src_ns is None or in_set(src_ns, sname, s))]
    nsyn = 0

    def overlaps(o, sname, tname):
        return any(in_set(o["source"], sname, r) for r in range(pops[sname][1])) and \
            any(in_set(o["target"], tname, r) for r in range(pops[tname][1]))

    overrides = cfg.get("connection_overrides", [])
    minis_seed = run.get("minis_seed", 0)
    if overrides:
        h("objref rv__syn")
    etype = {en: v.get("type", "chemical") for n in net["networks"]["edges"]
             for en, v in n["populations"].items()}
    # replay reaches only the first manager (not gap junctions) of each
    # (source, target) pair: neurodamus' get_edge_manager
    first_kind = {}
    for ed in edges:
        if etype.get(ed[1], "chemical") != "electrical":
            first_kind.setdefault((ed[2], ed[3]), etype.get(ed[1], "chemical"))
    # neuromodulatory edges hook onto the synapses of the chemical ones: last
    edges.sort(key=lambda ed: etype.get(ed[1]) == "neuromodulatory")
    # neurodamus' manager of each (source, target) pair: its first edge population
    mgr = {}
    for k, ed in enumerate(edges):
        if etype.get(ed[1], "chemical") == "chemical":
            mgr.setdefault((ed[2], ed[3]), k)
    bsyn = {}  # tgid -> [(manager, source raw id, section id, x, synapse, source pop)]

    def slot_of(syn):
        return nd_common.nc_slot(h, syn)

    def location(a, e, sec):
        if "afferent_section_pos" in a:
            return min(max(float(a["afferent_section_pos"][e]), 1e-7), 0.9999999)
        ori, n3d = int(sec.orientation()), int(sec.n3d())
        ipt, off = int(a["afferent_segment_id"][e]), max(float(a["afferent_segment_offset"][e]), 0.0)
        if ori == 1:
            ipt, off = n3d - 1 - ipt, -off
        if ipt >= n3d:
            x = 0.5
        else:
            x = min(max((sec.arc3d(ipt) + off) / sec.L, 1e-7), 0.9999999)
        return 1 - x if ori == 1 else x
    nneuromod = 0
    for fn, ename, sname, tname in edges:
        if etype.get(ename) == "electrical":
            continue  # gap junctions: after all synapses
        with h5py.File(os.path.join(circ, fn)) as f:
            g = f["edges"][ename]
            src = g["source_node_id"][:]
            trg = g["target_node_id"][:]
            a = {k: g["0"][k][:] for k in g["0"]}
        spop, tpop = pop_id(sname), pop_id(tname)
        for traw in targets[tname]:
            tgid = offsets[tname] + traw
            mine = [i for i in range(len(trg)) if trg[i] == traw]  # ascending edge id
            synid = {e: k for k, e in enumerate(mine)}
            conns = {}
            for e in mine:
                conns.setdefault(int(src[e]), []).append(e)
            ov = [o for o in overrides if overlaps(o, sname, tname)]
            for s in sorted(conns, reverse=True):
                sgid = offsets.get(sname, 0) + s  # implicit virtual source: no NetCon
                match = [o for o in ov if in_set(o["source"], sname, s) and
                         in_set(o["target"], tname, traw)]
                if ov and (len(ov) == 1 and abs(ov[0].get("weight", 1.0)) < 1e-12 or
                           not [o for o in match if o.get("delay", 0) <= 0]):
                    continue  # created only inside some non-delayed override
                wf, minis, dover, conf, late = 1.0, None, None, [], []
                nm_str, nm_dtc = 0.0, 0.0
                for o in match:
                    if o.get("delay", 0) > 0:
                        late.append((o["delay"], o.get("weight", 1.0)))
                        continue
                    wf = o.get("weight", 1.0)
                    minis = o.get("spont_minis")
                    dover = o.get("synapse_delay_override")
                    if "synapse_configure" in o:
                        conf.append(o["synapse_configure"])
                    nm_str = o.get("neuromodulation_strength", nm_str)
                    nm_dtc = o.get("neuromodulation_dtc", nm_dtc)
                late.sort()
                if etype.get(ename) == "neuromodulatory":
                    # no synapse: each edge hooks a replay NetCon onto the
                    # closest synapse of another source population
                    times = replay_times(sname, s, tname, traw, ename)
                    cands = sorted(bsyn.get(tgid, []), key=lambda b: (b[0], b[1]))
                    for e in conns[s]:
                        sid_ = int(a["afferent_section_id"][e])
                        sec = isec[tgid][sid_]
                        if sec is None:
                            continue
                        x = location(a, e, sec)
                        best, hit = 0.05, None
                        for b in cands:
                            if b[5] != sname and b[2] == sid_ and abs(b[3] - x) < best:
                                best, hit = abs(b[3] - x), b[4]
                        if hit is None:
                            break  # the rest of the connection is dropped
                        if not times:
                            continue
                        delay = int(float(a["delay"][e]) / dt + 1e-5) * dt
                        if dover:
                            delay = dover
                        tv, vs = h.Vector(sorted(times)), h.VecStim()
                        vs.play(tv)
                        nc = h.NetCon(vs, hit)
                        nc.threshold, nc.delay = 10, delay
                        nc.weight[0] = 1 if wf > 0 else 0
                        nc.weight[1] = nm_str or float(a["neuromod_strength"][e])
                        nc.weight[2] = nm_dtc or float(a["neuromod_dtc"][e])
                        if slot_of(hit):
                            nc.weight[slot_of(hit)] = 10
                        keep += [tv, vs, nc]
                        nneuromod += 1
                    continue
                made = []
                for e in conns[s]:
                    exc = a["syn_type_id"][e] >= 100
                    sec = isec[tgid][int(a["afferent_section_id"][e])]
                    x = location(a, e, sec)
                    syn = (h.ProbAMPANMDA_EMS if exc else h.ProbGABAAB_EMS)(x, sec=sec)
                    bsyn.setdefault(tgid, []).append((mgr.get((sname, tname), 0), s,
                                                      int(a["afferent_section_id"][e]), x, syn,
                                                      sname))
                    if exc:
                        syn.tau_d_AMPA = a["decay_time"][e]
                    else:
                        syn.tau_d_GABAA = a["decay_time"][e]
                    syn.Use = abs(float(a["u_syn"][e]))
                    syn.Dep = abs(float(a["depression_time"][e]))
                    syn.Fac = abs(float(a["facilitation_time"][e]))
                    if a["n_rrp_vesicles"][e] >= 0:
                        syn.Nrrp = a["n_rrp_vesicles"][e]
                    syn.synapseID = synid[e]
                    syn.conductance = a["conductance"][e]
                    syn.setRNG(tgid + 1 + 250, synid[e] + 100,
                               spop * 65536 + tpop + syn_seed + 300)
                    if not exc and cfg["conditions"].get("randomize_gaba_rise_time"):
                        rr = h.Random()
                        rr.Random123(tgid + 251, synid[e] + 100,
                                     spop * 65536 + tpop + syn_seed + 450)
                        rr.lognormal(0.2, 0.1)
                        syn.tau_r_GABAA = rr.repick()
                    delay = int(float(a["delay"][e]) / dt + 1e-5) * dt
                    if dover:
                        delay = dover
                    w = float(a["conductance"][e]) * wf
                    keep.append(syn)
                    made.append(syn)
                    if sname not in virtual and sname in pops:
                        nc = pc.gid_connect(sgid, syn)
                        nc.delay = delay
                        nc.weight[0] = w
                        nc.threshold = run.get("spike_threshold", -30)
                        keep.append(nc)
                    if late and sname not in virtual and sname in pops:
                        tvl, wvl = h.Vector([t for t, _ in late]), h.Vector([x for _, x in late])
                        syn.setup_delay_vecs(tvl, wvl)
                        keep += [tvl, wvl]
                    rate = minis
                    mattr = node_attrs[tname]["mini"]
                    if rate is None and len(mattr) == 2:
                        rate = mattr["exc_mini_frequency" if exc else "inh_mini_frequency"][traw]
                    if rate:
                        keep += nd_common.add_minis(h, syn, rate, w, slot_of(syn), synid[e], tgid,
                                                    spop, tpop, minis_seed, tstop)
                    times = replay_times(sname, s, tname, traw, ename)
                    if times:
                        keep += nd_common.add_replay(h, syn, times, delay, w, slot_of(syn))
                    nsyn += 1
                for syn in made:
                    for snippet in conf:
                        h.rv__syn = syn
                        h("{" + snippet.replace("%s", "rv__syn") + "}")
    # gap junctions (electrical edges), after the synapses: per post cell,
    # connections by descending source, edges ascending; a Gap (g in nS) at
    # the afferent location, vgap <- the v published under the efferent
    # junction id, this location's v published under the afferent one.
    # NEURON's target_var wants a variable inside a point process: vgap
    # points at the amp of an IClamp that never switches on (i = 0 exactly).
    ngap = 0
    for fn, ename, sname, tname in edges:
        if etype.get(ename) != "electrical":
            continue
        with h5py.File(os.path.join(circ, fn)) as f:
            g = f["edges"][ename]
            src, trg = g["source_node_id"][:], g["target_node_id"][:]
            a = {k: g["0"][k][:] for k in g["0"]}
        for e in sorted(range(len(trg)), key=lambda k: (int(trg[k]), -int(src[k]), k)):
            if int(trg[e]) not in targets[tname] or int(src[e]) not in targets[sname]:
                continue
            tgid = offsets[tname] + int(trg[e])
            sec = isec[tgid][int(a["afferent_section_id"][e])]
            if "afferent_section_pos" in a:
                x = min(max(float(a["afferent_section_pos"][e]), 1e-7), 0.9999999)
            else:  # segment form
                ori, n3d = int(sec.orientation()), int(sec.n3d())
                ipt, off = int(a["afferent_segment_id"][e]), \
                    max(float(a["afferent_segment_offset"][e]), 0.0)
                if ori == 1:
                    ipt, off = n3d - 1 - ipt, -off
                x = 0.5 if ipt >= n3d else \
                    min(max((sec.arc3d(ipt) + off) / sec.L, 1e-7), 0.9999999)
                if ori == 1:
                    x = 1 - x
            gap = h.Gap(x, sec=sec)
            gap.g = float(a["conductance"][e])
            hold = h.IClamp(x, sec=sec)
            hold.delay, hold.dur = 1e9, 0
            h.setpointer(hold._ref_amp, "vgap", gap)
            pc.target_var(hold, hold._ref_amp, int(a["efferent_junction_id"][e]))
            pc.source_var(sec(x)._ref_v, int(a["afferent_junction_id"][e]), sec=sec)
            keep += [gap, hold]
            ngap += 1
    # stimuli, in file order, one source per soma section at 0.5
    for inp in cfg["inputs"].values():
        if inp["module"] == "synapse_replay":
            continue
        tpops = nodesets[inp["node_set"]]["population"]
        tpops = [tpops] if isinstance(tpops, str) else tpops
        for pname in tpops:
            for raw in targets.get(pname, []):
                if not in_set(inp["node_set"], pname, raw):
                    continue
                c = cells[offsets[pname] + raw][0]
                dyn = node_attrs[pname]["dyn"]
                thr = dyn["threshold_current"][raw] if len(dyn) >= 2 else 0.0
                hold = dyn["holding_current"][raw] if len(dyn) >= 2 else 0.0
                if inp["module"] == "pulse":
                    t, y = pulse_signal(inp)
                elif inp["module"] == "hyperpolarizing":
                    t, y = linear_signal(dict(inp, amp_start=hold, amp_end=hold))
                elif inp["module"] == "relative_linear":
                    t, y = linear_signal(dict(inp, amp_start=thr * inp["percent_start"] / 100.0,
                                              amp_end=thr * inp["percent_end"] / 100.0))
                else:
                    t, y = linear_signal(inp)
                for sec in c.somatic:
                    if inp.get("represents_physical_electrode"):
                        src = h.IClamp(sec(0.5))
                        src.delay = 0
                    else:
                        src = h.MembraneCurrentSource(sec(0.5))
                        src.delay = 0
                    src.dur = t[-1]
                    tv, yv = h.Vector(t), h.Vector(y)
                    yv.play(src._ref_amp, tv, 1)
                    keep += [src, tv, yv]
    # modifications, after the stimuli
    cas_attrs = []
    for mod in cfg["conditions"].get("modifications", []):
        conf = mod.get("section_configure", "")
        if mod["type"] == "compartment_set":
            stmts = [x.strip() for x in conf.replace("\n", ";").split(";") if x.strip()]
            parsed = []
            for st_ in stmts:
                lhs, rhs = st_.split("=", 1)
                op = lhs.strip()[-1] if lhs.strip()[-1] in "+-*/" else "="
                parsed.append((lhs.strip(" +-*/"), op, float(rhs)))
            cs = json.load(open(os.path.join(circ, cfg["compartment_sets_file"])))
            for node, sid, off in cs[mod["compartment_set"]]["compartment_set"]:
                if node not in cells:  # node ids compared with final gids
                    continue
                c = cells[node][0]
                k = sid  # type-ordered section id (axon block: nSecAxonalOrig)
                sec = None
                for typ, cnt in (("soma", len(list(c.somatic))), ("axon", int(c.nSecAxonalOrig)),
                                 ("dend", len(list(c.basal))), ("apic", len(list(c.apical)))):
                    if k < cnt:
                        sec = getattr(c, typ)[k]
                        break
                    k -= cnt
                seg = sec(off)
                if not all(hasattr(seg, a_) for a_, _, _ in parsed):
                    continue
                for a_, op, v in parsed:
                    cur = getattr(seg, a_)
                    setattr(seg, a_, {"=": v, "+": cur + v, "-": cur - v, "*": cur * v,
                                      "/": cur / v if v else cur}[op])
            continue
        stmts = [x.strip() for x in conf.replace("\n", ";").split(";") if x.strip()]
        attrs = [x.split(".", 1)[1].split("=")[0].strip(" +-*/") for x in stmts]
        if mod["type"] == "configure_all_sections":
            cas_attrs += [a for a in attrs if a not in cas_attrs]
        code = ["sec." + x.split(".", 1)[1] for x in stmts]
        for pname in targets:
            for raw in targets[pname]:
                if not in_set(mod["node_set"], pname, raw):
                    continue
                c = cells[offsets[pname] + raw][0]
                if mod["type"] == "ttx":
                    for sec in c.all:
                        sec.insert("TTXDynamicsSwitch")
                        sec.ttxo_level_TTXDynamicsSwitch = 1.0
                    continue
                if mod["type"] == "configure_all_sections":
                    secs, need, reps = list(c.all), cas_attrs, True
                elif mod["type"] == "section_list":
                    lname = stmts[0].split(".")[0]
                    secs, need, reps = list(getattr(c, lname)), attrs, False
                else:
                    tname_, idx = stmts[0].split(".")[0].rstrip("]").split("[")
                    arr = getattr(c, tname_)
                    secs = [arr[int(idx)]] if int(idx) < len(arr) else []
                    need, reps = attrs, False
                for sec in secs:
                    if not all(hasattr(sec, a) for a in need):
                        continue
                    for _ in range(sec.nseg if reps else 1):
                        for line in code:
                            exec(line, {"__builtins__": None}, {"sec": sec})
    recs = {}
    for gid, (c, _) in cells.items():
        recs[gid] = h.Vector()
        recs[gid].record(c.soma[0](0.5)._ref_v)
    # per-segment records for the reports case
    segrec = {}
    if cfg.get("reports"):
        h.CVode().use_fast_imem(1)
        pps = {}
        for o in keep:
            if hasattr(o, "get_segment") and o.hname().split("[")[0] in (
                    "IClamp", "ProbAMPANMDA_EMS", "ProbGABAAB_EMS"):
                sg = o.get_segment()
                pps.setdefault((sg.sec.name(), seg_index(sg)), []).append(o)
        for gid, (c, _) in cells.items():
            secs = []
            for sec in c.all:
                segs = []
                for sg in sec:
                    r = {"x": sg.x, "area": sg.area()}
                    for var, ref in (("v", sg._ref_v), ("imem", sg._ref_i_membrane_),
                                     ("i_pas", sg.pas._ref_i)):
                        r[var] = h.Vector()
                        r[var].record(ref)
                    r["pp"] = []
                    for o in pps.get((sec.name(), seg_index(sg)), []):
                        vec, gvec = h.Vector(), h.Vector()
                        vec.record(o._ref_i)
                        name = o.hname().split("[")[0]
                        if name.startswith("Prob"):
                            gvec.record(o._ref_g)
                        r["pp"].append((name, vec, gvec,
                                        o.synapseID if name.startswith("Prob") else -1))
                    segs.append(r)
                secs.append({"name": sec.name().split(".")[-1], "segs": segs})
            segrec[gid] = secs
    tv, iv = h.Vector(), h.Vector()
    pc.spike_record(-1, tv, iv)
    pc.setup_transfer()
    pc.set_maxstep(4)
    h.v_init = cfg["conditions"]["v_init"]
    h.stdinit()
    for g in dump_gids(cfg):
        here = os.getcwd()
        os.chdir(os.path.dirname(os.path.abspath(out)))
        pc.prcellstate(g, "nrn_t0")
        os.chdir(here)
    fskip = cfg["run"].get("forward_skip", 0)
    if fskip:  # neurodamus' ForwardSkip
        h.t = -1e9
        prev_dt = h.dt
        h.dt = fskip * 0.1
        for _ in range(10):
            h.fadvance()
        h.dt = prev_dt
        h.t = 0
        h.frecord_init()
    cur = round(h.t, 2)
    while cur < tstop:
        nxt = min(tstop, cur + 25)
        pc.psolve(nxt)
        cur = nxt
    def plain(x):
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [plain(v) for v in x]
        if hasattr(x, "to_python"):
            return list(x)
        return x
    res = {"segrec": plain({str(g): v for g, v in segrec.items()}),
           "spikes": [[t, int(i)] for t, i in zip(tv, iv)],
           "soma": {str(g): list(v) for g, v in recs.items()},
           "offsets": offsets, "nsyn": nsyn, "ngap": ngap, "nneuromod": nneuromod, "virtual": sorted(virtual)}
    with open(out, "w") as f:
        json.dump(res, f)


# ---- ranvier ---------------------------------------------------------------

def run_ranvier(args, cfgpath, outdir, nprocs, bbpdir, extra=(), soma=True):
    """ranvier run (on nprocs MPI ranks); returns spikes [time, gid], soma
    v (soma: --record-soma -v), offsets and the offsets file's lines."""
    cmd = [args.ranvier, "run", cfgpath, "--mechanisms", bbpdir] + list(extra) + [
           "--output-dir", outdir]
    if soma:
        cmd += ["--record-soma", os.path.join(outdir, "soma"), "-v"]
    if nprocs > 1:
        cmd = [args.mpiexec, "-n", str(nprocs), "--oversubscribe"] + cmd + ["--mpi"]
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    if r.returncode != 0:
        raise SystemExit("FAIL: ranvier run exited with %d" % r.returncode)
    return ranvier_outputs.read(outdir, nprocs, soma)


def compare(name, ref, got):
    ok = True
    rs = sorted((round(t, 9), g) for t, g in ref["spikes"])
    gs = sorted((round(t, 9), g) for t, g in got["spikes"])
    dt_max = 0.0
    if len(rs) == len(gs) and all(a[1] == b[1] for a, b in zip(rs, gs)):
        dt_max = max([abs(a[0] - b[0]) for a, b in zip(rs, gs)] or [0.0])
    else:
        ok = False
    print("%s: spikes NEURON %d, ranvier %d, max |dt| %.3g ms %s" %
          (name, len(rs), len(gs), dt_max, "" if ok else "(rasters differ)"))
    if not ok:
        print("  NEURON :", rs)
        print("  ranvier:", gs)
    dv = 0.0
    for g, v in ref["soma"].items():
        w = got["soma"].get(g)
        if w is None or len(w) != len(v):
            print("%s: gid %s soma trace missing or of length %s (NEURON %d)" %
                  (name, g, None if w is None else len(w), len(v)))
            ok = False
            continue
        dv = max(dv, max(abs(a - b) for a, b in zip(v, w)))
    print("%s: soma v of %d cells, %d steps: max |dV| = %.3g mV (tolerance %g)" %
          (name, len(ref["soma"]), len(next(iter(ref["soma"].values()))), dv, TOL_V))
    ok = ok and dv <= TOL_V and dt_max == 0.0
    if got["offsets"] != ref["offsets"]:
        print("%s: populations_offset.dat %s, expected %s" % (name, got["offsets"], ref["offsets"]))
        ok = False
    want = ["%s::%d::%s" % (p, o, p) for p, o in sorted(ref["offsets"].items())
            if p not in ref["virtual"]]
    want += ["%s::%d::virtual" % (p, ref["offsets"][p]) for p in sorted(ref["virtual"])]
    if got["offset_lines"] != want:
        print("%s: populations_offset.dat lines %s, expected %s" %
              (name, got["offset_lines"], want))
        ok = False
    return ok


def dump_gids(cfg):
    text = cfg.get("metadata", {}).get("ring_oracle_dump", "")
    return [int(g) for g in text.split(",")] if text else []


def compare_node_tables(name, ref_path, got_path):
    """The prcellstate node table (inode parent area a b) of NEURON and ranvier."""
    def table(path):
        with open(path) as f:
            lines = f.read().splitlines()
        k = lines.index("inode parent area a b")
        n = int(lines[3].split()[0])
        return [[float(x) for x in ln.split()] for ln in lines[k + 1:k + 1 + n]]
    if not os.path.exists(got_path):
        print("%s: %s missing" % (name, got_path))
        return False
    a, b = table(ref_path), table(got_path)
    worst = 0.0
    for ra, rb in zip(a, b):
        for x, y in zip(ra, rb):
            worst = max(worst, abs(x - y) / max(1.0, abs(x)))
    ok = len(a) == len(b) and len(a) > 0 and worst <= 1e-13
    print("%s: node table of %d nodes (area, a, b) vs NEURON: max rel diff %.3g %s" %
          (name, len(a), worst, "" if ok else "(FAILED)"))
    return ok


# ---- reports ----------------------------------------------------------------

BLOCKS = ["soma", "axon", "dend", "apic"]


def expected_report(rc, cfg, secs, comp):
    """Elements (ids) and a function frame step -> values, for one cell."""
    sections = rc.get("sections", "soma")
    typ = rc.get("type", "compartment")
    scaling = rc.get("scaling", "area")
    variables = [v.strip() for v in rc["variable_name"].split(",")]
    counts = {b: sum(1 for s in secs if s["name"].split("[")[0] == b) for b in BLOCKS}
    start, k = {}, 0
    for b in BLOCKS:
        start[b], k = k, k + counts[b]
    for s in secs:
        b, i = s["name"].split("[")[0], int(s["name"].split("[")[1].rstrip("]"))
        s["type"], s["index"], s["id"] = b, i, start[b] + i

    def term(var, sg, summ):
        scale = sg["area"] / 100.0 if scaling == "area" else 1.0
        mech = var.split(".")[0]
        if var == "i_membrane":
            return [(sg["imem"], 1.0)]
        pp = [(r, -1.0 if n in ("IClamp", "SEClamp") else scale) for n, r, _, _ in sg["pp"]
              if n.startswith(mech)]
        if pp:
            return pp if summ else [(pp[0][0], 1.0)]
        if var == "v":
            return [(sg["v"], scale if summ else 1.0)]
        if var == "pas":
            return [(sg["i_pas"], scale if summ else 1.0)]
        return []

    elements = []  # (id, [(trace, factor)])
    summ = typ == "summation"
    if typ == "synapse":  # every synapse of the mechanism in each chosen segment
        mech, field = (variables[0].split(".") + ["i"])[:2]
        chosen = secs if sections == "all" else \
            sorted([s for s in secs if s["type"] == sections], key=lambda s: s["index"])
        center = rc.get("compartments", "center" if sections == "soma" else "all") == "center"
        for s in chosen:
            n = len(s["segs"])
            for sg in ([s["segs"][min(int(0.5 * n), n - 1)]] if center else s["segs"]):
                for nm, ri, rg, sid in sg["pp"]:
                    if nm.startswith(mech):
                        elements.append((int(sid), [(rg if field == "g" else ri, 1.0)]))
        return elements
    if typ == "compartment_set":
        for node, sid, off in comp:
            s = [s for s in secs if s["id"] == sid][0]
            n = len(s["segs"])
            elements.append((sid, term(variables[0], s["segs"][min(int(off * n), n - 1)], False)))
    else:
        if sections == "all":
            chosen = secs
        else:
            chosen = sorted([s for s in secs if s["type"] == sections], key=lambda s: s["index"])
        center = rc.get("compartments", "center" if sections == "soma" else "all") == "center"
        if summ and sections == "soma":
            terms = []
            for s in chosen:
                for sg in s["segs"]:
                    for v in variables:
                        terms += term(v, sg, True)
            elements.append((0, terms))
        else:
            for s in chosen:
                n = len(s["segs"])
                segs = [s["segs"][min(int(0.5 * n), n - 1)]] if center else s["segs"]
                for sg in segs:
                    terms = []
                    for v in variables:
                        terms += term(v, sg, summ)
                    elements.append((s["id"], terms))
    return elements


def check_reports(name, cfg, circ, ref, outdir):
    import h5py
    import numpy as np
    ok = True
    dt, tstop = cfg["run"]["dt"], cfg["run"]["tstop"]
    nodesets = json.load(open(os.path.join(circ, "nodesets.json")))
    compsets = json.load(open(os.path.join(circ, "compartment_sets.json")))
    offsets = ref["offsets"]
    worst = 0.0
    for rname, rc in sorted(cfg["reports"].items()):
        path = os.path.join(outdir, rname + ".h5")
        if not os.path.exists(path):
            print("%s: report %s missing" % (name, path))
            ok = False
            continue
        dtr, t0 = rc["dt"], rc.get("start_time", 0.0)
        t1 = min(rc.get("end_time", tstop), tstop)
        nfr = int(math.ceil((t1 - round(t0 / dtr) * dtr) / dtr))
        steps = [int(round((t0 + k * dtr) / dt)) for k in range(nfr)]
        with h5py.File(path) as f:
            for pop in f["report"]:
                g = f["report"][pop]
                data = g["data"][:]
                nodes = [int(n) for n in g["mapping"]["node_ids"][:]]
                if rc.get("type") == "compartment_set":
                    cs = compsets[rc["compartment_set"]]
                    want_nodes = sorted({e[0] for e in cs["compartment_set"]}) \
                        if cs["population"] == pop else []
                else:
                    ns = nodesets[rc.get("cells", cfg.get("node_set"))]
                    ps = ns["population"] if isinstance(ns["population"], list) \
                        else [ns["population"]]
                    want_nodes = list(range(len([k for k in ref["segrec"]
                                                 if offsets[pop] <= int(k) < offsets[pop] + 1000])))
                    want_nodes = want_nodes if pop in ps else []
                if nodes != want_nodes:
                    print("%s: %s/%s node ids %s, expected %s" % (name, rname, pop, nodes,
                                                                   want_nodes))
                    ok = False
                ip = g["mapping"]["index_pointers"][:]
                eids = g["mapping"]["element_ids"][:]
                if data.shape[0] != nfr:
                    print("%s: %s/%s has %d frames, expected %d" %
                          (name, rname, pop, data.shape[0], nfr))
                    ok = False
                    continue
                for ci, node in enumerate(nodes):
                    gid = str(int(node) + offsets[pop])
                    comp = []
                    if rc.get("type") == "compartment_set":
                        cs = compsets[rc["compartment_set"]]
                        comp = [e for e in cs["compartment_set"] if e[0] == node]
                    els = expected_report(rc, cfg, ref["segrec"][gid], comp)
                    got_ids = [int(e) for e in eids[int(ip[ci]):int(ip[ci + 1])]]
                    if got_ids != [e[0] for e in els]:
                        print("%s: %s gid %s element ids %s, expected %s" %
                              (name, rname, gid, got_ids, [e[0] for e in els]))
                        ok = False
                        continue
                    for j, (eid, terms) in enumerate(els):
                        want = np.array([sum(tr[k] * fct for tr, fct in terms) for k in steps],
                                        dtype=np.float32)
                        got = data[:, int(ip[ci]) + j]
                        d = np.abs(want.astype(np.float64) - got.astype(np.float64))
                        tol = np.spacing(np.abs(want)).astype(np.float64) + 1e-9
                        worst = max(worst, float(np.max(d)))
                        if np.any(d > tol):
                            print("%s: %s gid %s element %d: max diff %.3g (frame %d)" %
                                  (name, rname, gid, j, float(np.max(d)), int(np.argmax(d))))
                            ok = False
        # the cells: the report's node set (or the compartment set's nodes)
    print("%s: %d reports, every frame and element: max |diff| %.3g (float32 data; %s)" %
          (name, len(cfg["reports"]), worst, "ok" if ok else "FAILED"))
    return ok


# ---- refusals --------------------------------------------------------------

BAD = [
    # (name, config edits, extra ranvier args, text the error must contain)
    ("one-way gap junction", {"network": "circuit_gj_one_way.json", "node_set": "Ring:C",
                              "inputs": {}}, None, "efferent_junction_id"),
    ("e-field input", {"inputs": {"E": {
        "module": "spatially_uniform_e_field", "input_type": "extracellular_stimulation",
        "delay": 0, "duration": 10, "node_set": "RingA",
        "fields": [{"Ex": 1, "Ey": 0, "Ez": 0}]}}}, None, "spatially_uniform_e_field"),
    ("compartment_set modification", {"conditions": {
        "celsius": 35, "v_init": -65, "modifications": [
            {"name": "cs", "type": "compartment_set", "compartment_set": "csA",
             "section_configure": "soma.gnabar_hh = 0"}]}}, None, "section_configure"),
    ("python modification", {"conditions": {
        "celsius": 35, "v_init": -65, "modifications": [
            {"name": "py", "type": "configure_all_sections", "node_set": "RingA",
             "section_configure": "%s.gnabar_hh = %s.gkbar_hh * 2"}]}}, None,
     "section_configure"),
    ("no synapse mechanisms", {}, [], "ProbGABAAB_EMS"),
    ("unknown global", {"conditions": {"celsius": 35, "v_init": -65, "mechanisms": {
        "ProbAMPANMDA_EMS": {"no_such_global": 1}}}}, None, "no_such_global"),
    ("no template", {"network": "circuit_nohoc.json"}, None, "TestCell"),
    ("implicit neuromod source", {"network": "circuit_nm_implicit.json"}, None,
     "only for chemical edges"),
    ("unknown compartment set", {"conditions": {
        "celsius": 35, "v_init": -65, "modifications": [
            {"name": "cs", "type": "compartment_set", "compartment_set": "nope",
             "section_configure": "gnabar_hh = 0"}]}}, None, "nope"),
]


def run_bad(args, circ, base):
    cc = json.load(open(os.path.join(circ, "circuit_config.json")))
    for n in cc["networks"]["nodes"]:
        for p in n["populations"].values():
            p["biophysical_neuron_models_dir"] = "nohoc"
    with open(os.path.join(circ, "circuit_nohoc.json"), "w") as f:
        json.dump(cc, f)
    # neuromodulatory edges whose source population is no node population
    nm = json.load(open(os.path.join(circ, "circuit_config_neuromodulation.json")))
    nm["networks"]["nodes"] = [n for n in nm["networks"]["nodes"]
                               if "virtual_neurons" not in n["populations"]]
    with open(os.path.join(circ, "circuit_nm_implicit.json"), "w") as f:
        json.dump(nm, f)
    # RingC's gap junction 0 -> 2 without its reverse edge (no index)
    import h5py
    with h5py.File(os.path.join(circ, "local_edges_C_electrical.h5")) as fi, \
            h5py.File(os.path.join(circ, "gj_one_way.h5"), "w") as fo:
        gi = fi["edges"]["RingC__RingC__electrical"]
        go = fo.create_group("edges").create_group("RingC__RingC__electrical")
        for k in ("source_node_id", "target_node_id", "edge_type_id"):
            go.create_dataset(k, data=gi[k][:1])
            for an, av in gi[k].attrs.items():
                go[k].attrs[an] = av
        g0 = go.create_group("0")
        for k in gi["0"]:
            g0.create_dataset(k, data=gi["0"][k][:1])
    gj = json.load(open(os.path.join(circ, "circuit_config_gj.json")))
    for n in gj["networks"]["edges"]:
        if "RingC__RingC__electrical" in n["populations"]:
            n["edges_file"] = "gj_one_way.h5"
    with open(os.path.join(circ, "circuit_gj_one_way.json"), "w") as f:
        json.dump(gj, f)
    ok = True
    for name, edits, extra, want in BAD:
        cfg = json.loads(json.dumps(base))
        cfg.update(edits)
        path = os.path.join(circ, "bad.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        out = os.path.join(args.work, "out-bad")
        if os.path.exists(out):
            shutil.rmtree(out)
        mech = ["--mechanisms", os.path.join(ROOT, "mechanisms", "bbp")] if extra is None else extra
        r = subprocess.run([args.ranvier, "run", path, "--output-dir", out] + mech,
                           capture_output=True, text=True)
        msg = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
        good = (r.returncode != 0 and want in r.stderr and
                not os.path.exists(os.path.join(out, "out.h5")) and
                not os.path.exists(os.path.join(out, "populations_offset.dat")) and
                not os.path.exists(path + ".SUCCESS"))
        print("%-22s exit %d: %s %s" % (name, r.returncode, msg, "" if good else "<- WRONG"))
        ok = ok and good
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["pulse", "positions", "fskip", "neuromod", "implicit", "bigcell", "subset", "virtual", "modifications", "replay", "overrides", "reports", "features", "gapjunctions", "bad",
                                         "neuron"])
    ap.add_argument("--ranvier")
    ap.add_argument("--shared")
    ap.add_argument("--work")
    ap.add_argument("--mpiexec", default="mpiexec")
    ap.add_argument("--np", type=int, default=1)
    ap.add_argument("--circuit")
    ap.add_argument("--config")
    ap.add_argument("--lib")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.case == "neuron":
        with open(args.config) as f:
            run_neuron(args.circuit, json.load(f), args.lib, args.out)
        return 0
    os.makedirs(args.work, exist_ok=True)
    circ, cfgpath, cfg = prepare(args.case, args.shared, args.work)
    if args.case == "bad":
        ok = run_bad(args, circ, cfg)
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    import oracle
    moddir, builddir = os.path.join(args.work, "mods"), os.path.join(args.work, "nrnmech")
    for dd in (moddir, builddir):
        if os.path.exists(dd):
            shutil.rmtree(dd)
        os.makedirs(dd)
    bbpdir = os.path.join(args.work, "bbp_mods")  # for ranvier: mechanisms/bbp (+ test variant)
    if os.path.exists(bbpdir):
        shutil.rmtree(bbpdir)
    os.makedirs(bbpdir)
    for fn in ["ProbAMPANMDA_EMS.mod", "ProbGABAAB_EMS.mod", "InhPoissonStim.mod"]:
        shutil.copy(os.path.join(ROOT, "mechanisms", "bbp", fn), bbpdir)
    if args.case == "neuromod":
        with open(os.path.join(bbpdir, "ProbAMPANMDA_EMS.mod")) as f:
            text = nm_test_mod(f.read())
        with open(os.path.join(bbpdir, "ProbAMPANMDA_EMS.mod"), "w") as f:
            f.write(text)
    for fn in ["ProbAMPANMDA_EMS.mod", "ProbGABAAB_EMS.mod", "InhPoissonStim.mod"]:
        shutil.copy(os.path.join(bbpdir, fn), moddir)
    for fn in ["MembraneCurrentSource.mod", "VecStim.mod", "TTXDynamicsSwitch.mod", "Gap.mod"]:  # VecStim: not built into Debian's
        shutil.copy(os.path.join(ROOT, "mechanisms", fn), moddir)
    lib = oracle.compile_mods(moddir, builddir)
    refpath = os.path.join(args.work, "neuron_%s.json" % args.case)
    r = subprocess.run(["/usr/bin/python3", os.path.abspath(__file__), "neuron", "--circuit", circ,
                        "--config", cfgpath, "--lib", lib, "--out", refpath],
                       capture_output=True, text=True, env=dict(os.environ,
                                                                 NEURON_MODULE_OPTIONS="-nogui"))
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit("FAIL: the NEURON model failed")
    with open(refpath) as f:
        ref = json.load(f)
    ok = True
    success = cfgpath + ".SUCCESS"
    for nprocs in sorted({1, args.np}):
        if os.path.exists(success):
            os.remove(success)
        dump = dump_gids(cfg)
        outdir = os.path.join(args.work, "out%d" % nprocs)
        got = run_ranvier(args, cfgpath, outdir, nprocs, bbpdir,
                          ["--dump-cell-state", ",".join(map(str, dump))] if dump else [])
        name = "%s, %d rank%s" % (args.case, nprocs, "" if nprocs == 1 else "s")
        ok = compare(name, ref, got) and ok
        for g in dump:
            ok = compare_node_tables("%s, gid %d" % (args.case, g),
                                     os.path.join(args.work, "%d_nrn_t0.nrndat" % g),
                                     os.path.join(outdir, "%d_py_Neuron_t0.0.nrndat" % g)) and ok
        if cfg.get("reports"):
            ok = check_reports(name, cfg, circ, ref,
                               os.path.join(args.work, "out%d" % nprocs)) and ok
        if not os.path.exists(success):
            print("%s: %s was not written" % (name, success))
            ok = False
    if not ref["spikes"]:
        print("FAIL: the network does not spike: the test would prove little")
        ok = False
    if args.case == "neuromod":
        print("neuromod: %d neuromodulatory NetCons in NEURON" % ref["nneuromod"])
        if ref["nneuromod"] != 2:  # edges 0 and 1; edge 2 has no synapse within 0.05
            print("FAIL: expected 2 neuromodulatory NetCons")
            ok = False
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
