//! `backlint rules` and `backlint explain`: the rules and checklist categories, documented.

use std::io::Write;

use super::{AppError, Verdict, checklist_for};
use crate::config::Config;
use crate::rules;
use crate::util::suggest;

/// `backlint rules`: every rule and every checklist category.
pub fn list_rules(config: &Config, out: &mut dyn Write) -> Result<Verdict, AppError> {
    let checklist = checklist_for(config)?;
    writeln!(out, "Rules:")?;
    let width = rules::ALL
        .iter()
        .map(|r| r.id().as_str().len())
        .max()
        .unwrap_or(0);
    for rule in rules::ALL {
        writeln!(
            out,
            "  {:<width$}  {:<7}  {}",
            rule.id(),
            rule.default_severity().name(),
            rule.summary()
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Checklist categories (a triggered item needs a threat-analysis spike):"
    )?;
    let width = checklist
        .categories()
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(0);
    for category in checklist.categories() {
        writeln!(
            out,
            "  {:<width$}  {}  [{}]",
            category.id,
            category.summary,
            category.origins.join(", ")
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "`backlint explain RULE` (or CATEGORY) tells what it checks, why, and how to fix it."
    )?;
    Ok(Verdict::Clean)
}

/// `backlint explain RULE|CATEGORY`.
pub fn explain(config: &Config, name: &str, out: &mut dyn Write) -> Result<Verdict, AppError> {
    if let Some(rule) = rules::by_id(name) {
        writeln!(out, "{} ({})", rule.id(), rule.default_severity().name())?;
        writeln!(out)?;
        writeln!(out, "{}", rule.summary())?;
        writeln!(out)?;
        for line in rule.docs().lines() {
            writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line))?;
        }
        return Ok(Verdict::Clean);
    }
    let checklist = checklist_for(config)?;
    if let Some(category) = checklist.categories().iter().find(|c| c.id == name) {
        writeln!(
            out,
            "{} (checklist category, from {})",
            category.id,
            category.origins.join(", ")
        )?;
        writeln!(out)?;
        writeln!(out, "Triggers when an item {}.", category.summary)?;
        writeln!(out)?;
        writeln!(out, "{}", category.explain)?;
        writeln!(out)?;
        writeln!(
            out,
            "A triggered item needs a linked threat-analysis spike (see `backlint explain \
             triage/missing-spike`)."
        )?;
        return Ok(Verdict::Clean);
    }
    let mut known: Vec<String> = rules::ALL.iter().map(|r| r.id().to_string()).collect();
    known.extend(checklist.categories().iter().map(|c| c.id.clone()));
    let hint = suggest(name, &known)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_else(|| "; `backlint rules` lists them".to_string());
    Err(AppError::UnknownRule(name.to_string(), hint))
}

/// `docs/rules.md`: every rule's documentation, one section per rule (the SARIF `helpUri`s
/// point here).
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# backlint rules\n\n<!-- Generated from the rules' documentation by `backlint explain --all`; \
         a test keeps it in sync. -->\n\n",
    );
    for rule in rules::ALL {
        out.push_str(&format!(
            "## {}\n\n*{}* — {}\n\n",
            rule.id(),
            rule.default_severity().name(),
            rule.summary()
        ));
        for line in rule.docs().lines() {
            let line = line.strip_prefix(' ').unwrap_or(line);
            // Nested headings under the rule's own heading.
            if let Some(rest) = line.strip_prefix("## ") {
                out.push_str("### ");
                out.push_str(rest);
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}
