//! The vocabulary of backlog fields: item kinds, normalised statuses, and the field names that
//! carry each meaning (SPEC §2.2). Every table here can be extended from configuration.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// What kind of backlog item this is; decides the risk-acceptance level.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Kind {
    Epic,
    Feature,
    Story,
    Task,
    Bug,
    Spike,
    AttackerStory,
    /// A type value backlint does not know (kept as written; boxed, as every item holds a
    /// kind and few have this one).
    Other(Box<str>),
    /// No type given and none implied by the layout.
    Unspecified,
}

impl Kind {
    /// Normalises a `type:` value. Common synonyms map to the SPEC kinds.
    pub fn parse(raw: &str) -> Kind {
        let norm = normalise_word(raw);
        match norm.as_str() {
            "epic" | "initiative" | "business case" | "theme" => Kind::Epic,
            "feature" | "enhancement" | "capability" => Kind::Feature,
            "story" | "user story" | "userstory" => Kind::Story,
            "task" | "subtask" | "sub task" | "chore" | "technical debt" | "tech debt" => {
                Kind::Task
            }
            "bug" | "defect" | "bug fix" | "bugfix" | "fix" => Kind::Bug,
            "spike" | "research" | "investigation" => Kind::Spike,
            "attacker story" | "abuser story" | "abuse case" | "misuse case" | "evil story" => {
                Kind::AttackerStory
            }
            "" => Kind::Unspecified,
            _ => Kind::Other(raw.trim().into()),
        }
    }

    /// The name used in output (`story`, `attacker-story`, or the raw value).
    pub fn name(&self) -> &str {
        match self {
            Kind::Epic => "epic",
            Kind::Feature => "feature",
            Kind::Story => "story",
            Kind::Task => "task",
            Kind::Bug => "bug",
            Kind::Spike => "spike",
            Kind::AttackerStory => "attacker-story",
            Kind::Other(raw) => raw,
            Kind::Unspecified => "unspecified",
        }
    }

    /// The level of business ownership for residual risk: 1 code, 2 story, 3 epic.
    pub fn level(&self) -> Option<Level> {
        match self {
            Kind::Task | Kind::Bug | Kind::Spike => Some(Level::Code),
            Kind::Story | Kind::Feature | Kind::AttackerStory => Some(Level::Story),
            Kind::Epic => Some(Level::Epic),
            Kind::Other(_) | Kind::Unspecified => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Residual-risk ownership level (SPEC §1): who may accept an item's residual risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Task or bug: the development team.
    Code,
    /// Story or feature: the product owner.
    Story,
    /// Epic or business case: the client or business owner.
    Epic,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Code => "code-level",
            Level::Story => "story-level",
            Level::Epic => "epic-level",
        }
    }
}

/// A normalised status (SPEC §2.2). `Cancelled` is backlint's addition for items that will
/// never be worked on (won't do, superseded, rejected); they need no spike.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Status {
    Todo,
    InProgress,
    Done,
    Cancelled,
    /// A value not in the table (kept as written; `item/unknown-status`; boxed, as every
    /// item holds a status and few have this one).
    Unknown(Box<str>),
    /// No status field.
    Missing,
}

impl Status {
    pub fn name(&self) -> &str {
        match self {
            Status::Todo => "todo",
            Status::InProgress => "in-progress",
            Status::Done => "done",
            Status::Cancelled => "cancelled",
            Status::Unknown(raw) => raw,
            Status::Missing => "unknown",
        }
    }

    /// Work on the item has begun (in progress or done).
    pub fn started(&self) -> bool {
        matches!(self, Status::InProgress | Status::Done)
    }
}

/// Maps raw status values to normalised statuses; built-in table plus configured additions.
#[derive(Clone, Debug)]
pub struct StatusTable {
    map: BTreeMap<String, Status>,
}

impl Default for StatusTable {
    fn default() -> Self {
        let mut map = BTreeMap::new();
        let groups: [(&[&str], Status); 4] = [
            (
                &[
                    "to do",
                    "todo",
                    "open",
                    "backlog",
                    "new",
                    "ready",
                    "draft",
                    "pending",
                    "proposed",
                    "planned",
                    "not started",
                    "icebox",
                    "triage",
                    "blocked",
                    "on hold",
                ],
                Status::Todo,
            ),
            (
                &[
                    "in progress",
                    "doing",
                    "wip",
                    "review",
                    "in review",
                    "testing",
                    "active",
                    "started",
                    "code review",
                    "qa",
                    "in qa",
                    "in development",
                    "in dev",
                ],
                Status::InProgress,
            ),
            (
                &[
                    "done",
                    "closed",
                    "resolved",
                    "released",
                    "complete",
                    "completed",
                    "finished",
                    "merged",
                    "shipped",
                    "fixed",
                    "deployed",
                    "accepted",
                    "verified",
                ],
                Status::Done,
            ),
            (
                &[
                    "cancelled",
                    "canceled",
                    "won't do",
                    "wont do",
                    "won't fix",
                    "wontfix",
                    "wont fix",
                    "rejected",
                    "obsolete",
                    "superseded",
                    "duplicate",
                    "abandoned",
                    "dropped",
                    "declined",
                    "invalid",
                ],
                Status::Cancelled,
            ),
        ];
        for (names, status) in groups {
            for name in names {
                map.insert(normalise_word(name), status.clone());
            }
        }
        StatusTable { map }
    }
}

impl StatusTable {
    /// Adds or overrides a mapping (from configuration).
    pub fn insert(&mut self, raw: &str, status: Status) {
        self.map.insert(normalise_word(raw), status);
    }

