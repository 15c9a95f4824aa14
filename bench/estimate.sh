#!/usr/bin/env bash
# Peak RSS and wall time of `candor estimate` over N synthetic recipients (default 1,000,000).
# Usage: bench/estimate.sh [N]     (needs GNU time at /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
cargo build --release -p candor >/dev/null
bin="${CARGO_TARGET_DIR:-target}/release/candor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bin" demo-data --recipients "$n" --seed 1 -o "$tmp/r.jsonl"
/usr/bin/time -v "$bin" estimate crates/candor-engine/assets/campaign.toml -r "$tmp/r.jsonl" \
  >"$tmp/out.txt" 2>"$tmp/time.txt"
tail -n 4 "$tmp/out.txt"
echo "recipients: $n"
grep -E "Elapsed|User time|System time|Maximum resident" "$tmp/time.txt"
