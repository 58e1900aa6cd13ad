//! Finds checklist phrases in text: one lazy DFA over every phrase, started (anchored) only at
//! word boundaries whose first four bytes can begin a phrase, and walked a byte at a time.
//!
//! An unanchored search over hundreds of phrases builds a new DFA state at almost every word
//! of real text (each state holds every partial phrase in flight); anchored walks stay in the
//! small trie-like part of the automaton and usually die within a few bytes. The result is
//! the same as a leftmost-first search over all phrases: the earliest start, and at that
//! start the phrase listed first.

#![allow(
    clippy::indexing_slicing,
    reason = "byte indices are bounded by the loop conditions beside them and tables are 256 entries indexed by a byte (fuzzed: `check`, `markdown_item`)"
)]

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::NFA;
use regex_automata::{Anchored, Input, MatchKind};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The compiled phrases.
pub struct PhraseMatcher {
    /// Built on first search: a run whose files all come from the item cache never pays for
    /// it. `None` when the automaton cannot be built (then the fallback does every search).
    automaton: std::sync::OnceLock<Option<Automaton>>,
    /// The phrases and whether they need Unicode, for the automaton and the fallback.
    patterns: Vec<String>,
    unicode: bool,
    /// Built on first need: a search that handles what the lazy DFA gives up on (a phrase
    /// with a Unicode `\b` meeting non-ASCII text).
    fallback: std::sync::OnceLock<Option<regex_automata::meta::Regex>>,
    /// Where phrases can start, and whether some phrase starts with a byte that is not part
    /// of a word (`.net`, `@mention`); worked out with the automaton, on first need (it parses
    /// every phrase: a few milliseconds a run whose items all come from the cache saves).
    starts: std::sync::OnceLock<(PhraseStarts, bool)>,
}

/// The lazy DFA over every phrase, and the caches of its states that no search is using.
/// A search takes one (or makes one) and gives it back when it ends; a cache grows to some
/// megabytes, so they are dropped once the run's triage is done
/// ([`PhraseMatcher::release_caches`]).
struct Automaton {
    dfa: DFA,
    idle_caches: Mutex<Vec<Cache>>,
}

/// Searches for phrases with one cache of the automaton (see [`PhraseMatcher::searcher`]).
pub struct PhraseSearcher<'m> {
    matcher: &'m PhraseMatcher,
    automaton: Option<(&'m DFA, CacheLease<'m>)>,
}

impl<'m> PhraseSearcher<'m> {
    /// Every phrase in `text[range]`, left to right, as a leftmost-first search would find
    /// them (no overlaps).
    pub fn find_in<'s, 't>(
        &'s mut self,
        text: &'t [u8],
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = PhraseMatch> + use<'s, 'm, 't> {
        let matcher = self.matcher;
        let end = range.end.min(text.len());
        let mut at = range.start;
        std::iter::from_fn(move || {
            let mut dfa = self
                .automaton
                .as_mut()
                .and_then(|(dfa, lease)| Some((*dfa, lease.cache.as_mut()?)));
            let found = matcher.next(&mut dfa, text, at, end)?;
            at = if found.end > found.start {
                found.end
            } else {
                found.end + 1
            };
            Some(found)
        })
    }
}

/// A cache taken by a searcher, given back when the searcher ends.
struct CacheLease<'a> {
    cache: Option<Cache>,
    automaton: &'a Automaton,
}

impl Automaton {
    /// The caches no search is using (a panic elsewhere cannot leave them unusable).
    fn idle(&self) -> MutexGuard<'_, Vec<Cache>> {
        self.idle_caches
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn lease(&self) -> CacheLease<'_> {
        let idle = self.idle().pop();
        CacheLease {
            cache: Some(idle.unwrap_or_else(|| self.dfa.create_cache())),
            automaton: self,
        }
    }
}

impl Drop for CacheLease<'_> {
    fn drop(&mut self) {
        if let Some(cache) = self.cache.take() {
            self.automaton.idle().push(cache);
        }
    }
}

impl std::fmt::Debug for PhraseMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PhraseMatcher({} phrases, {:?})",
            self.patterns.len(),
            self.starts.get()
        )
    }
}

/// A phrase found: which pattern, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhraseMatch {
    pub pattern: usize,
    pub start: usize,
    pub end: usize,
}

