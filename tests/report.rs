//! `backlint report` over the example backlog with its scripted history
//! (`scripts/example-history.sh`): every figure present and equal across HTML, Markdown and
//! JSON, hostile item text escaped, every link leading to a file, no script or remote resource;
//! and, when Chromium is installed, the HTML rendered by a real browser with no console
//! message and no network request, its screenshots kept under `target/test-artifacts/`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

/// The example backlog with its scripted history, in a temporary folder.
fn example_repo() -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let script = common::manifest_dir().join("scripts/example-history.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg(dir.path().join("shop"))
        .output();
    match status {
        Ok(out) if out.status.success() => Some(dir),
        Ok(out) => panic!(
            "example-history.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            eprintln!("skipped: cannot run bash for scripts/example-history.sh: {e}");
            None
        }
    }
}

fn backlint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run_backlint(dir, args)
}

const HOSTILE_TITLE: &str =
    r#"<script>alert(1)</script> "quoted" | pipe & <img src=x onerror=alert(2)> `tick`"#;

/// Adds an item whose title and body try to break every format, and commits it.
fn add_hostile_item(repo: &Path) {
    let text = format!(
        "---\nid: STORY-66\ntype: story\nstatus: todo\ntitle: '{HOSTILE_TITLE}'\n---\n# {HOSTILE_TITLE}\n\nUsers log in with a password; \
         </table></details> ]]> %0A::error::x\n"
    );
    std::fs::write(repo.join("stories/STORY-66.md"), text).unwrap_or_else(|e| panic!("{e}"));
    common::git(repo, &["add", "-A"]);
    let out = Command::new("git")
        .args(["-c", "user.name=Eve", "-c", "user.email=eve@example.com"])
        .args(["commit", "-q", "-m", "hostile"])
        .current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", "2026-10-20T09:00:00+00:00")
        .env("GIT_COMMITTER_DATE", "2026-10-20T09:00:00+00:00")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `href` values of `html`.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

/// The number shown on the card of `figure`.
fn card(html: &str, figure: &str) -> u64 {
    let marker = format!("data-figure=\"{figure}\"><span class=\"n\">");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no card {figure}"));
    html[at + marker.len()..]
        .split('<')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("card {figure} has no number"))
}

#[test]
fn every_figure_is_present_and_the_same_in_html_markdown_and_json() {
    let Some(dir) = example_repo() else { return };
    let repo = dir.path().join("shop");
    add_hostile_item(&repo);
    let (code, json, stderr) = backlint(&repo, &["report", "--format", "json", "--evidence"]);
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    let h = &json["headline"];
    assert_eq!(json["schema_version"], 1);
    // The example backlog's known state (examples/webshop/README.md), plus STORY-66.
    assert_eq!(h["items"], 26);
    assert_eq!(h["triggered"], 14);
    assert_eq!(h["missing_spike"], 3);
    assert_eq!(h["open_vetoes"], 1);
    assert_eq!(h["overridden"], 1);
    assert_eq!(h["accepted_by"]["product_owner"], 1);

    std::fs::create_dir_all(repo.join("out")).unwrap_or_else(|e| panic!("{e}"));
    let (code, _, stderr) = backlint(&repo, &["report", "--evidence", "-o", "out/report.html"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("wrote out/report.html"), "{stderr}");
    let html =
        std::fs::read_to_string(repo.join("out/report.html")).unwrap_or_else(|e| panic!("{e}"));

    // Every headline figure, with the JSON's value.
    for (figure, key) in [
        ("items", "items"),
        ("triggered", "triggered"),
        ("with-spike", "with_spike"),
        ("spike-done", "spike_done"),
        ("missing-spike", "missing_spike"),
        ("risk-accepted", "risk_accepted"),
        ("awaiting-acceptance", "awaiting_acceptance"),
        ("open-vetoes", "open_vetoes"),
        ("overridden", "overridden"),
        ("attacker-stories-missing", "attacker_stories_missing"),
        ("errors", "errors"),
    ] {
        assert_eq!(Some(card(&html, figure)), h[key].as_u64(), "{figure}");
    }
    for section in [
        "data-figure=\"accepted-by\"",
        "data-figure=\"per-category\"",
        "data-figure=\"triggered-items\"",
        "data-figure=\"trend-triggered\"",
        "data-figure=\"trend-missing\"",
        "data-figure=\"trend-accepted\"",
        "data-figure=\"evidence\"",
        "data-figure=\"overrides\"",
        "id=\"actions\"",
        "id=\"epics\"",
        "data-owner=\"author\"",
        "data-owner=\"security\"",
    ] {
        assert!(html.contains(section), "{section} missing");
    }
    // One chart point per week of the trend.
    let weeks = json["trend"]["weeks"].as_array().map_or(0, Vec::len);
    assert_eq!(weeks, 7, "{}", json["trend"]);

    // Self-contained and inert.
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    for forbidden in [
        "<script",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(",
        "<link",
        "<iframe",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} in the report");
    }
    // Hostile text is text.
    assert!(!html.contains("<img src=x"), "raw markup from an item");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; | pipe &amp; &lt;img src=x onerror=alert(2)&gt;"));
    // Every link leads to a file of the repository, relative to the report.
    let links = hrefs(&html);
    assert!(links.len() > 40, "{links:?}");
    for href in &links {
        let target = repo
            .join("out")
            .join(backlint::model::paths::percent_decode(href));
        assert!(target.is_file(), "{href} → {}", target.display());
        let canonical = target.canonicalize().unwrap_or_else(|e| panic!("{e}"));
        assert!(canonical.starts_with(repo.canonicalize().unwrap_or_else(|e| panic!("{e}"))));
    }

    // Markdown: the same figures; no table is broken by item text.
    let (code, md, _) = backlint(&repo, &["report", "--format", "markdown", "--evidence"]);
    assert_eq!(code, 0);
    assert!(md.contains(&format!(
        "| touch the security checklist | {} |",
        h["triggered"]
    )));
    assert!(md.contains(&format!("| …needing a spike | {} |", h["missing_spike"])));
    assert!(md.contains("## Trend, week by week"));
    assert!(md.contains("## Audit evidence from git history"));
    let hostile_row = md
        .lines()
        .find(|l| l.contains("STORY-66") && l.starts_with("| [STORY-66]") && l.contains("| todo |"))
        .unwrap_or_else(|| panic!("no STORY-66 row:\n{md}"));
    let unescaped_pipes = hostile_row.matches('|').count() - hostile_row.matches("\\|").count();
    assert_eq!(unescaped_pipes, 7, "{hostile_row}");
    assert!(!md.contains("<script>"), "raw markup in Markdown");
}

#[test]
fn a_report_outside_git_says_it_has_no_history_and_a_bad_since_is_exit_2() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    common::copy_tree(&common::manifest_dir().join("examples/webshop"), dir.path());
    let out = Command::cargo_bin("backlint")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["report", "--format", "json", "."])
        .current_dir(dir.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            dir.path().parent().unwrap_or(dir.path()),
        )
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(json["trend"].is_null());
    assert!(
        json["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("not in a git repository"))
    );
    let Some(repo) = example_repo() else { return };
    let (code, _, stderr) = backlint(&repo.path().join("shop"), &["report", "--since", "nope"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown revision `nope`"), "{stderr}");
    let (code, _, stderr) = backlint(
        &repo.path().join("shop"),
        &["report", "-o", "no/such/dir/report.html"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot write `no/such/dir/report.html`"),
        "{stderr}"
    );
}

/// A Chromium-family browser, if one is installed.
fn browser() -> Option<PathBuf> {
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        if let Some(path) = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        }) {
            return Some(path);
        }
    }
    None
}

