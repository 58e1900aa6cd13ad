//! One item as one commit left it — only what history questions need — and the backlog at one
//! commit, where links resolve as they did then.

#![allow(
    clippy::indexing_slicing,
    reason = "indices come from the maps built over the same vector in this module"
)]

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{Item, Kind, LinkKind, LinkTarget, Status, id_key, is_threat_analysis_spike};
use crate::source::LineIndex;
use crate::triage::Checklist;

use super::{History, Timeline};

/// A link as written: to an id (normalised) or to a repository path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkRef {
    pub kind: LinkKind,
    pub key: Option<String>,
    pub path: Option<String>,
}

/// A `risk_acceptance` record as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptanceState {
    pub decision: String,
    pub by: String,
    pub role: String,
    pub date: Option<String>,
}

impl AcceptanceState {
    /// `decision: accepted` or `mitigated`.
    pub fn decided(&self) -> bool {
        crate::model::vocab::is_risk_decision(&self.decision)
    }
}

/// One item at one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemState {
    pub id: String,
    /// The normalised id.
    pub key: String,
    pub path: String,
    pub title: String,
    pub kind: Kind,
    pub status: Status,
    /// The status as written (the value-stream stage), else the normalised name.
    pub stage: String,
    pub threat_spike: bool,
    pub archived: bool,
    /// Checklist categories triggered (strong tier or confirmed), by id.
    pub triggered: Vec<String>,
    pub links: Vec<LinkRef>,
    pub acceptance: Option<AcceptanceState>,
    /// A `security_veto` that is not lifted.
    pub veto_open: bool,
}

impl ItemState {
    pub fn of(item: &Item, index: &LineIndex<'_>, checklist: &Checklist) -> ItemState {
        let threat_spike = is_threat_analysis_spike(item);
        let triggered = if threat_spike {
            Vec::new()
        } else {
            let categories = checklist.categories();
            checklist
                .classify(item, index)
                .categories
                .iter()
                .filter_map(|m| categories.get(m.category).map(|c| c.id.clone()))
                .collect()
        };
        let stage = item
            .status_at
            .and_then(|span| index.text().get(span.range()))
            .map(|raw| raw.trim().trim_matches(['"', '\'']).trim().to_string())
            .filter(|raw| !raw.is_empty())
            .unwrap_or_else(|| item.status.name().to_string());
        let links = item
            .links
            .iter()
            .chain(item.parent.as_deref())
            .map(|link| match &link.target {
                LinkTarget::Id(id) => LinkRef {
                    kind: link.kind,
                    key: Some(id_key(id)),
                    path: None,
                },
                LinkTarget::Path { path, fragment } => LinkRef {
                    kind: link.kind,
                    key: fragment.as_deref().map(id_key),
                    path: Some(path.clone()),
                },
                LinkTarget::OutsideRepository(_) => LinkRef {
                    kind: link.kind,
                    key: None,
                    path: None,
                },
            })
            .collect();
        let value = |v: &Option<crate::model::Spanned<String>>| {
            v.as_ref()
                .map(|s| s.value.trim().to_string())
                .unwrap_or_default()
        };
        let acceptance = item.risk.first().map(|r| AcceptanceState {
            decision: value(&r.decision),
            by: value(&r.by),
            role: value(&r.role),
            date: r.date.as_ref().map(|d| d.value.trim().to_string()),
        });
        ItemState {
            id: item.id.clone(),
            key: id_key(&item.id),
            path: item.path.to_string(),
            title: item.title.clone(),
            kind: item.kind.clone(),
            status: item.status.clone(),
            stage,
            threat_spike,
            archived: item.archived,
            triggered,
            links,
            acceptance,
            veto_open: item.veto.as_ref().is_some_and(|v| !v.lifted),
        }
    }

    /// Whether the item is a spike of any kind (spikes are not subjects of the checklist).
    pub fn is_spike(&self) -> bool {
        self.kind == Kind::Spike || self.threat_spike
    }
}

/// The backlog as it stood just after one commit.
#[derive(Debug)]
pub struct BacklogAt<'h> {
    pub items: Vec<&'h Arc<ItemState>>,
    by_key: HashMap<&'h str, usize>,
    by_path: HashMap<&'h str, usize>,
    /// Per item: threat spikes naming it in a reverse link.
    reverse: HashMap<&'h str, Vec<usize>>,
}

/// The backlog just after commit `commit` (an index into the history's commits).
pub fn at_time(history: &History, commit: usize) -> BacklogAt<'_> {
    let items: Vec<&Arc<ItemState>> = history
        .timelines
        .iter()
        .filter_map(|t: &Timeline| t.at(commit))
        .collect();
    let mut at = BacklogAt {
        by_key: HashMap::with_capacity(items.len()),
        by_path: HashMap::with_capacity(items.len()),
        reverse: HashMap::new(),
        items,
    };
    for (n, state) in at.items.iter().enumerate() {
        at.by_key.entry(state.key.as_str()).or_insert(n);
        at.by_path.entry(state.path.as_str()).or_insert(n);
    }
    for (n, state) in at.items.iter().enumerate() {
        if !state.threat_spike {
            continue;
        }
        for link in state.links.iter().filter(|l| l.kind == LinkKind::Reverse) {
            if let Some(target) = at.resolve(link) {
                let key = at.items[target].key.as_str();
                at.reverse.entry(key).or_default().push(n);
            }
        }
    }
    at
}

impl<'h> BacklogAt<'h> {
    /// The item a link leads to, if it resolved then.
    pub fn resolve(&self, link: &LinkRef) -> Option<usize> {
        if let Some(path) = &link.path {
            if let Some(n) = self.by_path.get(path.as_str()) {
                return Some(*n);
            }
        }
        link.key
            .as_deref()
            .and_then(|k| self.by_key.get(k).copied())
    }

    /// The item with this normalised id.
    pub fn get(&self, key: &str) -> Option<&'h ItemState> {
        self.by_key.get(key).map(|n| self.items[*n].as_ref())
    }

    /// The threat-analysis spikes linked to `state`, in either direction.
    pub fn spikes_of(&self, state: &ItemState) -> Vec<&'h ItemState> {
        let mut out: Vec<&'h ItemState> = Vec::new();
        for link in &state.links {
            if matches!(link.kind, LinkKind::Reverse | LinkKind::Parent) {
                continue;
            }
            if let Some(n) = self.resolve(link) {
                let target = self.items[n].as_ref();
                if target.threat_spike
                    && target.key != state.key
                    && !out.iter().any(|s| s.key == target.key)
                {
                    out.push(target);
                }
            }
        }
        for n in self.reverse.get(state.key.as_str()).into_iter().flatten() {
            let spike = self.items[*n].as_ref();
            if spike.key != state.key && !out.iter().any(|s| s.key == spike.key) {
                out.push(spike);
            }
        }
        out
    }
}
