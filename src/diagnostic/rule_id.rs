//! Every rule id backlint reports, as a type: the string form (`triage/missing-spike`) is for
//! configuration, output and documentation only. Adding a rule adds one line here.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use super::Severity;

macro_rules! rule_ids {
    ($($variant:ident = $id:literal, $sev:ident;)*) => {
        /// A rule id.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $($variant,)*
        }

        impl RuleId {
            /// Every id, in the order `backlint rules` lists them.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The id as users write it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)*
                }
            }

            /// The severity a finding of this rule has unless packs or configuration say
            /// otherwise.
            pub const fn default_severity(self) -> Severity {
                match self {
                    $(RuleId::$variant => Severity::$sev,)*
                }
            }
        }
    };
}

rule_ids! {
    ParseError = "item/parse-error", Error;
    DuplicateId = "item/duplicate-id", Error;
    UnknownStatus = "item/unknown-status", Warning;
    MissingSpike = "triage/missing-spike", Error;
    Unconfirmed = "triage/unconfirmed", Warning;
    OverrideWithoutReason = "triage/override-without-reason", Error;
    DanglingLink = "spike/dangling-link", Error;
    NotThreatAnalysis = "spike/not-threat-analysis", Error;
    UncoveredCategory = "spike/uncovered-category", Error;
    NotDoneBeforeStart = "spike/not-done-before-start", Error;
    ScheduledAfter = "spike/scheduled-after", Error;
    LinkCycle = "spike/link-cycle", Error;
    Unanswered = "spike/unanswered", Warning;
    DodNotFound = "dod/not-found", Error;
    DodMissingRiskAcceptance = "dod/missing-risk-acceptance", Error;
    AcceptanceMissing = "risk/acceptance-missing", Error;
    AcceptanceLevel = "risk/acceptance-level", Error;
    SecurityGroupAcceptance = "risk/security-group-acceptance", Error;
    Vetoed = "risk/vetoed", Error;
    InvalidAcceptance = "risk/invalid-acceptance", Error;
    AttackerStoryMissing = "story/attacker-story-missing", Warning;
    Unmeasurable = "nfr/unmeasurable", Warning;
    DeferredSecurity = "debt/deferred-security", Warning;
    WaiverExpired = "waiver/expired", Error;
    WaiverUnused = "waiver/unused", Warning;
    WaiverInvalid = "waiver/invalid", Error;
    ConfigInvalid = "config/invalid", Error;
    ConfigChanged = "config/changed", Warning;
}

impl RuleId {
    /// Its position in [`RuleId::ALL`], for tables indexed by rule.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The family: `triage` of `triage/missing-spike`.
    pub fn family(self) -> &'static str {
        self.as_str().split('/').next().unwrap_or_default()
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RuleId {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RuleId::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or(())
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (n, id) in RuleId::ALL.iter().enumerate() {
            assert_eq!(id.index(), n);
            assert!(seen.insert(id.as_str()), "duplicate {id}");
            assert_eq!(id.as_str().parse::<RuleId>(), Ok(*id));
            assert!(id.as_str().contains('/'));
        }
        assert!("triage/nope".parse::<RuleId>().is_err());
        assert_eq!(RuleId::MissingSpike.family(), "triage");
    }
}
