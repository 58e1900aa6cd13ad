//! Builds the report's data from one check (and the backlog's history, when there is one):
//! headline figures, actions by owner, the epic tree, triggered items, overrides, waivers.

#![allow(
    clippy::indexing_slicing,
    reason = "item indices come from the backlog of the same run"
)]

use std::collections::HashSet;

use jiff::civil::Date;

use super::{
    Action, ActionGroup, CategoryCount, EpicNode, Headline, ItemRow, OverrideRow, Report, SpikeRef,
    WaiverRow, evidence, trend,
};
use crate::baseline::Baseline;
use crate::diagnostic::{RuleId, Severity};
use crate::history::History;
use crate::model::{Item, Level, Status};
use crate::outcome::{CheckOutcome, finding_path};
use crate::source::one_line;
use crate::triage::Checklist;
use crate::util::date::parse_date;

/// Waivers that end within this many days are listed as expiring.
pub const EXPIRY_WINDOW_DAYS: i64 = 30;

/// What a report is made of.
pub struct ReportInput<'a> {
    pub outcome: &'a CheckOutcome,
    pub checklist: &'a Checklist,
    pub baseline: Option<&'a Baseline>,
    pub history: Option<&'a History>,
    /// Include the git provenance of spikes and acceptances.
    pub evidence: bool,
    /// Trend window start (commit time), if `--since` was given.
    pub since: Option<i64>,
    pub today: Date,
    pub repository: String,
    pub commit: Option<String>,
    pub notes: Vec<String>,
}

