//! The command line as a user meets it: output formats, exit codes, error messages, colour,
//! a closed stdout, hostile item text.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use assert_cmd::Command as Cmd;
use predicates::prelude::*;

fn backlint() -> Cmd {
    let mut cmd = Cmd::cargo_bin("backlint").unwrap_or_else(|e| panic!("{e}"));
    cmd.current_dir(common::manifest_dir())
        .env("COLUMNS", "100")
        .env_remove("NO_COLOR");
    cmd
}

fn stdout_of(cmd: &mut Cmd) -> (String, Option<i32>) {
    let output = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code(),
    )
}

#[test]
fn human_output_of_the_example_backlog() {
    let (out, code) = stdout_of(backlint().args(["check", "examples/webshop", "--color", "never"]));
    assert_eq!(code, Some(1));
    assert!(
        !out.contains('\u{1b}'),
        "no colour codes with --color never"
    );
    insta::assert_snapshot!("human_webshop", out);
}

#[test]
fn json_output_of_the_example_backlog() {
    let (out, code) = stdout_of(backlint().args(["check", "examples/webshop", "--format", "json"]));
    assert_eq!(code, Some(1));
    let value: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(value["version"], 1);
    let items = value["items"].as_array().map_or(0, Vec::len);
    assert_eq!(
        value["summary"]["items"], items as u64,
        "every parsed item is listed"
    );
    insta::assert_json_snapshot!("json_webshop", value);
}

#[test]
fn check_is_the_default_command() {
    let (with, _) = stdout_of(backlint().args(["check", "examples/webshop", "--format", "json"]));
    let (without, code) = stdout_of(backlint().args(["examples/webshop", "--format", "json"]));
    assert_eq!(code, Some(1));
    assert_eq!(with, without);
}

#[test]
fn exit_codes() {
    // A clean backlog: 0.
    backlint()
        .args(["check", "tests/fixtures/triage/missing-spike/pass"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no problems"));
    // Warnings only: 0.
    backlint()
        .args(["check", "tests/fixtures/nfr/unmeasurable/fail"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 warning"));
    // Errors: 1.
    backlint()
        .args(["check", "tests/fixtures/triage/missing-spike/fail"])
        .assert()
        .code(1);
    // Could not run: 2.
    backlint()
        .args(["check", "no/such/folder"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("path not found: no/such/folder"));
    backlint()
        .args(["check", "--format", "xml", "examples/webshop"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format `xml`"));
}

#[test]
fn invalid_configuration_is_reported_at_once_and_exits_2() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("backlint.yaml"),
        "extend: [builtin:web-app]\nrules:\n  triage/mising-spike: error\ncategories:\n  money:\n    detectors:\n      - phrases: ['card (']\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("S-1.md"),
        "---\nid: S-1\ntitle: x\nstatus: todo\n---\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = Cmd::cargo_bin("backlint")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir.path())
        .args(["check", "--color", "never"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("backlint.yaml:1:1: unknown key `extend`"),
        "{err}"
    );
    assert!(err.contains("did you mean `extends`?"), "{err}");
    assert!(
        err.contains("backlint.yaml:3:3: unknown rule `triage/mising-spike`"),
        "{err}"
    );
    assert!(
        err.contains("backlint.yaml:7:19: invalid regular expression"),
        "{err}"
    );
    assert!(err.contains("the configuration has 3 problems"), "{err}");
}

#[test]
fn rules_and_explain() {
    let (out, code) = stdout_of(backlint().arg("rules"));
    assert_eq!(code, Some(0));
    for rule in backlint::rules::ALL {
        assert!(
            out.contains(rule.id().as_str()),
            "`backlint rules` lacks {}",
            rule.id()
        );
    }
    for category in [
        "network-input",
        "authentication",
        "private-data",
        "storage",
        "logging",
    ] {
        assert!(out.contains(category), "`backlint rules` lacks {category}");
    }
    assert!(
        out.contains("[builtin:default]"),
        "categories show their pack"
    );

    let (out, code) = stdout_of(backlint().args(["explain", "triage/missing-spike"]));
    assert_eq!(code, Some(0));
    assert!(out.starts_with("triage/missing-spike (error)"));
    assert!(out.contains("## Why") && out.contains("Vähä-Sipilä"));

    let (out, _) = stdout_of(backlint().args(["explain", "logging"]));
    assert!(out.contains("\"Log in\" is authentication, not logging"));

    backlint()
        .args(["explain", "missing-spik"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `triage/missing-spike`?",
        ));
}

#[test]
fn colour_follows_the_flag() {
    let (out, _) = stdout_of(backlint().args([
        "check",
        "tests/fixtures/triage/missing-spike/fail",
        "--color",
        "always",
    ]));
    assert!(out.contains('\u{1b}'), "--color always colours the output");
    let (out, _) = stdout_of(
        backlint()
            .env("NO_COLOR", "1")
            .args(["check", "tests/fixtures/triage/missing-spike/fail"]),
    );
    assert!(!out.contains('\u{1b}'), "NO_COLOR turns colour off");
}

#[test]
fn terminal_escapes_in_items_are_never_echoed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("S-1.md"),
        "---\nid: \"S-1\\e]0;pwned\\a\"\ntitle: \"Receive webhooks \\e[31mred\\e[0m\"\nstatus: todo\n---\nParse the \u{1b}[2Jwebhook payload\r\u{9b}31m.\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = Cmd::cargo_bin("backlint")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir.path())
        .args(["check", "--color", "never"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(1));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.contains("triage/missing-spike"), "{out}");
    for bad in ['\u{1b}', '\u{9b}', '\u{7}', '\r'] {
        assert!(!out.contains(bad), "{bad:?} echoed raw:\n{out}");
    }
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("backlint"))
        .current_dir(common::manifest_dir())
        .args(["check", "examples/webshop", "--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut first = [0u8; 16];
    if let Some(stdout) = child.stdout.as_mut() {
        let _ = stdout.read(&mut first);
    }
    drop(child.stdout.take());
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut err);
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.code().is_some_and(|c| c <= 1), "{status:?} {err}");
}

#[test]
fn the_no_dod_example_reports_the_missing_definition_of_done() {
    backlint()
        .args(["check", "examples/no-dod", "--color", "never"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("dod/not-found"));
}
