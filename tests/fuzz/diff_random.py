#!/usr/bin/env python3
"""Random programs, both backends: the interpreter and the JIT must agree.

For each seed in the range, tests/fuzz/gen_program.py writes a random program
(a library, a regulation, an amendment, tables) and a random ledger with
spoiled rows. Then:

  1. the program must pass the check (`edict run` exits 1 with an error
     otherwise): a rejected program is a bug in the generator, and fails;
  2. `edict run` with `--backend interp` and with `--backend jit`: plain to
     stdout, with --explain to stdout, and with --explain to a .jsonl file.
     Exit codes, stdout and the files must be the same bytes; the exit code
     must be 0 or 3 (anything else, a crash or a timeout, is a bug too), and
     the JIT must say it compiled at least one instruction; every fourth
     seed also runs with --threads 1;
  3. `edict test` (the program's inline test), both backends: same bytes.

On a mismatch, the seed's folder is copied to WORK/repro/seed_N with a
`command.sh` that reruns the failing command, and the command is printed.

When the JIT is not built (--jit-built OFF, or `--backend jit` refused),
exits 77 (CTest: SKIPPED).

usage: diff_random.py --edict BIN [--jit-built ON|OFF] [--seeds A:B]
                      [--rows N] [--dirty RATE] [--work DIR] [--jobs J]
                      [--keep] [--timeout S] [--quick]
"""
import argparse
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "gen_program.py")
SKIP = 77
STATS = re.compile(r"jit: (\d+) instructions compiled into (\d+) kernels?, (\d+) interpreted")


# The JIT's disk cache (EDICT_CACHE_DIR): a fresh directory for each
# invocation, removed at the end (never $HOME's). The first JIT run of a
# program compiles; its later runs (--explain, .jsonl, ...) load from the
# cache: both paths are compared with the interpreter.
ENV = dict(os.environ)


def run(cmd, timeout):
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=ENV)
        return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return "timeout", b"", "timed out after %ss" % timeout


def first_diff(a, b):
    a = a.decode("utf-8", "replace").splitlines()
    b = b.decode("utf-8", "replace").splitlines()
    k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return "line %d (%d vs %d lines)\n    interp: %s\n    jit:    %s" % (
        k + 1, len(a), len(b), a[k][:400] if k < len(a) else "<none>", b[k][:400] if k < len(b) else "<none>")


