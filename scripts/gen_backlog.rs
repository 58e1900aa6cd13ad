//! Generates a deterministic, realistic backlog for benchmarks: `cargo run --release --example
//! gen-backlog -- OUT_DIR [N]` writes N items (10,000 by default) of a few KB each in a
//! Backlog.md layout, plus `patterns.txt` (the checklist's keywords, for ripgrep).

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

/// A small deterministic generator (xorshift), so every run writes the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const VERBS: &[&str] = &[
    "Add", "Fix", "Refactor", "Migrate", "Improve", "Remove", "Document", "Harden", "Split",
    "Cache", "Validate", "Expose", "Render", "Paginate", "Rename",
];
/// Item subjects: most are ordinary product work, some touch the checklist areas (in the real
/// corpus about a quarter of the items trigger it).
const PLAIN_OBJECTS: &[&str] = &[
    "Kanban board drag and drop",
    "CLI help output",
    "dark mode colours",
    "markdown renderer",
    "keyboard shortcuts",
    "onboarding checklist",
    "task list sorting",
    "column width settings",
    "board filters",
    "status bar layout",
    "search box placeholder",
    "card preview tooltip",
    "the init wizard",
    "release notes page",
];
const SECURITY_OBJECTS: &[&str] = &[
    "the billing webhook handler",
    "session cookie handling",
    "the audit log pipeline",
    "database migration for orders",
    "password reset emails",
    "REST API pagination",
    "Redis cache for reports",
    "file upload endpoint",
    "OAuth login with GitHub",
    "S3 backup job",
];

fn object(rng: &mut Rng) -> &'static str {
    if rng.below(6) == 0 {
        rng.pick(SECURITY_OBJECTS)
    } else {
        rng.pick(PLAIN_OBJECTS)
    }
}

/// Most sentences in a real backlog are about ordinary product work.
const PLAIN_SENTENCES: &[&str] = &[
    "The current implementation is slow when the board holds more than a few hundred cards.",
    "Users reported that the layout breaks on narrow screens and the buttons overlap.",
    "This is purely a front-end change; nothing new is stored or sent anywhere.",
    "Keep the existing behaviour for configuration files on the local disk.",
    "Make sure the tests cover the empty state and the error state.",
    "The design tokens for spacing and colour move into one theme file.",
    "See the architecture notes in docs/architecture.md for the overall picture.",
    "The catalog page lists products with their shop address and opening hours.",
    "Align the column headers with the card titles and keep the sort order stable.",
    "Rename the internal helper so that its name says what it computes.",
    "The keyboard shortcut for moving a card conflicts with the browser's own.",
    "Add a loading indicator while the board is being rendered.",
    "The help text for the init command is out of date and mentions removed flags.",
    "Split the long function into smaller ones that each do one thing.",
    "Update the screenshots in the user guide after the redesign.",
    "Dragging a card onto a collapsed column should expand the column first.",
    "The colour contrast of disabled buttons fails the accessibility check.",
    "Remove the deprecated option and print a hint that names its replacement.",
    "Sorting by priority must keep cards with equal priority in their previous order.",
    "The empty state should explain how to create the first task.",
];

/// Sentences that touch the checklist areas.
const SECURITY_SENTENCES: &[&str] = &[
    "We receive the payload from the payment provider and must verify its signature before use.",
    "The service stores each record in PostgreSQL and keeps a copy in the cache for an hour.",
    "Every request is written to the access log with the caller's IP address and user agent.",
    "The login form should lock the account after five failed attempts.",
    "Customers' email addresses and phone numbers appear in the export and must be redacted.",
    "Refactor the module list: parser, renderer, exporter, logger, settings.",
    "A background worker polls the queue and retries failed deliveries with backoff.",
];

/// One sentence in 120 touches the checklist.
fn sentence(rng: &mut Rng) -> &'static str {
    if rng.below(120) == 0 {
        rng.pick(SECURITY_SENTENCES)
    } else {
        rng.pick(PLAIN_SENTENCES)
    }
}
const STATUSES: &[&str] = &["To Do", "In Progress", "Done", "Done", "To Do"];
const LABELS: &[&str] = &[
    "frontend", "backend", "api", "ux", "bug", "security", "cli", "docs", "db", "infra",
];

