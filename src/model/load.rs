//! Turns one file's text into items (or a Backlog.md configuration), with spans. Malformed
//! input that looks like an item becomes a [`ParseFailure`]; anything else that is not an
//! item is skipped silently.

use std::ops::Range;

use crate::parse::frontmatter::{self, Split};
use crate::parse::markdown::{self, MarkdownBody};
use crate::parse::yaml::{self, YamlError, YamlNode, YamlValue};
use crate::source::{LineIndex, Span};

use super::item::{
    DodEntry, Item, Link, LinkKind, LinkTarget, RiskAcceptance, Spanned, Sprint, Suppression,
    TextRegion, TextRole, TriageOverride, Veto,
};
use super::layout::{Collection, ItemPlace, collection_of};
use super::paths;
use super::vocab::{FieldNames, Kind, Status, StatusTable};

/// What loading needs to know beyond the file itself.
#[derive(Debug, Clone, Copy)]
pub struct LoadContext<'a> {
    pub fields: &'a FieldNames,
    pub statuses: &'a StatusTable,
    /// Item files larger than this are reported instead of parsed.
    pub max_item_file_bytes: usize,
    /// Other fields to keep (lower-case names) because a detector looks at their values.
    pub detector_fields: &'a [String],
}

/// Malformed input, reported as `item/parse-error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFailure {
    pub span: Span,
    pub message: String,
}

/// A Backlog.md `config.yml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BacklogMdConfig {
    pub root: String,
    pub task_prefix: Option<String>,
    /// `definition_of_done:` entries; `None` when the key is absent.
    pub definition_of_done: Option<Vec<DodEntry>>,
    pub dod_at: Option<Span>,
}

/// Everything one file contributed.
#[derive(Clone, Debug, Default)]
pub struct LoadedFile {
    pub items: Vec<Item>,
    pub failures: Vec<ParseFailure>,
    pub backlog_md_config: Option<BacklogMdConfig>,
    pub team_dod: Option<super::dod::TeamDod>,
}

/// Loads a Markdown file that may carry an item in its front matter.
pub fn load_markdown(
    index: &LineIndex<'_>,
    path: &str,
    place: &ItemPlace,
    cx: LoadContext<'_>,
) -> LoadedFile {
    let mut out = LoadedFile::default();
    let text = index.text();
    let split = frontmatter::split(text);
    let yaml_range = match &split {
        Split::None => return out,
        Split::Found(fm) => fm.yaml.clone(),
        Split::Unterminated { yaml } => yaml.clone(),
    };
    let raw_front = &text[yaml_range.clone()];
    let expected_item = place.backlog_md_root.is_some() || looks_like_item(raw_front, cx.fields);
    if text.len() > cx.max_item_file_bytes {
        if expected_item {
            out.failures
                .push(too_large(index, text.len(), cx.max_item_file_bytes));
        }
        return out;
    }
    let fm = match split {
        Split::Found(fm) => fm,
        Split::Unterminated { .. } => {
            if expected_item {
                out.failures.push(ParseFailure {
                    span: index.span(0..first_line_len(text)),
                    message: "front matter is not closed: no `---` line ends the block that \
                              starts on line 1"
                        .to_string(),
                });
            }
            return out;
        }
        Split::None => return out,
    };
    let root = match yaml::parse(raw_front, fm.yaml.start) {
        Ok(root) => root,
        Err(err) => {
            if !expected_item {
                return out;
            }
            out.failures.push(yaml_failure(index, &err, fm.yaml.start));
            // Still check the item, with the offending lines left out.
            match recover(raw_front, fm.yaml.start, &err) {
                Some(root) => root,
                None => return out,
            }
        }
    };
    if !is_item_mapping(&root, cx.fields) {
        if expected_item && !root.is_null() && root.as_map().is_none() {
            out.failures.push(ParseFailure {
                span: index.span(root.span.clone()),
                message: "front matter is not a mapping of fields".to_string(),
            });
        }
        return out;
    }
    let body = markdown::parse(text, fm.body.clone());
    let builder = ItemBuilder {
        index,
        path,
        place,
        cx,
    };
    out.items
        .push(builder.build(&root, Some(&body), &Collection::default(), file_stem(path)));
    out
}

/// Loads a YAML file: a mapping that is an item, a sequence of items, or a mapping whose
/// sequences (`items:`, `tasks:`, `epics:`…) hold items.
pub fn load_yaml(
    index: &LineIndex<'_>,
    path: &str,
    place: &ItemPlace,
    cx: LoadContext<'_>,
) -> LoadedFile {
    let mut out = LoadedFile::default();
    let text = index.text();
    if !looks_like_item(text, cx.fields) {
        return out;
    }
    if text.len() > cx.max_item_file_bytes {
        out.failures
            .push(too_large(index, text.len(), cx.max_item_file_bytes));
        return out;
    }
    let body_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let root = match yaml::parse(&text[body_start..], body_start) {
        Ok(root) => root,
        Err(err) => {
            out.failures.push(yaml_failure(index, &err, body_start));
            match recover(&text[body_start..], body_start, &err) {
                Some(root) => root,
                None => return out,
            }
        }
    };
    out.team_dod = super::dod::from_backlog_file(&root, index, path);
    let builder = ItemBuilder {
        index,
        path,
        place,
        cx,
    };
    let stem = file_stem(path);
    let mut candidates: Vec<(&YamlNode, Collection)> = Vec::new();
    collect_yaml_items(&root, cx.fields, &Collection::default(), 0, &mut candidates);
    let many = candidates.len() > 1;
    for (n, (node, collection)) in candidates.into_iter().enumerate() {
        let derived = if many {
            format!("{stem}#{}", n + 1)
        } else {
            stem.to_string()
        };
        out.items
            .push(builder.build(node, None, &collection, &derived));
    }
    out
}

