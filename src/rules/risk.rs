//! Residual-risk acceptance follows business ownership: the team accepts code-level risk, the
//! product owner story-level risk, the client or business owner epic-level risk; a higher level
//! may accept a lower level's risk, never the reverse; the security group may veto, never
//! accept.

use std::sync::Arc;

use crate::diagnostic::Finding;
use crate::model::vocab::normalise_word;
use crate::model::{Item, Level, RiskAcceptance, Spanned, Status};
use crate::source::{Span, one_line};
use crate::util::date::parse_date;

use super::{Check, Context, RuleMeta, declare_rule};

/// Who accepted a risk, as a rung of the ownership ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Team,
    ProductOwner,
    Client,
    /// May veto; may not accept.
    Security,
}

impl Role {
    pub fn parse(raw: &str) -> Option<Role> {
        match normalise_word(raw).as_str() {
            "team" | "dev team" | "development team" | "developers" | "engineering" | "dev" => {
                Some(Role::Team)
            }
            "product owner" | "po" | "product manager" | "product" | "pm" => {
                Some(Role::ProductOwner)
            }
            "client"
            | "customer"
            | "business owner"
            | "business"
            | "sponsor"
            | "owner"
            | "business case owner" => Some(Role::Client),
            "security" | "security group" | "security team" | "secops" | "appsec" | "ciso"
            | "infosec" => Some(Role::Security),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Team => "the development team",
            Role::ProductOwner => "the product owner",
            Role::Client => "the client or business owner",
            Role::Security => "the security group",
        }
    }

    /// The highest level this role may accept.
    fn may_accept(self) -> Option<Level> {
        match self {
            Role::Team => Some(Level::Code),
            Role::ProductOwner => Some(Level::Story),
            Role::Client => Some(Level::Epic),
            Role::Security => None,
        }
    }
}

/// Who must accept at least, per level.
fn owner_of(level: Level) -> &'static str {
    match level {
        Level::Code => "the team or above",
        Level::Story => "the product owner or the client",
        Level::Epic => "the client or business owner",
    }
}

/// What to do about an item of `level` done without a risk decision.
fn acceptance_help(level: Level) -> Arc<str> {
    Arc::from(format!(
        "record the decision of {}: `risk_acceptance: {{decision: accepted, by: NAME, role: {}, \
         date: YYYY-MM-DD}}`, or tick the residual-risk entry of the item's definition of done",
        owner_of(level),
        role_value(level)
    ))
}

fn role_value(level: Level) -> &'static str {
    match level {
        Level::Code => "team",
        Level::Story => "product-owner",
        Level::Epic => "client",
    }
}

/// Items whose residual risk must be decided: done, triggered, not a spike, reported.
fn needs_decision(cx: &Context<'_>, idx: usize, item: &Item) -> bool {
    item.status == Status::Done
        && cx.judged(idx)
        && !cx.backlog.is_threat_spike(idx)
        && !item.is_spike()
        && cx.triage.get(idx).is_some_and(|t| !t.categories.is_empty())
}

/// The item's own DoD risk entry, when it is ticked.
fn ticked_dod_entry(cx: &Context<'_>, idx: usize, item: &Item) -> Option<Span> {
    let entry = item.dod.get(cx.triage.get(idx)?.dod_risk_entry?)?;
    (entry.checked == Some(true)).then_some(entry.at)
}

