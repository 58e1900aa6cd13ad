//! Hostile backlogs, one case per row: each gives the finding it must produce (or none), every
//! other item is still checked (a good story beside it still gets its `triage/missing-spike`),
//! and the run ends with a report, never a crash or a hang.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

/// The story every case keeps beside the hostile file: it must still be checked.
const GOOD: &str = "---\nid: GOOD-1\ntype: story\nstatus: todo\n---\n# Accept webhooks from partners\n\nPartners call our HTTP endpoint with signed webhook requests.\n";

struct Case {
    name: &'static str,
    /// Files to write (repository-relative) and their bytes.
    files: Vec<(String, Vec<u8>)>,
    config: Option<&'static str>,
    /// The finding it must produce: rule and a piece of its message (`None`: no finding
    /// besides the good story's).
    expect: Option<(&'static str, &'static str)>,
    /// Items that must be in the report, by id.
    items: Vec<&'static str>,
}

fn md(id: &str, extra: &str, body: &str) -> Vec<u8> {
    format!("---\nid: {id}\ntype: task\nstatus: todo\n{extra}---\n# {id}\n\n{body}\n").into_bytes()
}

fn run(dir: &Path) -> (i32, Value, String) {
    let out = Command::cargo_bin("backlint")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["check", "--format", "json", "--no-cache", "."])
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn cases() -> Vec<Case> {
    let mut bomb = String::from(
        "id: BOMB-1\nstatus: todo\na: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n",
    );
    for i in 1..10u8 {
        let (prev, cur) = ((b'a' + i - 1) as char, (b'a' + i) as char);
        bomb.push_str(&format!(
            "{cur}: &{cur} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
    }
    let many: String = std::iter::once("items:\n".to_string())
        .chain((0..100_000).map(|i| format!("  - id: Y{i}\n    status: todo\n")))
        .collect();
    let links: String = (0..1_000_000).map(|i| format!("S{i},")).collect();
    let mut cycle = Vec::new();
    for i in 0..10_000 {
        cycle.push((
            format!("cycle/C-{i}.md"),
            md(
                &format!("C-{i}"),
                &format!("dependencies: [C-{}]\n", (i + 1) % 10_000),
                "",
            ),
        ));
    }
    vec![
        Case {
            name: "alias bomb",
            files: vec![("bomb.yaml".into(), bomb.into_bytes())],
            config: None,
            expect: Some(("item/parse-error", "safety limits")),
            items: vec![],
        },
        Case {
            name: "10,000-deep nesting",
            files: vec![(
                "deep.md".into(),
                format!(
                    "---\nid: DEEP-1\nstatus: todo\nx: {}{}\n---\n",
                    "[".repeat(10_000),
                    "]".repeat(10_000)
                )
                .into_bytes(),
            )],
            config: None,
            expect: Some(("item/parse-error", "nested more than")),
            items: vec![],
        },
        Case {
            name: "100,000 items in one YAML file",
            files: vec![("many.yaml".into(), many.into_bytes())],
            config: None,
            expect: None,
            items: vec!["Y0", "Y99999"],
        },
        Case {
            name: "a 4 MiB single line",
            files: vec![(
                "long.md".into(),
                md("LONG-1", "", &"lorem ".repeat((4 << 20) / 6 - 16)),
            )],
            config: None,
            expect: None,
            items: vec!["LONG-1"],
        },
        Case {
            name: "a file over the size limit",
            files: vec![("huge.md".into(), md("HUGE-1", "", &"a".repeat(5 << 20)))],
            config: None,
            expect: Some(("item/parse-error", "backlint reads item files up to")),
            items: vec![],
        },
        Case {
            name: "NUL bytes and invalid UTF-8 in a body",
            files: vec![(
                "nul.md".into(),
                b"---\nid: NUL-1\nstatus: todo\n---\n# Nul\n\nbefore \x00 after \xff\xfe end\n"
                    .to_vec(),
            )],
            config: None,
            expect: None,
            items: vec!["NUL-1"],
        },
        Case {
            name: "mixed line endings",
            files: vec![(
                "mixed.md".into(),
                b"---\r\nid: MIX-1\nstatus: todo\r\n---\n# Mixed\r\n\nbody\n".to_vec(),
            )],
            config: None,
            expect: None,
            items: vec!["MIX-1"],
        },
        Case {
            name: "a front matter that never ends",
            files: vec![(
                "open.md".into(),
                b"---\nid: OPEN-1\nstatus: todo\n# no end\n".to_vec(),
            )],
            config: None,
            expect: Some(("item/parse-error", "front matter is not closed")),
            items: vec![],
        },
        Case {
            name: "duplicate keys",
            files: vec![(
                "dup.md".into(),
                b"---\nid: DUP-1\nid: DUP-2\nstatus: todo\n---\n# Dup\n".to_vec(),
            )],
            config: None,
            expect: Some(("item/parse-error", "duplicate mapping key")),
            items: vec![],
        },
        Case {
            name: "`id` as a list",
            files: vec![(
                "idlist.md".into(),
                b"---\nid: [A, B]\nstatus: todo\n---\n# L\n".to_vec(),
            )],
            config: None,
            expect: Some(("item/parse-error", "`id` is a list")),
            items: vec!["idlist"],
        },
        Case {
            name: "`id` as a mapping",
            files: vec![(
                "idmap.md".into(),
                b"---\nid: {a: 1}\nstatus: todo\n---\n# M\n".to_vec(),
            )],
            config: None,
            expect: Some(("item/parse-error", "`id` is a mapping")),
            items: vec!["idmap"],
        },
        Case {
            name: "`id` as a number",
            files: vec![(
                "idnum.md".into(),
                b"---\nid: 42\nstatus: todo\n---\n# N\n".to_vec(),
            )],
            config: None,
            expect: None,
            items: vec!["42"],
        },
        Case {
            name: "a million-link item",
            files: vec![(
                "links.md".into(),
                format!("---\nid: LINKS-1\nstatus: todo\nspikes: [{links}]\n---\n# L\n")
                    .into_bytes(),
            )],
            config: Some("max_file_size: 16777216\n"),
            expect: Some(("spike/dangling-link", "999950 more links do not resolve")),
            items: vec!["LINKS-1"],
        },
        Case {
            name: "a link cycle of length 10,000",
            files: cycle,
            config: None,
            expect: Some(("spike/link-cycle", "form a cycle")),
            items: vec!["C-0", "C-9999"],
        },
        Case {
            name: "case-colliding file names",
            files: vec![
                ("Case.md".into(), md("CASE-1", "", "")),
                ("case.md".into(), md("CASE-2", "", "")),
            ],
            config: None,
            expect: None,
            items: vec!["CASE-1", "CASE-2"],
        },
    ]
}

#[test]
fn every_hostile_input_gives_its_finding_and_the_rest_is_still_checked() {
    let mut failures = Vec::new();
    for case in cases() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join("GOOD-1.md"), GOOD).unwrap_or_else(|e| panic!("{e}"));
        for (path, bytes) in &case.files {
            let full = dir.path().join(path);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(full, bytes).unwrap_or_else(|e| panic!("{e}"));
        }
        if let Some(config) = case.config {
            std::fs::write(dir.path().join("backlint.yaml"), config)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let (code, json, stderr) = run(dir.path());
        if code != 1 || json.is_null() {
            failures.push(format!("{}: exit {code}, stderr {stderr}", case.name));
            continue;
        }
        let findings = json["findings"].as_array().cloned().unwrap_or_default();
        let good_checked = findings
            .iter()
            .any(|f| f["rule"] == "triage/missing-spike" && f["item"] == "GOOD-1");
        if !good_checked {
            failures.push(format!("{}: the good story was not checked", case.name));
        }
        let others: Vec<&Value> = findings
            .iter()
            .filter(|f| f["item"] != "GOOD-1" && f["rule"] != "dod/not-found")
            .collect();
        match case.expect {
            Some((rule, text)) => {
                if !others.iter().any(|f| {
                    f["rule"] == rule && f["message"].as_str().is_some_and(|m| m.contains(text))
                }) {
                    failures.push(format!(
                        "{}: no {rule} finding with {text:?}; got {:?}",
                        case.name,
                        others
                            .iter()
                            .take(5)
                            .map(|f| &f["message"])
                            .collect::<Vec<_>>()
                    ));
                }
            }
            None => {
                if !others.is_empty() {
                    failures.push(format!(
                        "{}: unexpected findings {:?}",
                        case.name,
                        others
                            .iter()
                            .take(5)
                            .map(|f| &f["message"])
                            .collect::<Vec<_>>()
                    ));
                }
            }
        }
        // Bounded: a hostile file never floods the report.
        if findings.len() > 200 {
            failures.push(format!("{}: {} findings", case.name, findings.len()));
        }
        let ids: Vec<&str> = json["items"]
            .as_array()
            .map(|items| items.iter().filter_map(|i| i["id"].as_str()).collect())
            .unwrap_or_default();
        for id in &case.items {
            if !ids.contains(id) {
                failures.push(format!("{}: item {id} was not read", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[cfg(unix)]
#[test]
fn symlinks_are_never_followed_and_odd_file_names_are_read() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let outside = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        outside.path().join("SECRET-1.md"),
        md("SECRET-1", "", "Users log in with a password."),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("GOOD-1.md"), GOOD).unwrap_or_else(|e| panic!("{e}"));
    let link = |target: &Path, name: &str| {
        std::os::unix::fs::symlink(target, dir.path().join(name)).unwrap_or_else(|e| panic!("{e}"))
    };
    link(outside.path(), "outside-dir");
    link(&outside.path().join("SECRET-1.md"), "secret.md");
    link(Path::new("loop"), "loop");
    link(Path::new("a"), "b");
    link(Path::new("b"), "a");
    // A body link that climbs out of the repository, and one through the symlink.
    std::fs::write(
        dir.path().join("LINKER-1.md"),
        md(
            "LINKER-1",
            "spikes: [../outside/SECRET-1.md, outside-dir/SECRET-1.md]\n",
            "",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // A file name that is not UTF-8.
    let odd = std::ffi::OsStr::from_bytes(b"odd-\xff-name.md");
    std::fs::write(dir.path().join(odd), md("ODD-1", "", "")).unwrap_or_else(|e| panic!("{e}"));

    let (code, json, stderr) = run(dir.path());
    assert_eq!(code, 1, "{stderr}");
    let ids: Vec<&str> = json["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        !ids.contains(&"SECRET-1"),
        "a symlink was followed: {ids:?}"
    );
    assert!(ids.contains(&"ODD-1") && ids.contains(&"GOOD-1"), "{ids:?}");
    let text = json.to_string();
    assert!(
        !text.contains("Users log in"),
        "text from outside the repository was read"
    );
    let linker: Vec<&Value> = json["findings"]
        .as_array()
        .map(|f| f.iter().filter(|f| f["item"] == "LINKER-1").collect())
        .unwrap_or_default();
    assert!(
        linker.iter().any(|f| f["message"]
            .as_str()
            .is_some_and(|m| m.contains("outside the repository"))),
        "{linker:?}"
    );
}

#[test]
fn a_configuration_with_a_thousand_errors_is_reported_briefly() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config: String = (0..1000)
        .map(|i| format!("unknown_key_{i}: {i}\n"))
        .collect();
    std::fs::write(dir.path().join("backlint.yaml"), config).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("GOOD-1.md"), GOOD).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::cargo_bin("backlint")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["check", "."])
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown key `unknown_key_0`"), "{stderr}");
    assert!(stderr.contains("… and 980 more problems"), "{stderr}");
    assert!(
        stderr.contains("the configuration has 1000 problems"),
        "{stderr}"
    );
    assert!(
        stderr.lines().count() < 400,
        "{} lines",
        stderr.lines().count()
    );
}
