#!/usr/bin/env bash
# Benchmark: backlint against ripgrep and `git status` on the same generated backlogs, in one run.
#
#   scripts/bench.sh [N…]        backlogs of N items (default: 10000 50000), under bench-out/
#
# The backlog is generated deterministically: from real corpus item bodies by
# ../shared/tools/gen_corpus.py when it is present (the backlog issue 10 measured), else by
# `cargo run --example gen-backlog`. Each is a git repository. For each size it reports, with
# ratios to ripgrep's fast path (`rg --no-unicode -i -c -f patterns.txt`, the checklist's
# keywords, over the same files):
#   * the full check, JSON and human, cold (--no-cache) and warm (item cache filled);
#   * the JSON check in a fresh clone with the item cache restored (what the GitHub Action
#     does on a CI runner);
#   * peak RSS of each (GNU time), and of the run that fills the item cache (a first run);
#   * `check --staged` with one staged change, cold and warm, against `git status`; and with a
#     new change staged before each run (a commit's usual case: the hook parses and triages
#     that item and writes the cache), against `git status` after the same `git add`;
#   * a scaling table: time per 1,000 files and peak RSS against the item bytes at each size
#     (`scripts/bench.sh 10000 50000 100000` shows how it grows);
#   * `flow` and `report --evidence` over a generated history (scripts/gen_history.py: 5,000
#     items, 10,000 commits), against `git log --first-parent --raw` of the same paths.
#   * with BACKLINT_BENCH_INSTRUCTIONS=1 (and valgrind), instruction counts of ripgrep and the
#     check at the first size: a ratio that noise on a shared machine does not move.
# Needs hyperfine, ripgrep and GNU time (Debian: apt-get install hyperfine ripgrep time).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="$ROOT/bench-out"
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 50000)

for tool in rg hyperfine /usr/bin/time git; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "missing $tool: apt-get install ripgrep hyperfine time git" >&2
        exit 2
    fi
done

cargo build --release --quiet
cargo build --release --quiet --example gen-backlog
BIN="$ROOT/target/release/backlint"
GEN="$ROOT/target/release/examples/gen-backlog"
CORPUS_GEN="$ROOT/../shared/tools/gen_corpus.py"
mkdir -p "$OUT"
# The checklist's keywords, for ripgrep (written by the example generator).
rm -rf "$OUT/patterns" && "$GEN" "$OUT/patterns" 1 >/dev/null
PATTERNS="$OUT/patterns/patterns.txt"

git_quiet() { git -c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false "$@" >/dev/null; }

# median seconds of each command, in order, into $OUT/last.json
measure() {
    hyperfine --shell=none --ignore-failure --warmup 2 --runs "$RUNS" --export-json "$OUT/last.json" "$@" >/dev/null 2>&1
}
medians() { python3 -c 'import json,sys; print(" ".join(str(r["median"]) for r in json.load(open(sys.argv[1]))["results"]))' "$OUT/last.json"; }
rss_mb() { { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null || true; } | tail -1 | awk '{printf "%.0f", $1/1024}'; }