impl PhraseMatcher {
    /// Checks `patterns` (each `\b(?:phrase)\b`, matched case-insensitively) as the
    /// automaton will read them, but for those `vetted` says are known to (the built-in
    /// packs' phrases, which the tests compile; a missing flag is `false`). The automaton is
    /// built on the first search.
    pub fn new(
        patterns: &[String],
        unicode: bool,
        vetted: &[bool],
    ) -> Result<PhraseMatcher, String> {
        for (n, pattern) in patterns.iter().enumerate() {
            if vetted.get(n) == Some(&true) {
                continue;
            }
            regex_syntax::ParserBuilder::new()
                .case_insensitive(true)
                .unicode(unicode)
                .utf8(false)
                .build()
                .parse(pattern)
                .map_err(|e| e.to_string())?;
        }
        Ok(PhraseMatcher {
            automaton: std::sync::OnceLock::new(),
            patterns: patterns.to_vec(),
            unicode,
            fallback: std::sync::OnceLock::new(),
            starts: std::sync::OnceLock::new(),
        })
    }

    /// Builds the automaton and works out where phrases start now (both are otherwise done
    /// by the first search, which waits).
    pub fn build(&self) {
        let _ = self.automaton();
        let _ = self.starts();
    }

    /// Works out where phrases can start now (it is otherwise done by the first search).
    pub fn work_out_starts(&self) {
        let _ = self.starts();
    }

    /// Where phrases can start, and whether some phrase starts off a word. Phrases whose
    /// starts cannot be worked out (none that passed [`PhraseMatcher::new`]) rule out no place.
    fn starts(&self) -> &(PhraseStarts, bool) {
        self.starts.get_or_init(|| {
            phrase_starts(&self.patterns, self.unicode)
                .unwrap_or_else(|_| (PhraseStarts::everything(), true))
        })
    }

    /// Drops the caches no search is using (a later search makes a new one). A run calls
    /// this when its items are triaged: the caches are some megabytes it no longer needs.
    pub fn release_caches(&self) {
        if let Some(Some(automaton)) = self.automaton.get() {
            *automaton.idle() = Vec::new();
        }
    }

    fn automaton(&self) -> Option<&Automaton> {
        self.automaton
            .get_or_init(|| Automaton::build(&self.patterns, self.unicode).ok())
            .as_ref()
    }

