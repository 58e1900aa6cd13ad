//! Draws a finding exactly as miette's graphical handler draws it — the same characters, styles,
//! line numbers and label layout, byte for byte — for the shape backlint's findings have (every
//! label within one line of its excerpt), at a fraction of miette's cost. Anything else (a
//! label across lines, a span miette cannot read) is handed to miette itself.
//!
//! The layout follows miette 7's `GraphicalReportHandler` with backlint's settings (no line
//! wrapping, one context line, tabs of four, no links, no syntax highlighting); the tests draw
//! every finding of the fixtures, the example backlog and the corpus both ways and compare.

#![allow(
    clippy::indexing_slicing,
    reason = "offsets come from the excerpt's own line scan and are checked against its length"
)]

use std::fmt::{self, Write as _};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use owo_colors::{OwoColorize, Style};
use unicode_width::UnicodeWidthChar;

use super::excerpt::{Excerpt, SpanLines};

/// Lines of context miette is asked for around each label.
const CONTEXT_LINES: usize = 1;
/// Columns a tab advances to (miette's default).
const TAB_WIDTH: usize = 4;

/// One finding (or one related place) as a diagnostic.
pub struct Report {
    pub message: String,
    pub rule: &'static str,
    pub severity: miette::Severity,
    pub help: Option<String>,
    pub source: Option<Excerpt>,
    pub labels: Vec<LabeledSpan>,
    pub related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.rule.is_empty()).then(|| Box::new(self.rule) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

/// Draws reports: by the fast path when it applies, else by miette.
pub struct Drawer {
    theme: GraphicalTheme,
    miette: GraphicalReportHandler,
    /// Per severity (error, warning, advice): the message's first-line and later-line
    /// indents, styled.
    cause_indents: [(String, String); 3],
    /// `  help: `, styled.
    help_indent: String,
}

/// Which drawer drew a report (the tests check that backlint's findings take the fast path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrawnBy {
    FastPath,
    Miette,
}

/// The fast path does not draw this report (miette does).
struct Unsupported;

impl From<fmt::Error> for Unsupported {
    fn from(_: fmt::Error) -> Self {
        Unsupported
    }
}

type Drawn = Result<(), Unsupported>;

impl Drawer {
    /// A drawer for a terminal `width` columns wide, in colour or not.
    pub fn new(color: bool, width: usize) -> Drawer {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let miette = GraphicalReportHandler::new_themed(theme.clone())
            .with_width(width)
            .with_links(false)
            .with_context_lines(CONTEXT_LINES)
            .with_wrap_lines(false);
        let cause_indents = [
            miette::Severity::Error,
            miette::Severity::Warning,
            miette::Severity::Advice,
        ]
        .map(|severity| {
            let (style, icon) = severity_look(&theme, severity);
            (
                format!("  {} ", icon.style(style)),
                format!("  {} ", theme.characters.vbar.style(style)),
            )
        });
        let help_indent = "  help: ".style(theme.styles.help).to_string();
        Drawer {
            theme,
            miette,
            cause_indents,
            help_indent,
        }
    }

    /// `report` drawn (miette's drawing, whichever path drew it).
    pub fn draw(&self, report: &Report) -> Result<(String, DrawnBy), fmt::Error> {
        // Room for what is drawn: the texts, and the excerpt with its gutter and underlines.
        let excerpt = report.source.as_ref().map_or(0, |s| s.text().len());
        let help = report.help.as_ref().map_or(0, String::len);
        let mut out = String::with_capacity(256 + report.message.len() + help + 3 * excerpt);
        if self.report(&mut out, report).is_ok() {
            return Ok((out, DrawnBy::FastPath));
        }
        Ok((self.by_miette(report)?, DrawnBy::Miette))
    }

    /// `report` drawn by miette's own handler (the reference the fast path is tested against).
    pub fn by_miette(&self, report: &Report) -> Result<String, fmt::Error> {
        let mut out = String::new();
        self.miette.render_report(&mut out, report)?;
        Ok(out)
    }

