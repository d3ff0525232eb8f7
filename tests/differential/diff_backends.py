#!/usr/bin/env python3
"""Differential tests: the interpreter and the JIT must write the same bytes.

Each mode runs `edict` once with `--backend interp` and once with
`--backend jit` and compares stdout and the exit status byte for byte. The
JIT's run must also say on stderr that it compiled something
("jit: N instructions compiled ..." with N > 0), unless the program leaves it
nothing to evaluate (every instruction dead or constant), and must not have
fallen back to interpreting everything.

Modes:
  e2e CASE             a case folder of tests/golden/e2e (ledger.csv, optional
                       args, optional .edict files; run as run_golden.py does),
                       plain, with --explain, and with the decision step in
                       parts of one rule each (EDICT_JIT_DECISION_PART_INSTS=1,
                       as a large program's is split)
  dirty REGIME         a dirty ledger (tools/gen_ledger.py ROWS SEED X --dirty
                       RATE) under a stdlib regime, plain (the JIT's decision
                       step must be the compiled one), in parts of one rule
                       each, plain with EDICT_JIT_DECIDE=0 (column kernels and
                       the shared decision step), --explain, and JSON lines
  inline [FILES...]    `edict test` (the inline tests of FILES, or the stdlib)

When the JIT is not built (--jit-built OFF), exits 77, which CTest reports as
SKIPPED, never as passed; it first checks that `--backend jit` is refused.

usage: diff_backends.py --edict BIN --jit-built ON|OFF [--gen GEN.py]
                        [--work DIR] MODE ARGS...
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "golden")
sys.path.insert(0, GOLDEN)
from run_golden import command as golden_command  # noqa: E402  (how a golden case is run)
SKIP = 77

STATS = re.compile(r"jit: (\d+) instructions compiled into (\d+) kernels?, (\d+) interpreted")


# The JIT's disk cache (EDICT_CACHE_DIR): a fresh, empty directory for each
# invocation of this script, removed at the end. So the first JIT run of each
# mode really compiles (what a cache shared across invocations or test runs
# would hide, as every run after the first would load the same objects), and
# the later runs of the same program (dirty mode: --explain, --threads 1,
# JSON lines) load what it compiled from the cache: both paths are compared
# with the interpreter. Never $HOME's cache.
ENV = dict(os.environ)


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=600, env=ENV)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


LAST_JIT_STDERR = ""


def compare(what, cmd, cwd, problems, need_stats=True):
    """Runs cmd with each backend; returns the JIT's compiled-instruction count."""
    before = len(problems)
    code_i, out_i, err_i = run(cmd + ["--backend", "interp"], cwd)
    code_j, out_j, err_j = run(cmd + ["--backend", "jit"], cwd)
    global LAST_JIT_STDERR
    LAST_JIT_STDERR = err_j
    if code_i != code_j:
        problems.append("%s: exit %d with interp, %d with jit\n  interp stderr: %s\n  jit stderr: %s" % (
            what, code_i, code_j, err_i.strip()[-500:], err_j.strip()[-500:]))
    if out_i != out_j:
        a = out_i.decode("utf-8", "replace").splitlines()
        b = out_j.decode("utf-8", "replace").splitlines()
        k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        problems.append("%s: stdout differs at line %d (%d vs %d lines)\n  interp: %s\n  jit:    %s" % (
            what, k + 1, len(a), len(b), a[k][:300] if k < len(a) else "<none>", b[k][:300] if k < len(b) else "<none>"))
    if not out_i and code_i != 0:
        problems.append("%s: no output (exit %d): %s" % (what, code_i, err_i.strip()[-500:]))
    if not need_stats:
        return None
    if "every instruction interpreted" in err_j:
        problems.append("%s: the JIT fell back to the interpreter: %s" % (what, err_j.strip()[-500:]))
        return 0
    m = STATS.search(err_j)
    if not m:
        problems.append("%s: the JIT printed no statistics\n  stderr: %s" % (what, err_j.strip()[-500:]))
        return 0
    compiled, interpreted = int(m.group(1)), int(m.group(3))
    if compiled == 0 and interpreted > 0:
        problems.append("%s: the JIT compiled nothing (%s)" % (what, m.group(0)))
    if len(problems) == before:
        print("%s: identical; %s" % (what, m.group(0)))
    return compiled


