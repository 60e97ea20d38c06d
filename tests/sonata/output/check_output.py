# SPDX-License-Identifier: MIT
"""ranvier's spike/report readers and writers against h5py.

    check_output.py TOOL SHARED_DIR FIXTURE_DIR WORK_DIR

1. Every spike and report file of the shared data (libsonata's test files,
   the Allen 300-cell output, the BBP ring test reference reports) and the
   BMTK-variant fixtures is read by ranvier (TOOL prints JSON) and by h5py
   here; both must agree exactly.  Expected values come from the files.
2. Files written by ranvier (TOOL write-*) are opened with h5py: layout,
   dtypes, attributes (the sorting enum, units, sorted) and values, which are
   recomputed here from the rules written down in output_tool.c.
"""
import glob
import json
import math
import os
import subprocess
import sys

import h5py
import numpy as np

TOOL, SHARED, FIXTURES, WORK = sys.argv[1:5]
failures = 0
checks = 0


def check(cond, what):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what)


def tool(*args, ok=True):
    r = subprocess.run([TOOL] + list(args), capture_output=True, text=True)
    if ok and r.returncode != 0:
        raise SystemExit("%s %s failed: %s" % (TOOL, " ".join(args), r.stderr))
    return r


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


# ---- spikes, as h5py sees them (SONATA + BMTK rules, written out here) ----
BMTK_SORT = {"time": "by_time", "by_time": "by_time", "id": "by_id", "by_id": "by_id",
             "none": "none", "unknown": "none"}


def sorting_of(holders):
    for obj in holders:
        if "sorting" not in obj.attrs:
            continue
        aid = obj.attrs.get_id("sorting")
        enum = h5py.check_enum_dtype(aid.dtype)
        value = obj.attrs["sorting"]
        if enum is not None:
            return {v: k for k, v in enum.items()}[int(value)]
        if np.issubdtype(np.asarray(value).dtype, np.integer):
            return ["none", "by_id", "by_time"][int(value)]
        return BMTK_SORT[text(value)]
    return "none"


def h5_spikes(path):
    pops = []
    with h5py.File(path, "r") as h:
        root = h["spikes"]
        groups = [k for k in root if isinstance(root[k], h5py.Group)]
        entries = [(k, root[k], "node_ids") for k in sorted(groups)]
        if not groups and "timestamps" in root:
            entries = [("", root, "gids" if "gids" in root else "node_ids")]
        for name, g, ids in entries:
            ts = g["timestamps"]
            pops.append({"name": name,
                         "sorting": sorting_of([g, g[ids]]),
                         "units": text(ts.attrs["units"]) if "units" in ts.attrs else "ms",
                         "timestamps": [float(x) for x in ts[()].astype("f8")],
                         "node_ids": [int(x) for x in g[ids][()]]})
    return pops


def compare_spikes(path):
    got = json.loads(tool("spikes", path).stdout)["populations"]
    want = h5_spikes(path)
    check([p["name"] for p in got] == [p["name"] for p in want],
          "%s: populations %s vs h5py %s" % (path, [p["name"] for p in got],
                                             [p["name"] for p in want]))
    for g, w in zip(got, want):
        for key in ("sorting", "units", "timestamps", "node_ids"):
            check(g[key] == w[key], "%s /%s: %s differs: %s vs h5py %s" %
                  (path, w["name"], key, str(g[key])[:80], str(w[key])[:80]))
    print("ok: %s: %d populations, %d spikes equal to h5py" %
          (os.path.relpath(path, SHARED) if path.startswith(SHARED) else os.path.basename(path),
           len(want), sum(len(p["node_ids"]) for p in want)))


