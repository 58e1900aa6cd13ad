//! Greedy (first-fit) line wrapping of diagnostic messages and help, done once per text before
//! miette renders it: the same lines textwrap's first-fit gives with ASCII-space word
//! separation and no hyphenation, without its per-character Unicode work on ASCII text.

#![allow(
    clippy::indexing_slicing,
    reason = "byte indices are bounded by the loop condition beside them"
)]

/// `text` (one paragraph) broken into lines of at most `width - indent` columns, joined by
/// `\n`; words longer than a line are split, as textwrap does with `break_words`.
pub fn first_fit(text: &str, width: usize, indent: usize) -> String {
    let line_width = width.saturating_sub(indent).max(1);
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start: Option<usize> = None;
    let mut line_end = 0;
    let mut used = 0;
    for_each_piece(text, line_width, |word| {
        if line_start.is_some() && used + word.width > line_width {
            out.push_str(&text[line_start.unwrap_or(0)..line_end]);
            out.push('\n');
            line_start = None;
            used = 0;
        }
        if line_start.is_none() {
            line_start = Some(word.start);
        }
        line_end = word.end;
        used += word.width + word.space;
    });
    if let Some(start) = line_start {
        out.push_str(&text[start..line_end]);
    }
    out
}

/// A word: `text[start..end]`, its display width, and the spaces after it.
struct Piece {
    start: usize,
    end: usize,
    width: usize,
    space: usize,
}

/// Gives `each` the words of `text` in order (split at ASCII spaces), long ones broken to
/// `line_width` columns (one at a time: no list of them is built).
fn for_each_piece(text: &str, line_width: usize, mut each: impl FnMut(Piece)) {
    let mut at = 0;
    let bytes = text.as_bytes();
    while at < text.len() {
        // Words are short: a plain loop beats `find`'s vectorised search, set up per word.
        let word_end = bytes[at..]
            .iter()
            .position(|b| *b == b' ')
            .map_or(text.len(), |n| at + n);
        let mut next = word_end;
        while next < text.len() && bytes[next] == b' ' {
            next += 1;
        }
        let space = next - word_end;
        let word = &text[at..word_end];
        let width = display_width(word);
        if width <= line_width {
            each(Piece {
                start: at,
                end: word_end,
                width,
                space,
            });
        } else {
            // Break the word into pieces of at most `line_width` columns; the spaces stay with
            // the last piece.
            let mut piece_start = at;
            let mut piece_width = 0;
            for (offset, ch) in word.char_indices() {
                let w = display_width(ch.encode_utf8(&mut [0; 4]));
                if piece_width + w > line_width && piece_width > 0 {
                    each(Piece {
                        start: piece_start,
                        end: at + offset,
                        width: piece_width,
                        space: 0,
                    });
                    piece_start = at + offset;
                    piece_width = 0;
                }
                piece_width += w;
            }
            each(Piece {
                start: piece_start,
                end: word_end,
                width: piece_width,
                space,
            });
        }
        at = next;
    }
}

fn display_width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        textwrap::core::display_width(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// textwrap with the options miette is given, as the reference.
    fn reference(text: &str, width: usize, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let options = textwrap::Options::new(width)
            .initial_indent(&pad)
            .subsequent_indent(&pad)
            .word_separator(textwrap::WordSeparator::AsciiSpace)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .break_words(true);
        textwrap::fill(text, options)
            .lines()
            .map(|l| l.strip_prefix(pad.as_str()).unwrap_or(l).to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_same_lines_as_textwrap() {
        let texts = [
            "add a threat-analysis spike (type: spike, labels: [threat-analysis]) and link it: `spikes: [SPIKE-…]` on this item",
            "short",
            "a verylongwordthatdoesnotfitonanylineatallbecauseitistoolongforthewidth b",
            "…is already used here (examples/webshop/backlog/tasks/task-1 - Cache-product-listings-in-Redis.md)",
            "Загрузка фото пользователя, снимок экрана и ещё немного текста для переноса строки",
            "two  spaces   here and there",
        ];
        for text in texts {
            for (width, indent) in [(100, 8), (100, 4), (40, 8), (20, 4), (10, 8)] {
                assert_eq!(
                    first_fit(text, width, indent),
                    reference(text, width, indent),
                    "{text:?} at {width}/{indent}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_textwrap_on_arbitrary_words(
            words in proptest::collection::vec("[a-zé…\\-\\[\\]`:]{1,30}", 0..30),
            width in 12usize..120,
            indent in proptest::sample::select(vec![4usize, 8]),
        ) {
            let text = words.join(" ");
            proptest::prop_assert_eq!(first_fit(&text, width, indent), reference(&text, width, indent));
        }
    }
}
