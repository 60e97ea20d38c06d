#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The segment table of BMTK's placement (Morphology.seg_props: section
index in hobj.all, x, length L/nseg, h.distance(seg) from soma[0](0), SWC
type) of every Allen cell type of the shared components, from ranvier
(seg_props_dump) against NEURON (the same cells built as allen_bio_test.py
builds them, seg_props as BMTK computes it), live, for two dL values.

Usage: seg_props_check.py SEG_PROPS_DUMP COMPONENTS_DIR WORKDIR

Passes when the tables have the same rows, x and types are identical and
length and distance agree within 1e-9 um (the max differences are printed)."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))

import allen_bio_test as abt  # noqa: E402
import gen_allen_circuit as gen  # noqa: E402


def main():
    exe, comp, work = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    os.makedirs(work, exist_ok=True)
    import json
    import shutil
    import tempfile
    sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
    import oracle
    from neuron import h
    mods = os.path.join(work, "mods")
    os.makedirs(mods, exist_ok=True)
    d = os.path.join(ROOT, "mechanisms", "allen")
    for fn in os.listdir(d):
        if fn.endswith(".mod"):
            shutil.copy(os.path.join(d, fn), mods)
    h.nrn_load_dll(oracle.compile_mods(mods, tempfile.mkdtemp(prefix="rvsp", dir=work)))
    h.load_file("stdrun.hoc")
    h.load_file("import3d.hoc")
    h(abt.HOC_TEMPLATE)
    swc_type = {"soma": 1, "axon": 2, "dend": 3, "apic": 4}
    pairs = [(os.path.join(comp, "morphologies", t[2]),
              os.path.join(comp, "biophysical_neuron_templates", "json", t[3])) for t in gen.TYPES]
    worst_l = worst_d = 0.0
    nrows = 0
    ok = True
    for dL in (20.0, 7.5):
        args = [exe, os.path.join(ROOT, "mechanisms", "allen"), repr(dL)]
        for swc, fit in pairs:
            args += [swc, fit]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            raise SystemExit("FAIL: seg_props_dump exited with %d" % r.returncode)
        got, cur = [], None
        for ln in r.stdout.splitlines():
            f = ln.split()
            if f[0] == "cell":
                cur = []
                got.append(cur)
            else:
                cur.append((int(f[0]), float(f[1]), float(f[2]), float(f[3]), int(f[4])))
        for (swc, fit), rows in zip(pairs, got):
            c = abt.peri_cell(h, swc, json.load(open(fit)), dL)
            h.distance(sec=c.soma[0])
            ref = []
            for k, sec in enumerate(c.all):
                for seg in sec:
                    ref.append((k, seg.x, sec.L / sec.nseg, h.distance(seg),
                                swc_type[sec.name().split(".")[1][:4]]))
            if len(ref) != len(rows):
                print("%s dL %g: %d segments in NEURON, %d in ranvier" %
                      (os.path.basename(swc), dL, len(ref), len(rows)))
                ok = False
                continue
            for a, b in zip(ref, rows):
                nrows += 1
                if a[0] != b[0] or a[4] != b[4] or abs(a[1] - b[1]) > 1e-15:
                    print("%s dL %g: segment %s / %s" % (os.path.basename(swc), dL, a, b))
                    ok = False
                    break
                worst_l = max(worst_l, abs(a[2] - b[2]))
                worst_d = max(worst_d, abs(a[3] - b[3]))
    print("%d segments of %d cells x 2 dL: max |d length| %.3g um, max |d distance| %.3g um" %
          (nrows, len(pairs), worst_l, worst_d))
    if not ok or worst_l > 1e-9 or worst_d > 1e-9:
        raise SystemExit("FAIL")
    print("PASS")


if __name__ == "__main__":
    main()
