//! Suppressions ("waivers"): written on an item (`backlint: {ignore: […]}` or a Markdown
//! comment), each with a reason and an optional expiry. They are applied after every other
//! rule has run; these rules keep the list honest.

#![allow(
    clippy::indexing_slicing,
    reason = "indices come from enumerating the same vector"
)]

use jiff::civil::Date;

use crate::diagnostic::Finding;
use crate::model::Suppression;
use crate::source::one_line;

use super::{Check, Context, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it checks
    /// A suppression whose `until` date has passed:
    /// `<!-- backlint-disable RULE -- reason until 2026-01-31 -->`, an `until:` in
    /// `backlint: {ignore: […]}`, or a baseline entry. The suppressed finding is reported again.
    ///
    /// ## Why
    /// A waiver is a decision with a deadline: "not now, but by then". When the deadline passes
    /// silently, the exception becomes the rule. An expired waiver fails the check until the
    /// work is done or the decision is renewed on purpose.
    ///
    /// ## Example
    /// `<!-- backlint-disable triage/missing-spike -- vendor reviews it until 2026-01-31 -->`
    /// checked in February 2026.
    ///
    /// ## How to fix
    /// Do the work (link the spike) and remove the suppression, or renew it with a new date and
    /// a reason that says why.
    pub struct Expired {
        id: WaiverExpired,
        summary: "a suppression or baseline entry is past its `until` date",
    }
}

declare_rule! {
    /// ## What it checks
    /// A suppression or baseline entry that no longer matches any finding.
    ///
    /// ## Why
    /// Once the problem is fixed, a leftover suppression would silently hide the next one of
    /// its kind. Removing it keeps the list of accepted exceptions short and true, so that debt
    /// can only go down.
    ///
    /// ## Example
    /// `backlint: {ignore: [{rule: triage/missing-spike, reason: …}]}` on an item that now
    /// links its spike.
    ///
    /// ## How to fix
    /// Delete the suppression (or regenerate the baseline with `backlint baseline`).
    pub struct Unused {
        id: WaiverUnused,
        summary: "a suppression or baseline entry no longer matches any finding",
    }
}

declare_rule! {
    /// ## What it checks
    /// A suppression that is not a valid decision: it has no reason, names a rule id that does
    /// not exist, or has an `until` that is not a date (`YYYY-MM-DD`). It suppresses nothing.
    ///
    /// ## Why
    /// Every exception to the checklist must say why, so that it can be reviewed; a
    /// suppression without a reason is just a way to silence the tool.
    ///
    /// ## Example
    /// `<!-- backlint-disable triage/missing-spike -->`
    ///
    /// ## How to fix
    /// `<!-- backlint-disable triage/missing-spike -- the PSP's review covers this endpoint until 2026-06-30 -->`
    pub struct Invalid {
        id: WaiverInvalid,
        summary: "a suppression has no reason, an unknown rule id, or an `until` that is not a date",
    }
}

// The three rules above judge suppressions against the findings of every other rule, so they
// run in `apply`, after the others; their `check` has nothing to look at on its own.
impl Check for Expired {
    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
impl Check for Unused {
    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
impl Check for Invalid {
    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}

/// Whether `suppression` covers `finding` (same rule; and the category, when it names one).
fn covers(suppression: &Suppression, finding: &Finding) -> bool {
    if finding.rule != suppression.rule.as_str() {
        return false;
    }
    match &suppression.category {
        None => true,
        Some(category) => finding.categories.iter().any(|c| c == category),
    }
}

/// Why a suppression does not apply, if it does not.
fn problem(suppression: &Suppression) -> Option<String> {
    let known = |rule: &str| {
        super::ALL.iter().any(|r| r.id() == rule)
            || super::CONFIG_RULES.iter().any(|(id, _)| *id == rule)
    };
    if suppression.reason.is_none() {
        return Some("has no reason".to_string());
    }
    if !known(&suppression.rule) {
        let all: Vec<String> = super::ALL.iter().map(|r| r.id().to_string()).collect();
        return Some(match crate::util::suggest(&suppression.rule, &all) {
            Some(s) => format!(
                "names an unknown rule `{}` (did you mean `{s}`?)",
                one_line(&suppression.rule)
            ),
            None => format!("names an unknown rule `{}`", one_line(&suppression.rule)),
        });
    }
    let until = suppression.until.as_ref()?;
    crate::util::date::parse_date(&until.value)
        .is_none()
        .then(|| {
            format!(
                "has an `until` that is not a date: `{}`",
                one_line(&until.value)
            )
        })
}

/// Removes suppressed findings and adds the waiver findings. A finding with several
/// categories is suppressed only when active suppressions cover every one of them; a
/// suppression is used when it covers any finding.
pub fn apply(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let today: Date = cx.today;
    let mut extra = Vec::new();
    for (idx, item) in cx.backlog.items.iter().enumerate() {
        if item.suppressions.is_empty() || !cx.judged(idx) {
            continue;
        }
        let mut active: Vec<&Suppression> = Vec::new();
        for suppression in &item.suppressions {
            let rule = one_line(&suppression.rule);
            let content = format!(
                "{}|{}",
                suppression.rule,
                suppression.category.clone().unwrap_or_default()
            );
            if let Some(problem) = problem(suppression) {
                extra.push(
                    Invalid
                        .finding(format!(
                            "{}: the suppression of {rule} {problem}",
                            one_line(&item.id)
                        ))
                        .item(idx, &item.id)
                        .at(suppression.at, "invalid suppression")
                        .help(
                            "write `<!-- backlint-disable RULE[: CATEGORY] -- reason [until \
                             YYYY-MM-DD] -->`, or `backlint: {ignore: [{rule, category, reason, \
                             until}]}`",
                        )
                        .content(content),
                );
                continue;
            }
            let expiry = suppression
                .until
                .as_ref()
                .and_then(|u| crate::util::date::parse_date(&u.value).map(|d| (u, d)));
            if let Some((until, date)) = expiry.filter(|(_, d)| *d < today) {
                extra.push(
                    Expired
                        .finding(format!(
                            "{}: the suppression of {rule} expired on {date}",
                            one_line(&item.id)
                        ))
                        .item(idx, &item.id)
                        .at(until.span, "expired")
                        .help(
                            "do the work and remove the suppression, or renew it with a new \
                             date and a reason",
                        )
                        .content(content),
                );
                continue;
            }
            active.push(suppression);
        }
        let mut used = vec![false; active.len()];
        findings.retain(|finding| {
            if finding.item_index != Some(idx) {
                return true;
            }
            for (n, s) in active.iter().enumerate() {
                used[n] |= covers(s, finding);
            }
            let whole = active
                .iter()
                .any(|s| finding.rule == s.rule.as_str() && s.category.is_none());
            let every_category = !finding.categories.is_empty()
                && finding.categories.iter().all(|c| {
                    active.iter().any(|s| {
                        finding.rule == s.rule.as_str() && s.category.as_deref() == Some(c)
                    })
                });
            !(whole || every_category)
        });
        for (suppression, _) in active.iter().zip(&used).filter(|(_, used)| !**used) {
            extra.push(
                Unused
                    .finding(format!(
                        "{}: the suppression of {} matches no finding",
                        one_line(&item.id),
                        one_line(&suppression.rule)
                    ))
                    .item(idx, &item.id)
                    .at(suppression.at, "suppresses nothing")
                    .help("remove the suppression")
                    .content(format!(
                        "{}|{}",
                        suppression.rule,
                        suppression.category.clone().unwrap_or_default()
                    )),
            );
        }
    }
    findings.extend(extra);
}