    fn severity(&self, severity: miette::Severity) -> (Style, &str) {
        severity_look(&self.theme, severity)
    }

    /// `render_report_inner`.
    fn report(&self, f: &mut String, report: &Report) -> Drawn {
        self.header(f, report, false)?;
        self.causes(f, report)?;
        self.snippets(f, report)?;
        self.footer(f, report)?;
        self.related(f, report)
    }

    fn header(&self, f: &mut String, report: &Report, nested: bool) -> Drawn {
        let (style, _) = self.severity(report.severity);
        let mut need_newline = nested;
        if !report.rule.is_empty() {
            writeln!(f, "{}", report.rule.style(style))?;
            need_newline = true;
        }
        if need_newline {
            f.push('\n');
        }
        Ok(())
    }

    fn causes(&self, f: &mut String, report: &Report) -> Drawn {
        let (initial, rest) = match report.severity {
            miette::Severity::Error => &self.cause_indents[0],
            miette::Severity::Warning => &self.cause_indents[1],
            miette::Severity::Advice => &self.cause_indents[2],
        };
        indent(f, &report.message, initial, rest);
        f.push('\n');
        Ok(())
    }

    fn footer(&self, f: &mut String, report: &Report) -> Drawn {
        if let Some(help) = &report.help {
            indent(f, help, &self.help_indent, "        ");
            f.push('\n');
        }
        Ok(())
    }

    fn related(&self, f: &mut String, report: &Report) -> Drawn {
        for related in &report.related {
            f.push('\n');
            f.push_str(match related.severity {
                miette::Severity::Error => "Error: ",
                miette::Severity::Warning => "Warning: ",
                miette::Severity::Advice => "Advice: ",
            });
            self.header(f, related, true)?;
            self.causes(f, related)?;
            self.snippets(f, related)?;
            self.footer(f, related)?;
            self.related(f, related)?;
        }
        Ok(())
    }

    /// `render_snippets`: the labels' contexts, joined where they touch, each drawn.
    fn snippets(&self, f: &mut String, report: &Report) -> Drawn {
        let Some(source) = &report.source else {
            return Ok(());
        };
        if report.labels.is_empty() {
            return Ok(());
        }
        let mut labels = report.labels.clone();
        labels.sort_unstable_by_key(|l| l.inner().offset());
        let mut contexts: Vec<(LabeledSpan, SpanLines)> = Vec::with_capacity(labels.len());
        for right in labels.iter().cloned() {
            let right_lines = source.span_lines(right.inner(), CONTEXT_LINES, CONTEXT_LINES);
            // miette writes an error line for a span it cannot read: let it.
            let right_lines = right_lines.ok_or(Unsupported)?;
            let Some((left, left_lines)) = contexts.last() else {
                contexts.push((right, right_lines));
                continue;
            };
            if left_lines.line + left_lines.line_count >= right_lines.line {
                let left_end = left.offset() + left.len();
                let new_end = left_end.max(right.offset() + right.len());
                let joined = LabeledSpan::new(
                    left.label().map(String::from),
                    left.offset(),
                    new_end - left.offset(),
                );
                if let Some(joined_lines) =
                    source.span_lines(joined.inner(), CONTEXT_LINES, CONTEXT_LINES)
                {
                    contexts.pop();
                    contexts.push((joined, joined_lines));
                    continue;
                }
            }
            contexts.push((right, right_lines));
        }
        for (context, contents) in &contexts {
            self.context(f, source, context, contents, &labels)?;
        }
        Ok(())
    }

