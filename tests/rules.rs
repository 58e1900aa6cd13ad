//! Every rule: documented, unique, and proven on a failing and a passing fixture backlog
//! (`tests/fixtures/<rule-id>/{fail,pass}`); the failing findings are snapshotted.

mod common;

use std::collections::HashSet;
use std::path::Path;

use backlint::rules::ALL;
use common::{check_json, findings_of, manifest_dir};

fn snapshot_name(rule: &str) -> String {
    rule.replace('/', "__")
}

#[test]
fn every_rule_is_documented_and_unique() {
    let mut ids = HashSet::new();
    for rule in ALL {
        let id = rule.id();
        assert!(ids.insert(id), "duplicate rule id {id}");
        assert!(id.contains('/'), "{id}: ids are family/name");
        assert!(!rule.summary().is_empty(), "{id}: no summary");
        let docs = rule.docs();
        for section in ["## What it checks", "## Why", "## Example", "## How to fix"] {
            assert!(docs.contains(section), "{id}: docs lack `{section}`");
        }
    }
}

#[test]
fn every_rule_fails_and_passes_on_its_fixtures() {
    for rule in ALL {
        let id = rule.id();
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
        insta::with_settings!({snapshot_suffix => snapshot_name(id), prepend_module_to_snapshot => false}, {
            insta::assert_yaml_snapshot!("fail", found);
        });
        let passing = check_json(&base.join("pass"));
        let wrongly = findings_of(&passing, id);
        assert!(
            wrongly.is_empty(),
            "{id}: the passing fixture raises {wrongly:#?}"
        );
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
        let anchor = backlint::output::sarif::rule_anchor(rule.id());
        assert!(
            committed.contains(&format!("## {}\n", rule.id())),
            "{anchor}"
        );
    }
}
