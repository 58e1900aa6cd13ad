//! Every rule: documented, unique, and proven on a failing and a passing fixture backlog
//! (`tests/fixtures/<rule-id>/{fail,pass}`); the failing findings are snapshotted. One test per
//! rule, so that a failure names its rule.

mod common;

use std::collections::HashSet;
use std::path::Path;

use backlint::diagnostic::RuleId;
use backlint::rules::ALL;
use common::{check_json, findings_of, manifest_dir};

fn snapshot_name(rule: RuleId) -> String {
    rule.as_str().replace('/', "__")
}

/// Checks `rule` on its fixtures: the failing backlog raises it (at its default severity, as
/// snapshotted), the passing one does not.
fn fails_and_passes(rule: RuleId) {
    let id = rule.as_str();
    let base = Path::new("tests/fixtures").join(id);
    for kind in ["fail", "pass"] {
        assert!(
            manifest_dir().join(base.join(kind)).is_dir(),
            "{id}: no fixture folder tests/fixtures/{id}/{kind}"
        );
    }
    let failing = check_json(&base.join("fail"));
    let found = findings_of(&failing, id);
    assert!(
        !found.is_empty(),
        "{id}: the failing fixture raises no {id} finding"
    );
    for finding in &found {
        assert_eq!(finding["severity"], rule.default_severity().name(), "{id}");
    }
    insta::with_settings!({snapshot_suffix => snapshot_name(rule), prepend_module_to_snapshot => false}, {
        insta::assert_yaml_snapshot!("fail", found);
    });
    let passing = check_json(&base.join("pass"));
    let wrongly = findings_of(&passing, id);
    assert!(
        wrongly.is_empty(),
        "{id}: the passing fixture raises {wrongly:#?}"
    );
}

macro_rules! rule_tests {
    ($($name:ident => $rule:ident,)*) => {
        $(
            #[test]
            fn $name() {
                fails_and_passes(RuleId::$rule);
            }
        )*

        /// The rules that have a test above.
        const TESTED: &[RuleId] = &[$(RuleId::$rule,)*];
    };
}

rule_tests! {
    item_parse_error => ParseError,
    item_duplicate_id => DuplicateId,
    item_unknown_status => UnknownStatus,
    triage_missing_spike => MissingSpike,
    triage_unconfirmed => Unconfirmed,
    triage_override_without_reason => OverrideWithoutReason,
    spike_dangling_link => DanglingLink,
    spike_not_threat_analysis => NotThreatAnalysis,
    spike_uncovered_category => UncoveredCategory,
    spike_not_done_before_start => NotDoneBeforeStart,
    spike_scheduled_after => ScheduledAfter,
    spike_link_cycle => LinkCycle,
    spike_unanswered => Unanswered,
    dod_not_found => DodNotFound,
    dod_missing_risk_acceptance => DodMissingRiskAcceptance,
    risk_acceptance_missing => AcceptanceMissing,
    risk_acceptance_level => AcceptanceLevel,
    risk_security_group_acceptance => SecurityGroupAcceptance,
    risk_vetoed => Vetoed,
    risk_invalid_acceptance => InvalidAcceptance,
    story_attacker_story_missing => AttackerStoryMissing,
    nfr_unmeasurable => Unmeasurable,
    debt_deferred_security => DeferredSecurity,
    waiver_expired => WaiverExpired,
    waiver_unused => WaiverUnused,
    waiver_invalid => WaiverInvalid,
}

#[test]
fn every_rule_has_its_own_fixture_test() {
    let tested: HashSet<RuleId> = TESTED.iter().copied().collect();
    for rule in ALL {
        assert!(
            tested.contains(&rule.id()),
            "{}: add it to rule_tests! in tests/rules.rs",
            rule.id()
        );
    }
    assert_eq!(
        tested.len(),
        ALL.len(),
        "a test names a rule that is not in rules::ALL"
    );
}