    /// `render_context` for labels that each sit on one line; `contents` is the context's
    /// reading (miette reads it again: the same result).
    fn context(
        &self,
        f: &mut String,
        source: &Excerpt,
        context: &LabeledSpan,
        contents: &SpanLines,
        labels: &[LabeledSpan],
    ) -> Drawn {
        let characters = &self.theme.characters;
        let lines = lines_of(source.text(), contents).ok_or(Unsupported)?;
        let (start, end) = (
            context.inner().offset(),
            context.inner().offset() + context.inner().len(),
        );
        let mut in_context = labels
            .iter()
            .filter(|l| start <= l.inner().offset() && l.inner().offset() + l.inner().len() <= end);
        let primary = in_context
            .clone()
            .find(|l| l.primary())
            .or_else(|| in_context.next());
        let highlights: Vec<Highlight<'_>> = labels
            .iter()
            .zip(self.theme.styles.highlights.iter().copied().cycle())
            .map(|(label, style)| Highlight {
                label: label.label(),
                offset: label.inner().offset(),
                len: label.inner().len(),
                style,
            })
            .collect();
        // A label across lines gets gutter arrows, a label text of several lines is drawn
        // line by line: miette draws those.
        if highlights
            .iter()
            .any(|h| h.label.is_some_and(|l| l.contains('\n')))
            || lines
                .iter()
                .any(|line| highlights.iter().any(|h| line.applies(h) && !line.holds(h)))
        {
            return Err(Unsupported);
        }
        let linum_width = decimal_width(lines.last().map_or(0, |l| l.number));
        let reference = match primary {
            Some(label) => source.span_lines(label.inner(), 0, 0).ok_or(Unsupported)?,
            None => *contents,
        };
        pad(f, linum_width + 2);
        f.push(characters.ltop);
        f.push(characters.hbar);
        let link = self.theme.styles.link;
        if link.is_plain() {
            // What the styled form below writes without a style, without the formatting.
            f.push('[');
            f.push_str(source.name());
            writeln!(f, ":{}:{}]", reference.line + 1, reference.column + 1)?;
        } else {
            writeln!(
                f,
                "[{}]",
                format_args!(
                    "{}:{}:{}",
                    source.name(),
                    reference.line + 1,
                    reference.column + 1
                )
                .style(link)
            )?;
        }
        let mut on_line: Vec<&Highlight<'_>> = Vec::new();
        let linum = self.theme.styles.linum;
        for line in &lines {
            if linum.is_plain() {
                // The number right-aligned, as `{:width$}` sets it.
                f.push(' ');
                pad(f, linum_width.saturating_sub(decimal_width(line.number)));
                write!(f, "{} {} ", line.number, characters.vbar)?;
            } else {
                write!(
                    f,
                    " {:width$} {} ",
                    line.number.style(linum),
                    characters.vbar,
                    width = linum_width
                )?;
            }
            line_text(f, line.text);
            on_line.clear();
            on_line.extend(highlights.iter().filter(|h| line.applies(h)));
            if !on_line.is_empty() {
                self.no_linum(f, linum_width);
                self.underlines(f, line, linum_width, &on_line)?;
            }
        }
        pad(f, linum_width + 2);
        f.push(characters.lbot);
        for _ in 0..4 {
            f.push(characters.hbar);
        }
        f.push('\n');
        Ok(())
    }

    fn no_linum(&self, f: &mut String, linum_width: usize) {
        f.push(' ');
        pad(f, linum_width);
        f.push(' ');
        f.push(self.theme.characters.vbar_break);
        f.push(' ');
    }

