//! `backlint flow`: value-stream figures from the backlog's history. Each item's status
//! changes (per first-parent commit, committer time) give, per stage, how many items passed,
//! the wait before the stage and the time in it (median and 85th percentile), how many were
//! sent back to an earlier stage and how many of those moves were tied to security; and the
//! lead time from an item's first commit to its first done — for all, triggered and
//! untriggered items. How each figure is computed: docs/flow.md.

#![allow(
    clippy::indexing_slicing,
    reason = "stage ranks index accumulators made for every rank; run indices come from the run"
)]

pub mod render;

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::history::{History, ItemState};
use crate::model::Status;

/// A set of durations: how many, median and 85th percentile (nearest rank), in seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Durations {
    pub count: usize,
    pub median_seconds: Option<i64>,
    pub p85_seconds: Option<i64>,
}

impl Durations {
    pub fn of(mut values: Vec<i64>) -> Durations {
        values.sort_unstable();
        Durations {
            count: values.len(),
            median_seconds: percentile(&values, 50),
            p85_seconds: percentile(&values, 85),
        }
    }
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `p`% of the
/// values at or below it.
pub fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// One stage of the value stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StageFigures {
    /// The status as written (`In Progress`).
    pub stage: String,
    /// Its normalised class: todo, in-progress, done, cancelled or the raw value.
    pub class: String,
    /// Items that entered the stage in the window.
    pub items: usize,
    /// Time in the previous stage before each entry into this one.
    pub wait_before: Durations,
    /// Time from each entry until the item left the stage (stays that have not ended are
    /// not counted).
    pub time_in: Durations,
    /// Items sent back from this stage to an earlier one, at least once.
    pub sent_back: usize,
    /// `sent_back` / `items`, in percent.
    pub sent_back_percent: f64,
    /// Backward moves from this stage, and those tied to security.
    pub backward_moves: usize,
    pub security_backward_moves: usize,
}

/// The stages and lead times of one group of items.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GroupFigures {
    pub items: usize,
    pub stages: Vec<StageFigures>,
    /// From the item's first commit to its first entry into a done stage.
    pub lead_time: Durations,
    pub backward_moves: usize,
    pub security_backward_moves: usize,
}

/// What `backlint flow` reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FlowReport {
    pub schema_version: u32,
    /// The start of the window (ISO date-time, UTC), if one was given.
    pub since: Option<String>,
    /// Commits that changed backlog files (whole history) and in the window.
    pub commits: usize,
    pub commits_in_window: usize,
    pub first_commit: Option<String>,
    pub last_commit: Option<String>,
    pub all: GroupFigures,
    /// Items that triggered the checklist (as they stood when they reached their last stage
    /// in the window).
    pub triggered: GroupFigures,
    pub untriggered: GroupFigures,
    /// The history ends at a shallow-clone boundary.
    pub shallow: bool,
    /// The oldest commits not read (a history longer than the walk reads).
    pub commits_left_out: usize,
}

/// One entry into a stage.
struct Entry<'h> {
    commit: usize,
    time: i64,
    /// The stage, spelling-insensitive (`To Do` = `todo` = `TODO`).
    stage: String,
    state: &'h ItemState,
}

