//! Cutting text to a width for display.

/// `text` when it has at most `max_chars` characters; else its first `max_chars - 1`
/// characters and an ellipsis (`max_chars` in all).
pub fn cut_chars(text: String, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text;
    }
    let mut cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::cut_chars;

    #[test]
    fn cuts_to_the_width_with_an_ellipsis() {
        assert_eq!(cut_chars("short".into(), 5), "short");
        assert_eq!(cut_chars("longer".into(), 5), "long…");
        assert_eq!(cut_chars("пароль".into(), 4), "пар…");
    }
}
