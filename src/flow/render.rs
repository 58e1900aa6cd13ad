//! `backlint flow` output: a terminal table, the same tables in Markdown, or JSON.

use std::io::{self, Write};

use super::{Durations, FlowReport, GroupFigures};
use crate::output::markdown::cell;
use crate::source::one_line;

/// A duration for people: `45 min`, `5.0 h`, `3.2 d`.
pub fn duration(seconds: i64) -> String {
    let s = seconds.max(0) as f64;
    if s < 3600.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 86_400.0 * 2.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} d", s / 86_400.0)
    }
}

fn pair(d: &Durations) -> String {
    match (d.median_seconds, d.p85_seconds) {
        (Some(m), Some(p)) => format!("{} / {}", duration(m), duration(p)),
        _ => "—".to_string(),
    }
}

fn median(d: &Durations) -> String {
    d.median_seconds.map_or_else(|| "—".to_string(), duration)
}

fn share(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".to_string()
    } else {
        format!("{part} of {whole}")
    }
}

/// The rows of the stage table: stage, items, wait, time in, sent back, security share.
fn stage_rows(group: &GroupFigures) -> Vec<[String; 6]> {
    group
        .stages
        .iter()
        .map(|s| {
            [
                one_line(&s.stage),
                s.items.to_string(),
                pair(&s.wait_before),
                pair(&s.time_in),
                format!("{} ({}%)", s.sent_back, s.sent_back_percent),
                share(s.security_backward_moves, s.backward_moves),
            ]
        })
        .collect()
}

const HEADERS: [&str; 6] = [
    "stage",
    "items",
    "wait before (median / p85)",
    "time in (median / p85)",
    "sent back",
    "moves back tied to security",
];

fn window(report: &FlowReport) -> String {
    let span = match (&report.first_commit, &report.last_commit) {
        (Some(a), Some(b)) => format!(
            "{} … {}",
            a.get(..10).unwrap_or(a),
            b.get(..10).unwrap_or(b)
        ),
        _ => "no commits".to_string(),
    };
    format!(
        "{} over {} ({span})",
        crate::output::plural(report.all.items, "item"),
        crate::output::plural(report.commits_in_window, "commit")
    )
}

fn lead_line(name: &str, group: &GroupFigures) -> String {
    format!(
        "{name}: {} reached done; lead time median {}, p85 {}; {} of {} moves back tied to security",
        group.lead_time.count,
        median(&group.lead_time),
        group.lead_time.p85_seconds.map_or("—".into(), duration),
        group.security_backward_moves,
        group.backward_moves,
    )
}

/// The terminal table.
pub fn human(report: &FlowReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Value stream of {}", window(report))?;
    if report.all.items == 0 {
        writeln!(
            out,
            "No backlog item changed status in the history read. Commit the backlog (or widen \
             --since) and run again."
        )?;
        return Ok(());
    }
    writeln!(out)?;
    let rows = stage_rows(&report.all);
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}", w = *w))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(out, "{}", line(HEADERS.to_vec()))?;
    for row in &rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", lead_line("all items", &report.all))?;
    writeln!(
        out,
        "{}",
        lead_line("items that trigger the checklist", &report.triggered)
    )?;
    writeln!(out, "{}", lead_line("other items", &report.untriggered))?;
    let cost = security_cost(report);
    if !cost.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "What the security steps cost (median time in stage, triggered vs other items):"
        )?;
        for (stage, t, u) in cost {
            writeln!(out, "  {stage}: {t} vs {u}")?;
        }
    }
    if report.commits_left_out > 0 {
        writeln!(
            out,
            "note: the history is long; its {} oldest commits were not read",
            report.commits_left_out
        )?;
    }
    if report.shallow {
        writeln!(
            out,
            "note: this is a shallow clone; older history is not counted (fetch with --unshallow)"
        )?;
    }
    Ok(())
}

/// Per stage: median time in it for triggered items and for the others.
fn security_cost(report: &FlowReport) -> Vec<(String, String, String)> {
    report
        .all
        .stages
        .iter()
        .filter_map(|s| {
            let t = report.triggered.stages.iter().find(|x| x.stage == s.stage);
            let u = report
                .untriggered
                .stages
                .iter()
                .find(|x| x.stage == s.stage);
            let (t, u) = (t?.time_in.median_seconds?, u?.time_in.median_seconds?);
            Some((one_line(&s.stage), duration(t), duration(u)))
        })
        .collect()
}

/// The same tables in Markdown.
pub fn markdown(report: &FlowReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Value stream\n")?;
    writeln!(out, "{}\n", cell(&window(report)))?;
    if report.all.items == 0 {
        writeln!(out, "No backlog item changed status in the history read.")?;
        return Ok(());
    }
    writeln!(out, "| {} |", HEADERS.join(" | "))?;
    writeln!(out, "|---|--:|--:|--:|--:|--:|")?;
    for row in stage_rows(&report.all) {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "| items | reached done | lead time median | lead time p85 | moves back tied to security |"
    )?;
    writeln!(out, "|---|--:|--:|--:|--:|")?;
    for (name, group) in [
        ("all", &report.all),
        ("trigger the checklist", &report.triggered),
        ("other", &report.untriggered),
    ] {
        writeln!(
            out,
            "| {name} ({}) | {} | {} | {} | {} |",
            group.items,
            group.lead_time.count,
            median(&group.lead_time),
            group.lead_time.p85_seconds.map_or("—".into(), duration),
            share(group.security_backward_moves, group.backward_moves),
        )?;
    }
    Ok(())
}

/// JSON (schema in docs/flow.md).
pub fn json(report: &FlowReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
