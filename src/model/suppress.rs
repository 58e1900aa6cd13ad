//! Suppression comments in Markdown bodies:
//! `<!-- backlint-disable RULE[: CATEGORY] -- reason [until YYYY-MM-DD] -->`.

use crate::source::LineIndex;

use super::item::{Spanned, Suppression};

/// Parses one HTML comment (`raw` starts at byte `start` of the file). `None` when the comment
/// is not a backlint suppression.
pub fn parse_comment(raw: &str, start: usize, index: &LineIndex<'_>) -> Option<Suppression> {
    memchr::memmem::find(raw.as_bytes(), b"backlint-disable")?;
    let trimmed_start = raw.find("<!--")? + 4;
    let inner_end = raw
        .rfind("-->")
        .filter(|e| *e >= trimmed_start)
        .unwrap_or(raw.len());
    let inner = &raw[trimmed_start..inner_end];
    let lead = inner.len() - inner.trim_start().len();
    let inner_offset = start + trimmed_start + lead;
    let inner = inner.trim();
    let rest = inner.strip_prefix("backlint-disable")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let (head, reason) = match rest.split_once(" -- ") {
        Some((head, reason)) => (head, Some(reason)),
        None => (rest.trim_end_matches("--"), None),
    };
    let head = head.trim();
    let (rule, category) = match head.split_once(':') {
        Some((rule, cat)) => (
            rule.trim(),
            Some(cat.trim().to_string()).filter(|c| !c.is_empty()),
        ),
        None => (head, None),
    };
    if rule.is_empty() {
        return None;
    }
    let mut until = None;
    let mut reason_text = reason.map(str::trim).unwrap_or_default().to_string();
    if let Some(reason) = reason {
        if let Some(pos) = reason.rfind("until ") {
            let date = reason[pos + 6..].trim();
            if !date.is_empty() && !date.contains(' ') {
                let reason_offset =
                    inner_offset + (reason.as_ptr() as usize - inner.as_ptr() as usize);
                let date_start = reason_offset
                    + pos
                    + 6
                    + (reason[pos + 6..].len() - reason[pos + 6..].trim_start().len());
                until = Some(Spanned::new(
                    date.to_string(),
                    index.span(date_start..date_start + date.len()),
                ));
                reason_text = reason[..pos]
                    .trim()
                    .trim_end_matches(['[', '('])
                    .trim()
                    .to_string();
            }
        }
    }
    Some(Suppression {
        rule: rule.to_string(),
        category,
        reason: Some(reason_text).filter(|r| !r.is_empty()),
        until,
        at: index.span(start..start + raw.trim_end().len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceId;

    fn parse(text: &str) -> Option<Suppression> {
        let index = LineIndex::new(SourceId(0), text);
        let start = text.find("<!--").unwrap_or_default();
        parse_comment(&text[start..], start, &index)
    }

    #[test]
    fn full_form() {
        let text = "x\n<!-- backlint-disable triage/missing-spike: logging -- audit log is covered by SEC-2 until 2027-01-31 -->";
        let s = parse(text).unwrap_or_else(|| panic!("not parsed"));
        assert_eq!(s.rule, "triage/missing-spike");
        assert_eq!(s.category.as_deref(), Some("logging"));
        assert_eq!(s.reason.as_deref(), Some("audit log is covered by SEC-2"));
        let until = s.until.unwrap_or_else(|| panic!("no until"));
        assert_eq!(until.value, "2027-01-31");
        assert_eq!(&text[until.span.range()], "2027-01-31");
        assert_eq!(until.span.begin.line, 2);
    }

    #[test]
    fn without_reason_or_category() {
        let s = parse("<!-- backlint-disable debt/deferred-security -->")
            .unwrap_or_else(|| panic!("not parsed"));
        assert_eq!(s.rule, "debt/deferred-security");
        assert!(s.category.is_none() && s.reason.is_none() && s.until.is_none());
        assert!(parse("<!-- DOD:BEGIN -->").is_none());
        assert!(parse("<!-- backlint-disabled x -->").is_none());
    }
}
