//! backlint: keeps security in a team's backlog. Reads backlog items (Markdown front matter,
//! Backlog.md, YAML), applies the security triage checklist, and reports rich diagnostics.
//!
//! Data flows one way: `discover → parse → model → triage → rules → diagnostic → output`;
//! `config` feeds `triage` and `rules`; `engine` runs the pipeline.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod app;
pub mod baseline;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod fix;
pub mod hook;
pub mod model;
pub mod outcome;
pub mod output;
pub mod parse;
pub mod rules;
pub mod scope;
pub mod source;
pub mod triage;
pub mod util;