declare_rule! {
    /// ## What it checks
    /// A done item that triggered the checklist with no `risk_acceptance` record and no ticked
    /// residual-risk entry in its own definition of done.
    ///
    /// ## Why
    /// Risk that is not explicitly accepted is accepted with eyes closed when the code ships.
    /// Recording the decision (who, in which role, when, and whether the risk was mitigated or
    /// accepted) is the audit evidence that the threat analysis was acted on.
    ///
    /// ## Example
    /// ```yaml
    /// id: TASK-7
    /// title: Store session tokens in Redis
    /// status: done
    /// ```
    ///
    /// ## How to fix
    /// ```yaml
    /// risk_acceptance:
    ///   decision: mitigated        # or: accepted
    ///   by: Dana Developer
    ///   role: team                 # team | product-owner | client
    ///   date: 2026-03-14
    ///   note: tokens encrypted at rest; TTL 24h
    /// ```
    /// or tick the residual-risk entry of the item's definition of done.
    pub struct AcceptanceMissing {
        id: AcceptanceMissing,
        summary: "a done item that triggered the checklist has no `risk_acceptance` (and its own DoD entry is not ticked)",
    }
}

impl Check for AcceptanceMissing {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // The advice for each level, held once for all its findings.
        let [code_help, story_help, epic_help] =
            [Level::Code, Level::Story, Level::Epic].map(acceptance_help);
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            if !needs_decision(cx, idx, item)
                || !item.risk.is_empty()
                || ticked_dod_entry(cx, idx, item).is_some()
            {
                continue;
            }
            let level = cx.backlog.level(idx);
            let help = match level {
                Level::Code => &code_help,
                Level::Story => &story_help,
                Level::Epic => &epic_help,
            };
            out.push(
                self.finding(format!(
                    "{} is done and triggered the checklist, but nobody accepted its residual risk",
                    one_line(&item.id)
                ))
                .item(idx, &item.id)
                .at(
                    item.status_at.unwrap_or(item.at),
                    "done without a risk decision",
                )
                .categories(cx.categories_of(idx))
                .help(Arc::clone(help))
                .content(""),
            );
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// A `risk_acceptance` whose role is below the item's level: a task or bug may be accepted
    /// by the team, a story or feature needs the product owner, an epic the client or business
    /// owner. An item without a type takes its level from its parent chain (a child of an epic
    /// is story-level). A ticked residual-risk entry in the item's own definition of done counts
    /// as acceptance by the team.
    ///
    /// ## Why
    /// Residual-risk acceptance follows business ownership: whoever owns the business decision
    /// owns its risk. A higher level may accept a lower level's risk, never the reverse — a team
    /// cannot accept, on the client's behalf, the risk of a whole business case.
    ///
    /// ## Example
    /// ```yaml
    /// type: epic
    /// risk_acceptance: {decision: accepted, by: Pat, role: product-owner, date: 2026-03-01}
    /// ```
    ///
    /// ## How to fix
    /// Have the right owner decide and record it (`role: client` for an epic), or split the
    /// item so that the risk sits at the level of whoever can accept it.
    pub struct AcceptanceLevel {
        id: AcceptanceLevel,
        summary: "acceptance role is below the item's level (task/bug: team; story/feature: product-owner; epic: client)",
    }
}

