//! Rules of the triage checklist itself: a triggered item needs a threat-analysis spike, and a
//! `triage:` override needs a reason.

#![allow(
    clippy::indexing_slicing,
    reason = "item and category indices come from the backlog and checklist of the same run; lists are checked non-empty first"
)]

use crate::diagnostic::{Finding, ItemHelp};
use crate::model::Status;
use crate::source::one_line;

use super::{Check, Context, RuleMeta, declare_rule, join_words};

declare_rule! {
    /// ## What it checks
    /// An item that triggered a checklist category (network input, authentication, private
    /// data, storage, logging, or a category added by a rule pack) with no threat-analysis spike
    /// linked in either direction: neither the item names one (`spikes:`, `dependencies:`, a
    /// Markdown link to the spike's file) nor a spike names the item (`precedes:`, `analyses:`,
    /// `for:`). Threat-analysis spikes themselves, cancelled items and archived items are not
    /// checked.
    ///
    /// ## Why
    /// The agile-security triage checklist (Vähä-Sipilä, "Software security in agile product
    /// management"): every backlog item that changes functionality processing network input,
    /// authentication, private data, back-end storage or logging must be preceded by a separate
    /// threat-analysis spike, so that the threats are understood before the work is planned,
    /// not discovered after it ships.
    ///
    /// ## Example
    /// ```yaml
    /// id: STORY-12
    /// title: Receive payment webhooks from the PSP
    /// type: story
    /// status: todo
    /// ```
    ///
    /// ## How to fix
    /// Create a spike (`type: spike`, `labels: [threat-analysis]`) and link it from the item:
    /// ```yaml
    /// spikes: [SPIKE-3]
    /// ```
    /// or from the spike: `precedes: [STORY-12]`. `backlint check --fix` scaffolds it. When a
    /// category really does not apply, say so with a reason:
    /// `triage: {network-input: false, reason: "reads a local file only"}`.
    pub struct MissingSpike {
        id: MissingSpike,
        summary: "item triggered a checklist category and no threat-analysis spike is linked (either direction)",
    }
}

impl Check for MissingSpike {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        use rayon::prelude::*;
        // The advice for each category a finding can lead with, worded once.
        let help: Vec<ItemHelp> = cx
            .checklist
            .categories()
            .iter()
            .map(|category| {
                ItemHelp::new(
                    "add a threat-analysis spike (type: spike, labels: [threat-analysis]) and link \
                     it: `spikes: [SPIKE-…]` on this item, or `precedes: [",
                    &format!(
                        "]` on the spike; run `backlint check --fix` to scaffold one. If a \
                         category does not apply, say why: `triage: {{{}: false, reason: \"…\"}}`",
                        category.id
                    ),
                )
            })
            .collect();
        // Often the rule with the most findings: build them in parallel.
        let found: Vec<Finding> = (0..cx.backlog.items.len())
            .into_par_iter()
            .filter_map(|idx| self.check_item(cx, idx, &help))
            .collect();
        if out.is_empty() {
            // Not copied into a second list.
            *out = found;
        } else {
            out.extend(found);
        }
    }
}

