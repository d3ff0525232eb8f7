#!/usr/bin/env python3
"""The JIT's disk cache and its compile time on a large program.

Modes:
  twice      run the JIT twice with a fresh cache directory: the first run
             says "compiled in", the second "loaded from cache in"; both
             write the same bytes as the interpreter; `--jit-cache off`
             writes no file
  corrupt    damage the cache file (truncated, empty, garbage, one byte
             changed in the code or in the key): each time the JIT compiles
             again, gives the interpreter's output, and repairs the file
  evict      the directory's bound (EDICT_CACHE_MAX_MB): after a write, the
             oldest jit-*.bin files go until the rest fit, never the file
             just written nor anything else in the directory (stale temporary
             files excepted); a cache hit makes its file the newest; an
             unparsable bound is ignored
  many       a generated file of RULES rules (tests/tools/gen_many_rules.py)
             compiles, cold, its decision step in parts (up to 3,000
             rules; as column kernels too, with the bound lowered),
             and runs identically under both backends, over
             a ledger of several batches (a large program gets batches of
             fewer rows), and the interpreter's run peaks under 400 MB (the
             value columns of 15,000 instructions at 4,096 rows took 970 MB);
             without the JIT, the interpreter's part still runs (a failure
             fails; else SKIPPED)

Every run gets HOME and the cache directory inside a fresh temporary
directory: nothing is written to the real $HOME. Without the JIT
(--jit-built OFF) exits 77 (CTest: SKIPPED).

usage: jit_cache_test.py --edict BIN --jit-built ON|OFF [--gen-ledger GEN]
                         [--gen-rules GEN] [--rules N] MODE
"""
import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
SKIP = 77


