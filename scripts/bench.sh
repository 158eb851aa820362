#!/usr/bin/env bash
# Side-by-side speed benchmark: MetaLearn against learn2learn (PyTorch, CPU) on the
# six workloads of /work/shared/bench/peer/bench_peer.py, interleaved: for every
# round and workload the peer and MetaLearn run back to back (the order swaps every
# round), each workload in its own process, 2 threads each, with OPENBLAS_CORETYPE
# and OPENBLAS_L2_SIZE unset for both commands only. Then scripts/bench_compare.py
# prints the ratio table (and, with --write-docs, writes docs/results.md's speed section).
#
# Usage: scripts/bench.sh [--quick] [--rounds N] [--min-time S] [--warmup N] [--min-iters N]
#                         [--only a_maml_so_1step,d_protonet] [--out DIR] [--no-build] [--write-docs]
#                         [--wait-load L [--wait-max S]]
#   --quick: 1 round, 3 s per workload, 2 warm-up, >= 3 timed iterations (default: 3 rounds, 8 s, 3, 5).
#   --wait-load L: before each peer/MetaLearn pair, wait (at most --wait-max seconds, default 600)
#     until the 1-minute load average is below L. Under load, PyTorch's OpenMP threads spin at
#     every barrier and lose far more than MetaLearn does, so ratios from a busy machine flatter us.
#   PEER_SCRIPT overrides the peer script's path; its venv is found by the script itself.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEER=${PEER_SCRIPT:-/work/shared/bench/peer/bench_peer.py}
ROUNDS=3 MIN_TIME=8 WARMUP=3 MIN_ITERS=5 THREADS=2 QUICK=0 BUILD=1 WRITE_DOCS=0 OUT="" WAIT_LOAD="" WAIT_MAX=600
WORKLOADS="a_maml_so_1step,b_fomaml_1step,c_maml_so_5step,c2_fomaml_5step,d_protonet,e_metatest_adapt10"
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1; ROUNDS=1; MIN_TIME=3; WARMUP=2; MIN_ITERS=3 ;;
        --rounds) ROUNDS=$2; shift ;;
        --min-time) MIN_TIME=$2; shift ;;
        --warmup) WARMUP=$2; shift ;;
        --min-iters) MIN_ITERS=$2; shift ;;
        --only) WORKLOADS=$2; shift ;;
        --out) OUT=$2; shift ;;
        --no-build) BUILD=0 ;;
        --wait-load) WAIT_LOAD=$2; shift ;;
        --wait-max) WAIT_MAX=$2; shift ;;
        --write-docs) WRITE_DOCS=1 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
OUT=${OUT:-$ROOT/.build/bench-results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
cd "$ROOT"

if [ "$BUILD" = 1 ]; then
    echo "# building metalearn-bench (release)"
    swift build -c release --product metalearn-bench 2>&1 | grep -E "error|warning: .*metalearn-bench|Compiling|Build" || true
fi
BIN="$(swift build -c release --show-bin-path)/metalearn-bench"
[ -x "$BIN" ] || { echo "bench.sh: $BIN not found (build failed?)" >&2; exit 1; }

TIMING=(--threads "$THREADS" --min-time "$MIN_TIME" --warmup "$WARMUP" --min-iters "$MIN_ITERS")
QUICK_FLAG=""
[ "$QUICK" = 1 ] && QUICK_FLAG="--quick "
CMD="scripts/bench.sh ${QUICK_FLAG}--rounds $ROUNDS --min-time $MIN_TIME --warmup $WARMUP --min-iters $MIN_ITERS${WAIT_LOAD:+ --wait-load $WAIT_LOAD}"
{
    echo "command: $CMD"
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cpus"
    echo "load_start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/meta.txt"
cat "$OUT/meta.txt"
# The GEMM ceiling of this run: raw OpenBLAS sgemm on the threads both sides use.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$BIN" engine --threads "$THREADS" --repetitions 1 --only none \
    > "$OUT/sgemm.txt" 2>&1 || true
grep -E "^OpenBLAS|reference" "$OUT/sgemm.txt" || true

run_peer() {  # round workload
    local dir="$OUT/peer/r$1/$2"
    mkdir -p "$dir"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PEER_OUT="$dir" \
        python3 "$PEER" --only "$2" --rounds 1 "${TIMING[@]}" > "$dir/log.txt" 2>&1 \
        || echo "  !! peer failed on $2 (see $dir/log.txt)"
    grep -E "^$2 " "$dir/log.txt" | sed "s/^/  r$1 learn2learn /" || true
}
run_ours() {  # round workload
    local dir="$OUT/ours/r$1"
    mkdir -p "$dir"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        "$BIN" workloads --only "$2" --rounds 1 "${TIMING[@]}" --json "$dir/$2.json" > "$dir/$2.log" 2>&1 \
        || echo "  !! MetaLearn failed on $2 (see $dir/$2.log)"
    grep -E "^$2 " "$dir/$2.log" | sed "s/^/  r$1 MetaLearn   /" || true
}

wait_quiet() {
    [ -n "$WAIT_LOAD" ] || return 0
    local waited=0
    while awk -v l="$WAIT_LOAD" '{ exit !($1 >= l) }' /proc/loadavg && [ "$waited" -lt "$WAIT_MAX" ]; do
        sleep 10; waited=$((waited + 10))
    done
    [ "$waited" -gt 0 ] && echo "  (waited ${waited} s for load < $WAIT_LOAD)"
    return 0
}

IFS=, read -r -a LIST <<< "$WORKLOADS"
for r in $(seq 1 "$ROUNDS"); do
    for w in "${LIST[@]}"; do
        wait_quiet
        echo "# round $r $w (load $(cut -d' ' -f1-3 /proc/loadavg))"
        echo "r$r $w $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"
        if [ $((r % 2)) = 1 ]; then run_peer "$r" "$w"; run_ours "$r" "$w"
        else run_ours "$r" "$w"; run_peer "$r" "$w"; fi
    done
done
echo "load_end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/meta.txt"

COMPARE=(python3 "$ROOT/scripts/bench_compare.py" "$OUT")
if [ "$WRITE_DOCS" = 1 ]; then COMPARE+=(--write-docs "$ROOT/docs/results.md"); fi
"${COMPARE[@]}" | tee "$OUT/compare.txt"
echo "# raw results in $OUT"