    /// `render_single_line_highlights`: the underlines, then each label's text, last first.
    fn underlines(
        &self,
        f: &mut String,
        line: &Line<'_>,
        linum_width: usize,
        on_line: &[&Highlight<'_>],
    ) -> Drawn {
        let characters = &self.theme.characters;
        let mut highest = 0;
        let mut pointers: Vec<(&Highlight<'_>, usize)> = Vec::with_capacity(on_line.len());
        let mut drawn = String::new();
        for highlight in on_line {
            let start = line.visual_offset(highlight.offset, true).max(highest);
            let end = if highlight.len == 0 {
                start + 1
            } else {
                line.visual_offset(highlight.offset + highlight.len, false)
                    .max(start + 1)
            };
            let pointer = (start + end) / 2;
            drawn.clear();
            pad(&mut drawn, start.saturating_sub(highest));
            push_repeated(&mut drawn, characters.underline, pointer - start);
            drawn.push(if highlight.len == 0 {
                characters.uarrow
            } else if highlight.label.is_some() {
                characters.underbar
            } else {
                characters.underline
            });
            push_repeated(&mut drawn, characters.underline, end - pointer - 1);
            styled(f, &drawn, highlight.style)?;
            highest = highest.max(end);
            pointers.push((highlight, pointer));
        }
        f.push('\n');
        for highlight in on_line.iter().rev() {
            let Some(label) = highlight.label else {
                continue;
            };
            self.no_linum(f, linum_width);
            let mut column = 1usize;
            for (other, pointer) in &pointers {
                while column < pointer + 1 {
                    f.push(' ');
                    column += 1;
                }
                if !other.same(highlight) {
                    styled(f, characters.vbar.encode_utf8(&mut [0; 4]), other.style)?;
                    column += 1;
                } else if highlight.style.is_plain() {
                    // What the styled form below writes without a style.
                    f.push(characters.lbot);
                    f.push(characters.hbar);
                    f.push(characters.hbar);
                    f.push(' ');
                    f.push_str(label);
                    f.push('\n');
                    break;
                } else {
                    let text = format!(
                        "{}{}{} {}",
                        characters.lbot,
                        characters.hbar,
                        characters.hbar,
                        label.style(highlight.style)
                    );
                    writeln!(f, "{}", text.style(highlight.style))?;
                    break;
                }
            }
        }
        Ok(())
    }
}

/// A label as miette holds it while drawing (`FancySpan`).
struct Highlight<'a> {
    label: Option<&'a str>,
    offset: usize,
    len: usize,
    style: Style,
}

impl Highlight<'_> {
    /// miette compares labels by text and span.
    fn same(&self, other: &Highlight<'_>) -> bool {
        self.label == other.label && self.offset == other.offset && self.len == other.len
    }
}

/// One line of a snippet (miette's `Line`): 1-based number, offset and length (with its line
/// break) in the excerpt, text (without it).
struct Line<'a> {
    number: usize,
    offset: usize,
    length: usize,
    text: &'a str,
}

impl Line<'_> {
    /// The label is drawn on this line (`span_applies`).
    fn applies(&self, h: &Highlight<'_>) -> bool {
        let len = h.len.max(1);
        let line_end = self.offset + self.length;
        (h.offset >= self.offset && h.offset < line_end)
            || (h.offset < self.offset && h.offset + len > line_end)
            || (h.offset + len > self.offset && h.offset + len <= line_end)
    }

    /// The label lies within this line (`span_line_only`).
    fn holds(&self, h: &Highlight<'_>) -> bool {
        h.offset >= self.offset && h.offset + h.len <= self.offset + self.length
    }

    /// The column `offset` is drawn at (`visual_offset`).
    fn visual_offset(&self, offset: usize, start: bool) -> usize {
        let mut index = offset.saturating_sub(self.offset);
        while index <= self.text.len() && !self.text.is_char_boundary(index) {
            if start {
                index -= 1;
            } else {
                index += 1;
            }
        }
        let before = &self.text[..index.min(self.text.len())];
        // Printable ASCII (no tab, no escape) is a column a byte.
        let width: usize = if before.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            before.len()
        } else {
            visual_widths(before).sum()
        };
        if index > self.text.len() {
            width + 1
        } else {
            width
        }
    }
}

