#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Derive the expected content of a SONATA config from its JSON files and
compare it with what ranvier loaded.

    expect_config.py CONFIG_DUMP CONFIG bbp|allen

CONFIG_DUMP is the config_dump test program: it prints ranvier's view of the
config as "key = value" lines.  This script reads the same files with the
json module and applies the rules of the SONATA specification, the Blue
Brain extension (libsonata's defaults) and BMTK on its own: manifest
substitution, paths relative to each file's folder, defaults, output_dir
prefixing.  Every value it derives must be in the dump with the same value
(numbers compared as floats, lists element-wise).  It prints each mismatch
and exits 1 on any.
"""
import json
import os
import re
import subprocess
import sys

VAR = re.compile(r"\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)")


def norm(base, p):
    return os.path.normpath(os.path.join(base, p))


def read_config(path):
    """The JSON of path with its manifest variables replaced."""
    path = os.path.abspath(path)
    with open(path) as f:
        cfg = json.load(f)
    folder = os.path.dirname(path)
    manifest = {k[1:] if k.startswith("$") else k: v
                for k, v in cfg.get("manifest", {}).items()}
    builtin = {"configdir": folder, "configfname": path, "workingdir": os.getcwd()}
    done = {}

    def value(name):
        if name in done:
            return done[name]
        if name in manifest:
            v = manifest[name]
            done[name] = subst(v) if isinstance(v, str) else v
        else:
            done[name] = builtin[name]
        return done[name]

    def subst(s):
        m = VAR.fullmatch(s)
        if m and not isinstance(value(m.group(1) or m.group(2)), str):
            return value(m.group(1) or m.group(2))  # BMTK: "${N}" alone keeps N's type
        return VAR.sub(lambda m: str(value(m.group(1) or m.group(2))), s)

    def walk(node, free):
        if isinstance(node, str):
            return node if free else subst(node)
        if isinstance(node, list):
            return [walk(x, free) for x in node]
        if isinstance(node, dict):
            return {k: walk(v, free) for k, v in node.items()}
        return node

    out = {}
    for k, v in cfg.items():
        if k == "manifest":
            out[k] = v
        else:
            out[k] = walk(v, k in ("metadata", "beta_features", "node_sets"))
    return out, folder, path


def expect_circuit(E, cpath):
    cfg, d, path = read_config(cpath)
    P = lambda v: norm(d, v)
    E["circuit.path"] = path
    E["circuit.target_simulator"] = cfg.get("target_simulator", "NEURON")
    E["circuit.node_sets_file"] = P(cfg["node_sets_file"]) if cfg.get("node_sets_file") else None
    E["circuit.status"] = cfg.get("metadata", {}).get("status", "complete")
    comps = cfg.get("components", {})
    for k, v in comps.items():
        if isinstance(v, str) and v:
            E["circuit.components." + k] = P(v)
    for k, v in comps.get("alternate_morphologies", {}).items():
        E["circuit.components.alternate_morphologies." + k] = P(v)
    for kind, fkey, tkey, dtype in (("node", "nodes_file", "node_types_file", "biophysical"),
                                    ("edge", "edges_file", "edge_types_file", "chemical")):
        entries = cfg["networks"][kind + "s"]
        for i, entry in enumerate(entries):
            pre = "circuit.%s_files[%d]" % (kind, i)
            elements = P(entry[fkey])
            types = P(entry[tkey]) if entry.get(tkey) else None
            E[pre + ".elements_path"] = elements
            E[pre + ".types_path"] = types
            pops = entry.get("populations", {})
            E[pre + ".populations"] = ",".join(pops)
            for name, props in pops.items():
                pp = "circuit.%ss.%s" % (kind, name)
                E[pp + ".type"] = props.get("type", dtype)
                E[pp + ".elements_path"] = elements
                E[pp + ".types_path"] = types
                for key in ("morphologies_dir", "biophysical_neuron_models_dir",
                            "point_neuron_models_dir", "mechanisms_dir"):
                    v = props.get(key) or comps.get(key)
                    E[pp + "." + key] = P(v) if v else None
                alt = props.get("alternate_morphologies") or comps.get("alternate_morphologies", {})
                for k, v in alt.items():
                    E[pp + ".alternate_morphologies." + k] = P(v)
                if kind == "node":
                    own = ["spatial_segment_index_dir"]
                    inherited = ["vasculature_file", "vasculature_mesh", "microdomains_file"]
                else:
                    own = ["spatial_synapse_index_dir"]
                    inherited = ["endfeet_meshes_file", "spine_morphologies_dir"]
                for key in own:
                    E[pp + "." + key] = P(props[key]) if props.get(key) else None
                for key in inherited:
                    v = props.get(key) or comps.get(key)
                    E[pp + "." + key] = P(v) if v else None
    return cfg


# Per module: mandatory keys, optional keys with their defaults (a string
# default names the key whose value is copied), and whether the module
# takes represents_physical_electrode.
SHOT = {"reversal": 0, "dt": 0.25}
MODULES = {
    "linear": (["amp_start"], {"amp_end": "amp_start"}, True),
    "relative_linear": (["percent_start"], {"percent_end": "percent_start"}, True),
    "pulse": (["amp_start", "width", "frequency"], {"amp_end": "amp_start"}, True),
    "sinusoidal": (["amp_start", "frequency"], {"dt": 0.025}, True),
    "subthreshold": (["percent_less"], {}, True),
    "hyperpolarizing": ([], {}, True),
    "noise": ([], {"variance": 0}, True),
    "shot_noise": (["rise_time", "decay_time", "rate", "amp_mean", "amp_var"], SHOT, True),
    "relative_shot_noise": (["rise_time", "decay_time", "mean_percent", "sd_percent"],
                            dict(SHOT, relative_skew=0.5), True),
    "absolute_shot_noise": (["rise_time", "decay_time", "mean", "sigma"],
                            dict(SHOT, relative_skew=0.5), True),
    "ornstein_uhlenbeck": (["tau", "mean", "sigma"], SHOT, True),
    "relative_ornstein_uhlenbeck": (["tau", "mean_percent", "sd_percent"], SHOT, True),
    "synapse_replay": ([], {}, False),
    "seclamp": (["voltage"], {"series_resistance": 0.01, "duration_levels": [],
                              "voltage_levels": []}, False),
    "spatially_uniform_e_field": ([], {"ramp_up_time": 0, "ramp_down_time": 0}, False),
    "poisson": (["rate", "weight"], {}, False),
}
SPIKE_FILE_MODULES = ("h5", "hdf5", "sonata", "csv", "nwb")
ALLEN_SORT = {"time": "by_time", "id": "by_id", "node_id": "by_id", "gid": "by_id", "na": "none"}
MOD_TYPES = {"TTX": "ttx", "ConfigureAllSections": "configure_all_sections"}


def expect_input(E, name, inp, d):
    pre = "sim.inputs." + name
    mod = inp["module"]
    E[pre + ".module"] = mod
    E[pre + ".input_type"] = inp["input_type"]
    if mod in SPIKE_FILE_MODULES:
        E[pre + ".input_file"] = norm(d, inp["input_file"])
        E[pre + ".node_set"] = inp.get("node_set")
        return
    if mod == "IClamp":
        as_list = lambda v: v if isinstance(v, list) else [v]
        for k in ("amp", "delay", "duration"):
            E[pre + "." + k] = as_list(inp[k])
        E[pre + ".node_set"] = inp.get("node_set")
        return
    if mod not in MODULES:
        return
    mandatory, optional, takes_rpe = MODULES[mod]
    for k in ["delay", "duration"] + mandatory:
        E[pre + "." + k] = inp[k]
    for k in ("node_set", "compartment_set"):
        if k in inp:
            E[pre + "." + k] = inp[k]
    for k, dflt in optional.items():
        if inp.get(k) is not None:
            E[pre + "." + k] = inp[k]
        else:
            E[pre + "." + k] = inp[dflt] if isinstance(dflt, str) else dflt
    if takes_rpe:
        E[pre + ".represents_physical_electrode"] = inp.get("represents_physical_electrode",
                                                            False)
    if "random_seed" in inp:
        E[pre + ".random_seed"] = inp["random_seed"]
    if mod == "noise":
        for k in ("mean", "mean_percent"):
            if inp.get(k) is not None:
                E[pre + "." + k] = inp[k]
    if mod == "synapse_replay":
        E[pre + ".spike_file"] = norm(d, inp["spike_file"])
    if mod == "spatially_uniform_e_field":
        for i, fd in enumerate(inp["fields"]):
            fp = "%s.fields[%d]" % (pre, i)
            for k in ("Ex", "Ey", "Ez"):
                E[fp + "." + k] = fd[k]
            E[fp + ".frequency"] = fd.get("frequency", 0)
            E[fp + ".phase"] = fd.get("phase", 0)


def expect_simulation(E, spath, allen, network=None):
    cfg, d, path = read_config(spath)
    P = lambda v: norm(d, v)
    E["sim.path"] = path
    if network is None and "networks" not in cfg:
        network = P(cfg.get("network", "circuit_config.json"))
        if "network" not in cfg and not os.path.exists(network):
            network = None
    circ = expect_circuit(E, network) if network else None
    E["sim.network"] = network
    E["sim.target_simulator"] = cfg.get("target_simulator") or (
        circ.get("target_simulator", "NEURON") if circ is not None else "unspecified")
    if cfg.get("node_sets_file"):
        E["sim.node_sets_file"] = P(cfg["node_sets_file"])
    elif circ is not None and circ.get("node_sets_file"):
        E["sim.node_sets_file"] = norm(os.path.dirname(network), circ["node_sets_file"])
    else:
        E["sim.node_sets_file"] = None
    E["sim.compartment_sets_file"] = (P(cfg["compartment_sets_file"])
                                      if cfg.get("compartment_sets_file") else None)
    node_set = cfg.get("node_set")
    E["sim.node_set"] = node_set

    run = cfg["run"]
    E["sim.run.tstop"] = run["tstop"]
    E["sim.run.dt"] = run.get("dt", 0.1 if allen else None)
    if "random_seed" in run:
        E["sim.run.random_seed"] = run["random_seed"]
    E["sim.run.spike_threshold"] = run.get("spike_threshold", -15 if allen else -30)
    E["sim.run.integration_method"] = run.get("integration_method", "euler")
    for k in ("stimulus_seed", "ionchannel_seed", "minis_seed", "synapse_seed"):
        E["sim.run." + k] = run.get(k, 0)
    E["sim.run.electrodes_file"] = P(run["electrodes_file"]) if run.get("electrodes_file") else None
    if "forward_skip" in run:
        E["sim.run.forward_skip"] = run["forward_skip"]
    E["sim.run.dL"] = run.get("dL", 20)
    E["sim.run.tstart"] = run.get("tstart", 0)
    E["sim.run.nsteps_block"] = run.get("nsteps_block", 0)

    out = cfg.get("output", {})
    raw_dir = out.get("output_dir", "." if allen else "output")
    outdir = P(raw_dir)
    E["sim.output.output_dir"] = outdir

    def out_file(name):
        if not name:
            return None
        if allen and name.startswith(raw_dir):
            return P(name)
        return norm(outdir, name)

    log = out.get("log_file", None if allen else "")
    spikes = out.get("spikes_file", None if allen else "out.h5")
    E["sim.output.log_file"] = log
    E["sim.output.log_path"] = out_file(log)
    E["sim.output.spikes_file"] = spikes
    E["sim.output.spikes_path"] = out_file(spikes)
    order = out.get("spikes_sort_order", "by_time")
    E["sim.output.spikes_sort_order"] = ALLEN_SORT.get(order, order) if allen else order

    cond = cfg.get("conditions", {})
    E["sim.conditions.celsius"] = cond.get("celsius", 34)
    E["sim.conditions.v_init"] = cond.get("v_init", -80)
    E["sim.conditions.spike_location"] = cond.get("spike_location", "soma")
    if "extracellular_calcium" in cond:
        E["sim.conditions.extracellular_calcium"] = cond["extracellular_calcium"]
    E["sim.conditions.randomize_gaba_rise_time"] = cond.get("randomize_gaba_rise_time", False)
    for suffix, variables in cond.get("mechanisms", {}).items():
        for k, v in variables.items():
            E["sim.conditions.mechanisms.%s.%s" % (suffix, k)] = v
    for i, m in enumerate(cond.get("modifications", [])):
        pre = "sim.conditions.modifications[%d]" % i
        mtype = MOD_TYPES.get(m["type"], m["type"])
        E[pre + ".name"] = m["name"]
        E[pre + ".type"] = mtype
        E[pre + ".node_set"] = None if mtype == "compartment_set" else m["node_set"]
        E[pre + ".section_configure"] = None if mtype == "ttx" else m["section_configure"]
        E[pre + ".compartment_set"] = m.get("compartment_set")

    inputs = cfg.get("inputs", {})
    E["sim.inputs"] = ",".join(inputs)
    for name, inp in inputs.items():
        expect_input(E, name, inp, d)

    reports = cfg.get("reports", {})
    E["sim.reports"] = ",".join(reports)
    for name, r in reports.items():
        pre = "sim.reports." + name
        E[pre + ".cells"] = r.get("cells", node_set)
        E[pre + ".type"] = r["type"]
        if r["type"] == "compartment_set":
            E[pre + ".sections"] = E[pre + ".compartments"] = "none"
            E[pre + ".compartment_set"] = r["compartment_set"]
        else:
            sec = r.get("sections", "soma")
            E[pre + ".sections"] = sec
            E[pre + ".compartments"] = r.get("compartments", "center" if sec == "soma" else "all")
            E[pre + ".compartment_set"] = None
        E[pre + ".scaling"] = r.get("scaling", "area")
        E[pre + ".variable_name"] = r["variable_name"]
        E[pre + ".variables"] = ",".join(v.strip() for v in r["variable_name"].split(","))
        E[pre + ".unit"] = r.get("unit", "mV")
        for k in ("dt", "start_time", "end_time"):
            E[pre + "." + k] = r[k]
        fn = r.get("file_name") or name
        if os.path.splitext(fn)[1] != ".h5":
            fn += ".h5"
        E[pre + ".file_name"] = norm(outdir, fn)
        E[pre + ".enabled"] = r.get("enabled", True)

    for i, o in enumerate(cfg.get("connection_overrides") or []):
        pre = "sim.connection_overrides[%d]" % i
        for k in ("name", "source", "target"):
            E[pre + "." + k] = o[k]
        E[pre + ".weight"] = o.get("weight", 1)
        E[pre + ".delay"] = o.get("delay", 0)
        for k in ("synapse_configure", "modoverride"):
            E[pre + "." + k] = o.get(k)
        for k in ("spont_minis", "synapse_delay_override", "neuromodulation_dtc",
                  "neuromodulation_strength"):
            if k in o:
                E[pre + "." + k] = o[k]
    for section in ("metadata", "beta_features"):
        for k, v in cfg.get(section, {}).items():
            E["sim.%s.%s" % (section, k)] = v


def same(expected, got):
    if expected is None:
        return got == "<null>"
    if isinstance(expected, bool):
        return got == ("true" if expected else "false")
    if isinstance(expected, (int, float)):
        try:
            return float(got) == float(expected)
        except ValueError:
            return False
    if isinstance(expected, list):
        parts = [p for p in got.split(",") if p != ""]
        try:
            return len(parts) == len(expected) and all(
                float(a) == float(b) for a, b in zip(parts, expected))
        except ValueError:
            return False
    return got == str(expected)


def main():
    dump, config, flavour = sys.argv[1], sys.argv[2], sys.argv[3]
    allen = flavour == "allen"
    E = {"flavour": flavour}
    with open(config) as f:
        top = json.load(f)
    d = os.path.dirname(os.path.abspath(config))
    if isinstance(top.get("simulation"), str):  # BMTK root config
        root, rd, _ = read_config(config)
        expect_simulation(E, norm(rd, root["simulation"]), allen,
                          network=norm(rd, root["network"]) if "network" in root else None)
    elif "run" in top:
        expect_simulation(E, config, allen)
    else:
        expect_circuit(E, config)
    del d

    res = subprocess.run([dump, config], capture_output=True, text=True)
    if res.returncode != 0:
        print(res.stdout + res.stderr)
        print("FAIL: config_dump exited with", res.returncode)
        return 1
    got = {}
    for line in res.stdout.splitlines():
        if " = " in line:
            k, v = line.split(" = ", 1)
            got[k] = v
        elif line.endswith(" ="):
            got[line[:-2]] = ""
    bad = 0
    for k, v in E.items():
        if k not in got:
            print("MISSING %s (expected %r)" % (k, v))
            bad += 1
        elif not same(v, got[k]):
            print("DIFFER  %s: expected %r, ranvier %r" % (k, v, got[k]))
            bad += 1
    print("%s: %d values checked, %d mismatches" % (config, len(E), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
