#!/usr/bin/env bash
# Builds Edict (Release, benchmarks on), generates ledgers, runs the
# benchmarks and writes bench/RESULTS.md. See bench/README.md.
#
# usage: bench/run_bench.sh [--with-10m] [--runs N] [--e2e-runs N] [--no-profile]
#                           [--build DIR] [--results FILE]
#   --with-10m    also the 10M-row ledger (about 1.3 GB; adds roughly 10-15
#                 minutes on a 2-core machine)
#   --runs N      edict_bench runs per measurement (median; default 5, 3 for 10M)
#   --e2e-runs N  `edict run` repetitions per configuration (median; default 3)
#   --no-profile  skip the perf profile
#   --build DIR   build directory (default /tmp/build-bench); ledgers, outputs
#                 and raw results go to DIR/bench-data, never into the tree
#   --results F   where to write the report (default bench/RESULTS.md)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=/tmp/build-bench
RESULTS="$ROOT/bench/RESULTS.md"
WITH_10M=0
RUNS=5
E2E_RUNS=3
PROFILE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --with-10m) WITH_10M=1 ;;
    --runs) RUNS=$2; shift ;;
    --e2e-runs) E2E_RUNS=$2; shift ;;
    --no-profile) PROFILE=0 ;;
    --build) BUILD=$2; shift ;;
    --results) RESULTS=$2; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
DATA="$BUILD/bench-data"
RAW="$DATA/raw"
mkdir -p "$DATA" "$RAW"
log() { printf '\n== %s\n' "$*" >&2; }

# ---- tools ----------------------------------------------------------------
need_apt=()
[ -x /usr/bin/time ] || need_apt+=(time)
if [ "$PROFILE" = 1 ] && ! command -v perf >/dev/null; then need_apt+=(linux-perf); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

# ---- build ----------------------------------------------------------------
log "building (Release, benchmarks on) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEDICT_BUILD_BENCHMARKS=ON >"$RAW/cmake.log"
cmake --build "$BUILD" -j2 --target edict edict_bench csv_bench >"$RAW/build.log"
EDICT="$BUILD/compiler/edict"
BENCH="$BUILD/bench/edict_bench"
# A persistent JIT cache on disk would make "cold" compiles warm: turn it off
# when this tree has one.
CACHE_NOTE="no on-disk JIT cache in this tree (compiler/ does not read EDICT_CACHE_DIR)"
DISK_CACHE=0
if grep -rqs EDICT_CACHE_DIR "$ROOT/compiler"; then
  DISK_CACHE=1
  export EDICT_CACHE_DIR=off
  CACHE_NOTE="EDICT_CACHE_DIR=off (the tree has an on-disk JIT cache; every process compiles cold)"
fi

# ---- ledgers (in the build dir, never committed) --------------------------
gen() {  # gen ROWS SEED FILE [ARGS...]
  local rows=$1 seed=$2 file=$3; shift 3
  if [ -f "$file" ] && [ "$(wc -l <"$file")" = $((rows + 1)) ]; then return; fi
  log "generating $file ($rows rows)"
  python3 "$ROOT/tools/gen_ledger.py" "$rows" "$seed" "$file.tmp" "$@"
  mv "$file.tmp" "$file"
}
# Tables for the verification runs: every 10th consignee of the ledger on the
# Entity List; others owned 75%, exactly 50% (an affiliate) or just under.
tables() {  # tables LEDGER DIR
  mkdir -p "$2"
  python3 - "$1" "$2" <<'EOF'
import csv, sys
ledger, out = sys.argv[1], sys.argv[2]
names = set()
with open(ledger) as f:
    next(f)
    for i, line in enumerate(f):
        row = line.split(',')
        if '"' not in line and len(row) == 19 and row[5]:
            names.add(row[5])
        if i > 300000:
            break
names = sorted(names)
with open(out + '/entity_list.csv', 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['name', 'list'])
    for i, n in enumerate(names):
        if i % 10 == 0:
            w.writerow([n, 'Entity List'])
with open(out + '/listed_ownership.csv', 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['entity', 'listed_share'])
    for i, n in enumerate(names):
        share = {0: '1.0', 1: '0.75', 2: '0.5', 3: '0.499999999'}.get(i % 10)
        if share:
            w.writerow([n, share])
EOF
}
SIZES=(1000000)
[ "$WITH_10M" = 1 ] && SIZES+=(10000000)
declare -A LEDGER
LEDGER[1000000]="$DATA/ledger_1m.csv"
LEDGER[10000000]="$DATA/ledger_10m.csv"
gen 1000000 42 "${LEDGER[1000000]}"
[ "$WITH_10M" = 1 ] && gen 10000000 42 "${LEDGER[10000000]}"
gen 200000 7 "$DATA/verify_dirty.csv" --dirty 0.02
gen 100000 3 "$DATA/verify_early.csv" --dirty 0.01 --start 2023-06-01 --end 2026-12-31
tables "$DATA/verify_dirty.csv" "$DATA/verify_dirty_tables"
tables "$DATA/verify_early.csv" "$DATA/verify_early_tables"
tables "${LEDGER[1000000]}" "$DATA/ledger_1m_tables"

