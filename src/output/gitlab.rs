//! `--format gitlab`: GitLab Code Quality report (the merge-request widget): description,
//! check_name, fingerprint, severity, location.path and location.lines.begin.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::outcome::{CheckOutcome, finding_path};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: &'a str,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

pub fn write(out: &mut dyn Write, outcome: &CheckOutcome) -> io::Result<()> {
    let issues: Vec<Issue<'_>> = outcome
        .findings
        .iter()
        .map(|f| Issue {
            description: f.message.to_string(),
            check_name: f.rule.as_str(),
            fingerprint: &f.fingerprint,
            severity: match f.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
            },
            location: IssueLocation {
                path: finding_path(f, &outcome.sources),
                lines: Lines {
                    begin: f.span.map_or(1, |s| s.begin.line),
                },
            },
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues).map_err(io::Error::other)?;
    writeln!(out)
}
