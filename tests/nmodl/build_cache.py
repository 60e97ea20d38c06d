#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`ranvier build-mechanisms DIR -o OUT` twice in a fresh cache: the first run
compiles, the second is a cache hit (same library, no compiler run, fast);
the cache directory is private (mode 0700); changing a file changes the key.
Usage: build_cache.py RANVIER MECHDIR WORKDIR"""
import os
import shutil
import stat
import subprocess
import sys
import time


def run(cmd, env):
    t = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return r, time.time() - t


def main():
    ranvier, mechdir, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "xdg"))
    out = os.path.join(work, "libmech.so")
    ok = True
    r1, t1 = run([ranvier, "build-mechanisms", mechdir, "-o", out], env)
    print("first run (%.3f s): rc %d, %s" % (t1, r1.returncode, r1.stderr.strip()))
    ok &= r1.returncode == 0 and "built:" in r1.stderr and os.path.exists(out)
    r2, t2 = run([ranvier, "build-mechanisms", mechdir, "-o", out], env)
    print("second run (%.3f s): rc %d, %s" % (t2, r2.returncode, r2.stderr.strip()))
    ok &= r2.returncode == 0 and "cache hit:" in r2.stderr
    ok &= r1.stdout == r2.stdout
    cache = os.path.join(work, "xdg", "ranvier")
    mode = stat.S_IMODE(os.stat(cache).st_mode)
    print("cache directory %s mode %o" % (cache, mode))
    ok &= mode == 0o700
    # a changed input is a different key: copy the folder, edit one file
    d2 = os.path.join(work, "mods")
    shutil.copytree(mechdir, d2)
    with open(os.path.join(d2, "pas.mod"), "a") as f:
        f.write("\n: edited\n")
    r3, t3 = run([ranvier, "build-mechanisms", d2], env)
    print("edited input (%.3f s): rc %d, %s" % (t3, r3.returncode, r3.stderr.strip()))
    ok &= r3.returncode == 0 and "built:" in r3.stderr
    libs = [f for f in os.listdir(cache) if f.endswith(".so")]
    print("libraries in the cache: %d" % len(libs))
    ok &= len(libs) == 2 and not [f for f in os.listdir(cache) if f.startswith("build-")]
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
