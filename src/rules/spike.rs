//! Rules about the links between items and their threat-analysis spikes: the link resolves, the
//! target really is a threat-analysis spike, it covers what the item triggered, and it is done
//! (and scheduled) before the item starts.

#![allow(
    clippy::indexing_slicing,
    reason = "item, link and category indices come from the backlog and checklist of the same run"
)]

use std::collections::BTreeSet;

use crate::diagnostic::Finding;
use crate::model::{Item, LinkKind, LinkTarget, Resolution, SpikeVia, Status};
use crate::source::{Span, one_line};

use super::{Check, Context, RuleMeta, declare_rule, join_words};

declare_rule! {
    /// ## What it checks
    /// A spike link (`spikes:`, `spike:`, `threat_analysis:`, `dependencies:`, `depends_on:`,
    /// `blocked_by:`, or a spike's `precedes:`/`analyses:`/`for:`) that names an id or a path no
    /// item has, a path that climbs out of the repository, or a file holding several items
    /// without `#ID`.
    ///
    /// ## Why
    /// A link to nothing looks like a threat analysis on the board but guarantees none. It is
    /// also what a deleted or renamed spike leaves behind.
    ///
    /// ## Example
    /// `spikes: [SPIKE-99]` when no item has id `SPIKE-99`.
    ///
    /// ## How to fix
    /// Point the link at the spike's id (or its file, relative to this item), restore the spike,
    /// or remove the link.
    pub struct DanglingLink {
        id: DanglingLink,
        summary: "a spike link names an id or path that does not exist",
    }
}

impl Check for DanglingLink {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            if !cx.judged(idx) {
                continue;
            }
            let mut reported = 0usize;
            let mut more = 0usize;
            for (n, link) in item.links.iter().enumerate() {
                let checked = match link.kind {
                    LinkKind::Spike | LinkKind::Dependency => true,
                    LinkKind::Reverse => item.is_spike(),
                    LinkKind::Body | LinkKind::Parent => false,
                };
                if !checked {
                    continue;
                }
                let resolution = cx.backlog.resolutions(idx).get(n);
                let raw = one_line(&link.raw);
                let (message, label, help) = match resolution {
                    Some(Resolution::Dangling) => match &link.target {
                        LinkTarget::Path { path, .. } => (
                            format!("{}: `{}` links `{raw}`, but no item file is at `{path}`", item.id, link.field),
                            "no item here".to_string(),
                            "point the link at the spike's file, relative to this item, or use its id".to_string(),
                        ),
                        _ => (
                            format!("{}: `{}` links `{raw}`, but no item has that id", item.id, link.field),
                            "no item has this id".to_string(),
                            "use the id of an existing spike, restore the deleted spike, or remove the link".to_string(),
                        ),
                    },
                    Some(Resolution::Outside) => (
                        format!("{}: `{}` links `{raw}`, which points outside the repository", item.id, link.field),
                        "outside the repository".to_string(),
                        "links must stay inside the repository; use the spike's id".to_string(),
                    ),
                    Some(Resolution::Ambiguous(count)) => (
                        format!("{}: `{}` links `{raw}`, a file that holds {count} items", item.id, link.field),
                        "several items here".to_string(),
                        format!("name the item: `{raw}#ID`, or use its id"),
                    ),
                    Some(Resolution::Item(_)) | None => continue,
                };
                // A hostile or generated item with thousands of broken links gets a bounded
                // report: the first ones, then one finding that counts the rest.
                if reported == MAX_DANGLING_PER_ITEM {
                    more += 1;
                    continue;
                }
                reported += 1;
                out.push(
                    self.finding(message)
                        .item(idx, &item.id)
                        .at(link.at, label)
                        .help(help)
                        .content(format!("{}|{raw}", link.field)),
                );
            }
            if more > 0 {
                out.push(
                    self.finding(format!(
                        "{}: {more} more links do not resolve (only the first {MAX_DANGLING_PER_ITEM} are reported one by one)",
                        item.id
                    ))
                    .item(idx, &item.id)
                    .at(item.at, "more broken links")
                    .help("fix the links above, then run again to see the rest")
                    .content(format!("more|{more}")),
                );
            }
        }
    }
}

/// Broken links reported one by one per item; the rest are counted in one finding.
pub const MAX_DANGLING_PER_ITEM: usize = 50;