# ---- reports ----
def compare_report(path, expect_errors=None):
    expect_errors = expect_errors or {}
    got = {p["name"]: p for p in json.loads(tool("report", path).stdout)["populations"]}
    with h5py.File(path, "r") as h:
        names = sorted(k for k in h["report"] if isinstance(h["report"][k], h5py.Group))
        check(sorted(got) == names, "%s: populations %s vs %s" % (path, sorted(got), names))
        for name in names:
            g = got[name]
            if name in expect_errors:
                check("error" in g and expect_errors[name] in g["error"],
                      "%s /%s: expected an error with '%s', got %s" %
                      (path, name, expect_errors[name], g.get("error")))
                print("ok: %s /%s refused: %s" % (os.path.basename(path), name, g.get("error")))
                continue
            check("error" not in g, "%s /%s: %s" % (path, name, g.get("error")))
            if "error" in g:
                continue
            p = h["report"][name]
            m = p["mapping"]
            data = p["data"][()]
            ip = [int(x) for x in m["index_pointers"][()]]
            ids = [int(x) for x in m["node_ids"][()]]
            exp = {"node_ids": ids, "index_pointers": ip,
                   "element_ids": [int(x) for x in m["element_ids"][()]],
                   "time": [float(x) for x in m["time"][()]],
                   "data_units": text(p["data"].attrs.get("units", "")),
                   "time_units": text(m["time"].attrs.get("units", "")),
                   "sorted": int(m["node_ids"].attrs.get("sorted", 0)),
                   "n_frames": data.shape[0],
                   "data": [[float(x) for x in row] for row in data]}
            for key, v in exp.items():
                check(g[key] == v, "%s /%s: %s differs" % (path, name, key))
            for i, nid in enumerate(ids):
                want = [[float(x) for x in row] for row in data[:, ip[i]:ip[i + 1]]]
                check(g["by_node"][str(nid)] == want,
                      "%s /%s: node %d read alone differs" % (path, name, nid))
            print("ok: %s /%s: %d nodes, %d elements, %d frames equal to h5py" %
                  (os.path.basename(path), name, len(ids), len(exp["element_ids"]),
                   data.shape[0]))


# ---- ranvier's writers, read by h5py ----
SAMPLE = {"beta": ([3.0, 1.0, 3.0, 2.0, 1.0, 3.0], [4, 9, 2, 7, 9, 2]),
          "alpha": ([0.5, 0.25, 0.5], [1, 1, 0]),
          "empty": ([], [])}


def expected_order(t, ids, order):
    t, ids = np.array(t, dtype="f8"), np.array(ids, dtype="u8")
    if order == "by_time":
        k = np.lexsort((ids, t))      # time, then id (stable)
    elif order == "by_id":
        k = np.lexsort((t, ids))      # id, then time (stable)
    else:
        k = np.arange(len(t))
    return [float(x) for x in t[k]], [int(x) for x in ids[k]]


def check_written_spikes(order):
    path = os.path.join(WORK, "written_spikes_%s.h5" % order)
    tool("write-spikes", path, order)
    with h5py.File(path, "r") as h:
        check(sorted(h["spikes"]) == sorted(SAMPLE), "written populations %s" % list(h["spikes"]))
        for name, (t, ids) in SAMPLE.items():
            g = h["spikes"][name]
            aid = g.attrs.get_id("sorting")
            check(h5py.check_enum_dtype(aid.dtype) == {"none": 0, "by_id": 1, "by_time": 2},
                  "sorting attribute is not libsonata's enum: %s" % aid.dtype)
            check(aid.dtype.base == np.dtype("u1") or aid.dtype == np.dtype("u1"),
                  "sorting enum base type %s" % aid.dtype)
            check(int(g.attrs["sorting"]) == {"none": 0, "by_id": 1, "by_time": 2}[order],
                  "sorting value %s for %s" % (g.attrs["sorting"], order))
            ts, nid = g["timestamps"], g["node_ids"]
            check(ts.dtype == np.dtype("<f8") and nid.dtype == np.dtype("<u8"),
                  "dtypes %s %s" % (ts.dtype, nid.dtype))
            units = ts.attrs.get_id("units")
            check(units.get_type().is_variable_str() and text(ts.attrs["units"]) == "ms",
                  "timestamps units attribute")
            wt, wi = expected_order(t, ids, order)
            check([float(x) for x in ts[()]] == wt and [int(x) for x in nid[()]] == wi,
                  "%s /%s order: %s %s vs %s %s" % (order, name, list(ts[()]), list(nid[()]),
                                                    wt, wi))
    compare_spikes(path)
    print("ok: spikes written %s: enum sorting, units, dtypes, order as libsonatareport" % order)


def check_written_dat():
    path = os.path.join(WORK, "written_out.dat")
    tool("write-dat", path)
    offsets = {"beta": 1000, "alpha": 0, "empty": 0}
    want = ["/scatter"]
    for name in ("beta", "alpha", "empty"):
        for t, i in zip(*SAMPLE[name]):
            want.append("%.3f\t%d" % (t, i + offsets[name]))
    with open(path) as f:
        lines = f.read().split("\n")
    check(lines[-1] == "" and lines[:-1] == want, "out.dat text: %s" % lines[:4])
    # read back: neurodamus' reader skips one line and loads "time gid"
    got = json.loads(tool("dat", path).stdout)["populations"][0]
    arr = np.loadtxt(path, skiprows=1, ndmin=2)
    check(got["timestamps"] == [float(x) for x in arr[:, 0]] and
          got["node_ids"] == [int(x) for x in arr[:, 1]], "out.dat read back")
    print("ok: out.dat written as neurodamus' SpikeWriter ('/scatter', '%.3f\\t%d'), read back")


