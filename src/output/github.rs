//! `--format github`: GitHub Actions workflow commands, so that findings appear as inline
//! annotations on the pull request even without code scanning.

use std::io::{self, Write};

use super::plural;
use crate::diagnostic::Severity;
use crate::outcome::{CheckOutcome, finding_path};
use crate::source::one_line;

/// Escapes a command's message (`%`, `\r`, `\n`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property (also `:` and `,`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(out: &mut dyn Write, outcome: &CheckOutcome) -> io::Result<()> {
    for finding in &outcome.findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = Vec::new();
        let path = finding_path(finding, &outcome.sources);
        if !path.is_empty() {
            properties.push(format!("file={}", escape_property(&path)));
        }
        if let Some(span) = finding.span {
            properties.push(format!("line={}", span.begin.line));
            properties.push(format!("col={}", span.begin.column));
            properties.push(format!("endLine={}", span.finish.line));
            properties.push(format!("endColumn={}", span.finish.column));
        }
        properties.push(format!("title={}", escape_property(finding.rule.as_str())));
        // Messages keep their newline before the fix: annotations show several lines.
        let mut message = one_line(&finding.message);
        let help = finding.help_text();
        if !help.is_empty() {
            message.push('\n');
            message.push_str(&one_line(&help));
        }
        writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        )?;
    }
    let s = &outcome.summary;
    writeln!(
        out,
        "::notice title=backlint::{}, {}, {} triggered the checklist: {}, {}",
        plural(s.files, "file"),
        plural(s.items, "item"),
        s.triggered,
        plural(s.errors, "error"),
        plural(s.warnings, "warning")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
        assert_eq!(
            escape_property("docs/task-1 - A, B.md"),
            "docs/task-1 - A%2C B.md"
        );
    }
}
