#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""hoc interpreter tests against NEURON (live): the same hoc file is run by
`nrniv -nogui` and by `ranvier hoc`.

  hoc_compare.py lang FILE RANVIER     outputs must be identical
  hoc_compare.py oracle FILE RANVIER   SEC/SEG/DIST lines: text equal, numbers
                                       relative 1e-9; V lines |dV| <= 1e-6 mV
  hoc_compare.py errors RANVIER        bad-input catalogue: `file:line: error`
  hoc_compare.py emodel FILE RANVIER MODDIR
                                       as oracle, after nrn_load_dll of MODDIR's
                                       .mod files (nrnivmodl for NEURON, the
                                       directory itself for ranvier)
"""
import os
import re
import subprocess
import sys
import tempfile


# emodel mode: a wrapper file per simulator loading the mechanisms first
PRELUDE = {"nrn": None, "rv": None}


def wrapped(path, which):
    """The file to run (cwd stays path's directory)."""
    if PRELUDE[which] is None:
        return os.path.basename(path)
    w = os.path.join(PRELUDE["dir"], "wrap_%s.hoc" % which)
    with open(w, "w") as f:
        f.write('nrn_load_dll("%s")\nload_file("%s")\n' % (PRELUDE[which], os.path.abspath(path)))
    return w


def run_nrn(path):
    r = subprocess.run(["nrniv", "-nogui", "-nobanner", wrapped(path, "nrn")],
                       cwd=os.path.dirname(os.path.abspath(path)), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=600)
    return r.returncode, r.stdout, r.stderr


def run_rv(ranvier, path):
    r = subprocess.run([ranvier, "hoc", wrapped(path, "rv")],
                       cwd=os.path.dirname(os.path.abspath(path)), capture_output=True,
                       text=True, timeout=600)
    return r.returncode, r.stdout, r.stderr


def lang(path, ranvier):
    _, nout, nerr = run_nrn(path)
    rc, rout, rerr = run_rv(ranvier, path)
    if rc != 0:
        print("ranvier failed:", rerr)
        return 1
    if nout != rout:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(nout.splitlines(True), rout.splitlines(True),
                                                   "nrniv", "ranvier"))
        return 1
    print("%s: %d lines identical to NEURON" % (os.path.basename(path), nout.count("\n")))
    return 0


NUM = re.compile(r"^-?[0-9.]+(e[-+]?[0-9]+)?$|^-?nan$|^-?inf$")


def fields(line):
    out = []
    for tok in line.split():
        k, _, v = tok.rpartition("=")
        out.append((k, float(v)) if NUM.match(v) else (tok, None))
    return out


def oracle(path, ranvier):
    nrc, nout, nerr = run_nrn(path)
    rc, rout, rerr = run_rv(ranvier, path)
    if rc != 0 or nrc != 0:
        print("failed: nrniv rc %d %s\nranvier rc %d %s" % (nrc, nerr, rc, rerr))
        return 1
    nl, rl = nout.splitlines(), rout.splitlines()
    if len(nl) != len(rl):
        print("line counts differ: NEURON %d, ranvier %d" % (len(nl), len(rl)))
        return 1
    maxdv, maxrel, nseg, nv, bad = 0.0, 0.0, 0, 0, 0
    for a, b in zip(nl, rl):
        fa, fb = fields(a), fields(b)
        if len(fa) != len(fb) or [k for k, _ in fa] != [k for k, _ in fb]:
            print("differs:\n  NEURON  %s\n  ranvier %s" % (a, b))
            bad += 1
            continue
        for (_, x), (_, y) in zip(fa, fb):
            if x is None:
                continue
            if a.startswith("V "):
                maxdv = max(maxdv, abs(x - y))
            else:
                maxrel = max(maxrel, abs(x - y) / max(abs(x), 1e-300) if x != y else 0.0)
        nv += a.startswith("V ")
        nseg += a.startswith("SEG ")
    print("%s: %d segments, %d time points; max relative difference of geometry and "
          "parameters %.3g, max |dV| %.3g mV" % (os.path.basename(path), nseg, nv, maxrel, maxdv))
    if bad or maxrel > 1e-9 or maxdv > 1e-6:
        print("FAIL")
        return 1
    return 0


