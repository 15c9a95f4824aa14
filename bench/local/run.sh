#!/usr/bin/env bash
# Side-by-side benchmark of candor's local tier against llama.cpp on the same GGUF, prompt and
# thread count. Not run in CI. Usage: bench/local/run.sh [MODEL_NAME] [THREADS]
#   MODEL_NAME: qwen2.5-coder-0.5b-instruct-q4_k_m (default) or smollm2-135m-instruct-q4_1
# Env: DECODE (tokens, default 64), RECIPIENTS (default 32), BATCH (default 16, the provider's),
#      CANDOR_BENCH_RUSTFLAGS (default "-C target-cpu=native"; set empty to measure without).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
model="${1:-qwen2.5-coder-0.5b-instruct-q4_k_m}"
threads="${2:-2}"
decode="${DECODE:-64}"
export RAYON_NUM_THREADS="$threads"
# Bench-only compiler flags: a separate target dir, so the workspace's own builds are untouched.
export RUSTFLAGS="${CANDOR_BENCH_RUSTFLAGS--C target-cpu=native}"
export CARGO_TARGET_DIR="${CANDOR_BENCH_TARGET_DIR:-$root/target-bench-local}"

if [ ! -d "$here/node_modules/node-llama-cpp" ]; then
  (cd "$here" && npm i --no-audit --no-fund -E node-llama-cpp@3.21.1 >&2)
fi
echo "== building candor's bench (release, RUSTFLAGS='$RUSTFLAGS')" >&2
cargo build --release -q -p candor-local --example bench_local --manifest-path "$root/Cargo.toml" >&2
bin="$CARGO_TARGET_DIR/release/examples/bench_local"
path="$("$bin" --pull "$model")"
mkdir -p "$here/results"
echo "== candor ($model, $threads threads)" >&2
/usr/bin/env time -v "$bin" "$path" "$here/prompt.txt" --decode "$decode" \
  --recipients "${RECIPIENTS:-32}" --batch "${BATCH:-16}" > "$here/results/candor.json" 2> "$here/results/candor.time" || {
  cat "$here/results/candor.time" >&2; exit 1; }
echo "== llama.cpp ($model, $threads threads)" >&2
(cd "$here" && node llama_side.mjs "$path" prompt.txt "$threads" "$decode") > "$here/results/llama.json"
node "$here/compare.mjs" "$here/results/candor.json" "$here/results/llama.json" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)" "$threads"