def run(cmd, env):
    p = subprocess.run(cmd, capture_output=True, env=env, timeout=600)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edict", required=True)
    ap.add_argument("--jit-built", required=True, choices=["ON", "OFF"])
    ap.add_argument("--gen-ledger", default=os.path.join(ROOT, "tools", "gen_ledger.py"))
    ap.add_argument("--gen-rules", default=os.path.join(HERE, "gen_many_rules.py"))
    ap.add_argument("--rules", type=int, default=3000)
    ap.add_argument("mode", choices=["twice", "corrupt", "evict", "many"])
    a = ap.parse_args()
    if a.jit_built == "OFF" and a.mode != "many":  # many: the interpreter's part still runs
        print("SKIPPED: the JIT is not built")
        return SKIP
    edict = os.path.abspath(a.edict)
    tmp = tempfile.mkdtemp(prefix="edict_jit_cache_")
    try:
        return check(a, edict, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check(a, edict, tmp):
    problems = []
    env = dict(os.environ)
    env["HOME"] = tmp
    env.pop("XDG_CACHE_HOME", None)
    env.pop("EDICT_CACHE_DIR", None)
    env.pop("EDICT_CACHE_MAX_MB", None)
    cache = os.path.join(tmp, "cache")

    if a.mode == "many":
        rules = os.path.join(tmp, "many.edict")
        ledger = os.path.join(tmp, "many.csv")
        subprocess.run([sys.executable, a.gen_rules, str(a.rules), rules, "--ledger", ledger, "--rows", "1000"],
                       check=True)
        cmd = [edict, "run", rules, "--input", ledger, "--output", "-"]
        code_i, out_i, err_i = run(cmd + ["--backend", "interp"], env)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print("%d rules: the interpreter's run peaked at %.0f MB" % (a.rules, peak_mb))
        if a.rules >= 1000 and peak_mb > 400:
            problems.append("the interpreter's run peaked at %.0f MB (over 400 MB)" % peak_mb)
        if not out_i.count(b"\n") >= 1000:
            problems.append("too little output: %s" % err_i.strip()[-300:])
        if a.jit_built == "OFF":
            if problems:
                return report(problems)
            print("SKIPPED: the JIT is not built (the interpreter's part passed)")
            return SKIP
        start = time.time()
        code_j, out_j, err_j = run(cmd + ["--backend", "jit", "--jit-cache", "off"], env)
        seconds = time.time() - start
        m = re.search(r"jit: .*compiled in ([\d.]+) ms", err_j)
        if not m:
            problems.append("the JIT did not compile: %s" % err_j.strip()[-500:])
        else:
            print("%d rules: %s (the whole run %.1f s)" % (a.rules, m.group(0), seconds))
        # From about 400 generated rules (over 2,000 instructions,
        # PlanOptions::decision_part_insts) to about 12,000 (64,000,
        # max_decision_insts), the decision step is compiled in parts.
        if 1000 <= a.rules <= 10000 and not re.search(r"decision step compiled in \d+ parts", err_j):
            problems.append("the decision step was not compiled in parts: %s" % err_j.strip()[-500:])
        if code_i != code_j or out_i != out_j:
            problems.append("interp and jit differ (exit %d vs %d)" % (code_i, code_j))
        # A program over the bound (here 0) keeps the column kernels (compiled
        # in parallel) and the shared decision step.
        code_k, out_k, err_k = run(cmd + ["--backend", "jit", "--jit-cache", "off"],
                                   dict(env, EDICT_JIT_DECISION_INSTS="0"))
        if not re.search(r"decision step interpreted \(\d+ instructions, over 0 for the compiled decision step\)", err_k):
            problems.append("EDICT_JIT_DECISION_INSTS=0: the decision step was compiled: %s" % err_k.strip()[-500:])
        else:
            print("%d rules, as column kernels: %s" % (a.rules, re.search(r"jit: .*", err_k).group(0)))
        if code_i != code_k or out_i != out_k:
            problems.append("interp and jit's column kernels differ (exit %d vs %d)" % (code_i, code_k))
    else:
        ledger = os.path.join(tmp, "ledger.csv")
        subprocess.run([sys.executable, a.gen_ledger, "3000", "5", ledger], check=True, capture_output=True)
        cmd = [edict, "run", "--regime", "in_force", "--input", ledger, "--output", "-"]
        code_i, out_i, _ = run(cmd + ["--backend", "interp"], env)
        jit = cmd + ["--backend", "jit", "--jit-cache", cache]

        def jit_run(what, expect):
            code, out, err = run(jit, env)
            if code != code_i or out != out_i:
                problems.append("%s: output differs from the interpreter's (exit %d vs %d)" % (what, code, code_i))
            m = re.search(r"jit: .*; (compiled|loaded from cache|found in the cache) in [\d.]+ ms", err)
            if not m:
                problems.append("%s: no JIT statistics: %s" % (what, err.strip()[-300:]))
            elif m.group(1) != expect:
                problems.append("%s: %s, expected %s" % (what, m.group(1), expect))
            else:
                print("%s: identical; %s" % (what, m.group(0)))

        def files():
            return sorted(f for f in os.listdir(cache)) if os.path.isdir(cache) else []

        if a.mode == "evict":
            evict(problems, tmp, jit, env, jit_run)
            return report(problems)

        jit_run("first run", "compiled")
        if len(files()) != 1:
            problems.append("expected one cache file, found %s" % files())
        jit_run("second run", "loaded from cache")
        if a.mode == "twice":
            # The environment variable works as the flag does; `off` writes nothing.
            env2 = dict(env, EDICT_CACHE_DIR=cache)
            code, out, err = run(cmd + ["--backend", "jit"], env2)
            if out != out_i or "loaded from cache in" not in err:
                problems.append("EDICT_CACHE_DIR: not loaded from the cache: %s" % err.strip()[-300:])
            off = os.path.join(tmp, "off")
            for how, c, e in (("--jit-cache off", cmd + ["--backend", "jit", "--jit-cache", "off"], env),
                              ("EDICT_CACHE_DIR=off", cmd + ["--backend", "jit"], dict(env, EDICT_CACHE_DIR="off"))):
                code, out, err = run(c, e)
                if out != out_i or "compiled in" not in err:
                    problems.append("%s: %s" % (how, err.strip()[-300:]))
            if os.path.exists(os.path.join(tmp, ".cache")) or os.path.exists(off):
                problems.append("a cache was written although it was off")
            # With no setting at all, the default is $HOME/.cache/edict (HOME is the temp dir here).
            code, out, err = run(cmd + ["--backend", "jit"], env)
            if out != out_i or not os.listdir(os.path.join(tmp, ".cache", "edict")):
                problems.append("the default cache directory $HOME/.cache/edict was not used")
        else:
            [name] = files()
            path = os.path.join(cache, name)
            with open(path, "rb") as f:
                good = f.read()
            n = len(good)
            damages = [
                ("truncated to half", good[: n // 2]),
                ("truncated by 8 bytes", good[:-8]),
                ("empty", b""),
                ("garbage", bytes((i * 7 + 13) & 255 for i in range(n))),
                ("one byte changed in the code", good[: n * 3 // 4] + bytes([good[n * 3 // 4] ^ 0x5A]) + good[n * 3 // 4 + 1:]),
                ("one byte changed in the key", good[:40] + bytes([good[40] ^ 1]) + good[41:]),
                ("another file's contents", b"EDICTJC1" + good[8:100]),
            ]
            for what, data in damages:
                with open(path, "wb") as f:
                    f.write(data)
                jit_run("cache file " + what, "compiled")
                jit_run("after repair (" + what + ")", "loaded from cache")
            # An unreadable file (a directory in its place) is not fatal either.
            os.remove(path)
            os.mkdir(path)
            jit_run("cache file is a directory", "compiled")
            os.rmdir(path)
            # A cache directory that cannot be created: compiled, no error.
            blocker = os.path.join(tmp, "blocker")
            with open(blocker, "w") as f:
                f.write("a file, not a directory")
            code, out, err = run(cmd + ["--backend", "jit", "--jit-cache", os.path.join(blocker, "sub")], env)
            if out != out_i or "compiled in" not in err:
                problems.append("unusable cache directory: %s" % err.strip()[-300:])

    return report(problems)


def report(problems):
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


def evict(problems, tmp, jit, env, jit_run):
    """Eviction and LRU, in a cache directory seeded with files of known sizes and ages."""
    cache = jit[jit.index("--jit-cache") + 1]
    mib = 1 << 20
    now = time.time()

    def make(name, size, hours_ago):
        path = os.path.join(cache, name)
        with open(path, "wb") as f:
            f.write(b"x" * size)
        t = now - hours_ago * 3600
        os.utime(path, (t, t))
        return path

    def present():
        return set(os.listdir(cache))

    # An unparsable bound is ignored (the default, 256 MiB): nothing goes.
    os.makedirs(cache)
    make("jit-00000000000000aa.bin", 1000, 5)
    env["EDICT_CACHE_MAX_MB"] = "lots"
    jit_run("EDICT_CACHE_MAX_MB=lots", "compiled")
    [written] = present() - {"jit-00000000000000aa.bin"}
    size = os.path.getsize(os.path.join(cache, written))
    if "jit-00000000000000aa.bin" not in present():
        problems.append("an unparsable EDICT_CACHE_MAX_MB evicted files: %s" % sorted(present()))
    print("the program's cache file: %s, %d bytes" % (written, size))

    # A bound leaving room for two of four old files (each 2/5 of the room):
    # the two oldest go. Around them: files that are not ours, and temporary
    # files, one stale (goes) and one fresh (another writer's: stays).
    shutil.rmtree(cache)
    os.makedirs(cache)
    bound = size // mib + 2
    part = (bound * mib - size) * 2 // 5
    old = {"jit-%016x.bin" % i: make("jit-%016x.bin" % i, part, hours) for i, hours in ((1, 4), (2, 3), (3, 2), (4, 1))}
    others = ["notes.txt", "other.bin", "jit-0000000000000009.bin.bak", "jit-broken"]
    for name in others:
        make(name, 3 * bound * mib if name == "notes.txt" else 10, 10)
    os.mkdir(os.path.join(cache, "jit-subdir.bin"))
    make(written + ".tmp-1-2-3", 100, 2)
    make(written + ".tmp-4-5-6", 100, 0)
    env["EDICT_CACHE_MAX_MB"] = str(bound)
    jit_run("EDICT_CACHE_MAX_MB=%d" % bound, "compiled")
    expected = {written, "jit-0000000000000003.bin", "jit-0000000000000004.bin", "jit-subdir.bin",
                written + ".tmp-4-5-6"} | set(others)
    if present() != expected:
        problems.append("after eviction: %s, expected %s" % (sorted(present()), sorted(expected)))
    else:
        print("evicted the two oldest files and a stale temporary file; kept the rest")

    # A hit refreshes the file's time: the program's file is made the oldest,
    # loaded, and then the newest.
    path = os.path.join(cache, written)
    t = now - 10 * 3600
    os.utime(path, (t, t))
    before = time.time()
    jit_run("a hit", "loaded from cache")
    mtime = os.path.getmtime(path)
    if mtime < before - 1:
        problems.append("a hit did not refresh the file's time (%.0f s old)" % (time.time() - mtime))
    else:
        print("a hit refreshed the file's time")

    # 0 keeps nothing but the file just written (compiled again: it was removed).
    os.remove(path)
    env["EDICT_CACHE_MAX_MB"] = "0"
    jit_run("EDICT_CACHE_MAX_MB=0", "compiled")
    expected = {written, "jit-subdir.bin", written + ".tmp-4-5-6"} | set(others)
    if present() != expected:
        problems.append("with a bound of 0: %s, expected %s" % (sorted(present()), sorted(expected)))
    else:
        print("a bound of 0 kept only the file just written")


if __name__ == "__main__":
    sys.exit(main())