fn collect_yaml_items<'n>(
    node: &'n YamlNode,
    fields: &FieldNames,
    collection: &Collection,
    depth: usize,
    out: &mut Vec<(&'n YamlNode, Collection)>,
) {
    if depth > 2 {
        return;
    }
    match &node.value {
        YamlValue::Map(entries) => {
            if is_item_mapping(node, fields) {
                out.push((node, collection.clone()));
                return;
            }
            for (key, value) in entries {
                if matches!(value.value, YamlValue::Seq(_) | YamlValue::Map(_)) {
                    let inner = key.as_str().map(collection_of).unwrap_or_default();
                    collect_yaml_items(value, fields, &inner, depth + 1, out);
                }
            }
        }
        YamlValue::Seq(items) => {
            for item in items {
                let named = collection.holds_items && has_identity(item, fields);
                if named || is_item_mapping(item, fields) {
                    out.push((item, collection.clone()));
                }
            }
        }
        _ => {}
    }
}

/// A mapping with an id or a title (enough for an entry of a list named for items).
fn has_identity(node: &YamlNode, fields: &FieldNames) -> bool {
    node.as_map().is_some_and(|entries| {
        entries.iter().any(|(k, v)| {
            k.as_str()
                .is_some_and(|k| fields.identifying().any(|f| f == k))
                && !v.is_null()
        })
    })
}

/// Loads a Markdown backlog with one item per heading of `level` (`markdown_sections`): a
/// heading whose text starts with an id (`## STORY-12 Title` or `## [STORY-12] Title`) is an
/// item, the `Key: value` lines right under it are its fields, and the rest of its section (to
/// the next heading of the same or a higher level) is its description.
pub fn load_markdown_sections(
    index: &LineIndex<'_>,
    path: &str,
    level: u8,
    place: &ItemPlace,
    cx: LoadContext<'_>,
) -> LoadedFile {
    let mut out = LoadedFile::default();
    let text = index.text();
    if text.len() > cx.max_item_file_bytes {
        out.failures
            .push(too_large(index, text.len(), cx.max_item_file_bytes));
        return out;
    }
    let body_start = match frontmatter::split(text) {
        Split::Found(fm) => fm.body.start,
        _ => 0,
    };
    let body = markdown::parse(text, body_start..text.len());
    let headings = &body.headings;
    for (n, heading) in headings.iter().enumerate() {
        if heading.level != level {
            continue;
        }
        let Some((id, title)) = section_id(&heading.text) else {
            continue;
        };
        let end = headings[n + 1..]
            .iter()
            .find(|h| h.level <= level)
            .map_or(text.len(), |h| h.range.start);
        let heading_line = &text[heading.range.clone()];
        let id_offset = heading.range.start + heading_line.find(id.as_str()).unwrap_or(0);
        let title_offset = heading.range.start + heading_line.find(title.as_str()).unwrap_or(0);
        let mut entries = vec![
            (
                scalar_node("id", id_offset, id_offset),
                scalar_node(&id, id_offset, id_offset + id.len()),
            ),
            (
                scalar_node("title", title_offset, title_offset),
                scalar_node(&title, title_offset, title_offset + title.len()),
            ),
        ];
        // `Key: value` lines right under the heading.
        let mut cursor = heading.range.end;
        let mut fields_end = cursor;
        for line in text[heading.range.end..end].split_inclusive('\n') {
            let line_start = cursor;
            cursor += line.len();
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                if entries.len() > 2 {
                    break;
                }
                fields_end = cursor;
                continue;
            }
            let Some((key, value)) = trimmed.split_once(':') else {
                break;
            };
            let key_ok = !key.is_empty()
                && key.len() <= 40
                && key
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-'));
            if !key_ok {
                break;
            }
            let name = key.trim().to_lowercase().replace(' ', "_");
            let value_text = value.trim();
            let value_start = line_start + key.len() + 1 + (value.len() - value.trim_start().len());
            entries.push((
                scalar_node(&name, line_start, line_start + key.len()),
                scalar_node(value_text, value_start, value_start + value_text.len()),
            ));
            fields_end = cursor;
        }
        let node = YamlNode {
            value: YamlValue::Map(entries),
            span: heading.range.start..heading.range.start,
        };
        let section_body = markdown::parse(text, fields_end.min(end)..end);
        let builder = ItemBuilder {
            index,
            path,
            place,
            cx,
        };
        let mut item = builder.build(&node, Some(&section_body), &Collection::default(), &id);
        item.at = index.span(title_offset..title_offset + title.len());
        out.items.push(item);
    }
    out
}

fn scalar_node(value: &str, start: usize, end: usize) -> YamlNode {
    YamlNode {
        value: YamlValue::Str(value.to_string()),
        span: start..end,
    }
}

