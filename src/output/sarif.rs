//! `--format sarif`: SARIF 2.1.0 through serde-sarif's typed model: one run, every rule in
//! `tool.driver.rules` (with its documentation and a link to it), one result per finding with a
//! `%SRCROOT%`-relative location and the stable fingerprint.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};

use crate::diagnostic::{Finding, Severity};
use crate::outcome::{CheckOutcome, finding_path};
use crate::rules::{ALL, Rule};

/// Where the rule documentation is published.
pub const DOCS_URL: &str = "https://github.com/backlint/backlint/blob/main/docs/rules.md";

/// The anchor of a rule's heading in `docs/rules.md` (GitHub's slug of the id).
pub fn rule_anchor(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .flat_map(char::to_lowercase)
        .collect()
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
    }
}

/// The first paragraph of "What it checks".
fn what_it_checks(docs: &str) -> String {
    let body = docs
        .split("## What it checks")
        .nth(1)
        .unwrap_or(docs)
        .split("\n\n")
        .map(|p| p.lines().map(|l| l.trim()).collect::<Vec<_>>().join(" "))
        .find(|p| !p.trim().is_empty())
        .unwrap_or_default();
    body.trim().to_string()
}

fn descriptor(rule: &dyn Rule) -> ReportingDescriptor {
    let docs: String = rule
        .docs()
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    ReportingDescriptor::builder()
        .id(rule.id().to_string())
        .name(rule.id().as_str().replace(['/', '-'], "_"))
        .short_description(
            MultiformatMessageString::builder()
                .text(rule.summary().to_string())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(what_it_checks(&docs))
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(docs.clone())
                .markdown(docs)
                .build(),
        )
        .help_uri(format!("{DOCS_URL}#{}", rule_anchor(rule.id().as_str())))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::json!(match rule.default_severity() {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                }))
                .build(),
        )
        .build()
}

fn location(finding: &Finding, path: &str) -> Location {
    let artifact = ArtifactLocation::builder()
        .uri(if path.is_empty() {
            ".".to_string()
        } else {
            uri_escape(path)
        })
        .uri_base_id("%SRCROOT%".to_string())
        .build();
    let physical = match finding.span {
        Some(span) => {
            // SARIF regions need a non-empty extent; an empty span covers one character.
            let (end_line, end_column) = if span.finish == span.begin {
                (span.begin.line, span.begin.column + 1)
            } else {
                (span.finish.line, span.finish.column)
            };
            PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(
                    Region::builder()
                        .start_line(i64::from(span.begin.line))
                        .start_column(i64::from(span.begin.column))
                        .end_line(i64::from(end_line))
                        .end_column(i64::from(end_column))
                        .build(),
                )
                .build()
        }
        None => PhysicalLocation::builder()
            .artifact_location(artifact)
            .build(),
    };
    Location::builder().physical_location(physical).build()
}

/// Percent-encodes what a URI reference cannot hold (spaces, `#`, `%`, non-ASCII).
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// The SARIF log of a check.
pub fn log(outcome: &CheckOutcome) -> Sarif {
    let rule_index: BTreeMap<&str, usize> = ALL
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id().as_str(), i))
        .collect();
    let results: Vec<SarifResult> = outcome
        .findings
        .iter()
        .map(|finding| {
            let path = finding_path(finding, &outcome.sources);
            let help = finding.help_text();
            let text = if help.is_empty() {
                finding.message.to_string()
            } else {
                format!("{}\nHow to fix: {help}", finding.message)
            };
            let mut fingerprints = BTreeMap::new();
            fingerprints.insert("backlint/v1".to_string(), finding.fingerprint.to_string());
            let builder = SarifResult::builder()
                .rule_id(finding.rule.to_string())
                .level(level(finding.severity))
                .message(Message::builder().text(text).build())
                .locations(vec![location(finding, &path)])
                .partial_fingerprints(fingerprints);
            match rule_index.get(finding.rule.as_str()) {
                Some(index) => builder.rule_index(*index as i64).build(),
                None => builder.build(),
            }
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("backlint".to_string())
        .version(env!("CARGO_PKG_VERSION").to_string())
        .semantic_version(env!("CARGO_PKG_VERSION").to_string())
        .information_uri(env!("CARGO_PKG_REPOSITORY").to_string())
        .rules(ALL.iter().map(|r| descriptor(*r)).collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json".to_string())
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

pub fn write(out: &mut dyn Write, outcome: &CheckOutcome) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(outcome)).map_err(io::Error::other)?;
    writeln!(out)
}
