//! Item text never becomes markup, a command or a terminal control in any output: one table,
//! every format × every hostile string (in an item's title and body, on an item that gets a
//! finding). No format writes CSV, so formula injection has no output to reach.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

/// (name, YAML double-quoted title text, raw text for the Markdown body)
const HOSTILE: &[(&str, &str, &str)] = &[
    (
        "terminal escapes",
        r"\e[31mRED\e]8;;http://evil.example\aclick\e]8;;\a\e[2J",
        "\x1b[31mRED\x1b]8;;http://evil.example\x07click\x1b]8;;\x07\x1b[2J",
    ),
    (
        "bidi controls",
        r"admin\u202Egnp.exe\u2066x\u2069",
        "admin\u{202e}gnp.exe\u{2066}x\u{2069}",
    ),
    (
        "workflow commands",
        "::error file=x.md::pwned %0A::warning::two %25 %",
        "::error file=x.md::pwned %0A::warning::two %25 %",
    ),
    (
        "XML",
        r#"</failure></testcase><testcase name=\"x\"><![CDATA[ & ]]>"#,
        r#"</failure></testcase><testcase name="x"><![CDATA[ & ]]>"#,
    ),
    (
        "JSON",
        r#"\"},{\"rule\":\"x\\ \u0000"#,
        "\"},{\"rule\":\"x\\ \u{1}",
    ),
    (
        "Markdown table",
        r"a | b | c \n| --- | new row [x](javascript:alert(1)) *bold* `code`",
        "a | b | c\n| --- | new row [x](javascript:alert(1)) *bold* `code`",
    ),
    (
        "HTML",
        r#"<img src=x onerror=alert(1)><script>alert(2)</script>"#,
        r#"<img src=x onerror=alert(1)><script>alert(2)</script>"#,
    ),
    (
        "formula",
        r#"=HYPERLINK(\"http://evil.example\",\"x\")"#,
        r#"=HYPERLINK("http://evil.example","x")"#,
    ),
];

const FORMATS: &[&str] = &[
    "human", "concise", "json", "sarif", "github", "junit", "gitlab", "markdown",
];

fn backlog(dir: &Path, title: &str, body: &str) {
    let item = format!(
        "---\nid: EVIL-1\ntype: story\nstatus: todo\ntitle: \"Login form {title}\"\nlabels: [\"{title}\"]\n---\n# Login form\n\nUsers log in with a password. {body}\n"
    );
    std::fs::write(dir.join("EVIL-1.md"), item).unwrap_or_else(|e| panic!("{e}"));
}

fn run(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("backlint")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Problems with `output` of `format` for the hostile text `name`.
fn problems(format: &str, output: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(output);
    let mut found = Vec::new();
    let raw = |what: &str, needle: &str| text.contains(needle).then(|| format!("raw {what}"));
    // Nothing anywhere may carry a raw terminal or bidi control.
    if output.contains(&0x1b) || output.contains(&0x07) || output.contains(&0x00) {
        found.push("a raw control byte".to_string());
    }
    for bidi in [
        '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}',
    ] {
        if text.contains(bidi) {
            found.push(format!("a raw bidi control U+{:04X}", bidi as u32));
        }
    }
    match format {
        "json" | "sarif" | "gitlab" | "report-json"
            if serde_json::from_slice::<serde_json::Value>(output).is_err() =>
        {
            found.push("invalid JSON".to_string());
        }
        "github" => {
            for line in text.lines().filter(|l| !l.is_empty()) {
                let ours = [
                    "::error ",
                    "::warning ",
                    "::notice ",
                    "::group::",
                    "::endgroup::",
                ]
                .iter()
                .any(|p| line.starts_with(p));
                if !ours {
                    found.push(format!("a line that is not a workflow command: {line:?}"));
                }
                // After our own `::`, the message may not hold another command separator.
                if line.matches("::").count() > 2 {
                    found.push(format!("an unescaped `::` in {line:?}"));
                }
            }
            found.extend(raw("`%0A` (would become a newline)", "pwned %0A"));
        }
        "junit" => {
            found.extend(raw(
                "XML end tag from an item",
                "</failure></testcase><testcase",
            ));
            found.extend(raw("CDATA from an item", "<![CDATA[ &"));
            if output
                .iter()
                .any(|b| *b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            {
                found.push("a control character XML forbids".to_string());
            }
        }
        "markdown" | "report-markdown" => {
            found.extend(raw("HTML", "<img src=x"));
            found.extend(raw("HTML", "<script>"));
            // `\](javascript:` is escaped text; `](javascript:` would be a link.
            if text
                .match_indices("](javascript:")
                .any(|(at, _)| !text[..at].ends_with('\\'))
            {
                found.push("a raw javascript: link".to_string());
            }
            for line in text
                .lines()
                .filter(|l| l.contains("EVIL-1") && l.starts_with('|'))
            {
                let header = text
                    .lines()
                    .take_while(|l| *l != line)
                    .filter(|l| l.starts_with("|---") || l.starts_with("| ---"))
                    .last()
                    .unwrap_or("");
                let cells = |l: &str| l.matches('|').count() - l.matches("\\|").count();
                if !header.is_empty() && cells(line) != cells(header) {
                    found.push(format!("a table row with extra cells: {line}"));
                }
            }
        }
        "report-html" => {
            found.extend(raw("HTML", "<img src=x"));
            found.extend(raw("HTML", "<script>alert"));
            found.extend(raw("link", "href=\"javascript:"));
        }
        _ => {}
    }
    found
}

#[test]
fn no_item_text_escapes_its_place_in_any_format() {
    let mut failures = Vec::new();
    for (name, title, body) in HOSTILE {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        backlog(dir.path(), title, body);
        for format in FORMATS {
            let output = run(dir.path(), &["check", "--format", format, "."]);
            if !String::from_utf8_lossy(&output).contains("EVIL-1") {
                failures.push(format!("{name} × {format}: the item is not in the output"));
            }
            for problem in problems(format, &output) {
                failures.push(format!("{name} × {format}: {problem}"));
            }
        }
        for (format, label) in [
            ("html", "report-html"),
            ("markdown", "report-markdown"),
            ("json", "report-json"),
        ] {
            let output = run(
                dir.path(),
                &["report", "--no-history", "--format", format, "."],
            );
            for problem in problems(label, &output) {
                failures.push(format!("{name} × {label}: {problem}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_keeps_the_hostile_text_exactly() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    backlog(dir.path(), HOSTILE[2].1, HOSTILE[2].2);
    let output = run(
        dir.path(),
        &["report", "--no-history", "--format", "json", "."],
    );
    let json: serde_json::Value = serde_json::from_slice(&output).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        json["triggered"][0]["title"],
        "Login form ::error file=x.md::pwned %0A::warning::two %25 %"
    );
}