REGIMES=(in_force diffusion_2025)
: >"$RAW/verify.txt"

# ---- 1. verification: hand-written and JIT against the interpreter -------
for regime in "${REGIMES[@]}"; do
  for v in verify_dirty verify_early ledger_1m; do
    ledger="$DATA/$v.csv"; [ "$v" = ledger_1m ] && ledger="${LEDGER[1000000]}"
    log "verifying $regime on $v (with Entity List tables)"
    { echo "### $regime, $v.csv, tables bound"
      "$BENCH" --regime "$regime" --input "$ledger" --runs 1 \
        --table "entity_list=$DATA/${v}_tables/entity_list.csv" \
        --table "listed_ownership=$DATA/${v}_tables/listed_ownership.csv"; } >>"$RAW/verify.txt" 2>&1 || {
      cat "$RAW/verify.txt"; echo "VERIFICATION FAILED: see $RAW/verify.txt" >&2; exit 1; }
  done
done

# ---- 2. edict_bench: interp, jit, hand on the same batches ------------------
for n in "${SIZES[@]}"; do
  runs=$RUNS; [ "$n" = 10000000 ] && [ "$RUNS" -gt 3 ] && runs=3
  for regime in "${REGIMES[@]}"; do
    log "edict_bench $regime, $n rows, $runs runs"
    "$BENCH" --regime "$regime" --input "${LEDGER[$n]}" --runs "$runs" --output "$DATA/bench_out.csv" \
      --backends interp,jit,jit-columns,hand,floor --json "$RAW/bench_${regime}_${n}.json" | tee "$RAW/bench_${regime}_${n}.txt"
  done
done

# ---- 2b. large programs: generated rule files -------------------------------
# Far more rules than the library's regimes (tests/tools/gen_many_rules.py):
# what the compiled decision step and the column kernels cost to compile
# and how fast they judge.
for rules in 300 3000; do
  rows=200000; [ "$rules" = 3000 ] && rows=20000
  many="$DATA/many_$rules"
  if [ ! -f "$many.csv" ] || [ ! -f "$many.edict" ]; then
    python3 "$ROOT/tests/tools/gen_many_rules.py" "$rules" "$many.edict" --ledger "$many.csv" --rows "$rows"
  fi
  log "edict_bench: $rules generated rules, $rows rows, 3 runs"
  "$BENCH" --input "$many.csv" --runs 3 --backends interp,jit,jit-columns --json "$RAW/many_$rules.json" \
    "$many.edict" | tee "$RAW/many_$rules.txt"
done

# ---- 3. the CSV reader alone -----------------------------------------------
log "csv_bench"
"$BUILD/bench/csv_bench" --mb 130 --dir "$DATA" --passes 3 | tee "$RAW/csv_bench.txt"

