#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Morphology import: NEURON (live) against ranvier.

For every morphology file, NEURON 8.2 imports it with Import3d
(Import3d_SWC_read or Import3d_Neurolucida3, then
Import3d_GUI(r, 0).instantiate(None)) and ranvier with rvmorph.  Both set
nseg = 1 + 2*int(L/DIV) and report every section's name, parent, parent x,
child end, 3-D points, L and per segment area(x) and ri(x) (segment centres
and x = 1).  Everything must be identical: names and order, topology, every
3-D point as a float, L, and areas and ri to the last bit (the differences are
printed).

h5 files have no NEURON reader: each is written as the Neurolucida file it
describes, or for a one-point soma as the SWC file (all values printed
exactly), and NEURON imports that.

usage: morph_oracle.py RVMORPH DIV FILE...   (exit 1 on any difference)
"""
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")


def h5_to_asc(path, out):
    """Write the h5v1 morphology as a Neurolucida file: a CellBody contour
    for the soma, one tree per root neurite (points in full precision)."""
    import h5py
    with h5py.File(path, "r") as f:
        pts = f["points"][:].astype("float64")
        st = f["structure"][:]
    n = len(st)
    start = [int(st[i][0]) for i in range(n)]
    stop = start[1:] + [len(pts)]
    children = [[] for _ in range(n)]
    roots = []
    for i in range(n):
        if int(st[i][1]) == 1:
            continue
        p = int(st[i][2])
        if p < 0 or int(st[p][1]) == 1:
            roots.append(i)
        else:
            children[p].append(i)
    tname = {2: "Axon", 3: "Dendrite", 4: "Apical"}
    lines = []

    def pt(j, ind):
        x, y, z, d = pts[j]
        lines.append("%s(%r %r %r %r)" % (ind, float(x), float(y), float(z), float(d)))

    def branch(i, ind):
        for j in range(start[i], stop[i]):
            pt(j, ind)
        if children[i]:
            lines.append(ind + "(")
            for k, c in enumerate(children[i]):
                if k:
                    lines.append(ind + "|")
                branch(c, ind + "  ")
            lines.append(ind + ")")

    if n and int(st[0][1]) == 1:
        lines.append('("CellBody"\n  (CellBody)')
        for j in range(start[0], stop[0]):
            pt(j, "  ")
        lines.append(")")
    for r in roots:
        lines.append("( (%s)" % tname.get(int(st[r][1]), "Color Red"))
        branch(r, "  ")
        lines.append(")")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def h5_to_swc(path, out):
    """A one-point-soma h5 morphology as the SWC file it was converted from:
    child sections start with a copy of their parent's last point (position
    and diameter), which SWC does not repeat."""
    import h5py
    with h5py.File(path, "r") as f:
        pts = f["points"][:].astype("float64")
        st = f["structure"][:]
    n = len(st)
    start = [int(st[i][0]) for i in range(n)]
    stop = start[1:] + [len(pts)]
    last_id = [0] * n
    lines = ["1 1 %r %r %r %r -1" % (float(pts[0][0]), float(pts[0][1]), float(pts[0][2]),
                                     float(pts[0][3]) / 2)]
    last_id[0] = 1
    nid = 1
    for i in range(1, n):
        p = int(st[i][2])
        a = start[i]
        if p > 0:
            if list(pts[a]) != list(pts[stop[p] - 1]):
                raise ValueError("section %d does not repeat its parent's last point" % i)
            a += 1
        parent = last_id[p]
        for j in range(a, stop[i]):
            nid += 1
            x, y, z, d = (float(v) for v in pts[j])
            lines.append("%d %d %r %r %r %r %d" % (nid, int(st[i][1]), x, y, z, d / 2, parent))
            parent = nid
        last_id[i] = parent
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def neuron_import(path, div):
    """Sections of NEURON's import of path: list of dicts."""
    from neuron import h
    h.load_file("stdlib.hoc")
    h.load_file("import3d.hoc")
    for s in list(h.allsec()):
        h.delete_section(sec=s)
    if path.lower().endswith(".swc"):
        r = h.Import3d_SWC_read()
    else:
        r = h.Import3d_Neurolucida3()
    r.quiet = 1
    r.input(path)
    h.Import3d_GUI(r, False).instantiate(None)
    out = []
    for s in h.allsec():
        sr = h.SectionRef(sec=s)
        L = s.L
        nseg = 1 + 2 * int(L / div) if div > 0 else 1
        s.nseg = min(nseg, 32767)
        segs = []
        for j in range(s.nseg + 1):
            x = (j + 0.5) / s.nseg if j < s.nseg else 1.0
            segs.append((x, s(x).area() if x < 1 else 0.0, h.ri(x, sec=s)))
        out.append(dict(
            name=s.name(), parent=sr.parent.name() if sr.has_parent() else "-",
            px=s.parentseg().x if sr.has_parent() else 0.0, end=int(s.orientation()),
            pts=[(s.x3d(i), s.y3d(i), s.z3d(i), s.diam3d(i)) for i in range(int(s.n3d()))],
            L=L, nseg=s.nseg, segs=segs))
    return out


