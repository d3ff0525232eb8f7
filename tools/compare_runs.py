#!/usr/bin/env python3
"""Cross-tabulates two `edict run` outputs over the same ledger.

usage: compare_runs.py A.csv B.csv [--name-a in_force] [--name-b diffusion_2025] [--top 12]

Prints how many rows each pair of decisions (A's decision -> B's decision)
covers, most frequent first, and the rows whose decision changed, in all.
Both files must come from the same ledger (same ids, same order).
"""
import argparse
import collections
import csv
import sys


def decision(row):
    return row["decision"] + ("(%s)" % row["basis"] if row["basis"] else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--name-a", default="A")
    ap.add_argument("--name-b", default="B")
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    pairs = collections.Counter()
    rows = changed = 0
    with open(args.a, newline="") as fa, open(args.b, newline="") as fb:
        for ra, rb in zip(csv.DictReader(fa), csv.DictReader(fb)):
            if ra["id"] != rb["id"]:
                sys.exit("the two outputs are not of the same ledger (id %s vs %s)" % (ra["id"], rb["id"]))
            rows += 1
            da, db = decision(ra), decision(rb)
            pairs[(da, db)] += 1
            changed += da != db
    width = max([len(a) for a, _ in pairs] + [len(args.name_a)])
    print("%-*s -> %-32s %10s" % (width, args.name_a, args.name_b, "rows"))
    for (da, db), n in pairs.most_common(args.top):
        print("%-*s -> %-32s %10d%s" % (width, da, db, n, "" if da != db else "  (same)"))
    if len(pairs) > args.top:
        print("... %d more pairs" % (len(pairs) - args.top))
    print("%d of %d rows (%.1f%%) are decided differently" % (changed, rows, 100.0 * changed / max(rows, 1)))


if __name__ == "__main__":
    main()
