//! Untrusted input never panics: arbitrary bytes, YAML-ish noise and hostile structures go
//! through every parser and loader in every file role, then through the whole engine (every
//! rule) and every output format, without a crash.

mod common;

use backlint::harness;
use proptest::prelude::*;

/// Every parser and loader in every role, then the whole engine and every output format, then
/// the properties the fuzz targets check (`fuzz/`).
fn load_everything(bytes: &[u8]) {
    harness::load_in_every_role(bytes);
    harness::check_in_memory(bytes).unwrap_or_else(|e| panic!("{e}"));
    harness::front_matter_split(bytes).unwrap_or_else(|e| panic!("{e}"));
    harness::yaml_differential(bytes).unwrap_or_else(|e| panic!("{e}"));
    harness::baseline(bytes).unwrap_or_else(|e| panic!("{e}"));
    harness::config(bytes);
    harness::suppression(bytes);
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

/// Inputs that once failed a fuzz target (`tests/fuzz_regressions/<target>/…`) replayed
/// through the same harness function.
#[test]
fn fuzz_regressions_stay_fixed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let Ok(targets) = std::fs::read_dir(&root) else {
        return;
    };
    let mut replayed = 0;
    for target in targets.flatten().filter(|t| t.path().is_dir()) {
        let name = target.file_name().to_string_lossy().into_owned();
        for input in std::fs::read_dir(target.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let bytes = std::fs::read(input.path()).unwrap_or_else(|e| panic!("{e}"));
            let result = match name.as_str() {
                "front_matter" => harness::front_matter_split(&bytes),
                "yaml_differential" => harness::yaml_differential(&bytes),
                "baseline" => harness::baseline(&bytes),
                "check" => harness::check_in_memory(&bytes).map(|_| ()),
                "fix_round_trip" => harness::fix_round_trip(&bytes).map(|_| ()),
                "yaml_items" => {
                    harness::yaml_items(&bytes);
                    Ok(())
                }
                "markdown_item" => {
                    harness::markdown_item(&bytes);
                    Ok(())
                }
                "config" => {
                    harness::config(&bytes);
                    Ok(())
                }
                "suppression" => {
                    harness::suppression(&bytes);
                    Ok(())
                }
                other => panic!("unknown fuzz target `{other}` in {}", root.display()),
            };
            if let Err(e) = result {
                panic!("{}: {e}", input.path().display());
            }
            replayed += 1;
        }
    }
    eprintln!("{replayed} fuzz regression inputs replayed");
}

/// The `--fix` round trip really fixes: an item missing its spike is edited (and passes).
#[test]
fn the_fix_round_trip_edits_an_item_that_needs_a_spike() {
    let item = "---\nid: STORY-1\ntype: story\nstatus: todo\npriority: high # keep\n---\n# Sign-in\n\nUsers log in with a password.\n";
    assert_eq!(harness::fix_round_trip(item.as_bytes()), Ok(1));
    let clean = "---\nid: TASK-1\ntype: task\nstatus: todo\n---\n# Reword the footer\n";
    assert_eq!(harness::fix_round_trip(clean.as_bytes()), Ok(0));
}

/// Files are loaded a chunk at a time: across chunk boundaries (1,024 files), each item keeps
/// its own file and each finding points into its item's file.
#[test]
fn a_backlog_of_several_load_chunks_keeps_every_item_with_its_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tasks = dir.path().join("backlog/tasks");
    std::fs::create_dir_all(&tasks).unwrap_or_else(|e| panic!("{e}"));
    let count = 2_100;
    for n in 1..=count {
        // Every third item stores passwords (a finding); the others are plain work.
        let title = if n % 3 == 0 {
            format!("Store user passwords for export {n}")
        } else {
            format!("Tidy the changelog wording {n}")
        };
        let text = format!("---\nid: TASK-{n}\ntitle: {title}\nstatus: To Do\n---\n\nBody {n}.\n");
        std::fs::write(tasks.join(format!("task-{n}.md")), text).unwrap_or_else(|e| panic!("{e}"));
    }
    let report = common::check_json(dir.path());
    let items = report["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), count);
    let mut file_of = std::collections::HashMap::new();
    for item in &items {
        let id = item["id"].as_str().unwrap_or_default();
        let file = item["file"].as_str().unwrap_or_default();
        let n = id.trim_start_matches("TASK-");
        assert!(file.ends_with(&format!("task-{n}.md")), "{id} in {file}");
        file_of.insert(id.to_string(), file.to_string());
    }
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let about_items: Vec<_> = findings.iter().filter(|f| f["item"].is_string()).collect();
    assert!(
        about_items.len() >= count / 3,
        "{} findings",
        about_items.len()
    );
    for finding in about_items {
        let id = finding["item"].as_str().unwrap_or_default();
        assert_eq!(
            finding["file"].as_str(),
            file_of.get(id).map(String::as_str),
            "{finding}"
        );
    }
}
