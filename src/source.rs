//! Source files, byte spans and their 1-based line/column positions (columns count characters).
//!
//! File text is not kept for the whole run: spans carry their positions, computed once while the
//! text is at hand, and renderers that need a snippet read the file again through a
//! [`SourceReader`].

#![allow(
    clippy::indexing_slicing,
    reason = "byte indices are bounded by the checks beside them; tables are 256 entries indexed by a byte"
)]

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in the run's [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SourceId(pub u32);

/// A 1-based line and a 1-based column counted in characters.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A byte range in one source file, with its start and end positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub source: SourceId,
    pub start: u32,
    pub end: u32,
    pub begin: Pos,
    pub finish: Pos,
}

thread_local! {
    /// The source that spans being deserialized belong to (see [`with_span_source`]).
    static SPAN_SOURCE: std::cell::Cell<SourceId> = const { std::cell::Cell::new(SourceId(0)) };
}

/// Runs `f` with every [`Span`] it deserializes belonging to `source`. Spans are stored
/// without their source (a cached file's items belong to whichever run reads them); this
/// supplies it.
pub fn with_span_source<R>(source: SourceId, f: impl FnOnce() -> R) -> R {
    let previous = SPAN_SOURCE.with(|s| s.replace(source));
    let out = f();
    SPAN_SOURCE.with(|s| s.set(previous));
    out
}

/// A source id is stored as nothing and read back as the source being deserialized (see
/// [`with_span_source`]).
impl serde::Serialize for SourceId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl<'de> serde::Deserialize<'de> for SourceId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <()>::deserialize(deserializer)?;
        Ok(SPAN_SOURCE.with(std::cell::Cell::get))
    }
}

impl serde::Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (
            self.start,
            self.end,
            self.begin.line,
            self.begin.column,
            self.finish.line,
            self.finish.column,
        )
            .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (start, end, line, column, end_line, end_column) =
            <(u32, u32, u32, u32, u32, u32)>::deserialize(deserializer)?;
        Ok(Span {
            source: SPAN_SOURCE.with(std::cell::Cell::get),
            start,
            end,
            begin: Pos { line, column },
            finish: Pos {
                line: end_line,
                column: end_column,
            },
        })
    }
}

impl Span {
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// Line starts of one text, to turn byte offsets into [`Pos`] and [`Span`]. Columns count
/// characters; finding one costs O(log lines) on ASCII lines and at most one checkpoint's
/// worth of characters on others, so a 4 MiB single line with a million spans stays linear.
pub struct LineIndex<'a> {
    text: &'a str,
    source: SourceId,
    starts: Vec<u32>,
    /// Lines (0-based) holding non-ASCII text, ascending; empty for ASCII text.
    non_ascii: Vec<u32>,
    /// On long non-ASCII lines, every [`CHECKPOINT`] bytes: (byte offset, characters from the
    /// line's start to it), ascending.
    checkpoints: Vec<(u32, u32)>,
}

/// Bytes between column checkpoints of a long non-ASCII line.
const CHECKPOINT: usize = 4096;

