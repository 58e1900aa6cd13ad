//! Markdown bodies through pulldown-cmark's offset iterator: headings and the sections they open,
//! code (fenced, indented, inline), links, task-list entries and HTML comments, all as byte
//! ranges of the file.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A heading and the body text it governs (up to the next heading of any level).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    /// The heading's text, as written (without `#` marks).
    pub text: String,
    /// The heading line itself.
    pub range: Range<usize>,
    /// From the end of the heading to the next heading (or the end of the body).
    pub content: Range<usize>,
}

/// A link in the body: its destination as written, and where the whole link is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MdLink {
    pub dest: String,
    pub range: Range<usize>,
}

/// A task-list entry (`- [ ] …` / `- [x] …`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskEntry {
    pub checked: bool,
    /// The whole list item.
    pub range: Range<usize>,
}

/// A list item (bulleted or numbered), for definitions of done written as plain lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListEntry {
    pub range: Range<usize>,
    pub task: Option<bool>,
}

/// What a Markdown body is made of, as byte ranges of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MarkdownBody {
    pub range: Range<usize>,
    pub headings: Vec<Heading>,
    /// Fenced and indented code blocks.
    pub code_blocks: Vec<Range<usize>>,
    pub inline_code: Vec<Range<usize>>,
    pub links: Vec<MdLink>,
    pub list_entries: Vec<ListEntry>,
    pub html: Vec<Range<usize>>,
}

impl MarkdownBody {
    /// Task-list entries only.
    pub fn tasks(&self) -> impl Iterator<Item = TaskEntry> + '_ {
        self.list_entries.iter().filter_map(|e| {
            e.task.map(|checked| TaskEntry {
                checked,
                range: e.range.clone(),
            })
        })
    }

    /// The innermost heading whose content contains `offset`.
    pub fn heading_at(&self, offset: usize) -> Option<&Heading> {
        let idx = self
            .headings
            .partition_point(|h| h.range.start <= offset)
            .checked_sub(1)?;
        self.headings.get(idx)
    }
}

/// Parses the body `text[range]`.
pub fn parse(text: &str, range: Range<usize>) -> MarkdownBody {
    let base = range.start;
    let body = &text[range.clone()];
    let mut out = MarkdownBody {
        range: range.clone(),
        ..MarkdownBody::default()
    };
    if body.trim().is_empty() {
        return out;
    }
    if too_deeply_nested(body) {
        // Pathological nesting makes CommonMark parsing quadratic; such a body has no
        // structure worth reading, so it is kept as plain text.
        return out;
    }
    let options = Options::ENABLE_TASKLISTS;
    let mut heading: Option<(u8, Range<usize>, String)> = None;
    let mut link: Option<(String, Range<usize>)> = None;
    let mut items: Vec<usize> = Vec::new();
    for (event, at) in Parser::new_ext(body, options).into_offset_iter() {
        let at = base + at.start..base + at.end;
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((heading_level(level), at, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, range, text)) = heading.take() {
                    out.headings.push(Heading {
                        level,
                        text: text.trim().to_string(),
                        content: range.end..range.end,
                        range,
                    });
                }
            }
            Event::Text(t) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::Code(t) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
                out.inline_code.push(at);
            }
            Event::Start(Tag::CodeBlock(_)) => out.code_blocks.push(at),
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), at));
            }
            Event::End(TagEnd::Link) => {
                if let Some((dest, range)) = link.take() {
                    out.links.push(MdLink { dest, range });
                }
            }
            Event::Start(Tag::Item) => {
                out.list_entries.push(ListEntry {
                    range: at,
                    task: None,
                });
                items.push(out.list_entries.len() - 1);
            }
            Event::End(TagEnd::Item) => {
                items.pop();
            }
            Event::TaskListMarker(checked) => {
                if let Some(entry) = items.last().and_then(|i| out.list_entries.get_mut(*i)) {
                    entry.task = Some(checked);
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => out.html.push(at),
            _ => {}
        }
    }
    let ends: Vec<usize> = out
        .headings
        .iter()
        .skip(1)
        .map(|h| h.range.start)
        .chain(std::iter::once(range.end))
        .collect();
    for (heading, end) in out.headings.iter_mut().zip(ends) {
        heading.content = heading.range.end..end.max(heading.range.end);
    }
    out
}

/// Deepest container nesting (block quotes and list markers at the start of a line) that is
/// parsed as Markdown.
const MAX_CONTAINER_DEPTH: usize = 32;

