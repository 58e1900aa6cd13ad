//! The learned triage model: training is deterministic, the committed built-in model is exactly
//! what `backlint triage train` produces from the shared labelled items (when `../shared` is
//! present), a team's own model is used through `triage_model:`, thresholds can be set per
//! category, and a broken model file is a configuration error.

mod common;

use std::path::PathBuf;
use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use backlint::app::triage_train::{TrainOptions, train_model};
use backlint::triage::TriageModel;
use common::manifest_dir;

fn fixture_options() -> TrainOptions {
    let dir = manifest_dir().join("tests/fixtures/triage-train");
    TrainOptions {
        labels: vec![dir.join("labels.jsonl")],
        corpus: dir.join("corpus"),
        ..TrainOptions::default()
    }
}

#[test]
fn training_is_deterministic_and_learns_from_the_phrase_evidence() {
    let (a, missing) = train_model(&fixture_options()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing, 0);
    let (b, _) = train_model(&fixture_options()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.to_bytes(), b.to_bytes(), "same inputs, same bytes");
    assert_eq!(TriageModel::from_bytes(&a.to_bytes()), Ok(a.clone()));
    let ids: Vec<&str> = a.header.categories.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "network-input",
            "authentication",
            "private-data",
            "storage",
            "logging"
        ]
    );
    // The phrase score is evidence for every category.
    let score = backlint::triage::features::index_of("score");
    for (meta, model) in a.header.categories.iter().zip(&a.categories) {
        assert!(model.weight(score) > 0.0, "{}: {:?}", meta.id, model);
        assert!(meta.thresholds.possible <= meta.thresholds.strong);
    }
    // A changed input changes the recorded hash.
    let mut options = fixture_options();
    options.target_recall = 0.8;
    let (c, _) = train_model(&options).unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(a.header.inputs, c.header.inputs);
}

#[test]
fn the_committed_model_is_what_training_produces() {
    let shared = manifest_dir().join("../shared");
    let labels = [
        shared.join("triage-train/labels.jsonl"),
        shared.join("triage-dev/labels.jsonl"),
    ];
    if !labels.iter().all(|l| l.is_file()) {
        eprintln!("skipped: ../shared/triage-train and triage-dev are not present");
        return;
    }
    let options = TrainOptions {
        labels: labels.to_vec(),
        corpus: shared.join("corpus"),
        ..TrainOptions::default()
    };
    let (model, _) = train_model(&options).unwrap_or_else(|e| panic!("{e}"));
    let committed = std::fs::read(manifest_dir().join("rules/triage-model.bin"))
        .unwrap_or_else(|e| panic!("{e}"));
    let committed_model = TriageModel::from_bytes(&committed).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        committed_model.header.inputs, model.header.inputs,
        "the training inputs changed (labels, corpus items, rule pack or options): retrain with \
         `backlint triage train --labels ../shared/triage-train/labels.jsonl \
         ../shared/triage-dev/labels.jsonl --corpus ../shared/corpus -o rules/triage-model.bin`"
    );
    assert!(
        committed == model.to_bytes(),
        "rules/triage-model.bin differs from what `backlint triage train` produces"
    );
}

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(cargo_bin("backlint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |path: &str, text: &str| common::write_file(dir.path(), path, text);
    write(
        "docs/definition-of-done.md",
        "# Definition of Done\n\n- For every identified threat the residual risk is accepted by its owner\n",
    );
    write(
        "stories/STORY-1.md",
        "---\nid: STORY-1\ntitle: Show the order history on the account page\ntype: story\nstatus: todo\n---\n\nCustomers see their past orders, newest first, on the account page.\n",
    );
    dir
}

fn categories_of(json: &str) -> Vec<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    value["items"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|i| i["categories"].as_array().cloned().unwrap_or_default())
        .map(|c| {
            (
                c["category"].as_str().unwrap_or_default().to_string(),
                c["tier"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn tiers_thresholds_and_fail_on() {
    let dir = scratch();
    let (code, out, _) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 0, "a possible category is a warning: {out}");
    assert_eq!(
        categories_of(&out),
        [("private-data".to_string(), "possible".to_string())]
    );
    assert!(out.contains("\"rule\":\"triage/unconfirmed\""), "{out}");
    let (code, _, _) = run(dir.path(), &["check", "--fail-on", "warning"]);
    assert_eq!(code, 1, "--fail-on warning fails on the warning");

    // Raised thresholds: not even possible. Lowered: strong, an error without a spike.
    std::fs::write(
        dir.path().join("backlint.yaml"),
        "triage_thresholds:\n  private-data: {possible: 0.95, strong: 0.99}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, out, _) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!((code, categories_of(&out)), (0, vec![]));
    std::fs::write(
        dir.path().join("backlint.yaml"),
        "triage_thresholds:\n  private-data: {possible: 0.1, strong: 0.2}\nfail_on: warning\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, out, _) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!(
        categories_of(&out),
        [("private-data".to_string(), "strong".to_string())]
    );

    // The phrase rules alone: no possible tier.
    std::fs::write(
        dir.path().join("backlint.yaml"),
        "triage_model: phrase-rules\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, out, _) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!((code, categories_of(&out)), (0, vec![]));
}

#[test]
fn a_team_model_is_used_and_a_broken_one_is_a_configuration_error() {
    let dir = scratch();
    let fixture = manifest_dir().join("tests/fixtures/triage-train");
    let model_path: PathBuf = dir.path().join(".backlint/model.bin");
    std::fs::create_dir_all(model_path.parent().unwrap_or(dir.path()))
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, out, err) = run(
        dir.path(),
        &[
            "triage",
            "train",
            "--labels",
            &fixture.join("labels.jsonl").to_string_lossy(),
            "--corpus",
            &fixture.join("corpus").to_string_lossy(),
            "-o",
            &model_path.to_string_lossy(),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("18 labelled items from 3 backlogs"), "{out}");
    std::fs::write(
        dir.path().join("backlint.yaml"),
        "triage_model: .backlint/model.bin\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, out, err) = run(dir.path(), &["why", "STORY-1"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("the team's model `.backlint/model.bin`"),
        "{out}"
    );
    assert!(out.contains("private-data"), "{out}");

    std::fs::write(&model_path, b"BLTRIAGE-but-not-really").unwrap_or_else(|e| panic!("{e}"));
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a usable triage model"), "{err}");
    std::fs::write(
        dir.path().join("backlint.yaml"),
        "triage_model: nowhere.bin\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read the triage model"), "{err}");
}

#[test]
fn why_explains_an_item_and_names_an_unknown_one() {
    let dir = scratch();
    let (code, out, _) = run(dir.path(), &["why", "story-1"]);
    assert_eq!(code, 0);
    for needle in [
        "STORY-1 — Show the order history",
        "scored by the built-in model",
        "private-data (private data):",
        "possible: asks for confirmation (triage/unconfirmed)",
        "thresholds: possible",
        "score",
        "evidence 'Customers' at 8:1",
    ] {
        assert!(out.contains(needle), "`{needle}` missing:\n{out}");
    }
    let (code, out, _) = run(dir.path(), &["why", "STORY-1", "--format", "json"]);
    assert_eq!(code, 0);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(value["id"], "STORY-1");
    assert!(value["categories"].as_array().is_some_and(|c| c.len() == 5));
    let (code, _, err) = run(dir.path(), &["why", "STORY-9"]);
    assert_eq!(code, 2);
    assert!(err.contains("no item has the id `STORY-9`"), "{err}");
}
