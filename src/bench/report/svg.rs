//! The SVG chart: median execution time per program, one bar per contender
//! side by side, on a logarithmic axis (run times span several decades).
//! Written by hand: a few rectangles and labels need no plotting library.

use super::{format_seconds, Report, Status};
use std::fmt::Write;

/// Bar colors, one per contender in column order (then repeated).
const PALETTE: [&str; 6] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1",
];
const BAR: f64 = 14.0;
const GROUP_GAP: f64 = 18.0;
const LEFT: f64 = 72.0;
const TOP: f64 = 64.0;
const PLOT_H: f64 = 320.0;
const BOTTOM: f64 = 150.0;
const RIGHT: f64 = 24.0;

/// Renders the chart.
pub fn render(report: &Report) -> String {
    let k = report.contenders.len().max(1);
    let n = report.programs.len();
    let group = k as f64 * BAR + GROUP_GAP;
    let plot_w = (n as f64 * group).max(240.0);
    let (w, h) = (LEFT + plot_w + RIGHT, TOP + PLOT_H + BOTTOM);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="18" font-size="14" font-weight="bold">Execution time per program ({}, median of {} runs, log scale)</text>"#,
        report.clock_words(),
        report.runs
    );
    let _ = writeln!(
        out,
        r##"<text x="{LEFT}" y="34" fill="#555">{}</text>"##,
        escape(&report.provenance())
    );
    legend(&mut out, report);
    let values: Vec<f64> = report
        .programs
        .iter()
        .flat_map(|p| &p.results)
        .filter(|r| r.status == Status::Ok)
        .filter_map(|r| r.execution.map(|e| e.median_s))
        .filter(|v| *v > 0.0)
        .collect();
    let base_y = TOP + PLOT_H;
    let Some((lo, hi)) = decades(&values) else {
        let _ = writeln!(
            out,
            r#"<text x="{LEFT}" y="{}">no successful runs to plot</text></svg>"#,
            TOP + PLOT_H / 2.0
        );
        return out;
    };
    let y = |v: f64| TOP + PLOT_H * (1.0 - (v.log10() - lo as f64) / (hi - lo) as f64);
    // Axis: a gridline and label per decade.
    for d in lo..=hi {
        let v = 10f64.powi(d);
        let gy = y(v);
        let _ = writeln!(
            out,
            r##"<line x1="{LEFT}" y1="{gy:.1}" x2="{:.1}" y2="{gy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            gy + 4.0,
            // Decades read better without trailing zeros: `10 ms`, not `10.0 ms`.
            format_seconds(v).replace(".00 ", " ").replace(".0 ", " ")
        );
    }
    let _ = writeln!(
        out,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base_y}" stroke="#333"/><line x1="{LEFT}" y1="{base_y}" x2="{:.1}" y2="{base_y}" stroke="#333"/>"##,
        LEFT + plot_w
    );
    for (i, p) in report.programs.iter().enumerate() {
        let gx = LEFT + i as f64 * group + GROUP_GAP / 2.0;
        for (j, r) in p.results.iter().enumerate() {
            let x = gx + j as f64 * BAR;
            let value = r.execution.map(|e| e.median_s).filter(|v| *v > 0.0);
            match (r.status, value) {
                (Status::Ok, Some(v)) => {
                    let top = y(v);
                    let _ = writeln!(
                        out,
                        r#"<rect x="{x:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} {}: {}</title></rect>"#,
                        BAR - 1.0,
                        (base_y - top).max(0.5),
                        PALETTE[j % PALETTE.len()],
                        escape(&p.name),
                        escape(&r.contender),
                        format_seconds(v)
                    );
                }
                (Status::Unavailable, _) => {}
                (status, _) => {
                    let _ = writeln!(
                        out,
                        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#c00" font-weight="bold">×<title>{} {}: {}</title></text>"##,
                        x + BAR / 2.0,
                        base_y - 4.0,
                        escape(&p.name),
                        escape(&r.contender),
                        status.word()
                    );
                }
            }
        }
        let lx = gx + k as f64 * BAR / 2.0;
        let ly = base_y + 12.0;
        let _ = writeln!(
            out,
            r#"<text x="{lx:.1}" y="{ly:.1}" text-anchor="end" transform="rotate(-40 {lx:.1} {ly:.1})">{}</text>"#,
            escape(&p.name)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// A colored square and the label per contender, in one row.
fn legend(out: &mut String, report: &Report) {
    let mut x = LEFT;
    for (j, label) in report.contenders.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<rect x="{x:.1}" y="42" width="10" height="10" fill="{}"/><text x="{:.1}" y="51">{}</text>"#,
            PALETTE[j % PALETTE.len()],
            x + 14.0,
            escape(label)
        );
        x += 24.0 + 7.0 * label.chars().count() as f64;
    }
}

/// The decades (powers of ten) that enclose the values, at least one apart.
fn decades(values: &[f64]) -> Option<(i32, i32)> {
    let min = values.iter().copied().reduce(f64::min)?;
    let max = values.iter().copied().reduce(f64::max)?;
    let lo = min.log10().floor() as i32;
    let hi = (max.log10().ceil() as i32).max(lo + 1);
    Some((lo, hi))
}

/// Escapes text for SVG content and attributes.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decades_enclose_the_values() {
        assert_eq!(decades(&[0.004, 2.5]), Some((-3, 1)));
        assert_eq!(decades(&[1.0]), Some((0, 1)));
        assert_eq!(decades(&[]), None);
        assert_eq!(escape("a<b&\"c\""), "a&lt;b&amp;&quot;c&quot;");
    }
}
