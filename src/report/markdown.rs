//! The report as Markdown tables, for a wiki page or a CI job summary: the same content as the
//! HTML report, with text cells escaped so that no item text can break a table.

use std::io::{self, Write};

use super::evidence::CommitRef;
use super::{EpicNode, Links, Report};
use crate::output::markdown::cell;

/// Rows per table before the rest is summarised.
pub const MAX_ROWS: usize = 200;

fn link(links: &Links, id: &str, path: &str, line: u32) -> String {
    // The target is percent-encoded: no `)` or space can end it early.
    format!("[{}]({})", cell(id), links.to(path, line))
}

fn more(out: &mut dyn Write, total: usize) -> io::Result<()> {
    if total > MAX_ROWS {
        writeln!(
            out,
            "\n… and {} more (see `--format json`).",
            total - MAX_ROWS
        )?;
    }
    Ok(())
}

fn commit(c: &Option<CommitRef>) -> String {
    c.as_ref().map_or_else(
        || "—".to_string(),
        |c| {
            format!(
                "`{}` {} {}",
                crate::discover::history::short_id(&c.commit),
                cell(&c.author),
                cell(&c.date)
            )
        },
    )
}

pub fn write(report: &Report, links: &Links, out: &mut dyn Write) -> io::Result<()> {
    let h = &report.headline;
    writeln!(
        out,
        "# Security in the backlog — {}\n",
        cell(&report.repository)
    )?;
    writeln!(
        out,
        "Generated {}{}.\n",
        cell(&report.generated),
        report
            .commit
            .as_deref()
            .map(|c| format!(" at commit `{}`", c.get(..12).unwrap_or(c)))
            .unwrap_or_default()
    )?;
    writeln!(out, "## At a glance\n")?;
    writeln!(out, "| figure | value |\n|---|--:|")?;
    for (label, value) in [
        ("items checked", h.items),
        ("touch the security checklist", h.triggered),
        ("…with a threat-analysis spike", h.with_spike),
        ("…with every spike done", h.spike_done),
        ("…needing a spike", h.missing_spike),
        ("…done", h.done),
        ("residual risks decided", h.risk_accepted),
        ("…by the team", h.accepted_by.team),
        ("…by the product owner", h.accepted_by.product_owner),
        ("…by the client", h.accepted_by.client),
        ("…by another or unknown role", h.accepted_by.other),
        ("done, awaiting risk acceptance", h.awaiting_acceptance),
        ("open security vetoes", h.open_vetoes),
        ("categories declined with a reason", h.overridden),
        ("suppressions", h.suppressions),
        ("baseline entries", h.baseline_entries),
        ("waivers expiring within 30 days", h.expiring_waivers),
        (
            "epics without an attacker story",
            h.attacker_stories_missing,
        ),
        ("errors in the check", h.errors),
        ("warnings in the check", h.warnings),
    ] {
        writeln!(out, "| {label} | {value} |")?;
    }
    if !h.per_category.is_empty() {
        writeln!(out, "\n| category | items | with spike |\n|---|--:|--:|")?;
        for c in &h.per_category {
            writeln!(
                out,
                "| {} | {} | {} |",
                cell(&c.title),
                c.items,
                c.with_spike
            )?;
        }
    }

    writeln!(out, "\n## Who must act\n")?;
    if report.actions.is_empty() {
        writeln!(out, "Nothing to do: the check found no problem.")?;
    }
    for group in &report.actions {
        writeln!(
            out,
            "### {} ({})\n",
            cell(&group.title),
            group.actions.len()
        )?;
        writeln!(out, "| item | title | what | rule |\n|---|---|---|---|")?;
        for a in group.actions.iter().take(MAX_ROWS) {
            let item = match &a.item {
                Some(id) => link(links, id, &a.path, a.line.unwrap_or(0)),
                None => cell(&a.path),
            };
            writeln!(
                out,
                "| {item} | {} | {} | {} `{}` |",
                a.title.as_deref().map(cell).unwrap_or_default(),
                cell(&a.message),
                cell(&a.severity),
                a.rule
            )?;
        }
        more(out, group.actions.len())?;
        writeln!(out)?;
    }

    writeln!(out, "## Epics\n")?;
    if report.epics.is_empty() {
        writeln!(out, "The backlog has no epics.")?;
    }
    for epic in &report.epics {
        epic_tree(out, epic, links, 0)?;
    }

    writeln!(out, "\n## Items that touch the checklist\n")?;
    if report.triggered.is_empty() {
        writeln!(out, "No item touches the checklist.")?;
    } else {
        writeln!(
            out,
            "| item | title | status | categories | spike | residual risk |\n|---|---|---|---|---|---|"
        )?;
        for row in report.triggered.iter().take(MAX_ROWS) {
            let spikes = if row.spikes.is_empty() {
                "**none**".to_string()
            } else {
                row.spikes
                    .iter()
                    .map(|s| format!("{} ({})", link(links, &s.id, &s.path, 0), cell(&s.status)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            writeln!(
                out,
                "| {} | {} | {} | {} | {spikes} | {}{} |",
                link(links, &row.id, &row.path, row.line),
                cell(&row.title),
                cell(&row.status),
                cell(&row.categories.join(", ")),
                row.acceptance.as_deref().map(cell).unwrap_or("—".into()),
                if row.veto { " **vetoed**" } else { "" }
            )?;
        }
        more(out, report.triggered.len())?;
    }

    if let Some(trend) = &report.trend {
        writeln!(out, "\n## Trend, week by week\n")?;
        if trend.weeks.is_empty() {
            writeln!(out, "No commit changed the backlog in the period.")?;
        } else {
            writeln!(
                out,
                "| week | touch the checklist | without a spike | risk decided |\n|---|--:|--:|--:|"
            )?;
            let skip = trend.weeks.len().saturating_sub(MAX_ROWS);
            for w in trend.weeks.iter().skip(skip) {
                writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    w.week, w.triggered, w.missing_spikes, w.accepted
                )?;
            }
        }
    }

    if let Some(evidence) = &report.evidence {
        writeln!(out, "\n## Audit evidence from git history\n")?;
        writeln!(
            out,
            "| item | spike linked | spike done | risk decision recorded | disagreements |\n|---|---|---|---|---|"
        )?;
        for e in evidence.iter().take(MAX_ROWS) {
            let linked: Vec<String> = e
                .spikes
                .iter()
                .map(|s| format!("{}: {}", cell(&s.spike), commit(&s.linked)))
                .collect();
            let done: Vec<String> = e
                .spikes
                .iter()
                .map(|s| format!("{}: {}", cell(&s.spike), commit(&s.done)))
                .collect();
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                link(links, &e.item, &e.path, 0),
                if linked.is_empty() {
                    "—".into()
                } else {
                    linked.join("<br>")
                },
                if done.is_empty() {
                    "—".into()
                } else {
                    done.join("<br>")
                },
                e.acceptance.as_ref().map_or("—".to_string(), |a| format!(
                    "{} by {} ({}): {}",
                    cell(&a.decision),
                    cell(&a.by),
                    cell(&a.role),
                    commit(&a.recorded)
                )),
                if e.warnings.is_empty() {
                    "none".to_string()
                } else {
                    e.warnings
                        .iter()
                        .map(|w| cell(w))
                        .collect::<Vec<_>>()
                        .join("<br>")
                }
            )?;
        }
        more(out, evidence.len())?;
    }

    writeln!(out, "\n## Overrides and waivers\n")?;
    if report.overrides.is_empty() && report.waivers.is_empty() {
        writeln!(out, "None.")?;
    }
    if !report.overrides.is_empty() {
        writeln!(out, "| item | declined | reason |\n|---|---|---|")?;
        for o in report.overrides.iter().take(MAX_ROWS) {
            writeln!(
                out,
                "| {} | {} | {} |",
                link(links, &o.item, &o.path, o.line),
                cell(&o.categories.join(", ")),
                o.reason
                    .as_deref()
                    .map(cell)
                    .unwrap_or("**no reason**".into())
            )?;
        }
        more(out, report.overrides.len())?;
        writeln!(out)?;
    }
    if !report.waivers.is_empty() {
        writeln!(
            out,
            "| kind | rule | item | reason | until |\n|---|---|---|---|---|"
        )?;
        for w in report.waivers.iter().take(MAX_ROWS) {
            writeln!(
                out,
                "| {} | `{}` | {} | {} | {}{} |",
                w.source,
                cell(&w.rule),
                w.item
                    .as_deref()
                    .map(|i| link(links, i, &w.path, 0))
                    .unwrap_or_else(|| cell(&w.path)),
                w.reason.as_deref().map(cell).unwrap_or_default(),
                w.until.as_deref().map(cell).unwrap_or("—".into()),
                if w.expiring { " (expiring)" } else { "" }
            )?;
        }
        more(out, report.waivers.len())?;
    }
    for note in &report.notes {
        writeln!(out, "\n> note: {}", cell(note))?;
    }
    Ok(())
}

fn epic_tree(out: &mut dyn Write, node: &EpicNode, links: &Links, depth: usize) -> io::Result<()> {
    let row = &node.item;
    let mut flags = Vec::new();
    if node.triggered > 0 {
        flags.push(format!("{} touch the checklist", node.triggered));
    }
    if node.unanalysed > 0 {
        flags.push(format!("**{} without spike**", node.unanalysed));
    }
    if row.veto {
        flags.push("**vetoed**".to_string());
    }
    if let Some(a) = &row.acceptance {
        flags.push(cell(a));
    }
    writeln!(
        out,
        "{}- {} {} ({}, {}){}",
        "  ".repeat(depth),
        link(links, &row.id, &row.path, row.line),
        cell(&row.title),
        cell(&row.kind),
        cell(&row.status),
        if flags.is_empty() {
            String::new()
        } else {
            format!(" — {}", flags.join(", "))
        }
    )?;
    for child in &node.children {
        epic_tree(out, child, links, depth + 1)?;
    }
    Ok(())
}
