//! Span-keeping YAML: parses with serde-saphyr into a small value tree whose every node knows
//! its byte range in the file.
//!
//! serde-saphyr (maintained, `#![forbid(unsafe_code)]`) reports byte spans for keys and values
//! and enforces a parsing budget: nesting depth, node count and alias expansion are bounded, so
//! an alias bomb or a 10,000-level document fails with an error instead of exhausting memory or
//! the stack. Booleans are strict (`yes`/`no` stay strings) and numbers with a leading zero
//! (`017`) stay strings, so ids and titles keep their text.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, Spanned};

/// A YAML value with its byte range in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlNode {
    pub value: YamlValue,
    /// Byte range in the file; for a mapping or sequence only its first token.
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum YamlValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<YamlNode>),
    Map(Vec<(YamlNode, YamlNode)>),
}

/// A YAML syntax or budget error at a byte offset of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    /// Byte offset in the file, when the parser knows it.
    pub offset: Option<usize>,
    /// 1-based line and column relative to the parsed text, when the parser knows them.
    pub line: u32,
    pub column: u32,
}

impl YamlNode {
    /// The string form of a scalar: strings as they are, numbers and booleans printed.
    pub fn as_scalar_string(&self) -> Option<String> {
        match &self.value {
            YamlValue::Str(s) => Some(s.clone()),
            YamlValue::Int(i) => Some(i.to_string()),
            YamlValue::Float(f) => Some(f.to_string()),
            YamlValue::Bool(b) => Some(b.to_string()),
            YamlValue::Null | YamlValue::Seq(_) | YamlValue::Map(_) => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            YamlValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(YamlNode, YamlNode)]> {
        match &self.value {
            YamlValue::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[YamlNode]> {
        match &self.value {
            YamlValue::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, YamlValue::Null)
    }

    /// The entry of a mapping whose key is the string `key` (exact match).
    pub fn entry(&self, key: &str) -> Option<(&YamlNode, &YamlNode)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    pub fn get(&self, key: &str) -> Option<&YamlNode> {
        self.entry(key).map(|(_, v)| v)
    }
}

/// Whether two nodes hold the same value (spans ignored).
pub fn same_value(a: &YamlNode, b: &YamlNode) -> bool {
    match (&a.value, &b.value) {
        (YamlValue::Seq(x), YamlValue::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (YamlValue::Map(x), YamlValue::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| same_value(k1, k2) && same_value(v1, v2))
        }
        (x, y) => x == y,
    }
}

/// Parses `text` (which starts at byte `base` of the file) into a node tree.
/// Empty or comment-only text is `Null`. Common front matter takes a direct path
/// ([`super::simple_yaml`]); everything else goes through serde-saphyr.
pub fn parse(text: &str, base: usize) -> Result<YamlNode, YamlError> {
    if let Some(node) = super::simple_yaml::parse(text, base) {
        return Ok(node);
    }
    parse_general(text, base)
}

/// Parses with serde-saphyr only.
pub fn parse_general(text: &str, base: usize) -> Result<YamlNode, YamlError> {
    if is_blank_yaml(text) {
        return Ok(YamlNode {
            value: YamlValue::Null,
            span: base..base,
        });
    }
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        with_snippet: false,
        budget: Some(budget(text.len())),
    };
    match serde_saphyr::from_str_with_options::<Spanned<RawNode>>(text, options) {
        Ok(root) => Ok(convert(root, base)),
        Err(err) => Err(to_error(&err, text, base)),
    }
}

/// Deepest nesting accepted. Real front matter nests 3 or 4 levels; each level costs stack in
/// the recursive deserializer, so the bound also keeps parsing safe on small thread stacks.
pub const MAX_DEPTH: usize = 24;
/// Most nodes one document may have (alias expansions count as nodes): 200,000, or one per
/// 4 bytes of a larger file — so a big, plain list of items parses while an alias bomb stays
/// bounded by its file's size.
const MAX_NODES: usize = 200_000;
const MAX_ALIASES: usize = 1_000;

/// Limits for untrusted item files: far above any real backlog, far below harm.
fn budget(text_len: usize) -> Budget {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_nodes = MAX_NODES.max(text_len / 4);
    budget.max_aliases = MAX_ALIASES;
    budget.max_anchors = 10_000;
    budget.max_events = 1_000_000usize.max(text_len);
    budget.max_documents = 4;
    budget
}

fn is_blank_yaml(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#')
    })
}