report=()
scaling=()
for N in "${SIZES[@]}"; do
    DIR="$OUT/backlog-$N"
    if [ ! -d "$DIR/.git" ]; then
        rm -rf "$DIR"
        if [ -f "$CORPUS_GEN" ]; then
            python3 "$CORPUS_GEN" "$DIR" "$N" --git >/dev/null
        else
            "$GEN" "$DIR" "$N" >/dev/null
            (cd "$DIR" && git_quiet init -q && git_quiet add -A && git_quiet commit -qm backlog)
        fi
    fi
    cd "$DIR"
    git checkout -q -- . && git reset -q
    read -r FILES BYTES <<<"$(find backlog -type f -printf '%s\n' | awk '{s+=$1; n++} END {printf "%d %.0f", n, s/1e6}')"
    RUNS=$(( N > 20000 ? 5 : 15 ))
    rm -rf .git/backlint
    rss_first=$(rss_mb "$BIN" check --format json backlog)   # fills the item cache
    measure "rg --no-unicode -i -c -f $PATTERNS backlog" \
        "$BIN check --format json --no-cache backlog" \
        "$BIN check --format json backlog" \
        "$BIN check --no-cache backlog" \
        "$BIN check backlog"
    read -r rg json_cold json_warm human_cold human_warm <<<"$(medians)"
    rss_json_cold=$(rss_mb "$BIN" check --format json --no-cache backlog)
    rss_json_warm=$(rss_mb "$BIN" check --format json backlog)
    rss_human=$(rss_mb "$BIN" check --no-cache backlog)

    # One staged change: an item gains an authentication sentence.
    ITEM=$(git ls-files 'backlog/*.md' | grep -v -i spike | sed -n 1p)
    printf '\nThe public login form now accepts passwords from anonymous visitors.\n' >>"$ITEM"
    git add "$ITEM"
    "$BIN" check --staged >/dev/null 2>&1 || true   # the hook's cache is warm for everything else
    measure "git status" "$BIN check --staged --no-cache" "$BIN check --staged"
    read -r status staged_cold staged_warm <<<"$(medians)"
    hyperfine --shell=none --ignore-failure --warmup 2 --runs "$RUNS" --export-json "$OUT/last.json" \
        --prepare "sh -c 'date +%N >>\"$ITEM\" && git add \"$ITEM\"'" \
        "git status" "$BIN check --staged" >/dev/null 2>&1
    read -r status_new staged_new <<<"$(medians)"
    git reset -q && git checkout -q -- .
    # A blocked commit: a new item that touches authentication and links no spike (the hook
    # then also looks for a fix left unstaged in the working tree).
    BLOCKED="$(dirname "$ITEM")/bench-blocked-item.md"
    printf -- '---\nid: BENCH-BLOCKED-1\ntitle: Accept passwords on the public login form\ntype: story\nstatus: todo\n---\n\nThe public login form now accepts passwords from anonymous visitors.\n' >"$BLOCKED"
    git add "$BLOCKED"
    if "$BIN" check --staged >/dev/null 2>&1; then echo "bench: the blocked change did not block" >&2; fi
    measure "git status" "$BIN check --staged"
    read -r status_blocked staged_blocked <<<"$(medians)"
    git reset -q && rm -f "$BLOCKED"
    # CI: a fresh checkout with the item cache restored (what the GitHub Action does).
    "$BIN" check --format json backlog >/dev/null || true
    CLONE="$OUT/clone-$N"
    rm -rf "$CLONE" && git clone -q "$DIR" "$CLONE" && git -C "$CLONE" update-index -q --refresh || true
    cd "$CLONE"
    measure --prepare "sh -c 'rm -rf .git/backlint && cp -a \"$DIR/.git/backlint\" .git/'" \
        "$BIN check --format json backlog"
    read -r fresh_restored <<<"$(medians)"
    cd "$ROOT"

    scaling+=("$N $FILES $BYTES $rg $json_cold $json_warm $rss_json_cold $rss_json_warm")
    report+=("$(python3 - "$N" "$BYTES" "$rg" "$json_cold" "$json_warm" "$human_cold" "$human_warm" \
        "$rss_json_cold" "$rss_json_warm" "$rss_human" "$status" "$staged_cold" "$staged_warm" \
        "$rss_first" "$status_new" "$staged_new" \
        "$fresh_restored" "$status_blocked" "$staged_blocked" <<'PY'
import sys
n, mb = sys.argv[1], sys.argv[2]
rg, jc, jw, hc, hw = map(float, sys.argv[3:8])
st, sc, sw = map(float, sys.argv[11:14])
rss_jc, rss_jw, rss_h, rss_first = (f"{x} MB" for x in sys.argv[8:11] + sys.argv[14:15])
sn, nw = map(float, sys.argv[15:17])
fr = float(sys.argv[17])
sb, bw = map(float, sys.argv[18:20])
ms = lambda s: f"{s * 1000:.0f} ms"
print(f"| {n} items ({mb} MB) | ripgrep fast path | {ms(rg)} | 1.00× | |")
print(f"| | check, JSON, cold (`--no-cache`) | {ms(jc)} | {jc / rg:.2f}× | {rss_jc} |")
print(f"| | check, JSON, warm cache | {ms(jw)} | {jw / rg:.2f}× | {rss_jw} |")
print(f"| | check, human, cold | {ms(hc)} | {hc / rg:.2f}× | {rss_h} |")
print(f"| | check, human, warm cache | {ms(hw)} | {hw / rg:.2f}× | |")
print(f"| | check, JSON, fresh clone with the cache restored (CI) | {ms(fr)} | {fr / rg:.2f}× | |")
print(f"| | check, JSON, the run that fills the cache | | | {rss_first} |")
print(f"| | `git status` | {ms(st)} | (reference) | |")
print(f"| | `check --staged`, one change, cold | {ms(sc)} | {sc / st:.1f}× git status | |")
print(f"| | `check --staged`, one change, warm | {ms(sw)} | {sw / st:.1f}× git status | |")
print(f"| | `git status` after `git add` | {ms(sn)} | (reference) | |")
print(f"| | `check --staged`, a new change each run | {ms(nw)} | {nw / sn:.1f}× git status | |")
print(f"| | `git status` with a new item staged | {ms(sb)} | (reference) | |")
print(f"| | `check --staged`, a new item that blocks the commit | {ms(bw)} | {bw / sb:.1f}× git status | |")
PY
)")
done