/// The stage of a status as written, ignoring case, spaces and punctuation.
pub fn stage_key(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn class_rank(status: &Status) -> u8 {
    match status {
        Status::Todo | Status::Missing => 0,
        Status::InProgress | Status::Unknown(_) => 1,
        Status::Done => 2,
        Status::Cancelled => 3,
    }
}

/// Computes the figures over the commits at or after `since` (commit time; `None`: all).
pub fn compute(history: &History, since: Option<i64>) -> FlowReport {
    let from = since.map_or(0, |t| history.first_commit_since(t));
    let time_of = |commit: usize| history.commits.get(commit).map_or(0, |c| c.time);

    // Each item's stays: consecutive versions in the same stage are one stay; a removal
    // ends a run.
    let mut runs: Vec<Vec<Entry<'_>>> = Vec::new();
    for timeline in &history.timelines {
        let mut run: Vec<Entry<'_>> = Vec::new();
        for version in &timeline.versions {
            match &version.state {
                None => {
                    if !run.is_empty() {
                        runs.push(std::mem::take(&mut run));
                    }
                }
                Some(state) => {
                    let stage = stage_key(&state.stage);
                    if run.last().is_some_and(|e| e.stage == stage) {
                        // Same stage: keep the entry, but judge by the latest version.
                        if let Some(last) = run.last_mut() {
                            last.state = state;
                        }
                        continue;
                    }
                    run.push(Entry {
                        commit: version.commit,
                        time: time_of(version.commit),
                        stage,
                        state,
                    });
                }
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
    }

    // Stage order: by normalised class, then by first appearance in history; each stage is
    // named by its most used spelling.
    let mut first_seen: HashMap<&str, (u8, usize, &Status)> = HashMap::new();
    let mut spellings: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    for run in &runs {
        for entry in run {
            let seen = first_seen.entry(entry.stage.as_str()).or_insert((
                class_rank(&entry.state.status),
                entry.commit,
                &entry.state.status,
            ));
            if entry.commit < seen.1 {
                seen.1 = entry.commit;
            }
            *spellings
                .entry(entry.stage.as_str())
                .or_default()
                .entry(entry.state.stage.as_str())
                .or_default() += 1;
        }
    }
    let mut order: Vec<(&str, u8, usize, &Status)> = first_seen
        .iter()
        .map(|(stage, (rank, commit, status))| (*stage, *rank, *commit, *status))
        .collect();
    order.sort_by(|a, b| (a.1, a.2, a.0).cmp(&(b.1, b.2, b.0)));
    let rank: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(n, (stage, ..))| (*stage, n))
        .collect();
    let names: Vec<String> = order
        .iter()
        .map(|(stage, ..)| {
            spellings
                .get(stage)
                .and_then(|s| s.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))))
                .map_or_else(|| (*stage).to_string(), |(name, _)| (*name).to_string())
        })
        .collect();
    let rank_of = |entry: &Entry<'_>| rank.get(entry.stage.as_str()).copied().unwrap_or(0);

    // Which commits changed each item (to tie a backward move to a spike's change).
    let mut changed_at: HashMap<&str, BTreeSet<usize>> = HashMap::new();
    let mut key_of_path: HashMap<&str, &str> = HashMap::new();
    for timeline in &history.timelines {
        let commits = changed_at.entry(timeline.key.as_str()).or_default();
        for version in &timeline.versions {
            commits.insert(version.commit);
            if let Some(state) = &version.state {
                key_of_path.insert(state.path.as_str(), timeline.key.as_str());
            }
        }
    }
    let spike_changed = |state: &ItemState, commit: usize| {
        state.links.iter().any(|link| {
            let key = link.key.as_deref().or_else(|| {
                link.path
                    .as_deref()
                    .and_then(|p| key_of_path.get(p).copied())
            });
            key.and_then(|k| changed_at.get(k))
                .is_some_and(|c| c.contains(&commit))
                && key.and_then(|k| history.timeline(k)).is_some_and(|t| {
                    t.at(commit).is_some_and(|s| s.threat_spike)
                        || t.at(commit.wrapping_sub(1)).is_some_and(|s| s.threat_spike)
                })
        })
    };

    let mut all = Accumulator::new(&order, &names);
    let mut triggered = Accumulator::new(&order, &names);
    let mut untriggered = Accumulator::new(&order, &names);
    for run in &runs {
        let in_window: Vec<usize> = (0..run.len()).filter(|n| run[*n].commit >= from).collect();
        let Some(&last_in_window) = in_window.last() else {
            continue;
        };
        let is_triggered = !run[last_in_window].state.triggered.is_empty();
        let group = if is_triggered {
            &mut triggered
        } else {
            &mut untriggered
        };
        for acc in [&mut all, group] {
            acc.items += 1;
            let mut sent_back_from: BTreeSet<usize> = BTreeSet::new();
            let mut entered: BTreeSet<usize> = BTreeSet::new();
            for &n in &in_window {
                let entry = &run[n];
                let stage = rank_of(entry);
                entered.insert(stage);
                if let Some(previous) = n.checked_sub(1).and_then(|p| run.get(p)) {
                    acc.stages[stage].wait.push(entry.time - previous.time);
                }
                if let Some(next) = run.get(n + 1) {
                    acc.stages[stage].time_in.push(next.time - entry.time);
                    let next_stage = rank_of(next);
                    if next_stage < stage {
                        sent_back_from.insert(stage);
                        acc.stages[stage].backward += 1;
                        acc.backward += 1;
                        let vetoed = next.state.veto_open && !entry.state.veto_open;
                        let security = !entry.state.triggered.is_empty()
                            || !next.state.triggered.is_empty()
                            || vetoed
                            || spike_changed(next.state, next.commit)
                            || spike_changed(entry.state, next.commit);
                        if security {
                            acc.stages[stage].security_backward += 1;
                            acc.security_backward += 1;
                        }
                    }
                }
            }
            for stage in entered {
                acc.stages[stage].items += 1;
            }
            for stage in sent_back_from {
                acc.stages[stage].sent_back += 1;
            }
            let created = run[0].time;
            // An item whose first version is already done has no lead time to measure.
            let born_done = run[0].state.status == Status::Done;
            if let Some(done) = in_window
                .iter()
                .map(|n| &run[*n])
                .find(|e| e.state.status == Status::Done)
            {
                // The first done of the run, if it falls in the window.
                let first_done = run.iter().find(|e| e.state.status == Status::Done);
                if !born_done && first_done.is_some_and(|f| f.commit == done.commit) {
                    acc.lead.push(done.time - created);
                }
            }
        }
    }

    let stamp = |t: i64| {
        jiff::Timestamp::from_second(t)
            .map(|ts| ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .ok()
    };
    FlowReport {
        schema_version: 1,
        since: since.and_then(stamp),
        commits: history.commits.len(),
        commits_in_window: history.commits.len().saturating_sub(from),
        first_commit: history.commits.get(from).and_then(|c| stamp(c.time)),
        last_commit: history.commits.last().and_then(|c| stamp(c.time)),
        all: all.finish(),
        triggered: triggered.finish(),
        untriggered: untriggered.finish(),
        shallow: history.shallow,
        commits_left_out: history.commits_left_out,
    }
}