def ranvier_import(rvmorph, path, div):
    r = subprocess.run([rvmorph, "dump", path, str(div)], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("rvmorph failed on %s: %s" % (path, r.stderr.strip()))
    out, notes = [], []
    for ln in r.stdout.splitlines():
        t = ln.split()
        if t[0] == "section":
            out.append(dict(name=t[1], parent=t[2], px=float(t[3]), end=int(t[4]), pts=[],
                            L=float(t[6]), nseg=int(t[7]), segs=[]))
        elif t[0] == "pt":
            out[-1]["pts"].append(tuple(float(v) for v in t[1:5]))
        elif t[0] == "seg":
            out[-1]["segs"].append(tuple(float(v) for v in t[1:4]))
        elif t[0] == "note":
            notes.append(ln[5:])
    return out, notes


def compare(path, ref, got):
    """Print the comparison of one file; return (ok, counts)."""
    name = os.path.basename(path)
    problems = []
    if [s["name"] for s in ref] != [s["name"] for s in got]:
        problems.append("section names/order differ: NEURON %s ... ranvier %s ..." %
                        ([s["name"] for s in ref[:6]], [s["name"] for s in got[:6]]))
    npts = nsegs = 0
    max_pt = max_area = max_ri = max_L = 0.0
    for a, b in zip(ref, got):
        if (a["parent"], a["px"], a["end"]) != (b["parent"], b["px"], b["end"]):
            problems.append("%s: parent %s(%g) end %d in NEURON, %s(%g) end %d in ranvier" %
                            (a["name"], a["parent"], a["px"], a["end"], b["parent"], b["px"],
                             b["end"]))
        if len(a["pts"]) != len(b["pts"]):
            problems.append("%s: %d points in NEURON, %d in ranvier" %
                            (a["name"], len(a["pts"]), len(b["pts"])))
            continue
        for p, q in zip(a["pts"], b["pts"]):
            npts += 1
            for u, v in zip(p, q):
                max_pt = max(max_pt, abs(u - v))
        max_L = max(max_L, abs(a["L"] - b["L"]))
        if a["nseg"] != b["nseg"]:
            problems.append("%s: nseg %d in NEURON, %d in ranvier" % (a["name"], a["nseg"],
                                                                        b["nseg"]))
            continue
        for (x0, ar0, ri0), (x1, ar1, ri1) in zip(a["segs"], b["segs"]):
            nsegs += 1
            if ar0 != ar1:
                max_area = max(max_area, abs(ar0 - ar1) / max(abs(ar0), 1e-300))
            if ri0 != ri1:
                max_ri = max(max_ri, abs(ri0 - ri1) / max(abs(ri0), 1e-300))
    if max_pt or max_L or max_area or max_ri:
        problems.append("max |d point| %.3g, |d L| %.3g, rel d area %.3g, rel d ri %.3g" %
                        (max_pt, max_L, max_area, max_ri))
    ok = not problems
    print("%-48s %4d sections %6d points %6d segments: %s" %
          (name, len(ref), npts, nsegs, "identical" if ok else "DIFFERENT"))
    for p in problems[:12]:
        print("    " + p)
    return ok, (len(ref), npts, nsegs)


def main():
    rvmorph, div, files = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    allok, tot = True, [0, 0, 0, 0]
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            npath = path
            if path.lower().endswith(".h5"):
                try:
                    import h5py
                except ImportError:
                    print("%s: skipped (python3-h5py is needed to write it for NEURON)" % path)
                    continue
                with h5py.File(path, "r") as f:
                    st = f["structure"][:]
                    nsoma = (int(st[1][0]) if len(st) > 1 else len(f["points"])) - int(st[0][0])
                    sphere = int(st[0][1]) == 1 and nsoma == 1
                npath = os.path.join(tmp, os.path.basename(path) + (".swc" if sphere else ".asc"))
                (h5_to_swc if sphere else h5_to_asc)(path, npath)
            try:
                ref = neuron_import(npath, div)
            except Exception as e:  # NEURON rejected the file
                print("%s: NEURON failed: %s" % (path, e))
                allok = False
                continue
            got, _ = ranvier_import(rvmorph, path, div)
            ok, c = compare(path, ref, got)
            allok &= ok
            tot[0] += 1
            for k in range(3):
                tot[k + 1] += c[k]
    print("%d files, %d sections, %d 3-D points, %d segments (area, ri): %s" %
          (tot[0], tot[1], tot[2], tot[3], "all identical to NEURON" if allok else "DIFFERENCES"))
    return 0 if allok else 1


if __name__ == "__main__":
    sys.exit(main())
