# SPDX-License-Identifier: MIT
"""Oracle: neurodamus stimulus signals built with NEURON vs driver/stimulus.c.

Usage: NEURON_MODULE_OPTIONS=-nogui /usr/bin/python3 stim_oracle.py TEST_STIM_SIGNALS CASES [CONFIG]

For every `input` line of CASES and every cell/point, this script builds the
signal the way neurodamus does -- a SignalSource cursor, NEURON Vectors
(indgen, sin, setrand, integral, where, pow, mul, add) and hoc Random objects
on Random123 streams with neurodamus's ids and order of draws -- from our own
reading of neurodamus's algorithms (stimulus_manager.py, core/stimuli.py,
core/random.py; see /work/shared/reference/neurodamus-facts.md section 4).
It then runs `TEST_STIM_SIGNALS signals CASES` and compares every point:
times and randomly drawn values must be bitwise identical; values from
closed formulas within 1e-12 relative.  Prints the max differences.
With CONFIG (a SONATA simulation config), the inputs and run parameters come
from it instead: the C side reads it through the sonata layer
(`TEST_STIM_SIGNALS config CONFIG CASES`), this script with the json module,
so the sonata layer's field mapping and defaults are checked too.
With `--sweep N SEED` instead of CASES, N random inputs (every module, random
parameters, delays, gids, seeds; Python's random with SEED) are written to a
temporary cases file and compared the same way.
"""

import json
import math
import os
import random
import subprocess
import sys
import tempfile

os.environ.setdefault("NEURON_MODULE_OPTIONS", "-nogui")

from neuron import h  # noqa: E402

CURRENT, CONDUCTANCE, SECLAMP = 0, 1, 2


class Skip(Exception):
    pass


def parse(path):
    run, cells, inputs = {}, [], []
    for line in open(path):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        kv = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        if words[0] == "run":
            run = kv
        elif words[0] == "cell":
            cells.append(kv)
        elif words[0] == "input":
            inputs.append(kv)
    return run, cells, inputs


def config_inputs(path):
    """run and inputs of a simulation config, as the key=value strings of CASES."""
    cfg = json.load(open(path))
    run = {k: str(v) for k, v in cfg.get("run", {}).items()}
    inputs = []
    for name, d in cfg.get("inputs", {}).items():
        kv = {"name": name}
        for k, v in d.items():
            if isinstance(v, bool):
                kv[k] = "true" if v else "false"
            elif isinstance(v, list):
                kv[k] = ",".join(repr(float(x)) for x in v)
            elif isinstance(v, float):
                kv[k] = repr(v)
            else:
                kv[k] = str(v)
        inputs.append(kv)
    return run, inputs


def num(d, k, default=None):
    return float(d[k]) if k in d else default


def rng123(id1, id2, id3):
    r = h.Random()
    r.Random123(id1, id2, id3)
    return r


