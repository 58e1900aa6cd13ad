//! A direct parser for the YAML that front matter is nearly always made of: top-level
//! `key: value` lines whose values are plain or quoted one-line scalars, flow lists of scalars,
//! block lists of scalars, or `>`/`|` block scalars. It returns exactly the tree serde-saphyr
//! would (values and spans; a test holds the two together over the corpus and random input),
//! and `None` for anything else, which then goes to serde-saphyr. It exists for speed: most
//! files never reach the general parser.

use std::ops::Range;

use super::yaml::{YamlNode, YamlValue};

/// Whether the fast path may read `text`: only characters YAML 1.2 calls printable (no C0
/// control but tab, line feed and carriage return; no DEL, C1 control, U+FFFE/U+FFFF), no
/// byte-order mark and no Unicode white space beyond ASCII.
fn printable(text: &str) -> bool {
    let ascii_ok = |b: u8| b >= 0x20 && b != 0x7f || matches!(b, b'\t' | b'\n' | b'\r');
    if text.is_ascii() {
        return text.bytes().all(ascii_ok);
    }
    // Unicode white space (NEL, NBSP, U+2028…) is text to YAML but trimmed by `str::trim`:
    // such text goes to serde-saphyr too (found by fuzzing).
    text.chars().all(|c| match c {
        c if c.is_ascii() => ascii_ok(c as u8),
        // A byte-order mark inside a document is an error to serde-saphyr (found by the
        // property test in tests/robustness.rs).
        '\u{80}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}' | '\u{feff}' => false,
        c => !c.is_whitespace(),
    })
}

/// A `\r` not followed by `\n` is a line break to YAML, not to this parser's line table
/// (found by fuzzing): such text goes to serde-saphyr.
fn has_lone_carriage_return(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'\r', bytes).any(|at| bytes.get(at + 1) != Some(&b'\n'))
}

/// Parses `text` (starting at byte `base` of the file), or `None` when the text is outside the
/// subset this parser handles.
pub fn parse(text: &str, base: usize) -> Option<YamlNode> {
    // YAML only admits printable characters; what serde-saphyr rejects (a control character in
    // a quoted string, found by fuzzing) is left to it.
    if !printable(text) || has_lone_carriage_return(text) {
        return None;
    }
    let lines = Lines::new(text);
    let mut entries: Vec<(YamlNode, YamlNode)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines.get(i)?;
        let content = &text[line.clone()];
        if is_blank_or_comment(content) {
            i += 1;
            continue;
        }
        if content.starts_with([' ', '\t'])
            || content.starts_with("---")
            || content.starts_with("...")
        {
            return None;
        }
        let colon = key_end(content)?;
        let key_text = &content[..colon];
        if entries.iter().any(|(k, _)| k.as_str() == Some(key_text)) {
            return None;
        }
        let key = YamlNode {
            value: YamlValue::Str(key_text.to_string()),
            span: base + line.start..base + line.start + colon,
        };
        let after = &content[colon + 1..];
        let rest_offset =
            line.start + colon + 1 + (after.len() - after.trim_start_matches(' ').len());
        let rest = after.trim_start_matches(' ');
        let (value, next) = if rest.is_empty() || rest.starts_with('#') {
            empty_value(text, &lines, i, base, line.start + colon)?
        } else if rest.starts_with('>') || rest.starts_with('|') {
            block_scalar(text, &lines, i, base, rest)?
        } else if rest.starts_with('[') {
            let node = flow_sequence(text, rest_offset, line.end, base)?;
            (node, i + 1)
        } else {
            let node = scalar(text, rest_offset, line.end, base)?;
            (node, i + 1)
        };
        if !matches!(value.value, YamlValue::Seq(_)) || rest.starts_with('[') {
            // A scalar must not continue on an indented line (a multi-line plain scalar).
            if let Some(following) = lines.get(next) {
                let f = &text[following.clone()];
                if !is_blank_or_comment(f)
                    && f.starts_with([' ', '\t'])
                    && !rest.starts_with(['>', '|'])
                {
                    return None;
                }
            }
        }
        entries.push((key, value));
        i = next;
    }
    let first = entries.first()?.0.span.start;
    Some(YamlNode {
        value: YamlValue::Map(entries),
        span: first..first,
    })
}