#[derive(Default)]
struct StageAccumulator {
    items: usize,
    wait: Vec<i64>,
    time_in: Vec<i64>,
    sent_back: usize,
    backward: usize,
    security_backward: usize,
}

struct Accumulator<'a> {
    order: &'a [(&'a str, u8, usize, &'a Status)],
    names: &'a [String],
    items: usize,
    stages: Vec<StageAccumulator>,
    lead: Vec<i64>,
    backward: usize,
    security_backward: usize,
}

impl<'a> Accumulator<'a> {
    fn new(order: &'a [(&'a str, u8, usize, &'a Status)], names: &'a [String]) -> Self {
        Accumulator {
            order,
            names,
            items: 0,
            stages: order.iter().map(|_| StageAccumulator::default()).collect(),
            lead: Vec::new(),
            backward: 0,
            security_backward: 0,
        }
    }

    fn finish(self) -> GroupFigures {
        let stages = self
            .order
            .iter()
            .zip(self.names)
            .zip(self.stages)
            .filter(|(_, acc)| acc.items > 0)
            .map(|(((_, _, _, status), name), acc)| StageFigures {
                stage: name.clone(),
                class: status.name().to_string(),
                items: acc.items,
                wait_before: Durations::of(acc.wait),
                time_in: Durations::of(acc.time_in),
                sent_back: acc.sent_back,
                sent_back_percent: percent(acc.sent_back, acc.items),
                backward_moves: acc.backward,
                security_backward_moves: acc.security_backward,
            })
            .collect();
        GroupFigures {
            items: self.items,
            stages,
            lead_time: Durations::of(self.lead),
            backward_moves: self.backward,
            security_backward_moves: self.security_backward,
        }
    }
}

/// `part` of `whole` in percent, one decimal.
pub fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 1000.0 / whole as f64).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&values, 50), Some(5));
        assert_eq!(percentile(&values, 85), Some(9));
        assert_eq!(percentile(&[7], 85), Some(7));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percent(1, 3), 33.3);
        assert_eq!(percent(0, 0), 0.0);
    }
}
