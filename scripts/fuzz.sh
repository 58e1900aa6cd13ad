#!/usr/bin/env bash
# Fuzzes every target in fuzz/ with cargo-fuzz (libFuzzer) on the stable toolchain:
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]     (default 300 s, every target)
#
# Seeds fuzz/corpus/<target>/ from the test fixtures, the example backlog and, when present,
# ../shared/corpus (seeds stay out of git). Prints executions, coverage and crashes per target;
# a crash is saved under fuzz/artifacts/<target>/ — add it to tests/fuzz_regressions/ and to
# tests/robustness.rs. Needs `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-300}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(front_matter yaml_differential yaml_items markdown_item config baseline suppression check fix_round_trip)
command -v cargo-fuzz >/dev/null || { echo "cargo install cargo-fuzz" >&2; exit 2; }

seed() { # TARGET FIND-ARGS…
    local dir="fuzz/corpus/$1"; shift
    mkdir -p "$dir"
    if [ -z "$(ls -A "$dir")" ]; then
        local sources=(tests/fixtures examples tests/fuzz_regressions)
        [ -d ../shared/corpus ] && sources+=(../shared/corpus)
        { find "${sources[@]}" -type f "$@" -size -64k -print0 2>/dev/null || true; } \
            | head -z -n 3000 | while IFS= read -r -d '' f; do
                cp "$f" "$dir/$(sha1sum <"$f" | cut -c1-16)"
            done || true
    fi
}

(cd fuzz && cargo fuzz build -s none -O >/dev/null)
# The fuzzers run from their binaries: editing the sources meanwhile does not rebuild them.
BIN_DIR="fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release"
for t in "${TARGETS[@]}"; do
    case "$t" in
        yaml_differential|yaml_items) seed "$t" \( -name '*.yaml' -o -name '*.yml' -o -name '*.md' \) ;;
        config) seed "$t" \( -name 'backlint.yaml' -o -name '*.yaml' \) ;;
        baseline) seed "$t" -name '*.json' ;;
        *) seed "$t" \( -name '*.md' -o -name '*.yaml' -o -name '*.yml' \) ;;
    esac
    log="fuzz/$t.log"
    mkdir -p "fuzz/artifacts/$t"
    "$BIN_DIR/$t" "fuzz/corpus/$t" -artifact_prefix="fuzz/artifacts/$t/" \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1 || echo "$t: FAILED (see $log)"
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
    crashes=$(ls "fuzz/artifacts/$t" 2>/dev/null | wc -l)
    echo "$t: $execs executions, $cov, $crashes crash/timeout/oom inputs"
done
