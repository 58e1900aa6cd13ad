//! Untrusted input never panics: arbitrary bytes, YAML-ish noise and hostile structures go
//! through every parser and loader in every file role, then through the whole engine (every
//! rule) and every output format, without a crash.

use std::sync::Arc;

use backlint::config::{Config, MarkdownSections, SeverityTable};
use backlint::engine::{self, CheckInput};
use backlint::model::load::{self, LoadContext};
use backlint::model::{FieldNames, FileRole, ItemPlace, StatusTable};
use backlint::output::{self, Format, RenderOptions};
use backlint::parse::{frontmatter, markdown, simple_yaml, yaml};
use backlint::source::{FsReader, InputFile, LineIndex, Origin, SourceId, decode};
use proptest::prelude::*;

fn checklist() -> &'static backlint::triage::Checklist {
    static CHECKLIST: std::sync::OnceLock<backlint::triage::Checklist> = std::sync::OnceLock::new();
    CHECKLIST
        .get_or_init(|| backlint::triage::default_checklist().unwrap_or_else(|e| panic!("{e:?}")))
}

fn load_everything(bytes: &[u8]) {
    let (text, _) = decode(bytes.to_vec());
    let fields = FieldNames::default();
    let statuses = StatusTable::default();
    let cx = LoadContext {
        fields: &fields,
        statuses: &statuses,
        max_item_file_bytes: 1 << 20,
        detector_fields: &[],
    };
    let index = LineIndex::new(SourceId(0), &text);
    let checklist = checklist();
    let place = ItemPlace::default();
    let backlog_md = ItemPlace {
        backlog_md_root: Some("backlog".into()),
        ..ItemPlace::default()
    };
    for (role, path) in [
        (FileRole::MarkdownItem(place.clone()), "x.md"),
        (FileRole::MarkdownItem(backlog_md), "backlog/tasks/x.md"),
        (FileRole::YamlItems(place), "x.yaml"),
        (FileRole::MarkdownSections { level: 2 }, "x.md"),
        (
            FileRole::BacklogMdConfig {
                root: "backlog".into(),
            },
            "backlog/config.yml",
        ),
        (FileRole::DefinitionOfDone, "docs/DoD.md"),
        (FileRole::DefinitionOfDone, "dod.yaml"),
    ] {
        let loaded = load::load_file(&role, &index, path, cx);
        for item in &loaded.items {
            let _ = checklist.classify(item, &index);
        }
    }
    check_tree_of(bytes);
    let _ = frontmatter::split(&text);
    let _ = markdown::parse(&text, 0..text.len());
    let _ = simple_yaml::parse(&text, 0);
    let _ = yaml::parse(&text, 0);
    let _ = backlint::model::dod::load_markdown(&index, "dod.md");
    let _ = backlint::model::dod::load_yaml(&index, "dod.yaml");
}

/// Runs the whole engine (every rule) and every output format over a small backlog in which
/// `bytes` is the content of a file in each role.
fn check_tree_of(bytes: &[u8]) {
    let shared: Arc<[u8]> = Arc::from(bytes);
    let file =
        |path: &str, content: Arc<[u8]>| InputFile::new(path.to_string(), Origin::Memory(content));
    let spike: Arc<[u8]> = Arc::from(
        &b"---\nid: SPIKE-1\ntitle: Threat analysis\ntype: spike\nstatus: done\nlabels: [threat-analysis]\nprecedes: [X, task-1]\n---\n"[..],
    );
    let files = vec![
        file(
            "backlog/config.yml",
            Arc::from(&b"task_prefix: task\ndefinition_of_done:\n  - Tests pass\n"[..]),
        ),
        file("backlog/tasks/task-1 - x.md", shared.clone()),
        file("backlog/archive/tasks/task-2 - x.md", shared.clone()),
        file("stories/x.md", shared.clone()),
        file("stories/SPIKE-1.md", spike),
        file("items.yaml", shared.clone()),
        file("SECTIONS.md", shared.clone()),
        file("docs/DoD.md", shared.clone()),
    ];
    let mut sections = globset::GlobSetBuilder::new();
    sections.add(globset::Glob::new("SECTIONS.md").unwrap_or_else(|e| panic!("{e}")));
    let config = Config {
        markdown_sections: Some(MarkdownSections {
            files: sections.build().unwrap_or_else(|e| panic!("{e}")),
            level: 2,
        }),
        ..Config::default()
    };
    let severities = SeverityTable::default();
    let outcome = engine::check(CheckInput {
        files,
        reader: &FsReader,
        config: &config,
        checklist: checklist(),
        severities: &severities,
        today: jiff::civil::date(2026, 11, 30),
        baseline: None,
        changes: None,
        config_change: None,
        cache: None,
        filter: Default::default(),
    });
    assert_eq!(
        outcome.summary.errors + outcome.summary.warnings,
        outcome.findings.len()
    );
    let render = RenderOptions::default();
    for name in Format::NAMES {
        let format: Format = name.parse().unwrap_or_else(|e| panic!("{e}"));
        let mut sink = Vec::new();
        output::write(format, &mut sink, &outcome, &FsReader, &render)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

fn yamlish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "---\n",
        "id: ",
        "title: ",
        "status: ",
        "labels:\n",
        "  - ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ": ",
        "'",
        "\"",
        "\\",
        "&a ",
        "*a",
        "!tag ",
        ">-\n",
        "|\n",
        "  ",
        "\n",
        "#",
        "\u{feff}",
        "\r\n",
        "## ",
        "```\n",
        "<!-- ",
        " -->",
        "[x](y.md)",
        "webhook ",
        "é",
        "\u{1b}[31m",
        "% ",
        "@x",
        "0x1F",
        "...\n",
        "? ",
        ",",
        "~",
        "null",
        "true",
        "017",
    ]);
    prop::collection::vec(token, 0..80).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        load_everything(&bytes);
    }

    #[test]
    fn yaml_like_noise_never_panics(text in yamlish()) {
        load_everything(text.as_bytes());
        let with_front_matter = format!("---\n{text}\n---\nbody {text}");
        load_everything(with_front_matter.as_bytes());
    }
}

#[test]
fn hostile_structures_fail_cleanly() {
    let mut bomb = String::from(
        "id: X\nstatus: todo\na: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n",
    );
    for i in 1..10u8 {
        let prev = (b'a' + i - 1) as char;
        let cur = (b'a' + i) as char;
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{cur}: &{cur} [{refs}]\n"));
    }
    load_everything(bomb.as_bytes());
    load_everything(format!("---\n{bomb}---\n").as_bytes());
    let deep = format!(
        "id: X\nstatus: todo\nx: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    load_everything(deep.as_bytes());
    let mut block = String::from("id: X\nstatus: todo\n");
    for i in 0..3_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("a:\n");
    }
    load_everything(block.as_bytes());
    // Deep container nesting once made CommonMark parsing quadratic (seconds for 80 KB).
    let nested_md = format!("---\nid: X\nstatus: todo\n---\n{}", "> - ".repeat(20_000));
    load_everything(nested_md.as_bytes());
    let long_line = format!(
        "---\nid: X\nstatus: todo\ntitle: {}\n---\n",
        "webhook ".repeat(20_000)
    );
    load_everything(long_line.as_bytes());
}