class Src:
    """neurodamus's SignalSource: a cursor and two growing vectors."""

    def __init__(self, base=0.0, delay=0.0):
        self.t, self.y = h.Vector(), h.Vector()
        self.cur, self.base = 0, base
        if delay > 0.0:
            self.point(base)
            self.cur = delay

    def point(self, amp):
        self.t.append(self.cur)
        self.y.append(amp)

    def ramp(self, a1, a2, dur):
        self.point(self.base)
        self.point(a1)
        self.cur += dur
        self.point(a2)
        self.point(self.base)

    def train(self, amp, freq, width, total):
        tau = 1000 / freq
        gap = tau - width
        assert gap >= 0
        n = int(total / tau)
        for _ in range(n):
            self.ramp(amp, amp, width)
            self.cur += gap
        rem = total - n * tau
        if width <= rem:
            self.ramp(amp, amp, width)
            self.cur += min(gap, rem - width)
        else:
            self.ramp(amp, amp, rem)
        self.point(self.base)

    def sin(self, amp, total, freq, step):
        tv = h.Vector()
        tv.indgen(self.cur, self.cur + total, step)
        self.t.append(tv)
        self.cur += total
        sv = h.Vector(len(tv))
        sv.sin(freq, 0.0, step)
        sv.mul(amp)
        self.y.append(sv)
        self.point(self.base)

    def samples(self, tv, sv, dur):
        self.point(self.base)
        self.t.append(tv)
        self.y.append(sv)
        self.cur += dur
        self.point(self.base)

    def noise(self, rng, mean, var, dur, dt=0.5):
        rng.normal(mean, var)
        tv = h.Vector()
        tv.indgen(self.cur, self.cur + dur, dt)
        sv = h.Vector(len(tv))
        sv.setrand(rng)
        self.samples(tv, sv, dur)

    def shot(self, rng, tau_d, tau_r, rate, amp_mean, amp_var, dur, dt):
        tv = h.Vector()
        tv.indgen(self.cur, self.cur + dur, dt)
        nt = len(tv)
        napprox = 1 + int(dur * (rate / 1000))
        napprox = int(napprox + 3 * math.sqrt(napprox))
        rng.negexp(1 / rate)
        iei = h.Vector(napprox)
        iei.setrand(rng)
        ev = h.Vector()
        ev.integral(iei, 1).mul(1000)
        assert ev[-1] >= dur
        ev.where("<", dur)
        ev.div(dt)
        nev = h.Vector([round(x) for x in ev])
        nev.where("<", nt)
        sign = 1
        if amp_mean < 0:
            amp_mean, sign = -amp_mean, -1
        scale = amp_var / amp_mean
        shape = amp_mean / scale
        amp = gamma(rng, shape, scale, len(nev))
        e = h.Vector(nt, 0)
        for n, a in zip(nev, amp):
            e.x[int(n)] += sign * a
        a = math.exp(-dt / tau_d)
        b = math.exp(-dt / tau_r)
        d, r = -math.log(a), -math.log(b)
        tp = math.log(r / d) / (r - d)
        norm = (a / b - 1) / (a**tp - b**tp)
        p, bb = h.Vector(nt, 0), h.Vector(nt, 0)
        for n in range(1, nt):
            p.x[n] = a * p[n - 1] + b * bb[n - 1]
            bb.x[n] = b * bb[n - 1] + e[n - 1]
        p.mul(norm)
        self.samples(tv, p, dur)

    def ou(self, rng, tau, sigma, mean, dur, dt):
        tv = h.Vector()
        tv.indgen(self.cur, self.cur + dur, dt)
        nt = len(tv)
        sv = h.Vector(nt, 0)
        noise = h.Vector(nt)
        rng.normal(0.0, 1.0)
        noise.setrand(rng)
        if tau < 1e-9:
            sv = noise.mul(sigma)
        else:
            mu = math.exp(-dt / tau)
            noise.mul(sigma * math.sqrt(1 - mu * mu))
            for n in range(1, nt):
                sv.x[n] = sv[n - 1] * mu + noise[n]
        sv.add(mean)
        self.samples(tv, sv, dur)


def gamma(rng, a, b, n):
    """Marsaglia-Tsang with a hoc Random: each normal/uniform re-set draws."""
    if a < 1:
        rng.uniform(0, 1)
        w = h.Vector(n)
        w.setrand(rng)
        w.pow(1 / a)
        return gamma(rng, 1 + a, b, n).mul(w)
    d = a - 1 / 3
    c = 1 / 3 / math.sqrt(d)
    out = h.Vector(n)
    for i in range(n):
        while True:
            x = rng.normal(0, 1)
            v = 1 + c * x
            if v > 0:
                v = v * v * v
                u = rng.uniform(0, 1)
                if u < 1 - 0.0331 * x * x * x * x or math.log(u) < 0.5 * x * x + d * (
                    1 - v + math.log(v)
                ):
                    out.x[i] = b * d * v
                    break
    return out


def shot_params(tau_d, tau_r, rel_skew, mean, sd):
    tp = math.log(tau_d / tau_r) / (1 / tau_r - 1 / tau_d)
    fp = math.exp(-tp / tau_d) - math.exp(-tp / tau_r)
    xi = (tau_d - tau_r) / fp
    a = 1 / (tau_d + tau_r)
    b = 1 / ((tau_d + 2 * tau_r) * (2 * tau_d + tau_r))
    bnd = (8 / 3) * (b / a**2) * (sd / mean)
    skew = (1 + rel_skew) * bnd
    assert bnd <= skew <= 2 * bnd
    th1 = 2 / (a * xi) * (sd**2 / mean)
    th2 = (3 * a) / (4 * b * xi) * (sd * skew)
    amp_mean = 2 * th1 - th2
    amp_var = amp_mean * (th2 - th1)
    return amp_mean, amp_var, mean / (amp_mean * xi) * 1000