/// `STORY-12 Title` or `[STORY-12] Title` → (id, title).
fn section_id(heading: &str) -> Option<(String, String)> {
    let heading = heading.trim();
    let (id, rest) = if let Some(inner) = heading.strip_prefix('[') {
        let close = inner.find(']')?;
        (&inner[..close], &inner[close + 1..])
    } else {
        let end = heading.find(char::is_whitespace).unwrap_or(heading.len());
        (&heading[..end], &heading[end..])
    };
    let id = id.trim().trim_end_matches(':');
    let looks_like_id = id.len() >= 2
        && id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && id.chars().any(|c| c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !looks_like_id {
        return None;
    }
    let title = rest.trim().trim_start_matches([':', '-', '—']).trim();
    Some((
        id.to_string(),
        if title.is_empty() {
            id.to_string()
        } else {
            title.to_string()
        },
    ))
}

/// Loads Backlog.md's `config.yml`.
pub fn load_backlog_md_config(index: &LineIndex<'_>, root: &str) -> LoadedFile {
    let mut out = LoadedFile::default();
    let text = index.text();
    let node = match yaml::parse(text, 0) {
        Ok(node) => node,
        Err(err) => {
            out.failures.push(yaml_failure(index, &err, 0));
            return out;
        }
    };
    let task_prefix = node
        .get("task_prefix")
        .and_then(YamlNode::as_scalar_string)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let (definition_of_done, dod_at) = match node.entry("definition_of_done") {
        Some((key, value)) => (
            Some(dod_entries_from_yaml(value, index)),
            Some(index.span(key.span.clone())),
        ),
        None => (None, None),
    };
    if let Some(entries) = &definition_of_done {
        out.team_dod = Some(super::dod::TeamDod {
            path: format!("{root}/config.yml"),
            source: Some(index.source()),
            origin: super::dod::DodOrigin::BacklogMdConfig,
            entries: entries.clone(),
            at: dod_at,
            risk_entry: None,
        });
    }
    out.backlog_md_config = Some(BacklogMdConfig {
        root: root.to_string(),
        task_prefix,
        definition_of_done,
        dod_at,
    });
    out
}

/// Definition-of-done entries from a YAML list (or a single string).
pub fn dod_entries_from_yaml(node: &YamlNode, index: &LineIndex<'_>) -> Vec<DodEntry> {
    let mut entries = Vec::new();
    let mut push = |n: &YamlNode| {
        let text = match &n.value {
            YamlValue::Map(_) => n
                .get("text")
                .or_else(|| n.get("entry"))
                .or_else(|| n.get("item"))
                .and_then(YamlNode::as_scalar_string),
            _ => n.as_scalar_string(),
        };
        if let Some(text) = text {
            let (checked, text) = strip_checkbox(&text);
            entries.push(DodEntry {
                text: text.to_string(),
                checked,
                at: index.span(n.span.clone()),
            });
        }
    };
    match &node.value {
        YamlValue::Seq(items) => items.iter().for_each(&mut push),
        YamlValue::Str(_) => push(node),
        _ => {}
    }
    entries
}

/// `[x] text` / `[ ] text` inside a YAML string.
fn strip_checkbox(text: &str) -> (Option<bool>, &str) {
    let t = text.trim_start();
    if let Some(rest) = t.strip_prefix("[x]").or_else(|| t.strip_prefix("[X]")) {
        (Some(true), rest.trim_start())
    } else if let Some(rest) = t.strip_prefix("[ ]") {
        (Some(false), rest.trim_start())
    } else {
        (None, text)
    }
}

/// Best-effort recovery after a YAML error: blanks the value on the offending line (keeping
/// every byte offset) and parses again, a few times. The error is still reported; recovery only
/// lets the rest of the item be checked.
fn recover(text: &str, base: usize, first: &YamlError) -> Option<YamlNode> {
    const ATTEMPTS: usize = 8;
    let mut patched = text.as_bytes().to_vec();
    let mut line = first.line;
    for _ in 0..ATTEMPTS {
        blank_line_value(&mut patched, line)?;
        let candidate = std::str::from_utf8(&patched).ok()?;
        match yaml::parse(candidate, base) {
            Ok(node) => return Some(node),
            Err(err) if err.line > line => line = err.line,
            Err(_) => return None,
        }
    }
    None
}

/// Replaces the value of `key: value` on a 1-based line (or the whole line) with spaces.
fn blank_line_value(bytes: &mut [u8], line: u32) -> Option<()> {
    let mut start = 0;
    for _ in 1..line {
        start += memchr::memchr(b'\n', &bytes[start..])? + 1;
    }
    let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
    let end = if end > start && bytes[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    let content = &bytes[start..end];
    let from = memchr::memmem::find(content, b": ").map_or(start, |i| start + i + 2);
    if bytes[from..end].iter().all(|b| *b == b' ') {
        return None;
    }
    bytes[from..end].fill(b' ');
    Some(())
}

fn too_large(index: &LineIndex<'_>, len: usize, max: usize) -> ParseFailure {
    ParseFailure {
        span: index.span(0..0),
        message: format!(
            "the file is {len} bytes; backlint reads item files up to {max} bytes (split it, or \
             raise `max_file_size` in backlint.yaml)"
        ),
    }
}

fn yaml_failure(index: &LineIndex<'_>, err: &YamlError, base: usize) -> ParseFailure {
    let offset = err.offset.unwrap_or(base);
    let text = index.text();
    let end = text[offset.min(text.len())..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(offset, |c| offset + c.len_utf8());
    ParseFailure {
        span: index.span(offset..end),
        message: format!("invalid YAML: {}", err.message),
    }
}

fn first_line_len(text: &str) -> usize {
    text.find('\n').unwrap_or(text.len())
}

/// A cheap test on raw text: does any line start with an identifying key and any with a
/// classifying key? Keeps configuration files, workflows and lock files out of the YAML parser.
pub fn looks_like_item(raw: &str, fields: &FieldNames) -> bool {
    let mut identifying = false;
    let mut classifying = false;
    for line in raw.lines() {
        let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
        let Some(colon) = trimmed.find(':') else {
            continue;
        };
        let key = trimmed[..colon]
            .trim()
            .trim_matches(|c| c == '"' || c == '\'');
        if !identifying && fields.identifying().any(|f| f == key) {
            identifying = true;
        }
        if !classifying && fields.classifying().any(|f| f == key) {
            classifying = true;
        }
        if identifying && classifying {
            return true;
        }
    }
    false
}

/// A mapping is an item when it has an id or title and a type, status or labels (SPEC §2.1).
pub fn is_item_mapping(node: &YamlNode, fields: &FieldNames) -> bool {
    let Some(entries) = node.as_map() else {
        return false;
    };
    let has = |names: &mut dyn Iterator<Item = &String>| {
        let names: Vec<&String> = names.collect();
        entries
            .iter()
            .any(|(k, v)| k.as_str().is_some_and(|k| names.iter().any(|n| *n == k)) && !v.is_null())
    };
    has(&mut fields.identifying()) && has(&mut fields.classifying())
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    // Backlog.md names files "task-12 - Title.md": the id is before " - ".
    stem.split_once(" - ").map_or(stem, |(id, _)| id).trim()
}

struct ItemBuilder<'a> {
    index: &'a LineIndex<'a>,
    path: &'a str,
    place: &'a ItemPlace,
    cx: LoadContext<'a>,
}

impl ItemBuilder<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        self.index.span(range)
    }

    fn spanned_scalar(&self, node: &YamlNode) -> Option<Spanned<String>> {
        node.as_scalar_string()
            .map(|v| Spanned::new(v, self.span(node.span.clone())))
    }

    fn field<'n>(
        &self,
        node: &'n YamlNode,
        names: &[String],
    ) -> Option<(&'n YamlNode, &'n YamlNode)> {
        names.iter().find_map(|name| node.entry(name))
    }

    fn build(
        &self,
        node: &YamlNode,
        body: Option<&MarkdownBody>,
        collection: &Collection,
        derived_id: &str,
    ) -> Item {
        let f = self.cx.fields;
        let text = self.index.text();
        let id_field = self.field(node, &f.id);
        let id_value = id_field.and_then(|(_, v)| self.spanned_scalar(v));
        let (id, id_derived) = match &id_value {
            Some(v) if !v.value.trim().is_empty() => (v.value.trim().to_string(), false),
            _ => (derived_id.to_string(), true),
        };
        let title_field = self.field(node, &f.title);
        let title_value = title_field.and_then(|(_, v)| self.spanned_scalar(v));
        let title = title_value
            .as_ref()
            .map(|t| crate::source::one_line(&t.value))
            .unwrap_or_else(|| id.clone());

        let labels = self
            .field(node, &f.labels)
            .map(|(_, v)| self.string_list(v))
            .unwrap_or_default();
        let labelled_spike = labels.iter().any(|l| l.value.eq_ignore_ascii_case("spike"));

        let kind_field = self.field(node, &f.kind);
        let (kind, kind_at) = match kind_field.and_then(|(_, v)| self.spanned_scalar(v)) {
            Some(v) => (Kind::parse(&v.value), Some(v.span)),
            None => (Kind::Unspecified, None),
        };
        let kind = match kind {
            Kind::Unspecified if labelled_spike => Kind::Spike,
            Kind::Unspecified => collection
                .kind
                .clone()
                .or_else(|| self.place.folder_kind.clone())
                .unwrap_or(Kind::Unspecified),
            other => other,
        };

        let (status, status_at) = match self
            .field(node, &f.status)
            .and_then(|(_, v)| self.spanned_scalar(v))
        {
            Some(v) => (self.cx.statuses.normalise(&v.value), Some(v.span)),
            None => (collection.status.clone().unwrap_or(Status::Missing), None),
        };

        let sprint = self
            .field(node, &f.sprint)
            .and_then(|(_, v)| self.spanned_scalar(v))
            .map(|v| Sprint {
                raw: v.value,
                at: v.span,
            });

        let mut links = Vec::new();
        for (names, kind) in [
            (&f.spikes, LinkKind::Spike),
            (&f.dependencies, LinkKind::Dependency),
            (&f.reverse, LinkKind::Reverse),
        ] {
            for name in names {
                if let Some(value) = node.get(name) {
                    for target in self.string_list(value) {
                        links.push(self.link(kind, name, target));
                    }
                }
            }
        }
        let parent = f.parent.iter().find_map(|name| {
            let value = node.get(name)?;
            let target = self.string_list(value).into_iter().next()?;
            Some(self.link(LinkKind::Parent, name, target))
        });

        let covers = self
            .field(node, &f.covers)
            .map(|(_, v)| self.string_list(v));
        let triage_override = self
            .field(node, &f.triage)
            .map(|(k, v)| self.triage_override(k, v));
        let risk = self
            .field(node, &f.risk)
            .map(|(k, v)| self.risk_acceptances(k, v))
            .unwrap_or_default();
        let veto = self.field(node, &f.veto).and_then(|(k, v)| self.veto(k, v));

        let mut dod = Vec::new();
        let mut dod_at = None;
        if let Some((key, value)) = self.field(node, &f.dod) {
            dod = dod_entries_from_yaml(value, self.index);
            dod_at = Some(self.span(key.span.clone()));
        }

        let mut suppressions = self
            .field(node, &f.suppressions)
            .map(|(_, v)| self.suppressions(v))
            .unwrap_or_default();

        // Text regions: title and YAML text fields first, then the Markdown body.
        let mut regions = Vec::new();
        if let Some(t) = &title_value {
            regions.push(TextRegion {
                role: TextRole::Title,
                range: t.span.range(),
            });
        }
        for (names, role) in [
            (&f.description, TextRole::Description),
            (&f.acceptance, TextRole::Acceptance),
        ] {
            for name in names {
                if let Some(value) = node.get(name) {
                    self.text_regions(value, role, &mut regions);
                }
            }
        }

        if let Some(body) = body {
            body_regions(text, body, &mut regions);
            for link in &body.links {
                if let Some(target) = body_link_target(&link.dest, self.path) {
                    links.push(Link {
                        kind: LinkKind::Body,
                        target,
                        raw: link.dest.clone(),
                        field: "body".to_string(),
                        at: self.span(link.range.clone()),
                    });
                }
            }
            if dod.is_empty() {
                if let Some((entries, at)) = body_dod(text, body, self.index) {
                    dod = entries;
                    dod_at = Some(at);
                }
            }
            for html in &body.html {
                if let Some(s) =
                    super::suppress::parse_comment(&text[html.clone()], html.start, self.index)
                {
                    suppressions.push(s);
                }
            }
        }

        let extra_fields = self.extra_fields(node);
        let start = id_field
            .map(|(k, _)| self.span(k.span.clone()))
            .or_else(|| {
                node.as_map()
                    .and_then(|m| m.first())
                    .map(|(k, _)| self.span(k.span.clone()))
            })
            .unwrap_or_else(|| self.span(node.span.clone()));
        let at = title_value
            .as_ref()
            .map(|t| t.span)
            .or_else(|| id_value.as_ref().map(|v| v.span))
            .unwrap_or(start);

        Item {
            id_at: if id_derived {
                None
            } else {
                id_value.as_ref().map(|v| v.span)
            },
            id,
            id_derived,
            source: self.index.source(),
            path: self.path.to_string(),
            title,
            kind,
            kind_at,
            status,
            status_at,
            labels,
            sprint,
            parent,
            links,
            covers,
            triage_override,
            risk,
            veto,
            dod,
            dod_at,
            suppressions,
            archived: self.place.archived,
            at,
            start,
            extra_fields,
            regions,
        }
    }

    /// A list of scalars, or a comma-separated string, each with its own span.
    fn string_list(&self, node: &YamlNode) -> Vec<Spanned<String>> {
        match &node.value {
            YamlValue::Seq(items) => items
                .iter()
                .filter_map(|n| self.spanned_scalar(n))
                .map(|s| Spanned::new(s.value.trim().to_string(), s.span))
                .filter(|s| !s.value.is_empty())
                .collect(),
            YamlValue::Str(s) => {
                let raw = &self.index.text()[node.span.clone()];
                let mut out = Vec::new();
                let mut search_from = 0;
                for part in s.split(',') {
                    let part = part.trim();
                    if part.is_empty() {
                        continue;
                    }
                    let range = match raw[search_from.min(raw.len())..].find(part) {
                        Some(i) => {
                            let start = node.span.start + search_from + i;
                            search_from += i + part.len();
                            start..start + part.len()
                        }
                        None => node.span.clone(),
                    };
                    out.push(Spanned::new(part.to_string(), self.span(range)));
                }
                out
            }
            YamlValue::Int(_) | YamlValue::Float(_) | YamlValue::Bool(_) => {
                self.spanned_scalar(node).into_iter().collect()
            }
            YamlValue::Null | YamlValue::Map(_) => Vec::new(),
        }
    }

    fn link(&self, kind: LinkKind, field: &str, value: Spanned<String>) -> Link {
        Link {
            kind,
            target: field_link_target(&value.value, self.path),
            raw: value.value,
            field: field.to_string(),
            at: value.span,
        }
    }

    fn text_regions(&self, node: &YamlNode, role: TextRole, out: &mut Vec<TextRegion>) {
        match &node.value {
            YamlValue::Str(_) => out.push(TextRegion {
                role,
                range: node.span.clone(),
            }),
            YamlValue::Seq(items) => {
                for item in items {
                    self.text_regions(item, role, out);
                }
            }
            YamlValue::Map(entries) => {
                for (_, value) in entries {
                    if matches!(value.value, YamlValue::Str(_)) {
                        self.text_regions(value, role, out);
                    }
                }
            }
            _ => {}
        }
    }

    fn triage_override(&self, key: &YamlNode, value: &YamlNode) -> TriageOverride {
        let mut disabled = Vec::new();
        let mut reason = None;
        if let Some(entries) = value.as_map() {
            for (k, v) in entries {
                let Some(name) = k.as_str() else { continue };
                if name == "reason" {
                    reason = self
                        .spanned_scalar(v)
                        .filter(|r| !r.value.trim().is_empty());
                } else if v.value == YamlValue::Bool(false)
                    || v.as_str().is_some_and(|s| {
                        matches!(
                            s.trim().to_ascii_lowercase().as_str(),
                            "no" | "off" | "false" | "n/a"
                        )
                    })
                {
                    disabled.push(Spanned::new(name.to_string(), self.span(k.span.clone())));
                }
            }
        }
        TriageOverride {
            disabled,
            reason,
            at: self.span(key.span.clone()),
        }
    }

    fn risk_acceptances(&self, key: &YamlNode, value: &YamlNode) -> Vec<RiskAcceptance> {
        let at = self.span(key.span.clone());
        match &value.value {
            YamlValue::Seq(items) => items.iter().map(|n| self.risk_acceptance(at, n)).collect(),
            _ => vec![self.risk_acceptance(at, value)],
        }
    }

    fn risk_acceptance(&self, at: Span, value: &YamlNode) -> RiskAcceptance {
        let mut record = RiskAcceptance {
            decision: None,
            by: None,
            role: None,
            date: None,
            note: None,
            at,
            shape_errors: Vec::new(),
        };
        let Some(entries) = value.as_map() else {
            record.shape_errors.push(Spanned::new(
                "`risk_acceptance` must be a mapping: {decision, by, role, date, note}".to_string(),
                self.span(value.span.clone()),
            ));
            return record;
        };
        for (k, v) in entries {
            let Some(name) = k.as_str() else { continue };
            let slot = match name {
                "decision" => &mut record.decision,
                "by" | "accepted_by" => &mut record.by,
                "role" => &mut record.role,
                "date" | "on" => &mut record.date,
                "note" | "notes" | "reason" => &mut record.note,
                other => {
                    record.shape_errors.push(Spanned::new(
                        format!(
                            "unknown `risk_acceptance` field `{other}` (expected decision, by, \
                             role, date, note)"
                        ),
                        self.span(k.span.clone()),
                    ));
                    continue;
                }
            };
            *slot = Some(
                self.spanned_scalar(v)
                    .unwrap_or_else(|| Spanned::new(String::new(), self.span(k.span.clone()))),
            );
        }
        record
    }

    fn veto(&self, key: &YamlNode, value: &YamlNode) -> Option<Veto> {
        if value.is_null() || value.value == YamlValue::Bool(false) {
            return None;
        }
        let mut veto = Veto {
            by: None,
            reason: None,
            lifted: false,
            at: self.span(key.span.clone()),
        };
        if let Some(entries) = value.as_map() {
            for (k, v) in entries {
                match k.as_str() {
                    Some("by") => veto.by = self.spanned_scalar(v),
                    Some("reason") => veto.reason = self.spanned_scalar(v),
                    Some("lifted" | "lifted_on" | "lifted_by") => {
                        veto.lifted = !v.is_null() && v.value != YamlValue::Bool(false);
                    }
                    Some("active") => veto.lifted = v.value == YamlValue::Bool(false),
                    _ => {}
                }
            }
        } else if let Some(reason) = self.spanned_scalar(value) {
            veto.reason = Some(reason);
        }
        Some(veto)
    }

    fn suppressions(&self, value: &YamlNode) -> Vec<Suppression> {
        let Some(list) = value.get("ignore").and_then(YamlNode::as_seq) else {
            return Vec::new();
        };
        list.iter()
            .filter_map(|entry| {
                let rule = entry.get("rule").and_then(YamlNode::as_scalar_string)?;
                Some(Suppression {
                    rule: rule.trim().to_string(),
                    category: entry
                        .get("category")
                        .and_then(YamlNode::as_scalar_string)
                        .map(|c| c.trim().to_string()),
                    reason: entry
                        .get("reason")
                        .and_then(YamlNode::as_scalar_string)
                        .map(|r| r.trim().to_string())
                        .filter(|r| !r.is_empty()),
                    until: entry.get("until").and_then(|n| self.spanned_scalar(n)),
                    at: self.span(entry.span.clone()),
                })
            })
            .collect()
    }

    fn extra_fields(&self, node: &YamlNode) -> Vec<(String, Spanned<String>)> {
        let f = self.cx.fields;
        let known = |k: &str| {
            [
                &f.id,
                &f.title,
                &f.description,
                &f.acceptance,
                &f.status,
                &f.labels,
                &f.kind,
            ]
            .iter()
            .any(|names| names.iter().any(|n| n == k))
        };
        let mut out = Vec::new();
        if self.cx.detector_fields.is_empty() {
            return out;
        }
        for (k, v) in node.as_map().unwrap_or_default() {
            let Some(key) = k.as_str() else { continue };
            if known(key) {
                continue;
            }
            let key = key.to_ascii_lowercase();
            if !self.cx.detector_fields.contains(&key) {
                continue;
            }
            match &v.value {
                YamlValue::Seq(items) => {
                    for item in items.iter().take(64) {
                        if let Some(s) = self.spanned_scalar(item) {
                            out.push((key.clone(), s));
                        }
                    }
                }
                _ => {
                    if let Some(s) = self.spanned_scalar(v) {
                        out.push((key, s));
                    }
                }
            }
        }
        out
    }
}

