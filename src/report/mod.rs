//! `backlint report`: where the backlog stands on security, for product owners and auditors.
//! Built from one check (the same findings `check` reports) and, in a git repository, from the
//! backlog's history (trend and audit evidence). Rendered as one self-contained HTML file,
//! Markdown tables or JSON; every figure is described in docs/report.md.

pub mod build;
pub mod evidence;
pub mod html;
pub mod markdown;
pub mod svg;
pub mod trend;

use serde::Serialize;

pub use build::{ReportInput, build};

/// The report (JSON schema version 1).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub schema_version: u32,
    /// The day the report was made (UTC).
    pub generated: String,
    /// The repository folder's name.
    pub repository: String,
    /// HEAD when the report was made, if in git.
    pub commit: Option<String>,
    pub headline: Headline,
    /// Who must act, in this order: item authors, the team, product owners, clients, the
    /// security group, waiver owners.
    pub actions: Vec<ActionGroup>,
    /// Epics with their stories and tasks.
    pub epics: Vec<EpicNode>,
    /// Triggered items not under any epic.
    pub outside_epics: Vec<ItemRow>,
    /// Every item that triggers the checklist.
    pub triggered: Vec<ItemRow>,
    pub overrides: Vec<OverrideRow>,
    pub waivers: Vec<WaiverRow>,
    /// Weekly figures from history (`None` outside git).
    pub trend: Option<trend::Trend>,
    /// Provenance of spikes and acceptances (`--evidence`).
    pub evidence: Option<Vec<evidence::ItemEvidence>>,
    /// Things the reader should know about the report itself (shallow clone, no git).
    pub notes: Vec<String>,
}

/// The figures at the top of the report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Headline {
    /// Items checked (archived items excluded).
    pub items: usize,
    /// Items that trigger at least one checklist category (spikes excluded).
    pub triggered: usize,
    pub per_category: Vec<CategoryCount>,
    /// Triggered items with at least one linked threat-analysis spike.
    pub with_spike: usize,
    /// …whose spikes are all done.
    pub spike_done: usize,
    /// Triggered items without a spike (what `triage/missing-spike` reports, before the
    /// baseline and suppressions).
    pub missing_spike: usize,
    /// Triggered items that are done.
    pub done: usize,
    /// Triggered items with a `risk_acceptance` decided (accepted or mitigated), by role.
    pub risk_accepted: usize,
    pub accepted_by: AcceptedBy,
    /// Done triggered items with no decision recorded.
    pub awaiting_acceptance: usize,
    pub open_vetoes: usize,
    /// Categories switched off on an item with `triage: {…: false}`.
    pub overridden: usize,
    pub suppressions: usize,
    pub baseline_entries: usize,
    /// Suppressions and baseline entries that expire within 30 days or have expired.
    pub expiring_waivers: usize,
    pub errors: usize,
    pub warnings: usize,
    /// `story/attacker-story-missing` findings.
    pub attacker_stories_missing: usize,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct AcceptedBy {
    pub team: usize,
    pub product_owner: usize,
    pub client: usize,
    /// A role backlint does not recognise, or the security group (which may not accept).
    pub other: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct CategoryCount {
    pub category: String,
    pub title: String,
    pub items: usize,
    pub with_spike: usize,
}

/// Findings grouped by who must act.
#[derive(Clone, Debug, Serialize)]
pub struct ActionGroup {
    /// `author`, `team`, `product-owner`, `client`, `security`, `waiver-owner`.
    pub owner: String,
    pub title: String,
    pub actions: Vec<Action>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Action {
    pub rule: String,
    pub severity: String,
    pub item: Option<String>,
    pub title: Option<String>,
    pub path: String,
    pub line: Option<u32>,
    pub message: String,
}

/// One item as the report shows it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    /// code-level, story-level, epic-level.
    pub level: String,
    pub path: String,
    pub line: u32,
    /// Triggered categories.
    pub categories: Vec<String>,
    /// Linked threat-analysis spikes and their status.
    pub spikes: Vec<SpikeRef>,
    /// `accepted by Pat (product-owner) on 2026-03-01`, if recorded.
    pub acceptance: Option<String>,
    pub veto: bool,
    /// Error findings about this item after the baseline and suppressions.
    pub errors: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct SpikeRef {
    pub id: String,
    pub status: String,
    pub path: String,
}

/// An epic and what is under it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EpicNode {
    pub item: ItemRow,
    /// Items under it that trigger the checklist, and those of them with no spike.
    pub triggered: usize,
    pub unanalysed: usize,
    pub children: Vec<EpicNode>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OverrideRow {
    pub item: String,
    pub path: String,
    pub line: u32,
    pub categories: Vec<String>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WaiverRow {
    /// `suppression` (on an item) or `baseline`.
    pub source: String,
    pub rule: String,
    pub item: Option<String>,
    pub path: String,
    pub reason: Option<String>,
    pub until: Option<String>,
    /// Expired, or expires within 30 days.
    pub expiring: bool,
}

/// The output formats of `backlint report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Html,
    Markdown,
    Json,
}

impl std::str::FromStr for ReportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "html" => Ok(ReportFormat::Html),
            "markdown" | "md" => Ok(ReportFormat::Markdown),
            "json" => Ok(ReportFormat::Json),
            other => Err(format!(
                "unknown report format `{other}` (html, markdown or json)"
            )),
        }
    }
}

/// Where item links point: a URL prefix (GitHub) or a relative path to the repository root.
#[derive(Clone, Debug, Default)]
pub struct Links {
    pub prefix: String,
}

impl Links {
    pub fn to(&self, path: &str, line: u32) -> String {
        let path: String = path
            .split('/')
            .map(percent_encode_segment)
            .collect::<Vec<_>>()
            .join("/");
        if line > 0 && self.prefix.starts_with("http") {
            format!("{}{path}#L{line}", self.prefix)
        } else {
            format!("{}{path}", self.prefix)
        }
    }
}

/// Percent-encodes what a URL path segment must not hold raw.
fn percent_encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Writes `report` in `format`.
pub fn write(
    report: &Report,
    format: ReportFormat,
    links: &Links,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Html => html::write(report, links, out),
        ReportFormat::Markdown => markdown::write(report, links, out),
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
    }
}
