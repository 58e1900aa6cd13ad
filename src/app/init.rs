//! `backlint init`: looks at the backlog that is there, writes a commented `backlint.yaml`
//! that matches it and a definition-of-done template when the team has none, and prints the
//! next steps. Never overwrites a file; running it twice changes nothing.

#![allow(
    clippy::indexing_slicing,
    reason = "CONFIG_NAMES is a non-empty constant"
)]

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{AppError, Verdict, Workspace, check::check_tree};
use crate::fix::spike::quoted;
use crate::model::layout::is_markdown;
use crate::outcome::CheckOutcome;
use crate::output;

const CONFIG_TEMPLATE: &str = include_str!("../../rules/templates/backlint.yaml");
const DOD_TEMPLATE: &str = include_str!("../../rules/templates/definition-of-done.md");
/// Where the definition-of-done template goes.
pub const DOD_PATH: &str = "docs/definition-of-done.md";
const CONFIG_NAMES: &[&str] = &["backlint.yaml", ".backlint.yaml"];

/// What `init` found in the repository.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// Backlog.md roots (`backlog`).
    pub backlog_md: Vec<String>,
    /// Top-level folders holding items, with how many each holds.
    pub folders: BTreeMap<String, usize>,
    /// Items in files directly in the repository root.
    pub root_items: usize,
    pub markdown_items: usize,
    pub yaml_items: usize,
    /// Team definitions of done, and whether each has the risk-acceptance entry.
    pub dods: Vec<(String, bool)>,
}

impl Layout {
    pub fn of(outcome: &CheckOutcome) -> Layout {
        let mut layout = Layout {
            backlog_md: outcome
                .backlog
                .backlog_md_configs
                .iter()
                .map(|c| c.root.clone())
                .collect(),
            ..Layout::default()
        };
        for item in &outcome.backlog.items {
            if is_markdown(&item.path.to_ascii_lowercase()) {
                layout.markdown_items += 1;
            } else {
                layout.yaml_items += 1;
            }
            match item.path.split_once('/') {
                Some((top, _)) => *layout.folders.entry(top.to_string()).or_default() += 1,
                None => layout.root_items += 1,
            }
        }
        layout.dods = outcome
            .backlog
            .team_dod
            .iter()
            .map(|d| (d.path.clone(), d.risk_entry.is_some()))
            .collect();
        layout.backlog_md.sort();
        layout.backlog_md.dedup();
        layout
    }

    fn items(&self) -> usize {
        self.markdown_items + self.yaml_items
    }