/// Resolves a link value from a field: a path when it looks like one, else an id.
fn field_link_target(raw: &str, item_path: &str) -> LinkTarget {
    let value = raw.trim();
    if paths::looks_like_path(value) {
        paths::resolve(item_path, value)
    } else {
        LinkTarget::Id(value.to_string())
    }
}

/// Resolves a Markdown link destination to another item file; URLs and anchors are not links.
fn body_link_target(dest: &str, item_path: &str) -> Option<LinkTarget> {
    let dest = dest.trim();
    if dest.is_empty()
        || dest.starts_with('#')
        || dest.contains("://")
        || dest.starts_with("mailto:")
    {
        return None;
    }
    let decoded = paths::percent_decode(dest);
    let file = decoded.split('#').next().unwrap_or(&decoded);
    let lower = file.to_ascii_lowercase();
    if !(lower.ends_with(".md")
        || lower.ends_with(".markdown")
        || lower.ends_with(".yaml")
        || lower.ends_with(".yml"))
    {
        return None;
    }
    Some(paths::resolve(item_path, &decoded))
}

const COMMON_HEADINGS: &[(&str, TextRole)] = &[
    ("Description", TextRole::Description),
    ("Acceptance Criteria", TextRole::Acceptance),
    ("Definition of Done", TextRole::DefinitionOfDone),
    ("Implementation Plan", TextRole::Plan),
    ("Implementation Notes", TextRole::Notes),
    ("Final Summary", TextRole::Notes),
    ("Comments", TextRole::Notes),
    ("Notes", TextRole::Notes),
];