def legacy_draws(rng, delay, dur, sim_dt, noise_dt=0.5):
    prev, tstep = 0, dur - sim_dt
    while prev < delay - sim_dt:
        nxt = min(prev + tstep, delay - sim_dt)
        tv = h.Vector()
        tv.indgen(prev, nxt, noise_dt)
        h.Vector(len(tv)).setrand(rng)
        prev = nxt + sim_dt


FAMILY = {
    "noise": "noise",
    "shot_noise": "shot",
    "relative_shot_noise": "shot",
    "absolute_shot_noise": "shot",
    "ornstein_uhlenbeck": "ou",
    "relative_ornstein_uhlenbeck": "ou",
}


def is_noop(s):
    m = s["module"]
    if m == "linear":
        a = num(s, "amp_start")
        return a == 0 and num(s, "amp_end", a) == 0
    if m == "relative_linear":
        a = num(s, "percent_start")
        return a == 0 and num(s, "percent_end", a) == 0
    if m == "pulse":
        return not (num(s, "frequency") > 0 and num(s, "width") > 0)
    if m == "sinusoidal":
        return not num(s, "frequency") > 0
    if FAMILY.get(m) == "shot":
        if int(num(s, "duration") / num(s, "dt", 0.25)) == 0:
            return True
        if m == "shot_noise":
            return not num(s, "rate") > 0
        if m == "relative_shot_noise":
            return num(s, "mean_percent") == 0
    return False


def build(s, cell, point, count, run):
    """Returns (kind, t, y, dur, amp1, rs, continuous, exact_y)."""
    m = s["module"]
    delay, dur = num(s, "delay", 0.0), num(s, "duration")
    thr, hold, rin = float(cell["threshold"]), float(cell["holding"]), float(cell["rin"])
    gid = int(cell["gid"])
    seed = int(run.get("stimulus_seed", 0))
    cond = s.get("input_type") == "conductance"
    if is_noop(s):
        raise Skip
    if m == "seclamp":
        lv = [float(x) for x in s.get("voltage_levels", "").split(",") if x]
        dl = [float(x) for x in s.get("duration_levels", "").split(",") if x]
        t, acc = [], 0.0
        for x in dl:
            acc += x
            t.append(acc)
        return SECLAMP, t, lv, dur, num(s, "voltage"), num(s, "series_resistance", 0.01), 0, True
    src = Src(num(s, "reversal", 0.0) if cond and m in FAMILY and m != "noise" else 0.0, delay)
    exact = True
    if m in ("linear", "relative_linear", "subthreshold", "hyperpolarizing"):
        if m == "linear":
            a1 = num(s, "amp_start")
            a2 = num(s, "amp_end", a1)
        elif m == "relative_linear":
            p1 = num(s, "percent_start")
            a1 = thr * (p1 / 100)
            a2 = thr * (num(s, "percent_end", p1) / 100)
        elif m == "subthreshold":
            a1 = a2 = thr * (100 - num(s, "percent_less")) / 100
        else:
            a1 = a2 = hold
        src.ramp(a1, a2, dur)
    elif m == "pulse":
        src.train(num(s, "amp_start"), num(s, "frequency"), num(s, "width"), dur)
    elif m == "sinusoidal":
        src.sin(num(s, "amp_start"), dur, num(s, "frequency"), num(s, "dt", 0.025))
        exact = False  # sin() of libm
    elif m == "noise":
        if "mean" in s:
            mean, var = num(s, "mean"), num(s, "variance")
        else:
            mean = thr * num(s, "mean_percent") / 100
            var = thr * num(s, "variance") / 100
        rng = rng123(count + 100, seed + 500, gid + 300 + 1)
        if delay > 0:
            legacy_draws(rng, delay, dur, float(run["dt"]))
        for _ in range(point + 1):  # one stream per cell, points in order
            src = Src(0.0, delay)
            src.noise(rng, mean, var, dur)
    elif FAMILY.get(m) == "shot":
        td, tr = num(s, "decay_time"), num(s, "rise_time")
        if m == "shot_noise":
            am, av, rate = num(s, "amp_mean"), num(s, "amp_var"), num(s, "rate")
        else:
            if m == "relative_shot_noise":
                rp = 1.0 / rin if cond else thr
                mean = (num(s, "mean_percent") / 100) * rp
                sd = (num(s, "sd_percent") / 100) * rp
            else:
                mean, sd = num(s, "mean"), num(s, "sigma")
            am, av, rate = shot_params(td, tr, num(s, "relative_skew", 0.5), mean, sd)
        id3 = int(s["random_seed"]) if "random_seed" in s else gid + 1 + 123
        rng = rng123(count + 2997, seed + 19216, id3)
        src.shot(rng, td, tr, rate, am, av, dur, num(s, "dt", 0.25))
    elif FAMILY.get(m) == "ou":
        if m == "ornstein_uhlenbeck":
            sigma, mean = num(s, "sigma"), num(s, "mean")
        else:
            rp = 1.0 / rin if cond else thr
            sigma = (num(s, "sd_percent") / 100) * rp
            mean = (num(s, "mean_percent") / 100) * rp
        id3 = int(s["random_seed"]) if "random_seed" in s else gid + 1 + 123
        rng = rng123(count + 2997, seed + 291204, id3)
        src.ou(rng, num(s, "tau"), sigma, mean, dur, num(s, "dt", 0.25))
    else:
        raise ValueError(m)
    t, y = list(src.t), list(src.y)
    if cond and m in FAMILY and m != "noise":
        last = t[-1]
        t = [0.0] + t
        y = [1 / x if 1e-9 < x < 1e9 else 1e9 for x in [0.0] + y]
        return CONDUCTANCE, t, y, last, num(s, "reversal", 0.0), 0.0, 1, exact
    return CURRENT, t, y, t[-1], 0.0, 0.0, 1, exact