/// Line ranges of the text, each without its line ending (`\n` or `\r\n`).
struct Lines {
    ranges: Vec<Range<usize>>,
}

impl Lines {
    fn new(text: &str) -> Self {
        let mut ranges = Vec::with_capacity(text.len() / 24 + 1);
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', text.as_bytes()) {
            let end = if nl > start && text.as_bytes().get(nl - 1) == Some(&b'\r') {
                nl - 1
            } else {
                nl
            };
            ranges.push(start..end);
            start = nl + 1;
        }
        if start < text.len() {
            ranges.push(start..text.len());
        }
        Lines { ranges }
    }

    fn len(&self) -> usize {
        self.ranges.len()
    }

    fn get(&self, i: usize) -> Option<&Range<usize>> {
        self.ranges.get(i)
    }

    /// Where line `i` starts, or the end of the text.
    fn start_of(&self, i: usize, text_len: usize) -> usize {
        self.ranges.get(i).map_or(text_len, |r| r.start)
    }
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim_start_matches(' ');
    t.is_empty() || t.starts_with('#')
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The end of a plain key (`[A-Za-z_][A-Za-z0-9_.-]*`) followed by `:` and a space or the end.
fn key_end(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let first = *bytes.first()?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let mut end = 1;
    while bytes
        .get(end)
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        end += 1;
    }
    if bytes.get(end) != Some(&b':') {
        return None;
    }
    if !matches!(bytes.get(end + 1), None | Some(b' ')) {
        return None;
    }
    let key = &line[..end];
    if matches!(
        key,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" | "null" | "Null" | "NULL"
    ) {
        return None;
    }
    Some(end)
}

/// `key:` with nothing after it: a block list of scalars, or null.
fn empty_value(
    text: &str,
    lines: &Lines,
    i: usize,
    base: usize,
    colon: usize,
) -> Option<(YamlNode, usize)> {
    let mut j = i + 1;
    while j < lines.len() && is_blank_or_comment(&text[lines.get(j)?.clone()]) {
        j += 1;
    }
    let Some(first) = lines.get(j) else {
        return Some((null_at(base + colon), j));
    };
    let first_line = &text[first.clone()];
    let indent = indentation(first_line);
    let item_start = &first_line[indent..];
    if !(item_start.starts_with("- ") || item_start == "-") {
        if indent > 0 {
            return None; // a nested mapping or a continuation
        }
        return Some((null_at(base + colon), i + 1));
    }
    let mut items = Vec::new();
    let mut seq_span = None;
    let mut k = j;
    while k < lines.len() {
        let range = lines.get(k)?.clone();
        let line = &text[range.clone()];
        if is_blank_or_comment(line) {
            k += 1;
            continue;
        }
        let this_indent = indentation(line);
        if this_indent < indent || (this_indent == indent && !line[indent..].starts_with('-')) {
            break;
        }
        if this_indent > indent || line.contains('\t') {
            return None; // a continuation or a nested structure
        }
        let body = &line[indent..];
        let value_rel = body.strip_prefix("- ")?;
        let value_rel_trimmed = value_rel.trim_start_matches(' ');
        let value_start = range.start + indent + 2 + (value_rel.len() - value_rel_trimmed.len());
        if value_rel_trimmed.is_empty() || value_rel_trimmed.starts_with(['[', '>', '|', '-']) {
            return None;
        }
        let node = scalar(text, value_start, range.end, base)?;
        if seq_span.is_none() {
            // serde-saphyr places a block list at its first `-` when the list is indented,
            // else at its first value.
            let at = if indent > 0 {
                base + range.start + indent
            } else {
                node.span.start
            };
            seq_span = Some(at..at);
        }
        items.push(node);
        k += 1;
    }
    Some((
        YamlNode {
            value: YamlValue::Seq(items),
            span: seq_span?,
        },
        k,
    ))
}

fn null_at(offset: usize) -> YamlNode {
    YamlNode {
        value: YamlValue::Null,
        span: offset..offset,
    }
}

