//! backlint: keeps security in a team's backlog. Reads backlog items (Markdown front matter,
//! Backlog.md, YAML), applies the security triage checklist, and reports rich diagnostics.
//!
//! Data flows one way, and every module uses only its own layer and the ones below it
//! (bottom to top; `tests/layering.rs` checks it):
//!
//! 1. `util`, `source` — helpers with no knowledge of backlogs; files, spans, positions
//! 2. `parse` — bytes to front matter, YAML and Markdown with spans
//! 3. `discover` — where files come from (a walk, git's index and trees)
//! 4. `model` — items, links, the backlog; the one loader dispatch by file role
//! 5. `triage` — the checklist: catalogue, detectors, classifiers
//! 6. `cache` — parsed and triaged files of earlier runs, by content (`.git/backlint/`)
//! 7. `diagnostic` — findings, rule ids, severities
//! 8. `config` — backlint.yaml, validated; the severity table
//! 9. `rules` — every rule's check
//! 10. `outcome` — what a check produced, as outputs consume it
//! 11. `baseline`, `scope`, `filter` — accepted debt; what a change touches; what is reported
//! 12. `engine` — runs the whole check as one ordered pass
//! 13. `history` — every version of every item on the first-parent line, judged as `check` would
//! 14. `output`, `fix`, `hook` — report formats; `--fix`; the pre-commit hook
//! 15. `report`, `flow` — the product owner's report with git evidence; value-stream metrics
//! 16. `app` — the commands: gather inputs (configuration, files, git, the clock), render
//! 17. `harness` — entry points for fuzzing and robustness tests
#![warn(clippy::print_stdout, clippy::print_stderr)]
// Untrusted input must never panic: no unwrap/expect, no unchecked indexing. Modules whose
// indices come from backlint's own tables allow indexing with the reason at their top.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod app;
pub mod baseline;
pub mod cache;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod filter;
pub mod fix;
pub mod flow;
#[doc(hidden)]
pub mod harness;
pub mod history;
pub mod hook;
pub mod model;
pub mod outcome;
pub mod output;
pub mod parse;
pub mod report;
pub mod rules;
pub mod scope;
pub mod source;
pub mod triage;
pub mod util;
