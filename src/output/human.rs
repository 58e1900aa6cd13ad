//! `--format human`: compiler-style diagnostics as miette draws them (the file, the exact span,
//! the rule id, a help line; drawn by [`super::graphical`]), then a summary line. Snippets are
//! read again from their source and every character that could drive the terminal is
//! neutralised first.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use miette::LabeledSpan;

use super::excerpt::Excerpt;
use super::graphical::{Drawer, Report};
use rayon::prelude::*;

use super::plural;
use super::statistics::{Statistics, next_steps};
use crate::config::load::ConfigError;
use crate::diagnostic::{Finding, Severity, Summary};
use crate::filter::StatusClass;
use crate::outcome::{CheckOutcome, finding_path};
use crate::source::{SourceId, SourceMap, SourceReader, decode, one_line, sanitize_for_terminal};
use crate::util::text::cut_chars;

/// Findings rendered together (files read and diagnostics drawn in parallel).
const RENDER_BATCH: usize = 512;

/// How the human report looks.
#[derive(Clone, Copy, Debug, Default)]
pub struct HumanStyle {
    pub color: bool,
    pub width: usize,
    /// Draw every finding with miette's own handler instead of the fast drawer that draws the
    /// same bytes (the reference the tests compare the fast drawer with).
    pub miette_only: bool,
}

/// Source texts read again for snippets (sanitised for the terminal), for one batch of findings.
struct Snippets<'a> {
    sources: &'a SourceMap,
    /// Each file's text and where its lines start.
    texts: HashMap<SourceId, Arc<(String, Vec<usize>)>>,
}

impl Snippets<'_> {
    fn text(&self, id: SourceId) -> Option<Arc<(String, Vec<usize>)>> {
        self.texts.get(&id).cloned()
    }

    fn path(&self, id: SourceId) -> &str {
        self.sources.path(id)
    }
}

/// Reads, in parallel, every file the findings point into: each as far as the line after the
/// last place shown in it (a snippet shows one line of context), which is all a snippet of it
/// can show.
fn read_sources<'a>(
    findings: &[Finding],
    sources: &'a SourceMap,
    reader: &dyn SourceReader,
) -> Snippets<'a> {
    // (file, the furthest end of a place in it)
    let mut ends: Vec<(SourceId, usize)> = findings
        .iter()
        .flat_map(|f| f.span.iter().chain(f.related.iter().map(|r| &r.span)))
        .map(|s| (s.source, s.end as usize))
        .collect();
    ends.sort_unstable();
    // The last entry of each file holds its furthest end.
    ends.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            earlier.1 = later.1;
        }
        same
    });
    let texts = ends
        .par_iter()
        .filter_map(|&(id, end)| {
            let file = sources.get(id)?;
            let mut bytes = reader.read(file).ok()?;
            bytes.truncate(shown_part(&bytes, end));
            let (text, _) = decode(bytes);
            // Nearly every file has nothing to replace: keep it rather than copy it.
            let text = match sanitize_for_terminal(&text) {
                std::borrow::Cow::Borrowed(_) => text,
                std::borrow::Cow::Owned(safe) => safe,
            };
            let lines = super::excerpt::line_starts(&text);
            Some((id, Arc::new((text, lines))))
        })
        .collect();
    Snippets { sources, texts }
}

/// How many of a file's `bytes` a snippet of places ending at most at `end` (an offset into
/// the decoded text) can show: through the line after the one `end` is on (its context line).
/// Decoding only ever lengthens text (an invalid byte becomes a 3-byte U+FFFD), so the byte at
/// `end` is on that line or a later one, and the part kept is never short; a longer part shows
/// the same. The cut follows a line break, which never splits a character.
fn shown_part(bytes: &[u8], end: usize) -> usize {
    let from = end.min(bytes.len());
    memchr::memchr_iter(b'\n', bytes.get(from..).unwrap_or_default())
        .nth(1)
        .map_or(bytes.len(), |n| from + n + 1)
}