REPORT_NODES = [("popB", 7, [0, 1, 1, 2]), ("popA", 5, [0, 1, 2]), ("popB", 3, [0]),
                ("popA", 1, [3, 3]), ("popB", 12, [])]


def check_written_report(buffer_bytes):
    path = os.path.join(WORK, "written_report_%d.h5" % buffer_bytes)
    r = tool("write-report", path, str(buffer_bytes))
    t0, t1, dt = 0.5, 10.5, 0.25
    start = round(t0 / dt) * dt
    frames = math.ceil((t1 - start) / dt)
    with h5py.File(path, "r") as h:
        check(sorted(h["report"]) == ["popA", "popB"], "report populations")
        for pop, base in (("popA", 100000), ("popB", 200000)):
            nodes = sorted((n, el) for p, n, el in REPORT_NODES if p == pop)
            g = h["report"][pop]
            m = g["mapping"]
            d = g["data"]
            check(d.dtype == np.dtype("<f4") and d.shape == (frames, sum(len(e) for _, e in nodes)),
                  "%s data %s %s" % (pop, d.dtype, d.shape))
            check(text(d.attrs["units"]) == "mV" and d.attrs.get_id("units").get_type()
                  .is_variable_str(), "data units")
            check(m["node_ids"].dtype == np.dtype("<u8") and
                  list(m["node_ids"][()]) == [n for n, _ in nodes], "%s node_ids" % pop)
            check(m["node_ids"].attrs.get_id("sorted").dtype == np.dtype("u1") and
                  int(m["node_ids"].attrs["sorted"]) == 1, "sorted attribute")
            ip = [0]
            for _, el in nodes:
                ip.append(ip[-1] + len(el))
            check(m["index_pointers"].dtype == np.dtype("<u8") and
                  list(m["index_pointers"][()]) == ip, "%s index_pointers" % pop)
            check(m["element_ids"].dtype == np.dtype("<u4") and
                  list(m["element_ids"][()]) == [e for _, el in nodes for e in el],
                  "%s element_ids" % pop)
            check(m["time"].dtype == np.dtype("<f8") and list(m["time"][()]) == [start, t1, dt]
                  and text(m["time"].attrs["units"]) == "ms", "%s time" % pop)
            want = np.array([[base + 100 * n + j + 0.25 * f for n, el in nodes
                              for j in range(len(el))] for f in range(frames)], dtype="f4")
            check(np.array_equal(d[()], want), "%s values" % pop)
    compare_report(path)
    print("ok: report written with buffer %d bytes (%s): layout, attributes, values" %
          (buffer_bytes, r.stderr.strip()))


def main():
    fmt = os.path.join(SHARED, "data", "sonata-format")
    circ = os.path.join(SHARED, "data", "circuits")
    for f in (os.path.join(fmt, "spikes.h5"),
              os.path.join(circ, "allen-300-intfire", "output", "spikes.h5")):
        compare_spikes(f)
    for f in ("bmtk_string_sorting.h5", "bmtk_sorting_on_ids.h5", "bmtk_old_layout.h5",
              "bmtk_empty.h5", "int_sorting.h5"):
        compare_spikes(os.path.join(FIXTURES, f))
    compare_report(os.path.join(fmt, "somas.h5"),
                   {"soma1": "float64 (expected float32)", "soma2": "no group 'mapping'"})
    compare_report(os.path.join(fmt, "elements.h5"),
                   {"element1": "no group 'mapping'", "element42": "no group 'mapping'"})
    reports = sorted(glob.glob(os.path.join(circ, "bbp-ringtest", "reference", "*reports", "*.h5")))
    check(len(reports) >= 10, "ring test reports found: %d" % len(reports))
    for f in reports:
        compare_report(f)
    compare_report(os.path.join(FIXTURES, "report_unsorted.h5"))
    for order in ("by_time", "by_id", "none"):
        check_written_spikes(order)
    check_written_dat()
    sizes = []
    for b in (0, 1, 150, 1 << 20):
        check_written_report(b)
        with h5py.File(os.path.join(WORK, "written_report_%d.h5" % b), "r") as h:
            sizes.append(h["report/popA/data"][()].tobytes() + h["report/popB/data"][()].tobytes())
    check(all(s == sizes[0] for s in sizes), "report data independent of the buffer size")
    left = glob.glob(os.path.join(WORK, "*.tmp.*"))
    check(not left, "temporary files left behind: %s" % left)
    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
