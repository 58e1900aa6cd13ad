//! Links a spike from an item with a minimal textual edit of its YAML: only insertions, so
//! comments, key order, quoting and line endings stay as they were. `[X]` grows to
//! `[X, SPIKE-3]`, a block list gains a `- SPIKE-3` line, a scalar `X` becomes `[X, SPIKE-3]`,
//! and an item without the key gains one line `spikes: [SPIKE-3]`.

#![allow(
    clippy::indexing_slicing,
    reason = "byte indices are bounded by the loop conditions beside them (fuzzed: `fix_round_trip`)"
)]

use crate::parse::yaml::{YamlNode, YamlValue};

/// Text to insert at a byte offset of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Insertion {
    pub at: usize,
    pub text: String,
}

/// Where a new key goes when the item has none of the link keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewKeyPlace {
    /// At this offset: the start of the closing `---` line of a front matter block.
    EndOfFrontMatter(usize),
    /// After the item's last entry with a one-line value, at its indentation.
    AfterLastScalarEntry,
}

/// Why an item cannot be linked by a minimal edit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LinkError(pub String);

fn fail<T>(message: impl Into<String>) -> Result<T, LinkError> {
    Err(LinkError(message.into()))
}

/// The insertions that add `id` to the item `map` (a node parsed from `text` with file
/// offsets): to the list under the first of `keys` the item has, else under a new `new_key`.
pub fn link_insertions(
    text: &str,
    map: &YamlNode,
    keys: &[String],
    new_key: &str,
    id: &str,
    place: NewKeyPlace,
) -> Result<Vec<Insertion>, LinkError> {
    let eol = line_ending(text);
    let entries: &[(YamlNode, YamlNode)] = match &map.value {
        YamlValue::Map(entries) => entries,
        YamlValue::Null => &[],
        _ => return fail("the item is not a mapping"),
    };
    let existing = entries.iter().find(|(k, _)| {
        k.as_str()
            .is_some_and(|k| keys.iter().any(|name| name.eq_ignore_ascii_case(k)))
    });
    match existing {
        Some((key, value)) => extend_value(text, key, value, id, eol),
        None => add_key(text, entries, new_key, id, place, eol),
    }
}

/// Adds `id` to an existing value.
fn extend_value(
    text: &str,
    key: &YamlNode,
    value: &YamlNode,
    id: &str,
    eol: &str,
) -> Result<Vec<Insertion>, LinkError> {
    let key_name = key.as_str().unwrap_or_default();
    match &value.value {
        YamlValue::Seq(elements) if text.as_bytes().get(value.span.start) == Some(&b'[') => {
            let close = closing_bracket(text, value.span.start)
                .ok_or_else(|| LinkError(format!("`{key_name}` is an unclosed flow list")))?;
            let text = if elements.is_empty() {
                id.to_string()
            } else {
                format!(", {id}")
            };
            Ok(vec![Insertion { at: close, text }])
        }
        YamlValue::Seq(elements) => {
            let (Some(first), Some(last)) = (elements.first(), elements.last()) else {
                return fail(format!("`{key_name}` is an empty list of an unknown style"));
            };
            if !is_one_line_scalar(text, last) {
                return fail(format!(
                    "`{key_name}` ends with an entry that is not one line"
                ));
            }
            let line_start = line_start(text, first.span.start);
            let prefix = &text[line_start..first.span.start];
            let dash = prefix.trim_start();
            if !(dash.starts_with('-') && dash[1..].trim().is_empty()) {
                return fail(format!("`{key_name}` is a list of an unusual layout"));
            }
            let indent = &prefix[..prefix.len() - dash.len()];
            let gap = &dash[1..];
            let after = line_end(text, last.span.end);
            let entry = format!("{indent}-{gap}{id}");
            Ok(vec![line_insertion(text, after, entry, eol)])
        }
        YamlValue::Str(_) | YamlValue::Int(_) | YamlValue::Float(_) => {
            if !is_one_line_scalar(text, value) {
                return fail(format!("`{key_name}` is a multi-line text"));
            }
            Ok(vec![
                Insertion {
                    at: value.span.start,
                    text: "[".to_string(),
                },
                Insertion {
                    at: value.span.end,
                    text: format!(", {id}]"),
                },
            ])
        }
        YamlValue::Null => {
            // `spikes:` with nothing after the colon (a comment may follow).
            let colon = text[key.span.end..]
                .find(':')
                .map(|n| key.span.end + n)
                .filter(|c| text[key.span.end..*c].trim().is_empty());
            let Some(colon) = colon else {
                return fail(format!("`{key_name}` has an unusual layout"));
            };
            let rest_end = line_end_without_newline(text, colon + 1);
            let rest = text[colon + 1..rest_end].trim();
            if !(rest.is_empty() || rest.starts_with('#')) {
                return fail(format!("`{key_name}` is written as null (`~`/`null`)"));
            }
            Ok(vec![Insertion {
                at: colon + 1,
                text: format!(" [{id}]"),
            }])
        }
        _ => fail(format!("`{key_name}` is not a list of ids")),
    }
}

