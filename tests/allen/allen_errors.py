#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`ranvier allen-cell` on bad input: every case must fail with exit code 1
(no crash) and a message naming the file and, for the fit, the JSON key.

Usage: allen_errors.py RANVIER SHARED_COMPONENTS_DIR"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    rv, comp = sys.argv[1], sys.argv[2]
    swc = os.path.join(comp, "morphologies", "Nr5a1_471087815_m.swc")
    good = json.load(open(os.path.join(comp, "biophysical_neuron_templates", "json",
                                       "473863035_fit.json")))
    with tempfile.TemporaryDirectory(prefix="rvallenerr") as work:
        return run(rv, comp, swc, good, work)


def run(rv, comp, swc, good, work):

    def fit_with(change):
        d = json.loads(json.dumps(good))
        change(d)
        p = os.path.join(work, "fit%d.json" % len(os.listdir(work)))
        json.dump(d, open(p, "w"))
        return p

    def bad_text(text):
        p = os.path.join(work, "text%d.json" % len(os.listdir(work)))
        open(p, "w").write(text)
        return p

    badswc = os.path.join(work, "bad.swc")
    open(badswc, "w").write("1 1 0 0 0 5 -1\n2 3 0 5 0 1 7\n")
    cases = [
        ("missing passive.ra", swc, fit_with(lambda d: d["passive"][0].pop("ra")),
         ["passive[0].ra"]),
        ("genome value not a number", swc,
         fit_with(lambda d: d["genome"][2].__setitem__("value", "fast")), ["genome[2].value"]),
        ("unknown mechanism", swc,
         fit_with(lambda d: d["genome"][0].__setitem__("mechanism", "NoSuchChannel")),
         ["genome[0].mechanism", "NoSuchChannel"]),
        ("unknown variable", swc,
         fit_with(lambda d: d["genome"][0].__setitem__("name", "gbar_Wrong")),
         ["genome[0].name", "gbar_Wrong"]),
        ("no cm for a section type", swc,
         fit_with(lambda d: d["passive"][0]["cm"].pop(0)), ["passive[0].cm", "soma"]),
        ("erev on sections without the ion", swc,
         fit_with(lambda d: d["conditions"][0]["erev"].append(
             {"section": "dend", "ena": 50, "ek": -90})), ["conditions[0].erev[1].ena"]),
        ("genome not a list", swc, fit_with(lambda d: d.__setitem__("genome", 3)), ["genome"]),
        ("invalid JSON", swc, bad_text('{"passive": [ {"ra": 100,, }'), [":1"]),
        ("missing fit file", swc, os.path.join(work, "nope.json"), ["nope.json"]),
        ("missing morphology", os.path.join(work, "nope.swc"), fit_with(lambda d: None),
         ["nope.swc"]),
        ("bad morphology", badswc, fit_with(lambda d: None), ["bad.swc"]),
    ]
    ok = True
    for name, s, f, want in cases:
        r = subprocess.run([rv, "allen-cell", s, f], capture_output=True, text=True)
        msg = r.stderr.strip()
        good_msg = all(w in msg for w in want) and (os.path.basename(f) in msg or
                                                    os.path.basename(s) in msg)
        this = r.returncode == 1 and good_msg
        print("%-34s exit %d %s: %s" % (name, r.returncode, "ok" if this else "FAIL", msg))
        ok &= this
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