    /// One line describing the backlog.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.backlog_md.is_empty() {
            parts.push(format!(
                "a Backlog.md backlog in {}",
                self.backlog_md
                    .iter()
                    .map(|r| format!("{r}/"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let shape = match (self.markdown_items, self.yaml_items) {
            (0, 0) => "no items yet".to_string(),
            (md, 0) => format!("{} with front matter", output::plural(md, "Markdown item")),
            (0, y) => format!("{} in YAML files", output::plural(y, "item")),
            (md, y) => format!(
                "{} with front matter and {} in YAML files",
                output::plural(md, "Markdown item"),
                output::plural(y, "item")
            ),
        };
        parts.push(shape);
        parts.join("; ")
    }

    /// The folders to check: the Backlog.md roots and the top-level folders holding items, or
    /// none (the whole repository) when items lie in the root.
    fn roots(&self) -> Vec<String> {
        if self.root_items > 0 || self.items() == 0 {
            return Vec::new();
        }
        let mut roots: Vec<String> = self.folders.keys().cloned().collect();
        for r in &self.backlog_md {
            let top = r.split('/').next().unwrap_or(r).to_string();
            if !roots.contains(&top) {
                roots.push(top);
            }
        }
        roots.sort();
        roots
    }
}

/// What `init` did to one file.
#[derive(Debug, PartialEq, Eq)]
enum Action {
    Created(String),
    Kept(String),
}

/// `backlint init [PATH]`.
pub fn init(path: Option<&Path>, out: &mut dyn Write) -> Result<Verdict, AppError> {
    let paths: Vec<PathBuf> = path.map(Path::to_path_buf).into_iter().collect();
    let bare = Workspace::open_without_config(&paths)?;
    let root = bare.root.clone();
    let existing_config = CONFIG_NAMES
        .iter()
        .map(|n| root.join(n))
        .find(|p| p.is_file());
    // An existing configuration decides what is read; otherwise the defaults do.
    let ws = match &existing_config {
        Some(file) => Workspace::open(&paths, Some(file))?,
        None => bare,
    };
    let (outcome, _) = check_tree(&ws, &[])?;
    let layout = Layout::of(&outcome);
    let errors = outcome.summary.errors;
    let warnings = outcome.summary.warnings;

    let mut actions = Vec::new();
    let needs_dod = layout.dods.is_empty();
    let dod_path = root.join(DOD_PATH);
    let mut dod_configured = None;
    if needs_dod {
        if dod_path.exists() {
            actions.push(Action::Kept(DOD_PATH.to_string()));
        } else {
            create(&dod_path, DOD_TEMPLATE)?;
            actions.push(Action::Created(DOD_PATH.to_string()));
        }
        dod_configured = Some(DOD_PATH.to_string());
    }
    let config_name = match &existing_config {
        Some(file) => {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            actions.push(Action::Kept(name.clone()));
            name
        }
        None => {
            let dod_outside_roots = layout
                .dods
                .iter()
                .map(|(p, _)| p.clone())
                .find(|p| !inside_any(p, &layout.roots()));
            let text = render_config(&layout, dod_configured.or(dod_outside_roots));
            create(&root.join(CONFIG_NAMES[0]), &text)?;
            actions.push(Action::Created(CONFIG_NAMES[0].to_string()));
            CONFIG_NAMES[0].to_string()
        }
    };

    writeln!(out, "backlint init: found {}", layout.describe())?;
    for action in &actions {
        match action {
            Action::Created(p) => writeln!(out, "  created {p}")?,
            Action::Kept(p) => writeln!(out, "  kept    {p} (exists; left unchanged)")?,
        }
    }
    for (path, has_risk) in &layout.dods {
        if !has_risk {
            writeln!(
                out,
                "  note    {path} has no security residual-risk acceptance entry; add one \
                 (`backlint explain dod/missing-risk-acceptance`)"
            )?;
        }
    }
    next_steps(out, &config_name, errors, warnings)?;
    Ok(Verdict::Clean)
}

fn inside_any(path: &str, roots: &[String]) -> bool {
    roots.is_empty()
        || roots.iter().any(|r| {
            path.strip_prefix(r.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        })
}

fn create(path: &Path, text: &str) -> Result<(), AppError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| AppError::Output(dir.display().to_string(), e))?;
    }
    crate::util::fs::create_file_atomically(path, text.as_bytes())
        .map_err(|e| AppError::Output(path.display().to_string(), e))
}

/// The commented configuration for `layout`.
pub fn render_config(layout: &Layout, dod: Option<String>) -> String {
    let roots = layout.roots();
    let roots_block = if roots.is_empty() {
        "# Folders that hold the backlog (relative to this file); without `roots`, the whole\n\
         # repository is checked.\n# roots: [backlog]\n"
            .to_string()
    } else {
        let mut block =
            String::from("# Folders that hold the backlog (relative to this file).\nroots:\n");
        for r in &roots {
            block.push_str(&format!("  - {}\n", yaml_scalar(r)));
        }
        block
    };
    let dod_block = match dod {
        Some(path) => format!(
            "# The team's definition of done; it must hold the residual-risk acceptance entry.\n\
             definition_of_done: {}\n",
            yaml_scalar(&path)
        ),
        None => "# The team's definition of done is found by its name (definition-of-done.md,\n\
                 # DoD.md, dod.yaml, or `definition_of_done` in backlog/config.yml); to name it:\n\
                 # definition_of_done: docs/definition-of-done.md\n"
            .to_string(),
    };
    CONFIG_TEMPLATE
        .replace("{{detected}}", &layout.describe())
        .replace("{{roots}}", &roots_block)
        .replace("{{dod}}", &dod_block)
}

/// A path as a YAML scalar: plain when that is unambiguous, else double-quoted.
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '/' | '.' | '_' | '-'))
        && !s.starts_with(['-', '.']);
    if plain { s.to_string() } else { quoted(s) }
}

fn next_steps(out: &mut dyn Write, config: &str, errors: usize, warnings: usize) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "Next steps:")?;
    if errors + warnings > 0 {
        writeln!(
            out,
            "  1. backlint check                 review the {} and {} today; adjust {config}",
            output::plural(errors, "error"),
            output::plural(warnings, "warning")
        )?;
    } else {
        writeln!(
            out,
            "  1. backlint check                 clean today; adjust {config} as the backlog grows"
        )?;
    }
    if errors + warnings > 0 {
        writeln!(
            out,
            "  2. backlint baseline              accept today's findings as debt \
             (.backlint-baseline.json), then uncomment `baseline:` in {config}"
        )?;
    } else {
        writeln!(out, "  2. (no baseline needed: the backlog is clean)")?;
    }
    writeln!(
        out,
        "  3. backlint hook install          judge every commit by what it changes"
    )?;
    writeln!(out, "  4. in CI (GitHub Actions), on pull requests:")?;
    writeln!(out, "       - uses: actions/checkout@v4")?;
    writeln!(out, "         with: {{fetch-depth: 0}}")?;
    writeln!(
        out,
        "       - run: backlint check --changed-since origin/${{{{ github.base_ref }}}} --config-from-ref origin/${{{{ github.base_ref }}}} --format github"
    )?;
    Ok(())
}
