//! `--format markdown`: a compact summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment:
//! counts, then a table of findings (open items first, with their titles) linking to the item
//! files, capped at a readable length.

use std::io::{self, Write};

use super::plural;
use crate::diagnostic::Severity;
use crate::outcome::{CheckOutcome, finding_path};
use crate::source::one_line;

/// Escapes text for a Markdown table cell.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in one_line(text).chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('\''),
            '[' | ']' | '*' | '_' => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out
}

/// Where links in the summary point: `https://github.com/OWNER/REPO/blob/SHA/` on GitHub
/// Actions (from `GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`, `GITHUB_SHA`), else nowhere (paths
/// stay relative).
pub fn github_link_base(server: &str, repository: &str, sha: &str) -> Option<String> {
    (!server.is_empty() && !repository.is_empty() && !sha.is_empty())
        .then(|| format!("{}/{repository}/blob/{sha}/", server.trim_end_matches('/')))
}

/// A link to a file and line: below `base` when there is one (a commit's blob), else relative.
fn link(path: &str, line: Option<u32>, base: Option<&str>) -> String {
    let encoded: String = path
        .split('/')
        .map(|p| {
            p.replace('%', "%25")
                .replace(' ', "%20")
                .replace('#', "%23")
                .replace('(', "%28")
                .replace(')', "%29")
        })
        .collect::<Vec<_>>()
        .join("/");
    let anchor = line.map(|l| format!("#L{l}")).unwrap_or_default();
    let base = base.unwrap_or_default();
    let label = match line {
        Some(l) => format!("{path}:{l}"),
        None => path.to_string(),
    };
    format!("[{}]({base}{encoded}{anchor})", cell(&label))
}

/// Rows of the findings table; the rest are counted (a job summary is read, not searched).
pub const MAX_ROWS: usize = 100;

/// Item titles in the table are cut to this many characters.
const TITLE_CHARS: usize = 60;

/// `TASK-1 · Title` for the item column.
fn item_cell(outcome: &CheckOutcome, finding: &crate::diagnostic::Finding) -> String {
    let Some(id) = finding.item.as_deref() else {
        return String::new();
    };
    let title = finding
        .item_index
        .and_then(|i| outcome.backlog.items.get(i))
        .map(|item| one_line(&item.title))
        .unwrap_or_default();
    if title.is_empty() {
        return cell(id);
    }
    let title = crate::util::text::cut_chars(title, TITLE_CHARS);
    format!("{} · {}", cell(id), cell(&title))
}

/// Writes the summary; `link_base` makes file links absolute (see [`github_link_base`]).
pub fn write(
    out: &mut dyn Write,
    outcome: &CheckOutcome,
    link_base: Option<&str>,
) -> io::Result<()> {
    let s = &outcome.summary;
    let verdict = match (s.errors, s.warnings) {
        (0, 0) => "✅ no problems".to_string(),
        (0, w) => format!("⚠️ {}", plural(w, "warning")),
        (e, w) => format!("❌ {}, {}", plural(e, "error"), plural(w, "warning")),
    };
    writeln!(out, "## backlint: {verdict}")?;
    writeln!(out)?;
    writeln!(
        out,
        "{}, {}, {} triggered the security checklist.",
        plural(s.files, "file"),
        plural(s.items, "item"),
        s.triggered
    )?;
    if outcome.findings.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "| | rule | item | where | finding |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for f in outcome.findings.iter().take(MAX_ROWS) {
        let icon = match f.severity {
            Severity::Error => "❌",
            Severity::Warning => "⚠️",
        };
        let path = finding_path(f, &outcome.sources);
        let place = if path.is_empty() {
            String::new()
        } else {
            link(&path, f.span.map(|s| s.begin.line), link_base)
        };
        writeln!(
            out,
            "| {icon} | `{}` | {} | {place} | {} |",
            f.rule,
            item_cell(outcome, f),
            cell(&f.message)
        )?;
    }
    if outcome.findings.len() > MAX_ROWS {
        writeln!(out)?;
        writeln!(
            out,
            "… and {} more findings. The SARIF or JSON report of the same run has them all \
             (`--format sarif -o backlint.sarif`).",
            outcome.findings.len() - MAX_ROWS
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "`backlint explain RULE` says why each rule matters and how to fix it."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_links() {
        assert_eq!(cell("a | b\nc <x> `y`"), "a \\| b c &lt;x&gt; 'y'");
        assert_eq!(
            cell("[link](x) *bold* _it_"),
            "\\[link\\](x) \\*bold\\* \\_it\\_"
        );
        assert_eq!(
            link("back log/t (1).md", Some(3), None),
            "[back log/t (1).md:3](back%20log/t%20%281%29.md#L3)"
        );
        let base = github_link_base("https://github.com", "acme/shop", "abc123");
        assert_eq!(
            base.as_deref(),
            Some("https://github.com/acme/shop/blob/abc123/")
        );
        assert_eq!(
            link("backlog/t 1.md", Some(7), base.as_deref()),
            "[backlog/t 1.md:7](https://github.com/acme/shop/blob/abc123/backlog/t%201.md#L7)"
        );
        assert_eq!(
            link("a.md", None, base.as_deref()),
            "[a.md](https://github.com/acme/shop/blob/abc123/a.md)"
        );
        assert_eq!(
            github_link_base("https://github.com", "acme/shop", ""),
            None
        );
    }
}