/// A span that fits the re-read text (it may have changed on disk since it was parsed).
fn fits(text: &str, start: usize, end: usize) -> bool {
    end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}

/// Label texts longer than this are cut.
const LABEL_CHARS: usize = 40;

/// The snippet columns left beside miette's gutter (`  123 │ `) in a terminal `width` wide.
fn snippet_chars(width: usize) -> usize {
    width.saturating_sub(12).max(30)
}

/// How far in a label may start so that its text, drawn to the right of its pointer, fits.
fn label_column(width: usize, longest_label: usize) -> usize {
    snippet_chars(width).saturating_sub(longest_label.min(LABEL_CHARS) + 8)
}

/// A label's text, cut to [`LABEL_CHARS`].
fn label_text(text: &str) -> Option<String> {
    let line = one_line(text);
    (!line.is_empty()).then(|| cut_chars(line, LABEL_CHARS))
}

/// A path short enough for the snippet's header line: its middle elided when long.
fn header_path(path: &str, width: usize) -> String {
    let clean = one_line(path);
    let max = width.saturating_sub(22).max(20);
    let count = clean.chars().count();
    if count <= max {
        return clean;
    }
    let keep = max - 1;
    let head: String = clean.chars().take(keep / 3).collect();
    let tail: String = clean.chars().skip(count - (keep - keep / 3)).collect();
    format!("{head}…{tail}")
}

fn build(finding: &Finding, snippets: &Snippets<'_>, width: usize) -> Report {
    let severity = match finding.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    };
    let mut report = Report {
        message: one_line(&finding.message),
        rule: finding.rule.as_str(),
        severity,
        help: Some(one_line(&finding.help_text())).filter(|h| !h.is_empty()),
        source: None,
        labels: Vec::new(),
        related: Vec::new(),
    };
    let Some(span) = finding.span else {
        if let Some(file) = &finding.file {
            report.message = format!("{} ({})", report.message, one_line(file));
        }
        return report;
    };
    let path = snippets.path(span.source).to_string();
    let Some(source) = snippets
        .text(span.source)
        .filter(|t| fits(&t.0, span.start as usize, span.end as usize))
    else {
        report.message = format!(
            "{} ({}:{}:{})",
            report.message,
            one_line(&path),
            span.begin.line,
            span.begin.column
        );
        return report;
    };
    let (text, lines) = (&source.0, &source.1);
    // Labels in this file: the primary one, then related places that fit it.
    let mut ranges = Vec::with_capacity(1 + finding.related.len());
    ranges.push(span.start as usize..span.end as usize);
    let mut names = vec![label_text(&finding.label)];
    for related in &finding.related {
        let (start, end) = (related.span.start as usize, related.span.end as usize);
        if related.span.source == span.source && fits(text, start, end) {
            ranges.push(start..end);
            names.push(label_text(&related.message));
        } else if let Some(other) = snippets
            .text(related.span.source)
            .filter(|t| fits(&t.0, start, end))
        {
            let other_path = header_path(snippets.path(related.span.source), width);
            let (excerpt, mapped) = Excerpt::new(
                other_path,
                &other.0,
                &other.1,
                std::slice::from_ref(&(start..end)),
                snippet_chars(width),
                label_column(width, 0),
            );
            report.related.push(Report {
                message: one_line(&related.message),
                rule: "",
                severity: miette::Severity::Advice,
                help: None,
                source: Some(excerpt),
                labels: mapped
                    .into_iter()
                    .flatten()
                    .map(|r| LabeledSpan::new_primary_with_span(None, (r.start, r.len())))
                    .collect(),
                related: Vec::new(),
            });
        }
    }
    let longest = names
        .iter()
        .flatten()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0);
    let (excerpt, mapped) = Excerpt::new(
        header_path(&path, width),
        text,
        lines,
        &ranges,
        snippet_chars(width),
        label_column(width, longest),
    );
    for (n, (range, name)) in mapped.into_iter().zip(names).enumerate() {
        let Some(range) = range else { continue };
        let at = (range.start, range.len());
        report.labels.push(if n == 0 {
            LabeledSpan::new_primary_with_span(name, at)
        } else {
            LabeledSpan::new_with_span(name, at)
        });
    }
    report.source = Some(excerpt);
    report
}

