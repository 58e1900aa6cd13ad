//! Splits a Markdown file's leading `---` YAML block from its body, keeping byte offsets.
//!
//! Handles a UTF-8 byte-order mark, LF and CRLF line endings, `...` as a closing fence, a file
//! that ends right after the closing fence, and a `---` horizontal rule later in the body (only
//! the first fence line after the opening one closes the block).

use std::ops::Range;

/// Where the front matter and the body lie in the file text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontMatter {
    /// The YAML between the fences (may be empty).
    pub yaml: Range<usize>,
    /// Everything after the closing fence line.
    pub body: Range<usize>,
}

/// The outcome of looking for front matter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Split {
    /// The file does not start with a `---` line: no front matter.
    None,
    /// A complete block.
    Found(FrontMatter),
    /// An opening fence with no closing one; `yaml` runs to the end of the file.
    Unterminated { yaml: Range<usize> },
}

const BOM: &str = "\u{feff}";

/// Finds the front matter of `text`.
pub fn split(text: &str) -> Split {
    let start = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let Some((first, after_first)) = line_at(text, start) else {
        return Split::None;
    };
    if first.trim_end() != "---" {
        return Split::None;
    }
    let yaml_start = after_first;
    let mut cursor = after_first;
    while let Some((line, next)) = line_at(text, cursor) {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Split::Found(FrontMatter {
                yaml: yaml_start..cursor,
                body: next..text.len(),
            });
        }
        cursor = next;
    }
    Split::Unterminated {
        yaml: yaml_start..text.len(),
    }
}

/// The line starting at `at` (without its line ending) and the offset of the next line.
fn line_at(text: &str, at: usize) -> Option<(&str, usize)> {
    if at >= text.len() {
        return None;
    }
    let rest = &text[at..];
    match memchr::memchr(b'\n', rest.as_bytes()) {
        Some(i) => {
            let line = rest[..i].strip_suffix('\r').unwrap_or(&rest[..i]);
            Some((line, at + i + 1))
        }
        None => Some((rest, text.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> FrontMatter {
        match split(text) {
            Split::Found(fm) => fm,
            other => panic!("expected front matter in {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn lf_and_crlf() {
        let text = "---\nid: A\n---\nbody\n";
        let fm = found(text);
        assert_eq!(&text[fm.yaml.clone()], "id: A\n");
        assert_eq!(&text[fm.body], "body\n");

        let text = "---\r\nid: A\r\n---\r\nbody\r\n";
        let fm = found(text);
        assert_eq!(&text[fm.yaml.clone()], "id: A\r\n");
        assert_eq!(&text[fm.body], "body\r\n");
    }

    #[test]
    fn bom_and_missing_final_newline() {
        let text = "\u{feff}---\nid: A\n---";
        let fm = found(text);
        assert_eq!(&text[fm.yaml.clone()], "id: A\n");
        assert!(fm.body.is_empty());
    }

    #[test]
    fn horizontal_rule_in_body_is_not_a_fence() {
        let text = "---\nid: A\n---\nintro\n\n---\n\nmore\n";
        let fm = found(text);
        assert_eq!(&text[fm.yaml.clone()], "id: A\n");
        assert_eq!(&text[fm.body], "intro\n\n---\n\nmore\n");
    }

    #[test]
    fn no_front_matter_and_unterminated() {
        assert_eq!(split("# README\n---\n"), Split::None);
        assert_eq!(split(""), Split::None);
        assert_eq!(split("----\nx\n"), Split::None);
        assert_eq!(split("---\nid: A\n"), Split::Unterminated { yaml: 4..10 });
    }

    #[test]
    fn empty_block_and_dots() {
        let fm = found("---\n---\n");
        assert!(fm.yaml.is_empty());
        let text = "---\nid: A\n...\nbody";
        assert_eq!(&text[found(text).body], "body");
    }
}
