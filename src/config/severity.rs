//! The severity of every rule, resolved once per run: the rule's default, then the rule packs
//! in order, then `rules:` in backlint.yaml, then the last matching `overrides:` entry for the
//! finding's path. `off` drops a finding (and a rule that is off everywhere does not run).

use globset::GlobSet;

use super::{Config, RuleLevel};
use crate::diagnostic::{RuleId, Severity};

/// Per rule: its level for every path, and the path overrides that may change it.
#[derive(Clone, Debug)]
pub struct SeverityTable {
    /// Indexed by [`RuleId::index`].
    base: Vec<RuleLevel>,
    /// `(paths, levels)`; later entries win.
    overrides: Vec<(GlobSet, Vec<(RuleId, RuleLevel)>)>,
}

impl Default for SeverityTable {
    fn default() -> Self {
        SeverityTable {
            base: RuleId::ALL
                .iter()
                .map(|r| RuleLevel::from_severity(r.default_severity()))
                .collect(),
            overrides: Vec::new(),
        }
    }
}

impl RuleLevel {
    pub fn from_severity(severity: Severity) -> RuleLevel {
        match severity {
            Severity::Error => RuleLevel::Error,
            Severity::Warning => RuleLevel::Warning,
        }
    }
}

impl SeverityTable {
    /// Resolves the table: defaults, then `packs` (each pack's `severities:`, in pack order),
    /// then the configuration's `rules:` and `overrides:`.
    pub fn resolve(
        packs: impl IntoIterator<Item = (RuleId, RuleLevel)>,
        config: &Config,
    ) -> SeverityTable {
        let mut table = SeverityTable::default();
        for (rule, level) in packs {
            table.set(rule, level);
        }
        for (rule, level) in &config.severities {
            table.set(*rule, *level);
        }
        table.overrides = config
            .overrides
            .iter()
            .map(|o| {
                (
                    o.paths.clone(),
                    o.rules.iter().map(|(r, l)| (*r, *l)).collect(),
                )
            })
            .collect();
        table
    }

    fn set(&mut self, rule: RuleId, level: RuleLevel) {
        if let Some(slot) = self.base.get_mut(rule.index()) {
            *slot = level;
        }
    }

    /// The level of `rule` for a finding in `path` (empty for findings about no file).
    pub fn level(&self, rule: RuleId, path: &str) -> RuleLevel {
        let overridden = self
            .overrides
            .iter()
            .rev()
            .filter(|(paths, _)| !path.is_empty() && paths.is_match(path))
            .find_map(|(_, levels)| levels.iter().find(|(r, _)| *r == rule).map(|(_, l)| *l));
        overridden.unwrap_or_else(|| self.base_level(rule))
    }

    /// The level of `rule` where no override applies.
    pub fn base_level(&self, rule: RuleId) -> RuleLevel {
        self.base
            .get(rule.index())
            .copied()
            .unwrap_or(RuleLevel::from_severity(rule.default_severity()))
    }

    /// Whether no finding of `rule` can be reported anywhere (so it need not run).
    pub fn off_everywhere(&self, rule: RuleId) -> bool {
        self.base_level(rule) == RuleLevel::Off
            && self.overrides.iter().all(|(_, levels)| {
                levels
                    .iter()
                    .all(|(r, l)| *r != rule || *l == RuleLevel::Off)
            })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::PathOverride;

    fn glob(pattern: &str) -> GlobSet {
        let mut builder = globset::GlobSetBuilder::new();
        builder.add(globset::Glob::new(pattern).unwrap_or_else(|e| panic!("{e}")));
        builder.build().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn precedence_defaults_packs_config_overrides() {
        let mut config = Config::default();
        // Default only.
        let table = SeverityTable::resolve([], &config);
        assert_eq!(
            table.level(RuleId::UnknownStatus, "a.md"),
            RuleLevel::Warning
        );
        assert_eq!(table.level(RuleId::MissingSpike, "a.md"), RuleLevel::Error);
        // A pack changes the default; a later pack wins over an earlier one.
        let packs = [
            (RuleId::UnknownStatus, RuleLevel::Off),
            (RuleId::UnknownStatus, RuleLevel::Error),
            (RuleId::Unmeasurable, RuleLevel::Error),
        ];
        let table = SeverityTable::resolve(packs, &config);
        assert_eq!(table.level(RuleId::UnknownStatus, "a.md"), RuleLevel::Error);
        // The configuration wins over the packs.
        config.severities = BTreeMap::from([(RuleId::UnknownStatus, RuleLevel::Warning)]);
        // An override wins over the configuration for its paths only; the last one wins.
        config.overrides = vec![
            PathOverride {
                paths: glob("legacy/**"),
                rules: BTreeMap::from([(RuleId::UnknownStatus, RuleLevel::Error)]),
            },
            PathOverride {
                paths: glob("legacy/old/**"),
                rules: BTreeMap::from([(RuleId::UnknownStatus, RuleLevel::Off)]),
            },
        ];
        let table = SeverityTable::resolve(packs, &config);
        assert_eq!(
            table.level(RuleId::UnknownStatus, "a.md"),
            RuleLevel::Warning
        );
        assert_eq!(
            table.level(RuleId::UnknownStatus, "legacy/a.md"),
            RuleLevel::Error
        );
        assert_eq!(
            table.level(RuleId::UnknownStatus, "legacy/old/a.md"),
            RuleLevel::Off
        );
        // Findings about no file see no override.
        assert_eq!(table.level(RuleId::UnknownStatus, ""), RuleLevel::Warning);
        assert_eq!(
            table.level(RuleId::Unmeasurable, "legacy/a.md"),
            RuleLevel::Error
        );
    }

    #[test]
    fn off_everywhere_needs_every_override_off() {
        let mut config = Config {
            severities: BTreeMap::from([(RuleId::DeferredSecurity, RuleLevel::Off)]),
            ..Config::default()
        };
        let table = SeverityTable::resolve([], &config);
        assert!(table.off_everywhere(RuleId::DeferredSecurity));
        assert!(!table.off_everywhere(RuleId::MissingSpike));
        config.overrides = vec![PathOverride {
            paths: glob("new/**"),
            rules: BTreeMap::from([(RuleId::DeferredSecurity, RuleLevel::Warning)]),
        }];
        let table = SeverityTable::resolve([], &config);
        assert!(!table.off_everywhere(RuleId::DeferredSecurity));
    }
}