/// Wraps the message (after miette's 4-column `  × `), the help (after `  help: `) and the
/// related messages of `report` as miette would for a terminal `width` columns wide (it keeps
/// two columns free).
fn prewrap(report: &mut Report, terminal_width: usize, helps: &mut WrappedHelps) {
    let width = terminal_width.saturating_sub(2);
    report.message = super::wrap::first_fit(&report.message, width, 4);
    if let Some(help) = report.help.take() {
        report.help = Some(helps.wrap(help, width));
    }
    for related in &mut report.related {
        prewrap(related, terminal_width, helps);
    }
}

/// Help texts already wrapped, by their text: most findings of a rule share one help (the
/// same few hundred bytes to wrap again for each of thousands of findings otherwise).
#[derive(Default)]
struct WrappedHelps {
    /// The width they were wrapped for.
    width: usize,
    wrapped: HashMap<String, String>,
}

impl WrappedHelps {
    /// Helps kept at most; past this, a help is wrapped each time (helps that name an item).
    const MOST: usize = 64;

    /// `help` wrapped after `  help: ` for `width` columns.
    fn wrap(&mut self, help: String, width: usize) -> String {
        if width != self.width {
            self.wrapped.clear();
            self.width = width;
        }
        if let Some(wrapped) = self.wrapped.get(&help) {
            return wrapped.clone();
        }
        let wrapped = super::wrap::first_fit(&help, width, 8);
        if self.wrapped.len() < Self::MOST {
            self.wrapped.insert(help, wrapped.clone());
        }
        wrapped
    }
}

/// Writes every finding and the summary line.
pub fn write(
    out: &mut dyn Write,
    outcome: &CheckOutcome,
    reader: &dyn SourceReader,
    style: HumanStyle,
) -> io::Result<()> {
    let drawer = Drawer::new(style.color, style.width);
    // Findings are rendered in parallel, a batch at a time (bounded memory), and written in
    // order, under a heading per group (the backlog as a whole, open items, done ones) and per
    // item.
    let mut group: Option<(StatusClass, Option<usize>)> = None;
    for batch in outcome.findings.chunks(RENDER_BATCH) {
        let snippets = read_sources(batch, &outcome.sources, reader);
        let rendered: Vec<String> = batch
            .par_iter()
            .map_init(WrappedHelps::default, |helps, finding| {
                let mut report = build(finding, &snippets, style.width);
                prewrap(&mut report, style.width, helps);
                let drawn = if style.miette_only {
                    drawer.by_miette(&report)
                } else {
                    drawer.draw(&report).map(|(text, _)| text)
                };
                let mut text = drawn.unwrap_or_default();
                if text.is_empty() {
                    text = format!(
                        "{}: {} [{}] {}\n",
                        finding.severity,
                        report.message,
                        finding.rule,
                        finding_path(finding, &outcome.sources)
                    );
                }
                text.push('\n');
                text
            })
            .collect();
        for (finding, text) in batch.iter().zip(rendered) {
            let class = StatusClass::of(finding, &outcome.backlog);
            let key = (class, finding.item_index);
            if group.map(|(c, _)| c) != Some(class) {
                write_heading(out, class_heading(class), style)?;
            }
            if group != Some(key) {
                if let Some(item) = finding
                    .item_index
                    .and_then(|i| outcome.backlog.items.get(i))
                {
                    write_item_line(out, item, style)?;
                }
                group = Some(key);
            }
            out.write_all(text.as_bytes())?;
        }
    }
    if !outcome.findings.is_empty() {
        let stats = Statistics::of(outcome);
        write_heading(out, "Summary", style)?;
        stats.write_table(out)?;
        let steps = next_steps(outcome, &stats);
        if !steps.is_empty() {
            writeln!(out)?;
            writeln!(out, "next steps:")?;
            for (n, step) in steps.iter().enumerate() {
                let wrapped = super::wrap::first_fit(step, style.width.saturating_sub(2), 5);
                let wrapped = sanitize_for_terminal(&wrapped).replace('\n', "\n     ");
                writeln!(out, "  {}. {wrapped}", n + 1)?;
            }
        }
        writeln!(out)?;
    }
    write_summary(out, &outcome.summary, style.color)
}