pub fn build(input: &ReportInput<'_>) -> Report {
    let outcome = input.outcome;
    let backlog = &outcome.backlog;
    let reported = |idx: usize| backlog.items.get(idx).is_some_and(|i| !i.archived);
    let is_subject = |idx: usize| reported(idx) && !backlog.is_threat_spike(idx);
    let triggered: Vec<usize> = (0..backlog.items.len())
        .filter(|&i| is_subject(i))
        .filter(|&i| {
            outcome
                .triage
                .get(i)
                .is_some_and(|t| !t.categories.is_empty())
        })
        .collect();

    let mut headline = Headline {
        items: (0..backlog.items.len()).filter(|&i| reported(i)).count(),
        triggered: triggered.len(),
        errors: outcome.summary.errors,
        warnings: outcome.summary.warnings,
        ..Headline::default()
    };
    let category_ids = &outcome.category_ids;
    let mut per_category: Vec<CategoryCount> = category_ids
        .iter()
        .map(|id| CategoryCount {
            category: id.clone(),
            title: input
                .checklist
                .categories()
                .iter()
                .find(|c| &c.id == id)
                .map_or_else(|| id.clone(), |c| one_line(&c.title)),
            items: 0,
            with_spike: 0,
        })
        .collect();
    for &idx in &triggered {
        let item = &backlog.items[idx];
        let spikes = backlog.threat_spikes(idx);
        if !spikes.is_empty() {
            headline.with_spike += 1;
            if spikes
                .iter()
                .all(|(s, _)| backlog.items[*s].status == Status::Done)
            {
                headline.spike_done += 1;
            }
        } else if !matches!(item.status, Status::Cancelled) {
            headline.missing_spike += 1;
        }
        for m in outcome.triage.get(idx).map_or(&[][..], |t| &t.categories) {
            if let Some(count) = per_category.get_mut(m.category) {
                count.items += 1;
                count.with_spike += usize::from(!spikes.is_empty());
            }
        }
        if item.status == Status::Done {
            headline.done += 1;
        }
        if let Some(record) = decided(item) {
            headline.risk_accepted += 1;
            use crate::rules::risk::Role;
            match record.role.as_ref().and_then(|r| Role::parse(&r.value)) {
                Some(Role::Team) => headline.accepted_by.team += 1,
                Some(Role::ProductOwner) => headline.accepted_by.product_owner += 1,
                Some(Role::Client) => headline.accepted_by.client += 1,
                Some(Role::Security) | None => headline.accepted_by.other += 1,
            }
        } else if item.status == Status::Done {
            headline.awaiting_acceptance += 1;
        }
    }
    per_category.retain(|c| c.items > 0);
    headline.per_category = per_category;
    headline.open_vetoes = (0..backlog.items.len())
        .filter(|&i| reported(i))
        .filter(|&i| backlog.items[i].veto.as_ref().is_some_and(|v| !v.lifted))
        .count();
    headline.attacker_stories_missing = outcome
        .findings
        .iter()
        .filter(|f| f.rule == RuleId::AttackerStoryMissing)
        .count();

    let overrides: Vec<OverrideRow> = backlog
        .items
        .iter()
        .enumerate()
        .filter(|(i, _)| reported(*i))
        .filter_map(|(_, item)| {
            let o = item.triage_override.as_ref()?;
            if o.disabled.is_empty() {
                return None;
            }
            Some(OverrideRow {
                item: one_line(&item.id),
                path: item.path.to_string(),
                line: o.at.begin.line,
                categories: o.disabled.iter().map(|d| one_line(&d.value)).collect(),
                reason: o.reason.as_ref().map(|r| one_line(&r.value)),
            })
        })
        .collect();
    headline.overridden = overrides.iter().map(|o| o.categories.len()).sum();

    let waivers = waivers(input);
    headline.suppressions = waivers.iter().filter(|w| w.source == "suppression").count();
    headline.baseline_entries = waivers.iter().filter(|w| w.source == "baseline").count();
    headline.expiring_waivers = waivers.iter().filter(|w| w.expiring).count();

    let rows: Vec<Option<ItemRow>> = (0..backlog.items.len())
        .map(|i| reported(i).then(|| item_row(outcome, i)))
        .collect();
    let row = |i: usize| rows.get(i).cloned().flatten().unwrap_or_default();
    let triggered_rows: Vec<ItemRow> = triggered.iter().map(|&i| row(i)).collect();

    // Epics: each epic with the tree below it.
    let children = backlog.children();
    let triggered_set: HashSet<usize> = triggered.iter().copied().collect();
    let mut under_epic: HashSet<usize> = HashSet::new();
    let mut epics = Vec::new();
    for idx in 0..backlog.items.len() {
        if reported(idx) && backlog.items[idx].kind == crate::model::Kind::Epic {
            let mut seen = HashSet::new();
            let node = epic_node(
                idx,
                &children,
                &triggered_set,
                &row,
                &mut seen,
                0,
                &|i| backlog.threat_spikes(i).is_empty(),
                &reported,
            );
            under_epic.extend(seen);
            epics.push(node);
        }
    }
    let outside_epics = triggered
        .iter()
        .filter(|i| !under_epic.contains(i))
        .map(|&i| row(i))
        .collect();

    let trend = input
        .history
        .map(|history| trend::compute(history, input.since));
    let evidence = match (input.evidence, input.history) {
        (true, Some(history)) => Some(evidence::collect(outcome, &triggered, history)),
        _ => None,
    };
    let mut notes = input.notes.clone();
    if let Some(left) = input.history.map(|h| h.commits_left_out).filter(|n| *n > 0) {
        notes.push(format!(
            "the history is long: its {left} oldest commits were not read (the oldest commit \
             read stands for the backlog as it was then)"
        ));
    }
    if input.history.is_some_and(|h| h.shallow) {
        notes.push(
            "the repository is a shallow clone: history before its boundary is not counted \
             (fetch with `git fetch --unshallow`)"
                .to_string(),
        );
    }

    Report {
        schema_version: 1,
        generated: input.today.to_string(),
        repository: one_line(&input.repository),
        commit: input.commit.clone(),
        headline,
        actions: actions(outcome, &waivers),
        epics,
        outside_epics,
        triggered: triggered_rows,
        overrides,
        waivers,
        trend,
        evidence,
        notes,
    }
}

/// The item's decided `risk_acceptance`, if any.
fn decided(item: &Item) -> Option<&crate::model::RiskAcceptance> {
    item.risk.iter().find(|r| {
        r.decision
            .as_ref()
            .is_some_and(|d| crate::model::vocab::is_risk_decision(&d.value))
    })
}

