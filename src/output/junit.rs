//! `--format junit`: JUnit XML for CI test reports: one test case per item checked (failing
//! with one failure per finding), and one for findings about the backlog as a whole.

#![allow(
    clippy::indexing_slicing,
    reason = "item and finding indices come from enumerating the same outcome"
)]

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::outcome::{CheckOutcome, finding_path};

/// Escapes text for XML, dropping characters XML 1.0 cannot hold.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

pub fn write(out: &mut dyn Write, outcome: &CheckOutcome) -> io::Result<()> {
    let items = &outcome.backlog.items;
    let mut per_item: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut whole = Vec::new();
    for (n, finding) in outcome.findings.iter().enumerate() {
        match finding.item_index {
            Some(idx) => per_item.entry(idx).or_default().push(n),
            None => whole.push(n),
        }
    }
    let reported: Vec<usize> = (0..items.len()).filter(|i| !items[*i].archived).collect();
    let failing = reported.iter().filter(|i| per_item.contains_key(i)).count()
        + usize::from(!whole.is_empty());
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="backlint" tests="{}" failures="{failing}">"#,
        reported.len() + 1
    )?;
    writeln!(
        out,
        r#"  <testsuite name="backlint" tests="{}" failures="{failing}" errors="0" skipped="0">"#,
        reported.len() + 1
    )?;
    let failure = |out: &mut dyn Write, n: usize| -> io::Result<()> {
        let f = &outcome.findings[n];
        let place = match f.span {
            Some(s) => format!(
                "{}:{}:{}",
                finding_path(f, &outcome.sources),
                s.begin.line,
                s.begin.column
            ),
            None => finding_path(f, &outcome.sources),
        };
        writeln!(
            out,
            r#"      <failure type="{}" message="{}">{}: {}&#10;{}&#10;help: {}</failure>"#,
            xml_escape(f.rule.as_str()),
            xml_escape(&f.message),
            f.severity,
            xml_escape(f.rule.as_str()),
            xml_escape(&place),
            xml_escape(&f.help_text())
        )
    };
    // Backlog-wide findings (the definition of done, parse errors) in their own case.
    write!(
        out,
        r#"    <testcase classname="backlog" name="backlog as a whole""#
    )?;
    if whole.is_empty() {
        writeln!(out, "/>")?;
    } else {
        writeln!(out, ">")?;
        for n in &whole {
            failure(out, *n)?;
        }
        writeln!(out, "    </testcase>")?;
    }
    for idx in reported {
        let item = &items[idx];
        let name = format!("{}: {}", item.id, item.title);
        write!(
            out,
            r#"    <testcase classname="{}" name="{}""#,
            xml_escape(&item.path),
            xml_escape(&name)
        )?;
        match per_item.get(&idx) {
            None => writeln!(out, "/>")?,
            Some(list) => {
                writeln!(out, ">")?;
                for n in list {
                    failure(out, *n)?;
                }
                writeln!(out, "    </testcase>")?;
            }
        }
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(
            xml_escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(xml_escape("bell\u{7}"), "bell\u{fffd}");
    }
}
