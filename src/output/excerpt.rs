//! The part of a file a human report shows: the lines around the labelled spans, each cut to a
//! window that fits the terminal (Backlog.md descriptions are single lines of thousands of
//! characters). Only that block of lines is copied (a finding in a 4 MiB file costs its own
//! lines), and line numbers and the header's column are the file's own.

#![allow(
    clippy::indexing_slicing,
    reason = "line indices come from the line table of the same text"
)]

use std::ops::Range;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines shown around a label (miette's context, plus the label's own).
const CONTEXT_LINES: usize = 1;
const ELLIPSIS: &str = "…";

/// A file's text reduced to what a diagnostic shows, with a map back to the file's columns.
#[derive(Debug)]
pub struct Excerpt {
    name: String,
    text: String,
    /// The file's line number (0-based) of the first line of `text`.
    first_line: usize,
    /// Per line of `text`: (its start in `text`, the file column of its first character minus
    /// its own column, in bytes). Lines that are not cut have a shift of 0.
    lines: Vec<(usize, usize)>,
}

/// Where each line of `text` starts (for [`Excerpt::new`]; computed once per file).
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect()
}

/// One line of the file and the window of it that is kept.
struct Kept {
    /// The line's range in the file (without its line break).
    line: Range<usize>,
    /// The kept window, within `line`.
    window: Range<usize>,
}

impl Excerpt {
    /// Keeps the lines around `labels` (byte ranges into `text`), each at most `max_chars`
    /// characters wide (plus an ellipsis at a cut), with every label starting at most
    /// `max_label_column` characters in (its text is drawn to the right of it). Returns the
    /// excerpt and the labels mapped into it (`None` for one that cannot start in time).
    /// `line_starts` is [`line_starts`] of `text`, computed once per file by the caller.
    pub fn new(
        name: String,
        text: &str,
        line_starts: &[usize],
        labels: &[Range<usize>],
        max_chars: usize,
        max_label_column: usize,
    ) -> (Excerpt, Vec<Option<Range<usize>>>) {
        let max_chars = max_chars.max(20);
        let max_label_column = max_label_column.clamp(10, max_chars);
        if line_starts.first() != Some(&0) {
            // Not the line table of any text: nothing can be shown.
            let empty = Excerpt {
                name,
                text: String::new(),
                first_line: 0,
                lines: Vec::new(),
            };
            return (empty, vec![None; labels.len()]);
        }
        let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset).max(1) - 1;
        let line_range = |n: usize| {
            let start = line_starts[n];
            let end = line_starts.get(n + 1).map_or(text.len(), |next| next - 1);
            let end = if text[start..end].ends_with('\r') {
                end - 1
            } else {
                end
            };
            start..end
        };
        // Which lines are shown (every line from the first label's context to the last's:
        // miette joins nearby labels into one snippet), and where on each a label starts.
        let mut span_lines: Option<(usize, usize)> = None;
        for label in labels {
            let first = line_of(label.start.min(text.len()));
            let last = line_of(label.end.min(text.len())).max(first);
            span_lines =
                Some(span_lines.map_or((first, last), |(a, b)| (a.min(first), b.max(last))));
        }
        // The shown lines are `first_line..first_line + kept.len()`.
        let (first_line, shown) = match span_lines {
            Some((first, last)) => {
                let first_line = first.saturating_sub(CONTEXT_LINES);
                let last_line = (last + CONTEXT_LINES).min(line_starts.len() - 1);
                (first_line, last_line + 1 - first_line)
            }
            None => (0, 0),
        };
        // Per shown line, where the first label on it starts.
        let mut anchors: Vec<Option<usize>> = vec![None; shown];
        for label in labels {
            let first = line_of(label.start.min(text.len()));
            if let Some(anchor @ None) = anchors.get_mut(first - first_line) {
                *anchor = Some(label.start);
            }
        }
        let kept: Vec<Kept> = anchors
            .into_iter()
            .enumerate()
            .map(|(k, anchor)| {
                let line = line_range(first_line + k);
                let window = window(text, line.clone(), anchor, max_chars, max_label_column);
                Kept { line, window }
            })
            .collect();
        let mut out = String::with_capacity(kept.len() * (max_chars + 8));
        let mut lines = Vec::with_capacity(kept.len());
        // Where each kept line's window starts in `out`.
        let mut placed: Vec<usize> = Vec::with_capacity(kept.len());
        for (k, kept_line) in kept.iter().enumerate() {
            let start = out.len();
            if kept_line.window.start > kept_line.line.start {
                out.push_str(ELLIPSIS);
            }
            placed.push(out.len());
            out.push_str(&text[kept_line.window.clone()]);
            if kept_line.window.end < kept_line.line.end {
                out.push_str(ELLIPSIS);
            }
            // File column of the window start, less its column here.
            let shift =
                (kept_line.window.start - kept_line.line.start).saturating_sub(placed[k] - start);
            lines.push((start, shift));
            if k + 1 < kept.len() {
                out.push('\n');
            }
        }
        let map = |offset: usize| -> usize {
            let offset = offset.min(text.len());
            let k = line_of(offset).wrapping_sub(first_line);
            match (kept.get(k), placed.get(k)) {
                (Some(kept_line), Some(&at)) => {
                    let within = offset.clamp(kept_line.window.start, kept_line.window.end);
                    at + (within - kept_line.window.start)
                }
                _ => lines
                    .get(line_of(offset).saturating_sub(first_line))
                    .map_or(0, |(start, _)| *start),
            }
        };
        // A label that would start past `max_label_column` (a second label far along a long
        // line) is left out: its text would run past the width.
        let mapped = labels
            .iter()
            .map(|l| {
                let start = map(l.start);
                let line_start = out[..start].rfind('\n').map_or(0, |i| i + 1);
                (out[line_start..start].chars().count() <= max_label_column)
                    .then(|| start..map(l.end).max(start))
            })
            .collect();
        (
            Excerpt {
                name,
                text: out,
                first_line,
                lines,
            },
            mapped,
        )
    }

    /// The text miette renders.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The name shown in the snippet's header (the file's path).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What [`SourceCode::read_span`] reports for `span`, without building it: the range of
    /// lines miette would show, the file's line and column. `None` where miette fails.
    pub fn span_lines(
        &self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Option<SpanLines> {
        let inner = context_info(
            self.text.as_bytes(),
            span.offset(),
            span.len(),
            context_lines_before,
            context_lines_after,
        )?;
        let shift = self.lines.get(inner.line).map_or(0, |(_, s)| *s);
        Some(SpanLines {
            line: inner.line + self.first_line,
            column: inner.column + shift,
            ..inner
        })
    }
}

