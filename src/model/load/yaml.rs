//! YAML item files: a mapping that is an item, a sequence of items, or a mapping whose
//! sequences (`items:`, `tasks:`, `epics:`…) hold items.

use std::sync::Arc;

use crate::parse::yaml::{self, YamlNode, YamlValue};
use crate::source::LineIndex;

use super::super::layout::{Collection, ItemPlace, collection_of};
use super::super::vocab::FieldNames;
use super::builder::ItemBuilder;
use super::recover::recover;
use super::{
    LoadContext, LoadedFile, file_stem, is_item_mapping, looks_like_item, too_large, yaml_failure,
};

/// Loads a YAML file: a mapping that is an item, a sequence of items, or a mapping whose
/// sequences (`items:`, `tasks:`, `epics:`…) hold items.
pub fn load_yaml(
    index: &LineIndex<'_>,
    path: &Arc<str>,
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
    out.team_dod = super::super::dod::from_backlog_file(&root, index, path).map(Box::new);
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
        out.failures.extend(builder.id_problem(node, &derived));
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