# (name, source, line, text expected in the message, NEURON also fails on that line)
BAD = [
    ("syntax", "x = 1\ny = (2 + 3\n", 2, "syntax error", True),
    ("undefined_var", "x = 1\ny = z + 1\n", 2, "undefined variable z", True),
    ("unknown_mech", "create soma\nsoma insert nosuchmech\n", 2, "nosuchmech", True),
    ("no_endtemplate", "begintemplate A\npublic f\nproc f() { }\n", 4, "endtemplate", False),
    ("unknown_template", "objref o\no = new NoSuchThing()\n", 2, "NoSuchThing", True),
    ("undefined_func", "x = 1\nx = nosuchfunc(1)\n", 2, "nosuchfunc", True),
    ("missing_arg", "func f() { return $1 + $2 }\nx = 1\nx = f(1)\n", 1, "$2", True),
    ("not_public", "begintemplate A\npublic a\nproc init() { a = 1 b = 2 }\n"
     "endtemplate A\nobjref o\no = new A()\nprint o.b\n", 7, "not a public member", True),
    ("div_zero", "x = 0\n\ny = 1/x\n", 3, "division by zero", True),
    ("index_range", "double a[3]\na[1] = 2\na[5] = 1\n", 3, "index", True),
    ("vector_index", "objref vv\nvv = new Vector(2)\nvv.x[3] = 1\n", 3, "out of range", True),
    ("missing_file", "x = 1\nload_file(\"no_such_file.hoc\")\n", 2, "no_such_file.hoc", False),
    ("unterminated_string", "strdef s\ns = \"abc\n", 2, "unterminated string", True),
    ("not_inserted", "create soma\nsoma gnabar_hh = 0.1\n", 2, "gnabar_hh", True),
    ("execerror", "proc f() { execerror(\"boom\", \"here\") }\nf()\n", 1, "boom", True),
    ("unmatched_brace", "x = 1\n}\n", 2, "'}'", True),
    ("uninsert", "create soma\nsoma insert pas\nsoma uninsert pas\n", 3, "unsupported", False),
    ("netcon", "objref nc\nnc = new NetCon()\n", 2, "NetCon", False),
    ("diam3d_x", "create s\ns { pt3dadd(0,0,0,1) pt3dadd(5,0,0,1) }\ns diam(0.5) = 2\n", 3,
     "unsupported", False),
    ("load_dll", "x = 1\nnrn_load_dll(\"/nonexistent/mods\")\n", 2, "/nonexistent/mods", False),
    ("netcon_source", "objref vv, nc, nil\nvv = new Vector()\nnc = new NetCon(vv, nil)\n", 3,
     "not a point process", False),
    ("random_no123", "objref r\nr = new Random()\nx = r.uniform(0, 1)\n", 3, "Random123", False),
    ("nested_error", "proc g() {\n  x = 1\n  y = undefinedthing\n}\nproc f() { g() }\nf()\n",
     3, "undefinedthing", True),
]


def errors(ranvier):
    fails = 0
    with tempfile.TemporaryDirectory() as d:
        for name, src, line, text, nrn_fails in BAD:
            path = os.path.join(d, "bad_%s.hoc" % name)
            with open(path, "w") as f:
                f.write(src)
            rc, out, err = run_rv(ranvier, path)
            want = "bad_%s.hoc:%d: error:" % (name, line)
            ok = rc != 0 and want in err and text in err
            nmsg = ""
            if nrn_fails:
                nrc, nout, nerr = run_nrn(path)
                nmsg = (nout + nerr).strip().replace("\n", " | ")
                if "near line %d" % line not in nmsg and "line %d" % line not in nmsg:
                    print("  (NEURON reports another line for %s: %s)" % (name, nmsg))
            print("%-20s %s %s" % (name, "ok  " if ok else "FAIL", err.strip().replace("\n", " | ")))
            if nmsg:
                print("%-20s      NEURON: %s" % ("", nmsg[:160]))
            fails += not ok
    print("%d of %d bad inputs reported as expected" % (len(BAD) - fails, len(BAD)))
    return 1 if fails else 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "lang":
        sys.exit(lang(sys.argv[2], sys.argv[3]))
    if mode == "oracle":
        sys.exit(oracle(sys.argv[2], sys.argv[3]))
    if mode == "emodel":
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
        import oracle as nrn_oracle
        with tempfile.TemporaryDirectory() as d:
            PRELUDE["dir"] = d
            PRELUDE["nrn"] = nrn_oracle.compile_mods(sys.argv[4], d)
            PRELUDE["rv"] = os.path.abspath(sys.argv[4])
            sys.exit(oracle(sys.argv[2], sys.argv[3]))
    if mode == "errors":
        sys.exit(errors(sys.argv[2]))
    sys.exit("unknown mode " + mode)
