//! Entry points for fuzzing and robustness tests: each takes arbitrary bytes, runs one part of
//! backlint on them the way a real run would, and returns an error (never panics) when a
//! property that must hold does not. `fuzz/` (cargo-fuzz) and `tests/robustness.rs` share them.

#![doc(hidden)]

use std::sync::{Arc, OnceLock};

use crate::baseline::Baseline;
use crate::config::{Config, MarkdownSections, SeverityTable};
use crate::engine::{self, CheckInput};
use crate::model::load::{self, LoadContext};
use crate::model::{FieldNames, FileRole, ItemPlace, StatusTable};
use crate::outcome::CheckOutcome;
use crate::output::{self, Format, RenderOptions};
use crate::parse::frontmatter::{self, Split};
use crate::parse::{markdown, simple_yaml, yaml};
use crate::source::{FsReader, InputFile, LineIndex, Origin, SourceId, decode};
use crate::triage::Checklist;

/// The default checklist, compiled once per process.
pub fn checklist() -> Option<&'static Checklist> {
    static CHECKLIST: OnceLock<Option<Checklist>> = OnceLock::new();
    CHECKLIST
        .get_or_init(|| crate::triage::default_checklist().ok())
        .as_ref()
}

/// Loads `bytes` as a file in every role (and classifies its items), and runs every parser
/// on it.
pub fn load_in_every_role(bytes: &[u8]) {
    let (text, _) = decode(bytes.to_vec());
    let index = LineIndex::new(SourceId(0), &text);
    let backlog_md = ItemPlace {
        backlog_md_root: Some("backlog".into()),
        ..ItemPlace::default()
    };
    for (role, path) in [
        (FileRole::MarkdownItem(ItemPlace::default()), "x.md"),
        (FileRole::MarkdownItem(backlog_md), "backlog/tasks/x.md"),
        (FileRole::YamlItems(ItemPlace::default()), "x.yaml"),
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
        load_as(&index, &role, path);
    }
    let _ = frontmatter::split(&text);
    let _ = markdown::parse(&text, 0..text.len());
    let _ = simple_yaml::parse(&text, 0);
    let _ = yaml::parse(&text, 0);
    let _ = crate::model::dod::load_markdown(&index, "dod.md");
    let _ = crate::model::dod::load_yaml(&index, "dod.yaml");
}

/// Loads `bytes` as a YAML items file and classifies its items.
pub fn yaml_items(bytes: &[u8]) {
    let (text, _) = decode(bytes.to_vec());
    let index = LineIndex::new(SourceId(0), &text);
    load_as(
        &index,
        &FileRole::YamlItems(ItemPlace::default()),
        "items.yaml",
    );
}

/// Loads `bytes` as a Markdown item (front matter and body) and classifies it.
pub fn markdown_item(bytes: &[u8]) {
    let (text, _) = decode(bytes.to_vec());
    let index = LineIndex::new(SourceId(0), &text);
    load_as(
        &index,
        &FileRole::MarkdownItem(ItemPlace::default()),
        "x.md",
    );
    let _ = markdown::parse(&text, 0..text.len());
}

/// Loads the text of `index` in `role` and classifies its items.
fn load_as(index: &LineIndex<'_>, role: &FileRole, path: &str) {
    let fields = FieldNames::default();
    let statuses = StatusTable::default();
    let cx = LoadContext {
        fields: &fields,
        statuses: &statuses,
        max_item_file_bytes: 1 << 20,
        detector_fields: &[],
    };
    let loaded = load::load_file(role, index, &std::sync::Arc::from(path), cx);
    if let Some(checklist) = checklist() {
        for item in &loaded.items {
            let _ = checklist.classify(item, index);
        }
    }
}

