//! Seed rules that make security visible on the backlog (warnings by default): attacker
//! stories under triggered epics, measurable non-functional requirements, and security work
//! that is being pushed to later.

#![allow(
    clippy::indexing_slicing,
    reason = "item indices come from the backlog's own parent index"
)]

use std::collections::HashSet;

use crate::diagnostic::Finding;
use crate::model::{Kind, Status};
use crate::source::one_line;

use super::{Check, Context, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it checks
    /// An epic that triggered the checklist with no attacker story below it: no child (or
    /// grandchild) item of type `attacker-story`, and none whose title or description says
    /// "As an attacker, I must not be able to …" (or "as a malicious user", "abuse case").
    ///
    /// ## Why
    /// Attacker stories turn the threat analysis into backlog items the product owner can
    /// prioritise: they state, as requirements, what an attacker must not be able to do, and
    /// they get acceptance criteria and tests like any other story.
    ///
    /// ## Example
    /// An epic "Customer self-service portal" that handles logins and personal data, whose
    /// stories are all user stories.
    ///
    /// ## How to fix
    /// Add a child story:
    /// ```yaml
    /// id: STORY-31
    /// type: attacker-story
    /// parent: EPIC-4
    /// title: As an attacker, I must not be able to read another customer's invoices
    /// ```
    pub struct AttackerStoryMissing {
        id: AttackerStoryMissing,
        summary: "an epic that triggered the checklist has no child attacker story (\"As an attacker, I must not be able to …\")",
    }
}

impl Check for AttackerStoryMissing {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let items = &cx.backlog.items;
        let epics: Vec<usize> = (0..items.len())
            .filter(|i| {
                items[*i].kind == Kind::Epic
                    && cx.judged(*i)
                    && items[*i].status != Status::Cancelled
                    && cx.triage.get(*i).is_some_and(|t| !t.categories.is_empty())
            })
            .collect();
        if epics.is_empty() {
            return;
        }
        let children = cx.backlog.children();
        for epic in epics {
            let mut seen = HashSet::from([epic]);
            let mut queue = vec![epic];
            let mut found = false;
            while let Some(next) = queue.pop() {
                for child in &children[next] {
                    if !seen.insert(*child) {
                        continue;
                    }
                    let item = &items[*child];
                    let is_attacker = item.kind == Kind::AttackerStory
                        || cx
                            .triage
                            .get(*child)
                            .is_some_and(|t| t.attacker_story.is_some());
                    if is_attacker && item.status != Status::Cancelled {
                        found = true;
                    }
                    queue.push(*child);
                }
            }
            if found {
                continue;
            }
            let item = &items[epic];
            out.push(
                self.finding(format!(
                    "epic {} touches {} but has no attacker story",
                    one_line(&item.id),
                    super::join_words(
                        &cx.triage
                            .get(epic)
                            .map_or(&[][..], |t| &t.categories)
                            .iter()
                            .map(|c| super::with_evidence(cx.category_title(c.category), c))
                            .collect::<Vec<_>>()
                    )
                ))
                .item(epic, &item.id)
                .at(item.at, "no attacker story below this epic")
                .categories(cx.categories_of(epic))
                .help(format!(
                    "add a child story: `type: attacker-story`, `parent: {}`, `title: As an \
                     attacker, I must not be able to …`",
                    one_line(&item.id)
                ))
                .content(String::new()),
            );
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// An item labelled `non-functional` or `nfr` with no measurable pass criterion: no number
    /// with a unit ("200 ms", "99.9 %", "1000 requests per second", "30 days") and no bound
    /// ("at most 5", "< 3").
    ///
    /// ## Why
    /// A non-functional requirement nobody can measure is never done and never failed.
    /// "Functionalise" it: write the test that checks measurement x against threshold y, so that
    /// it passes or fails like any functional acceptance criterion.
    ///
    /// ## Example
    /// ```yaml
    /// title: The login page must be fast and secure
    /// labels: [non-functional]
    /// ```
    ///
    /// ## How to fix
    /// State the measurement: "p95 login time under 300 ms at 200 concurrent users", "lock the
    /// account after at most 5 failed attempts in 15 minutes".
    pub struct Unmeasurable {
        id: Unmeasurable,
        summary: "an item labelled `non-functional`/`nfr` has no measurable pass criterion (a number with a unit or a percentage)",
    }
}

impl Check for Unmeasurable {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            let labelled = item.is_labelled("non-functional")
                || item.is_labelled("nfr")
                || item.is_labelled("non_functional");
            if !labelled || !cx.judged(idx) || item.status == Status::Cancelled {
                continue;
            }
            if cx.triage.get(idx).is_some_and(|t| t.measurable.is_some()) {
                continue;
            }
            out.push(
                self.finding(format!(
                    "{} is a non-functional requirement with no measurable pass criterion",
                    one_line(&item.id)
                ))
                .item(idx, &item.id)
                .at(item.at, "how is this measured?")
                .help(
                    "state a test: measurement x against threshold y (\"p95 under 300 ms at 200 \
                     concurrent users\", \"at most 5 failed logins per 15 minutes\")",
                )
                .content(String::new()),
            );
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// Text that defers security work: "we'll do security later", "hardening sprint",
    /// "security sprint", "skip security testing", "security review after launch". Rule packs
    /// can add phrasings under `signals: deferred-security`. Implementation notes are not read.
    ///
    /// ## Why
    /// Security bolted on at the end is the practice agile security replaces: a "hardening
    /// sprint" collects the threats nobody analysed when the work was planned, when they are
    /// most expensive to fix. Each item carries its own security work, decided in its threat
    /// analysis.
    ///
    /// ## Example
    /// "Ship the payment flow now; we'll do security in the hardening sprint."
    ///
    /// ## How to fix
    /// Plan the security work with the item: a threat-analysis spike before it, security
    /// acceptance criteria in it, and the residual-risk decision when it is done.
    pub struct DeferredSecurity {
        id: DeferredSecurity,
        summary: "text defers security work (\"security later\", \"hardening sprint\", \"security sprint\", \"skip security testing\")",
    }
}

impl Check for DeferredSecurity {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            if item.status == Status::Cancelled {
                continue;
            }
            let Some(first) = cx
                .judged_triage(idx)
                .and_then(|t| t.deferred_security.first())
            else {
                continue;
            };
            out.push(
                self.finding(format!("{} defers security work", one_line(&item.id)))
                    .item(idx, &item.id)
                    .at(first.span, format!("deferred: '{}'", one_line(&first.text)))
                    .help(
                        "plan the security work with the item: a threat-analysis spike before it, \
                         security acceptance criteria in it, a residual-risk decision when done",
                    )
                    .content(one_line(&first.text).to_lowercase()),
            );
        }
    }
}
