//! Baselines: the findings a team accepts as existing debt, recorded by fingerprint (rule,
//! item, categories and content — never line numbers). `check --baseline FILE` hides them,
//! reports new findings, and reports entries that no longer match or have expired, so that the
//! debt can only go down.

#![allow(
    clippy::indexing_slicing,
    reason = "entry indices come from enumerating the same baseline"
)]

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Finding, RuleId};
use crate::outcome::{CheckOutcome, finding_path};

/// The baseline file (`.backlint-baseline.json`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

/// One accepted finding.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub message: String,
    /// After this date (`YYYY-MM-DD`) the entry no longer hides its finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

impl Baseline {
    /// Records the findings of a check.
    pub fn record(outcome: &CheckOutcome) -> Baseline {
        let mut entries: Vec<Entry> = outcome
            .findings
            .iter()
            .map(|f| Entry {
                fingerprint: f.fingerprint.to_string(),
                rule: f.rule.as_str().to_string(),
                item: f.item.as_deref().map(str::to_string),
                file: finding_path(f, &outcome.sources),
                message: f.message.to_string(),
                until: None,
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.file, &a.rule, &a.fingerprint).cmp(&(&b.file, &b.rule, &b.fingerprint))
        });
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            version: 1,
            entries,
        }
    }

    /// Carries the `until` dates of `previous` over to the entries that are still recorded.
    pub fn keep_dates_of(&mut self, previous: &Baseline) {
        let dates: HashMap<&str, &str> = previous
            .entries
            .iter()
            .filter_map(|e| Some((e.fingerprint.as_str(), e.until.as_deref()?)))
            .collect();
        for entry in &mut self.entries {
            if let Some(until) = dates.get(entry.fingerprint.as_str()) {
                entry.until = Some((*until).to_string());
            }
        }
    }

    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if baseline.version != 1 {
            return Err(format!(
                "unsupported baseline version {} (expected 1)",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Hides the recorded findings among `findings` (whose fingerprints are sealed), and
    /// returns its own: `waiver/unused` for entries that match nothing and `waiver/expired` for
    /// entries past their date (their findings stay). `file` is the baseline's path.
    pub fn apply(
        &self,
        findings: &mut Vec<Finding>,
        file: &str,
        today: jiff::civil::Date,
    ) -> Vec<Finding> {
        let mut by_fingerprint: HashMap<&str, (usize, bool)> = HashMap::new();
        let mut extra = Vec::new();
        for (n, entry) in self.entries.iter().enumerate() {
            let expired = entry
                .until
                .as_deref()
                .and_then(crate::util::date::parse_date)
                .is_some_and(|d| d < today);
            if expired {
                let mut f = Finding::new(
                    RuleId::WaiverExpired,
                    RuleId::WaiverExpired.default_severity(),
                    format!(
                        "the baseline entry for {} ({}) expired on {}",
                        entry.rule,
                        entry.item.as_deref().unwrap_or(&entry.file),
                        entry.until.as_deref().unwrap_or_default()
                    ),
                )
                .file(file.to_string())
                .help("fix the finding, or renew the entry's `until` on purpose")
                .content(entry.fingerprint.clone());
                f.seal(file);
                extra.push(f);
                continue;
            }
            by_fingerprint.insert(entry.fingerprint.as_str(), (n, false));
        }
        findings.retain(|f| match by_fingerprint.get_mut(f.fingerprint.as_str()) {
            Some(slot) => {
                slot.1 = true;
                false
            }
            None => true,
        });
        let mut unused: Vec<usize> = by_fingerprint
            .values()
            .filter(|(_, used)| !used)
            .map(|(n, _)| *n)
            .collect();
        unused.sort_unstable();
        for n in unused {
            let entry = &self.entries[n];
            let mut f = Finding::new(
                RuleId::WaiverUnused,
                RuleId::WaiverUnused.default_severity(),
                format!(
                    "the baseline entry for {} ({}) matches no finding any more",
                    entry.rule,
                    entry.item.as_deref().unwrap_or(&entry.file)
                ),
            )
            .file(file.to_string())
            .help("remove the entry (or regenerate the baseline with `backlint baseline`): the debt it recorded is gone")
            .content(entry.fingerprint.clone());
            f.seal(file);
            extra.push(f);
        }
        extra
    }
}
