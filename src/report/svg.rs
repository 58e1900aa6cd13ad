//! Inline SVG charts for the HTML report: one weekly series per chart, drawn without scripts
//! or fonts from anywhere (text uses the page's font).

use std::fmt::Write as _;

use super::html::escape;

const WIDTH: f64 = 420.0;
const HEIGHT: f64 = 170.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 28.0;

/// A line chart of `values` (one per week) labelled by `labels` (first and last are drawn).
pub fn line_chart(title: &str, labels: &[String], values: &[usize], class: &str) -> String {
    let mut out = String::new();
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let n = values.len();
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| {
        if n <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: usize| TOP + plot_h - plot_h * v as f64 / max as f64;
    let summary = match (values.first(), values.last()) {
        (Some(a), Some(b)) => format!("{title}: from {a} to {b} over {n} weeks"),
        _ => format!("{title}: no data"),
    };
    let _ = write!(
        out,
        r#"<svg class="chart {class}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(&summary)
    );
    let _ = write!(out, "<title>{}</title>", escape(&summary));
    // Axes and grid: zero, half and the maximum.
    for v in [0, max / 2, max] {
        let yy = y(v);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{v}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            yy + 4.0
        );
    }
    if let (Some(first), Some(last)) = (labels.first(), labels.last()) {
        let _ = write!(
            out,
            r#"<text class="tick" x="{LEFT}" y="{:.1}">{}</text><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            HEIGHT - 8.0,
            escape(first),
            WIDTH - RIGHT,
            HEIGHT - 8.0,
            escape(last)
        );
    }
    if n > 0 {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline class="line" fill="none" points="{}"/>"#,
            points.join(" ")
        );
        if let Some(v) = values.last() {
            let _ = write!(
                out,
                r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="3.5"/>"#,
                x(n - 1),
                y(*v)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_escapes_its_labels_and_draws_every_point() {
        let svg = line_chart(
            "missing <spikes>",
            &["2026-01-05".into(), "2026-01-12".into(), "<x>".into()],
            &[3, 1, 0],
            "missing",
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("missing &lt;spikes&gt;: from 3 to 0 over 3 weeks"));
        assert!(svg.contains("&lt;x&gt;"));
        assert_eq!(svg.matches(',').count(), 3, "{svg}");
        assert!(!svg.contains("<x>"));
    }
}