/// The lines of `contents` in `text` (miette's `get_lines`; `contents` comes from
/// [`Excerpt::span_lines`], which leaves text with carriage returns to miette); `None` for a
/// range that cuts a character.
fn lines_of<'t>(text: &'t str, contents: &SpanLines) -> Option<Vec<Line<'t>>> {
    let data = text.get(contents.start..contents.start + contents.len)?;
    let mut lines = Vec::with_capacity(4);
    let mut number = contents.line;
    let mut offset = contents.start;
    let mut rest = data;
    while !rest.is_empty() {
        let (text, length) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(at) => (&rest[..at], at + 1),
            None => (rest, rest.len()),
        };
        number += 1;
        lines.push(Line {
            number,
            offset,
            length,
            text,
        });
        offset += length;
        rest = &rest[length..];
    }
    Some(lines)
}

/// Each character's width on screen: tabs to the next multiple of four, ANSI escapes none.
fn visual_widths(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut column = 0;
    let mut escaped = false;
    text.chars().map(move |c| {
        let width = match (escaped, c) {
            (false, '\t') => TAB_WIDTH - column % TAB_WIDTH,
            (false, '\x1b') => {
                escaped = true;
                0
            }
            (false, c) => c.width().unwrap_or(0),
            (true, 'm') => {
                escaped = false;
                0
            }
            (true, _) => 0,
        };
        column += width;
        width
    })
}

/// A line's text with tabs expanded, and its line break.
fn line_text(f: &mut String, text: &str) {
    if !text.contains('\t') {
        f.push_str(text);
    } else {
        for (c, width) in text.chars().zip(visual_widths(text)) {
            if c == '\t' {
                pad(f, width);
            } else {
                f.push(c);
            }
        }
    }
    f.push('\n');
}

/// miette's unwrapped `wrap`: each line of `text` after its indent (trimmed on blank lines).
fn indent(f: &mut String, text: &str, initial: &str, subsequent: &str) {
    for (n, line) in text.split_terminator('\n').enumerate() {
        if n > 0 {
            f.push('\n');
        }
        let indent = if n == 0 { initial } else { subsequent };
        if line.trim().is_empty() {
            f.push_str(indent.trim_end());
        } else {
            f.push_str(indent);
        }
        f.push_str(line);
    }
    if text.ends_with('\n') {
        f.push('\n');
    }
}

/// A severity's style and icon in `theme`.
fn severity_look(theme: &GraphicalTheme, severity: miette::Severity) -> (Style, &str) {
    let (styles, characters) = (&theme.styles, &theme.characters);
    match severity {
        miette::Severity::Error => (styles.error, &characters.error),
        miette::Severity::Warning => (styles.warning, &characters.warning),
        miette::Severity::Advice => (styles.advice, &characters.advice),
    }
}

fn pad(f: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = n;
    while left > 0 {
        let run = left.min(SPACES.len());
        f.push_str(&SPACES[..run]);
        left -= run;
    }
}

fn push_repeated(f: &mut String, c: char, n: usize) {
    let mut buffer = [0; 4];
    let encoded = c.encode_utf8(&mut buffer);
    f.reserve(encoded.len() * n);
    for _ in 0..n {
        f.push_str(encoded);
    }
}

/// `text` in `style`, as `text.style(style)` displays.
fn styled(f: &mut String, text: &str, style: Style) -> fmt::Result {
    if style.is_plain() {
        f.push_str(text);
        Ok(())
    } else {
        write!(f, "{}", text.style(style))
    }
}

