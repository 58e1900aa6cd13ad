//! The human report's fast drawer (`output::graphical`) draws every finding byte for byte as
//! miette's own handler does: over every fixture backlog, the example backlog and (when present)
//! each corpus backlog, in colour and without, at a wide and a narrow width.

mod common;

use std::path::{Path, PathBuf};

use backlint::harness;

/// Compares the two drawings of `dir`'s report; returns how many findings it has.
fn same_both_ways(dir: &Path) -> usize {
    let outcome = common::outcome_of(dir);
    for (color, width) in [(false, 100), (true, 100), (false, 52)] {
        let (fast, reference) =
            harness::human_drawings(&outcome, color, width).unwrap_or_else(|e| panic!("{e}"));
        let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap_or_else(|e| panic!("{e}"));
        let (fast, reference) = (text(fast), text(reference));
        if fast != reference {
            let first = fast
                .lines()
                .zip(reference.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let around = |text: &str| {
                text.lines()
                    .skip(first.saturating_sub(6))
                    .take(12)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            panic!(
                "{} (colour {color}, width {width}) differs at line {}:\n--- fast\n{}\n--- miette\n{}",
                dir.display(),
                first + 1,
                around(&fast),
                around(&reference)
            );
        }
    }
    outcome.findings.len()
}

#[test]
fn every_fixture_and_the_examples_draw_as_miette_draws_them() {
    let mut dirs: Vec<PathBuf> = common::fixture_backlogs();
    dirs.push(common::manifest_dir().join("examples"));
    let findings: usize = dirs.iter().map(|d| same_both_ways(d)).sum();
    assert!(findings > 100, "only {findings} findings compared");
}

#[test]
fn every_corpus_backlog_draws_as_miette_draws_it() {
    let dirs = common::corpus_backlogs();
    if dirs.is_empty() {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    }
    let findings: usize = dirs.iter().map(|d| same_both_ways(d)).sum();
    assert!(findings > 1000, "only {findings} findings compared");
}