impl<'a> LineIndex<'a> {
    pub fn new(source: SourceId, text: &'a str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| (i + 1) as u32));
        let mut non_ascii = Vec::new();
        let mut checkpoints = Vec::new();
        if !text.is_ascii() {
            for (n, start) in starts.iter().enumerate() {
                let start = *start as usize;
                let end = starts.get(n + 1).map_or(text.len(), |e| *e as usize);
                let Some(line) = text.get(start..end) else {
                    continue;
                };
                if line.is_ascii() {
                    continue;
                }
                non_ascii.push(n as u32);
                let (mut at, mut chars) = (start, 0u32);
                while at + CHECKPOINT < end {
                    let next = floor_char_boundary(text, at + CHECKPOINT);
                    if next <= at {
                        break;
                    }
                    chars += text.get(at..next).map_or(0, |t| t.chars().count()) as u32;
                    checkpoints.push((next as u32, chars));
                    at = next;
                }
            }
        }
        LineIndex {
            text,
            source,
            starts,
            non_ascii,
            checkpoints,
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn source(&self) -> SourceId {
        self.source
    }

    /// Number of lines (a final line without a newline counts).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where the 1-based `line` starts (clamped to the text).
    pub fn line_start(&self, line: u32) -> usize {
        let idx = (line.max(1) - 1) as usize;
        self.starts
            .get(idx)
            .map_or(self.text.len(), |s| *s as usize)
    }

    /// The position of a byte offset; offsets inside a UTF-8 sequence round down.
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line_idx = self
            .starts
            .partition_point(|s| *s as usize <= offset)
            .saturating_sub(1);
        let line_start = self.starts.get(line_idx).map_or(0, |s| *s as usize);
        let column = if self.non_ascii.binary_search(&(line_idx as u32)).is_err() {
            offset - line_start
        } else {
            // Count from the last checkpoint of this line before `offset`.
            let n = self
                .checkpoints
                .partition_point(|(at, _)| (*at as usize) <= offset);
            let (from, base) = match n.checked_sub(1).and_then(|k| self.checkpoints.get(k)) {
                Some((at, chars)) if *at as usize >= line_start => (*at as usize, *chars as usize),
                _ => (line_start, 0),
            };
            base + self.text.get(from..offset).map_or(0, |t| t.chars().count())
        } + 1;
        Pos {
            line: line_idx as u32 + 1,
            column: column as u32,
        }
    }

    /// Byte offset of a 1-based line and character column (clamped to the line).
    pub fn offset_of(&self, line: u32, column: u32) -> usize {
        let start = self.line_start(line);
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let mut offset = start;
        for (n, (i, _)) in self.text[start..line_end].char_indices().enumerate() {
            offset = start + i;
            if n + 1 >= column.max(1) as usize {
                return offset;
            }
        }
        if column as usize > self.text[start..line_end].chars().count() {
            line_end
        } else {
            offset
        }
    }

    pub fn span(&self, range: Range<usize>) -> Span {
        let start = floor_char_boundary(self.text, range.start.min(self.text.len()));
        let end = floor_char_boundary(self.text, range.end.min(self.text.len())).max(start);
        Span {
            source: self.source,
            start: start as u32,
            end: end as u32,
            begin: self.pos(start),
            finish: self.pos(end),
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Where the bytes of an input file come from.
#[derive(Clone, Debug)]
pub enum Origin {
    /// A file on disk.
    Disk(PathBuf),
    /// A file on disk at this root joined with the file's own path: a walk's files share
    /// their root rather than each holding a whole path (at 50,000 files, 4 MB).
    UnderRoot(Arc<Path>),
    /// Bytes already in memory (a git blob, a test fixture).
    Memory(Arc<[u8]>),
    /// Found but not readable (the walk could not enter it); reading fails with this message.
    Unreadable(String),
    /// Read only if it is read at all (a staged file: its blob id is known, and a run that
    /// finds it in the item cache never decides where its bytes are).
    Deferred(Arc<dyn DeferredRead>),
}

/// Bytes that are fetched when first needed.
pub trait DeferredRead: Send + Sync + std::fmt::Debug {
    fn read(&self) -> io::Result<Vec<u8>>;
}

/// One input file: its path relative to the repository root (with `/`), where to read it,
/// and its content's git blob id when that is known without reading it.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// Shared with the items the file holds (each item's `path`).
    pub path: Arc<str>,
    pub origin: Origin,
    pub blob: Option<[u8; 20]>,
}

impl InputFile {
    pub fn new(path: impl Into<Arc<str>>, origin: Origin) -> Self {
        InputFile {
            path: path.into(),
            origin,
            blob: None,
        }
    }

    /// Where the file is on disk, when it is read from disk.
    pub fn disk_path(&self) -> Option<Cow<'_, Path>> {
        match &self.origin {
            Origin::Disk(path) => Some(Cow::Borrowed(path)),
            Origin::UnderRoot(root) => Some(Cow::Owned(root.join(&*self.path))),
            Origin::Memory(_) | Origin::Unreadable(_) | Origin::Deferred(_) => None,
        }
    }

    /// Whether the file is read from disk.
    pub fn is_on_disk(&self) -> bool {
        matches!(self.origin, Origin::Disk(_) | Origin::UnderRoot(_))
    }
}

/// The files of one run, indexed by [`SourceId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<InputFile>,
}

impl SourceMap {
    pub fn new(files: Vec<InputFile>) -> Self {
        SourceMap { files }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn get(&self, id: SourceId) -> Option<&InputFile> {
        self.files.get(id.0 as usize)
    }

    pub fn path(&self, id: SourceId) -> &str {
        self.get(id).map_or("<unknown>", |f| &*f.path)
    }

    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &InputFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (SourceId(i as u32), f))
    }