/// `>`, `>-`, `|`, `|-` block scalars whose lines share one indentation.
fn block_scalar(
    text: &str,
    lines: &Lines,
    i: usize,
    base: usize,
    header: &str,
) -> Option<(YamlNode, usize)> {
    let header = header.split(" #").next().unwrap_or(header).trim_end();
    let (folded, strip) = match header {
        ">" => (true, false),
        ">-" => (true, true),
        "|" => (false, false),
        "|-" => (false, true),
        _ => return None,
    };
    let mut content: Vec<Option<&str>> = Vec::new(); // None = blank line
    let mut indent = None;
    let mut start = None;
    let mut j = i + 1;
    while j < lines.len() {
        let range = lines.get(j)?.clone();
        let line = &text[range.clone()];
        if line.trim_start_matches(' ').is_empty() {
            if indent.is_none_or(|n| line.len() > n) {
                // Leading blank lines, or spaces beyond the indentation: rare, and their
                // folding rules are subtle; leave them to the general parser.
                return None;
            }
            content.push(None);
            j += 1;
            continue;
        }
        let this_indent = indentation(line);
        if this_indent == 0 {
            break;
        }
        if line.contains('\t') {
            return None;
        }
        match indent {
            None => {
                indent = Some(this_indent);
                start = Some(range.start + this_indent);
            }
            Some(n) if n != this_indent => return None,
            Some(_) => {}
        }
        content.push(Some(&line[this_indent..]));
        j += 1;
    }
    let start = start?;
    let end = lines.start_of(j, text.len());
    // Trailing blank lines belong to chomping, not to the content.
    while content.last() == Some(&None) {
        content.pop();
    }
    let mut value = String::new();
    if folded {
        let mut pending_blank = 0;
        let mut first = true;
        for line in &content {
            match line {
                None => pending_blank += 1,
                Some(l) => {
                    if !first {
                        if pending_blank > 0 {
                            value.push_str(&"\n".repeat(pending_blank));
                        } else {
                            value.push(' ');
                        }
                    }
                    pending_blank = 0;
                    first = false;
                    value.push_str(l);
                }
            }
        }
    } else {
        let parts: Vec<&str> = content.iter().map(|l| l.unwrap_or("")).collect();
        value = parts.join("\n");
    }
    if !strip {
        value.push('\n');
    }
    Some((
        YamlNode {
            value: YamlValue::Str(value),
            span: base + start..base + end,
        },
        j,
    ))
}

/// `[a, 'b', "c"]` on one line.
fn flow_sequence(text: &str, start: usize, line_end: usize, base: usize) -> Option<YamlNode> {
    let line = &text[start..line_end];
    let close = line.find(']')?;
    // A comment after `]` must be separated by a space (found by fuzzing).
    if !trailing_ok(line.get(close + 1..)?) {
        return None;
    }
    let inner = &line[1..close];
    if inner.contains(['[', '{', '}', '#', ':']) {
        return None;
    }
    let mut items = Vec::new();
    if !inner.trim().is_empty() {
        let mut offset = start + 1;
        for part in split_flow_items(inner)? {
            let trimmed = part.trim_start_matches(' ');
            let item_start = offset + (part.len() - trimmed.len());
            let trimmed_end = item_start + trimmed.trim_end_matches(' ').len();
            if trimmed.trim().is_empty() {
                return None;
            }
            items.push(scalar(text, item_start, trimmed_end, base)?);
            offset += part.len() + 1;
        }
    }
    Some(YamlNode {
        value: YamlValue::Seq(items),
        span: base + start..base + start + 1,
    })
}

/// Splits flow items on commas. A quote starts a quoted item only at the item's start; inside a
/// plain item it is an ordinary character.
fn split_flow_items(inner: &str) -> Option<Vec<&str>> {
    let bytes = inner.as_bytes();
    let mut parts = Vec::new();
    let mut item_start = 0;
    let mut i = 0;
    loop {
        let mut j = i;
        while bytes.get(j) == Some(&b' ') {
            j += 1;
        }
        match bytes.get(j) {
            Some(b'\'') => {
                j += 1;
                loop {
                    match bytes.get(j) {
                        Some(b'\'') if bytes.get(j + 1) == Some(&b'\'') => j += 2,
                        Some(b'\'') => break,
                        Some(_) => j += 1,
                        None => return None,
                    }
                }
                j += 1;
            }
            Some(b'"') => {
                j += 1;
                loop {
                    match bytes.get(j) {
                        Some(b'\\') => j += 2,
                        Some(b'"') => break,
                        Some(_) => j += 1,
                        None => return None,
                    }
                }
                j += 1;
            }
            _ => {}
        }
        match inner[j.min(inner.len())..].find(',') {
            Some(comma) => {
                parts.push(&inner[item_start..j + comma]);
                i = j + comma + 1;
                item_start = i;
            }
            None => {
                parts.push(&inner[item_start..]);
                return Some(parts);
            }
        }
    }
}

