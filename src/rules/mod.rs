//! The rules. Each is a unit struct whose doc comment is its documentation (`backlint explain`);
//! adding a rule is one file (or one declaration in a family file) and one line in [`ALL`].
//!
//! Rules see only the [`Context`] (the backlog, the triage results, the checklist and the team's
//! definitions of done); they never touch the file system or git.

#![allow(
    clippy::indexing_slicing,
    reason = "item and category indices come from the backlog and the checklist of the same run"
)]

use crate::diagnostic::{Finding, RuleId, Severity};
use crate::model::Backlog;
use crate::triage::{Checklist, TriageTable};

pub mod cycle;
pub mod dod;
pub mod item;
pub mod risk;
pub mod seed;
pub mod spike;
pub mod triage;
pub mod waiver;

/// Declares a rule: a unit struct, its id (whose default severity is in [`RuleId`]), a
/// one-line summary, and its doc comment as documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            id: $id:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $crate::rules::RuleMeta for $name {
            fn id(&self) -> $crate::diagnostic::RuleId {
                $crate::diagnostic::RuleId::$id
            }
            fn summary(&self) -> &'static str {
                $summary
            }
            fn docs(&self) -> &'static str {
                concat!($($doc, "\n"),*)
            }
        }
    };
}
pub(crate) use declare_rule;

/// What every rule says about itself.
pub trait RuleMeta {
    fn id(&self) -> RuleId;
    fn default_severity(&self) -> Severity {
        self.id().default_severity()
    }
    fn summary(&self) -> &'static str;
    /// Markdown: `## What it checks`, `## Why`, `## Example`, `## How to fix`.
    fn docs(&self) -> &'static str;

    /// A new finding of this rule at its default severity.
    fn finding(&self, message: String) -> Finding {
        Finding::new(self.id(), self.default_severity(), message)
    }
}

/// A rule's check.
pub trait Check {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// A rule: its metadata and its check.
pub trait Rule: RuleMeta + Check + Sync {}
impl<T: RuleMeta + Check + Sync> Rule for T {}

/// Everything a rule may look at.
pub struct Context<'a> {
    pub backlog: &'a Backlog,
    /// Triage results, parallel to `backlog.items`.
    pub triage: &'a TriageTable,
    pub checklist: &'a Checklist,
    /// Today, for `until` dates (`YYYY-MM-DD`).
    pub today: jiff::civil::Date,
    /// The items a change touches (`--staged`, `--changed-since`), parallel to the items:
    /// checks of one item skip the others, whose findings the change's scope drops anyway.
    /// `None`: every item is judged.
    pub scope: Option<&'a [bool]>,
}