    /// Adds a file that is not part of the walk (a configured definition of done).
    pub fn push(&mut self, file: InputFile) -> SourceId {
        self.files.push(file);
        SourceId(self.files.len() as u32 - 1)
    }
}

/// Reads an input file's bytes. The walk reads from disk; `--staged` reads git blobs.
pub trait SourceReader: Sync {
    fn read(&self, file: &InputFile) -> io::Result<Vec<u8>>;
}

/// Reads [`Origin::Disk`] and [`Origin::UnderRoot`] files from the file system and
/// [`Origin::Memory`] from memory.
#[derive(Clone, Copy, Debug, Default)]
pub struct FsReader;

impl SourceReader for FsReader {
    fn read(&self, file: &InputFile) -> io::Result<Vec<u8>> {
        match &file.origin {
            Origin::Disk(path) => std::fs::read(path),
            Origin::UnderRoot(root) => std::fs::read(root.join(&*file.path)),
            Origin::Memory(bytes) => Ok(bytes.to_vec()),
            Origin::Unreadable(message) => Err(io::Error::other(message.clone())),
            Origin::Deferred(content) => content.read(),
        }
    }
}

/// Decodes file bytes as UTF-8, dropping a leading byte-order mark. Invalid sequences become
/// U+FFFD so that one bad byte does not hide a whole item; the returned flag says it happened.
pub fn decode(bytes: Vec<u8>) -> (String, bool) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, false),
        Err(err) => (String::from_utf8_lossy(err.as_bytes()).into_owned(), true),
    }
}

/// Replaces characters that a terminal would interpret (C0/C1 controls other than tab and
/// newline, DEL, bidirectional overrides, and carriage returns, which become spaces) so that item text can never drive the terminal.
/// Each replaced character becomes as many `?` as it has UTF-8 bytes, which keeps byte offsets
/// valid for snippet rendering.
pub fn sanitize_for_terminal(text: &str) -> Cow<'_, str> {
    let Some(first) = unsafe_byte(text.as_bytes(), 0) else {
        return Cow::Borrowed(text);
    };
    // Every replacement is ASCII of the same length, so the bytes are patched in place.
    let mut bytes = text.as_bytes().to_vec();
    let mut next = Some(first);
    while let Some((at, len)) = next {
        let fill = if bytes[at] == b'\r' { b' ' } else { b'?' };
        bytes[at..at + len].fill(fill);
        next = unsafe_byte(text.as_bytes(), at + len);
    }
    match String::from_utf8(bytes) {
        Ok(clean) => Cow::Owned(clean),
        // Unreachable for a `str` (whole sequences are replaced); be safe anyway.
        Err(err) => Cow::Owned(String::from_utf8_lossy(err.as_bytes()).into_owned()),
    }
}

/// Like [`sanitize_for_terminal`] but also folds newlines, for one-line messages: tabs, line
/// breaks and runs of spaces become one space, and the ends are trimmed.
pub fn one_line(text: &str) -> String {
    // Most ids and titles are short, printable ASCII already on one line.
    let plain = text.bytes().all(|b| (0x20..0x7f).contains(&b))
        && !text.contains("  ")
        && !text.starts_with(' ')
        && !text.ends_with(' ');
    if plain {
        return text.to_string();
    }
    let cleaned = sanitize_for_terminal(text);
    // Most messages, helps, ids and titles are already one line: a scan without a branch per
    // byte (vectorised) finds a tab, a line break or two spaces in a row, which need folding.
    let bytes = cleaned.as_bytes();
    let breaks = bytes
        .iter()
        .fold(false, |any, b| any | (*b == b'\n') | (*b == b'\t'));
    let double_spaces = bytes.windows(2).fold(false, |any, pair| {
        any | ((pair[0] == b' ') & (pair[1] == b' '))
    });
    if !breaks && !double_spaces {
        return cleaned.trim().to_string();
    }
    // Only ASCII bytes are replaced or dropped, so what is left is still UTF-8.
    let mut out = Vec::with_capacity(bytes.len());
    let mut last_space = false;
    for &byte in bytes {
        let byte = if matches!(byte, b'\n' | b'\t') {
            b' '
        } else {
            byte
        };
        if byte == b' ' && last_space {
            continue;
        }
        last_space = byte == b' ';
        out.push(byte);
    }
    let folded = match String::from_utf8(out) {
        Ok(folded) => folded,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    };
    folded.trim().to_string()
}