# ---- 4. end to end: edict run, wall time and peak RSS -----------------------
: >"$RAW/e2e.tsv"
for n in "${SIZES[@]}"; do
  for regime in "${REGIMES[@]}"; do
    for backend in interp jit; do
      for threads in 1 2 3 4; do
        for rep in $(seq "$E2E_RUNS"); do
          log "edict run $regime $n rows --backend $backend --threads $threads ($rep/$E2E_RUNS)"
          /usr/bin/time -v -o "$RAW/time.txt" "$EDICT" run --regime "$regime" --input "${LEDGER[$n]}" \
            --output /tmp/out.csv --backend "$backend" --threads "$threads" 2>"$RAW/run_stderr.txt" >/dev/null || true
          wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$RAW/time.txt")
          rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$RAW/time.txt")
          cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$RAW/time.txt")
          printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$regime" "$backend" "$threads" "$rep" "$wall" "$rss" "$cpu" >>"$RAW/e2e.tsv"
        done
        cp "$RAW/run_stderr.txt" "$RAW/run_stderr_${regime}_${n}_${backend}_${threads}.txt"
      done
    done
  done
done

# With an on-disk JIT cache: `edict run --backend jit` once more per regime
# (1M rows, 1 thread) with the cache warm, to show what a cached compile saves.
if [ "$DISK_CACHE" = 1 ]; then
  rm -rf "$DATA/jit-cache"
  for regime in "${REGIMES[@]}"; do
    EDICT_CACHE_DIR="$DATA/jit-cache" "$EDICT" run --regime "$regime" --input "${LEDGER[1000000]}" \
      --output /tmp/out.csv --backend jit >/dev/null 2>&1 || true  # fills the cache
    for rep in $(seq "$E2E_RUNS"); do
      log "edict run $regime 1000000 rows --backend jit --threads 1, disk cache warm ($rep/$E2E_RUNS)"
      EDICT_CACHE_DIR="$DATA/jit-cache" /usr/bin/time -v -o "$RAW/time.txt" "$EDICT" run --regime "$regime" \
        --input "${LEDGER[1000000]}" --output /tmp/out.csv --backend jit --threads 1 2>"$RAW/run_stderr.txt" >/dev/null || true
      wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$RAW/time.txt")
      rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$RAW/time.txt")
      cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$RAW/time.txt")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' 1000000 "$regime" "jit, disk cache warm" 1 "$rep" "$wall" "$rss" "$cpu" >>"$RAW/e2e.tsv"
    done
    cp "$RAW/run_stderr.txt" "$RAW/run_stderr_${regime}_1000000_jit_diskcache.txt"
  done
fi

# ---- 5. profile --------------------------------------------------------------
PERF_CMD="perf record -F 999 -o $DATA/perf.data -- $EDICT run --regime in_force --input ${LEDGER[1000000]} --output /tmp/out.csv --backend jit --threads 1"
PERF_CG_CMD="perf record -F 499 --call-graph dwarf,16384 -o $DATA/perf_cg.data -- $EDICT run --regime in_force --input ${LEDGER[1000000]} --output /tmp/out.csv --backend jit --threads 1"
if [ "$PROFILE" = 1 ]; then
  log "perf profile: $PERF_CMD"
  $PERF_CMD >"$RAW/perf_record.txt" 2>&1 || true
  perf report -i "$DATA/perf.data" --stdio --no-children --sort dso,symbol 2>/dev/null \
    | grep -E '^ +[0-9]+\.[0-9]+%' | sed -E 's/ +$//; s/ +-( +-)?$//' >"$RAW/perf_top.txt" || true
  # Again with call graphs (DWARF unwinding: the Release build has no frame
  # pointers), for the inclusive time of each stage.
  log "perf profile with call graphs: $PERF_CG_CMD"
  $PERF_CG_CMD >"$RAW/perf_record_cg.txt" 2>&1 || true
  perf report -i "$DATA/perf_cg.data" --stdio --children --sort symbol -g none 2>/dev/null \
    | grep -E '^ +[0-9]+\.[0-9]+%' | sed -E 's/ +$//; s/ +-( +-)?$//' >"$RAW/perf_children.txt" || true
  perf report -i "$DATA/perf_cg.data" --stdio --no-children --sort dso -g none 2>/dev/null \
    | grep -E '^ +[0-9]+\.[0-9]+%' | sed -E 's/ +$//; s/ +-( +-)?$//' >"$RAW/perf_cg_dso.txt" || true