#[test]
fn every_rule_is_documented_and_unique() {
    let mut ids = HashSet::new();
    for rule in ALL {
        let id = rule.id();
        assert!(ids.insert(id), "duplicate rule id {id}");
        assert!(id.as_str().contains('/'), "{id}: ids are family/name");
        assert!(!rule.summary().is_empty(), "{id}: no summary");
        let docs = rule.docs();
        for section in ["## What it checks", "## Why", "## Example", "## How to fix"] {
            assert!(docs.contains(section), "{id}: docs lack `{section}`");
        }
    }
}

#[test]
fn no_orphaned_snapshots() {
    let known: HashSet<String> = ALL
        .iter()
        .map(|r| format!("fail@{}.snap", snapshot_name(r.id())))
        .collect();
    let dir = manifest_dir().join("tests/snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("fail@") && name.ends_with(".snap") {
            assert!(
                known.contains(&name),
                "orphaned snapshot {name}: no rule has this id"
            );
        }
    }
}

#[test]
fn the_rules_document_is_up_to_date() {
    let path = manifest_dir().join("docs/rules.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed,
        backlint::app::explain::rules_markdown(),
        "docs/rules.md is stale: run `cargo run -- explain --all > docs/rules.md`"
    );
    for rule in ALL {
        let anchor = backlint::output::sarif::rule_anchor(rule.id().as_str());
        assert!(
            committed.contains(&format!("## {}\n", rule.id())),
            "{anchor}"
        );
    }
}

/// A team definition of done without the residual-risk entry is reported even when it is
/// empty (Backlog.md's `definition_of_done: []`). Items whose own definition of done copies
/// it (in another order, case, spacing, ticked or not) are counted in that finding; an item
/// whose own list differs is reported by itself.
#[test]
fn team_definitions_of_done_without_the_entry_and_the_items_that_copy_them() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |path: &str, text: &str| common::write_file(dir.path(), path, text);
    let task = |id: &str, title: &str, text: &str, dod: &str| {
        format!(
            "---\nid: {id}\ntitle: {title}\nstatus: To Do\n---\n\n## Description\n\n{text}\n\n\
             ## Definition of Done\n<!-- DOD:BEGIN -->\n{dod}<!-- DOD:END -->\n"
        )
    };
    let login = "Customers sign in with their email and password; the session token is stored \
                 in the database.";
    write("empty/backlog/config.yml", "definition_of_done: []\n");
    write(
        "empty/backlog/tasks/task-1 - Login.md",
        &task("TASK-1", "Password login", login, ""),
    );
    write(
        "copied/backlog/config.yml",
        "definition_of_done: [\"Tests pass\", \"Code reviewed\"]\n",
    );
    write(
        "copied/backlog/tasks/task-1 - Login.md",
        &task(
            "TASK-1",
            "Password login",
            login,
            "- [ ] #1 code  reviewed.\n- [x] #2 TESTS PASS\n",
        ),
    );
    write(
        "copied/backlog/tasks/task-2 - Webhooks.md",
        &task(
            "TASK-2",
            "Receive payment webhooks",
            "Accept payment webhooks from the provider over HTTPS and store each event in the \
             database.",
            "- [ ] #1 Tests pass\n- [ ] #2 Docs written\n",
        ),
    );
    let summary = |dir: &Path| -> Vec<(String, String)> {
        findings_of(&check_json(dir), "dod/missing-risk-acceptance")
            .iter()
            .map(|f| {
                let who = f["item"].as_str().unwrap_or("(team)").to_string();
                (who, f["message"].as_str().unwrap_or_default().to_string())
            })
            .collect()
    };
    let empty = summary(&dir.path().join("empty"));
    assert!(
        empty.iter().any(|(who, _)| who == "(team)"),
        "the empty team document is not reported: {empty:#?}"
    );
    let copied = summary(&dir.path().join("copied"));
    assert_eq!(copied.len(), 2, "{copied:#?}");
    assert!(
        copied
            .iter()
            .any(|(who, m)| who == "(team)" && m.contains("1 triggered item that copies")),
        "{copied:#?}"
    );
    assert!(copied.iter().any(|(who, _)| who == "TASK-2"), "{copied:#?}");
    assert!(
        !copied.iter().any(|(who, _)| who == "TASK-1"),
        "the copy is reported by itself: {copied:#?}"
    );
}