impl Check for AcceptanceLevel {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            if !cx.judged(idx) {
                continue;
            }
            let level = cx.backlog.level(idx);
            for record in &item.risk {
                let Some((role, role_span)) = record
                    .role
                    .as_ref()
                    .and_then(|r| Role::parse(&r.value).map(|role| (role, r.span)))
                else {
                    continue;
                };
                let Some(allowed) = role.may_accept() else {
                    continue; // the security group: its own rule
                };
                if allowed >= level {
                    continue;
                }
                out.push(
                    self.finding(format!(
                        "{} is {}: its residual risk must be accepted by {}, not {}",
                        one_line(&item.id),
                        level.name(),
                        owner_of(level),
                        role.name()
                    ))
                    .item(idx, &item.id)
                    .at(
                        role_span,
                        format!("{} may accept {} risk at most", role.name(), allowed.name()),
                    )
                    .categories(cx.categories_of(idx))
                    .help(format!(
                        "have {} decide and record it: `role: {}`",
                        owner_of(level),
                        role_value(level)
                    ))
                    .content(format!("{role:?}")),
                );
            }
            if item.risk.is_empty() && needs_decision(cx, idx, item) && level > Level::Code {
                if let Some(entry) = ticked_dod_entry(cx, idx, item) {
                    out.push(
                        self.finding(format!(
                            "{} is {}: the ticked entry of its own definition of done is the \
                             team's acceptance, but its residual risk must be accepted by {}",
                            one_line(&item.id),
                            level.name(),
                            owner_of(level)
                        ))
                        .item(idx, &item.id)
                        .at(entry, "accepted by the team")
                        .categories(cx.categories_of(idx))
                        .help(format!(
                            "record the owner's decision: `risk_acceptance: {{decision: accepted, \
                             by: NAME, role: {}, date: YYYY-MM-DD}}`",
                            role_value(level)
                        ))
                        .content("item-dod"),
                    );
                }
            }
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// A `risk_acceptance` recorded with `role: security`.
    ///
    /// ## Why
    /// The security group advises and may veto (`security_veto`), but it does not own the
    /// business risk and must not accept it: acceptance by security hides the decision from the
    /// people who own the consequences.
    ///
    /// ## Example
    /// ```yaml
    /// risk_acceptance: {decision: accepted, by: Sam, role: security, date: 2026-03-01}
    /// ```
    ///
    /// ## How to fix
    /// Have the business owner of the item's level accept (team, product owner or client). If
    /// security disagrees with the risk, it records a `security_veto` instead.
    pub struct SecurityGroupAcceptance {
        id: SecurityGroupAcceptance,
        summary: "`role: security` accepted a risk (security may veto, not accept)",
    }
}

impl Check for SecurityGroupAcceptance {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            if !cx.judged(idx) {
                continue;
            }
            for record in &item.risk {
                let Some(role) = record
                    .role
                    .as_ref()
                    .filter(|r| Role::parse(&r.value) == Some(Role::Security))
                else {
                    continue;
                };
                let level = cx.backlog.level(idx);
                out.push(
                    self.finding(format!(
                        "{}: the security group accepted the residual risk; security may veto, \
                         not accept",
                        one_line(&item.id)
                    ))
                    .item(idx, &item.id)
                    .at(role.span, "security cannot accept risk")
                    .categories(cx.categories_of(idx))
                    .help(format!(
                        "have {} accept (`role: {}`); if security objects, record \
                         `security_veto: {{by: NAME, reason: \"…\"}}` instead",
                        owner_of(level),
                        role_value(level)
                    ))
                    .content(String::new()),
                );
            }
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// An item with an active `security_veto` (one without `lifted:`).
    ///
    /// ## Why
    /// The security group's veto is its one lever on business risk: the work must not proceed
    /// (or ship) until the concern is resolved and the veto is lifted.
    ///
    /// ## Example
    /// ```yaml
    /// security_veto: {by: Sam, reason: "stores card numbers unencrypted"}
    /// ```
    ///
    /// ## How to fix
    /// Resolve the concern with the security group, then lift the veto
    /// (`lifted: 2026-03-20`) or remove it.
    pub struct Vetoed {
        id: Vetoed,
        summary: "item carries an active `security_veto`",
    }
}