fn item_row(outcome: &CheckOutcome, idx: usize) -> ItemRow {
    let backlog = &outcome.backlog;
    let item = &backlog.items[idx];
    let categories = outcome
        .triage
        .get(idx)
        .map(|t| {
            t.categories
                .iter()
                .filter_map(|m| outcome.category_ids.get(m.category).cloned())
                .collect()
        })
        .unwrap_or_default();
    let spikes = backlog
        .threat_spikes(idx)
        .iter()
        .map(|(s, _)| {
            let spike = &backlog.items[*s];
            SpikeRef {
                id: one_line(&spike.id),
                status: spike.status.name().to_string(),
                path: spike.path.to_string(),
            }
        })
        .collect();
    let acceptance = decided(item).map(|r| {
        let v = |f: &Option<crate::model::Spanned<String>>| {
            f.as_ref().map(|s| one_line(&s.value)).unwrap_or_default()
        };
        let mut text = format!("{} by {}", v(&r.decision), v(&r.by));
        if let Some(role) = r.role.as_ref() {
            text.push_str(&format!(" ({})", one_line(&role.value)));
        }
        if let Some(date) = r.date.as_ref() {
            text.push_str(&format!(" on {}", one_line(&date.value)));
        }
        text
    });
    let level = match backlog.level(idx) {
        Level::Code => "code-level",
        Level::Story => "story-level",
        Level::Epic => "epic-level",
    };
    ItemRow {
        id: one_line(&item.id),
        title: one_line(&item.title),
        kind: item.kind.name().to_string(),
        status: item.status.name().to_string(),
        level: level.to_string(),
        path: item.path.to_string(),
        line: item.start.begin.line,
        categories,
        spikes,
        acceptance,
        veto: item.veto.as_ref().is_some_and(|v| !v.lifted),
        errors: outcome
            .findings
            .iter()
            .filter(|f| f.item_index == Some(idx) && f.severity == Severity::Error)
            .count(),
    }
}

/// How deep an epic tree is drawn.
const MAX_EPIC_DEPTH: usize = 6;

#[allow(clippy::too_many_arguments)]
fn epic_node(
    idx: usize,
    children: &[Vec<usize>],
    triggered: &HashSet<usize>,
    row: &dyn Fn(usize) -> ItemRow,
    seen: &mut HashSet<usize>,
    depth: usize,
    unanalysed: &dyn Fn(usize) -> bool,
    reported: &dyn Fn(usize) -> bool,
) -> EpicNode {
    seen.insert(idx);
    let mut node = EpicNode {
        item: row(idx),
        ..EpicNode::default()
    };
    if triggered.contains(&idx) {
        node.triggered += 1;
        node.unanalysed += usize::from(unanalysed(idx));
    }
    if depth >= MAX_EPIC_DEPTH {
        return node;
    }
    for &child in children.get(idx).map_or(&[][..], Vec::as_slice) {
        if !reported(child) || seen.contains(&child) {
            continue;
        }
        let sub = epic_node(
            child,
            children,
            triggered,
            row,
            seen,
            depth + 1,
            unanalysed,
            reported,
        );
        node.triggered += sub.triggered;
        node.unanalysed += sub.unanalysed;
        node.children.push(sub);
    }
    node
}