    /// A searcher that holds one of the automaton's caches while it lives: the text regions
    /// of an item share one, rather than each taking one from the idle caches.
    pub fn searcher(&self) -> PhraseSearcher<'_> {
        // The starts first: while a worker builds the automaton (`build`, which does the
        // automaton first), the first search works them out instead of waiting for both.
        let _ = self.starts();
        let automaton = self.automaton();
        PhraseSearcher {
            matcher: self,
            automaton: automaton.map(|a| (&a.dfa, a.lease())),
        }
    }

    /// How many caches wait for a search.
    #[cfg(test)]
    fn idle_caches(&self) -> usize {
        self.automaton().map_or(0, |a| a.idle().len())
    }

    /// Every phrase in `text[range]`, left to right, as a leftmost-first search would find
    /// them (no overlaps).
    #[cfg(test)]
    fn find_in(&self, text: &[u8], range: std::ops::Range<usize>) -> Vec<PhraseMatch> {
        self.searcher().find_in(text, range).collect()
    }

    /// The first phrase in `text[from..end]`.
    fn next(
        &self,
        cache: &mut Option<(&DFA, &mut Cache)>,
        text: &[u8],
        from: usize,
        end: usize,
    ) -> Option<PhraseMatch> {
        let bytes = &text[..end];
        let mut at = from;
        let mut before_is_word = at
            .checked_sub(1)
            .and_then(|n| text.get(n))
            .is_some_and(|b| is_word_byte(*b));
        // Every phrase starts at a `\b`: a word's first byte, or (for the few phrases that
        // start with punctuation) the first byte after a word.
        if self.unicode {
            // Unicode word boundaries cannot be read off single bytes: try every character.
            while at < end {
                if !is_utf8_continuation(bytes[at]) {
                    if let Some((pattern, match_end)) = self.anchored_at(cache, text, at, end) {
                        return Some(PhraseMatch {
                            pattern,
                            start: at,
                            end: match_end,
                        });
                    }
                }
                at += 1;
            }
            return None;
        }
        let (starts, starts_off_words) = self.starts();
        // A block of up to 64 bytes at a time: a bit per byte that is part of a word, and
        // from it the places where a phrase may start (no branch per byte).
        while at < end {
            let block = &bytes[at..end.min(at + 64)];
            let words = word_bits(block);
            let after_word = words << 1 | u64::from(before_is_word);
            let mut candidates = words & !after_word;
            if *starts_off_words {
                candidates |= !words & after_word;
            }
            if block.len() < 64 {
                candidates &= (1u64 << block.len()) - 1;
            }
            while candidates != 0 {
                let start = at + candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                if starts.may_start(bytes, start) {
                    if let Some((pattern, match_end)) = self.anchored_at(cache, text, start, end) {
                        return Some(PhraseMatch {
                            pattern,
                            start,
                            end: match_end,
                        });
                    }
                }
            }
            before_is_word = (words >> (block.len() - 1)) & 1 == 1;
            at += block.len();
        }
        None
    }

    /// The leftmost-first match that starts exactly at `at`: (pattern, end).
    fn anchored_at(
        &self,
        automaton: &mut Option<(&DFA, &mut Cache)>,
        text: &[u8],
        at: usize,
        end: usize,
    ) -> Option<(usize, usize)> {
        let Some((dfa, cache)) = automaton else {
            return self.fallback_at(text, at, end);
        };
        let (dfa, cache) = (*dfa, &mut **cache);
        let input = Input::new(text).range(at..end).anchored(Anchored::Yes);
        let mut state = dfa.start_state_forward(cache, &input).ok()?;
        let mut found = None;
        // Matches show one byte late: a match state after byte `n` is a match ending at `n`.
        for (n, byte) in text[at..end].iter().enumerate() {
            // Most steps go from a plain state to one already built: one table read.
            let plain = (!state.is_tagged())
                .then(|| dfa.next_state_untagged(cache, state, *byte))
                .filter(|next| !next.is_unknown());
            state = match plain {
                Some(next) => next,
                None => dfa.next_state(cache, state, *byte).ok()?,
            };
            if state.is_tagged() {
                if state.is_match() {
                    found = Some((dfa.match_pattern(cache, state, 0).as_usize(), at + n));
                } else if state.is_dead() {
                    return found;
                } else if state.is_quit() {
                    return self.fallback_at(text, at, end);
                }
            }
        }
        state = dfa.next_eoi_state(cache, state).ok()?;
        if state.is_match() {
            found = Some((dfa.match_pattern(cache, state, 0).as_usize(), end));
        }
        found
    }
}

impl Automaton {
    fn build(patterns: &[String], unicode: bool) -> Result<Automaton, String> {
        let syntax = regex_automata::util::syntax::Config::new()
            .case_insensitive(true)
            .unicode(unicode)
            .utf8(false);
        let nfa = NFA::compiler()
            .syntax(syntax)
            .configure(
                NFA::config()
                    .utf8(false)
                    .nfa_size_limit(Some(64 << 20))
                    .shrink(false),
            )
            .build_many(patterns)
            .map_err(|e| e.to_string())?;
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(MatchKind::LeftmostFirst)
                    // A user's `\b` in a non-ASCII phrase: the DFA stops at non-ASCII bytes
                    // and the fallback takes over.
                    .unicode_word_boundary(true)
                    .cache_capacity(64 << 20)
                    // Never give up on a cache that fills: clear it and go on.
                    .minimum_cache_clear_count(None),
            )
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        Ok(Automaton {
            dfa,
            idle_caches: Mutex::new(Vec::new()),
        })
    }
}

impl PhraseMatcher {
    /// [`PhraseMatcher::anchored_at`] by regex-automata's meta engine (which falls back to an
    /// NFA simulation where a DFA cannot go).
    fn fallback_at(&self, text: &[u8], at: usize, end: usize) -> Option<(usize, usize)> {
        let regex = self
            .fallback
            .get_or_init(|| {
                regex_automata::meta::Regex::builder()
                    .syntax(
                        regex_automata::util::syntax::Config::new()
                            .case_insensitive(true)
                            .unicode(self.unicode)
                            .utf8(false),
                    )
                    .configure(regex_automata::meta::Regex::config().utf8_empty(false))
                    .build_many(&self.patterns)
                    .ok()
            })
            .as_ref()?;
        let input = Input::new(text).range(at..end).anchored(Anchored::Yes);
        regex
            .search_half(&input)
            .map(|m| (m.pattern().as_usize(), m.offset()))
    }
}

