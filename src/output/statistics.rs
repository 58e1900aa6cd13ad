//! Counts of a run's findings — per rule, per checklist category, open vs done items — and the
//! few next steps that clear the most of them. Closes the human report; `--statistics` prints
//! the table beside any format.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use super::plural;
use crate::diagnostic::{RuleId, Severity};
use crate::filter::StatusClass;
use crate::outcome::{CheckOutcome, finding_path_str};
use crate::source::one_line;

/// What the findings of a run add up to.
#[derive(Debug, Default)]
pub struct Statistics {
    /// (rule, errors, warnings), most findings first.
    pub by_rule: Vec<(RuleId, usize, usize)>,
    /// (category, findings), most first.
    pub by_category: Vec<(String, usize)>,
    /// Items with at least one finding.
    pub open_items: usize,
    pub done_items: usize,
    /// Findings about the backlog as a whole.
    pub backlog_findings: usize,
    /// Findings on open and on done items.
    pub open_findings: usize,
    pub done_findings: usize,
}

impl Statistics {
    pub fn of(outcome: &CheckOutcome) -> Statistics {
        let mut rules: BTreeMap<RuleId, (usize, usize)> = BTreeMap::new();
        let mut categories: BTreeMap<String, usize> = BTreeMap::new();
        let mut open = BTreeSet::new();
        let mut done = BTreeSet::new();
        let mut stats = Statistics::default();
        for finding in &outcome.findings {
            let counts = rules.entry(finding.rule).or_default();
            match finding.severity {
                Severity::Error => counts.0 += 1,
                Severity::Warning => counts.1 += 1,
            }
            for category in &finding.categories {
                *categories.entry(category.clone()).or_default() += 1;
            }
            match (
                StatusClass::of(finding, &outcome.backlog),
                finding.item_index,
            ) {
                (StatusClass::Open, Some(i)) => {
                    open.insert(i);
                    stats.open_findings += 1;
                }
                (StatusClass::Done, Some(i)) => {
                    done.insert(i);
                    stats.done_findings += 1;
                }
                _ => stats.backlog_findings += 1,
            }
        }
        stats.by_rule = rules.into_iter().map(|(r, (e, w))| (r, e, w)).collect();
        stats
            .by_rule
            .sort_by_key(|(r, e, w)| (std::cmp::Reverse(e + w), r.as_str()));
        stats.by_category = categories.into_iter().collect();
        stats
            .by_category
            .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        stats.open_items = open.len();
        stats.done_items = done.len();
        stats
    }

    /// The table: findings per rule and per category, and the open/done split.
    pub fn write_table(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.by_rule.is_empty() {
            return Ok(());
        }
        let width = self
            .by_rule
            .iter()
            .map(|(r, ..)| r.as_str().len())
            .chain(self.by_category.iter().map(|(c, _)| c.len()))
            .max()
            .unwrap_or(0)
            .max(20)
            + 2;
        writeln!(
            out,
            "{:<width$}  {:>6}  {:>8}",
            "findings by rule", "errors", "warnings"
        )?;
        for (rule, errors, warnings) in &self.by_rule {
            writeln!(
                out,
                "  {:<w$}  {errors:>6}  {warnings:>8}",
                rule.as_str(),
                w = width - 2
            )?;
        }
        if !self.by_category.is_empty() {
            writeln!(out, "{:<width$}  {:>6}", "findings by category", "count")?;
            for (category, count) in &self.by_category {
                let category = one_line(category);
                writeln!(out, "  {category:<w$}  {count:>6}", w = width - 2)?;
            }
        }
        writeln!(
            out,
            "items with findings: {} open ({}), {} done or archived ({}){}",
            self.open_items,
            plural(self.open_findings, "finding"),
            self.done_items,
            plural(self.done_findings, "finding"),
            if self.backlog_findings > 0 {
                format!(
                    "\nfindings about the backlog as a whole: {}",
                    self.backlog_findings
                )
            } else {
                String::new()
            }
        )
    }
}

/// Up to three steps that clear the most findings, most useful first.
pub fn next_steps(outcome: &CheckOutcome, stats: &Statistics) -> Vec<String> {
    let mut steps = Vec::new();
    let count = |rule: RuleId, class: Option<StatusClass>| {
        outcome
            .findings
            .iter()
            .filter(|f| f.rule == rule)
            .filter(|f| class.is_none_or(|c| StatusClass::of(f, &outcome.backlog) == c))
            .count()
    };
    let parse_errors = count(RuleId::ParseError, None);
    if parse_errors > 0 {
        steps.push(if parse_errors == 1 {
            "fix the file that does not parse: the items in it are not checked".to_string()
        } else {
            format!(
                "fix the {parse_errors} files that do not parse: the items in them are not checked"
            )
        });
    }
    // A team definition of done without the entry: one line settles it and its copies.
    for finding in outcome
        .findings
        .iter()
        .filter(|f| f.rule == RuleId::DodMissingRiskAcceptance && f.item_index.is_none())
    {
        let copies = finding.folded;
        let path = one_line(finding_path_str(finding, &outcome.sources));
        steps.push(if copies > 0 {
            format!(
                "add the residual-risk entry to {path}: 1 line settles it and the {copies} items \
                 that copy it"
            )
        } else {
            format!("add the residual-risk entry to {path} (`backlint explain dod/missing-risk-acceptance`)")
        });
    }
    let open_spikes = count(RuleId::MissingSpike, Some(StatusClass::Open));
    if open_spikes > 0 {
        steps.push(format!(
            "{} {} a threat-analysis spike: `backlint check --fix --dry-run` shows the spikes it \
             would create for open items",
            plural(open_spikes, "open item"),
            if open_spikes == 1 { "needs" } else { "need" }
        ));
    }
    let unconfirmed = count(RuleId::Unconfirmed, Some(StatusClass::Open));
    if unconfirmed > 0 {
        steps.push(format!(
            "{} may touch the checklist: answer with `triage: {{CATEGORY: true|false}}`; \
             `backlint why ID` shows the evidence",
            plural(unconfirmed, "open finding")
        ));
    }
    if stats.done_findings > 0 {
        steps.push(format!(
            "{} are on done or archived items: `backlint baseline` records them as accepted \
             debt, `--status open` hides them",
            plural(stats.done_findings, "finding")
        ));
    }
    steps.truncate(3);
    steps
}