/// `base` plus up to `extra - 1` more sentences.
fn paragraph(rng: &mut Rng, base: u64, extra: u64) -> String {
    let sentences = base + rng.below(extra);
    let mut out = String::new();
    for _ in 0..sentences {
        out.push_str(sentence(rng));
        out.push(' ');
    }
    out.trim_end().to_string()
}

fn item(rng: &mut Rng, n: usize, total: usize) -> String {
    let title = format!("{} {}", rng.pick(VERBS), object(rng));
    let mut text = String::new();
    let _ = writeln!(text, "---");
    let _ = writeln!(text, "id: TASK-{n}");
    let _ = writeln!(text, "title: {title}");
    let _ = writeln!(text, "status: {}", rng.pick(STATUSES));
    let _ = writeln!(text, "assignee: []");
    let _ = writeln!(
        text,
        "created_date: '2026-0{}-1{} 10:00'",
        1 + rng.below(9),
        rng.below(10)
    );
    let _ = writeln!(text, "labels:");
    for _ in 0..1 + rng.below(3) {
        let _ = writeln!(text, "  - {}", rng.pick(LABELS));
    }
    let _ = writeln!(text, "dependencies:");
    if n > 1 && rng.below(3) == 0 {
        let _ = writeln!(text, "  - TASK-{}", 1 + rng.below((n - 1) as u64));
    }
    let _ = writeln!(text, "priority: {}", rng.pick(&["low", "medium", "high"]));
    let _ = writeln!(text, "ordinal: {}", n * 1000);
    let _ = writeln!(text, "---");
    let _ = writeln!(text);
    let _ = writeln!(text, "## Description\n\n<!-- SECTION:DESCRIPTION:BEGIN -->");
    let _ = writeln!(text, "{}\n", paragraph(rng, 3, 4));
    let _ = writeln!(text, "{}", paragraph(rng, 2, 4));
    let _ = writeln!(text, "<!-- SECTION:DESCRIPTION:END -->\n");
    let _ = writeln!(text, "## Acceptance Criteria\n<!-- AC:BEGIN -->");
    for k in 1..=3 + rng.below(4) {
        let _ = writeln!(text, "- [ ] #{k} {}", sentence(rng));
    }
    let _ = writeln!(text, "<!-- AC:END -->\n");
    let _ = writeln!(text, "## Implementation Notes\n");
    let _ = writeln!(text, "{}\n", paragraph(rng, 4, 8));
    let _ = writeln!(
        text,
        "```bash\ncurl -X POST https://example.test/webhook -d @payload.json\n```\n"
    );
    let _ = writeln!(text, "{}", paragraph(rng, 3, 6));
    let _ = writeln!(
        text,
        "\nRelated: [TASK-{}](task-{} - related.md)",
        1 + n % total,
        1 + n % total
    );
    text
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "bench-out/backlog".to_string()),
    );
    let total: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let tasks = out.join("backlog").join("tasks");
    if let Err(err) = fs::create_dir_all(&tasks) {
        eprintln!("cannot create {}: {err}", tasks.display());
        std::process::exit(2);
    }
    let config = "project_name: \"Bench\"\ndefault_status: \"To Do\"\nstatuses: [\"To Do\", \"In Progress\", \"Done\"]\ndefinition_of_done:\n  - Tests pass\n  - For every threat identified for this sprint's items, the residual risk is accepted by its owner\ntask_prefix: \"task\"\n";
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut bytes = 0;
    let result = fs::write(out.join("backlog").join("config.yml"), config).and_then(|()| {
        for n in 1..=total {
            let text = item(&mut rng, n, total);
            bytes += text.len();
            fs::write(tasks.join(format!("task-{n} - generated-item.md")), text)?;
        }
        fs::write(
            out.join("patterns.txt"),
            "webhook\npayload\nendpoint\nrequest\nlogin\nsession\npassword\noauth\ntoken\nemail\nphone\naddress\nredact\ndatabase\npostgres\nredis\ncache\nmigration\ns3\nbackup\nlog\naudit\ntrace\ntelemetry\n",
        )
    });
    match result {
        Ok(()) => println!(
            "wrote {total} items ({} MB) to {}",
            bytes / 1_000_000,
            out.display()
        ),
        Err(err) => {
            eprintln!("cannot write the backlog: {err}");
            std::process::exit(2);
        }
    }
}