impl Check for Vetoed {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            let Some(veto) = item.veto.as_ref().filter(|v| !v.lifted) else {
                continue;
            };
            if !cx.judged(idx) || item.status == Status::Cancelled {
                continue;
            }
            let by = veto
                .by
                .as_ref()
                .map_or("the security group".to_string(), |b| one_line(&b.value));
            let reason = veto
                .reason
                .as_ref()
                .map(|r| format!(": {}", one_line(&r.value)))
                .unwrap_or_default();
            out.push(
                self.finding(format!("{} is vetoed by {by}{reason}", one_line(&item.id)))
                    .item(idx, &item.id)
                    .at(veto.at, "active veto")
                    .categories(cx.categories_of(idx))
                    .help("resolve the concern with the security group, then lift the veto (`lifted: YYYY-MM-DD`) or remove it")
                    .content(reason),
            );
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// A `risk_acceptance` record that is not valid evidence: not a mapping, an unknown field,
    /// a missing `decision`, `by` or `role`, a `decision` other than `accepted` or `mitigated`,
    /// a `role` other than team, product-owner, client or security, or a `date` that is not a
    /// calendar date (`YYYY-MM-DD`).
    ///
    /// ## Why
    /// The record is audit evidence: who decided, in which capacity, when, and what. A record
    /// with a role nobody recognises or a date that does not parse cannot show that the right
    /// owner decided.
    ///
    /// ## Example
    /// ```yaml
    /// risk_acceptance: {decision: ok, by: Pat, role: boss, date: 14/03/26}
    /// ```
    ///
    /// ## How to fix
    /// ```yaml
    /// risk_acceptance: {decision: accepted, by: Pat, role: product-owner, date: 2026-03-14}
    /// ```
    pub struct InvalidAcceptance {
        id: InvalidAcceptance,
        summary: "a `risk_acceptance` field is missing or invalid (decision, by, role; date when given)",
    }
}

impl InvalidAcceptance {
    fn problems(record: &RiskAcceptance) -> Vec<(Span, String, String)> {
        let mut out: Vec<(Span, String, String)> = record
            .shape_errors
            .iter()
            .map(|e| (e.span, e.value.clone(), "shape".to_string()))
            .collect();
        if !record.shape_errors.is_empty() && record.decision.is_none() && record.by.is_none() {
            return out;
        }
        let mut require = |field: &Option<Spanned<String>>, name: &str| {
            if field.as_ref().is_none_or(|f| f.value.trim().is_empty()) {
                out.push((
                    field.as_ref().map_or(record.at, |f| f.span),
                    format!("`risk_acceptance` has no `{name}`"),
                    format!("missing-{name}"),
                ));
            }
        };
        require(&record.decision, "decision");
        require(&record.by, "by");
        require(&record.role, "role");
        if let Some(d) = record
            .decision
            .as_ref()
            .filter(|d| !d.value.trim().is_empty())
        {
            if !crate::model::vocab::is_risk_decision(&d.value) {
                out.push((
                    d.span,
                    format!(
                        "`decision: {}` is neither `accepted` nor `mitigated`",
                        one_line(&d.value)
                    ),
                    "decision".to_string(),
                ));
            }
        }
        if let Some(r) = record.role.as_ref().filter(|r| !r.value.trim().is_empty()) {
            if Role::parse(&r.value).is_none() {
                out.push((
                    r.span,
                    format!(
                        "unknown role `{}` (expected team, product-owner, client or security)",
                        one_line(&r.value)
                    ),
                    "role".to_string(),
                ));
            }
        }
        if let Some(d) = record.date.as_ref().filter(|d| !d.value.trim().is_empty()) {
            if parse_date(&d.value).is_none() {
                out.push((
                    d.span,
                    format!("`date: {}` is not a date (YYYY-MM-DD)", one_line(&d.value)),
                    "date".to_string(),
                ));
            }
        }
        out
    }
}

impl Check for InvalidAcceptance {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            if !cx.judged(idx) {
                continue;
            }
            for record in &item.risk {
                for (span, message, key) in Self::problems(record) {
                    out.push(
                        self.finding(format!("{}: {message}", one_line(&item.id)))
                            .item(idx, &item.id)
                            .at(span, "invalid risk acceptance")
                            .help(
                                "write `risk_acceptance: {decision: accepted|mitigated, by: NAME, \
                                 role: team|product-owner|client, date: YYYY-MM-DD, note: …}`",
                            )
                            .content(key),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        assert_eq!(Role::parse("Product Owner"), Some(Role::ProductOwner));
        assert_eq!(Role::parse("product-owner"), Some(Role::ProductOwner));
        assert_eq!(Role::parse("PO"), Some(Role::ProductOwner));
        assert_eq!(Role::parse("security_group"), Some(Role::Security));
        assert_eq!(Role::parse("boss"), None);
    }
}