def compare_in_parts(what, cmd, cwd, problems):
    """As compare, with the JIT's decision step split into parts of one rule
    each (PlanOptions::decision_part_insts), when it has more than one rule."""
    ENV["EDICT_JIT_DECISION_PART_INSTS"] = "1"
    try:
        compare(what + " (decision step in parts)", cmd, cwd, problems)
    finally:
        del ENV["EDICT_JIT_DECISION_PART_INSTS"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edict", required=True)
    ap.add_argument("--jit-built", required=True, choices=["ON", "OFF"])
    ap.add_argument("--gen", default=os.path.join(HERE, "..", "..", "tools", "gen_ledger.py"))
    ap.add_argument("--work", default="differential_work")
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--seed", default="3")
    ap.add_argument("--dirty", default="0.01")
    ap.add_argument("mode", choices=["e2e", "dirty", "inline"])
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    edict = os.path.abspath(a.edict)

    if a.jit_built == "OFF":
        # The JIT must be refused, not silently replaced by the interpreter.
        code, _, err = run([edict, "test", "--backend", "jit"])
        if code != 2 or "not built" not in err:
            print("without the JIT, `--backend jit` should fail with exit 2; got %d: %s" % (code, err.strip()))
            return 1
        print("SKIPPED: the JIT is not built (EDICT_ENABLE_JIT=OFF or no LLVM 16)")
        return SKIP

    cache = tempfile.mkdtemp(prefix="edict_diff_cache_")
    ENV["EDICT_CACHE_DIR"] = cache
    try:
        return compare_mode(a, edict)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def compare_mode(a, edict):
    problems = []
    if a.mode == "e2e":
        case = a.args[0].rstrip("/")
        cmd = golden_command(edict, case)  # exactly as the golden test runs it
        compare(case, cmd, GOLDEN, problems)
        compare(case + " --explain", cmd + ["--explain"], GOLDEN, problems)
        compare_in_parts(case, cmd, GOLDEN, problems)
    elif a.mode == "dirty":
        regime = a.args[0]
        os.makedirs(a.work, exist_ok=True)
        ledger = os.path.join(a.work, "dirty_%s_%s_%s.csv" % (a.rows, a.seed, a.dirty))
        if not os.path.exists(ledger):
            tmp = ledger + ".tmp%d" % os.getpid()
            subprocess.run([sys.executable, a.gen, str(a.rows), a.seed, tmp, "--dirty", a.dirty], check=True)
            os.replace(tmp, ledger)
        cmd = [edict, "run", "--regime", regime, "--input", ledger]
        what = "dirty ledger under %s" % regime
        compiled = compare(what, cmd + ["--output", "-"], None, problems)
        # The rule library's regimes are small enough for the compiled
        # decision step: that is what this run must have compared.
        if "decision step compiled" not in LAST_JIT_STDERR:
            problems.append("%s: the decision step was not compiled: %s" % (what, LAST_JIT_STDERR.strip()[-300:]))
        compare_in_parts(what, cmd + ["--output", "-"], None, problems)
        # And the JIT's other path, column kernels with the shared decision step.
        ENV["EDICT_JIT_DECIDE"] = "0"
        compare(what + " (EDICT_JIT_DECIDE=0)", cmd + ["--output", "-"], None, problems)
        del ENV["EDICT_JIT_DECIDE"]
        compare(what + " --explain", cmd + ["--output", "-", "--explain"], None, problems)
        compare(what + " --threads 1", cmd + ["--output", "-", "--threads", "1"], None, problems)
        # JSON lines go to a file: compare the files.
        outs = []
        for backend in ("interp", "jit"):
            out = os.path.join(a.work, "dirty_%s_%s.jsonl" % (regime, backend))
            run(cmd + ["--output", out, "--explain", "--backend", backend])
            with open(out, "rb") as f:
                outs.append(f.read())
        if outs[0] != outs[1]:
            problems.append("%s: --output .jsonl --explain differs" % what)
        if not outs[0]:
            problems.append("%s: empty JSON lines output" % what)
        if compiled == 0:
            problems.append("%s: the JIT compiled nothing" % what)
    else:
        compare("edict test " + " ".join(os.path.basename(f) for f in a.args), [edict, "test", "--color", "never"] + a.args,
                None, problems, need_stats=False)
        if not problems:
            print("edict test: identical")

    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