impl Context<'_> {
    /// The category ids an item triggered.
    pub fn categories_of(&self, idx: usize) -> Vec<String> {
        self.triage
            .get(idx)
            .map(|t| {
                t.categories
                    .iter()
                    .map(|c| self.checklist.categories()[c.category].id.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the item's findings should be reported (archived items only resolve links).
    /// Rules that compare items (which duplicate is first, where a cycle starts) ask this.
    pub fn reported(&self, idx: usize) -> bool {
        !self.backlog.items[idx].archived
    }

    /// Whether a check of this one item, whose findings are about it, should run: reported,
    /// and touched by the change being judged, if any.
    pub fn judged(&self, idx: usize) -> bool {
        self.reported(idx) && self.scope.is_none_or(|touched| touched[idx])
    }

    /// The triage of an item that is [`Context::judged`]; `None` for the others, whose triage
    /// a check of a change may not have decoded and need not (see [`TriageTable`]).
    pub fn judged_triage(&self, idx: usize) -> Option<&crate::triage::ItemTriage> {
        if self.judged(idx) {
            self.triage.get(idx)
        } else {
            None
        }
    }

    pub fn category_title(&self, category: usize) -> &str {
        &self.checklist.categories()[category].title
    }
}

/// Every rule, in the order `backlint rules` lists them.
pub static ALL: &[&dyn Rule] = &[
    &item::ParseError,
    &item::DuplicateId,
    &item::UnknownStatus,
    &triage::MissingSpike,
    &triage::Unconfirmed,
    &triage::OverrideWithoutReason,
    &spike::DanglingLink,
    &spike::NotThreatAnalysis,
    &spike::UncoveredCategory,
    &spike::NotDoneBeforeStart,
    &spike::ScheduledAfter,
    &cycle::LinkCycle,
    &spike::Unanswered,
    &dod::NotFound,
    &dod::MissingRiskAcceptance,
    &risk::AcceptanceMissing,
    &risk::AcceptanceLevel,
    &risk::SecurityGroupAcceptance,
    &risk::Vetoed,
    &risk::InvalidAcceptance,
    &seed::AttackerStoryMissing,
    &seed::Unmeasurable,
    &seed::DeferredSecurity,
    &waiver::Expired,
    &waiver::Unused,
    &waiver::Invalid,
];

/// Rule ids that are not rules of [`ALL`] but name findings produced elsewhere.
pub const CONFIG_RULES: &[(RuleId, &str)] = &[
    (
        RuleId::ConfigInvalid,
        "backlint.yaml or a rule pack is malformed or has invalid values",
    ),
    (
        RuleId::ConfigChanged,
        "the working tree's configuration differs from the one read from --config-from-ref",
    ),
];

/// The rule with this id.
pub fn by_id(id: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|r| r.id() == id)
}

/// Runs every rule (in parallel; the order of findings is fixed later by sorting), then
/// applies the items' suppressions.
pub fn run_all(cx: &Context<'_>) -> Vec<Finding> {
    run(cx, |_| true)
}

/// Runs the rules that `enabled` accepts, then applies the items' suppressions.
pub fn run(cx: &Context<'_>, enabled: impl Fn(RuleId) -> bool + Sync) -> Vec<Finding> {
    use rayon::prelude::*;
    let lists: Vec<Vec<Finding>> = ALL
        .par_iter()
        .filter(|rule| enabled(rule.id()))
        .map(|rule| {
            let mut out = Vec::new();
            rule.check(cx, &mut out);
            out
        })
        .collect();
    let mut findings = concat_in_largest(lists);
    waiver::apply(cx, &mut findings);
    findings
}

/// The lists one after another, gathered in the list with the most room (one rule, such as
/// triage's, often finds most of them, and its list, grown by doubling, has room for the
/// rest): gathering them in a new list would hold every finding twice for a moment.
fn concat_in_largest<T>(mut lists: Vec<Vec<T>>) -> Vec<T> {
    let Some(largest) = (0..lists.len()).max_by_key(|n| lists.get(*n).map_or(0, Vec::capacity))
    else {
        return Vec::new();
    };
    let total = lists.iter().map(Vec::len).sum::<usize>();
    let after = lists.split_off(largest + 1);
    let mut out = lists.pop().unwrap_or_default();
    out.reserve_exact(total - out.len());
    // The lists before it go in front, moving its findings once.
    let front: Vec<T> = lists.into_iter().flatten().collect();
    if !front.is_empty() {
        out.splice(0..0, front);
    }
    for list in after {
        out.extend(list);
    }
    out
}

/// The warning that the working tree's configuration (`file`) is not the one in force: that of
/// `rev`, whose `keys` differ.
pub fn config_changed(rev: &str, keys: &[String], file: &str) -> Finding {
    Finding::new(
        RuleId::ConfigChanged,
        RuleId::ConfigChanged.default_severity(),
        format!(
            "the working tree's configuration differs from {rev}'s in {}; the configuration of \
             {rev} is in force",
            keys.join(", ")
        ),
    )
    .file(file)
    .help("a change to the configuration takes effect once it is merged; review it there")
    .content(keys.join(","))
}

/// Lists categories for messages: "network input and authentication".
/// A category with the words that triggered it, for a message that stands on its own in every
/// format: `authentication ('sign-in', 'session token')`.
pub fn with_evidence(title: &str, found: &crate::triage::CategoryMatch) -> String {
    const WORDS: usize = 2;
    const WORD_CHARS: usize = 40;
    let mut words: Vec<String> = Vec::new();
    for evidence in &found.evidence {
        let word =
            crate::util::text::cut_chars(crate::source::one_line(&evidence.text), WORD_CHARS);
        let quoted = format!("'{word}'");
        if !words.iter().any(|w| w.eq_ignore_ascii_case(&quoted)) {
            words.push(quoted);
        }
        if words.len() == WORDS {
            break;
        }
    }
    if words.is_empty() {
        title.to_string()
    } else {
        format!("{title} ({})", words.join(", "))
    }
}

pub fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::concat_in_largest;

    #[test]
    fn lists_are_joined_in_order_in_the_roomiest() {
        let mut big = Vec::with_capacity(16);
        big.extend([4, 5]);
        let lists = vec![vec![1], vec![2, 3], big, vec![], vec![6]];
        let joined = concat_in_largest(lists);
        assert_eq!(joined, [1, 2, 3, 4, 5, 6]);
        assert_eq!(joined.capacity(), 16, "joined in the list with room");
        assert!(concat_in_largest::<u8>(Vec::new()).is_empty());
        assert_eq!(concat_in_largest(vec![vec![1, 2]]), [1, 2]);
    }
}
