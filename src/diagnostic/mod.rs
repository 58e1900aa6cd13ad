//! Findings: what a rule reports, where, why and how to fix it, with a fingerprint that survives
//! unrelated edits (keyed by rule, item, categories and content, never by line).

#![allow(
    clippy::indexing_slicing,
    reason = "a SHA-256 digest always has 32 bytes; nibbles index a 16-entry table"
)]

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::source::Span;

pub mod rule_id;
pub use rule_id::RuleId;

/// How bad a finding is. `Error` fails the run (exit 1); `Warning` does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A secondary place a finding points at ("first defined here").
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One problem found in the backlog.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    /// The item the finding is about (its id as written), if any.
    pub item: Option<String>,
    /// Index of that item in the backlog.
    pub item_index: Option<usize>,
    /// The file a repository-level finding is about when it has no span.
    pub file: Option<String>,
    /// The exact place; `None` for findings about the repository (no definition of done).
    pub span: Option<Span>,
    /// Short text shown at the span ("network input: 'webhook'").
    pub label: String,
    pub related: Vec<Related>,
    pub message: String,
    pub help: String,
    pub categories: Vec<String>,
    /// What the finding is about, for the fingerprint (not its position).
    pub content: String,
    pub fingerprint: String,
    /// Item-level findings this one stands for (items that copy a team-level setting whose
    /// one fix settles them all).
    pub folded: usize,
}

impl Finding {
    /// A finding at `span`; set the rest with the builder methods.
    ///
    /// Findings are kept until the report is written (at 50,000 items, tens of thousands of
    /// them), so their texts are stored without the room `format!` leaves to grow in.
    pub fn new(rule: RuleId, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity,
            item: None,
            item_index: None,
            file: None,
            span: None,
            label: String::new(),
            related: Vec::new(),
            message: exact(message.into()),
            help: String::new(),
            categories: Vec::new(),
            content: String::new(),
            fingerprint: String::new(),
            folded: 0,
        }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = exact(label.into());
        self
    }

    pub fn item(mut self, index: usize, id: &str) -> Self {
        self.item_index = Some(index);
        self.item = Some(id.to_string());
        self
    }

    pub fn file(mut self, path: impl Into<String>) -> Self {
        self.file = Some(path.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = exact(help.into());
        self
    }

    pub fn categories(mut self, categories: Vec<String>) -> Self {
        self.categories = categories;
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        // One place more: most findings have one or two (a first push makes room for four).
        self.related.reserve_exact(1);
        self.related.push(Related {
            span,
            message: exact(message.into()),
        });
        self
    }

    /// What distinguishes this finding from others of the same rule on the same item.
    pub fn content(mut self, content: impl Into<String>) -> Self {
        self.content = content.into();
        self
    }

    /// Computes the fingerprint from rule, item (or file), categories and content.
    pub fn seal(&mut self, path: &str) {
        let mut hasher = Sha256::new();
        hasher.update(self.rule.as_str().as_bytes());
        hasher.update([0]);
        match &self.item {
            Some(id) => hasher.update(crate::model::id_key(id).as_bytes()),
            None => hasher.update(path.as_bytes()),
        }
        hasher.update([0]);
        for (n, category) in self.categories.iter().enumerate() {
            if n > 0 {
                hasher.update(b",");
            }
            hasher.update(category.as_bytes());
        }
        hasher.update([0]);
        hasher.update(self.content.as_bytes());
        let digest = hasher.finalize();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(32);
        for b in &digest[..16] {
            hex.push(char::from(HEX[usize::from(b >> 4)]));
            hex.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        self.fingerprint = hex;
    }
}

/// `text` without spare capacity.
fn exact(mut text: String) -> String {
    text.shrink_to_fit();
    text
}

/// Counts for the summary line and the JSON `summary`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub items: usize,
    pub triggered: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn count(&mut self, findings: &[Finding]) {
        self.errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        self.warnings = findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(rule: RuleId, item: &str, cats: &[&str], content: &str) -> String {
        let mut f = Finding::new(rule, Severity::Error, "m")
            .item(0, item)
            .categories(cats.iter().map(|c| c.to_string()).collect())
            .content(content);
        f.seal("a.md");
        f.fingerprint
    }

    #[test]
    fn fingerprints_depend_on_identity_not_position() {
        let a = sealed(RuleId::MissingSpike, "STORY-1", &["logging"], "");
        assert_eq!(a.len(), 32);
        assert_eq!(
            a,
            sealed(RuleId::MissingSpike, "story-01", &["logging"], "")
        );
        assert_ne!(a, sealed(RuleId::MissingSpike, "STORY-2", &["logging"], ""));
        assert_ne!(a, sealed(RuleId::MissingSpike, "STORY-1", &["storage"], ""));
        assert_ne!(a, sealed(RuleId::DanglingLink, "STORY-1", &["logging"], ""));
    }
}