fn to_error(err: &serde_saphyr::Error, text: &str, base: usize) -> YamlError {
    let plain = err.without_snippet().to_string();
    let message = tidy_message(&plain);
    let location = err.location();
    let (line, column, offset) = match location {
        Some(loc) if loc.line() > 0 => {
            let offset = loc.span().byte_offset().map(|o| base + o as usize);
            (loc.line() as u32, loc.column().max(1) as u32, offset)
        }
        _ => (1, 1, None),
    };
    let offset = offset.or_else(|| Some(base + offset_of_line_column(text, line, column)));
    YamlError {
        message,
        offset,
        line,
        column,
    }
}

/// Drops the parser's "line X column Y:" prefix and words budget breaches for a user.
fn tidy_message(plain: &str) -> String {
    let first = plain.lines().next().unwrap_or(plain).trim();
    let mut message = first;
    if let Some(rest) = first.strip_prefix("error: ") {
        message = rest;
    }
    if message.starts_with("line ") {
        if let Some(idx) = message.find(": ") {
            message = &message[idx + 2..];
        }
    }
    // The position is reported separately (and relative to the whole file).
    if let Some(idx) = message.rfind(" at line ") {
        if message[idx..].contains(", column ") {
            message = &message[..idx];
        }
    }
    if message.contains("recursion limit") || message.contains("budget breached: Depth") {
        return format!("the YAML is nested more than {MAX_DEPTH} levels deep");
    }
    if let Some(rest) = message.strip_prefix("budget breached: ") {
        let what = rest.split(" at line").next().unwrap_or(rest);
        return format!(
            "the YAML exceeds backlint's safety limits: {}",
            describe_breach(what)
        );
    }
    message.to_string()
}

/// serde-saphyr's budget breach (`Nodes { nodes: 200001 }`) in words.
fn describe_breach(what: &str) -> String {
    let name = what.split([' ', '{']).next().unwrap_or(what);
    let count: String = what.chars().filter(char::is_ascii_digit).collect();
    let limit = match name {
        "Nodes" => "more nodes than allowed (200,000, or one per 4 bytes of a larger file: an \
                    alias bomb, or a document too large to be an item)"
            .to_string(),
        "Aliases" => format!("more than {MAX_ALIASES} aliases"),
        "AliasExpansions" | "AliasExpansion" => "aliases that expand too far".to_string(),
        "Depth" => "nesting too deep".to_string(),
        _ => return format!("{what} (too many nodes, aliases or alias expansions)"),
    };
    if count.is_empty() {
        limit
    } else {
        format!("{limit}; stopped at {count}")
    }
}

fn offset_of_line_column(text: &str, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (n, l) in text.split_inclusive('\n').enumerate() {
        if n + 1 == line as usize {
            let mut col_offset = 0;
            for (i, (idx, _)) in l.char_indices().enumerate() {
                col_offset = idx;
                if i + 1 >= column as usize {
                    break;
                }
            }
            return offset + col_offset;
        }
        offset += l.len();
    }
    text.len()
}

fn convert(node: Spanned<RawNode>, base: usize) -> YamlNode {
    let span = node.referenced.span();
    let start = span.byte_offset().map_or(base, |o| base + o as usize);
    let len = span.byte_len().unwrap_or(0) as usize;
    let value = match node.value {
        RawNode::Null => YamlValue::Null,
        RawNode::Bool(b) => YamlValue::Bool(b),
        RawNode::Int(i) => YamlValue::Int(i),
        RawNode::Float(f) => YamlValue::Float(f),
        RawNode::Str(s) => YamlValue::Str(s),
        RawNode::Seq(items) => {
            YamlValue::Seq(items.into_iter().map(|n| convert(n, base)).collect())
        }
        RawNode::Map(entries) => YamlValue::Map(
            entries
                .into_iter()
                .map(|(k, v)| (convert(k, base), convert(v, base)))
                .collect(),
        ),
    };
    YamlNode {
        value,
        span: start..start + len,
    }
}