/// Whether `text` holds a carriage return or a character [`is_unsafe_for_terminal`], decided on
/// the UTF-8 bytes: C0 controls and DEL are single bytes, C1 controls start with `C2 80..9F`,
/// the bidirectional controls with `E2 80 AA..AE` and `E2 81 A6..A9`.
#[cfg(test)]
fn needs_sanitising(text: &str) -> bool {
    unsafe_byte(text.as_bytes(), 0).is_some()
}

/// The next carriage return or unsafe character at or after `from`: (offset, length in bytes).
fn unsafe_byte(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut at = from;
    while let Some(n) = first_suspicious(bytes.get(at..)?) {
        let i = at + n;
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        let after = bytes.get(i + 2).copied().unwrap_or(0);
        let len = match bytes[i] {
            0xC2 if (0x80..=0x9F).contains(&next) => 2,
            0xE2 if (next == 0x80 && (0xAA..=0xAE).contains(&after))
                || (next == 0x81 && (0xA6..=0xA9).contains(&after)) =>
            {
                3
            }
            0xC2 | 0xE2 => 0,
            _ => 1,
        };
        if len > 0 {
            return Some((i, len));
        }
        at = i + 1;
    }
    None
}

/// Where the first byte that [`is_suspicious`] is: 32 bytes at a time by comparisons without
/// branches (which the compiler turns into vector instructions: nearly every text has none of
/// these bytes, and the whole of every quoted file is scanned), then byte by byte in the block
/// that holds one.
fn first_suspicious(bytes: &[u8]) -> Option<usize> {
    let mut clean = 0;
    for block in bytes.chunks_exact(32) {
        if block.iter().fold(false, |any, b| any | is_suspicious(*b)) {
            break;
        }
        clean += 32;
    }
    let rest = bytes.get(clean..)?;
    rest.iter()
        .position(|b| is_suspicious(*b))
        .map(|n| clean + n)
}

/// A byte that is, or may start, a character never echoed raw: a C0 control but tab and
/// newline, DEL, or the first byte of a C1 control (`C2`) or of a bidirectional control (`E2`).
fn is_suspicious(b: u8) -> bool {
    (b < 0x20) & (b != 0x0a) & (b != 0x09) | (b == 0x7f) | (b == 0xC2) | (b == 0xE2)
}