# History: `flow` and `report --evidence` over a long history, against git's own log of the
# same paths (BACKLINT_BENCH_HISTORY="ITEMS COMMITS", default "5000 10000"; "0" skips).
read -r H_ITEMS H_COMMITS <<<"${BACKLINT_BENCH_HISTORY:-5000 10000}"
if [ "${H_ITEMS:-0}" -gt 0 ]; then
    HDIR="$OUT/history-$H_ITEMS-$H_COMMITS"
    [ -d "$HDIR/.git" ] || { rm -rf "$HDIR"; python3 "$ROOT/scripts/gen_history.py" "$HDIR" "$H_ITEMS" "$H_COMMITS"; }
    cd "$HDIR"
    RUNS=3
    measure "git log --first-parent --raw --no-abbrev --format=%H -- backlog" \
        "$BIN flow --format json" "$BIN report --evidence --format json"
    read -r glog flow_t report_t <<<"$(medians)"
    rss_flow=$(rss_mb "$BIN" flow --format json)
    rss_report=$(rss_mb "$BIN" report --evidence --format json)
    cd "$ROOT"
    report+=("$(python3 - "$H_ITEMS" "$H_COMMITS" "$glog" "$flow_t" "$report_t" "$rss_flow" "$rss_report" <<'PY'
import sys
items, commits = sys.argv[1:3]
g, f, r = map(float, sys.argv[3:6])
s = lambda x: f"{x:.2f} s"
print(f"| {items} items, {commits} commits | `git log --first-parent --raw -- backlog` | {s(g)} | 1.00× | |")
print(f"| | `flow --format json` | {s(f)} | {f / g:.2f}× | {sys.argv[6]} MB |")
print(f"| | `report --evidence --format json` | {s(r)} | {r / g:.2f}× | {sys.argv[7]} MB |")
PY
)")
fi

echo "| backlog | work | median | ratio | peak RSS |"
echo "| --- | --- | --- | --- | --- |"
printf '%s\n' "${report[@]}"

# Scaling: time per 1,000 files at each size (linear growth keeps these flat), and peak RSS
# against the bytes of the item files (issue 10's memory bar).
echo
echo "| backlog | files | item bytes | cold JSON per 1,000 files | rg per 1,000 files | warm JSON per 1,000 files | peak RSS cold / warm | RSS ÷ item bytes (cold / warm) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${scaling[@]}" | python3 -c '
import sys
for line in sys.stdin:
    if not line.strip():
        continue
    n, files, mb, rg, jc, jw, rc, rw = line.split()
    files, mb = int(files), float(mb)
    per = lambda s: f"{float(s) * 1e6 / files:.1f} ms"
    ratio = lambda r: f"{float(r) / mb:.2f}" if mb else "-"
    print(f"| {n} items | {files} | {mb:.0f} MB | {per(jc)} | {per(rg)} | {per(jw)} | {rc} / {rw} MB | {ratio(rc)} / {ratio(rw)} |")
'

# Instruction counts (valgrind's callgrind), which stay put where wall time moves by half
# between runs on a shared machine: BACKLINT_BENCH_INSTRUCTIONS=1, the first size only (the
# cold check takes some 45 s under valgrind at 10,000 items). Valgrind hides SHA-NI from the
# program, so the findings' SHA-256 fingerprints count in software (some 3 % of a cold run).
if [ "${BACKLINT_BENCH_INSTRUCTIONS:-0}" = 1 ]; then
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "instruction counts skipped: apt-get install valgrind" >&2
    else
        N=${SIZES[0]}
        cd "$OUT/backlog-$N"
        instructions() {
            # (a check with findings exits 1: only valgrind's summary matters here)
            { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true; } \
                | sed -n 's/.*I *refs: *//p' | tr -d ,
        }
        "$BIN" check --format json backlog >/dev/null 2>&1 || true   # the item cache is filled
        i_rg=$(instructions rg --no-unicode -i -c -f "$PATTERNS" backlog)
        i_cold=$(instructions "$BIN" check --format json --no-cache backlog)
        i_warm=$(instructions "$BIN" check --format json backlog)
        i_human=$(instructions "$BIN" check backlog)
        cd "$ROOT"
        echo
        echo "| $N items, instructions (callgrind) | count | ratio to ripgrep |"
        echo "| --- | --- | --- |"
        python3 - "$i_rg" "$i_cold" "$i_warm" "$i_human" <<'PY'
import sys
rg, cold, warm, human = map(int, sys.argv[1:5])
for name, n in [("ripgrep fast path", rg), ("check, JSON, cold (`--no-cache`)", cold),
                ("check, JSON, warm cache", warm), ("check, human, warm cache", human)]:
    print(f"| {name} | {n / 1e6:,.1f} M | {n / rg:.2f}× |")
PY
    fi
fi