fn class_heading(class: StatusClass) -> &'static str {
    match class {
        StatusClass::Backlog => "The backlog as a whole",
        StatusClass::Open => "Open items (to do, in progress)",
        StatusClass::Done => "Done, cancelled and archived items",
    }
}

/// `── Open items ───…`, as wide as the report.
fn write_heading(out: &mut dyn Write, title: &str, style: HumanStyle) -> io::Result<()> {
    let rule = "─".repeat(
        style
            .width
            .saturating_sub(title.chars().count() + 4)
            .min(76),
    );
    let line = format!("── {title} {rule}");
    if style.color {
        let bold = anstyle::Style::new().bold();
        writeln!(out, "{}{line}{}\n", bold.render(), bold.render_reset())
    } else {
        writeln!(out, "{line}\n")
    }
}

/// `▸ TASK-12 · Title (in progress)`, cut to the width.
fn write_item_line(
    out: &mut dyn Write,
    item: &crate::model::Item,
    style: HumanStyle,
) -> io::Result<()> {
    let status = if item.archived {
        "archived".to_string()
    } else {
        item.status.name().to_string()
    };
    let line = cut_chars(
        format!(
            "▸ {} · {} ({status})",
            one_line(&item.id),
            one_line(&item.title)
        ),
        style.width,
    );
    let line = sanitize_for_terminal(&line).into_owned();
    if style.color {
        let bold = anstyle::Style::new().bold();
        writeln!(out, "{}{line}{}", bold.render(), bold.render_reset())
    } else {
        writeln!(out, "{line}")
    }
}

/// Writes configuration problems as diagnostics pointing into the file, then a summary line.
pub fn write_config_errors(
    out: &mut dyn Write,
    errors: &[ConfigError],
    color: bool,
    width: usize,
) -> io::Result<()> {
    let drawer = Drawer::new(color, width);
    for error in errors.iter().take(MAX_CONFIG_ERRORS_SHOWN) {
        let text = sanitize_for_terminal(&error.text).into_owned();
        let ranges: Vec<std::ops::Range<usize>> = error
            .range
            .iter()
            .filter(|r| fits(&text, r.start, r.end))
            .cloned()
            .collect();
        let (excerpt, mapped) = Excerpt::new(
            header_path(&error.file, width),
            &text,
            &super::excerpt::line_starts(&text),
            &ranges,
            snippet_chars(width),
            label_column(width, "here".len()),
        );
        let mut report = Report {
            message: format!(
                "{}:{}:{}: {}",
                one_line(&error.file),
                error.line,
                error.column,
                one_line(&error.message)
            ),
            rule: "config/invalid",
            severity: miette::Severity::Error,
            help: error.help.as_deref().map(one_line),
            labels: mapped
                .into_iter()
                .flatten()
                .map(|r| {
                    LabeledSpan::new_primary_with_span(Some("here".to_string()), (r.start, r.len()))
                })
                .collect(),
            source: Some(excerpt),
            related: Vec::new(),
        };
        prewrap(&mut report, width, &mut WrappedHelps::default());
        let rendered = match drawer.draw(&report) {
            Ok((text, _)) => text,
            Err(_) => format!("error: {}\n", report.message),
        };
        writeln!(out, "{rendered}")?;
    }
    if errors.len() > MAX_CONFIG_ERRORS_SHOWN {
        writeln!(
            out,
            "… and {} more problems (the first {MAX_CONFIG_ERRORS_SHOWN} are shown; fix them and run again)",
            errors.len() - MAX_CONFIG_ERRORS_SHOWN
        )?;
    }
    writeln!(
        out,
        "backlint: the configuration has {} problem{}; nothing was checked",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    )
}

