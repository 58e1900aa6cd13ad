#!/usr/bin/env bash
# Benchmark: backlint against ripgrep on the same generated backlog, in one run.
#
#   scripts/bench.sh [N]        N items (default 10000), written to bench-out/
#
# ripgrep searches the same files for the checklist's keywords (its fast path:
# `rg --no-unicode -i -c -f patterns.txt`); backlint parses, triages and checks every item.
# Prints the median of each and the ratio. Needs hyperfine and ripgrep (Debian: apt-get install
# hyperfine ripgrep).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
OUT=bench-out

for tool in rg hyperfine; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "missing $tool: apt-get install ripgrep hyperfine" >&2
        exit 2
    fi
done

cargo build --release --quiet
rm -rf "$OUT"
cargo run --release --quiet --example gen-backlog -- "$OUT" "$N"
BIN="$PWD/target/release/backlint"
cd "$OUT"
# Warm the page cache and the binaries, then measure (exit 1 = findings, expected).
hyperfine --shell=none --ignore-failure --warmup 3 --runs 20 --export-json results.json \
    "rg --no-unicode -i -c -f patterns.txt backlog" \
    "$BIN check --format json backlog" \
    "$BIN check backlog" >/dev/null
python3 - <<'PY'
import json
runs = json.load(open("results.json"))["results"]
rg = runs[0]["median"]
for r in runs:
    print(f"{r['median'] * 1000:8.1f} ms  median  {r['command'].split('/')[-1]}")
print(f"backlint --format json / ripgrep: {runs[1]['median'] / rg:.2f}x")
print(f"backlint (human)       / ripgrep: {runs[2]['median'] / rg:.2f}x")
PY
