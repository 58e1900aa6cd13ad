//! Findings: what a rule reports, where, why and how to fix it, with a fingerprint that survives
//! unrelated edits (keyed by rule, item, categories and content, never by line).

#![allow(
    clippy::indexing_slicing,
    reason = "a SHA-256 digest always has 32 bytes; nibbles index a 16-entry table; `chunks_exact_mut(2)` gives pairs"
)]

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use compact_str::CompactString;
use thin_vec::ThinVec;

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
    pub message: Box<str>,
}

/// Advice many findings share that names each finding's item at one place (see
/// [`Finding::help_naming_item`]): the text is held once for all of them.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemHelp {
    text: Arc<str>,
    /// Where the item's id goes in `text` (a byte offset at a character boundary).
    at: u32,
}

impl ItemHelp {
    /// Advice that reads `before`, the item's id, then `after`.
    pub fn new(before: &str, after: &str) -> ItemHelp {
        ItemHelp {
            text: Arc::from(format!("{before}{after}")),
            at: u32::try_from(before.len()).unwrap_or(u32::MAX),
        }
    }
}

/// A finding's advice: none, its own or a shared text, or shared advice that names the item.
#[derive(Clone, Debug, PartialEq)]
enum Advice {
    None,
    Text(Arc<str>),
    NamingItem(ItemHelp),
}

/// One problem found in the backlog.
///
/// Findings are kept until the report is written (at 50,000 items, tens of thousands of
/// them), so their texts are stored without room to grow (`Box<str>`), their lists as
/// `ThinVec`s (a word each, nothing allocated when empty), and a help text that many findings
/// share (one rule's fixed advice) once (`Arc<str>`).
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    /// The item the finding is about (its id as written), if any.
    pub item: Option<Box<str>>,
    /// Index of that item in the backlog.
    pub item_index: Option<usize>,
    /// The file a repository-level finding is about when it has no span.
    pub file: Option<Box<str>>,
    /// The exact place; `None` for findings about the repository (no definition of done).
    pub span: Option<Span>,
    /// Short text shown at the span ("network input: 'webhook'").
    pub label: Box<str>,
    pub related: ThinVec<Related>,
    pub message: Box<str>,
    /// The advice (see [`Finding::help_text`]).
    help: Advice,
    pub categories: ThinVec<String>,
    /// What the finding is about, for the fingerprint (not its position); emptied by
    /// [`Finding::seal`], which is its only reader.
    pub content: CompactString,
    pub fingerprint: Fingerprint,
    /// Item-level findings this one stands for (items that copy a team-level setting whose
    /// one fix settles them all).
    pub folded: usize,
}

