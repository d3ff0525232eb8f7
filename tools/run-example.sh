#!/usr/bin/env bash
# README command 1: set up, build, and run the main job on the shipped
# examples. Until the interpreter lands this is `edict check` over the
# tutorial and the AI-chip rule library, then `dump-ast` of one file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash tools/setup.sh
bash tools/build.sh
edict=build/compiler/edict
echo "== edict check: tutorial (a tier, a cap, an exception, an amendment)"
$edict check examples/tutorial/chips.edict examples/tutorial/chips_amendment.edict
echo "== edict check: the AI-chip rule library (stdlib/)"
$edict check $(find stdlib -name '*.edict' | sort)
echo "== edict check: a file with mistakes, to show the diagnostics"
$edict check examples/mistakes/mistakes.edict || echo "(exit $? as expected: the file has errors)"