/// Splits front matter; the parts must lie inside the text, in order.
pub fn front_matter_split(bytes: &[u8]) -> Result<(), String> {
    let (text, _) = decode(bytes.to_vec());
    if let Split::Found(fm) = frontmatter::split(&text) {
        if fm.yaml.start > fm.yaml.end || fm.yaml.end > text.len() {
            return Err(format!("front matter range {:?} outside the text", fm.yaml));
        }
        if text.get(fm.yaml.clone()).is_none() {
            return Err(format!(
                "front matter range {:?} splits a character",
                fm.yaml
            ));
        }
    }
    Ok(())
}

/// The direct front-matter YAML parser must give serde-saphyr's tree (values and spans)
/// whenever it answers.
pub fn yaml_differential(bytes: &[u8]) -> Result<(), String> {
    let (text, _) = decode(bytes.to_vec());
    if let Some(fast) = simple_yaml::parse(&text, 0) {
        let general = yaml::parse_general(&text, 0);
        if general.as_ref().ok() != Some(&fast) {
            return Err(format!(
                "the fast YAML path disagrees with serde-saphyr on {text:?}:\n{fast:?}\n{general:?}"
            ));
        }
    }
    Ok(())
}

/// Parses `bytes` as backlint.yaml (packs cannot be read).
pub fn config(bytes: &[u8]) {
    struct NoPacks;
    impl crate::config::load::PackReader for NoPacks {
        fn read(&self, path: &str) -> std::io::Result<String> {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                path.to_string(),
            ))
        }
    }
    let (text, _) = decode(bytes.to_vec());
    let _ = crate::config::load::parse(&text, "backlint.yaml", "", &NoPacks);
}

/// Parses `bytes` as a baseline file; what parses must write back and parse the same.
pub fn baseline(bytes: &[u8]) -> Result<(), String> {
    let (text, _) = decode(bytes.to_vec());
    if let Ok(parsed) = Baseline::parse(&text) {
        let again = Baseline::parse(&parsed.to_json())
            .map_err(|e| format!("a written baseline does not parse: {e}"))?;
        if again != parsed {
            return Err("a baseline changed on a round trip".to_string());
        }
    }
    Ok(())
}

/// Parses `bytes` as a suppression comment body at every offset a file could give it.
pub fn suppression(bytes: &[u8]) {
    let (text, _) = decode(bytes.to_vec());
    let index = LineIndex::new(SourceId(0), &text);
    let _ = crate::model::suppress::parse_comment(&text, 0, &index);
    let _ = crate::model::suppress::parse_comment(&text, text.len(), &index);
}

/// Runs the whole engine (every rule) and every output format over a small in-memory
/// backlog in which `bytes` is the content of a file in each role.
pub fn check_in_memory(bytes: &[u8]) -> Result<CheckOutcome, String> {
    let checklist = checklist().ok_or("the default checklist does not compile")?;
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
        file("docs/DoD.md", shared),
    ];
    let mut sections = globset::GlobSetBuilder::new();
    sections.add(globset::Glob::new("SECTIONS.md").map_err(|e| e.to_string())?);
    let config = Config {
        markdown_sections: Some(MarkdownSections {
            files: sections.build().map_err(|e| e.to_string())?,
            level: 2,
        }),
        ..Config::default()
    };
    let outcome = run_engine(files, &config, checklist);
    if outcome.summary.errors + outcome.summary.warnings != outcome.findings.len() {
        return Err("the summary does not count every finding".to_string());
    }
    let render = RenderOptions::default();
    for name in Format::NAMES {
        let format: Format = name.parse().map_err(|e: String| e)?;
        let mut sink = Vec::new();
        output::write(format, &mut sink, &outcome, &FsReader, &render)
            .map_err(|e| format!("{name}: {e}"))?;
    }
    same_human_drawing(&outcome)?;
    Ok(outcome)
}

/// The human report's fast drawer draws exactly what miette's own handler draws.
fn same_human_drawing(outcome: &CheckOutcome) -> Result<(), String> {
    for (color, width) in [(false, 100), (true, 60)] {
        let (fast, reference) = human_drawings(outcome, color, width)?;
        if fast != reference {
            return Err(format!(
                "the human report (colour {color}, width {width}) is not drawn as miette draws it"
            ));
        }
    }
    Ok(())
}

