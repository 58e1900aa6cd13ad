#!/usr/bin/env bash
# Builds a git repository at DIR holding examples/webshop with a short scripted history
# (seven weekly commits from 2026-09-07 on: spikes analysed, stories started, one story sent
# back because its spike was not done), ending with the files exactly as shipped. Used by the
# README's `backlint flow` table and report screenshot, and by tests/report_browser.rs.
#
#   scripts/example-history.sh /tmp/webshop && cd /tmp/webshop && backlint flow
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:?usage: scripts/example-history.sh DIR}"
if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    echo "example-history: $dir exists and is not empty" >&2
    exit 2
fi
mkdir -p "$dir"
cp -R "$here/examples/webshop/." "$dir/"
cd "$dir"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
git init -q -b main
git config user.name "Harbor Shop team"
git config user.email "team@harbor.example"

status() { # FILE STATUS: rewrite the first `status:` line of a front-matter item
    sed -i.bak "0,/^status:.*/s//status: $2/" "$1" && rm -f "$1.bak"
}
commit() { # DATE MESSAGE
    git add -A
    GIT_AUTHOR_DATE="$1T10:00:00+02:00" GIT_COMMITTER_DATE="$1T10:00:00+02:00" \
        git commit -q -m "$2"
}
t="backlog/tasks"

# Week 1: everything planned.
for f in stories/STORY-1.md stories/STORY-3.md stories/STORY-5.md stories/SPIKE-1.md \
         stories/SPIKE-3.md stories/EPIC-1.md; do status "$f" todo; done
status "$t/task-1 - Cache-product-listings-in-Redis.md" "To Do"
status "$t/task-2 - Threat-analysis-of-the-listing-cache.md" "To Do"
commit 2026-09-07 "Plan the accounts and checkout epics"

status stories/SPIKE-1.md "in progress"
status stories/EPIC-1.md "in progress"
status "$t/task-2 - Threat-analysis-of-the-listing-cache.md" "In Progress"
commit 2026-09-14 "Threat analysis of sign-in and of the listing cache"

status stories/SPIKE-1.md done
status "$t/task-2 - Threat-analysis-of-the-listing-cache.md" Done
status stories/STORY-1.md "in progress"
status "$t/task-1 - Cache-product-listings-in-Redis.md" "In Progress"
commit 2026-09-21 "Sign-in analysed; start sign-in and the listing cache"

status stories/STORY-3.md "in progress"
status stories/SPIKE-3.md "in progress"
commit 2026-09-28 "Start the payment webhooks"

status stories/STORY-3.md todo
status stories/SPIKE-3.md done
status stories/STORY-1.md done
commit 2026-10-05 "Webhooks back to the backlog until their threat analysis is done; sign-in done"

status stories/STORY-5.md "in progress"
commit 2026-10-12 "Start the order confirmation e-mails"

# The files as shipped.
cp -R "$here/examples/webshop/." "$dir/"
commit 2026-10-19 "Record risk decisions; resume the webhooks"
echo "example history: $(git rev-list --count HEAD) commits in $dir"
