//! `check --fix` and `--fix --dry-run`: plans the spikes with [`crate::fix`], prints the diff
//! or writes the files, and says what it did and what it left alone.

use std::io::Write;

use super::{AppError, CheckOptions, Verdict, Workspace};
use crate::fix::{self, FixContext, FixPlan};
use crate::outcome::CheckOutcome;
use crate::output::{Format, plural};
use crate::source::one_line;
use crate::triage::Checklist;

/// Plans the fix of `outcome`'s missing spikes.
pub fn plan_for(
    ws: &Workspace,
    outcome: &CheckOutcome,
    checklist: &Checklist,
    include_done: bool,
) -> FixPlan {
    let now = jiff::tz::TimeZone::UTC.to_datetime(jiff::Timestamp::now());
    fix::plan(&FixContext {
        outcome,
        checklist,
        fields: &ws.config.fields,
        root: &ws.root,
        created: now.strftime("%Y-%m-%d %H:%M").to_string(),
        include_done,
    })
}

/// `--fix` creates at most this many spikes without `--yes`.
pub const MAX_SPIKES_WITHOUT_YES: usize = 20;

/// `--fix --dry-run`: the diff, then what would happen. Exit 1 when something would change.
pub fn print_plan(
    plan: &FixPlan,
    options: &CheckOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Verdict, AppError> {
    out.write_all(fix::unified_diff(plan).as_bytes())?;
    let mut notes = Vec::new();
    notes.push(format!(
        "backlint --fix --dry-run: would add {} ({}); nothing was written",
        plural(plan.fixed.len(), "threat-analysis spike"),
        plural(plan.changes.len(), "file")
    ));
    notes.extend(skipped_lines(plan));
    write_notes(&notes, options, out, err)?;
    Ok(if plan.changes.is_empty() {
        Verdict::Clean
    } else {
        Verdict::Failed
    })
}

/// `--fix`: writes the plan and says what it did.
pub fn apply(
    ws: &Workspace,
    plan: &FixPlan,
    options: &CheckOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), AppError> {
    fix::apply(plan, &ws.root).map_err(AppError::Fix)?;
    let mut notes: Vec<String> = plan
        .fixed
        .iter()
        .map(|f| {
            format!(
                "fixed: {} → {} ({}), linked through `{}`",
                one_line(&f.item),
                f.spike,
                one_line(&f.spike_path),
                f.field
            )
        })
        .collect();
    notes.extend(skipped_lines(plan));
    if !notes.is_empty() {
        notes.push(format!(
            "backlint --fix: added {} in {}; fill them in, then review with `git diff`",
            plural(plan.fixed.len(), "threat-analysis spike"),
            plural(plan.changes.len(), "file")
        ));
    }
    write_notes(&notes, options, out, err)
}

/// What the fix left alone: one line per item, except done items, which are counted on one
/// line (a backlog with history has hundreds).
fn skipped_lines(plan: &FixPlan) -> Vec<String> {
    let (done, other): (Vec<_>, Vec<_>) = plan
        .skipped
        .iter()
        .partition(|s| s.reason == fix::SKIPPED_DONE);
    let mut lines: Vec<String> = other
        .iter()
        .map(|s| {
            format!(
                "not fixed: {} ({}): {}",
                one_line(&s.item),
                one_line(&s.path),
                s.reason
            )
        })
        .collect();
    if !done.is_empty() {
        let shown: Vec<String> = done.iter().take(5).map(|s| one_line(&s.item)).collect();
        let more = if done.len() > shown.len() {
            format!(" and {} more", done.len() - shown.len())
        } else {
            String::new()
        };
        lines.push(format!(
            "not fixed: {} ({}{more}): done (use --include-done)",
            plural(done.len(), "done item"),
            shown.join(", ")
        ));
    }
    lines
}

/// Notes go with a human report, and to `err` (stderr) beside a machine-readable one.
fn write_notes(
    notes: &[String],
    options: &CheckOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), AppError> {
    if options.format == Format::Human && options.output.is_none() {
        for note in notes {
            writeln!(out, "{note}")?;
        }
        if !notes.is_empty() {
            writeln!(out)?;
        }
    } else {
        for note in notes {
            writeln!(err, "{note}")?;
        }
    }
    Ok(())
}
