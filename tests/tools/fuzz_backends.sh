#!/usr/bin/env bash
# The long differential run over random programs: N programs of ROWS rows
# each, seeds SEED..SEED+N-1, every command of tests/fuzz/diff_random.py
# (plain, --explain, .jsonl, --threads 1, `edict test`). The bounded run in
# the suite is `differential/random_programs` (40 programs x 2,000 rows).
#
# usage: tests/tools/fuzz_backends.sh [N [ROWS [SEED [EDICT [WORK [JOBS]]]]]]
#   defaults: 500 programs, 20000 rows, seed 1000, build/compiler/edict,
#   /tmp/edict_fuzz_backends, 2 jobs
# Reproducers of any disagreement are saved under WORK/repro/seed_N.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-500}
rows=${2:-20000}
seed=${3:-1000}
edict=${4:-$root/build/compiler/edict}
work=${5:-/tmp/edict_fuzz_backends}
jobs=${6:-2}
exec python3 "$root/tests/fuzz/diff_random.py" --edict "$edict" --seeds "$seed:$((seed + n))" \
  --rows "$rows" --work "$work" --jobs "$jobs"