def legacy_ok(delay, dur, sim_dt, noise_dt=0.5):
    """False when neurodamus's pre-delay noise draws hit a Vector.indgen error."""
    prev, tstep = 0, dur - sim_dt
    while prev < delay - sim_dt:
        nxt = min(prev + tstep, delay - sim_dt)
        if not (nxt - prev >= noise_dt):
            return False
        prev = nxt + sim_dt
    return True


def sweep_cases(n, seed, path):
    rnd = random.Random(seed)
    sim_dt = rnd.choice([0.025, 0.1, 0.01])
    lines = [f"run dt={sim_dt} tstop=1000 stimulus_seed={rnd.randrange(0, 100000)}"]
    for _ in range(4):
        lines.append(
            f"cell gid={rnd.randrange(0, 2000000)} threshold={rnd.uniform(0.05, 1.5)!r} "
            f"holding={rnd.uniform(-0.3, 0.0)!r} rin={rnd.uniform(20, 600)!r} "
            f"points={rnd.choice([1, 1, 2, 3])}"
        )

    def r(a, b, digits=3):
        return round(rnd.uniform(a, b), digits)

    made = 0
    while made < n:
        m = rnd.choice(sorted(set(FAMILY) | {"linear", "relative_linear", "pulse",
                                             "sinusoidal", "subthreshold", "hyperpolarizing"}))
        delay = rnd.choice([0, 0, r(0.5, 80, 2), float(rnd.randrange(1, 60))])
        dur = rnd.choice([r(1, 300, 2), float(rnd.randrange(1, 400))])
        kv = {"name": f"s{made}", "module": m, "delay": delay, "duration": dur}
        if m in FAMILY and m != "noise" and rnd.random() < 0.4:
            kv["input_type"] = "conductance"
            kv["reversal"] = rnd.choice([0, -70, r(0.5, 20)])
        if rnd.random() < 0.2:
            kv["represents_physical_electrode"] = "true"
        if m == "linear":
            kv["amp_start"], kv["amp_end"] = r(-1, 1), r(-1, 1)
        elif m == "relative_linear":
            kv["percent_start"], kv["percent_end"] = r(0, 200), r(0, 200)
        elif m == "subthreshold":
            kv["percent_less"] = r(0, 100)
        elif m == "pulse":
            kv["frequency"] = r(1, 200)
            kv["width"] = r(0.05, 1000 / kv["frequency"])
            kv["amp_start"] = r(-2, 2)
        elif m == "sinusoidal":
            kv["frequency"], kv["amp_start"] = r(0.5, 500), r(-1, 1)
            kv["dt"] = rnd.choice([0.025, 0.1, 0.05, 1.0])
            if kv["dt"] > dur:
                continue
        elif m == "noise":
            if rnd.random() < 0.5:
                kv["mean"], kv["variance"] = r(-0.5, 0.5), r(0.001, 0.5, 4)
            else:
                kv["mean_percent"], kv["variance"] = r(-50, 150), r(0.5, 50)
            if dur < 0.5 or (delay > 0 and not legacy_ok(delay, dur, sim_dt)):
                continue
        elif m == "hyperpolarizing":
            pass
        elif FAMILY[m] == "shot":
            kv["rise_time"] = r(0.1, 2)
            kv["decay_time"] = round(kv["rise_time"] + r(0.5, 15), 3)
            kv["dt"] = rnd.choice([0.25, 0.25, 0.1, 0.5, 0.025])
            if m == "shot_noise":
                kv["rate"] = r(0, 3000, 1)
                kv["amp_mean"] = r(-0.2, 0.2, 4) or 0.01
                kv["amp_var"] = r(1e-5, 0.02, 6) or 1e-4
            elif m == "relative_shot_noise":
                kv["mean_percent"], kv["sd_percent"] = r(1, 100), r(1, 60)
                kv["relative_skew"] = r(0, 1)
            else:
                kv["mean"], kv["sigma"] = r(0.005, 0.5, 4), r(0.005, 0.3, 4)
                kv["relative_skew"] = r(0, 1)
            if "input_type" in kv and m == "shot_noise":
                kv["amp_mean"], kv["amp_var"] = abs(kv["amp_mean"]) / 10 or 0.001, 1e-6
        else:  # OU
            kv["tau"] = rnd.choice([0, r(0.1, 20)])
            kv["dt"] = rnd.choice([0.25, 0.1, 0.5])
            if kv["dt"] > dur:
                continue
            if m == "ornstein_uhlenbeck":
                kv["sigma"], kv["mean"] = r(0.001, 0.3, 4), r(-0.2, 0.3)
            else:
                kv["mean_percent"], kv["sd_percent"] = r(-20, 100), r(1, 50)
        if FAMILY.get(m) in ("shot", "ou") and rnd.random() < 0.3:
            kv["random_seed"] = rnd.randrange(0, 4294967295)
        lines.append("input " + " ".join(f"{k}={v}" for k, v in kv.items()))
        made += 1
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def read_c(args):
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {out.stderr.strip()}")
    sigs, cur = {}, None
    for line in out.stdout.splitlines():
        w = line.split()
        if w[0] == "E":
            sigs[(w[1], int(w[2]), int(w[3]))] = {"error": w[4]}
            cur = None
        elif w[0] == "S":
            cur = {
                "kind": int(w[4]),
                "skip": int(w[5]),
                "elec": int(w[6]),
                "n": int(w[7]),
                "dur": float(w[8]),
                "amp1": float(w[9]),
                "rs": float(w[10]),
                "cont": int(w[11]),
                "count": int(w[12]),
                "t": [],
                "y": [],
            }
            sigs[(w[1], int(w[2]), int(w[3]))] = cur
        else:
            cur["t"].append(float(w[0]))
            cur["y"].append(float(w[1]))
    return sigs