/// A one-line scalar starting at `start` and running at most to `end`.
fn scalar(text: &str, start: usize, end: usize, base: usize) -> Option<YamlNode> {
    let raw = &text[start..end];
    if raw.starts_with('\'') {
        return single_quoted(raw, start, base);
    }
    if raw.starts_with('"') {
        return double_quoted(raw, start, base);
    }
    plain(raw, start, base)
}

fn trailing_ok(rest: &str) -> bool {
    let t = rest.trim_start_matches(' ');
    t.is_empty() || (t.starts_with('#') && rest.starts_with(' '))
}

fn single_quoted(raw: &str, start: usize, base: usize) -> Option<YamlNode> {
    let bytes = raw.as_bytes();
    let mut value = String::new();
    let mut i = 1;
    let mut seg = 1;
    loop {
        let q = raw[i..].find('\'')? + i;
        if bytes.get(q + 1) == Some(&b'\'') {
            value.push_str(&raw[seg..q]);
            value.push('\'');
            i = q + 2;
            seg = i;
            continue;
        }
        value.push_str(&raw[seg..q]);
        if !trailing_ok(&raw[q + 1..]) {
            return None;
        }
        return Some(YamlNode {
            value: YamlValue::Str(value),
            span: base + start..base + start + q + 1,
        });
    }
}

fn double_quoted(raw: &str, start: usize, base: usize) -> Option<YamlNode> {
    let mut value = String::new();
    let mut chars = raw.char_indices().skip(1);
    while let Some((i, ch)) = chars.next() {
        match ch {
            '"' => {
                if !trailing_ok(&raw[i + 1..]) {
                    return None;
                }
                return Some(YamlNode {
                    value: YamlValue::Str(value),
                    span: base + start..base + start + i + 1,
                });
            }
            '\\' => {
                let (_, esc) = chars.next()?;
                value.push(match esc {
                    '\\' => '\\',
                    '"' => '"',
                    '/' => '/',
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    _ => return None,
                });
            }
            c => value.push(c),
        }
    }
    None
}

fn plain(raw: &str, start: usize, base: usize) -> Option<YamlNode> {
    let text = match raw.find(" #") {
        Some(i) => &raw[..i],
        None => raw,
    };
    let text = text.trim_end_matches(' ');
    let first = *text.as_bytes().first()?;
    if matches!(
        first,
        b'[' | b']'
            | b'{'
            | b'}'
            | b','
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b'?'
            | b':'
    ) || text.starts_with("- ")
        || text == "-"
        || text.contains(": ")
        || text.ends_with(':')
        || text.contains('\t')
    {
        return None;
    }
    let value = resolve_plain(text)?;
    Some(YamlNode {
        value,
        span: base + start..base + start + text.len(),
    })
}

