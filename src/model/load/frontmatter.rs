//! Markdown files whose front matter is an item (one item per file, the body is its text).

use std::sync::Arc;

use crate::parse::frontmatter::{self, Split};
use crate::parse::markdown;
use crate::parse::yaml;
use crate::source::LineIndex;

use super::super::layout::{Collection, ItemPlace};
use super::builder::ItemBuilder;
use super::recover::recover;
use super::{
    LoadContext, LoadedFile, ParseFailure, file_stem, first_line_len, is_item_mapping,
    looks_like_item, too_large, yaml_failure,
};

/// Loads a Markdown file that may carry an item in its front matter.
pub fn load_markdown(
    index: &LineIndex<'_>,
    path: &Arc<str>,
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
    out.failures
        .extend(builder.id_problem(&root, file_stem(path)));
    out.items
        .push(builder.build(&root, Some(&body), &Collection::default(), file_stem(path)));
    out
}
