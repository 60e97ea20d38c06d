# SPDX-License-Identifier: MIT
"""Write the spike/report fixtures of the sonata_output tests with h5py.

    make_fixtures.py OUTDIR

Good files in BMTK's variants (checked against h5py by check_output.py) and
malformed files (test_output_bad.c expects a precise error for each).
"""
import os
import sys

import h5py
import numpy as np

SORT_ENUM = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype="u1")


def spikes(path, pops, root_attrs=None):
    with h5py.File(path, "w") as h:
        for k, v in (root_attrs or {}).items():
            h.attrs[k] = v
        g = h.create_group("spikes")
        for name, spec in pops.items():
            p = g.create_group(name)
            for k, v in spec.get("attrs", {}).items():
                p.attrs[k] = v
            for ds in ("timestamps", "node_ids"):
                if ds in spec:
                    d = p.create_dataset(ds, data=spec[ds], **spec.get("opts", {}))
                    for k, v in spec.get(ds + "_attrs", {}).items():
                        d.attrs[k] = v


def report(path, name="All", node_ids=(0, 1, 2), ip=None, el=None, time=(0.0, 1.0, 0.25),
           data=None, data_dtype="f4", sorted_attr=None, fixed_units=False):
    n = len(node_ids)
    ip = list(range(0, 2 * n + 1, 2)) if ip is None else ip
    el = [i % 2 for i in range(ip[-1] if len(ip) else 0)] if el is None else el
    frames = int(np.ceil((time[1] - time[0]) / time[2])) if len(time) == 3 else 4
    if data is None:
        data = np.arange(frames * len(el), dtype="f8").reshape(frames, len(el)) / 8
    with h5py.File(path, "w") as h:
        g = h.create_group("report/" + name)
        d = g.create_dataset("data", data=np.asarray(data, dtype=data_dtype))
        m = g.create_group("mapping")
        ids = m.create_dataset("node_ids", data=np.asarray(node_ids, dtype="u8"))
        if sorted_attr is not None:
            ids.attrs.create("sorted", sorted_attr, dtype="u1")
        m.create_dataset("index_pointers", data=np.asarray(ip, dtype="u8"))
        m.create_dataset("element_ids", data=np.asarray(el, dtype="u4"))
        t = m.create_dataset("time", data=np.asarray(time, dtype="f8"))
        if fixed_units:
            d.attrs["units"] = np.bytes_("mV")
            t.attrs["units"] = np.bytes_("ms")
        else:
            d.attrs["units"] = "mV"
            t.attrs["units"] = "ms"