/// The tree as serde-saphyr hands it over; converted to [`YamlNode`] right away.
enum RawNode {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<RawNode>, Spanned<RawNode>)>),
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawNodeVisitor)
    }
}

struct RawNodeVisitor;

impl<'de> Visitor<'de> for RawNodeVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }

    fn visit_none<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawNode, D::Error> {
        RawNode::deserialize(d)
    }

    fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
        Ok(RawNode::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
        Ok(RawNode::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<RawNode, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => RawNode::Int(i),
            Err(_) => RawNode::Str(v.to_string()),
        })
    }

    fn visit_i128<E>(self, v: i128) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_string()))
    }

    fn visit_u128<E>(self, v: u128) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
        Ok(RawNode::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
        Ok(RawNode::Str(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<RawNode, E> {
        Ok(RawNode::Str(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = access.next_element::<Spanned<RawNode>>()? {
            items.push(item);
        }
        Ok(RawNode::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<RawNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = access.next_entry::<Spanned<RawNode>, Spanned<RawNode>>()? {
            entries.push(entry);
        }
        Ok(RawNode::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> YamlNode {
        match parse(text, 0) {
            Ok(node) => node,
            Err(err) => panic!("{text:?} failed: {err:?}"),
        }
    }

    #[test]
    fn scalars_keep_text_and_spans() {
        let text = "id: 017\nok: yes\ntitle: \"Hello\"\nn: 3\nb: true\n";
        let root = ok(text);
        assert_eq!(root.get("id").and_then(|n| n.as_str()), Some("017"));
        assert_eq!(root.get("ok").and_then(|n| n.as_str()), Some("yes"));
        assert_eq!(root.get("n").map(|n| &n.value), Some(&YamlValue::Int(3)));
        assert_eq!(
            root.get("b").map(|n| &n.value),
            Some(&YamlValue::Bool(true))
        );
        let title = root
            .get("title")
            .map(|n| n.span.clone())
            .unwrap_or_default();
        assert_eq!(&text[title], "\"Hello\"");
    }

    #[test]
    fn base_offset_is_added() {
        let root = match parse("id: A\n", 4) {
            Ok(node) => node,
            Err(err) => panic!("{err:?}"),
        };
        let (key, value) = root
            .entry("id")
            .map(|(k, v)| (k.clone(), v.clone()))
            .unzip();
        assert_eq!(key.map(|k| k.span), Some(4..6));
        assert_eq!(value.map(|v| v.span), Some(8..9));
    }

    #[test]
    fn errors_have_positions() {
        let err = parse("id: X\nassignee: @me\n", 10).err();
        let err = err.unwrap_or_else(|| panic!("expected an error"));
        assert_eq!((err.line, err.column), (2, 11));
        assert_eq!(err.offset, Some(10 + 16));
        assert!(err.message.contains('@'), "{}", err.message);
    }

    #[test]
    fn alias_bomb_and_deep_nesting_fail_cleanly() {
        let mut bomb =
            String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
        for i in 1..10u8 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            let refs = vec![format!("*{prev}"); 9].join(",");
            bomb.push_str(&format!("{cur}: &{cur} [{refs}]\n"));
        }
        assert!(parse(&bomb, 0).is_err());
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&deep, 0).is_err());
        let mut block = String::new();
        for i in 0..5_000 {
            block.push_str(&"  ".repeat(i));
            block.push_str("a:\n");
        }
        assert!(parse(&block, 0).is_err());
    }

    #[test]
    fn blank_is_null() {
        assert!(ok("").is_null());
        assert!(ok("# just a comment\n\n").is_null());
    }
}
