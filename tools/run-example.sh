#!/usr/bin/env bash
# README command 1: set up, build, and run the main job on an embedded
# example: generate a ledger of 200,000 synthetic AI-chip shipments with the
# project's own generator, judge every row under the rules in force on its
# date and under the AI Diffusion rule as if it had been enforced, and print
# the summaries (decisions per kind, cap usage, speed) and one explained row.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash tools/setup.sh
bash tools/build.sh
edict=build/compiler/edict
out=${EDICT_EXAMPLE_OUT:-build/example}
mkdir -p "$out"
echo "== checking the rule library (stdlib/us_ear) and running its inline tests"
$edict check stdlib/us_ear/*.edict
$edict test
echo "== generating $out/ledger.csv (200,000 rows, seed 1)"
python3 tools/gen_ledger.py 200000 1 "$out/ledger.csv"
for regime in in_force diffusion_2025; do
  echo "== edict run --regime $regime  ->  $out/$regime.csv"
  $edict run --regime "$regime" --input "$out/ledger.csv" --output "$out/$regime.csv"
done
echo "== what changes: in_force -> diffusion_2025, rows per pair of decisions"
python3 tools/compare_runs.py "$out/in_force.csv" "$out/diffusion_2025.csv" --name-a in_force --name-b diffusion_2025
echo "== why: the first row the two regimes decide differently (and diffusion_2025 by a rule), explained"
line=$(paste -d '|' "$out/in_force.csv" "$out/diffusion_2025.csv" |
       awk -F'|' 'NR>1 && $1 != $2 { split($2, b, ","); if (b[4] != "") { print NR; exit } }' || true)
if [ -n "$line" ]; then
  { head -1 "$out/ledger.csv"; sed -n "${line}p" "$out/ledger.csv"; } > "$out/one_row.csv"
  echo "in_force:       $(sed -n "${line}p" "$out/in_force.csv")"
  echo "diffusion_2025: $(sed -n "${line}p" "$out/diffusion_2025.csv")"
  $edict run --regime diffusion_2025 --input "$out/one_row.csv" --output "$out/one_row.jsonl" --explain 2>/dev/null
  python3 -c 'import json,sys; print(json.dumps(json.loads(open(sys.argv[1]).readline()), indent=2))' "$out/one_row.jsonl"
  echo "(judged alone, without the rows before it, so caps start empty)"
fi
