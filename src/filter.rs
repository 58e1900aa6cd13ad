//! Which findings a run reports (`--status`, `--rule`, `--category`), and the status class that
//! orders them: findings about the backlog as a whole first, then open items, then done ones.

use crate::diagnostic::{Finding, RuleId};
use crate::model::{Backlog, Status};

/// `--status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    All,
    /// Not started or in progress (or without a known status), not archived.
    Open,
    /// Done or cancelled, or archived.
    Done,
}

impl std::str::FromStr for StatusFilter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "all" => Ok(StatusFilter::All),
            "open" => Ok(StatusFilter::Open),
            "done" => Ok(StatusFilter::Done),
            other => Err(format!(
                "unknown status filter `{other}` (expected open, done or all)"
            )),
        }
    }
}

/// Where a finding stands, for order and for `--status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusClass {
    /// About the backlog as a whole (its definition of done, the configuration).
    Backlog,
    Open,
    Done,
}

impl StatusClass {
    pub fn of(finding: &Finding, backlog: &Backlog) -> StatusClass {
        match finding.item_index.and_then(|i| backlog.items.get(i)) {
            None => StatusClass::Backlog,
            Some(item) if item.archived => StatusClass::Done,
            Some(item) => match item.status {
                Status::Done | Status::Cancelled => StatusClass::Done,
                _ => StatusClass::Open,
            },
        }
    }
}

/// The findings a run reports.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    pub status: StatusFilter,
    /// Only these rules (empty: every rule).
    pub rules: Vec<RuleId>,
    /// Only findings about these checklist categories (empty: every finding).
    pub categories: Vec<String>,
}

impl ReportFilter {
    pub fn is_empty(&self) -> bool {
        self.status == StatusFilter::All && self.rules.is_empty() && self.categories.is_empty()
    }

    /// Whether `finding` is reported. Findings about the backlog as a whole pass the status
    /// filter: they concern open and done items alike.
    pub fn admits(&self, finding: &Finding, backlog: &Backlog) -> bool {
        let status = match (self.status, StatusClass::of(finding, backlog)) {
            (StatusFilter::All, _) | (_, StatusClass::Backlog) => true,
            (StatusFilter::Open, class) => class == StatusClass::Open,
            (StatusFilter::Done, class) => class == StatusClass::Done,
        };
        status
            && (self.rules.is_empty() || self.rules.contains(&finding.rule))
            && (self.categories.is_empty()
                || finding.categories.iter().any(|c| {
                    self.categories
                        .iter()
                        .any(|want| want.eq_ignore_ascii_case(c))
                }))
    }
}