/// What the browser did with a page: its console messages and the network requests the page
/// made (the browser's own background requests are not the page's).
struct Rendered {
    console: Vec<String>,
    requests: Vec<String>,
}

fn render(browser: &Path, page: &Path, screenshot: &Path, width: u32, height: u32) -> Rendered {
    let netlog = page.with_extension("netlog.json");
    // A browser that hangs must not hang the test suite: coreutils' `timeout` bounds it.
    let mut command = if Path::new("/usr/bin/timeout").is_file() {
        let mut c = Command::new("/usr/bin/timeout");
        c.arg("120").arg(browser);
        c
    } else {
        Command::new(browser)
    };
    let out = command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-default-apps",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    let log: Value = std::fs::read_to_string(&netlog)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let requests = log["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter_map(|e| {
                    let p = &e["params"];
                    let initiator = p["initiator"].as_str()?;
                    let url = p["url"].as_str()?;
                    (initiator != "not an origin"
                        && !url.starts_with("file:")
                        && !url.starts_with("data:"))
                    .then(|| url.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    Rendered { console, requests }
}

#[test]
fn a_real_browser_renders_the_report_with_no_console_message_and_no_request() {
    let Some(browser) = browser() else {
        eprintln!(
            "skipped: no Chromium found (apt-get install chromium); the structural checks ran"
        );
        return;
    };
    let Some(dir) = example_repo() else { return };
    let repo = dir.path().join("shop");
    add_hostile_item(&repo);
    let page = repo.join("report.html");
    let (code, _, stderr) = backlint(&repo, &["report", "--evidence", "-o", "report.html"]);
    assert_eq!(code, 0, "{stderr}");
    let artifacts = common::manifest_dir().join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap_or_else(|e| panic!("{e}"));

    let desktop = artifacts.join("report-desktop.png");
    let rendered = render(&browser, &page, &desktop, 1200, 2400);
    assert!(
        rendered.console.is_empty(),
        "console: {:?}",
        rendered.console
    );
    assert!(
        rendered.requests.is_empty(),
        "requests: {:?}",
        rendered.requests
    );
    let png = std::fs::read(&desktop).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
    // A phone-sized rendering is kept too.
    let phone = artifacts.join("report-phone.png");
    let rendered = render(&browser, &page, &phone, 390, 1600);
    assert!(
        rendered.console.is_empty(),
        "console: {:?}",
        rendered.console
    );

    // The checks above can fail: a page with a script and a remote image is caught.
    let bad = repo.join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><body><img src=\"https://example.invalid/x.png\"><script>console.log('x')</script></body></html>",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let rendered = render(&browser, &bad, &artifacts.join("bad.png"), 400, 300);
    assert!(
        !rendered.console.is_empty(),
        "a console message went unseen"
    );
    assert!(
        rendered
            .requests
            .iter()
            .any(|r| r.contains("example.invalid")),
        "a request went unseen: {:?}",
        rendered.requests
    );
}