/// Classifies a heading by its text; `None` keeps the role of the enclosing section.
pub fn heading_role(heading: &str) -> Option<TextRole> {
    // The headings Backlog.md and most templates use, without allocating.
    let trimmed = heading.trim().trim_end_matches(':');
    for (name, role) in COMMON_HEADINGS {
        if trimmed.eq_ignore_ascii_case(name) {
            return Some(*role);
        }
    }
    let h = trimmed.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    if has(&["definition of done", "definition-of-done"]) || h == "dod" {
        Some(TextRole::DefinitionOfDone)
    } else if has(&[
        "out of scope",
        "out-of-scope",
        "non-goal",
        "non goal",
        "not in scope",
    ]) {
        Some(TextRole::OutOfScope)
    } else if has(&["acceptance", "success criteria", "done when", "criteria"]) {
        Some(TextRole::Acceptance)
    } else if has(&[
        "implementation notes",
        "final summary",
        "notes",
        "comments",
        "progress",
        "worklog",
        "work log",
        "history",
        "changelog",
        "outcome",
        "result",
        "retrospective",
        "resolution",
        "status update",
        "follow-up",
        "follow up",
    ]) {
        Some(TextRole::Notes)
    } else if has(&[
        "implementation plan",
        "plan",
        "approach",
        "steps",
        "implementation",
        "design",
        "technical",
        "subtasks",
        "how to",
        "testing",
        "verification",
    ]) {
        Some(TextRole::Plan)
    } else if has(&[
        "references",
        "links",
        "related",
        "see also",
        "files",
        "resources",
        "sources",
        "dependencies",
    ]) {
        Some(TextRole::References)
    } else if has(&[
        "description",
        "summary",
        "context",
        "problem",
        "goal",
        "overview",
        "background",
        "story",
        "scope",
        "requirement",
        "why",
        "what",
        "finding",
    ]) {
        Some(TextRole::Description)
    } else {
        None
    }
}