fi

# ---- 6. RESULTS.md -----------------------------------------------------------
log "writing $RESULTS"
python3 - "$RAW" "$RESULTS" "$CACHE_NOTE" "$PROFILE" "$PERF_CMD" "$RUNS" "$E2E_RUNS" "$WITH_10M" "$ROOT" "$DATA" "$PERF_CG_CMD" <<'EOF'
import datetime, glob, json, os, re, statistics, subprocess, sys
raw, out, cache_note, profile, perf_cmd, runs, e2e_runs, with_10m, root, data, perf_cg_cmd = sys.argv[1:12]

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return ''

cpu_model = ''
for line in open('/proc/cpuinfo'):
    if line.startswith('model name'):
        cpu_model = line.split(':', 1)[1].strip()
        break
mem = ''
for line in open('/proc/meminfo'):
    if line.startswith('MemTotal'):
        mem = '%.1f GB' % (int(line.split()[1]) / 1e6)
flags = open('/proc/cpuinfo').read()
simd = ', '.join(f for f in ('avx2', 'avx512f') if re.search(r'\b%s\b' % f, flags)) or 'no AVX2'

def secs(wall):  # h:mm:ss or m:ss.ss
    parts = [float(p) for p in wall.split(':')]
    s = 0.0
    for p in parts:
        s = s * 60 + p
    return s

def rate(x):
    return '{:,.0f}'.format(x)

benches = {}
for f in sorted(glob.glob(os.path.join(raw, 'bench_*.json'))):
    b = json.load(open(f))
    benches[(b['regime'], b['rows'])] = b
e2e = {}
if os.path.exists(os.path.join(raw, 'e2e.tsv')):
    for line in open(os.path.join(raw, 'e2e.tsv')):
        parts = line.rstrip('\n').split('\t')
        n, regime, backend, threads, rep, wall, rss = parts[:7]
        cpu = float(parts[7]) if len(parts) > 7 and parts[7] else None
        e2e.setdefault((int(n), regime, backend, int(threads)), []).append((secs(wall), int(rss), cpu))

L = []
w = L.append
w('# Edict benchmark results')
w('')
w('Generated by `bench/run_bench.sh` (see `bench/README.md` for what each number means). '
  'Nothing here is committed data: regenerate on your machine.')
w('')
w('## Machine')
w('')
w('| | |')
w('|---|---|')
w('| date | %s |' % datetime.datetime.now().strftime('%Y-%m-%d %H:%M %Z').strip())
w('| CPU | %s (%s) |' % (cpu_model, simd))
w('| nproc | %s |' % sh('nproc'))
w('| memory | %s |' % mem)
w('| kernel | %s |' % sh('uname -r'))
w('| compiler | %s |' % sh('c++ --version | head -1'))
w('| load average at the end | %s |' % open('/proc/loadavg').read().split()[0:3])
w('| git | %s |' % sh('git -C %s describe --always --dirty' % root))
w('| JIT cache | %s |' % cache_note)
w('')
w('The machine is shared and noisy (other builds run on the same 2 cores): every figure is a '
  'median (edict_bench: of %s runs, 3 for 10M rows; `edict run`: of %s), and the ratios, measured '
  'on the same batches within one process, are more stable than the absolute rates.' % (runs, e2e_runs))
w('')
w('## Evaluation on the same batches (edict_bench)')
w('')
w('Rows/s of judging rows already in memory as columnar batches (`Backend::Judge`): for interp, the '
  'backend (`Backend::Evaluate`) plus the shared decision step (`exec::Decider`); for jit, the compiled '
  'decision step, which computes what each rule reads and decides the row in one pass (rows it '
  'cannot decide go to `exec::Decider`); for jit-columns, the JIT\'s column kernels plus the shared '
  'decision step (what `--explain` runs); for hand, the hand-written C++ (`bench/handwritten.cpp`). '
  'Ratios are of throughput (rows/s): JIT÷hand < 1 means the JIT is slower than hand-written code.')
