//! Real backlogs (`../shared/corpus`, skipped when absent): nothing panics, and every file that
//! looks like an item is either parsed or reported as `item/parse-error`.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use backlint::model::load::looks_like_item;
use backlint::model::{FieldNames, LayoutIndex};
use backlint::parse::frontmatter::{self, Split};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_item_file_is_parsed_or_reported() {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    };
    let fields = FieldNames::default();
    let mut checked_sources = 0;
    for source in std::fs::read_dir(&corpus).into_iter().flatten().flatten() {
        let dir = source.path();
        if !dir.is_dir() {
            continue;
        }
        let report = common::check_json(&dir);
        let parsed: HashSet<String> = report["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["file"].as_str().map(str::to_string))
            .collect();
        let failed: HashSet<String> = report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["rule"] == "item/parse-error")
            .filter_map(|f| f["file"].as_str().map(str::to_string))
            .collect();
        let mut files = Vec::new();
        files_under(&dir, &mut files);
        // Paths as the report gives them: relative to the checked folder (it is not in a git
        // repository, and not under the working directory).
        let rel_paths: Vec<String> = files
            .iter()
            .filter_map(|f| f.strip_prefix(&dir).ok())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect();
        let layout = LayoutIndex::new(rel_paths.iter().map(String::as_str));
        for (file, rel) in files.iter().zip(&rel_paths) {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            let is_markdown_item = rel.ends_with(".md")
                && matches!(
                    layout.classify(rel),
                    backlint::model::FileRole::MarkdownItem(_)
                )
                && match frontmatter::split(&text) {
                    Split::Found(fm) => looks_like_item(&text[fm.yaml.clone()], &fields),
                    _ => false,
                };
            if !is_markdown_item {
                continue;
            }
            checked_sources += 1;
            assert!(
                parsed.contains(rel) || failed.contains(rel),
                "{rel}: looks like an item but is neither parsed nor reported"
            );
        }
    }
    assert!(
        checked_sources > 2000,
        "only {checked_sources} item files checked"
    );
}

#[test]
fn real_definitions_of_done_have_no_risk_acceptance_entry() {
    // Read by hand: none of these documents asks whether residual risk is accepted (cloud.gov's
    // asks for a security impact analysis, which is a different question).
    let Some(corpus) = common::corpus() else {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    };
    let checklist = backlint::triage::default_checklist().unwrap_or_else(|e| panic!("{e:?}"));
    let mut files = Vec::new();
    files_under(&corpus.join("dod"), &mut files);
    assert!(files.len() >= 5);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let index = backlint::source::LineIndex::new(backlint::source::SourceId(0), &text);
        let dod = backlint::model::dod::load_markdown(&index, &file.to_string_lossy());
        assert!(
            dod.entries.len() > 5,
            "{}: entries were not found",
            file.display()
        );
        let found: Vec<&str> = dod
            .entries
            .iter()
            .filter(|e| checklist.detectors.is_risk_acceptance_entry(&e.text))
            .map(|e| e.text.as_str())
            .collect();
        assert!(
            found.is_empty(),
            "{}: judged a risk entry: {found:?}",
            file.display()
        );
    }
}

#[test]
fn risk_acceptance_entries_are_recognised_by_meaning() {
    let checklist = backlint::triage::default_checklist().unwrap_or_else(|e| panic!("{e:?}"));
    for yes in [
        "For every threat identified for this sprint's items, the residual risk is acceptable",
        "Residual security risks are accepted or mitigated",
        "Security risks reviewed and signed off by the product owner",
        "Risk acceptance recorded for each triggered item",
        "All identified threats are mitigated or accepted by their owner",
        "The remaining risk has been accepted by the business owner",
    ] {
        assert!(
            checklist.detectors.is_risk_acceptance_entry(yes),
            "should recognise: {yes}"
        );
    }
    for no in [
        "Acceptance criteria are verified and fulfilled",
        "Tests pass",
        "Risk-reduction/Opportunity-enablement scores are set",
        "Awaiting Acceptance",
        "Stakeholders accept the work",
    ] {
        assert!(
            !checklist.detectors.is_risk_acceptance_entry(no),
            "should not recognise: {no}"
        );
    }
}
