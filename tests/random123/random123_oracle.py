# SPDX-License-Identifier: MIT
"""Oracle: ranvier's Random123 streams against NEURON's own draws.

Usage: NEURON_MODULE_OPTIONS=-nogui /usr/bin/python3 random123_oracle.py PATH/test_random123_draws

For a set of stream ids, global indices and start positions this draws from
h.Random().Random123(id1, id2, id3) with r.uniform(0, 1), r.negexp(1) and
r.normal(0, 1), runs the C draw dumper with the same parameters and requires
bitwise-identical doubles.  The raw 32-bit words (ipick) are checked by
mapping them through NEURON's (u + 1) * (1 / (2^32 + 1)) and comparing with
r.uniform.  Finally NetStim.noiseFromRandom123 spike times (noise = 1) are
rebuilt from the C negexp draws and compared exactly.

Why r.normal(0, 1) is comparable: hoc Random.normal(m, v) builds a fresh gnu
Normal object on every call, so the polar method's cached second value is
discarded and each call returns the first coordinate v1 * sqrt(-2 ln w / w)
scaled by sqrt(1) and shifted by 0 -- the same value nrnran123_normal gives.
(Random.repick() after normal() would return the cached value instead; that
is not modelled by rv_ran123_normal and not tested here.)
"""

import os
import struct
import subprocess
import sys

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")

from neuron import h  # noqa: E402

N = 1000
U32 = 4294967295
SHIFT32 = 1.0 / 4294967297.0

# (id1, id2, id3, pos, gix, gix_after); pos is Random.seq() encoding
# (4*seq + which) or None; gix_after switches the global index after the
# stream is positioned (NEURON reads it at every new Philox block).
CASES = [
    (0, 0, 0, None, 0, None),
    (1, 2, 3, None, 0, None),
    (U32, U32, U32, None, 0, None),
    (U32 - 1, 0, U32, None, 0, None),
    (0, U32, 1, None, 0, None),
    (123456, 7, 0, None, 1, None),
    (5, 6, 7, None, 17, None),
    (5, 6, 7, None, U32, None),
    (U32, 1, 0, None, 2**31, None),
    (1, 2, 3, 1, 0, None),
    (1, 2, 3, 6, 0, None),
    (1, 2, 3, 4 * 1000 + 3, 3, None),
    (42, 43, 44, 4 * 123456789 + 2, 9, None),
    (42, 43, 44, 4 * U32 + 1, 0, None),  # seq counter wraps to 0 mid-run
    (42, 43, 44, 4 * U32 + 3, 0, None),  # largest Random.seq() value
    (8, 9, 10, None, 4, 11),  # global index changed after creation
    (8, 9, 10, 4 * 50 + 1, 4, 0),
]


def bits(x):
    return struct.pack("<d", x)


def run_c(exe, mode, id1, id2, id3, n, pos, gix, gix_after):
    args = [exe, mode, str(id1), str(id2), str(id3), str(n)]
    args.append(str(pos if pos is not None else 0))
    args.append(str(gix))
    if gix_after is not None:
        args.append(str(gix_after))
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout.split()
    if len(out) != n:
        raise RuntimeError("%s printed %d values, expected %d" % (" ".join(args), len(out), n))
    return [int(v) for v in out] if mode == "ipick" else [float(v) for v in out]


def neuron_stream(id1, id2, id3, pos, gix, gix_after):
    h.Random().Random123_globalindex(gix)
    r = h.Random()
    r.Random123(id1, id2, id3)
    if pos is not None:
        r.seq(pos)
        got = int(r.seq())
        if got != pos:
            raise RuntimeError("NEURON Random.seq(%d) reads back %d" % (pos, got))
    if gix_after is not None:
        h.Random().Random123_globalindex(gix_after)
    return r


def neuron_draws(mode, id1, id2, id3, n, pos, gix, gix_after):
    r = neuron_stream(id1, id2, id3, pos, gix, gix_after)
    if mode == "uniform":
        return [r.uniform(0, 1) for _ in range(n)]
    if mode == "negexp":
        return [r.negexp(1) for _ in range(n)]
    if mode == "normal":
        return [r.normal(0, 1) for _ in range(n)]
    raise ValueError(mode)