impl Finding {
    /// A finding at `span`; set the rest with the builder methods.
    pub fn new(rule: RuleId, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity,
            item: None,
            item_index: None,
            file: None,
            span: None,
            label: Box::default(),
            related: ThinVec::new(),
            message: message.into().into_boxed_str(),
            help: Advice::None,
            categories: ThinVec::new(),
            content: CompactString::default(),
            fingerprint: Fingerprint::default(),
            folded: 0,
        }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = label.into().into_boxed_str();
        self
    }

    pub fn item(mut self, index: usize, id: &str) -> Self {
        self.item_index = Some(index);
        self.item = Some(id.into());
        self
    }

    pub fn file(mut self, path: impl Into<String>) -> Self {
        self.file = Some(path.into().into_boxed_str());
        self
    }

    /// The advice; a rule that gives many findings the same advice passes one `Arc<str>`.
    pub fn help(mut self, help: impl Into<Arc<str>>) -> Self {
        self.help = Advice::Text(help.into());
        self
    }

    /// Advice that names the finding's item (set with [`Finding::item`]): a rule with many
    /// findings words it once, and each finding holds it rather than its own copy (at 50,000
    /// items, some 5 MB).
    pub fn help_naming_item(mut self, help: &ItemHelp) -> Self {
        self.help = Advice::NamingItem(help.clone());
        self
    }

    /// The advice, with the item named where its rule asked for that.
    pub fn help_text(&self) -> Cow<'_, str> {
        let help = match &self.help {
            Advice::None => return Cow::Borrowed(""),
            Advice::Text(text) => return Cow::Borrowed(text),
            Advice::NamingItem(help) => help,
        };
        let item = crate::source::one_line(self.item.as_deref().unwrap_or_default());
        let (before, after) = help
            .text
            .split_at_checked(help.at as usize)
            .unwrap_or((&help.text, ""));
        Cow::Owned(format!("{before}{item}{after}"))
    }

    pub fn categories(mut self, categories: Vec<String>) -> Self {
        self.categories = categories.into();
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        // One place more: most findings have one or two (a first push makes room for four).
        self.related.reserve_exact(1);
        self.related.push(Related {
            span,
            message: message.into().into_boxed_str(),
        });
        self
    }

    /// What distinguishes this finding from others of the same rule on the same item.
    pub fn content(mut self, content: impl AsRef<str>) -> Self {
        self.content = CompactString::new(content.as_ref());
        self
    }

    /// Computes the fingerprint from rule, item (or file), categories and content, and drops
    /// the content (findings are held until the report is written).
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
        hasher.update(std::mem::take(&mut self.content).as_bytes());
        let digest = hasher.finalize();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 32];
        for (pair, b) in hex.chunks_exact_mut(2).zip(&digest[..16]) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 0xf)];
        }
        self.fingerprint = Fingerprint(hex);
    }
}

/// A finding's fingerprint: 32 lower-case hex digits held in place (a finding has one, and a
/// run holds tens of thousands of findings); empty until [`Finding::seal`].
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    pub fn as_str(&self) -> &str {
        // Only `seal` writes it, with ASCII digits; never sealed, it is all zero bytes.
        match self.0 {
            [0, ..] => "",
            _ => std::str::from_utf8(&self.0).unwrap_or_default(),
        }
    }
}

impl std::ops::Deref for Fingerprint {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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
        assert_eq!(f.fingerprint.as_str(), "", "not sealed yet");
        f.seal("a.md");
        f.fingerprint.to_string()
    }

    #[test]
    fn shared_advice_names_each_findings_item() {
        let help = ItemHelp::new("link a spike to ", ", then run `backlint check`");
        let finding = |idx, id| {
            Finding::new(RuleId::MissingSpike, Severity::Error, "m")
                .item(idx, id)
                .help_naming_item(&help)
        };
        let (a, b) = (finding(0, "STORY-1"), finding(1, "STORY\n\u{1b}[2J2"));
        assert_eq!(
            a.help_text(),
            "link a spike to STORY-1, then run `backlint check`"
        );
        assert_eq!(
            b.help_text(),
            format!(
                "link a spike to {}, then run `backlint check`",
                crate::source::one_line("STORY\n\u{1b}[2J2")
            )
        );
        // One text for both findings.
        let shared = |f: &Finding| match &f.help {
            Advice::NamingItem(help) => Arc::clone(&help.text),
            other => panic!("{other:?}"),
        };
        assert!(Arc::ptr_eq(&shared(&a), &shared(&b)));
        // Advice of its own replaces it.
        assert_eq!(a.help("fix it").help_text(), "fix it");
    }

    #[test]
    fn fingerprints_depend_on_identity_not_position() {
        let a = sealed(RuleId::MissingSpike, "STORY-1", &["logging"], "");
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{a}"
        );
        // What the content says counts; sealing uses it up.
        assert_ne!(
            a,
            sealed(RuleId::MissingSpike, "STORY-1", &["logging"], "x")
        );
        assert_eq!(
            a,
            sealed(RuleId::MissingSpike, "story-01", &["logging"], "")
        );
        assert_ne!(a, sealed(RuleId::MissingSpike, "STORY-2", &["logging"], ""));
        assert_ne!(a, sealed(RuleId::MissingSpike, "STORY-1", &["storage"], ""));
        assert_ne!(a, sealed(RuleId::DanglingLink, "STORY-1", &["logging"], ""));
    }
}