/// Splits a Markdown body into role-tagged regions, leaving out code blocks and HTML.
fn body_regions(text: &str, body: &MarkdownBody, out: &mut Vec<TextRegion>) {
    let mut sections: Vec<(TextRole, Range<usize>)> = Vec::new();
    let first = body
        .headings
        .first()
        .map_or(body.range.end, |h| h.range.start);
    if first > body.range.start {
        sections.push((TextRole::Description, body.range.start..first));
    }
    let mut stack: Vec<(u8, TextRole)> = Vec::new();
    for heading in &body.headings {
        while stack
            .last()
            .is_some_and(|(level, _)| *level >= heading.level)
        {
            stack.pop();
        }
        let role = heading_role(&heading.text)
            .or_else(|| stack.last().map(|(_, role)| *role))
            .unwrap_or(TextRole::Description);
        stack.push((heading.level, role));
        sections.push((role, heading.range.start..heading.content.end));
    }
    let mut holes: Vec<Range<usize>> = body
        .code_blocks
        .iter()
        .chain(body.html.iter())
        .cloned()
        .collect();
    holes.sort_by_key(|r| r.start);
    for (role, range) in sections {
        let mut cursor = range.start;
        for hole in holes
            .iter()
            .filter(|h| h.end > range.start && h.start < range.end)
        {
            if hole.start > cursor {
                push_region(text, out, role, cursor..hole.start);
            }
            cursor = cursor.max(hole.end);
        }
        if cursor < range.end {
            push_region(text, out, role, cursor..range.end);
        }
    }
}