/// The characters never echoed raw: C0 and C1 controls (but tab and newline), DEL, and the
/// bidirectional overrides (the reference for [`unsafe_byte`]).
#[cfg(test)]
fn is_unsafe_for_terminal(ch: char) -> bool {
    matches!(ch, '\u{0}'..='\u{8}' | '\u{b}'..='\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_agree_with_counting_characters_on_long_and_mixed_lines() {
        let long: String = (0..9000)
            .map(|i| if i % 7 == 0 { 'é' } else { 'a' })
            .collect();
        let text = format!("ascii line\n{long}\nzß\n\n{}\nend", "x".repeat(5000));
        let index = LineIndex::new(SourceId(0), &text);
        let naive = |offset: usize| {
            let offset = floor_char_boundary(&text, offset.min(text.len()));
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            Pos {
                line: text[..offset].matches('\n').count() as u32 + 1,
                column: text[line_start..offset].chars().count() as u32 + 1,
            }
        };
        for offset in (0..text.len() + 3)
            .step_by(37)
            .chain([0, 11, 12, text.len()])
        {
            assert_eq!(index.pos(offset), naive(offset), "offset {offset}");
        }
    }

    #[test]
    fn byte_patching_agrees_with_character_replacement() {
        let reference = |t: &str| -> String {
            t.chars()
                .flat_map(|ch| {
                    let n = ch.len_utf8();
                    if ch == '\r' {
                        vec![' ']
                    } else if is_unsafe_for_terminal(ch) {
                        vec!['?'; n]
                    } else {
                        vec![ch]
                    }
                })
                .collect()
        };
        for ch in (0u32..0x3000).filter_map(char::from_u32) {
            let text = format!("a\r{ch}é…{ch}\u{202e}b\u{85}");
            assert_eq!(
                sanitize_for_terminal(&text),
                reference(&text),
                "{:?}",
                ch as u32
            );
        }
    }

    #[test]
    fn the_byte_check_agrees_with_the_character_check() {
        let by_chars = |t: &str| t.chars().any(|ch| ch == '\r' || is_unsafe_for_terminal(ch));
        for ch in (0u32..0x3000).filter_map(char::from_u32) {
            for text in [format!("{ch}"), format!("a{ch}b"), format!("é…{ch}")] {
                assert_eq!(needs_sanitising(&text), by_chars(&text), "{:?}", ch as u32);
            }
        }
    }

    #[test]
    fn unsafe_characters_are_found_wherever_they_fall_in_a_long_text() {
        // The scan reads 32-byte blocks: put each kind of character at every place around
        // and across the blocks' edges, with clean look-alikes (`é` starts with `C3`,
        // `…` with `E2 80 A6`, U+00A0 with `C2 A0`) before it.
        for ch in ['\u{1b}', '\r', '\u{7f}', '\u{85}', '\u{202e}', '\u{2066}'] {
            for at in 0..100 {
                let text = format!(
                    "{}{ch}{}",
                    "é…\u{a0}x".repeat(at / 8) + &"a".repeat(at % 8),
                    "b".repeat(70)
                );
                let safe = sanitize_for_terminal(&text);
                let replaced = if ch == '\r' {
                    " ".to_string()
                } else {
                    "?".repeat(ch.len_utf8())
                };
                assert_eq!(safe, text.replace(ch, &replaced), "{:?} at {at}", ch as u32);
                assert!(needs_sanitising(&text));
            }
        }
        let clean = "é…\u{a0}x\tline\n".repeat(40);
        assert!(matches!(sanitize_for_terminal(&clean), Cow::Borrowed(_)));
    }

    #[test]
    fn positions_count_characters() {
        let text = "ab\nпривет webhook\n";
        let index = LineIndex::new(SourceId(0), text);
        let offset = text.find("webhook").unwrap_or_default();
        assert_eq!(index.pos(offset), Pos { line: 2, column: 8 });
        assert_eq!(index.pos(0), Pos { line: 1, column: 1 });
        let span = index.span(offset..offset + 7);
        assert_eq!(
            span.finish,
            Pos {
                line: 2,
                column: 15
            }
        );
        assert_eq!(index.offset_of(2, 8), offset);
    }

    #[test]
    fn positions_clamp_inside_multibyte() {
        let text = "пр";
        let index = LineIndex::new(SourceId(0), text);
        assert_eq!(index.pos(1), Pos { line: 1, column: 1 });
        assert_eq!(index.pos(99), Pos { line: 1, column: 3 });
    }

    #[test]
    fn escapes_are_neutralised_with_offsets_kept() {
        let text = "a\u{1b}[31mred\u{9b}x\u{202e}y\tz\n";
        let clean = sanitize_for_terminal(text);
        assert_eq!(clean.len(), text.len());
        assert!(!clean.contains('\u{1b}'));
        assert!(!clean.contains('\u{9b}'));
        assert!(!clean.contains('\u{202e}'));
        assert!(clean.contains("\tz\n"));
        assert_eq!(one_line("a\n  b\u{7}"), "a b?");
    }

    /// What [`one_line`] did a character at a time (the reference its byte scan must match).
    fn one_line_by_chars(text: &str) -> String {
        let mut out = String::new();
        let mut last_space = false;
        for ch in sanitize_for_terminal(text).chars() {
            let ch = if matches!(ch, '\n' | '\r' | '\t') {
                ' '
            } else {
                ch
            };
            if ch == ' ' && last_space {
                continue;
            }
            last_space = ch == ' ';
            out.push(ch);
        }
        out.trim().to_string()
    }

    #[test]
    fn one_line_folds_as_a_character_at_a_time_would() {
        let cases = [
            "",
            " ",
            "plain id",
            "  lead and trail  ",
            "tab\there",
            "a\r\nb",
            "\u{a0}nbsp ends\u{a0}",
            "em — dash… and \u{2003}em space\u{2003}",
            "\u{1b}[31m red \u{9b} \u{202e}x\u{2066}",
            "\u{85}next line\u{85}",
            "many     spaces\n\n\t in  a  row ",
            "пр  ивет\nмир",
        ];
        for case in cases {
            assert_eq!(one_line(case), one_line_by_chars(case), "{case:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn one_line_matches_the_character_reference(
            text in "[ a\t\n\r\u{7}\u{1b}\u{85}\u{9b}\u{a0}é—\u{202e}\u{2003}]{0,40}",
        ) {
            proptest::prop_assert_eq!(one_line(&text), one_line_by_chars(&text));
        }
    }
}
