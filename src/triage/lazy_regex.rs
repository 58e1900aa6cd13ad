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
    /// `pattern`, compiled on first use: only for the built-in packs' phrases, which the
    /// tests compile (a pack of a user's is compiled at once, and its errors reported).
    pub fn vetted(pattern: String) -> LazyRegex {
        LazyRegex {
            pattern,
            compiled: OnceLock::new(),
        }
    }

    /// A regex already compiled.
    pub fn compiled(regex: Regex) -> LazyRegex {
        LazyRegex {
            pattern: regex.as_str().to_string(),
            compiled: OnceLock::from(Some(regex)),
        }
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
        let lazy = LazyRegex::vetted("(?i)\\bresidual risk\\b".to_string());
        assert!(lazy.compiled.get().is_none(), "compiled before use");
        assert!(
            lazy.get()
                .is_some_and(|re| re.is_match("The Residual risk is accepted"))
        );
        assert!(lazy.compiled.get().is_some());
        let eager = LazyRegex::compiled(
            Regex::new("(?i)\\bmeasurable\\b").unwrap_or_else(|e| panic!("{e}")),
        );
        assert!(eager.get().is_some_and(|re| re.is_match("MEASURABLE")));
        // A pattern that does not compile is asked nothing (the built-in packs' are tested).
        assert!(LazyRegex::vetted("(unclosed".to_string()).get().is_none());
    }
}
