# SPDX-License-Identifier: MIT
"""Oracle: ranvier's hoc Random distributions against NEURON's h.Random.

Usage: NEURON_MODULE_OPTIONS=-nogui /usr/bin/python3 random_dist_oracle.py PATH/test_random_dist

For several stream ids and global indices, a sequence of operations
(setting uniform / normal / negexp / lognormal / poisson, each returning one
draw, and repick runs that exercise the polar method's cached second value)
is run on h.Random().Random123(id1, id2, id3) and on the C dumper; every value
must be bitwise identical.  Prints the number of values and the max
difference (0 expected).
"""

import os
import struct
import subprocess
import sys

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")

from neuron import h  # noqa: E402

U32 = 4294967295

OPS_A = [
    "repick:7",  # the default distribution: Normal(0, 1), pairs cached
    "normal:0:1",
    "repick:501",
    "normal:-2.5:0.36",
    "repick:300",
    "uniform:0:1",
    "repick:400",
    "uniform:3:-1.5",
    "repick:50",
    "negexp:1",
    "repick:400",
    "negexp:0.004",
    "repick:100",
    "lognormal:2:0.5",
    "repick:301",
    "poisson:3.5",
    "repick:200",
    "poisson:0.2",
    "repick:50",
    "normal:0:1",
    "normal:0:1",
    "uniform:0:1",
    "normal:1:4",
    "uniform:0:1",
    "repick:3",
]
# alternating set/draw, as neurodamus's gamma sampler does
OPS_B = []
for i in range(400):
    OPS_B += ["normal:0:1", "uniform:0:1"] if i % 3 else ["normal:0:1", "repick:1"]

CASES = [
    (0, 0, 0, 0, OPS_A),
    (0, 2997, 19216, 124, OPS_A),
    (3, 100, 500, 301, OPS_A),
    (U32, U32, U32, U32, OPS_A),
    (0, 2998, 291204, 1124, OPS_B),
    (17, 1, 2, 3, OPS_B),
]


def neuron_values(gix, id1, id2, id3, ops):
    h.Random().Random123_globalindex(gix)
    r = h.Random()
    r.Random123(id1, id2, id3)
    out = []
    for op in ops:
        name, *args = op.split(":")
        args = [float(a) for a in args]
        if name == "repick":
            out += [r.repick() for _ in range(int(args[0]))]
        else:
            out.append(getattr(r, name)(*args))
    return out


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def main():
    exe = sys.argv[1]
    total = 0
    maxdiff = 0.0
    failures = 0
    for gix, id1, id2, id3, ops in CASES:
        ref = neuron_values(gix, id1, id2, id3, ops)
        res = subprocess.run(
            [exe, str(gix), str(id1), str(id2), str(id3)] + ops,
            check=True,
            capture_output=True,
            text=True,
        )
        got = [float(x) for x in res.stdout.split()]
        if len(got) != len(ref):
            print(f"case {(gix, id1, id2, id3)}: {len(got)} values, NEURON {len(ref)}")
            failures += 1
            continue
        for i, (a, b) in enumerate(zip(got, ref)):
            total += 1
            d = abs(a - b)
            maxdiff = max(maxdiff, d)
            if bits(a) != bits(b):
                failures += 1
                if failures < 10:
                    print(f"case {(gix, id1, id2, id3)} value {i}: ranvier {a!r} NEURON {b!r}")
    h.Random().Random123_globalindex(0)
    print(f"random_dist: {total} values over {len(CASES)} streams, max |diff| = {maxdiff:.3g}, "
          f"{failures} not bitwise identical")
    return 1 if failures or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
