#!/usr/bin/env python3
"""Generates a git repository with a long, deterministic backlog history, for benchmarking
`backlint flow` and `backlint report --evidence`:

    scripts/gen_history.py DIR ITEMS COMMITS

ITEMS Markdown items under backlog/ (a tenth of them threat-analysis spikes that precede the
triggered stories), created over the first commits and then moved through
todo -> in progress -> (sometimes back) -> done, one to three items per commit, one commit an
hour. Written with `git fast-import`, so 10,000 commits take seconds."""
import random
import subprocess
import sys

def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    out, items, commits = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(20261130)
    subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
    bodies = [
        ("Users log in with a password and receive a session token.", True),
        ("Store each customer's address and phone number in the database.", True),
        ("Accept webhook callbacks from the payment provider over HTTP.", True),
        ("Write an audit log of admin actions.", True),
        ("Reword the footer and update the colour palette.", False),
        ("Reorder the product grid on the landing page.", False),
        ("Tidy the CSS of the settings page.", False),
    ]
    status = {}
    spikes = {}
    order = ["todo", "in progress", "done"]

    def item_text(n):
        body, triggered = bodies[n % len(bodies)]
        lines = ["---", f"id: STORY-{n}", "type: story", f"status: {status[n]}"]
        if triggered and n in spikes:
            lines.append(f"spikes: [SPIKE-{n}]")
        lines += ["---", f"# Story {n}", "", body, ""]
        return "\n".join(lines)

    def spike_text(n):
        return "\n".join(["---", f"id: SPIKE-{n}", "type: spike", f"status: {spikes[n]}",
                          "labels: [threat-analysis]", "---", f"# Threat analysis for STORY-{n}",
                          "", "Threats found: none beyond the usual.", ""])

    stream = []
    t0 = 1_700_000_000
    created = 0
    per_commit_new = max(1, items * 2 // max(commits, 1))
    for c in range(commits):
        files = {}
        if created < items:
            for _ in range(per_commit_new):
                if created >= items:
                    break
                n = created
                created += 1
                status[n] = "todo"
                if bodies[n % len(bodies)][1] and rng.random() < 0.8:
                    spikes[n] = "todo"
                    files[f"backlog/spikes/SPIKE-{n}.md"] = spike_text(n)
                files[f"backlog/stories/STORY-{n}.md"] = item_text(n)
        else:
            for _ in range(rng.randint(1, 3)):
                n = rng.randrange(items)
                if n in spikes and spikes[n] != "done" and rng.random() < 0.5:
                    spikes[n] = "done"
                    files[f"backlog/spikes/SPIKE-{n}.md"] = spike_text(n)
                    continue
                i = order.index(status[n])
                if i == 2:
                    continue
                if i == 1 and rng.random() < 0.15:
                    status[n] = "todo"
                else:
                    status[n] = order[i + 1]
                files[f"backlog/stories/STORY-{n}.md"] = item_text(n)
        if not files:
            files["backlog/README.md"] = f"# Backlog\n\nrevision {c}\n"
        when = t0 + c * 3600
        msg = f"change {c}\n"
        stream.append(f"commit refs/heads/main\ncommitter Bench <bench@example.com> {when} +0000\n")
        stream.append(f"data {len(msg.encode())}\n{msg}")
        for path, text in sorted(files.items()):
            data = text.encode()
            stream.append(f'M 100644 inline "{path}"\ndata {len(data)}\n')
            stream.append(text)
            stream.append("\n")
        stream.append("\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=out, check=True,
                   input="".join(stream).encode())
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=out, check=True)

if __name__ == "__main__":
    main()
