#!/usr/bin/env bash
# Leave-one-backlog-out cross-validation of the triage model beside the phrase rules, over the
# shared labelled items (../shared/triage-train + ../shared/triage-dev). Prints the Markdown
# tables that docs/triage.md quotes. Extra arguments go to `backlint triage cv`
# (e.g. --target-recall 0.85 --target-precision 0.7).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared}
if [ ! -d "$shared/triage-train" ]; then
    echo "triage-cv: $shared/triage-train not found (set SHARED=…)" >&2
    exit 2
fi
cargo build --release --quiet
exec target/release/backlint triage cv \
    --labels "$shared/triage-train/labels.jsonl" "$shared/triage-dev/labels.jsonl" \
    --corpus "$shared/corpus" "$@"
