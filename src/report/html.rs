//! The report as one self-contained HTML file: inline CSS and SVG, no scripts, no fonts or
//! images from anywhere (a Content-Security-Policy says so to the browser), readable printed
//! and on a phone. All item text is escaped; every item links to its file.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::evidence::{CommitRef, ItemEvidence};
use super::{ActionGroup, EpicNode, ItemRow, Links, Report, svg};

/// Rows per table before the rest is summarised (the JSON report has them all).
pub const MAX_ROWS: usize = 500;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Controls (and bidi overrides) are shown as their code point, never raw.
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                let _ = write!(out, "\\u{{{:x}}}", ch as u32);
            }
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--bad:#b42318;--warn:#9a6700;--good:#1a7f37;--accent:#0969da}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1100px;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.2rem;margin:2rem 0 .6rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
.meta,.muted{color:var(--muted)}
a{color:var(--accent)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.6rem}
.card{border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem;background:var(--soft)}
.card .n{font-size:1.6rem;font-weight:600;display:block}
.card.bad .n{color:var(--bad)}.card.warn .n{color:var(--warn)}.card.good .n{color:var(--good)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.4rem 0;font-size:.92rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:var(--line);border-radius:4px;height:.7rem;min-width:4rem}
.bar span{display:block;height:100%;border-radius:4px;background:var(--accent)}
.tag{display:inline-block;border-radius:10px;padding:0 .45rem;font-size:.8rem;border:1px solid var(--line);margin:0 .15rem .1rem 0;white-space:nowrap}
.tag.bad{border-color:var(--bad);color:var(--bad)}.tag.good{border-color:var(--good);color:var(--good)}.tag.warn{border-color:var(--warn);color:var(--warn)}
ul.tree{list-style:none;padding-left:1.1rem;margin:.2rem 0}
ul.tree>li{margin:.15rem 0}
details>summary{cursor:pointer}
.chart{width:100%;height:auto;display:block}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.2rem}
td:first-child a{white-space:nowrap}
.chart .grid{stroke:var(--line);stroke-width:1}
.chart .tick{font-size:11px;fill:var(--muted)}
.chart .line{stroke-width:2.5}
.chart.triggered .line{stroke:var(--accent)}.chart.triggered .dot{fill:var(--accent)}
.chart.missing .line{stroke:var(--bad)}.chart.missing .dot{fill:var(--bad)}
.chart.accepted .line{stroke:var(--good)}.chart.accepted .dot{fill:var(--good)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1.2rem}
code{font-size:.85em;background:var(--soft);padding:0 .25rem;border-radius:4px}
footer{margin-top:2.5rem;color:var(--muted);font-size:.85rem}
@media (max-width:600px){body{font-size:14px}main{padding:1rem .6rem}.card .n{font-size:1.3rem}}
@media print{main{max-width:none;padding:0}a{color:inherit;text-decoration:none}.card{break-inside:avoid}table,svg{break-inside:avoid}h2{break-after:avoid}details>summary{list-style:none}}
"#;

fn item_link(links: &Links, id: &str, path: &str, line: u32) -> String {
    format!(
        r#"<a href="{}">{}</a>"#,
        escape(&links.to(path, line)),
        escape(id)
    )
}

fn card(out: &mut String, figure: &str, n: usize, label: &str, tone: &str) {
    let _ = write!(
        out,
        r#"<div class="card {tone}" data-figure="{figure}"><span class="n">{n}</span>{}</div>"#,
        escape(label)
    );
}