declare_rule! {
    /// ## What it checks
    /// A link in `spikes:`, `spike:` or `threat_analysis:` that resolves to an item that is not a
    /// threat-analysis spike. A threat-analysis spike is an item of type `spike` (or labelled
    /// `spike`) that is labelled `threat-analysis`, `threat-model` or `security`, or whose title
    /// mentions threat analysis or threat modelling. (`dependencies:` may name any item; only
    /// the dedicated spike fields must name a threat-analysis spike.)
    ///
    /// ## Why
    /// The checklist asks for a threat analysis, not for any prior work item. Linking a research
    /// spike or an ordinary task satisfies the form and skips the substance.
    ///
    /// ## Example
    /// ```yaml
    /// spikes: [TASK-4]    # TASK-4 is an ordinary task
    /// ```
    ///
    /// ## How to fix
    /// Link a threat-analysis spike, or make the linked spike one: `type: spike`,
    /// `labels: [threat-analysis]`.
    pub struct NotThreatAnalysis {
        id: NotThreatAnalysis,
        summary: "the linked item exists but is not a threat-analysis spike",
    }
}

impl Check for NotThreatAnalysis {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let items = &cx.backlog.items;
        for (idx, item) in items.iter().enumerate() {
            if !cx.judged(idx) {
                continue;
            }
            for (n, link) in item.links.iter().enumerate() {
                if link.kind != LinkKind::Spike {
                    continue;
                }
                let Some(target) = cx.backlog.target(idx, n) else {
                    continue;
                };
                let spike = &items[target];
                if cx.backlog.is_threat_spike(target) {
                    continue;
                }
                let what = if spike.is_spike() {
                    "a spike, but not a threat-analysis spike"
                } else {
                    "not a spike"
                };
                out.push(
                    self.finding(format!(
                        "{}: `{}` links {}, which is {what}",
                        one_line(&item.id),
                        link.field,
                        one_line(&spike.id)
                    ))
                    .item(idx, &item.id)
                    .at(link.at, "not a threat-analysis spike")
                    .related(
                        spike.at,
                        format!("{} is {}", one_line(&spike.id), spike.kind),
                    )
                    .help(format!(
                        "link a threat-analysis spike, or make {} one: `type: spike` and \
                         `labels: [threat-analysis]`",
                        one_line(&spike.id)
                    ))
                    .content(spike.id.clone()),
                );
            }
        }
    }
}

/// Where the link between an item and one of its spikes is written.
fn via_span(cx: &Context<'_>, idx: usize, spike: usize, via: SpikeVia) -> Span {
    match via {
        SpikeVia::Forward(n) => cx.backlog.items[idx].links[n].at,
        SpikeVia::Reverse(n) => cx.backlog.items[spike].links[n].at,
    }
}

declare_rule! {
    /// ## What it checks
    /// An item that triggered categories whose linked threat-analysis spikes all declare
    /// `covers:` and together leave a triggered category out. A spike without `covers:` covers
    /// every category.
    ///
    /// ## Why
    /// A threat analysis of the webhook's input parsing says nothing about the credentials the
    /// same story stores. `covers:` makes the scope of each analysis explicit, so a gap shows.
    ///
    /// ## Example
    /// ```yaml
    /// # STORY-12 triggers network-input and storage
    /// spikes: [SPIKE-3]   # SPIKE-3 has covers: [network-input]
    /// ```
    ///
    /// ## How to fix
    /// Extend the spike's analysis and its `covers:` list, or link another spike that covers
    /// the missing category.
    pub struct UncoveredCategory {
        id: UncoveredCategory,
        summary: "linked spikes declare `covers` and a triggered category is not covered",
    }
}

