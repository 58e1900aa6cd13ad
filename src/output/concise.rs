//! `--format concise`: one line per finding, as compilers and ruff print them —
//! `path:line:col: severity rule message [evidence]` — then the summary line. Every field is
//! one line with terminal controls neutralised.

use std::io::{self, Write};

use crate::diagnostic::Finding;
use crate::outcome::{CheckOutcome, finding_path_str};
use crate::source::{one_line, sanitize_for_terminal};

/// The line of one finding (without the newline).
pub fn line(finding: &Finding, path: &str) -> String {
    let place = match (finding.span, path.is_empty()) {
        (Some(span), _) => format!("{path}:{}:{}", span.begin.line, span.begin.column),
        (None, false) => path.to_string(),
        (None, true) => "backlint".to_string(),
    };
    let mut text = format!(
        "{}: {} {} {}",
        one_line(&place),
        finding.severity,
        finding.rule,
        one_line(&finding.message)
    );
    if !finding.label.is_empty() {
        text.push_str(&format!(" [{}]", one_line(&finding.label)));
    }
    sanitize_for_terminal(&text).into_owned()
}

/// Writes every finding on its own line, then the summary line.
pub fn write(out: &mut dyn Write, outcome: &CheckOutcome, color: bool) -> io::Result<()> {
    for finding in &outcome.findings {
        let path = finding_path_str(finding, &outcome.sources);
        writeln!(out, "{}", line(finding, path))?;
    }
    super::human::write_summary(out, &outcome.summary, color)
}