/// Adds a `new_key: [id]` line.
fn add_key(
    text: &str,
    entries: &[(YamlNode, YamlNode)],
    new_key: &str,
    id: &str,
    place: NewKeyPlace,
    eol: &str,
) -> Result<Vec<Insertion>, LinkError> {
    if let Some((first, _)) = entries.first() {
        let before = text[line_start(text, first.span.start)..first.span.start].trim();
        if before.ends_with('{') || before.ends_with(',') {
            return fail("the item is a flow mapping (`{…}`)");
        }
    }
    match place {
        NewKeyPlace::EndOfFrontMatter(at) => {
            if let Some((first, _)) = entries.first() {
                if first.span.start != line_start(text, first.span.start) {
                    return fail("the front matter's keys are indented");
                }
            }
            Ok(vec![Insertion {
                at,
                text: format!("{new_key}: [{id}]{eol}"),
            }])
        }
        NewKeyPlace::AfterLastScalarEntry => {
            let Some((key, value)) = entries
                .iter()
                .rev()
                .find(|(k, v)| is_one_line_scalar(text, v) && k.as_str().is_some())
            else {
                return fail("the item has no one-line entry to add the link after");
            };
            let column = text[line_start(text, key.span.start)..key.span.start]
                .chars()
                .count();
            let after = line_end(text, value.span.end.max(key.span.end));
            let line = format!("{}{new_key}: [{id}]", " ".repeat(column));
            Ok(vec![line_insertion(text, after, line, eol)])
        }
    }
}

/// Inserting a whole line at `at` (a line start, or the end of a text without a final line
/// break).
fn line_insertion(text: &str, at: usize, line: String, eol: &str) -> Insertion {
    if at == text.len() && !text.ends_with('\n') {
        Insertion {
            at,
            text: format!("{eol}{line}"),
        }
    } else {
        Insertion {
            at,
            text: format!("{line}{eol}"),
        }
    }
}

/// A scalar written on one line (not a `|`/`>` block, not a folded multi-line string).
fn is_one_line_scalar(text: &str, node: &YamlNode) -> bool {
    let scalar = matches!(
        node.value,
        YamlValue::Str(_) | YamlValue::Int(_) | YamlValue::Float(_) | YamlValue::Bool(_)
    );
    let Some(written) = text.get(node.span.clone()) else {
        return false;
    };
    scalar && !written.is_empty() && !written.contains('\n') && !written.starts_with(['|', '>'])
}

/// The file's line ending: CRLF when its first line ends so.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(n) if n > 0 && text.as_bytes()[n - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The start of the line holding `at`.
pub(crate) fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |n| n + 1)
}

/// The start of the next line after `at` (or the end of the text).
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |n| at + n + 1)
}

fn line_end_without_newline(text: &str, at: usize) -> usize {
    let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
    if end > at && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// The offset of the `]` closing the flow list that opens at `open`.
fn closing_bracket(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (bytes[i] == b']').then_some(i);
                }
            }
            b'\'' => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'#' if i > 0 && bytes[i - 1].is_ascii_whitespace() => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Applies insertions to `text` (any order; equal offsets keep their order).