fn too_deeply_nested(body: &str) -> bool {
    let bytes = body.as_bytes();
    // Deeper nesting needs more than MAX_CONTAINER_DEPTH marker bytes on one line.
    if bytes.len() <= MAX_CONTAINER_DEPTH {
        return false;
    }
    let mut starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', bytes).map(|n| n + 1));
    starts.any(|start| {
        // Most lines start with a letter: nothing to count.
        match bytes.get(start) {
            Some(b' ' | b'\t' | b'>' | b'-' | b'*' | b'+' | b'0'..=b'9') => {
                container_depth(bytes.get(start..).unwrap_or_default()) > MAX_CONTAINER_DEPTH
            }
            _ => false,
        }
    })
}

/// The container markers at the start of `line` (up to its end), counted until one more than
/// the limit.
fn container_depth(line: &[u8]) -> usize {
    let mut depth = 0;
    let mut i = 0;
    while let Some(&byte) = line.get(i).filter(|_| depth <= MAX_CONTAINER_DEPTH) {
        match byte {
            b' ' | b'\t' => i += 1,
            b'>' => {
                depth += 1;
                i += 1;
            }
            b'-' | b'*' | b'+' if line.get(i + 1).is_some_and(|b| *b == b' ') => {
                depth += 1;
                i += 2;
            }
            b'0'..=b'9' => {
                let digits = line
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                if matches!(line.get(i + digits), Some(b'.' | b')')) {
                    depth += 1;
                    i += digits + 1;
                } else {
                    break;
                }
            }
            _ => break,
        }
    }
    depth
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pathological_nesting_counts_as_too_deep() {
        assert!(too_deeply_nested(&format!("text\n{}x\n", ">".repeat(40))));
        assert!(too_deeply_nested(&format!("text\n{}x\n", "- ".repeat(40))));
        assert!(too_deeply_nested(&format!("{}x", "1. ".repeat(40))));
        assert!(!too_deeply_nested(&format!("text\n{}x\n", ">".repeat(20))));
        assert!(!too_deeply_nested(&format!("{}\n", "word ".repeat(40))));
        assert!(!too_deeply_nested(&format!("x\n{}\n", "-".repeat(80))));
    }

    #[test]
    fn pathological_nesting_is_plain_text() {
        let text = "> - ".repeat(5_000);
        let body = parse(&text, 0..text.len());
        assert!(body.headings.is_empty() && body.list_entries.is_empty());
        let normal = "> - quoted list item\n> > nested quote\n";
        assert!(!parse(normal, 0..normal.len()).list_entries.is_empty());
    }

    #[test]
    fn headings_code_links_tasks() {
        let text = "---\nid: A\n---\n# Title\n\nSee [spike](SPIKE-1.md) and <https://x.y>.\n\n```\nwebhook\n```\n\n## Definition of Done\n<!-- DOD:BEGIN -->\n- [x] #1 risk accepted\n- [ ] tests\n<!-- DOD:END -->\n\nSetext\n------\n\ntext `code`\n";
        let start = text.find("# Title").unwrap_or_default();
        let body = parse(text, start..text.len());
        let titles: Vec<_> = body
            .headings
            .iter()
            .map(|h| (h.level, h.text.as_str()))
            .collect();
        assert_eq!(
            titles,
            vec![(1, "Title"), (2, "Definition of Done"), (2, "Setext")]
        );
        assert_eq!(body.links.len(), 2);
        assert_eq!(body.links[0].dest, "SPIKE-1.md");
        assert_eq!(&text[body.links[0].range.clone()], "[spike](SPIKE-1.md)");
        assert_eq!(body.code_blocks.len(), 1);
        assert!(text[body.code_blocks[0].clone()].contains("webhook"));
        let tasks: Vec<_> = body.tasks().map(|t| t.checked).collect();
        assert_eq!(tasks, vec![true, false]);
        assert_eq!(body.html.len(), 2);
        assert_eq!(body.inline_code.len(), 1);
        let dod = &body.headings[1];
        assert!(text[dod.content.clone()].contains("risk accepted"));
        assert!(!text[dod.content.clone()].contains("Setext"));
        let at = text.find("tests").unwrap_or_default();
        assert_eq!(
            body.heading_at(at).map(|h| h.text.as_str()),
            Some("Definition of Done")
        );
    }
}