    pub fn normalise(&self, raw: &str) -> Status {
        let norm = normalise_word(raw);
        if norm.is_empty() {
            return Status::Missing;
        }
        self.map
            .get(&norm)
            .cloned()
            .unwrap_or_else(|| Status::Unknown(raw.trim().into()))
    }
}

/// Lower-cases, strips quotes, and treats `_`, `-` and runs of spaces alike.
/// Whether a `risk_acceptance` `decision:` value records a decision (`accepted` or
/// `mitigated`, in any case or quoting).
pub fn is_risk_decision(raw: &str) -> bool {
    matches!(normalise_word(raw).as_str(), "accepted" | "mitigated")
}

pub fn normalise_word(raw: &str) -> String {
    let trimmed = raw.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if trimmed.is_ascii() {
        // The common case, without per-character Unicode case mapping.
        let mut out = String::with_capacity(trimmed.len());
        let mut space = false;
        for b in trimmed.bytes() {
            let b = match b {
                b'_' | b'-' => b' ',
                b => b.to_ascii_lowercase(),
            };
            if b.is_ascii_whitespace() {
                if !space && !out.is_empty() {
                    out.push(' ');
                }
                space = true;
            } else {
                space = false;
                out.push(b as char);
            }
        }
        while out.ends_with(' ') {
            out.pop();
        }
        return out;
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut space = false;
    for ch in trimmed.chars() {
        let ch = match ch {
            '_' | '-' => ' ',
            '\u{2019}' => '\'',
            c => c,
        };
        if ch.is_whitespace() {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
        } else {
            space = false;
            out.extend(ch.to_lowercase());
        }
    }
    out.trim_end().to_string()
}

/// Which field names carry which meaning (SPEC §2.2 defaults; remappable in config).
#[derive(Clone, Debug)]
pub struct FieldNames {
    pub id: Vec<String>,
    pub title: Vec<String>,
    pub description: Vec<String>,
    pub acceptance: Vec<String>,
    pub kind: Vec<String>,
    pub status: Vec<String>,
    pub labels: Vec<String>,
    pub sprint: Vec<String>,
    pub parent: Vec<String>,
    /// Explicit links to threat-analysis spikes: the target must be one.
    pub spikes: Vec<String>,
    /// Generic dependencies: count as spike links when the target is a spike.
    pub dependencies: Vec<String>,
    /// On a spike: the items it analyses.
    pub reverse: Vec<String>,
    pub covers: Vec<String>,
    pub triage: Vec<String>,
    pub risk: Vec<String>,
    pub veto: Vec<String>,
    pub dod: Vec<String>,
    pub suppressions: Vec<String>,
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Default for FieldNames {
    fn default() -> Self {
        FieldNames {
            id: names(&["id", "key"]),
            title: names(&["title", "summary", "name"]),
            description: names(&["description", "body", "details", "goal"]),
            acceptance: names(&["acceptance_criteria", "acceptance-criteria", "acceptance"]),
            kind: names(&["type", "kind", "issuetype"]),
            status: names(&["status", "state"]),
            labels: names(&["labels", "tags"]),
            sprint: names(&["sprint", "iteration"]),
            parent: names(&["parent", "parent_task_id", "epic", "epic_id", "story_id"]),
            spikes: names(&["spikes", "spike", "threat_analysis", "threat-analysis"]),
            dependencies: names(&["dependencies", "depends_on", "blocked_by"]),
            reverse: names(&["precedes", "analyses", "for"]),
            covers: names(&["covers"]),
            triage: names(&["triage"]),
            risk: names(&["risk_acceptance", "risk-acceptance"]),
            veto: names(&["security_veto", "security-veto"]),
            dod: names(&["definition_of_done", "definition-of-done"]),
            suppressions: names(&["backlint"]),
        }
    }
}

/// Keys that mark a YAML mapping as an item (SPEC §2.1): an id or title, and a type, status or
/// labels.
impl FieldNames {
    pub fn identifying(&self) -> impl Iterator<Item = &String> {
        self.id.iter().chain(self.title.iter())
    }

    pub fn classifying(&self) -> impl Iterator<Item = &String> {
        self.kind
            .iter()
            .chain(self.status.iter())
            .chain(self.labels.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_normalise() {
        let table = StatusTable::default();
        assert_eq!(table.normalise("To Do"), Status::Todo);
        assert_eq!(table.normalise("IN_PROGRESS"), Status::InProgress);
        assert_eq!(table.normalise("in-review"), Status::InProgress);
        assert_eq!(table.normalise("\"Done\""), Status::Done);
        assert_eq!(table.normalise("Won't Do"), Status::Cancelled);
        assert_eq!(table.normalise("Won\u{2019}t do"), Status::Cancelled);
        assert_eq!(
            table.normalise("someday"),
            Status::Unknown("someday".into())
        );
        assert_eq!(table.normalise("  "), Status::Missing);
    }

    #[test]
    fn kinds_normalise() {
        assert_eq!(Kind::parse("User Story"), Kind::Story);
        assert_eq!(Kind::parse("attacker-story"), Kind::AttackerStory);
        assert_eq!(Kind::parse("bug_fix"), Kind::Bug);
        assert_eq!(Kind::parse("guide"), Kind::Other("guide".into()));
        assert_eq!(Kind::Epic.level(), Some(Level::Epic));
        assert!(Level::Epic > Level::Story && Level::Story > Level::Code);
    }
}