fn is_utf8_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// A byte of a word for ASCII `\b` (an ASCII letter or digit, or `_`), by comparisons
/// without a branch or a table read, which [`word_bits`] relies on to vectorise.
fn is_word_byte(b: u8) -> bool {
    (b.wrapping_sub(b'0') < 10) | ((b | 0x20).wrapping_sub(b'a') < 26) | (b == b'_')
}

/// A bit per byte of `block` (at most 64 bytes) that is part of a word. A whole block is
/// worked out without a branch or a table read per byte (the compiler turns the comparisons
/// into vector instructions), then packed eight flags at a time by one multiplication: this is
/// the one pass over every byte of every item's text that triage makes.
fn word_bits(block: &[u8]) -> u64 {
    let Ok(block) = <&[u8; 64]>::try_from(block) else {
        return block
            .iter()
            .enumerate()
            .fold(0, |words, (n, b)| words | u64::from(is_word_byte(*b)) << n);
    };
    let mut flags = [0u8; 64];
    for (flag, b) in flags.iter_mut().zip(block) {
        *flag = u8::from(is_word_byte(*b));
    }
    let mut words = 0u64;
    for (n, eight) in flags.chunks_exact(8).enumerate() {
        let mut group = [0u8; 8];
        group.copy_from_slice(eight);
        // Flag `i` (0 or 1, in byte `i`) lands in bit `56 + i`; no two products meet there.
        let packed = u64::from_le_bytes(group).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        words |= packed << (8 * n);
    }
    words
}

/// Where phrases can start: a bit per four lower-cased bytes that some phrase can begin
/// with, and whether some phrase can start with a byte that is not part of a word.
fn phrase_starts(patterns: &[String], unicode: bool) -> Result<(PhraseStarts, bool), String> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let everything = || Ok((PhraseStarts::everything(), true));
    if unicode {
        // Unicode case folding is not ASCII lower-casing: do not filter.
        return everything();
    }
    let mut starts = PhraseStarts::nothing();
    let mut non_word = false;
    let mut extractor = Extractor::new();
    // Case is folded by `PhraseStarts`, not by the extractor (which would spell out every
    // variant).
    extractor.kind(ExtractKind::Prefix).limit_total(10_000);
    for pattern in patterns {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .map_err(|e| e.to_string())?;
        let literals = extractor.extract(&hir);
        let Some(literals) = literals.literals() else {
            return everything();
        };
        for literal in literals {
            let bytes = literal.as_bytes();
            let Some(first) = bytes.first() else {
                return everything();
            };
            non_word |= !is_word_byte(*first);
            starts.allow(bytes);
        }
    }
    Ok((starts, non_word))
}

/// A bit set of four-byte prefixes at which a phrase may start, over byte classes: each
/// letter (either case), digit and common punctuation byte is its own class, the rare bytes
/// share the last few. The four classes are hashed to one of 2^20 bits (128 KiB, which stays
/// in cache while text is scanned). A shared class or a shared bit can only let more places
/// through to the automaton, never fewer.
///
/// Four bytes, not three: over the 10,000 generated items of `scripts/bench.sh` (real corpus
/// bodies, 3.3 million word starts), a three-byte filter let 1.58 million walks through and
/// 44 % of them died at their fourth byte; this filter lets 1.02 million through.
struct PhraseStarts {
    bits: Vec<u64>,
}

/// The class of each byte (`0..64`).
const BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    // Bytes without a class of their own share 15 classes.
    let mut b = 0;
    while b < 256 {
        table[b] = 49 + (b % 15) as u8;
        b += 1;
    }
    let mut next = 0u8;
    let mut c = b'a';
    while c <= b'z' {
        table[c as usize] = next;
        table[c.to_ascii_uppercase() as usize] = next;
        next += 1;
        c += 1;
    }
    let mut d = b'0';
    while d <= b'9' {
        table[d as usize] = next;
        next += 1;
        d += 1;
    }
    let own = b"_ -./'@#+&:\t\n";
    let mut i = 0;
    while i < own.len() {
        table[own[i] as usize] = next;
        next += 1;
        i += 1;
    }
    table
};

impl PhraseStarts {
    const SIZE: usize = 1 << 20;
    const CLASSES: u8 = 64;

