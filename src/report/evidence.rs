//! Audit evidence from history, not from what the files claim today: for each triggered item,
//! the commit (author, date) from which each spike has been linked without a break, from which
//! that spike has been done, and from which the residual-risk decision has been recorded —
//! with a warning where the record disagrees with history.

use serde::Serialize;

use crate::history::{History, ItemState, LinkRef, Timeline, at_time};
use crate::model::{LinkKind, Status, id_key};
use crate::outcome::CheckOutcome;
use crate::source::one_line;
use crate::util::date::parse_date;

/// A commit, as evidence names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CommitRef {
    pub commit: String,
    pub author: String,
    pub email: String,
    /// Author date, `YYYY-MM-DD HH:MM ±HH:MM`.
    pub date: String,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpikeEvidence {
    pub spike: String,
    /// Since when the link holds (the first commit of its latest unbroken run).
    pub linked: Option<CommitRef>,
    /// Since when the spike has been done.
    pub done: Option<CommitRef>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AcceptanceEvidence {
    /// What the record says today.
    pub decision: String,
    pub by: String,
    pub role: String,
    pub date: Option<String>,
    /// Since when it has been recorded (as it reads today).
    pub recorded: Option<CommitRef>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemEvidence {
    pub item: String,
    pub title: String,
    pub path: String,
    /// The commit that first added the item.
    pub added: Option<CommitRef>,
    /// The first commit in which the item's status was in progress or done.
    pub started: Option<CommitRef>,
    pub spikes: Vec<SpikeEvidence>,
    pub acceptance: Option<AcceptanceEvidence>,
    /// Where the record disagrees with history.
    pub warnings: Vec<String>,
}

/// Commit `n`'s author time in the author's own UTC offset, and that offset in minutes.
fn author_time(history: &History, n: usize) -> Option<(jiff::civil::DateTime, i32)> {
    let c = history.commits.get(n)?;
    // git keeps offsets within a day; one beyond jiff's range is read as UTC.
    let offset = jiff::tz::Offset::from_seconds(c.author_offset.saturating_mul(60))
        .unwrap_or(jiff::tz::Offset::UTC);
    let time = jiff::Timestamp::from_second(c.author_time).ok()?;
    Some((offset.to_datetime(time), c.author_offset))
}

fn commit_ref(history: &History, n: usize) -> Option<CommitRef> {
    let c = history.commits.get(n)?;
    let date = author_time(history, n)
        .map(|(dt, minutes)| {
            let sign = if minutes < 0 { '-' } else { '+' };
            let minutes = minutes.unsigned_abs();
            format!(
                "{} {sign}{:02}:{:02}",
                dt.strftime("%Y-%m-%d %H:%M"),
                minutes / 60,
                minutes % 60
            )
        })
        .unwrap_or_default();
    Some(CommitRef {
        commit: c.id.clone(),
        author: one_line(&c.author),
        email: one_line(&c.email),
        date,
        summary: one_line(&c.summary),
    })
}

/// The author's calendar day of commit `n`.
fn commit_day(history: &History, n: usize) -> Option<jiff::civil::Date> {
    author_time(history, n).map(|(dt, _)| dt.date())
}

/// The first commit of the latest unbroken run of commits (among `points`) at which `holds`
/// is true, if it holds at the last point.
fn since_when(points: &[usize], holds: impl Fn(usize) -> bool) -> Option<usize> {
    let mut start = None;
    for &p in points.iter().rev() {
        if holds(p) {
            start = Some(p);
        } else {
            break;
        }
    }
    start
}

fn links_to(links: &[LinkRef], key: &str, path: &str, kinds: &[LinkKind]) -> bool {
    links.iter().any(|l| {
        kinds.contains(&l.kind)
            && (l.key.as_deref() == Some(key) || l.path.as_deref() == Some(path))
    })
}

fn commits_of(timelines: &[&Timeline]) -> Vec<usize> {
    let mut points: Vec<usize> = timelines
        .iter()
        .flat_map(|t| t.versions.iter().map(|v| v.commit))
        .collect();
    points.sort_unstable();
    points.dedup();
    points
}

/// Evidence for the triggered items `triggered` (indices into the outcome's backlog).
pub fn collect(
    outcome: &CheckOutcome,
    triggered: &[usize],
    history: &History,
) -> Vec<ItemEvidence> {
    let backlog = &outcome.backlog;
    let head = history.commits.len().checked_sub(1);
    let head_state = head.map(|h| at_time(history, h));
    let mut out = Vec::new();
    for &idx in triggered {
        let Some(item) = backlog.items.get(idx) else {
            continue;
        };
        let key = id_key(&item.id);
        let mut evidence = ItemEvidence {
            item: one_line(&item.id),
            title: one_line(&item.title),
            path: item.path.to_string(),
            added: None,
            started: None,
            spikes: Vec::new(),
            acceptance: None,
            warnings: Vec::new(),
        };
        let Some(timeline) = history.timeline(&key) else {
            evidence
                .warnings
                .push("the item is not committed: nothing in history backs its record".to_string());
            out.push(evidence);
            continue;
        };
        let committed: Option<&ItemState> = head_state.as_ref().and_then(|h| h.get(&key));
        if committed.is_none() {
            evidence
                .warnings
                .push("the item as committed is not in the backlog at HEAD".to_string());
        }
        evidence.added = timeline
            .versions
            .iter()
            .find(|v| v.state.is_some())
            .and_then(|v| commit_ref(history, v.commit));
        let started_at = timeline
            .versions
            .iter()
            .find(|v| v.state.as_ref().is_some_and(|s| s.status.started()))
            .map(|v| v.commit);
        evidence.started = started_at.and_then(|n| commit_ref(history, n));

        for (spike_idx, _) in backlog.threat_spikes(idx) {
            let Some(spike) = backlog.items.get(spike_idx) else {
                continue;
            };
            let spike_key = id_key(&spike.id);
            let spike_timeline = history.timeline(&spike_key);
            let mut timelines = vec![timeline];
            timelines.extend(spike_timeline);
            let points = commits_of(&timelines);
            let linked = since_when(&points, |c| {
                let forward = timeline.at(c).is_some_and(|s| {
                    links_to(
                        &s.links,
                        &spike_key,
                        &spike.path,
                        &[LinkKind::Spike, LinkKind::Dependency, LinkKind::Body],
                    )
                });
                let reverse = spike_timeline
                    .and_then(|t| t.at(c))
                    .is_some_and(|s| links_to(&s.links, &key, &item.path, &[LinkKind::Reverse]));
                forward || reverse
            });
            let done = spike_timeline.and_then(|t| {
                let points: Vec<usize> = t.versions.iter().map(|v| v.commit).collect();
                since_when(&points, |c| {
                    t.at(c).is_some_and(|s| s.status == Status::Done)
                })
            });
            if linked.is_none() {
                evidence.warnings.push(format!(
                    "the link to {} is not committed",
                    one_line(&spike.id)
                ));
            }
            if spike.status == Status::Done && done.is_none() {
                evidence.warnings.push(format!(
                    "{} is done in the working tree, but not as committed",
                    one_line(&spike.id)
                ));
            }
            let first = timeline.versions.first().map(|v| v.commit);
            if let (Some(done), Some(started)) = (done, started_at) {
                if done == started && first == Some(started) {
                    evidence.warnings.push(format!(
                        "history starts ({}) with {} already started and {} done: their order \
                         is not on record",
                        short(history, started),
                        one_line(&item.id),
                        one_line(&spike.id)
                    ));
                } else if done == started {
                    evidence.warnings.push(format!(
                        "{} was marked done in the same commit that started {} ({})",
                        one_line(&spike.id),
                        one_line(&item.id),
                        short(history, done)
                    ));
                } else if done > started {
                    evidence.warnings.push(format!(
                        "{} started in {} before {} was done ({})",
                        one_line(&item.id),
                        short(history, started),
                        one_line(&spike.id),
                        short(history, done)
                    ));
                }
            }
            evidence.spikes.push(SpikeEvidence {
                spike: one_line(&spike.id),
                linked: linked.and_then(|n| commit_ref(history, n)),
                done: done.and_then(|n| commit_ref(history, n)),
            });
        }

        if let Some(record) = committed.and_then(|s| s.acceptance.clone()) {
            let points: Vec<usize> = timeline.versions.iter().map(|v| v.commit).collect();
            let recorded = since_when(&points, |c| {
                timeline
                    .at(c)
                    .is_some_and(|s| s.acceptance.as_ref() == Some(&record))
            });
            if let (Some(n), Some(claimed)) =
                (recorded, record.date.as_deref().and_then(parse_date))
            {
                if let Some(day) = commit_day(history, n) {
                    if claimed < day {
                        evidence.warnings.push(format!(
                            "the risk acceptance is dated {claimed}, but history first records \
                             it in {} on {day}",
                            short(history, n)
                        ));
                    } else if claimed > day {
                        evidence.warnings.push(format!(
                            "the risk acceptance is dated {claimed}, after the commit that \
                             recorded it ({} on {day})",
                            short(history, n)
                        ));
                    }
                }
            }
            evidence.acceptance = Some(AcceptanceEvidence {
                decision: one_line(&record.decision),
                by: one_line(&record.by),
                role: one_line(&record.role),
                date: record.date.as_deref().map(one_line),
                recorded: recorded.and_then(|n| commit_ref(history, n)),
            });
        } else if !item.risk.is_empty() {
            evidence
                .warnings
                .push("the risk acceptance is not committed".to_string());
        }
        out.push(evidence);
    }
    out
}

fn short(history: &History, n: usize) -> String {
    history
        .commits
        .get(n)
        .map(|c| crate::discover::history::short_id(&c.id).to_string())
        .unwrap_or_default()
}
