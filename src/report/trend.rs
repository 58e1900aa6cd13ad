//! The weekly trend: after the last commit of each week (UTC, weeks start on Monday), how many
//! items triggered the checklist, how many of those had no threat-analysis spike, and how many
//! had their residual risk decided — judged on the backlog as that commit left it.

use serde::Serialize;

use crate::discover::history::short_id;
use crate::history::{History, at_time};
use crate::model::Status;

/// At most this many weeks are drawn (the latest ones).
pub const MAX_WEEKS: usize = 260;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Trend {
    pub weeks: Vec<WeekPoint>,
    /// Weeks before the drawn ones that were left out (more than [`MAX_WEEKS`]).
    pub weeks_left_out: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeekPoint {
    /// The Monday that starts the week (`YYYY-MM-DD`).
    pub week: String,
    /// The last commit of the week that changed the backlog (short id), if any.
    pub commit: Option<String>,
    pub triggered: usize,
    pub missing_spikes: usize,
    pub accepted: usize,
}

/// The Monday of the week holding `time` (seconds, UTC).
pub fn week_of(time: i64) -> Option<jiff::civil::Date> {
    let date = jiff::tz::Offset::UTC
        .to_datetime(jiff::Timestamp::from_second(time).ok()?)
        .date();
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back)).ok()
}

/// The trend over the commits at or after `since` (all when `None`).
pub fn compute(history: &History, since: Option<i64>) -> Trend {
    let from = since.map_or(0, |t| history.first_commit_since(t));
    // The last commit of each week, in order.
    let mut ends: Vec<(jiff::civil::Date, usize)> = Vec::new();
    for (n, commit) in history.commits.iter().enumerate().skip(from) {
        let Some(week) = week_of(commit.time) else {
            continue;
        };
        match ends.last_mut() {
            Some((w, last)) if *w == week => *last = n,
            // Commit times can go backwards (rebased or clock-skewed commits): such a commit
            // counts in the latest week seen.
            Some((w, last)) if *w > week => *last = n,
            _ => ends.push((week, n)),
        }
    }
    let mut weeks = Vec::new();
    for (n, (week, commit)) in ends.iter().enumerate() {
        let at = at_time(history, *commit);
        let mut point = WeekPoint {
            week: week.to_string(),
            commit: history
                .commits
                .get(*commit)
                .map(|c| short_id(&c.id).to_string()),
            triggered: 0,
            missing_spikes: 0,
            accepted: 0,
        };
        for state in &at.items {
            if state.archived || state.is_spike() || state.triggered.is_empty() {
                continue;
            }
            point.triggered += 1;
            if state.status != Status::Cancelled && at.spikes_of(state).is_empty() {
                point.missing_spikes += 1;
            }
            if state.acceptance.as_ref().is_some_and(|a| a.decided()) {
                point.accepted += 1;
            }
        }
        // Weeks without a commit repeat the previous week's figures.
        if let Some(next) = ends.get(n + 1) {
            let mut gap = *week;
            weeks.push(point.clone());
            loop {
                gap = match gap.checked_add(jiff::Span::new().days(7)) {
                    Ok(g) => g,
                    Err(_) => break,
                };
                if gap >= next.0 || weeks.len() > MAX_WEEKS * 8 {
                    break;
                }
                weeks.push(WeekPoint {
                    week: gap.to_string(),
                    commit: None,
                    ..point.clone()
                });
            }
        } else {
            weeks.push(point);
        }
    }
    let weeks_left_out = weeks.len().saturating_sub(MAX_WEEKS);
    if weeks_left_out > 0 {
        weeks.drain(..weeks_left_out);
    }
    Trend {
        weeks,
        weeks_left_out,
    }
}