    fn nothing() -> Self {
        PhraseStarts {
            bits: vec![0; Self::SIZE / 64],
        }
    }

    fn everything() -> Self {
        PhraseStarts {
            bits: vec![u64::MAX; Self::SIZE / 64],
        }
    }

    fn class(byte: u8) -> u8 {
        BYTE_CLASS[usize::from(byte)]
    }

    /// The bit of four byte classes.
    fn index(classes: [u8; 4]) -> usize {
        let key = classes
            .iter()
            .fold(0u32, |key, class| key << 6 | u32::from(*class));
        (key.wrapping_mul(0x9E37_79B1) >> (32 - 20)) as usize
    }

    fn set(&mut self, n: usize) {
        self.bits[n / 64] |= 1 << (n % 64);
    }

    /// Allows every four bytes that begin with `prefix` (any bytes after a shorter one).
    fn allow(&mut self, prefix: &[u8]) {
        if prefix.is_empty() {
            self.bits.fill(u64::MAX);
            return;
        }
        let known: Vec<u8> = prefix.iter().take(4).map(|b| Self::class(*b)).collect();
        // Every class in the places the prefix leaves open.
        let open = 4 - known.len();
        for rest in 0..usize::from(Self::CLASSES).pow(open as u32) {
            let mut classes = [0u8; 4];
            classes[..known.len()].copy_from_slice(&known);
            let mut rest = rest;
            for class in classes[known.len()..].iter_mut() {
                *class = (rest % usize::from(Self::CLASSES)) as u8;
                rest /= usize::from(Self::CLASSES);
            }
            self.set(Self::index(classes));
        }
    }

    /// Whether a phrase may start with `text[at..]` (true near the end, where fewer than
    /// four bytes are left).
    fn may_start(&self, text: &[u8], at: usize) -> bool {
        match text.get(at..at + 4) {
            Some([a, b, c, d]) => {
                let n = Self::index([a, b, c, d].map(|byte| Self::class(*byte)));
                self.bits[n / 64] & (1 << (n % 64)) != 0
            }
            _ => true,
        }
    }
}