class Seed:
    def __init__(self, opts, seed):
        self.o = opts
        self.seed = seed
        self.dir = os.path.join(opts.work, "seed_%d" % seed)
        self.problems = []  # (what, detail, command)
        self.rows = 0
        self.compiled = 0
        self.rejected = False

    def problem(self, what, detail, cmd):
        self.problems.append((what, detail, cmd))

    def both(self, what, cmd, out_file=None, allowed=(0, 3), need_stats=True, pre=None):
        res = {}
        if pre:
            res["interp"] = pre  # the interpreter's run, already made
        for b in ("interp", "jit"):
            if b in res:
                continue
            c = list(cmd)
            if out_file:
                path = os.path.join(self.dir, "out_%s.%s" % (b, out_file))
                if os.path.exists(path):
                    os.remove(path)
                c += ["--output", path]
            c += ["--backend", b]
            code, out, err = run(c, self.o.timeout)
            if out_file:
                try:
                    with open(path, "rb") as f:
                        out = f.read()
                except OSError:
                    out = b""
            res[b] = (code, out, err, c)
        (ci, oi, ei, cmd_i), (cj, oj, ej, cmd_j) = res["interp"], res["jit"]
        if cj == 2 and "not built" in ej:
            self.o.refused = ej.strip()
            return oi
        for b, (code, out, err, c) in res.items():
            if code not in allowed:
                self.problem("%s: %s exited %s" % (what, b, code), err.strip()[-800:], c)
        if ci != cj:
            self.problem("%s: exit %s with interp, %s with jit" % (what, ci, cj),
                         "interp: %s\n    jit: %s" % (ei.strip()[-400:], ej.strip()[-400:]), cmd_j)
        if oi != oj:
            self.problem("%s: output differs" % what, first_diff(oi, oj), cmd_j)
        if need_stats and cj in allowed:
            m = STATS.search(ej)
            if not m:
                self.problem("%s: the JIT printed no statistics" % what, ej.strip()[-400:], cmd_j)
            elif int(m.group(1)) == 0:
                self.problem("%s: the JIT compiled nothing" % what, m.group(0), cmd_j)
            else:
                self.compiled = max(self.compiled, int(m.group(1)))
        return oi

    def go(self):
        o = self.o
        if os.path.exists(self.dir):
            shutil.rmtree(self.dir)
        subprocess.run([sys.executable, GEN, str(self.seed), self.dir, "--rows", str(o.rows), "--dirty", str(o.dirty)],
                       check=True)
        with open(os.path.join(self.dir, "files")) as f:
            files = [x.strip() for x in f if x.strip()]
        with open(os.path.join(self.dir, "args")) as f:
            args = [x.strip() for x in f if x.strip()]
        ledger = os.path.join(self.dir, "ledger.csv")
        base = [o.edict, "run", "--color", "never"] + files + ["--input", ledger] + args
        # `edict run` checks the program first: exit 1 with an error is a
        # program `edict check` rejects (a bug in the generator).
        first = base + ["--output", "-", "--backend", "interp"]
        code, out, err = run(first, o.timeout)
        if code == 1 and "error[" in err:
            self.rejected = True
            self.problem("edict check rejected the program (a generator bug)", err[-2000:],
                         [o.edict, "check"] + files)
            self.save()
            return self
        out = self.both("run", base + ["--output", "-"], pre=(code, out, err, first))
        self.rows = max(0, out.count(b"\n") - 1)
        if not o.quick or self.seed % 2 == 0:
            self.both("run --explain", base + ["--output", "-", "--explain"])
        if not o.quick or self.seed % 2 == 1:
            self.both("run --explain .jsonl", base + ["--explain"], out_file="jsonl")
        if self.seed % 4 == 0 and not o.quick:
            self.both("run --threads 1 .csv", base + ["--threads", "1"], out_file="csv")
        with open(os.path.join(self.dir, "fz.edict")) as f:
            has_test = "\ntest " in f.read()
        if has_test and (not o.quick or self.seed % 4 == 1):
            self.both("edict test", [o.edict, "test", "--color", "never"] + files, allowed=(0, 1), need_stats=False)
        if self.problems:
            self.save()
        elif not o.keep:
            shutil.rmtree(self.dir)
        return self

    def save(self):
        dest = os.path.join(self.o.work, "repro", "seed_%d" % self.seed)
        if os.path.exists(dest):
            shutil.rmtree(dest)
        shutil.copytree(self.dir, dest)
        with open(os.path.join(dest, "command.sh"), "w") as f:
            f.write("#!/bin/sh\n# seed %d: regenerate with\n#   %s %d DIR --rows %d --dirty %s\n" % (
                self.seed, GEN, self.seed, self.o.rows, self.o.dirty))
            for what, detail, cmd in self.problems:
                f.write("# %s\n%s\n" % (what, " ".join(shlex.quote(c.replace(self.dir, dest)) for c in cmd)))
        self.saved = dest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edict", required=True)
    ap.add_argument("--jit-built", choices=["ON", "OFF"], default="ON")
    ap.add_argument("--seeds", default="1:41", help="A:B, seeds A to B-1")
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--dirty", type=float, default=0.03)
    ap.add_argument("--work", default="random_programs_work")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--keep", action="store_true", help="keep every seed's folder")
    ap.add_argument("--quick", action="store_true",
                    help="fewer commands per program (CTest): --explain to stdout on even seeds, to .jsonl on odd ones, "
                         "`edict test` on one seed in four, no --threads 1")
    o = ap.parse_args()
    o.edict = os.path.abspath(o.edict)
    o.refused = None
    o.work = os.path.abspath(o.work)

    if o.jit_built == "OFF":
        code, _, err = run([o.edict, "test", "--backend", "jit"], 60)
        if code != 2 or "not built" not in err:
            print("without the JIT, `--backend jit` should fail with exit 2; got %s: %s" % (code, err.strip()))
            return 1
        print("SKIPPED: the JIT is not built (EDICT_ENABLE_JIT=OFF or no LLVM 16)")
        return SKIP
    a, b = (int(x) for x in o.seeds.split(":"))
    os.makedirs(o.work, exist_ok=True)
    cache = tempfile.mkdtemp(prefix="jit_cache_", dir=o.work)
    ENV["EDICT_CACHE_DIR"] = cache
    try:
        return run_seeds(o, a, b)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def run_seeds(o, a, b):

    t0 = time.time()
    programs = rows = rejected = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=o.jobs) as ex:
        for s in ex.map(lambda seed: Seed(o, seed).go(), range(a, b)):
            programs += 1
            rows += s.rows
            rejected += s.rejected
            if s.problems:
                failed += 1
                print("FAIL seed %d (reproducer: %s)" % (s.seed, getattr(s, "saved", s.dir)))
                for what, detail, cmd in s.problems:
                    print("  %s\n    %s\n    command: %s" % (what, detail.replace("\n", "\n    "),
                                                          " ".join(shlex.quote(c) for c in cmd)))
                sys.stdout.flush()
            elif o.jobs == 1 or programs % 10 == 0:
                print("seed %d: identical (%d rows, %d instructions compiled)" % (s.seed, s.rows, s.compiled))
                sys.stdout.flush()
    if o.refused:
        # Said ON, but `--backend jit` is refused (a binary built without LLVM).
        print("SKIPPED: `--backend jit` is refused: %s" % o.refused)
        return SKIP
    print("%d programs x %d rows each (%d rows judged in all), seeds %d..%d: %d failed, %d rejected by "
          "`edict check`; %.1f s" % (programs, o.rows, rows, a, b - 1, failed, rejected, time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