/// Where a span's snippet lies in an excerpt, as miette's `SpanContents` tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanLines {
    /// The snippet's bytes in the excerpt's text.
    pub start: usize,
    pub len: usize,
    /// The first line's number (0-based) and the column (in bytes) miette reports.
    pub line: usize,
    pub column: usize,
    /// Line breaks miette counted.
    pub line_count: usize,
}

/// miette 7's `context_info` over `input` (its reading of a span with context lines), from the
/// line breaks; `None` where it reports the span out of bounds, and for text with a carriage
/// return, which miette counts in its own way (an excerpt's text is sanitised and has none;
/// such text is left to miette).
fn context_info(
    input: &[u8],
    span_offset: usize,
    span_len: usize,
    context_lines_before: usize,
    context_lines_after: usize,
) -> Option<SpanLines> {
    if memchr::memchr(b'\r', input).is_some() {
        return None;
    }
    let last = (span_offset + span_len).saturating_sub(1);
    // Line breaks before the span, and where the last one and the one `before` lines up are.
    let before_span = span_offset.min(input.len());
    let before = &input[..before_span];
    let m = memchr::memchr_iter(b'\n', before).count();
    // Where the line starts that `back` line breaks precede, counted back from the span's.
    let line_start_back = |back: usize| {
        memchr::memrchr_iter(b'\n', before)
            .nth(back)
            .map_or(0, |p| p + 1)
    };
    let start = if context_lines_before == 0 {
        span_offset
    } else {
        line_start_back(context_lines_before)
    };
    // Where the walk stops: after the span's last byte (no context after), after the
    // `context_lines_after + 1`-th line break past it, or at the end.
    let end = if last >= input.len() {
        if input.len() < last {
            return None;
        }
        input.len()
    } else if context_lines_after == 0 {
        last + 1
    } else {
        memchr::memchr_iter(b'\n', &input[last + 1..])
            .nth(context_lines_after)
            .map_or(input.len(), |p| last + 1 + p + 1)
    };
    let line_count = memchr::memchr_iter(b'\n', &input[..end]).count();
    Some(SpanLines {
        start,
        len: end.checked_sub(start)?,
        line: m.saturating_sub(context_lines_before),
        // miette's walk resets the column at every line break past the span it reads.
        column: if context_lines_before == 0
            && !(last < end && memchr::memchr(b'\n', &input[last + 1..end]).is_some())
        {
            before_span - line_start_back(0)
        } else {
            0
        },
        line_count,
    })
}