impl Check for UncoveredCategory {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let items = &cx.backlog.items;
        for (idx, item) in items.iter().enumerate() {
            let Some(triage) = cx.judged_triage(idx) else {
                continue;
            };
            if triage.categories.is_empty() || item.status == Status::Cancelled {
                continue;
            }
            let spikes = cx.backlog.threat_spikes(idx);
            if spikes.is_empty() {
                continue;
            }
            let mut covered = BTreeSet::new();
            let mut all = false;
            for (spike, _) in &spikes {
                match &items[*spike].covers {
                    None => all = true,
                    Some(list) => covered.extend(list.iter().map(|c| c.value.to_ascii_lowercase())),
                }
            }
            if all {
                continue;
            }
            let missing_matches: Vec<&crate::triage::CategoryMatch> = triage
                .categories
                .iter()
                .filter(|c| !covered.contains(&cx.checklist.categories()[c.category].id))
                .collect();
            let missing: Vec<usize> = missing_matches.iter().map(|c| c.category).collect();
            if missing.is_empty() {
                continue;
            }
            let ids: Vec<String> = missing
                .iter()
                .map(|c| cx.checklist.categories()[*c].id.clone())
                .collect();
            let titles: Vec<String> = missing_matches
                .iter()
                .map(|c| super::with_evidence(cx.category_title(c.category), c))
                .collect();
            let spike_ids: Vec<String> = spikes
                .iter()
                .map(|(s, _)| one_line(&items[*s].id))
                .collect();
            let (first_spike, via) = spikes[0];
            let mut finding = self
                .finding(format!(
                    "{} touches {} but its threat-analysis spike{} {} not cover {}",
                    one_line(&item.id),
                    join_words(&titles),
                    if spikes.len() > 1 { "s" } else { "" },
                    if spikes.len() > 1 { "do" } else { "does" },
                    if missing.len() > 1 { "them" } else { "it" },
                ))
                .item(idx, &item.id)
                .categories(ids.clone())
                .at(via_span(cx, idx, first_spike, via), format!("covers only {}", join_words(&covered.iter().cloned().collect::<Vec<_>>())))
                .help(format!(
                    "extend the analysis and add {} to `covers:` of {}, or link a spike that covers {}",
                    ids.join(", "),
                    join_words(&spike_ids),
                    if missing.len() > 1 { "them" } else { "it" }
                ))
                .content(ids.join(","));
            for c in &missing {
                if let Some(ev) = triage
                    .categories
                    .iter()
                    .find(|m| m.category == *c)
                    .and_then(|m| m.evidence.first())
                {
                    finding = finding.related(
                        ev.span,
                        format!("{}: '{}'", cx.category_title(*c), one_line(&ev.text)),
                    );
                }
            }
            out.push(finding);
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// An item that is in progress or done while a threat-analysis spike linked to it is not
    /// done.
    ///
    /// ## Why
    /// The spike must *precede* the work: the analysis shapes the design and the acceptance
    /// criteria. Analysing threats after the code is written finds problems when they are most
    /// expensive to fix, or not at all.
    ///
    /// ## Example
    /// STORY-12 is `In Progress`; its spike SPIKE-3 is `To Do`.
    ///
    /// ## How to fix
    /// Finish the spike first (and mark it done), or move the item back until it is.
    pub struct NotDoneBeforeStart {
        id: NotDoneBeforeStart,
        summary: "item is in-progress or done while its spike is not done",
    }
}

impl Check for NotDoneBeforeStart {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let items = &cx.backlog.items;
        for (idx, item) in items.iter().enumerate() {
            if !item.status.started() || !cx.judged(idx) || cx.backlog.is_threat_spike(idx) {
                continue;
            }
            for (spike, _) in cx.backlog.threat_spikes(idx) {
                let spike_item: &Item = &items[spike];
                if spike_item.status == Status::Done {
                    continue;
                }
                let mut finding = self
                    .finding(format!(
                        "{} is {} but its threat-analysis spike {} is {}",
                        one_line(&item.id),
                        item.status.name(),
                        one_line(&spike_item.id),
                        spike_item.status.name()
                    ))
                    .item(idx, &item.id)
                    .categories(cx.categories_of(idx))
                    .at(
                        item.status_at.unwrap_or(item.at),
                        item.status.name().to_string(),
                    )
                    .help(format!(
                        "finish {} first and mark it done, or move {} back to todo until it is",
                        one_line(&spike_item.id),
                        one_line(&item.id)
                    ))
                    .content(spike_item.id.clone());
                finding = finding.related(
                    spike_item.status_at.unwrap_or(spike_item.at),
                    format!(
                        "{} is {}",
                        one_line(&spike_item.id),
                        spike_item.status.name()
                    ),
                );
                out.push(finding);
            }
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// An item whose threat-analysis spike is planned for a later sprint or iteration than the
    /// item itself. Sprints compare as numbers when they are numbers and naturally otherwise
    /// (`Sprint 9` before `Sprint 10`, `2026-03` before `2026-04`).
    ///
    /// ## Why
    /// A spike scheduled after its item cannot precede it: the plan already guarantees the
    /// analysis comes too late.
    ///
    /// ## Example
    /// STORY-12 has `sprint: 14`; its spike SPIKE-3 has `sprint: 15`.
    ///
    /// ## How to fix
    /// Move the spike to an earlier sprint (usually the one before the item's), or move the item.
    pub struct ScheduledAfter {
        id: ScheduledAfter,
        summary: "spike's sprint sorts after the item's sprint",
    }
}

impl Check for ScheduledAfter {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let items = &cx.backlog.items;
        for (idx, item) in items.iter().enumerate() {
            let Some(sprint) = &item.sprint else { continue };
            if !cx.judged(idx) || cx.backlog.is_threat_spike(idx) {
                continue;
            }
            for (spike, _) in cx.backlog.threat_spikes(idx) {
                let Some(spike_sprint) = &items[spike].sprint else {
                    continue;
                };
                if spike_sprint.sort_key() <= sprint.sort_key() {
                    continue;
                }
                let spike_item = &items[spike];
                out.push(
                    self.finding(format!(
                        "{} is planned for sprint {} but its threat-analysis spike {} for sprint {}",
                        one_line(&item.id),
                        one_line(&sprint.raw),
                        one_line(&spike_item.id),
                        one_line(&spike_sprint.raw)
                    ))
                    .item(idx, &item.id)
                    .categories(cx.categories_of(idx))
                    .at(sprint.at, "item's sprint")
                    .related(spike_sprint.at, format!("{}'s sprint is later", one_line(&spike_item.id)))
                    .help(format!(
                        "move {} to sprint {} or earlier, or move {} later",
                        one_line(&spike_item.id),
                        one_line(&sprint.raw),
                        one_line(&item.id)
                    ))
                    .content(format!("{}|{}|{}", spike_item.id, sprint.raw, spike_sprint.raw)),
                );
            }
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// A threat-analysis spike marked done whose Markdown body still has unticked checklist
    /// entries (outside its own definition of done), or whose questions (ticked entries that
    /// end with `?`) have nothing written after them while no outcome section ("Outcome",
    /// "Findings", "Implementation Notes", "Final Summary"…) holds text beyond the empty
    /// template prompts. Spikes without a Markdown body (YAML items) are not checked.
    ///
    /// ## Why
    /// A spike is a decision record: the threats found, the mitigations chosen, the residual
    /// risk handed to its owner. A spike moved to done with its questions open is a status
    /// change, not an analysis, and the items it precedes start without one.
    ///
    /// ## Example
    /// ```markdown
    /// ---
    /// id: SPIKE-3
    /// type: spike
    /// status: done
    /// labels: [threat-analysis]
    /// ---
    /// ## Questions
    /// - [ ] Authentication: how could an attacker get past it?
    /// ```
    ///
    /// ## How to fix
    /// Answer each question (after it, or in an `## Outcome` section), tick it, and record the
    /// residual risk; or move the spike back to in progress until it is answered.
    pub struct Unanswered {
        id: Unanswered,
        summary: "a threat-analysis spike is done but its questions are unticked or unanswered",
    }
}

impl Check for Unanswered {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            let Some(answers) = &item.answers else {
                continue;
            };
            if item.status != Status::Done || !cx.judged(idx) || !cx.backlog.is_threat_spike(idx) {
                continue;
            }
            let id = one_line(&item.id);
            let finding = if let Some(first) = answers.unticked.first() {
                let n = answers.unticked.len();
                let mut finding = self
                    .finding(format!(
                        "{id} is done but {} of its checklist {} not ticked",
                        n,
                        if n == 1 { "entry is" } else { "entries are" }
                    ))
                    .item(idx, &item.id)
                    .at(*first, "not ticked")
                    .content("unticked");
                for more in answers.unticked.iter().skip(1).take(2) {
                    finding = finding.related(*more, "not ticked");
                }
                finding
            } else if !answers.unanswered.is_empty() && !answers.has_outcome_text {
                let mut finding = self
                    .finding(format!(
                        "{id} is done but its questions have no answers: nothing follows them and \
                         no outcome section records the threats, mitigations and residual risk"
                    ))
                    .item(idx, &item.id)
                    .at(answers.unanswered[0], "ticked, not answered")
                    .content("unanswered");
                for more in answers.unanswered.iter().skip(1).take(2) {
                    finding = finding.related(*more, "ticked, not answered");
                }
                finding
            } else {
                continue;
            };
            out.push(finding.help(format!(
                "answer each question (after it, or in an `## Outcome` section: threats \
                         found, mitigations, residual risk) and tick it; or move {id} back to in \
                         progress until it is answered"
            )));
        }
    }
}