pub fn apply(text: &str, insertions: &[Insertion]) -> String {
    let mut sorted: Vec<&Insertion> = insertions.iter().collect();
    sorted.sort_by_key(|i| i.at);
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for insertion in sorted {
        let at = insertion.at.min(text.len());
        out.push_str(&text[cursor..at]);
        out.push_str(&insertion.text);
        cursor = at;
    }
    out.push_str(&text[cursor..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::frontmatter::{self, Split};
    use crate::parse::yaml;

    fn link_front_matter(text: &str) -> Result<String, LinkError> {
        let Split::Found(fm) = frontmatter::split(text) else {
            panic!("no front matter");
        };
        let map =
            yaml::parse(&text[fm.yaml.clone()], fm.yaml.start).unwrap_or_else(|e| panic!("{e:?}"));
        let keys = vec!["spikes".to_string(), "dependencies".to_string()];
        let edits = link_insertions(
            text,
            &map,
            &keys,
            "spikes",
            "SPIKE-9",
            NewKeyPlace::EndOfFrontMatter(fm.yaml.end),
        )?;
        Ok(apply(text, &edits))
    }

    #[test]
    fn every_list_style_grows_by_one_id() {
        let cases = [
            (
                "---\nid: A\nspikes: []\n---\n",
                "---\nid: A\nspikes: [SPIKE-9]\n---\n",
            ),
            (
                "---\nid: A\nspikes: [ 'X' , \"Y\" ] # why\n---\n",
                "---\nid: A\nspikes: [ 'X' , \"Y\" , SPIKE-9] # why\n---\n",
            ),
            (
                "---\nid: A\nspikes:\n  - X # c\nnext: 1\n---\n",
                "---\nid: A\nspikes:\n  - X # c\n  - SPIKE-9\nnext: 1\n---\n",
            ),
            (
                "---\nid: A\ndependencies:\n- X\n---\n",
                "---\nid: A\ndependencies:\n- X\n- SPIKE-9\n---\n",
            ),
            (
                "---\nid: A\nspikes: X\n---\n",
                "---\nid: A\nspikes: [X, SPIKE-9]\n---\n",
            ),
            (
                "---\nid: A\nspikes: 'X'\n---\n",
                "---\nid: A\nspikes: ['X', SPIKE-9]\n---\n",
            ),
            (
                "---\nid: A\nspikes: # none\n---\n",
                "---\nid: A\nspikes: [SPIKE-9] # none\n---\n",
            ),
            (
                "---\nid: A\ntitle: T\n---\nbody\n",
                "---\nid: A\ntitle: T\nspikes: [SPIKE-9]\n---\nbody\n",
            ),
            (
                "---\r\nid: A\r\ntitle: T\r\n---\r\n",
                "---\r\nid: A\r\ntitle: T\r\nspikes: [SPIKE-9]\r\n---\r\n",
            ),
            (
                "---\r\nid: A\r\nspikes:\r\n  - X\r\n---\r\n",
                "---\r\nid: A\r\nspikes:\r\n  - X\r\n  - SPIKE-9\r\n---\r\n",
            ),
        ];
        for (before, after) in cases {
            assert_eq!(
                link_front_matter(before).as_deref(),
                Ok(after),
                "{before:?}"
            );
        }
    }

    #[test]
    fn unusual_layouts_are_refused_not_mangled() {
        for text in [
            "---\nid: A\nspikes: ~\n---\n",
            "---\nid: A\nspikes: |\n  X\n---\n",
            "---\nid: A\nspikes: {a: 1}\n---\n",
        ] {
            assert!(link_front_matter(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn a_yaml_list_entry_gains_a_line_at_its_indentation() {
        let text = "items:\n  - id: A\n    title: \"T\" # c\n    labels:\n      - x\n  - id: B\n";
        let tree = yaml::parse(text, 0).unwrap_or_else(|e| panic!("{e:?}"));
        let first = &tree
            .get("items")
            .and_then(|s| s.as_seq())
            .unwrap_or_default()[0];
        let edits = link_insertions(
            text,
            first,
            &["spikes".to_string()],
            "spikes",
            "SPIKE-1",
            NewKeyPlace::AfterLastScalarEntry,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            apply(text, &edits),
            "items:\n  - id: A\n    title: \"T\" # c\n    spikes: [SPIKE-1]\n    labels:\n      - x\n  - id: B\n"
        );
    }

    #[test]
    fn brackets_inside_quotes_do_not_close_the_list() {
        let text = "x: ['a]', \"b]\\\"\", c] # ]";
        assert_eq!(closing_bracket(text, 3), Some(19));
    }
}