w('')
w('| regime | rows | interp rows/s | jit rows/s | hand rows/s | JIT÷hand | JIT÷interp | jit-columns rows/s | jit-columns: kernels alone | jit-columns: decision step | JIT compile, cold | JIT setup, cached |')
w('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
by_size = sorted(benches.items(), key=lambda kv: (kv[0][1], kv[0][0]))  # each table's rows, in this order
for (regime, n), b in by_size:
    be = b['backends']
    j, i, h, c = be.get('jit', {}), be.get('interp', {}), be.get('hand', {}), be.get('jit-columns', {})
    r = b['ratios']
    w('| %s | %s | %s | %s | %s | %.3f | %.2f | %s | %s | %s | %.0f ms | %.2f ms |' % (
        regime, rate(n), rate(i.get('eval_rows_per_s', 0)), rate(j.get('eval_rows_per_s', 0)),
        rate(h.get('eval_rows_per_s', 0)), r.get('jit_over_hand', 0), r.get('jit_over_interp', 0),
        rate(c.get('eval_rows_per_s', 0)),
        rate(n / c['backend_s']) if c.get('backend_s') else '-', rate(n / c['decide_s']) if c.get('decide_s') else '-',
        j.get('setup_first_ms', 0), j.get('setup_cached_ms', 0)))
w('')
w('The floor: a loop with no rules that reads every field the regime reads (value and status) and writes '
  'every decision column the compiled decision step writes (`edict_bench --backends ...,floor`): what '
  'the memory traffic alone costs on this machine. "20 × interp" is the rate JIT÷interp ≥ 20 would take.')
w('')
w('| regime | rows | floor rows/s | JIT÷floor | hand÷floor | 20 × interp rows/s | 20 × interp ÷ floor |')
w('|---|---:|---:|---:|---:|---:|---:|')
for (regime, n), b in by_size:
    be = b['backends']
    f, i = be.get('floor', {}).get('eval_rows_per_s', 0), be.get('interp', {}).get('eval_rows_per_s', 0)
    if not f:
        continue
    r = b['ratios']
    w('| %s | %s | %s | %.3f | %.3f | %s | %.2f |' % (regime, rate(n), rate(f), r.get('jit_over_floor', 0),
                                                      r.get('hand_over_floor', 0), rate(20 * i), 20 * i / f))
w('')
w('Interp alone: backend vs decision step, for comparison:')
w('')
w('| regime | rows | interp: backend alone rows/s | interp: decision step rows/s | rules parse+check+lower |')
w('|---|---:|---:|---:|---:|')
for (regime, n), b in by_size:
    i = b['backends'].get('interp', {})
    w('| %s | %s | %s | %s | %.0f ms |' % (regime, rate(n), rate(n / i['backend_s']), rate(n / i['decide_s']),
                                           b['rules_s'] * 1e3))
w('')
w('Verification: every edict_bench run compares, row by row on its first run\'s batches, the JIT '
  '(every output field) and the hand-written code (error, outcome, basis, rule, cap, charged, flags) '
  'with the interpreter, and fails on any difference. Before the timed runs the script also verifies '
  'both regimes on a dirty ledger (2% spoiled rows), on a ledger dated 2023-06-01..2026-12-31 (every '
  'dated change of the country groups and rules) and on the 1M ledger, each with Entity List and '
  'ownership tables bound (so `listed_*` and `affiliate*` rules decide rows):')
w('')
w('```')
for line in open(os.path.join(raw, 'verify.txt')):
    if line.startswith('###') or 'verified' in line or 'MISMATCH' in line:
        w(line.rstrip())
for (regime, n), b in by_size:
    w('%s, %s rows (timed ledger): %s rows verified, jit mismatches %d, hand mismatches %d' % (
        regime, rate(n), rate(b['verified_rows']), b['jit_mismatches'], b['hand_mismatches']))
w('```')
w('')
w('## Large programs: generated rule files (edict_bench)')
w('')
w('`tests/tools/gen_many_rules.py RULES` writes a valid rule file far larger than the library\'s regimes '
  '(comparisons, sets with dated changes, exceptions, caps, flags) and a ledger for it. The JIT compiles '
  'the whole decision step (in parts over 2,000 instructions, compiled in parallel) up to 64,000 instructions (`PlanOptions::max_decision_insts`); '
  'jit-columns is the column kernels with the shared decision step (what larger programs and `--explain` '
  'run). Compile times are cold (no disk cache), on all cores (the parts of a split decision step and the '
  'column kernels are modules compiled in parallel). Every run is verified row by row against the interpreter.')
w('')
w('| rules | instructions | rows | interp rows/s | jit rows/s | JIT÷interp | jit-columns rows/s | JIT compile, cold | jit-columns compile, cold | verified |')
w('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
for f in sorted(glob.glob(os.path.join(raw, 'many_*.json')), key=lambda f: int(re.search(r'many_(\d+)', f).group(1))):
    b = json.load(open(f))
    be = b['backends']
    j, i, c = be.get('jit', {}), be.get('interp', {}), be.get('jit-columns', {})
    text = open(f[:-5] + '.txt').read()
    insts = re.search(r'jit: (\d+) instructions compiled', text)
    w('| %s | %s | %s | %s | %s | %.1f | %s | %.0f ms | %.0f ms | %s rows, jit mismatches %d |' % (
        re.search(r'many_(\d+)', f).group(1), rate(int(insts.group(1))) if insts else '?', rate(b['rows']),
        rate(i.get('eval_rows_per_s', 0)), rate(j.get('eval_rows_per_s', 0)), b['ratios'].get('jit_over_interp', 0),
        rate(c.get('eval_rows_per_s', 0)), j.get('setup_first_ms', 0), c.get('setup_first_ms', 0),
        rate(b['verified_rows']), b['jit_mismatches']))
w('')
w('## Ingest and writing (edict_bench)')
w('')
w('Ingest is timed streaming, as `edict run` reads (one batch reused); "kept in memory" is the read that '
  'keeps every batch for the evaluation runs (more allocation and page faults).')
w('')
w('| regime | rows | MB | ingest s | ingest rows/s | ingest MB/s | ingest kept in memory s | writing CSV s | writing rows/s |')
w('|---|---:|---:|---:|---:|---:|---:|---:|---:|')
for (regime, n), b in by_size:
    w('| %s | %s | %.0f | %.2f | %s | %.1f | %.2f | %.2f | %s |' % (regime, rate(n), b['bytes'] / 1e6, b['ingest_s'],
        rate(b['ingest_rows_per_s']), b['ingest_mb_per_s'], b.get('ingest_kept_s', 0), b['write_s'],
        rate(b['write_rows_per_s'])))
w('')
if os.path.exists(os.path.join(raw, 'csv_bench.txt')):
    w('The CSV reader alone (`csv_bench --mb 130`, best of 3; its own synthetic ledger of 19 short fields):')
    w('')
    w('```')
    for line in open(os.path.join(raw, 'csv_bench.txt')):
        w(line.rstrip())
    w('```')
    w('')
w('## Where a single-threaded run spends its time')
w('')
w('From edict_bench\'s medians (ingest = CSV parsing and value conversion into batches; evaluation = '
  'backend + decision step; writing = formatting the output CSV, `exec::DecisionWriter`, the writer of `edict run`, '
  'to a file), compared with the wall time of `edict run --threads 1` (median), whose remainder is '
  'process start, loading and checking the rule library, and for the JIT its cold compile.')
w('')
w('The three are measured in one edict_bench process and the wall time in separate runs, at other moments '
  'of this noisy machine, so the remainder is rough and can come out negative. The profile below splits '
  'one real `edict run` instead.')
w('')
w('| regime | rows | backend | ingest | evaluation | writing | sum of the three | `edict run --threads 1` wall | remainder |')
w('|---|---:|---|---:|---:|---:|---:|---:|---:|')
for (regime, n), b in by_size:
    for backend in ('interp', 'jit'):
        if backend not in b['backends']:
            continue
        ing, ev, wr = b['ingest_s'], b['backends'][backend]['eval_s'], b['write_s']
        tot = ing + ev + wr
        walls = e2e.get((n, regime, backend, 1))
        wall = statistics.median([x[0] for x in walls]) if walls else 0
        w('| %s | %s | %s | %.2f s (%.0f%%) | %.2f s (%.0f%%) | %.2f s (%.0f%%) | %.2f s | %s | %s |' % (
            regime, rate(n), backend, ing, 100 * ing / tot, ev, 100 * ev / tot, wr, 100 * wr / tot, tot,
            '%.2f s' % wall if wall else '-', '%.2f s' % (wall - tot) if wall else '-'))
w('')
w('## End to end: `edict run` (wall time, median of %s; peak RSS)' % e2e_runs)
w('')
w('`edict run --regime R --input L --output /tmp/out.csv --backend B --threads T` under `/usr/bin/time -v`. '
  'Rows/s is rows ÷ wall time, everything included (process start, rules, JIT compile, reading, '
  'judging, writing). Every `jit` run compiles cold (no disk cache); "jit, disk cache warm" (only when '
  'the tree has the JIT\'s disk cache) loads the compiled kernels from a cache filled by a previous run.')
w('')
has_cpu = any(x[2] is not None for xs in e2e.values() for x in xs)
w('| regime | rows | backend | threads | wall s (median) | rows/s | peak RSS MB (max) |%s all walls |' % (
    ' CPU s, user+sys (median) |' if has_cpu else ''))
w('|---|---:|---|---:|---:|---:|---:|%s---|' % ('---:|' if has_cpu else ''))
for (n, regime, backend, threads), xs in sorted(e2e.items()):
    walls = [x[0] for x in xs]
    med = statistics.median(walls)
    cpu = ''
    if has_cpu:
        cpus = [x[2] for x in xs if x[2] is not None]
        cpu = ' %.2f |' % statistics.median(cpus) if cpus else ' - |'
    w('| %s | %s | %s | %d | %.2f | %s | %.0f |%s %s |' % (regime, rate(n), backend, threads, med, rate(n / med),
        max(x[1] for x in xs) / 1024, cpu, ', '.join('%.2f' % x for x in walls)))
w('')
if profile == '1' and os.path.exists(os.path.join(raw, 'perf_top.txt')):
    rows = []
    jit_self = 0.0
    for line in open(os.path.join(raw, 'perf_top.txt')):
        m = re.match(r'\s*([0-9.]+)%\s+(.+?)\s+\[(.)\]\s+(.*)$', line.rstrip())
        if not m:
            continue
        pct, dso, sym = float(m.group(1)), m.group(2).strip(), m.group(4).strip()
        if dso.startswith('[JIT]') or dso == '[unknown]' and sym.startswith('0x'):
            jit_self += pct  # JIT-compiled code: one address per sample; counted as one
            continue
        rows.append((pct, dso, sym))
    rows.append((jit_self, '[JIT]', '(all JIT-compiled kernels together)'))
    rows.sort(key=lambda r: -r[0])
    w('## Profile: `edict run --backend jit`, in_force, 1M rows')
    w('')
    w('`%s`, then `perf report --no-children --sort dso,symbol`: the top 10 symbols by self time '
      '(the JIT-compiled kernels have no symbols; their samples are added up into one row).' % perf_cmd)
    w('')
    w('| self % | object | symbol |')
    w('|---:|---|---|')
    for pct, dso, sym in rows[:10]:
        w('| %.2f | %s | `%s` |' % (pct, dso, sym[:110]))
    w('')
    children = {}
    if os.path.exists(os.path.join(raw, 'perf_children.txt')):
        for line in open(os.path.join(raw, 'perf_children.txt')):
            m = re.match(r'\s*([0-9.]+)%\s+([0-9.]+)%\s+\[(.)\]\s+(.*)$', line.rstrip())
            if m:
                sym = m.group(4).strip()
                children[sym] = max(children.get(sym, 0.0), float(m.group(1)))
    cg_jit = 0.0
    if os.path.exists(os.path.join(raw, 'perf_cg_dso.txt')):
        for line in open(os.path.join(raw, 'perf_cg_dso.txt')):
            m = re.match(r'\s*([0-9.]+)%\s+(.*)$', line.rstrip())
            if m and m.group(2).strip().startswith('[JIT]'):
                cg_jit += float(m.group(1))
    def inc(*names):
        return sum(children.get(n, 0.0) for n in names)
    if children:
        w('Inclusive time by stage (a second profile with DWARF call graphs: `%s`, then '
          '`perf report --children`; shares of all samples of the process, so they need not add up to 100%%):' % perf_cg_cmd)
        w('')
        w('| stage | function (inclusive) | share of samples |')
        w('|---|---|---:|')
        stages = [
            ('reading the ledger (CSV, parsing, interning)', '`exec::LedgerReader::Next`', inc('edict::exec::LedgerReader::Next')),
            ('JIT compile (LLVM)', '`jit::Create`', inc('edict::jit::Create')),
            ('evaluation and decisions: the backend driver', '`JitBackend::Judge`',
             inc('edict::jit::(anonymous namespace)::JitBackend::Judge')),
            ('evaluation and decisions: JIT-compiled code', '(self time in JIT code)', cg_jit),
            ('rows left to the shared decision step', '`exec::Decider::DecideOne`', inc('edict::exec::Decider::DecideOne')),
            ('writing the output', '`exec::DecisionWriter::Write` (incl. its flushes)', inc('edict::exec::DecisionWriter::Write')),
            ('startup: dynamic linking of edict', '`_dl_start`', inc('_dl_start')),
            ('loading the JIT plugin and libLLVM (on another thread, while the rules are read)', '`_dl_open`',
             inc('_dl_open')),
            ('startup: loading and checking the rules', '`driver::Compile`', inc('edict::driver::Compile')),
        ]
        for name, fn, pct in stages:
            w('| %s | %s | %.1f%% |' % (name, fn, pct))
        w('')
w('## Commands')
w('')
w('```')
w('bench/run_bench.sh%s --runs %s --e2e-runs %s' % (' --with-10m' if with_10m == '1' else '', runs, e2e_runs))
w('# which runs:')
w('cmake -S . -B BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release -DEDICT_BUILD_BENCHMARKS=ON')
w('cmake --build BUILD -j2 --target edict edict_bench csv_bench')
w('python3 tools/gen_ledger.py 1000000 42 BUILD/bench-data/ledger_1m.csv      # and 10000000 42 ..._10m.csv')
w('BUILD/bench/edict_bench --regime R --input LEDGER --runs N --output BUILD/bench-data/bench_out.csv --backends interp,jit,jit-columns,hand,floor --json ...')
w('BUILD/bench/edict_bench --regime R --input VERIFY_LEDGER --runs 1 --table entity_list=... --table listed_ownership=...')
w('python3 tests/tools/gen_many_rules.py RULES BUILD/bench-data/many_RULES.edict --ledger BUILD/bench-data/many_RULES.csv --rows N')
w('BUILD/bench/edict_bench --input BUILD/bench-data/many_RULES.csv --runs 3 --backends interp,jit,jit-columns --json ... BUILD/bench-data/many_RULES.edict')
w('BUILD/bench/csv_bench --mb 130 --dir BUILD/bench-data --passes 3')
w('/usr/bin/time -v BUILD/compiler/edict run --regime R --input LEDGER --output /tmp/out.csv --backend B --threads T')
w(perf_cmd)
w(perf_cg_cmd)
w('```')
w('')
w('Raw outputs of this run: `%s`.' % raw)
open(out, 'w').write('\n'.join(L) + '\n')
EOF
log "done: $RESULTS"
