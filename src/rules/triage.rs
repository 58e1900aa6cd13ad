//! Rules of the triage checklist itself: a triggered item needs a threat-analysis spike, and a
//! `triage:` override needs a reason.

use crate::diagnostic::Finding;
use crate::model::{Status, is_threat_analysis_spike};
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
        // Often the rule with the most findings: build them in parallel.
        let found: Vec<Finding> = (0..cx.backlog.items.len())
            .into_par_iter()
            .filter_map(|idx| self.check_item(cx, idx))
            .collect();
        out.extend(found);
    }
}

impl MissingSpike {
    fn check_item(&self, cx: &Context<'_>, idx: usize) -> Option<Finding> {
        let item = &cx.backlog.items[idx];
        let triage = cx.triage.get(idx)?;
        {
            if triage.categories.is_empty()
                || !cx.reported(idx)
                || item.status == Status::Cancelled
                || is_threat_analysis_spike(item)
                || !cx.backlog.threat_spikes(idx).is_empty()
            {
                return None;
            }
            let titles: Vec<String> = triage
                .categories
                .iter()
                .map(|c| cx.category_title(c.category).to_string())
                .collect();
            let first = &triage.categories[0];
            let mut finding = self
                .finding(format!(
                    "{} touches {} but no threat-analysis spike is linked",
                    one_line(&item.id),
                    join_words(&titles)
                ))
                .item(idx, &item.id)
                .categories(cx.categories_of(idx))
                .help(format!(
                    "add a threat-analysis spike (type: spike, labels: [threat-analysis]) and link \
                     it: `spikes: [SPIKE-…]` on this item, or `precedes: [{}]` on the spike; run \
                     `backlint check --fix` to scaffold one. If a category does not apply, say \
                     why: `triage: {{{}: false, reason: \"…\"}}`",
                    one_line(&item.id),
                    cx.checklist.categories()[first.category].id
                ));
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
            if ov.reason.is_some() || !cx.reported(idx) || ov.disabled.is_empty() {
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
