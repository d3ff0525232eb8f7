#!/usr/bin/env python3
"""A dirty ledger is decided like its clean twin, row for row.

Generates a ledger with spoiled rows (tools/gen_ledger.py --dirty) and, in the
same run, the same ledger without them (--clean-twin); runs `edict run
--regime REGIME` over both; then checks that every spoiled row came back as
ERROR with its line number, that no other row is ERROR, and that every good
row's output is byte-identical to its output in the clean run.

usage: dirty_ledger.py --edict BIN --gen GEN.py [--rows N] [--dirty RATE] [--work DIR]
"""
import argparse
import csv
import os
import subprocess
import sys


def run(edict, regime, ledger, out, threads=2):
    p = subprocess.run([edict, "run", "--regime", regime, "--input", ledger, "--output", out,
                        "--threads", str(threads)], capture_output=True, text=True)
    return p.returncode, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edict", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--dirty", default="0.01")
    ap.add_argument("--seed", default="11")
    ap.add_argument("--regime", default="diffusion_2025")
    ap.add_argument("--work", default="dirty_ledger_work")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    dirty, clean, spoiled = (os.path.join(a.work, n) for n in ("dirty.csv", "clean.csv", "spoiled.csv"))
    subprocess.run([sys.executable, a.gen, str(a.rows), a.seed, dirty, "--dirty", a.dirty,
                    "--clean-twin", clean, "--spoiled-ids", spoiled], check=True)
    with open(spoiled) as f:
        bad_lines = {int(r["line"]) for r in csv.DictReader(f)}
    if not bad_lines:
        print("the generator spoiled no rows; raise --dirty")
        return 1
    out_dirty, out_clean = os.path.join(a.work, "dirty.out.csv"), os.path.join(a.work, "clean.out.csv")
    code_dirty, err_dirty = run(a.edict, a.regime, dirty, out_dirty)
    code_clean, err_clean = run(a.edict, a.regime, clean, out_clean)
    problems = []
    # One thread, two (a reader thread) or more (values parsed on N - 2
    # threads): the same bytes.
    for threads in (1, 3, 4):
        out_t = os.path.join(a.work, "dirty.threads-%d.csv" % threads)
        run(a.edict, a.regime, dirty, out_t, threads=threads)
        with open(out_t, "rb") as f1, open(out_dirty, "rb") as f2:
            if f1.read() != f2.read():
                problems.append("--threads %d and --threads 2 wrote different output" % threads)
    if code_dirty != 3:
        problems.append("dirty run: exit %d, expected 3 (some rows rejected)\n%s" % (code_dirty, err_dirty))
    if code_clean != 0:
        problems.append("clean run: exit %d, expected 0\n%s" % (code_clean, err_clean))
    with open(out_dirty) as f:
        dirty_rows = f.read().splitlines()[1:]
    with open(out_clean) as f:
        clean_rows = f.read().splitlines()[1:]
    # Output row k is ledger line k + 2 (line 1 is the header).
    if len(dirty_rows) != a.rows:
        problems.append("dirty run wrote %d rows for %d input rows" % (len(dirty_rows), a.rows))
    good = []
    for k, row in enumerate(dirty_rows):
        line = k + 2
        is_error = ",ERROR," in row
        if line in bad_lines:
            if not is_error or ("line %d:" % line) not in row:
                problems.append("spoiled line %d not reported as ERROR with its line: %s" % (line, row))
        else:
            if is_error:
                problems.append("good line %d came back as ERROR: %s" % (line, row))
            good.append(row)
    if good != clean_rows:
        diff = next((i for i, (x, y) in enumerate(zip(good, clean_rows)) if x != y), min(len(good), len(clean_rows)))
        problems.append("good rows differ from the clean run at good row %d:\n  dirty: %s\n  clean: %s" % (
            diff, good[diff] if diff < len(good) else "<none>", clean_rows[diff] if diff < len(clean_rows) else "<none>"))
    for p in problems[:10]:
        print(p)
    print("%d rows, %d spoiled: %s" % (a.rows, len(bad_lines), "ok" if not problems else "%d problems" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
