#!/usr/bin/env bash
# The full mutation run: 10,000 mutated versions of every shipped rule file
# (examples/ and stdlib/) through the front end; the suite runs 1,000.
# usage: tests/tools/fuzz_front_end.sh [ITERATIONS] [SEED]   (after a build in ./build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${EDICT_BUILD:-$root/build}/tests/edict_mutate
[ -x "$bin" ] || { echo "build first: cmake -S . -B build -G Ninja && ninja -C build"; exit 2; }
"$bin" --iterations "${1:-10000}" --seed "${2:-$RANDOM}" "$root/examples" "$root/stdlib"