impl MissingSpike {
    fn check_item(&self, cx: &Context<'_>, idx: usize, help: &[ItemHelp]) -> Option<Finding> {
        let item = &cx.backlog.items[idx];
        let triage = cx.judged_triage(idx)?;
        {
            if triage.categories.is_empty()
                || item.status == Status::Cancelled
                || cx.backlog.is_threat_spike(idx)
                || !cx.backlog.threat_spikes(idx).is_empty()
            {
                return None;
            }
            let titles: Vec<String> = triage
                .categories
                .iter()
                .map(|c| super::with_evidence(cx.category_title(c.category), c))
                .collect();
            let first = &triage.categories[0];
            let mut finding = self
                .finding(format!(
                    "{} touches {} but no threat-analysis spike is linked",
                    one_line(&item.id),
                    join_words(&titles)
                ))
                .item(idx, &item.id)
                .categories(cx.categories_of(idx));
            if let Some(help) = help.get(first.category) {
                finding = finding.help_naming_item(help);
            }
            match first.evidence.first() {
                Some(ev) => {
                    finding = finding.at(
                        ev.span,
                        format!(
                            "{}: '{}'",
                            cx.category_title(first.category),
                            one_line(&ev.text)
                        ),
                    );
                }
                None => finding = finding.at(item.at, "triggered the checklist"),
            }
            for category in &triage.categories {
                for (n, ev) in category.evidence.iter().enumerate() {
                    let primary = category.category == first.category && n == 0;
                    // Weak supporting evidence would only clutter the snippet.
                    if primary || n >= 2 || ev.weight < 0.5 {
                        continue;
                    }
                    finding = finding.related(
                        ev.span,
                        format!(
                            "{}: '{}'",
                            cx.category_title(category.category),
                            one_line(&ev.text)
                        ),
                    );
                }
            }
            Some(finding)
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// An item that *may* touch a checklist category: the triage model's confidence is in the
    /// possible tier (at or above the category's `possible` threshold, below its `strong`
    /// one), no threat-analysis spike is linked in either direction, and the item's `triage:`
    /// does not answer the question. Only open items are asked: threat-analysis spikes, done,
    /// cancelled and archived items are not (a question about finished work is noise; a
    /// strong-tier category on them is still `triage/missing-spike`). A warning: it never fails a commit unless `fail_on: warning` (or
    /// `--fail-on warning`) says so.
    ///
    /// ## Why
    /// The triage checklist asks whether an item changes network input, authentication,
    /// private data, storage or logging. When the evidence is strong backlint says so
    /// (`triage/missing-spike`); when it is weaker, backlint asks instead of guessing, so that
    /// few real risks pass without at least a question and a wrong guess never blocks work.
    /// Either answer is a decision the team can review later.
    ///
    /// ## Example
    /// ```yaml
    /// id: STORY-4
    /// title: Show the customer's order history
    /// type: story
    /// status: todo
    /// ```
    /// `STORY-4 may touch private data ('order history'), confidence 0.62: link a threat-analysis spike, or decline with
    /// `triage: {private-data: false, reason: …}``
    ///
    /// ## How to fix
    /// If the item does touch the category, link a threat-analysis spike (`spikes: [SPIKE-…]`)
    /// or confirm it with `triage: {private-data: true}` (then `triage/missing-spike` asks
    /// for the spike). If it does not, decline it with a reason:
    /// `triage: {private-data: false, reason: "shows the customer's own orders only; no new data"}`.
    /// `backlint why STORY-4` shows the score, the thresholds and the evidence.
    pub struct Unconfirmed {
        id: Unconfirmed,
        summary: "an item may touch a checklist category (possible tier) and neither a spike nor `triage:` answers it",
    }
}

impl Check for Unconfirmed {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // Often the rule with the most findings (at 50,000 items, some 17,000): room for at
        // most one per possible category, made once rather than by doubling (room never
        // written costs address space only; the peak RSS measured the same either way).
        let at_most: usize = (0..cx.backlog.items.len())
            .filter_map(|idx| cx.judged_triage(idx))
            .map(|t| t.possible.len())
            .sum();
        out.reserve_exact(at_most);
        // The advice for each category, worded once.
        let help: Vec<ItemHelp> = (0..cx.checklist.categories().len())
            .map(|category| {
                let id = &cx.checklist.categories()[category].id;
                let title = cx.category_title(category);
                ItemHelp::new(
                    &format!(
                        "if it does touch {title}, link a spike (`spikes: [SPIKE-…]`) or confirm \
                         it with `triage: {{{id}: true}}`; if not, say why: `triage: {{{id}: \
                         false, reason: \"…\"}}`. `backlint why "
                    ),
                    "` shows the evidence",
                )
            })
            .collect();
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            let Some(triage) = cx.judged_triage(idx) else {
                continue;
            };
            if triage.possible.is_empty()
                || matches!(item.status, Status::Cancelled | Status::Done)
                || cx.backlog.is_threat_spike(idx)
                || !cx.backlog.threat_spikes(idx).is_empty()
            {
                continue;
            }
            for found in &triage.possible {
                if found.tier.is_none() {
                    continue;
                }
                let id = cx.checklist.categories()[found.category].id.clone();
                let title = cx.category_title(found.category);
                let mut finding = self
                    .finding(format!(
                        "{} may touch {}, confidence {:.2}: link a threat-analysis spike, or \
                         decline with `triage: {{{id}: false, reason: …}}`",
                        one_line(&item.id),
                        super::with_evidence(title, found),
                        found.confidence
                    ))
                    .item(idx, &item.id)
                    .categories(vec![id.clone()])
                    .content(id.clone());
                if let Some(help) = help.get(found.category) {
                    finding = finding.help_naming_item(help);
                }
                finding = match found.evidence.first() {
                    Some(ev) => finding.at(ev.span, format!("{title}? '{}'", one_line(&ev.text))),
                    None => finding.at(item.at, format!("{title}?")),
                };
                for ev in found.evidence.iter().skip(1).take(2) {
                    finding =
                        finding.related(ev.span, format!("{title}? '{}'", one_line(&ev.text)));
                }
                out.push(finding);
            }
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// A `triage:` override that switches a category off without a `reason`.
    ///
    /// ## Why
    /// An override is a decision that a checklist question does not apply. Without a reason
    /// nobody can review that decision later, and the override becomes an easy way to silence the
    /// checklist. Overrides and their reasons are listed in `backlint report`.
    ///
    /// ## Example
    /// ```yaml
    /// triage:
    ///   storage: false
    /// ```
    ///
    /// ## How to fix
    /// ```yaml
    /// triage:
    ///   storage: false
    ///   reason: "reads the CLI's own config file on the user's disk"
    /// ```
    pub struct OverrideWithoutReason {
        id: OverrideWithoutReason,
        summary: "`triage:` override has no reason",
    }
}

impl Check for OverrideWithoutReason {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            let Some(ov) = &item.triage_override else {
                continue;
            };
            if ov.reason.is_some() || !cx.judged(idx) || ov.disabled.is_empty() {
                continue;
            }
            let names: Vec<String> = ov.disabled.iter().map(|d| one_line(&d.value)).collect();
            out.push(
                self.finding(format!(
                    "{}: the triage override for {} has no reason",
                    one_line(&item.id),
                    join_words(&names)
                ))
                .item(idx, &item.id)
                .at(ov.at, "override without a reason")
                .help(format!(
                    "add a reason to the override: `triage: {{{}: false, reason: \"why it does not \
                     apply\"}}`",
                    names[0]
                ))
                .categories(names.clone())
                .content(names.join(",")),
            );
        }
    }
}