fn decimal_width(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::excerpt::line_starts;

    /// A report on `text` with `labels` (byte ranges and texts), first one primary.
    fn report(text: &str, labels: &[(std::ops::Range<usize>, Option<&str>)]) -> Report {
        let ranges: Vec<_> = labels.iter().map(|(r, _)| r.clone()).collect();
        let (excerpt, mapped) =
            Excerpt::new("f.md".into(), text, &line_starts(text), &ranges, 88, 60);
        let labels = mapped
            .into_iter()
            .zip(labels)
            .enumerate()
            .filter_map(|(n, (range, (_, name)))| {
                let range = range?;
                let name = name.map(str::to_string);
                let at = (range.start, range.len());
                Some(if n == 0 {
                    LabeledSpan::new_primary_with_span(name, at)
                } else {
                    LabeledSpan::new_with_span(name, at)
                })
            })
            .collect();
        Report {
            message: "ITEM-1 touches authentication\nsecond line".into(),
            rule: "triage/missing-spike",
            severity: miette::Severity::Warning,
            help: Some("link a spike".into()),
            source: Some(excerpt),
            labels,
            related: Vec::new(),
        }
    }

    fn at(text: &str, word: &str) -> std::ops::Range<usize> {
        let start = text
            .find(word)
            .unwrap_or_else(|| panic!("{word} not in text"));
        start..start + word.len()
    }

    /// Draws `report` both ways in both themes and checks they agree; returns who drew it.
    fn agree(report: &Report) -> DrawnBy {
        let mut by = Vec::new();
        for color in [false, true] {
            let drawer = Drawer::new(color, 100);
            let (fast, drawn_by) = drawer.draw(report).unwrap_or_else(|e| panic!("{e}"));
            let reference = drawer.by_miette(report).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(fast, reference, "colour {color}");
            by.push(drawn_by);
        }
        assert_eq!(by[0], by[1]);
        by[0]
    }

    const TEXT: &str = "---\nid: ITEM-1\ntitle: Login\n---\n\n## Description\n\nUsers log in\twith a password; the session token is stored in a cookie.\nСессия хранится 会话 in the database.\n\nmore\ntext\nhere\nand\nthe end: audit log\n";

    #[test]
    fn one_label_two_on_a_line_tabs_and_wide_characters_draw_on_the_fast_path() {
        for labels in [
            vec![(at(TEXT, "password"), Some("authentication"))],
            vec![
                (at(TEXT, "password"), Some("authentication")),
                (at(TEXT, "session token"), Some("session")),
                (at(TEXT, "cookie"), None),
            ],
            vec![(at(TEXT, "database"), Some("storage"))],
            vec![(at(TEXT, "会话"), Some("wide"))],
            vec![
                (at(TEXT, "ITEM-1"), Some("same label")),
                (at(TEXT, "ITEM-1"), Some("same label")),
            ],
            vec![(
                at(TEXT, "Login").start..at(TEXT, "Login").start,
                Some("empty"),
            )],
            // Far apart: two snippets from one excerpt.
            vec![
                (at(TEXT, "Login"), Some("a")),
                (at(TEXT, "audit log"), Some("b")),
            ],
        ] {
            assert_eq!(
                agree(&report(TEXT, &labels)),
                DrawnBy::FastPath,
                "{labels:?}"
            );
        }
    }

    #[test]
    fn related_places_and_reports_without_snippets_draw_on_the_fast_path() {
        let mut main = report(TEXT, &[(at(TEXT, "password"), Some("here"))]);
        main.related
            .push(report(TEXT, &[(at(TEXT, "audit log"), Some("spike"))]));
        if let Some(related) = main.related.first_mut() {
            related.severity = miette::Severity::Advice;
            related.rule = "";
            related.help = None;
        }
        main.related.push(Report {
            source: None,
            labels: Vec::new(),
            ..report(TEXT, &[])
        });
        assert_eq!(agree(&main), DrawnBy::FastPath);
        let bare = Report {
            rule: "",
            help: None,
            message: "\nblank first line\n\n".into(),
            ..report(TEXT, &[])
        };
        assert_eq!(agree(&bare), DrawnBy::FastPath);
    }

    #[test]
    fn a_label_across_lines_is_left_to_miette() {
        let across = at(TEXT, "Users").start..at(TEXT, "database").end;
        let r = report(TEXT, &[(across, Some("multi-line"))]);
        assert_eq!(agree(&r), DrawnBy::Miette);
    }
}
