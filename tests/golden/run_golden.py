#!/usr/bin/env python3
"""Golden tests: run `edict` on a case and compare with the expected output.

A case is `DIR/NAME.edict` (one file) or a folder `DIR/NAME/` (all its .edict
files, checked together). The expected output sits beside it in
`DIR/NAME.expected`: the command's stderr (and stdout for dump-ast / json),
without colour, then a last line `exit: N`.

Suites (the first path component of the case decides the command):
  check/    edict check --color never CASE
  parse/    edict dump-ast --color never CASE
  formats/  edict check --diagnostic-format=FORMAT CASE, FORMAT from the name
            (`NAME.short.edict`, `NAME.json.edict`)
  e2e/      a folder: edict run FILES.edict --input ledger.csv --output - ARGS,
            ARGS from the folder's `args` file (one per line, e.g.
            `--as-of 2025-06-01` or `--regime in_force`); only stdout (the
            decisions) and the exit status are compared, not the timing summary
  tests/    edict test CASE (the inline tests of the rule files)
  ir/       edict dump-ir CASE (the lowered program: rule windows, sets by date, …)

A check/, parse/ or formats/ case may have `DIR/NAME.args` beside it: extra
arguments, written as on a shell command line, placed after the options and
before the case's files (e.g. `--deny-warnings`, or a file that does not
exist).

usage: run_golden.py --edict BIN [--update] CASE...
With --update the expected files are rewritten; review them with `git diff`.
"""
import argparse
import difflib
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def command(edict, case):
    suite = case.split(os.sep)[0]
    path = os.path.join(HERE, case)
    files = ([os.path.join(case, f) for f in sorted(os.listdir(path)) if f.endswith(".edict")]
             if os.path.isdir(path) else [case])
    if suite == "e2e":
        args = []
        argfile = os.path.join(path, "args")
        if os.path.exists(argfile):
            with open(argfile) as f:
                for line in f:
                    args += line.split()
        return ([edict, "run", "--color", "never"] + files +
                ["--input", os.path.join(case, "ledger.csv"), "--output", "-"] + args)
    if suite == "ir":
        return [edict, "dump-ir", "--color", "never"] + files
    if suite == "tests":
        return [edict, "test", "--color", "never"] + files
    extra = []
    if os.path.exists(case_path(case, ".args")):
        with open(case_path(case, ".args")) as f:
            extra = shlex.split(f.read())
    if suite == "parse":
        return [edict, "dump-ast", "--color", "never"] + extra + files
    if suite == "formats":
        fmt = "short" if ".short." in case else "json" if ".json." in case else "human"
        return [edict, "check", "--color", "never", "--diagnostic-format=" + fmt] + extra + files
    return [edict, "check", "--color", "never"] + extra + files


def case_path(case, suffix):
    """`DIR/NAME.edict` or `DIR/NAME/` -> the path of `DIR/NAME` + suffix."""
    base = case[:-len(".edict")] if case.endswith(".edict") else case.rstrip(os.sep)
    return os.path.join(HERE, base + suffix)


def expected_path(case):
    return case_path(case, ".expected")


def run(edict, case):
    p = subprocess.run(command(edict, case), cwd=HERE, capture_output=True, text=True, timeout=120)
    if case.split(os.sep)[0] == "e2e":
        return p.stdout + "exit: %d\n" % p.returncode
    return p.stdout + p.stderr + "exit: %d\n" % p.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edict", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    cases = args.cases
    if not cases:
        for suite in ("check", "parse", "formats", "e2e", "tests", "ir"):
            if not os.path.isdir(os.path.join(HERE, suite)):
                continue
            for name in sorted(os.listdir(os.path.join(HERE, suite))):
                if name.endswith(".edict") or os.path.isdir(os.path.join(HERE, suite, name)):
                    cases.append(os.path.join(suite, name))
    failed = 0
    for case in cases:
        got = run(os.path.abspath(args.edict), case)
        exp_file = expected_path(case)
        if args.update:
            with open(exp_file, "w") as f:
                f.write(got)
            continue
        try:
            with open(exp_file) as f:
                want = f.read()
        except FileNotFoundError:
            want = ""
        if got != want:
            failed += 1
            print("FAIL %s" % case)
            sys.stdout.writelines(difflib.unified_diff(
                want.splitlines(True), got.splitlines(True), exp_file, "actual"))
    if not args.update:
        print("%d passed, %d failed" % (len(cases) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
