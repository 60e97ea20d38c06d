#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the h5v1 test morphologies of this directory (needs h5py):

  contour.h5  soma outline (8 points), axon and dendrite trees whose child
              sections repeat their parent's last point (MorphIO's layout),
              one child that does not; float32 points; /metadata version 1.3
  nosoma.h5   no soma section, two trees; float64 points; no /metadata
  sphere.h5   one-point soma (as converted from SWC); child sections repeat
              the parent's last point with its diameter
"""
import h5py
import numpy as np


def write(path, sections, dtype, meta=True):
    """sections: list of (type, parent, [(x, y, z, d), ...])"""
    pts, st = [], []
    for typ, par, p in sections:
        st.append((len(pts), typ, par))
        pts.extend(p)
    with h5py.File(path, "w") as f:
        f.create_dataset("points", data=np.array(pts, dtype=dtype))
        f.create_dataset("structure", data=np.array(st, dtype=np.int32))
        if meta:
            g = f.create_group("metadata")
            g.attrs["version"] = np.array([1, 3], dtype=np.uint32)
            g.attrs["cell_family"] = np.array([0], dtype=np.uint32)


soma = [(6.1, 0.3, 1.0, 0.2), (4.4, 4.1, 1.0, 0.2), (0.2, 6.3, 1.0, 0.2), (-4.6, 4.0, 1.0, 0.2),
        (-6.4, -0.1, 1.0, 0.2), (-4.2, -4.5, 1.0, 0.2), (0.3, -6.2, 1.0, 0.2), (4.5, -4.3, 1.0, 0.2)]
write("contour.h5", [
    (1, -1, soma),
    (2, 0, [(0.2, -6.5, 1.0, 1.1), (0.5, -15.3, 1.2, 1.0), (1.1, -24.7, 1.1, 0.9)]),
    (2, 1, [(1.1, -24.7, 1.1, 0.7), (5.3, -35.2, 1.5, 0.6), (9.4, -48.8, 2.0, 0.5)]),
    (2, 1, [(1.1, -24.7, 1.1, 0.6), (-4.2, -38.1, 0.8, 0.5)]),
    (3, 0, [(6.4, 0.5, 1.0, 1.6), (17.3, 2.2, 0.7, 1.4), (28.9, 5.1, 0.2, 1.2)]),
    (3, 4, [(28.9, 5.1, 0.2, 0.9), (41.2, 13.5, 0.0, 0.8)]),
    (3, 5, [(41.2, 13.5, 0.0, 0.6), (52.7, 20.3, -0.5, 0.5), (61.0, 21.7, -0.8, 0.4)]),
    (3, 5, [(41.2, 13.5, 0.0, 0.5), (49.6, 4.4, 0.3, 0.4)]),
    (3, 4, [(30.1, 3.0, 0.2, 0.8), (44.0, -6.0, 0.4, 0.7)]),  # does not repeat its parent's end
    (4, 0, [(0.1, 6.6, 1.0, 2.0), (0.4, 22.0, 1.5, 1.7), (1.0, 47.5, 2.0, 1.3)]),
], np.float32)
write("nosoma.h5", [
    (3, -1, [(0.0, 0.0, 0.0, 1.5), (11.25, 1.5, 0.125, 1.25), (20.5, 3.0, 0.25, 1.0)]),
    (3, 0, [(20.5, 3.0, 0.25, 0.75), (30.0, 9.0, 0.5, 0.5)]),
    (3, 0, [(20.5, 3.0, 0.25, 0.75), (31.0, -2.0, 0.5, 0.5)]),
    (2, -1, [(-2.0, 0.0, 0.0, 1.0), (-20.0, -4.0, 1.0, 0.5)]),
], np.float64, meta=False)
write("sphere.h5", [
    (1, -1, [(1.0, 2.0, 3.0, 11.0)]),
    (3, 0, [(7.0, 2.0, 3.0, 1.2), (19.0, 4.0, 3.5, 1.0), (31.0, 8.0, 4.0, 0.8)]),
    (3, 1, [(31.0, 8.0, 4.0, 0.8), (40.0, 15.0, 4.0, 0.6)]),
    (3, 1, [(31.0, 8.0, 4.0, 0.8), (42.0, 2.0, 4.5, 0.6)]),
    (2, 0, [(-4.5, 2.0, 3.0, 0.7)]),
    (4, 0, [(1.0, 8.5, 3.0, 1.5), (1.5, 30.0, 3.0, 1.2)]),
], np.float32)
