//! Error recovery for malformed YAML: the error is reported, and the rest of the item is still
//! checked with the offending values blanked out.

use crate::parse::yaml::{self, YamlError, YamlNode};

/// Best-effort recovery after a YAML error: blanks the value on the offending line (keeping
/// every byte offset) and parses again, a few times. The error is still reported; recovery only
/// lets the rest of the item be checked.
pub(super) fn recover(text: &str, base: usize, first: &YamlError) -> Option<YamlNode> {
    const ATTEMPTS: usize = 8;
    let mut patched = text.as_bytes().to_vec();
    let mut line = first.line;
    for _ in 0..ATTEMPTS {
        blank_line_value(&mut patched, line)?;
        let candidate = std::str::from_utf8(&patched).ok()?;
        match yaml::parse(candidate, base) {
            Ok(node) => return Some(node),
            Err(err) if err.line > line => line = err.line,
            Err(_) => return None,
        }
    }
    None
}

/// Replaces the value of `key: value` on a 1-based line (or the whole line) with spaces.
fn blank_line_value(bytes: &mut [u8], line: u32) -> Option<()> {
    let mut start = 0;
    for _ in 1..line {
        start += memchr::memchr(b'\n', bytes.get(start..)?)? + 1;
    }
    let rest = bytes.get(start..)?;
    let end = memchr::memchr(b'\n', rest).map_or(bytes.len(), |i| start + i);
    let end = if end > start && bytes.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    };
    let content = bytes.get(start..end)?;
    let from = memchr::memmem::find(content, b": ").map_or(start, |i| start + i + 2);
    let value = bytes.get_mut(from..end)?;
    if value.iter().all(|b| *b == b' ') {
        return None;
    }
    value.fill(b' ');
    Some(())
}