/// Types a plain scalar as YAML 1.2 core with strict booleans and leading-zero numbers kept as
/// strings; `None` for forms this parser leaves to serde-saphyr (hex, octal, exponents, …).
fn resolve_plain(text: &str) -> Option<YamlValue> {
    match text {
        "~" | "null" | "Null" | "NULL" => return Some(YamlValue::Null),
        "true" | "True" | "TRUE" => return Some(YamlValue::Bool(true)),
        "false" | "False" | "FALSE" => return Some(YamlValue::Bool(false)),
        _ => {}
    }
    let bytes = text.as_bytes();
    // An empty scalar is left to serde-saphyr.
    let (&first, rest) = bytes.split_first()?;
    let numeric_start = first.is_ascii_digit()
        || (matches!(first, b'-' | b'+' | b'.')
            && bytes
                .get(1)
                .is_some_and(|b| b.is_ascii_digit() || *b == b'.'));
    if !numeric_start {
        if first == b'.' && text.len() <= 5 {
            return None; // .inf, .nan and friends
        }
        return Some(YamlValue::Str(text.to_string()));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if digits.len() > 1 && digits.starts_with('0') {
            return None; // leading zero: serde-saphyr keeps it as a string; let it decide
        }
        return match text.parse::<i64>() {
            Ok(n) => Some(YamlValue::Int(n)),
            Err(_) => None,
        };
    }
    if let Some((whole, frac)) = digits.split_once('.') {
        let plain_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if plain_digits(whole) && plain_digits(frac) && !(whole.len() > 1 && whole.starts_with('0'))
        {
            return text.parse::<f64>().ok().map(YamlValue::Float);
        }
    }
    // Starts like a number but is not one of the simple forms: a string only if it cannot be a
    // number at all (a date such as 2025-07-23, a version such as 1.2.3, "3 days").
    let can_be_number = rest.iter().all(|b| {
        b.is_ascii_hexdigit() || matches!(b, b'x' | b'X' | b'o' | b'O' | b'_' | b'.' | b'+' | b'-')
    });
    // A `-` not right after an exponent's `e`: `bytes[i]` is the byte before `rest[i]`.
    let has_inner_minus = rest
        .iter()
        .zip(bytes)
        .any(|(b, before)| *b == b'-' && !matches!(before, b'e' | b'E'));
    if text.matches('.').count() > 1 || has_inner_minus || !can_be_number {
        return Some(YamlValue::Str(text.to_string()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    /// The fast path agrees with serde-saphyr wherever it answers.
    fn agrees(text: &str) -> bool {
        match parse(text, 7) {
            Some(fast) => {
                let slow = yaml::parse_general(text, 7);
                assert_eq!(Some(&fast), slow.as_ref().ok(), "for {text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn common_front_matter_is_handled_identically() {
        let cases = [
            "id: BACK-200\ntitle: Add Claude Code integration\nstatus: To Do\nassignee: []\ncreated_date: '2025-07-23'\nlabels:\n  - enhancement\n  - developer-experience\ndependencies:\n  - task-24.1\npriority: medium\n",
            "id: TASK-1.2\ntitle: >-\n  Migrate all environment checks to ENVIRONMENT; enforce dual dev-bypass guard;\n  remove is_production\nstatus: Done\nordinal: 46000\n",
            "acceptance_criteria:\n- Pain points documented\n- Current workflow steps listed\ncreated: '2026-02-16'\nepic_id: EPIC-PRJ-1\nid: US-PRJ-1\npoints: 3\ntags: []\ntitle: Audit & document\n",
            "a: True\nb: null\nc: ~\nd: 1.10\ne: -5\nf: x # comment\ng: 'it''s'\nh: \"q\\\"x\\n\"\ni:   spaced   \nj: \"\"\nk: ''\n",
            "t: |\n  a\n  b\nu: |-\n  c\nv: >\n  d\n\n  e\nw: >-\n  f\n  g\n\nx: 1\n",
            "l: [a, 'b c', \"d\"]\nm: []\nn:\no: 2025-07-23\np: 1.2.3\nq: 3 days\n",
            "a: 1\r\nb: x\r\nc:\r\n  - y\r\n",
            "# leading comment\n\nid: A\nstatus: todo\n",
            "date: 2026-02-16\nversion: 0.3.1\n",
        ];
        for case in cases {
            assert!(agrees(case), "fast path declined {case:?}");
        }
    }

    #[test]
    fn unusual_yaml_is_left_to_the_general_parser() {
        for case in [
            "a:\n  b: 1\n",
            "a: &x 1\nb: *x\n",
            "a: {b: 1}\n",
            "a: plain\n  continued\n",
            "a: 0x1F\n",
            "a: 017\n",
            "a: 1e3\n",
            "a: .inf\n",
            "a: 'open\n",
            "a: 1\na: 2\n",
            "- a\n- b\n",
            "a: |+\n  x\n",
            "a: >\n  x\n    more\n",
            "\"quoted key\": 1\n",
            "a: \"\\u00e9\"\n",
            "l:\n  - x: 1\n",
        ] {
            assert!(
                parse(case, 0).is_none(),
                "fast path should decline {case:?}"
            );
            // and the general parser still gives an answer or an error, never a panic
            let _ = yaml::parse(case, 0);
        }
    }
}