fn tags(categories: &[String]) -> String {
    categories
        .iter()
        .map(|c| format!(r#"<span class="tag">{}</span>"#, escape(c)))
        .collect()
}

fn spike_cell(row: &ItemRow, links: &Links) -> String {
    if row.spikes.is_empty() {
        return r#"<span class="tag bad">no spike</span>"#.to_string();
    }
    row.spikes
        .iter()
        .map(|s| {
            let tone = if s.status == "done" { "good" } else { "warn" };
            format!(
                r#"{} <span class="tag {tone}">{}</span>"#,
                item_link(links, &s.id, &s.path, 0),
                escape(&s.status)
            )
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

pub fn write(report: &Report, links: &Links, out: &mut dyn Write) -> io::Result<()> {
    let mut html = String::with_capacity(64 * 1024);
    let h = &report.headline;
    let _ = write!(
        html,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="backlint {}">
<title>Security in the backlog — {}</title>
<style>{STYLE}</style></head><body><main>
<header><h1>Security in the backlog</h1><p class="meta">{} · {}{} · generated {}</p></header>
"#,
        env!("CARGO_PKG_VERSION"),
        escape(&report.repository),
        escape(&report.repository),
        crate::output::plural(h.items, "item"),
        report
            .commit
            .as_deref()
            .map(|c| format!(
                " · commit <code>{}</code>",
                escape(c.get(..12).unwrap_or(c))
            ))
            .unwrap_or_default(),
        escape(&report.generated),
    );

    // At a glance.
    html.push_str(r#"<section id="glance"><h2>At a glance</h2><div class="cards">"#);
    card(&mut html, "items", h.items, "items checked", "");
    card(
        &mut html,
        "triggered",
        h.triggered,
        "touch the security checklist",
        "",
    );
    card(
        &mut html,
        "with-spike",
        h.with_spike,
        "of those have a threat-analysis spike",
        "good",
    );
    card(
        &mut html,
        "spike-done",
        h.spike_done,
        "have every spike done",
        "good",
    );
    card(
        &mut html,
        "missing-spike",
        h.missing_spike,
        "need a spike",
        if h.missing_spike > 0 { "bad" } else { "good" },
    );
    card(
        &mut html,
        "risk-accepted",
        h.risk_accepted,
        "residual risks decided",
        "good",
    );
    card(
        &mut html,
        "awaiting-acceptance",
        h.awaiting_acceptance,
        "done, awaiting risk acceptance",
        if h.awaiting_acceptance > 0 {
            "warn"
        } else {
            ""
        },
    );
    card(
        &mut html,
        "open-vetoes",
        h.open_vetoes,
        "open security vetoes",
        if h.open_vetoes > 0 { "bad" } else { "" },
    );
    card(
        &mut html,
        "overridden",
        h.overridden,
        "category overrides, each with a reason",
        "",
    );
    card(
        &mut html,
        "waivers",
        h.suppressions + h.baseline_entries,
        &format!(
            "waivers ({} suppressions, {} baseline; {} expiring)",
            h.suppressions, h.baseline_entries, h.expiring_waivers
        ),
        if h.expiring_waivers > 0 { "warn" } else { "" },
    );
    card(
        &mut html,
        "attacker-stories-missing",
        h.attacker_stories_missing,
        "epics without an attacker story",
        if h.attacker_stories_missing > 0 {
            "warn"
        } else {
            ""
        },
    );
    card(
        &mut html,
        "errors",
        h.errors,
        &format!("errors, {} warnings in the check", h.warnings),
        if h.errors > 0 { "bad" } else { "good" },
    );
    html.push_str("</div>");
    let _ = write!(
        html,
        r#"<p data-figure="accepted-by">Residual risk accepted by the team: <b>{}</b> · the product owner: <b>{}</b> · the client: <b>{}</b>{}</p>"#,
        h.accepted_by.team,
        h.accepted_by.product_owner,
        h.accepted_by.client,
        if h.accepted_by.other > 0 {
            format!(" · another or unknown role: <b>{}</b>", h.accepted_by.other)
        } else {
            String::new()
        }
    );
    if !h.per_category.is_empty() {
        html.push_str(r#"<div class="scroll"><table data-figure="per-category"><thead><tr><th>category</th><th class="num">items</th><th class="num">with spike</th><th>coverage</th></tr></thead><tbody>"#);
        for c in &h.per_category {
            let pct = (c.with_spike * 100).checked_div(c.items).unwrap_or(0);
            let _ = write!(
                html,
                r#"<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td><div class="bar" title="{pct}%"><span style="width:{pct}%"></span></div></td></tr>"#,
                escape(&c.title),
                c.items,
                c.with_spike
            );
        }
        html.push_str("</tbody></table></div>");
    }
    html.push_str("</section>");

    // Who must act.
    html.push_str(r#"<section id="actions"><h2>Who must act</h2>"#);
    if report.actions.is_empty() {
        html.push_str("<p>Nothing to do: the check found no problem.</p>");
    }
    for group in &report.actions {
        action_group(&mut html, group, links);
    }
    html.push_str("</section>");

    // Epics.
    html.push_str(r#"<section id="epics"><h2>Epics</h2>"#);
    if report.epics.is_empty() {
        html.push_str(r#"<p class="muted">The backlog has no epics.</p>"#);
    } else {
        html.push_str(r#"<ul class="tree">"#);
        for epic in &report.epics {
            epic_tree(&mut html, epic, links);
        }
        html.push_str("</ul>");
    }
    if !report.outside_epics.is_empty() && !report.epics.is_empty() {
        let _ = write!(
            html,
            r#"<p class="muted">{} that touch the checklist are not under an epic (listed below).</p>"#,
            crate::output::plural(report.outside_epics.len(), "item")
        );
    }
    html.push_str("</section>");

    // Triggered items.
    html.push_str(r#"<section id="items"><h2>Items that touch the checklist</h2>"#);
    if report.triggered.is_empty() {
        html.push_str("<p>No item touches the checklist.</p>");
    } else {
        html.push_str(r#"<div class="scroll"><table data-figure="triggered-items"><thead><tr><th>item</th><th>title</th><th>status</th><th>categories</th><th>spike</th><th>residual risk</th></tr></thead><tbody>"#);
        for row in report.triggered.iter().take(MAX_ROWS) {
            let _ = write!(
                html,
                r#"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>"#,
                item_link(links, &row.id, &row.path, row.line),
                escape(&row.title),
                escape(&row.status),
                tags(&row.categories),
                spike_cell(row, links),
                row.acceptance
                    .as_deref()
                    .map(escape)
                    .unwrap_or_else(|| "—".to_string()),
                if row.veto {
                    r#" <span class="tag bad">vetoed</span>"#
                } else {
                    ""
                },
            );
        }
        html.push_str("</tbody></table></div>");
        more(&mut html, report.triggered.len());
    }
    html.push_str("</section>");

    // Trend.
    if let Some(trend) = &report.trend {
        html.push_str(r#"<section id="trend"><h2>Trend, week by week</h2>"#);
        if trend.weeks.is_empty() {
            html.push_str(r#"<p class="muted">No commit changed the backlog in the period.</p>"#);
        } else {
            let labels: Vec<String> = trend.weeks.iter().map(|w| w.week.clone()).collect();
            html.push_str(r#"<div class="charts">"#);
            for (title, class, values) in [
                (
                    "Items that touch the checklist",
                    "triggered",
                    trend.weeks.iter().map(|w| w.triggered).collect::<Vec<_>>(),
                ),
                (
                    "…without a threat-analysis spike",
                    "missing",
                    trend.weeks.iter().map(|w| w.missing_spikes).collect(),
                ),
                (
                    "…with the residual risk decided",
                    "accepted",
                    trend.weeks.iter().map(|w| w.accepted).collect(),
                ),
            ] {
                let _ = write!(
                    html,
                    r#"<figure data-figure="trend-{class}"><figcaption>{}</figcaption>{}</figure>"#,
                    escape(title),
                    svg::line_chart(title, &labels, &values, class)
                );
            }
            html.push_str("</div>");
        }
        html.push_str("</section>");
    }

    // Evidence.
    if let Some(evidence) = &report.evidence {
        html.push_str(r#"<section id="evidence"><h2>Audit evidence from git history</h2><p class="muted">From the commits that made each record, not from what the files claim today.</p>"#);
        evidence_table(&mut html, evidence, links);
        html.push_str("</section>");
    }

    // Overrides and waivers.
    html.push_str(r#"<section id="waivers"><h2>Overrides and waivers</h2>"#);
    if report.overrides.is_empty() && report.waivers.is_empty() {
        html.push_str("<p>None.</p>");
    }
    if !report.overrides.is_empty() {
        html.push_str(r#"<div class="scroll"><table data-figure="overrides"><thead><tr><th>item</th><th>declined</th><th>reason</th></tr></thead><tbody>"#);
        for o in report.overrides.iter().take(MAX_ROWS) {
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                item_link(links, &o.item, &o.path, o.line),
                tags(&o.categories),
                o.reason
                    .as_deref()
                    .map(escape)
                    .unwrap_or_else(|| r#"<span class="tag bad">no reason</span>"#.to_string())
            );
        }
        html.push_str("</tbody></table></div>");
        more(&mut html, report.overrides.len());
    }
    if !report.waivers.is_empty() {
        html.push_str(r#"<div class="scroll"><table data-figure="waivers"><thead><tr><th>kind</th><th>rule</th><th>item</th><th>reason</th><th>until</th></tr></thead><tbody>"#);
        for w in report.waivers.iter().take(MAX_ROWS) {
            let _ = write!(
                html,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
                escape(&w.source),
                escape(&w.rule),
                w.item
                    .as_deref()
                    .map(|i| item_link(links, i, &w.path, 0))
                    .unwrap_or_else(|| escape(&w.path)),
                w.reason.as_deref().map(escape).unwrap_or_default(),
                w.until.as_deref().map(escape).unwrap_or_else(|| "—".into()),
                if w.expiring {
                    r#" <span class="tag warn">expiring</span>"#
                } else {
                    ""
                }
            );
        }
        html.push_str("</tbody></table></div>");
        more(&mut html, report.waivers.len());
    }
    html.push_str("</section>");

    if !report.notes.is_empty() {
        html.push_str(r#"<section id="notes"><h2>Notes</h2><ul>"#);
        for note in &report.notes {
            let _ = write!(html, "<li>{}</li>", escape(note));
        }
        html.push_str("</ul></section>");
    }
    html.push_str(
        r#"<footer>Made by backlint. How each figure is computed: <code>docs/report.md</code>. The JSON report (<code>--format json</code>) has every row.</footer></main></body></html>
"#,
    );
    out.write_all(html.as_bytes())
}

fn more(html: &mut String, total: usize) {
    if total > MAX_ROWS {
        let _ = write!(
            html,
            r#"<p class="muted">… and {} more (see the JSON report).</p>"#,
            total - MAX_ROWS
        );
    }
}

fn action_group(html: &mut String, group: &ActionGroup, links: &Links) {
    let _ = write!(
        html,
        r#"<h3 data-owner="{}">{} <span class="muted">({})</span></h3><div class="scroll"><table><thead><tr><th>item</th><th>title</th><th>what</th><th>rule</th></tr></thead><tbody>"#,
        escape(&group.owner),
        escape(&group.title),
        group.actions.len()
    );
    for a in group.actions.iter().take(MAX_ROWS) {
        let item = match &a.item {
            Some(id) => item_link(links, id, &a.path, a.line.unwrap_or(0)),
            None if !a.path.is_empty() => format!(
                r#"<a href="{}">{}</a>"#,
                escape(&links.to(&a.path, a.line.unwrap_or(0))),
                escape(&a.path)
            ),
            None => "—".to_string(),
        };
        let tone = match a.severity.as_str() {
            "error" => "bad",
            "warning" => "warn",
            _ => "",
        };
        let _ = write!(
            html,
            r#"<tr><td>{item}</td><td>{}</td><td>{}</td><td><span class="tag {tone}">{}</span> <code>{}</code></td></tr>"#,
            a.title.as_deref().map(escape).unwrap_or_default(),
            escape(&a.message),
            escape(&a.severity),
            escape(&a.rule),
        );
    }
    html.push_str("</tbody></table></div>");
    more(html, group.actions.len());
}

fn epic_tree(html: &mut String, node: &EpicNode, links: &Links) {
    let row = &node.item;
    let mut badges = String::new();
    if node.unanalysed > 0 {
        let _ = write!(
            badges,
            r#" <span class="tag bad">{} without spike</span>"#,
            node.unanalysed
        );
    }
    if node.triggered > 0 {
        let _ = write!(
            badges,
            r#" <span class="tag">{} touch the checklist</span>"#,
            node.triggered
        );
    }
    if row.veto {
        badges.push_str(r#" <span class="tag bad">vetoed</span>"#);
    }
    if let Some(acceptance) = &row.acceptance {
        let _ = write!(
            badges,
            r#" <span class="tag good">{}</span>"#,
            escape(acceptance)
        );
    }
    let label = format!(
        "{} {} <span class=\"muted\">({}, {})</span>{badges}",
        item_link(links, &row.id, &row.path, row.line),
        escape(&row.title),
        escape(&row.kind),
        escape(&row.status)
    );
    if node.children.is_empty() {
        let _ = write!(html, "<li>{label}</li>");
        return;
    }
    let _ = write!(
        html,
        r#"<li><details open><summary>{label}</summary><ul class="tree">"#
    );
    for child in &node.children {
        epic_tree(html, child, links);
    }
    html.push_str("</ul></details></li>");
}

fn commit_cell(c: &Option<CommitRef>) -> String {
    match c {
        Some(c) => format!(
            r#"<code title="{}">{}</code> {} <span class="muted">{}</span>"#,
            escape(&c.summary),
            escape(crate::discover::history::short_id(&c.commit)),
            escape(&c.author),
            escape(&c.date)
        ),
        None => "—".to_string(),
    }
}

fn evidence_table(html: &mut String, evidence: &[ItemEvidence], links: &Links) {
    if evidence.is_empty() {
        html.push_str("<p>No item touches the checklist.</p>");
        return;
    }
    html.push_str(r#"<div class="scroll"><table data-figure="evidence"><thead><tr><th>item</th><th>spike linked</th><th>spike done</th><th>risk decision recorded</th><th>disagreements</th></tr></thead><tbody>"#);
    for e in evidence.iter().take(MAX_ROWS) {
        let linked: Vec<String> = e
            .spikes
            .iter()
            .map(|s| format!("{}: {}", escape(&s.spike), commit_cell(&s.linked)))
            .collect();
        let done: Vec<String> = e
            .spikes
            .iter()
            .map(|s| format!("{}: {}", escape(&s.spike), commit_cell(&s.done)))
            .collect();
        let acceptance = e
            .acceptance
            .as_ref()
            .map(|a| {
                format!(
                    "{} by {} ({}): {}",
                    escape(&a.decision),
                    escape(&a.by),
                    escape(&a.role),
                    commit_cell(&a.recorded)
                )
            })
            .unwrap_or_else(|| "—".into());
        let warnings = if e.warnings.is_empty() {
            r#"<span class="tag good">none</span>"#.to_string()
        } else {
            e.warnings
                .iter()
                .map(|w| format!(r#"<span class="tag warn">!</span> {}"#, escape(w)))
                .collect::<Vec<_>>()
                .join("<br>")
        };
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            item_link(links, &e.item, &e.path, 0),
            if linked.is_empty() {
                "—".to_string()
            } else {
                linked.join("<br>")
            },
            if done.is_empty() {
                "—".to_string()
            } else {
                done.join("<br>")
            },
            acceptance,
            warnings
        );
    }
    html.push_str("</tbody></table></div>");
    more(html, evidence.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape("a\u{1b}[31mb\u{202e}c"), "a\\u{1b}[31mb\\u{202e}c");
    }
}