fn waivers(input: &ReportInput<'_>) -> Vec<WaiverRow> {
    let expiring = |until: Option<&str>| {
        until
            .and_then(parse_date)
            .is_some_and(|d| (d - input.today).get_days() <= EXPIRY_WINDOW_DAYS as i32)
    };
    let mut out = Vec::new();
    for item in input
        .outcome
        .backlog
        .items
        .iter()
        .filter(|item| !item.archived)
    {
        for s in &item.suppressions {
            let until = s.until.as_ref().map(|u| one_line(&u.value));
            out.push(WaiverRow {
                source: "suppression".to_string(),
                rule: one_line(&s.rule),
                item: Some(one_line(&item.id)),
                path: item.path.to_string(),
                reason: s.reason.as_deref().map(one_line),
                expiring: expiring(until.as_deref()),
                until,
            });
        }
    }
    for entry in input.baseline.map_or(&[][..], |b| &b.entries) {
        out.push(WaiverRow {
            source: "baseline".to_string(),
            rule: one_line(&entry.rule),
            item: entry.item.as_deref().map(one_line),
            path: entry.file.clone(),
            reason: (!entry.message.is_empty()).then(|| one_line(&entry.message)),
            expiring: expiring(entry.until.as_deref()),
            until: entry.until.as_deref().map(one_line),
        });
    }
    out
}

/// Who acts on a finding: the owner key and the group's title.
fn owner_of(outcome: &CheckOutcome, rule: RuleId, item: Option<usize>) -> &'static str {
    use RuleId::*;
    match rule {
        MissingSpike
        | Unconfirmed
        | OverrideWithoutReason
        | DanglingLink
        | NotThreatAnalysis
        | UncoveredCategory => "author",
        AcceptanceMissing | AcceptanceLevel | InvalidAcceptance | SecurityGroupAcceptance => {
            match item.map(|i| outcome.backlog.level(i)) {
                Some(Level::Epic) => "client",
                Some(Level::Story) => "product-owner",
                _ => "team",
            }
        }
        Vetoed => "security",
        AttackerStoryMissing | Unmeasurable => "product-owner",
        WaiverExpired | WaiverUnused | WaiverInvalid => "waiver-owner",
        _ => "team",
    }
}

const GROUPS: [(&str, &str); 6] = [
    (
        "author",
        "Item authors: link a threat-analysis spike, or answer the checklist",
    ),
    (
        "team",
        "The team: finish spikes before work starts; fix the backlog's records",
    ),
    (
        "product-owner",
        "Product owners: accept story-level residual risk; write attacker stories",
    ),
    (
        "client",
        "Clients / business owners: accept epic-level residual risk",
    ),
    ("security", "The security group: resolve vetoes"),
    ("waiver-owner", "Waiver owners: renew or remove waivers"),
];

fn actions(outcome: &CheckOutcome, waivers: &[WaiverRow]) -> Vec<ActionGroup> {
    let mut groups: Vec<ActionGroup> = GROUPS
        .iter()
        .map(|(owner, title)| ActionGroup {
            owner: (*owner).to_string(),
            title: (*title).to_string(),
            actions: Vec::new(),
        })
        .collect();
    for finding in &outcome.findings {
        let owner = owner_of(outcome, finding.rule, finding.item_index);
        let title = finding
            .item_index
            .and_then(|i| outcome.backlog.items.get(i))
            .map(|i| one_line(&i.title));
        let action = Action {
            rule: finding.rule.as_str().to_string(),
            severity: finding.severity.name().to_string(),
            item: finding.item.as_deref().map(one_line),
            title,
            path: finding_path(finding, &outcome.sources),
            line: finding.span.map(|s| s.begin.line),
            message: one_line(&finding.message),
        };
        if let Some(group) = groups.iter_mut().find(|g| g.owner == owner) {
            group.actions.push(action);
        }
    }
    // Waivers that are about to lapse (expired ones are `waiver/expired` findings already).
    if let Some(group) = groups.iter_mut().find(|g| g.owner == "waiver-owner") {
        for w in waivers.iter().filter(|w| w.expiring) {
            let already = group
                .actions
                .iter()
                .any(|a| a.item == w.item && a.rule == "waiver/expired");
            if already {
                continue;
            }
            group.actions.push(Action {
                rule: w.rule.clone(),
                severity: "note".to_string(),
                item: w.item.clone(),
                title: None,
                path: w.path.clone(),
                line: None,
                message: format!(
                    "{} of `{}` ends {}",
                    w.source,
                    w.rule,
                    w.until.as_deref().unwrap_or("soon")
                ),
            });
        }
    }
    groups.retain(|g| !g.actions.is_empty());
    groups
}
