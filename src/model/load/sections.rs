//! Markdown backlog files with one item per heading (`markdown_sections` in backlint.yaml).

use std::sync::Arc;

use crate::parse::frontmatter::{self, Split};
use crate::parse::markdown;
use crate::parse::yaml::{YamlNode, YamlValue};
use crate::source::LineIndex;

use super::super::layout::{Collection, ItemPlace};
use super::builder::ItemBuilder;
use super::{LoadContext, LoadedFile, too_large};

/// Loads a Markdown backlog with one item per heading of `level` (`markdown_sections`): a
/// heading whose text starts with an id (`## STORY-12 Title` or `## [STORY-12] Title`) is an
/// item, the `Key: value` lines right under it are its fields, and the rest of its section (to
/// the next heading of the same or a higher level) is its description.
pub fn load_markdown_sections(
    index: &LineIndex<'_>,
    path: &Arc<str>,
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
        let end = headings
            .get(n + 1..)
            .unwrap_or_default()
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