fn push_region(text: &str, out: &mut Vec<TextRegion>, role: TextRole, range: Range<usize>) {
    if text[range.clone()].trim().is_empty() {
        return;
    }
    out.push(TextRegion { role, range });
}

/// The item's own `## Definition of Done` section, as entries.
fn body_dod(
    text: &str,
    body: &MarkdownBody,
    index: &LineIndex<'_>,
) -> Option<(Vec<DodEntry>, Span)> {
    let heading = body
        .headings
        .iter()
        .find(|h| heading_role(&h.text) == Some(TextRole::DefinitionOfDone))?;
    let section = heading.content.clone();
    let entries = body
        .list_entries
        .iter()
        .filter(|e| e.range.start >= section.start && e.range.end <= section.end)
        .map(|e| DodEntry {
            text: list_entry_text(&text[e.range.clone()]),
            checked: e.task,
            at: index.span(trim_range(text, e.range.clone())),
        })
        .collect();
    Some((entries, index.span(heading.range.clone())))
}

/// The text of a list entry without its marker, checkbox and Backlog.md `#n` number.
pub fn list_entry_text(raw: &str) -> String {
    let mut t = raw.trim();
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = t.strip_prefix(marker) {
            t = rest.trim_start();
            break;
        }
    }
    if let Some(dot) = t.find(['.', ')']) {
        if dot > 0 && dot < 4 && t[..dot].chars().all(|c| c.is_ascii_digit()) {
            t = t[dot + 1..].trim_start();
        }
    }
    for box_ in ["[x]", "[X]", "[ ]"] {
        if let Some(rest) = t.strip_prefix(box_) {
            t = rest.trim_start();
        }
    }
    if let Some(rest) = t.strip_prefix('#') {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            t = rest[digits..].trim_start();
        }
    }
    crate::source::one_line(t)
}

fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.start + slice.trim_end().len();
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx_parts() -> (FieldNames, StatusTable) {
        (FieldNames::default(), StatusTable::default())
    }

    fn load_md(text: &str, path: &str, place: ItemPlace) -> LoadedFile {
        let (fields, statuses) = cx_parts();
        let cx = LoadContext {
            fields: &fields,
            statuses: &statuses,
            max_item_file_bytes: 1 << 20,
            detector_fields: &[],
        };
        let index = LineIndex::new(crate::source::SourceId(0), text);
        load_markdown(&index, path, &place, cx)
    }

    fn load_y(text: &str, path: &str) -> LoadedFile {
        let (fields, statuses) = cx_parts();
        let cx = LoadContext {
            fields: &fields,
            statuses: &statuses,
            max_item_file_bytes: 1 << 20,
            detector_fields: &[],
        };
        let index = LineIndex::new(crate::source::SourceId(0), text);
        load_yaml(&index, path, &ItemPlace::default(), cx)
    }

    #[test]
    fn markdown_item_fields() {
        let text = "---\nid: STORY-1\ntitle: Receive webhook\ntype: story\nstatus: In Progress\nlabels: api, payments\nsprint: 4\nspikes: [SPIKE-1]\ndependencies:\n  - ../spikes/SPIKE-2.md\nparent: EPIC-1\n---\n\n## Description\n\nSee [the spike](SPIKE-3.md).\n\n```\nlogging\n```\n\n## Implementation Notes\n\nnotes\n";
        let loaded = load_md(text, "backlog/stories/STORY-1.md", ItemPlace::default());
        assert!(loaded.failures.is_empty());
        let item = &loaded.items[0];
        assert_eq!(item.id, "STORY-1");
        assert_eq!(item.kind, Kind::Story);
        assert_eq!(item.status, Status::InProgress);
        let labels: Vec<_> = item.labels.iter().map(|l| l.value.as_str()).collect();
        assert_eq!(labels, ["api", "payments"]);
        assert_eq!(&text[item.labels[1].span.range()], "payments");
        assert_eq!(item.sprint.as_ref().map(|s| s.raw.as_str()), Some("4"));
        let targets: Vec<_> = item
            .links
            .iter()
            .map(|l| (l.kind, l.target.clone()))
            .collect();
        assert_eq!(
            targets,
            vec![
                (LinkKind::Spike, LinkTarget::Id("SPIKE-1".into())),
                (
                    LinkKind::Dependency,
                    LinkTarget::Path {
                        path: "backlog/spikes/SPIKE-2.md".into(),
                        fragment: None
                    }
                ),
                (
                    LinkKind::Body,
                    LinkTarget::Path {
                        path: "backlog/stories/SPIKE-3.md".into(),
                        fragment: None
                    }
                ),
            ]
        );
        assert_eq!(item.parent.as_ref().map(|p| p.raw.as_str()), Some("EPIC-1"));
        let roles: Vec<_> = item.regions.iter().map(|r| r.role).collect();
        assert_eq!(
            roles,
            [TextRole::Title, TextRole::Description, TextRole::Notes]
        );
        assert!(
            item.regions
                .iter()
                .all(|r| !text[r.range.clone()].contains("logging"))
        );
        assert_eq!(item.at.begin.line, 3);
    }

    #[test]
    fn not_items_are_skipped_and_broken_items_reported() {
        assert!(
            load_md("# README\n", "README.md", ItemPlace::default())
                .items
                .is_empty()
        );
        let docs = load_md(
            "---\nlayout: post\ntitle: Hi\n---\nbody",
            "docs/x.md",
            ItemPlace::default(),
        );
        assert!(docs.items.is_empty() && docs.failures.is_empty());
        let broken = load_md(
            "---\nid: T-1\nstatus: To Do\nassignee: @me\n---\n",
            "t.md",
            ItemPlace::default(),
        );
        assert_eq!(broken.failures.len(), 1);
        assert_eq!(broken.failures[0].span.begin.line, 4);
        // The broken item is still checked, without the offending value.
        assert_eq!(broken.items.len(), 1);
        assert_eq!(broken.items[0].id, "T-1");
        let unterminated = load_md("---\nid: T-1\nstatus: todo\n", "t.md", ItemPlace::default());
        assert_eq!(unterminated.failures.len(), 1);
    }

    #[test]
    fn yaml_shapes() {
        let single = load_y("id: A\ntitle: One\nstatus: todo\n", "a.yaml");
        assert_eq!(single.items.len(), 1);
        let list = load_y(
            "- id: A\n  status: todo\n- id: B\n  status: done\n- note: x\n",
            "l.yaml",
        );
        assert_eq!(
            list.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            ["A", "B"]
        );
        let nested = load_y(
            "version: 1\nepics:\n  - id: E1\n    name: Big\n    status: pending\nitems:\n  - id: S1\n    title: s\n    type: story\n    status: todo\n",
            "backlog.yaml",
        );
        let kinds: Vec<_> = nested
            .items
            .iter()
            .map(|i| (i.id.as_str(), i.kind.clone()))
            .collect();
        assert_eq!(kinds, [("E1", Kind::Epic), ("S1", Kind::Story)]);
        let workflow = load_y(
            "name: CI\non: push\njobs:\n  a:\n    runs-on: x\n",
            ".github/workflows/ci.yml",
        );
        assert!(workflow.items.is_empty() && workflow.failures.is_empty());
    }

    #[test]
    fn body_dod_and_entries() {
        let text = "---\nid: T-1\nstatus: done\n---\n## Definition of Done\n<!-- DOD:BEGIN -->\n- [x] #1 Residual risk accepted\n- [ ] #2 Tests pass\n<!-- DOD:END -->\n";
        let loaded = load_md(text, "t.md", ItemPlace::default());
        let item = &loaded.items[0];
        let entries: Vec<_> = item
            .dod
            .iter()
            .map(|e| (e.text.as_str(), e.checked))
            .collect();
        assert_eq!(
            entries,
            [
                ("Residual risk accepted", Some(true)),
                ("Tests pass", Some(false))
            ]
        );
        assert_eq!(item.dod_at.map(|s| s.begin.line), Some(5));
    }

    #[test]
    fn markdown_sections_are_items() {
        let text = "# Backlog\n\n## STORY-1 Receive payment webhooks\nStatus: In Progress\nLabels: api, payments\nSpikes: SPIKE-1\n\nThe PSP posts events.\n\n### Notes\nmore\n\n## [SPIKE-1] Threat analysis of webhooks\nType: spike\nStatus: done\n\n## Not an item\ntext\n";
        let (fields, statuses) = cx_parts();
        let cx = LoadContext {
            fields: &fields,
            statuses: &statuses,
            max_item_file_bytes: 1 << 20,
            detector_fields: &[],
        };
        let index = LineIndex::new(crate::source::SourceId(0), text);
        let loaded = load_markdown_sections(&index, "BACKLOG.md", 2, &ItemPlace::default(), cx);
        let ids: Vec<_> = loaded.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["STORY-1", "SPIKE-1"]);
        let story = &loaded.items[0];
        assert_eq!(story.title, "Receive payment webhooks");
        assert_eq!(story.status, Status::InProgress);
        assert_eq!(story.labels.len(), 2);
        assert_eq!(story.links.len(), 1);
        assert!(
            story
                .regions
                .iter()
                .any(|r| text[r.range.clone()].contains("PSP posts"))
        );
        assert!(
            !story
                .regions
                .iter()
                .any(|r| text[r.range.clone()].contains("Threat analysis"))
        );
        assert_eq!(loaded.items[1].kind, Kind::Spike);
        assert_eq!(story.at.begin.line, 3);
    }

    #[test]
    fn list_entry_text_strips_markers() {
        assert_eq!(list_entry_text("- [x] #12 Risk ok\n"), "Risk ok");
        assert_eq!(list_entry_text("1. Code reviewed"), "Code reviewed");
        assert_eq!(list_entry_text("* plain"), "plain");
    }
}
