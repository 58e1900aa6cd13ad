//! Calendar dates as backlog files write them (`2026-03-14`, optionally followed by a time).

/// A `YYYY-MM-DD` date, optionally followed by a time (`2026-03-14 10:22`, `2026-03-14T10:22`).
pub fn parse_date(text: &str) -> Option<jiff::civil::Date> {
    let text = text.trim();
    let date_part = text.get(..10).unwrap_or(text);
    let rest = text.get(10..).unwrap_or("");
    if !(rest.is_empty() || rest.starts_with([' ', 'T', 't'])) {
        return None;
    }
    date_part.parse::<jiff::civil::Date>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(parse_date("2026-03-14").is_some());
        assert!(parse_date("2026-03-14 10:22").is_some());
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("14/03/2026").is_none());
        assert!(parse_date("2026-03-14x").is_none());
    }
}