def main():
    exe, cases = sys.argv[1], sys.argv[2]
    if cases == "--sweep":
        tmp = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
        tmp.close()
        sweep_cases(int(sys.argv[3]), int(sys.argv[4]), tmp.name)
        cases = tmp.name
        del sys.argv[3:]
        try:
            return compare(exe, cases)
        finally:
            os.unlink(cases)
    return compare(exe, cases)


def compare(exe, cases):
    run, cells, inputs = parse(cases)
    if len(sys.argv) > 3:
        run, inputs = config_inputs(sys.argv[3])
        sigs = read_c([exe, "config", sys.argv[3], cases])
    else:
        sigs = read_c([exe, "signals", cases])
    counters = {"noise": 0, "shot": 0, "ou": 0}
    fails = 0
    stats = {"t": 0.0, "y_exact": 0.0, "y_formula": 0.0, "values": 0, "signals": 0, "skips": 0,
             "errors": 0}
    modules = set()

    def fail(msg):
        nonlocal fails
        fails += 1
        if fails < 20:
            print("FAIL", msg)

    for s in inputs:
        fam = FAMILY.get(s["module"])
        count = counters[fam] if fam else -1
        noop = is_noop(s)
        for cell in cells:
            for p in range(int(cell.get("points", 1))):
                key = (s["name"], int(cell["gid"]), p)
                c = sigs.get(key)
                if c is None:
                    fail(f"{key}: missing from the C output")
                    continue
                try:
                    ref = None if noop else build(s, cell, p, count, run)
                except (AssertionError, RuntimeError) as e:  # neurodamus fails here too
                    if "error" not in c:
                        fail(f"{key}: neurodamus fails ({type(e).__name__}) but ranvier builds it")
                    stats["errors"] += 1
                    continue
                if "error" in c:
                    fail(f"{key}: ranvier fails (key {c['error']}) but neurodamus builds it")
                    continue
                if fam and c["count"] != count:
                    fail(f"{key}: family counter {c['count']}, expected {count}")
                if noop:
                    stats["skips"] += 1
                    if not c["skip"]:
                        fail(f"{key}: should be a no-op")
                    continue
                if c["skip"]:
                    fail(f"{key}: skipped but neurodamus builds it")
                    continue
                kind, t, y, dur, amp1, rs, cont, exact = ref
                modules.add(s["module"])
                stats["signals"] += 1
                elec = 1 if s.get("represents_physical_electrode") == "true" else 0
                meta = (c["kind"], c["dur"], c["amp1"], c["rs"], c["cont"], c["elec"])
                if meta != (kind, dur, amp1, rs, cont, elec):
                    fail(f"{key}: kind/dur/amp1/rs/continuous/electrode {meta}, expected "
                         f"{(kind, dur, amp1, rs, cont, elec)}")
                if len(t) != c["n"] or len(c["t"]) != c["n"]:
                    fail(f"{key}: {c['n']} points, NEURON {len(t)}")
                    continue
                for i in range(len(t)):
                    stats["values"] += 1
                    dt_ = abs(c["t"][i] - t[i])
                    stats["t"] = max(stats["t"], dt_)
                    if c["t"][i] != t[i]:
                        fail(f"{key} point {i}: t {c['t'][i]!r} != {t[i]!r}")
                    dy = abs(c["y"][i] - y[i])
                    if exact:
                        stats["y_exact"] = max(stats["y_exact"], dy)
                        if c["y"][i] != y[i]:
                            fail(f"{key} point {i} (t={t[i]}): y {c['y'][i]!r} != {y[i]!r}")
                    else:
                        rel = dy / max(abs(y[i]), 1e-300)
                        stats["y_formula"] = max(stats["y_formula"], dy)
                        if dy > 1e-12 * max(abs(y[i]), 1.0):
                            fail(f"{key} point {i}: y {c['y'][i]!r} vs {y[i]!r} (rel {rel:.3g})")
        if fam and not noop:
            counters[fam] += 1
    print(f"stim signals: {stats['signals']} signals ({len(modules)} modules) + "
          f"{stats['skips']} no-ops + {stats['errors']} failing in both, {stats['values']} points; "
          f"max |dt| = {stats['t']:.3g}, "
          f"max |dy| (draws and exact formulas) = {stats['y_exact']:.3g}, "
          f"max |dy| (sin) = {stats['y_formula']:.3g}; {fails} failures")
    if stats["signals"] == 0 or len(modules) < (12 if cases != sys.argv[2] else 13):
        print("too few signals compared")
        return 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
