//! Rules about the definition of done: the team has one, and it asks whether the residual risk
//! of every identified threat is acceptable.

#![allow(
    clippy::indexing_slicing,
    reason = "indices come from enumerating the same vectors"
)]

use std::sync::Arc;

use crate::diagnostic::Finding;
use crate::model::dod::copy_key;
use crate::model::{DodOrigin, Status, TeamDod};
use crate::source::one_line;

use super::{Check, Context, RuleMeta, declare_rule};

/// The entry teams can add, as a help text.
pub const RISK_ENTRY_EXAMPLE: &str = "For every threat identified for this sprint's items, the residual risk is acceptable: \
     controls are in place, or the risk is accepted by its owner (team, product owner or client)";

declare_rule! {
    /// ## What it checks
    /// That the team has a definition of done: `definition_of_done` in backlint.yaml (a path or
    /// an inline list), a file named `definition-of-done.md`, `definition_of_done.md`, `DoD.md`
    /// or `dod.yaml` in the backlog or `docs/`, a top-level `definition_of_done:` list in a YAML
    /// backlog, or `definition_of_done` in Backlog.md's `backlog/config.yml`.
    ///
    /// ## Why
    /// The definition of done is the sprint's quality gate; agile security practice puts the
    /// security residual-risk decision there, so that no item is "done" while its threats are
    /// undecided. Without a definition of done there is no gate to put it in.
    ///
    /// ## Example
    /// A backlog folder with items and no definition of done anywhere.
    ///
    /// ## How to fix
    /// Add `docs/definition-of-done.md` (or run `backlint init`) with your team's entries,
    /// including the residual-risk entry:
    /// ```markdown
    /// - [ ] For every threat identified for this sprint's items, the residual risk is
    ///       acceptable (controls in place, or accepted by its owner)
    /// ```
    pub struct NotFound {
        id: DodNotFound,
        summary: "no definition of done found (config, definition-of-done.md, DoD.md, dod.yaml, or Backlog.md's config.yml)",
    }
}

impl Check for NotFound {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let has_items = cx.backlog.items.iter().any(|i| !i.archived);
        if !cx.backlog.team_dod.is_empty() || !has_items {
            return;
        }
        out.push(
            self.finding("no definition of done found".to_string())
                .help(
                    "add docs/definition-of-done.md (or run `backlint init`) with a residual-risk \
                     entry, or set `definition_of_done:` in backlint.yaml (a path or a list)",
                )
                .content("no-dod"),
        );
    }
}

declare_rule! {
    /// ## What it checks
    /// A definition of done with no security residual-risk acceptance entry. The entry is
    /// recognised by meaning ("residual risk", "risk accepted", "for every threat identified…
    /// mitigated or accepted"), not by one fixed sentence; rule packs can add phrasings under
    /// `signals: risk-acceptance`. Checked for the team's definition of done, and for an item's
    /// own definition of done when the item triggered the checklist and the team's has no such
    /// entry.
    ///
    /// ## Why
    /// Risk that is not explicitly accepted is accepted with eyes closed when the code ships.
    /// Putting the question in the definition of done makes every sprint answer it: for every
    /// threat identified for this sprint's items, is the residual risk acceptable?
    ///
    /// ## Example
    /// ```markdown
    /// # Definition of Done
    /// - Code reviewed
    /// - Tests pass
    /// ```
    ///
    /// ## How to fix
    /// Add the entry:
    /// ```markdown
    /// - For every threat identified for this sprint's items, the residual risk is acceptable:
    ///   controls are in place, or the risk is accepted by its owner
    /// ```
    pub struct MissingRiskAcceptance {
        id: DodMissingRiskAcceptance,
        summary: "the definition of done (team-level, or an item's own) has no residual-risk acceptance entry",
    }
}

impl MissingRiskAcceptance {
    /// The finding on a team document; `copied` triggered items carry a copy of it.
    fn team_finding(&self, dod: &TeamDod, copied: usize) -> Finding {
        let what = match dod.origin {
            DodOrigin::BacklogMdConfig => "the definition of done in Backlog.md's config.yml",
            DodOrigin::BacklogFile => "the backlog's definition_of_done list",
            DodOrigin::Config => "the definition of done in backlint.yaml",
            DodOrigin::File => "the definition of done",
        };
        let copies = match copied {
            0 => String::new(),
            1 => " — and 1 triggered item that copies this definition of done".to_string(),
            n => format!(" — and {n} triggered items that copy this definition of done"),
        };
        let help = if copied > 0 {
            format!(
                "add an entry such as: \"{RISK_ENTRY_EXAMPLE}\" — this one line also settles the \
                 {copied} copies (items' own definitions of done are checked only while the \
                 team's has no such entry)"
            )
        } else {
            format!("add an entry such as: \"{RISK_ENTRY_EXAMPLE}\"")
        };
        let mut finding = self
            .finding(format!(
                "{what} ({}) has no residual-risk acceptance entry{copies}",
                one_line(&dod.path)
            ))
            .help(help)
            .content(format!("team|{}", dod.path));
        finding.folded = copied;
        match dod.at.filter(|_| dod.source.is_some()) {
            Some(span) => finding = finding.at(span, "no entry about residual risk here"),
            None => finding = finding.file(dod.path.clone()),
        }
        finding
    }
}

impl Check for MissingRiskAcceptance {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let team_has_entry = cx.backlog.team_dod.iter().any(|d| d.risk_entry.is_some());
        // The team documents without the entry, and their entries as copies would hold them.
        let lacking: Vec<(&TeamDod, u64)> = cx
            .backlog
            .team_dod
            .iter()
            .filter(|d| d.risk_entry.is_none())
            .map(|d| (d, copy_key(d.entries.iter().map(|e| e.text.as_str()))))
            .collect();
        let mut copies = vec![0usize; lacking.len()];
        let mut item_findings = Vec::new();
        // The same advice for every item: held once.
        let item_help: Arc<str> = Arc::from(format!(
            "add the entry to the item's definition of done: `- [ ] {RISK_ENTRY_EXAMPLE}` \
             (or add it to the team's definition of done)"
        ));
        if !team_has_entry {
            for (idx, item) in cx.backlog.items.iter().enumerate() {
                let Some(at) = item.dod_at else { continue };
                let Some(triage) = cx.judged_triage(idx) else {
                    continue;
                };
                if triage.categories.is_empty()
                    || triage.dod_risk_entry.is_some()
                    || item.status == Status::Cancelled
                    || cx.backlog.is_threat_spike(idx)
                {
                    continue;
                }
                // A copy of a team document that lacks the entry: one line there fixes both,
                // so the team finding speaks for it.
                if let Some(n) = lacking.iter().position(|(team, key)| {
                    !team.entries.is_empty()
                        && item.dod.len() == team.entries.len()
                        && item.dod_copy_key == *key
                }) {
                    copies[n] += 1;
                    continue;
                }
                item_findings.push(
                    self.finding(format!(
                        "{} triggered the checklist but its own definition of done has no \
                         residual-risk acceptance entry",
                        one_line(&item.id)
                    ))
                    .item(idx, &item.id)
                    .at(at, "no entry about residual risk")
                    .categories(cx.categories_of(idx))
                    .help(Arc::clone(&item_help))
                    .content("item-dod"),
                );
            }
        }
        for ((dod, _), copied) in lacking.iter().zip(copies) {
            out.push(self.team_finding(dod, copied));
        }
        out.extend(item_findings);
    }
}
