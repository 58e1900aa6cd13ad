//! Untrusted input never panics: arbitrary bytes, YAML-ish noise and hostile structures go
//! through every parser and loader, and the engine, without a crash.

use backlint::model::load::{self, LoadContext};
use backlint::model::{FieldNames, ItemPlace, StatusTable};
use backlint::parse::{frontmatter, markdown, simple_yaml, yaml};
use backlint::source::{LineIndex, SourceId, decode};
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
    for loaded in [
        load::load_markdown(&index, "x.md", &place, cx),
        load::load_yaml(&index, "x.yaml", &place, cx),
        load::load_markdown_sections(&index, "x.md", 2, &place, cx),
        load::load_backlog_md_config(&index, "backlog"),
    ] {
        for item in &loaded.items {
            let _ = checklist.classify(item, &index);
        }
    }
    let _ = frontmatter::split(&text);
    let _ = markdown::parse(&text, 0..text.len());
    let _ = simple_yaml::parse(&text, 0);
    let _ = yaml::parse(&text, 0);
    let _ = backlint::model::dod::load_markdown(&index, "dod.md");
    let _ = backlint::model::dod::load_yaml(&index, "dod.yaml");
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