/// The human report of `outcome` drawn twice: by backlint's drawer, then by miette's own
/// handler alone.
pub fn human_drawings(
    outcome: &CheckOutcome,
    color: bool,
    width: usize,
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let drawn = |miette_only: bool| {
        let mut sink = Vec::new();
        let style = output::human::HumanStyle {
            color,
            width,
            miette_only,
        };
        output::human::write(&mut sink, outcome, &FsReader, style)
            .map(|()| sink)
            .map_err(|e| format!("human: {e}"))
    };
    Ok((drawn(false)?, drawn(true)?))
}

/// `--fix` on an arbitrary item: the item is written to a scratch repository, checked, fixed
/// (done items included) and read back. Every edit must only insert bytes, and every field of
/// the original front matter must read back the same value. Returns how many files it edited.
pub fn fix_round_trip(bytes: &[u8]) -> Result<usize, String> {
    let checklist = checklist().ok_or("the default checklist does not compile")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = dir.path();
    std::fs::create_dir_all(root.join("stories")).map_err(|e| e.to_string())?;
    let file = root.join("stories/ITEM-1.md");
    std::fs::write(&file, bytes).map_err(|e| e.to_string())?;
    let config = Config::default();
    let files = vec![InputFile::new(
        "stories/ITEM-1.md".to_string(),
        Origin::Disk(file),
    )];
    let outcome = run_engine(files, &config, checklist);
    let plan = crate::fix::plan(&crate::fix::FixContext {
        outcome: &outcome,
        checklist,
        fields: &config.fields,
        root,
        created: "2026-01-01 00:00".to_string(),
        include_done: true,
    });
    crate::fix::apply(&plan, root).map_err(|e| format!("apply: {e}"))?;
    for change in &plan.changes {
        let Some(before) = &change.before else {
            continue;
        };
        let after = std::fs::read_to_string(root.join(&change.path)).map_err(|e| e.to_string())?;
        if after != change.after {
            return Err(format!("{} does not hold what the plan wrote", change.path));
        }
        let diff = similar::TextDiff::from_chars(before.as_str(), after.as_str());
        if diff.ops().iter().any(|op| {
            matches!(
                op.tag(),
                similar::DiffTag::Delete | similar::DiffTag::Replace
            )
        }) {
            return Err(format!(
                "the fix removed or replaced bytes:\n{before:?}\n{after:?}"
            ));
        }
        let (Some(old), Some(new)) = (front_matter_of(before), front_matter_of(&after)) else {
            continue;
        };
        for (key, value) in old.as_map().unwrap_or_default() {
            let Some(name) = key.as_str() else { continue };
            // The link fields gain the spike (a scalar link becomes a list): every other
            // field must read back the same (found by fuzzing: `spike:` is a link field too).
            if config
                .fields
                .spikes
                .iter()
                .chain(&config.fields.dependencies)
                .any(|f| f == name)
            {
                continue;
            }
            match new.get(name) {
                Some(now) if yaml::same_value(value, now) => {}
                _ => return Err(format!("`{name}` changed:\n{before:?}\n{after:?}")),
            }
        }
    }
    Ok(plan.changes.iter().filter(|c| c.before.is_some()).count())
}

/// The whole engine over `files`, with default severities, on a fixed day.
fn run_engine(files: Vec<InputFile>, config: &Config, checklist: &Checklist) -> CheckOutcome {
    engine::check(CheckInput {
        files,
        reader: &FsReader,
        config,
        checklist,
        severities: &SeverityTable::default(),
        today: jiff::civil::date(2026, 11, 30),
        baseline: None,
        changes: None,
        config_change: None,
        cache: None,
        filter: Default::default(),
        skip_untouched: true,
        layout: None,
    })
}

fn front_matter_of(text: &str) -> Option<yaml::YamlNode> {
    let Split::Found(fm) = frontmatter::split(text) else {
        return None;
    };
    yaml::parse(text.get(fm.yaml.clone())?, fm.yaml.start).ok()
}