impl std::fmt::Debug for PhraseStarts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set: u32 = self.bits.iter().map(|w| w.count_ones()).sum();
        write!(f, "{set} of {} four-byte prefix bits", Self::SIZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_bits_agree_with_a_byte_at_a_time_for_every_byte_and_block_length() {
        for b in 0..=255u8 {
            let word = b.is_ascii_alphanumeric() || b == b'_';
            assert_eq!(is_word_byte(b), word, "byte {b:#x}");
        }
        // Every byte value at every place of a whole block, among word and non-word bytes.
        for b in 0..=255u8 {
            for place in 0..64 {
                let mut block: Vec<u8> = (0..64u8)
                    .map(|n| if n % 3 == 0 { b' ' } else { b'a' + n % 26 })
                    .collect();
                block[place] = b;
                let one_at_a_time = block
                    .iter()
                    .enumerate()
                    .fold(0u64, |w, (n, b)| w | u64::from(is_word_byte(*b)) << n);
                assert_eq!(word_bits(&block), one_at_a_time, "byte {b:#x} at {place}");
                for len in [0, 1, 63] {
                    assert_eq!(
                        word_bits(&block[..len]),
                        one_at_a_time & ((1u64 << len) - 1)
                    );
                }
            }
        }
        assert_eq!(word_bits(&[b'x'; 64]), u64::MAX);
        assert_eq!(word_bits(&[0xC3; 64]), 0);
    }

    fn pattern(phrase: &str) -> String {
        format!(
            "(?-u:\\b)(?:{})(?-u:\\b)",
            crate::triage::compile::phrase_to_regex(phrase)
        )
    }

    /// The reference: regex-automata's own unanchored leftmost-first search.
    fn reference(patterns: &[String], text: &str) -> Vec<PhraseMatch> {
        let re = regex_automata::meta::Regex::builder()
            .syntax(
                regex_automata::util::syntax::Config::new()
                    .case_insensitive(true)
                    .unicode(false)
                    .utf8(false),
            )
            .configure(regex_automata::meta::Regex::config().utf8_empty(false))
            .build_many(patterns)
            .unwrap_or_else(|e| panic!("{e}"));
        re.find_iter(text.as_bytes())
            .map(|m| PhraseMatch {
                pattern: m.pattern().as_usize(),
                start: m.start(),
                end: m.end(),
            })
            .collect()
    }

    fn found(matcher: &PhraseMatcher, text: &str) -> Vec<PhraseMatch> {
        matcher.find_in(text.as_bytes(), 0..text.len())
    }

    const PHRASES: &[&str] = &[
        "log ?ins?",
        "log",
        "logging",
        "audit logs?",
        "web ?hooks?",
        "http endpoints?",
        "customer'?s? (names?|emails?)",
        "rate limit",
        "e-?mail",
        "a",
        r"\.env files?",
    ];

    #[test]
    fn the_same_matches_as_an_unanchored_leftmost_first_search() {
        let patterns: Vec<String> = PHRASES.iter().map(|p| pattern(p)).collect();
        let matcher = PhraseMatcher::new(&patterns, false, &[]).unwrap_or_else(|e| panic!("{e}"));
        for text in [
            "Users log in with a webhook; the audit log keeps logging. LOG-IN, Web-Hooks",
            "catalog blog dialog login_page logins HTTP endpoint rate-limit ratelimit",
            "customer's name, customers emails, email e-mail, a b a",
            "",
            "log",
            "  log  ",
            "the app.env file and .env files; 0123456789012345678901234567890123456789012345678901234567890123 log",
        ] {
            assert_eq!(
                found(&matcher, text),
                reference(&patterns, text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn searchers_give_their_caches_back_and_released_ones_are_made_again() {
        let patterns: Vec<String> = PHRASES.iter().map(|p| pattern(p)).collect();
        let matcher = PhraseMatcher::new(&patterns, false, &[]).unwrap_or_else(|e| panic!("{e}"));
        let text = "Users log in with a webhook; the audit log keeps logging.";
        let expected = reference(&patterns, text);
        assert_eq!(found(&matcher, text), expected);
        assert_eq!(matcher.idle_caches(), 1);
        matcher.release_caches();
        assert_eq!(matcher.idle_caches(), 0);
        assert_eq!(found(&matcher, text), expected);
        assert_eq!(matcher.idle_caches(), 1);
        // Two searchers at once hold a cache each, and both come back.
        {
            let (mut first, mut second) = (matcher.searcher(), matcher.searcher());
            let both: Vec<PhraseMatch> = first
                .find_in(text.as_bytes(), 0..text.len())
                .chain(second.find_in(text.as_bytes(), 0..text.len()))
                .collect();
            assert_eq!(both.len(), 2 * expected.len());
            assert_eq!(matcher.idle_caches(), 0);
        }
        assert_eq!(matcher.idle_caches(), 2);
    }

    #[test]
    fn a_unicode_word_boundary_in_a_phrase_still_matches() {
        let unicode = |p: &str| format!(r"\b(?:{})\b", crate::triage::compile::phrase_to_regex(p));
        let patterns = vec![unicode(r"\bфото\b"), unicode("снимок")];
        let matcher = PhraseMatcher::new(&patterns, true, &[]).unwrap_or_else(|e| panic!("{e}"));
        let text = "Загрузка фото пользователя, снимок; фотограф";
        let got: Vec<(usize, &str)> = found(&matcher, text)
            .iter()
            .map(|m| (m.pattern, &text[m.start..m.end]))
            .collect();
        assert_eq!(got, vec![(0, "фото"), (1, "снимок")]);
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_reference_on_arbitrary_text(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "log", "in", "login", "logging", "audit", "logs", "web", "hook", "hooks",
                    "http", "endpoint", "customer's", "name", "email", "e-mail", "rate", "limit",
                    "a", "blog", "catalog", "-", "_", ".", "\n", "  ", "é", "LOG", "WebHook",
                    ".env", "x.env", "file", "files",
                ]),
                0..40,
            ),
            separators in proptest::collection::vec(proptest::sample::select(vec!["", " ", "-", "_"]), 40),
        ) {
            let mut text = String::new();
            for (w, s) in words.iter().zip(separators.iter()) {
                text.push_str(w);
                text.push_str(s);
            }
            let patterns: Vec<String> = PHRASES.iter().map(|p| pattern(p)).collect();
            let matcher = PhraseMatcher::new(&patterns, false, &[]).unwrap_or_else(|e| panic!("{e}"));
            proptest::prop_assert_eq!(found(&matcher, &text), reference(&patterns, &text));
        }
    }
}
