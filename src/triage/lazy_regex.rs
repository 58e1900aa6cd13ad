//! A regular expression compiled on its first use, for the checklist's title dampeners and
//! standalone signals.
//!
//! The signals are alternations of a hundred-odd phrases: compiling them and the dampeners
//! took 60% of a hook run's instructions, on the path every run waits for, though a run whose
//! items all come from the item cache asks them nothing.

use std::sync::OnceLock;

use regex::Regex;

/// A pattern, and the regex once something asks it (`None` if it then fails to compile,
/// which only a pattern of the built-in packs could, and the tests compile every one).
pub struct LazyRegex {
    pattern: String,
    compiled: OnceLock<Option<Regex>>,
}

impl LazyRegex {
    /// `pattern`, compiled on first use when it is `vetted` (the built-in packs' phrases,
    /// which the tests compile), else compiled now so that a pack of a user's hears of its
    /// errors at once.
    pub fn new(pattern: String, vetted: bool) -> Result<LazyRegex, regex::Error> {
        let compiled = if vetted {
            OnceLock::new()
        } else {
            OnceLock::from(Some(Regex::new(&pattern)?))
        };
        Ok(LazyRegex { pattern, compiled })
    }

    /// The regex, compiled now if no one has asked it before.
    pub fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| Regex::new(&self.pattern).ok())
            .as_ref()
    }
}

impl std::fmt::Debug for LazyRegex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LazyRegex({:?})", self.pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vetted_pattern_is_compiled_when_first_asked_and_matches_as_compiled() {
        let lazy = LazyRegex::new("(?i)\\bresidual risk\\b".to_string(), true)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(lazy.compiled.get().is_none(), "compiled before use");
        assert!(
            lazy.get()
                .is_some_and(|re| re.is_match("The Residual risk is accepted"))
        );
        assert!(lazy.compiled.get().is_some());
        let eager = LazyRegex::new("(?i)\\bmeasurable\\b".to_string(), false)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            eager.compiled.get().is_some(),
            "not vetted: compiled at once"
        );
        assert!(eager.get().is_some_and(|re| re.is_match("MEASURABLE")));
        // Not vetted, a bad pattern is an error now; vetted, it is asked nothing (the
        // built-in packs' are tested).
        assert!(LazyRegex::new("(unclosed".to_string(), false).is_err());
        let bad = LazyRegex::new("(unclosed".to_string(), true).unwrap_or_else(|e| panic!("{e}"));
        assert!(bad.get().is_none());
    }
}