/// Configuration problems rendered one by one; a file with more is summarised.
pub const MAX_CONFIG_ERRORS_SHOWN: usize = 20;

/// `backlint: 12 files, 40 items, 9 triggered the checklist — 3 errors, 1 warning`
pub fn write_summary(out: &mut dyn Write, summary: &Summary, color: bool) -> io::Result<()> {
    let paint = |text: String, style: anstyle::Style| {
        if color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text
        }
    };
    let red = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Red.into()));
    let yellow = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Yellow.into()));
    let green = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Green.into()));
    let errors = plural(summary.errors, "error");
    let warnings = plural(summary.warnings, "warning");
    let verdict = match (summary.errors, summary.warnings) {
        (0, 0) => paint("no problems".to_string(), green),
        (0, _) => paint(warnings, yellow),
        (_, 0) => paint(errors, red),
        _ => format!("{}, {}", paint(errors, red), paint(warnings, yellow)),
    };
    writeln!(
        out,
        "backlint: {}, {}, {} triggered the checklist — {verdict}",
        plural(summary.files, "file"),
        plural(summary.items, "item"),
        summary.triggered
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the text `full` must reach for a snippet of places ending at `end`: through the
    /// line after the one `end` is on.
    fn needed(full: &str, end: usize) -> usize {
        let end = end.min(full.len());
        memchr::memchr_iter(b'\n', &full.as_bytes()[end..])
            .nth(1)
            .map_or(full.len(), |n| end + n + 1)
    }

    #[test]
    fn a_file_is_read_through_the_line_after_the_last_place_shown() {
        let bytes = b"a\nbb\ncc\ndd\nee";
        // A place on line 1 ("bb"): lines 0..=2 are kept.
        assert_eq!(shown_part(bytes, 3), 8);
        // A place that ends at its line break is on that line.
        assert_eq!(shown_part(bytes, 4), 8);
        // One that takes the line break in ends on the next line.
        assert_eq!(shown_part(bytes, 5), 11);
        // Near the end, or past it: the whole file.
        assert_eq!(shown_part(bytes, 9), bytes.len());
        assert_eq!(shown_part(bytes, 99), bytes.len());
        assert_eq!(shown_part(b"", 0), 0);
    }

    #[test]
    fn invalid_bytes_before_a_place_never_cut_the_part_short() {
        // "\u{fffd}\nab\ncd\nef" decoded: 'b' ends at 6 there, at 4 in the bytes.
        let bytes = b"\xff\nab\ncd\nef";
        let (full, _) = decode(bytes.to_vec());
        let (part, _) = decode(bytes[..shown_part(bytes, 6)].to_vec());
        assert!(full.starts_with(&part));
        assert!(part.len() >= needed(&full, 6), "{part:?}");
    }

    proptest::proptest! {
        /// What is read of a file decodes to the start of the whole file's text, at least
        /// through the line after the place, with any bytes (invalid UTF-8 included) before it.
        #[test]
        fn the_part_read_is_a_long_enough_start_of_the_text(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b' ', b'\n', b'\r', 0xff, 0xc3, 0xa9, 0xe2]),
                0..80,
            ),
            end in 0usize..120,
        ) {
            let (full, _) = decode(bytes.clone());
            let cut = shown_part(&bytes, end);
            let (part, _) = decode(bytes[..cut].to_vec());
            proptest::prop_assert!(full.starts_with(&part));
            proptest::prop_assert!(part.len() >= needed(&full, end));
        }
    }
}