def main(out):
    os.makedirs(out, exist_ok=True)
    j = lambda name: os.path.join(out, name)

    # ---- good files in other tools' variants ----
    # BMTK: string sorting "time", int64 ids, gzip, magic/version on the root
    spikes(j("bmtk_string_sorting.h5"), {
        "v1": {"attrs": {"sorting": "time"},
               "timestamps": np.array([0.5, 1.5, 1.5, 2.25]),
               "timestamps_attrs": {"units": "ms"},
               "node_ids": np.array([3, 0, 2, 1], dtype="i8"),
               "opts": {"compression": "gzip"}},
        "lgn": {"attrs": {"sorting": "by_id"},
                "timestamps": np.array([4.0, 1.0]),
                "node_ids": np.array([0, 5], dtype="i8")}},
        root_attrs={"magic": np.uint32(0x0A7A), "version": np.array([0, 1], dtype="u4")})
    # older files: sorting (fixed-length string) on the node_ids dataset,
    # uint32 ids, float32 times without units
    spikes(j("bmtk_sorting_on_ids.h5"), {
        "pop": {"timestamps": np.array([0.25, 0.5, 0.75], dtype="f4"),
                "node_ids": np.array([7, 7, 8], dtype="u4"),
                "node_ids_attrs": {"sorting": np.bytes_("by_id")}}})
    # oldest layout: /spikes/{gids,timestamps}, no population
    with h5py.File(j("bmtk_old_layout.h5"), "w") as h:
        g = h.create_group("spikes")
        g.attrs["sorting"] = "by_time"
        g.create_dataset("gids", data=np.array([2, 1, 2], dtype="u8"))
        g.create_dataset("timestamps", data=np.array([0.1, 0.2, 0.3]))
    with h5py.File(j("bmtk_empty.h5"), "w") as h:
        h.create_group("spikes")
    # enum sorting with an integer (not enum) attribute
    spikes(j("int_sorting.h5"), {
        "p": {"attrs": {"sorting": np.uint8(1)},
              "timestamps": np.array([1.0]), "node_ids": np.array([3], dtype="u8")}})
    # report whose node ids are not ascending (no `sorted`), fixed-length units
    report(j("report_unsorted.h5"), name="cells", node_ids=(9, 2, 5), ip=[0, 1, 4, 6],
           el=[0, 0, 1, 2, 0, 3], time=(10.0, 11.0, 0.125), fixed_units=True)

    # ---- malformed files ----
    with open(j("not_hdf5.h5"), "w") as f:
        f.write("this is not an HDF5 file\n")
    spikes(j("spikes_missing_ds.h5"), {"p": {"timestamps": np.array([1.0, 2.0])}})
    spikes(j("spikes_float_ids.h5"), {"p": {"timestamps": np.array([1.0]),
                                            "node_ids": np.array([1.0])}})
    spikes(j("spikes_len_mismatch.h5"), {"p": {"timestamps": np.arange(5.0),
                                               "node_ids": np.arange(4, dtype="u8")}})
    spikes(j("spikes_bad_sorting.h5"), {"p": {"attrs": {"sorting": "by_name"},
                                              "timestamps": np.array([1.0]),
                                              "node_ids": np.array([1], dtype="u8")}})
    with h5py.File(j("spikes_bad_enum.h5"), "w") as h:
        p = h.create_group("spikes/p")
        p.attrs.create("sorting", 7, dtype=SORT_ENUM)
        p.create_dataset("timestamps", data=np.array([1.0]))
        p.create_dataset("node_ids", data=np.array([1], dtype="u8"))
    spikes(j("spikes_negative_ids.h5"), {"p": {"timestamps": np.array([1.0, 2.0]),
                                               "node_ids": np.array([4, -3], dtype="i8")}})
    spikes(j("spikes_string_times.h5"), {"p": {"timestamps": np.array([b"1.0"]),
                                               "node_ids": np.array([1], dtype="u8")}})
    with h5py.File(j("no_spikes_group.h5"), "w") as h:
        h.create_group("report")
    report(j("report_ip_short.h5"), ip=[0, 2, 4])
    report(j("report_ip_decreasing.h5"), ip=[0, 4, 2, 6])
    report(j("report_ip_end.h5"), ip=[0, 2, 4, 5], el=[0, 1, 0, 1, 0, 1])
    report(j("report_ip_start.h5"), ip=[1, 2, 4, 6], el=[0, 1, 0, 1, 0, 1])
    report(j("report_data_f64.h5"), data_dtype="f8")
    report(j("report_time_len.h5"), time=(0.0, 1.0))
    report(j("report_frames_mismatch.h5"),
           data=np.zeros((3, 6)))  # time (0, 1, 0.25) gives 4 frames
    report(j("report_cols_mismatch.h5"), data=np.zeros((4, 5)))
    report(j("report_float_ids.h5"))
    with h5py.File(j("report_float_ids.h5"), "a") as h:
        del h["report/All/mapping/node_ids"]
        h["report/All/mapping/node_ids"] = np.array([0.0, 1.0, 2.0])
    report(j("report_missing_time.h5"))
    with h5py.File(j("report_missing_time.h5"), "a") as h:
        del h["report/All/mapping/time"]
    with open(j("out_bad.dat"), "w") as f:
        f.write("/scatter\n0.100\t3\n\n1.500\tabc\n")
    with open(j("out_negative.dat"), "w") as f:
        f.write("/scatter\n0.100\t-5\n")


if __name__ == "__main__":
    main(sys.argv[1])