/// The window of `line` to keep: all of it when it fits and its label (if any) starts within
/// `max_label_column`; else `max_chars` characters that start a third of the way before the
/// label (or at the line's start).
fn window(
    text: &str,
    line: Range<usize>,
    anchor: Option<usize>,
    max_chars: usize,
    max_label_column: usize,
) -> Range<usize> {
    let content = &text[line.clone()];
    let anchor_char = anchor
        .filter(|a| line.contains(a))
        .map_or(0, |a| text[line.start..a].chars().count());
    if content.chars().count() <= max_chars && anchor_char <= max_label_column {
        return line;
    }
    let budget = max_chars.saturating_sub(2);
    let first = anchor_char.saturating_sub((budget / 3).min(max_label_column.saturating_sub(2)));
    let start = after_chars(content, first);
    let end = start + after_chars(&content[start..], budget);
    line.start + start..line.start + end
}

/// Where the character after the first `n` of `text` starts (its length when it has fewer):
/// [`str::Chars`] skips characters a block at a time, where counting `char_indices` decodes
/// each of a long line's.
fn after_chars(text: &str, n: usize) -> usize {
    let mut chars = text.chars();
    if let Some(before) = n.checked_sub(1) {
        let _ = chars.nth(before);
    }
    text.len() - chars.as_str().len()
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let shift = self.lines.get(inner.line()).map_or(0, |(_, s)| *s);
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column() + shift,
            inner.line_count(),
        );
        Ok(Box::new(contents))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_chars_is_the_offset_of_the_nth_character() {
        for text in [
            "",
            "a",
            "abc",
            "пр",
            "aé—x",
            "€€€ ascii tail",
            &"ж".repeat(300),
        ] {
            for n in 0..text.chars().count() + 3 {
                let expected = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
                assert_eq!(after_chars(text, n), expected, "{text:?} {n}");
            }
        }
    }

    #[test]
    fn only_the_lines_around_the_label_are_kept_with_their_numbers() {
        let text = "one\ntwo\nthree\nfour\nfive\n";
        let at = text.find("four").unwrap_or(0);
        let (excerpt, labels) = Excerpt::new(
            "f".into(),
            text,
            &line_starts(text),
            std::slice::from_ref(&(at..at + 4)),
            80,
            60,
        );
        assert_eq!(excerpt.text(), "three\nfour\nfive");
        let contents = excerpt
            .read_span(&(labels[0].clone().map_or(0, |l| l.start), 4).into(), 0, 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(contents.line(), 3, "the file's own line number (0-based)");
        assert_eq!(labels[0].clone().map(|l| &excerpt.text()[l]), Some("four"));
    }

    #[test]
    fn a_long_line_is_cut_around_the_label() {
        let long = format!("{}login{}", "a ".repeat(500), " b".repeat(500));
        let text = format!("title\n{long}\nend\n");
        let at = text.find("login").unwrap_or(0);
        let (excerpt, labels) = Excerpt::new(
            "f".into(),
            &text,
            &line_starts(&text),
            std::slice::from_ref(&(at..at + 5)),
            60,
            40,
        );
        assert!(
            excerpt.text().lines().all(|l| l.chars().count() <= 62),
            "{}",
            excerpt.text()
        );
        let label = labels[0].clone().unwrap_or_else(|| panic!("label dropped"));
        assert_eq!(&excerpt.text()[label.clone()], "login");
        // The header column is the file's: the label's line starts at `text`'s second line.
        let contents = excerpt
            .read_span(&(label.start, 5).into(), 0, 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(contents.line(), 1);
        assert_eq!(contents.column(), at - "title\n".len());
    }

    #[test]
    fn multibyte_text_is_cut_on_character_boundaries() {
        let long = "данные пользователя ".repeat(40);
        let text = format!("{long}пароль{long}");
        let at = text.find("пароль").unwrap_or(0);
        let (excerpt, labels) = Excerpt::new(
            "f".into(),
            &text,
            &line_starts(&text),
            std::slice::from_ref(&(at..at + "пароль".len())),
            40,
            30,
        );
        assert_eq!(
            labels[0].clone().map(|l| &excerpt.text()[l]),
            Some("пароль")
        );
    }

    #[test]
    fn a_second_label_far_along_a_long_line_is_left_out() {
        let text = format!("login {} password", "x ".repeat(300));
        let second = text.find("password").unwrap_or(0);
        let (_, labels) = Excerpt::new(
            "f".into(),
            &text,
            &line_starts(&text),
            &[0..5, second..second + 8],
            80,
            50,
        );
        assert!(labels[0].is_some());
        assert!(labels[1].is_none());
    }

    #[test]
    #[allow(clippy::reversed_empty_ranges)]
    fn labels_past_the_end_do_not_panic() {
        let (excerpt, labels) = Excerpt::new(
            "f".into(),
            "abc",
            &line_starts("abc"),
            &[10..20, 2..1],
            40,
            30,
        );
        assert_eq!(excerpt.text(), "abc");
        assert!(labels.iter().flatten().all(|l| l.end <= 3));
    }

    type Reading = Option<(usize, usize, usize, usize, usize)>;

    /// `context_info` and miette's `read_span` of one span: (start, len, line, column, breaks).
    fn both_readings(
        text: &str,
        start: usize,
        len: usize,
        before: usize,
        after: usize,
    ) -> (Reading, Reading) {
        let span: SourceSpan = (start, len).into();
        let theirs = text.read_span(&span, before, after).ok().map(|c| {
            let s = c.span();
            (s.offset(), s.len(), c.line(), c.column(), c.line_count())
        });
        let ours = context_info(text.as_bytes(), start, len, before, after)
            .map(|s| (s.start, s.len, s.line, s.column, s.line_count));
        (ours, theirs)
    }

    #[test]
    fn context_info_reads_every_span_as_miette_does() {
        let texts = [
            "---\nid: A\n---\n\nUsers log in\twith a пароль.\n\nmore\ntext\n",
            "",
            "x",
            "\n",
            "a\n\nb\n",
            "one\ntwo",
            "\n\n\nlast",
            "a\nb\nc\nd\ne\nf\n\n",
            "\n\u{e9}\n\n",
        ];
        for text in texts {
            // (miette slices out of range for a span that starts past the end.)
            for start in 0..=text.len() {
                for len in 0..=text.len() + 1 - start {
                    for (before, after) in [(1, 1), (0, 0), (2, 0), (0, 2)] {
                        let (ours, theirs) = both_readings(text, start, len, before, after);
                        assert_eq!(ours, theirs, "{text:?} {start}+{len} ({before}, {after})");
                    }
                }
            }
        }
    }

    #[test]
    fn text_with_a_carriage_return_is_left_to_miette() {
        assert_eq!(context_info(b"cr\r\nlf\n", 0, 2, 1, 1), None);
        assert!(context_info(b"cr\nlf\n", 0, 2, 1, 1).is_some());
    }

    proptest::proptest! {
        #[test]
        fn context_info_agrees_with_miette_on_arbitrary_text(
            chars in proptest::collection::vec(proptest::sample::select(vec!['a', '\n', '\u{e9}', '\t', ' ']), 0..24),
            start in 0usize..30,
            len in 0usize..30,
            before in 0usize..3,
            after in 0usize..3,
        ) {
            let text: String = chars.into_iter().collect();
            // (miette slices out of range for a span that starts past the end.)
            let start = start.min(text.len());
            let (ours, theirs) = both_readings(&text, start, len, before, after);
            proptest::prop_assert_eq!(ours, theirs);
        }
    }
}