class Tally:
    def __init__(self):
        self.compared = 0
        self.mismatches = 0
        self.maxdiff = 0.0

    def compare(self, label, ref, got):
        bad = 0
        for i, (a, b) in enumerate(zip(ref, got)):
            self.compared += 1
            d = abs(a - b)
            if d > self.maxdiff:
                self.maxdiff = d
            if bits(a) != bits(b):
                bad += 1
                if bad <= 3:
                    print("MISMATCH %s [%d]: neuron=%r ranvier=%r" % (label, i, a, b))
        if len(ref) != len(got):
            bad += 1
            print("MISMATCH %s: length neuron=%d ranvier=%d" % (label, len(ref), len(got)))
        self.mismatches += bad
        return bad


def netstim_times(id1, id2, id3, gix, interval, tstop):
    h.Random().Random123_globalindex(gix)
    ns = h.NetStim()
    ns.interval = interval
    ns.number = 1e9
    ns.start = 0
    ns.noise = 1
    ns.noiseFromRandom123(id1, id2, id3)
    nc = h.NetCon(ns, None)
    vec = h.Vector()
    nc.record(vec)
    h.finitialize(-65)
    h.continuerun(tstop)
    times = list(vec)
    del nc, ns
    return times


def main():
    if len(sys.argv) != 2:
        print("usage: random123_oracle.py PATH/test_random123_draws", file=sys.stderr)
        return 2
    exe = sys.argv[1]
    tally = Tally()
    h.load_file("stdrun.hoc")
    print("NEURON %s" % h.nrnversion())
    print("normal: hoc Random.normal(0,1) with a Random123 generator makes a fresh Normal per"
          " call (polar method, first coordinate) == nrnran123_normal; compared exactly")

    for case in CASES:
        id1, id2, id3, pos, gix, gix_after = case
        for mode in ("uniform", "negexp", "normal"):
            ref = neuron_draws(mode, id1, id2, id3, N, pos, gix, gix_after)
            got = run_c(exe, mode, id1, id2, id3, N, pos, gix, gix_after)
            tally.compare("%s %r" % (mode, case), ref, got)
        # Raw words: NEURON exposes them only through uniform = (u+1)*SHIFT32.
        ref = neuron_draws("uniform", id1, id2, id3, N, pos, gix, gix_after)
        words = run_c(exe, "ipick", id1, id2, id3, N, pos, gix, gix_after)
        if any(w < 0 or w > U32 for w in words):
            tally.mismatches += 1
            print("MISMATCH ipick %r: word out of range" % (case,))
        tally.compare("ipick %r" % (case,), ref, [(w + 1.0) * SHIFT32 for w in words])

    # NetStim with noise = 1: first event at start + interval*erand(), then
    # each next at t + interval*erand(), erand() = nrnran123_negexp.
    netstim_cases = [(1, 2, 3, 0), (U32, 0, 7, 5), (0, 0, 0, U32)]
    interval, tstop = 5.0, 2000.0
    for id1, id2, id3, gix in netstim_cases:
        times = netstim_times(id1, id2, id3, gix, interval, tstop)
        draws = run_c(exe, "negexp", id1, id2, id3, len(times) + 1, 0, gix, None)
        # invl(mean) = (1 - noise)*mean + noise*mean*erand(); first event at
        # start + invl(interval) - interval*(1 - noise), here start = 0.
        t = 0.0 + (0.0 * interval + 1.0 * interval * draws[0]) - interval * 0.0
        predicted = [t]
        for e in draws[1:]:
            t = t + (0.0 * interval + 1.0 * interval * e)
            predicted.append(t)
        if predicted[-1] <= tstop:
            tally.mismatches += 1
            print("MISMATCH netstim %r: NEURON stopped after %d spikes but the next is"
                  " predicted at %r <= tstop" % ((id1, id2, id3, gix), len(times), t))
        tally.compare("netstim %r" % ((id1, id2, id3, gix),), times, predicted[:-1])
        print("netstim ids=%r gix=%d: %d spike times compared"
              % ((id1, id2, id3), gix, len(times)))

    h.Random().Random123_globalindex(0)
    print("compared %d draws, %d mismatches, max abs difference %.17g"
          % (tally.compared, tally.mismatches, tally.maxdiff))
    if tally.mismatches:
        print("FAIL")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
