//! The SVG chart: median execution time per program, one bar per contender
//! side by side, with a whisker from the fastest to the slowest run, on a
//! logarithmic axis (run times span several decades), with axis titles.
//!
//! Written by hand: rectangles, lines and labels need no plotting library.
//! Nothing may be clipped at any number of programs or length of names, and
//! the renderer knows no font metrics, so the layout reserves room for every
//! label from a generous estimate of its width ([`text_width`]), and grows
//! the canvas to fit the title, legend and rotated program names.
//! `tests/bench_suite.rs` renders charts with resvg and checks this.

use super::{format_seconds, Report, Status, TierResult};
use std::fmt::Write;

/// Bar colors, one per contender in column order (then repeated).
const PALETTE: [&str; 6] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1",
];
/// Font sizes of labels and of the title.
const FONT: f64 = 11.0;
const TITLE_FONT: f64 = 14.0;
/// Width of one bar, and the space between programs.
const BAR: f64 = 14.0;
const GROUP_GAP: f64 = 18.0;
/// Margin kept free on every side.
const PAD: f64 = 10.0;
/// Height of the plot area.
const PLOT_H: f64 = 320.0;
/// Program names are rotated by this many degrees (counter-clockwise).
const TILT: f64 = 40.0;
/// Longer program names are shortened to their end (the tooltip has all).
const NAME_CHARS: usize = 36;
/// Fractions of the font size above and below the baseline.
const ASCENT: f64 = 0.8;
const DESCENT: f64 = 0.25;

/// A width no common sans-serif rendering of `s` exceeds at `size`: each
/// character counts at about its advance in DejaVu Sans, among the widest
/// of them (`m` and `W` are nearly 1 em, `i` a third), rounded up; bold
/// adds a tenth.
pub fn text_width(s: &str, size: f64, bold: bool) -> f64 {
    let em = |c: char| match c {
        'm' | 'M' | 'W' | '@' | '%' | '—' => 1.0,
        'w' | '×' | '–' => 0.85,
        'A'..='Z' => 0.8,
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '|' | '!' | '\'' | ' ' => 0.36,
        'f' | 't' | 'r' | '/' | '(' | ')' | '[' | ']' | '-' => 0.48,
        _ => 0.66,
    };
    let ems: f64 = s.chars().map(em).sum();
    ems * size * if bold { 1.1 } else { 1.0 } + 2.0
}

/// Where everything goes.
struct Layout {
    /// Where the y axis title's baseline is.
    axis_title_x: f64,
    width: f64,
    height: f64,
    left: f64,
    top: f64,
    plot_w: f64,
    group: f64,
}

impl Layout {
    fn base_y(&self) -> f64 {
        self.top + PLOT_H
    }

    /// The horizontal center of program `i`'s group.
    fn center(&self, i: usize) -> f64 {
        self.left + (i as f64 + 0.5) * self.group
    }
}

/// Renders the chart.
pub fn render(report: &Report) -> String {
    let title = format!(
        "Execution time per program ({}, median of {} runs; whiskers: fastest to slowest)",
        report.clock_words(),
        report.runs
    );
    let provenance = report.provenance();
    let values: Vec<f64> = report
        .programs
        .iter()
        .flat_map(|p| &p.results)
        .filter_map(plotted)
        .flat_map(|(med, min, max)| [med, min, max])
        .filter(|v| *v > 0.0)
        .collect();
    let range = decades(&values);
    let ticks: Vec<(f64, String)> = range.map_or_else(Vec::new, |(lo, hi)| {
        (lo..=hi)
            .map(|d| (10f64.powi(d), decade_label(10f64.powi(d))))
            .collect()
    });
    let layout = layout(report, &title, &provenance, &ticks);
    let (w, h) = (layout.width, layout.height);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="{FONT}">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="{PAD}" y="{:.1}" font-size="{TITLE_FONT}" font-weight="bold">{}</text>"#,
        PAD + TITLE_FONT * ASCENT,
        escape(&title)
    );
    let _ = writeln!(
        out,
        r##"<text x="{PAD}" y="{:.1}" fill="#555">{}</text>"##,
        PAD + TITLE_FONT + 6.0 + FONT * ASCENT,
        escape(&provenance)
    );
    legend(&mut out, report, PAD + TITLE_FONT + FONT + 14.0);
    axes(&mut out, &layout, report.clock_words());
    let Some((lo, hi)) = range else {
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{:.1}">no successful runs to plot</text>"#,
            layout.left + 10.0,
            layout.top + PLOT_H / 2.0
        );
        names(&mut out, report, &layout);
        out.push_str("</svg>\n");
        return out;
    };
    let y = |v: f64| layout.top + PLOT_H * (1.0 - (v.log10() - lo as f64) / (hi - lo) as f64);
    for (v, label) in &ticks {
        let gy = y(*v);
        let _ = writeln!(
            out,
            r##"<line x1="{:.1}" y1="{gy:.1}" x2="{:.1}" y2="{gy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{label}</text>"##,
            layout.left,
            layout.left + layout.plot_w,
            layout.left - 6.0,
            gy + FONT * 0.35,
        );
    }
    let k = report.contenders.len().max(1) as f64;
    for (i, p) in report.programs.iter().enumerate() {
        let first = layout.center(i) - k * BAR / 2.0;
        for (j, r) in p.results.iter().enumerate() {
            let x = first + j as f64 * BAR;
            let what = format!("{} {}", escape(&p.name), escape(&r.contender));
            match (r.status, plotted(r)) {
                (Status::Ok, Some((med, min, max))) => {
                    bar(&mut out, x, j, (y(med), y(min), y(max)), layout.base_y());
                    let _ = writeln!(
                        out,
                        "<title>{what}: {} (min {}, max {}{})</title></g>",
                        format_seconds(med),
                        format_seconds(min),
                        format_seconds(max),
                        if r.noisy { ", noisy" } else { "" }
                    );
                }
                (Status::Unavailable | Status::Ok, _) => {}
                (status, _) => {
                    let _ = writeln!(
                        out,
                        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#c00" font-weight="bold">×<title>{what}: {}</title></text>"##,
                        x + BAR / 2.0,
                        layout.base_y() - 4.0,
                        status.word()
                    );
                }
            }
        }
    }
    names(&mut out, report, &layout);
    out.push_str("</svg>\n");
    out
}

/// Median, fastest and slowest execution time of a successful result.
fn plotted(r: &TierResult) -> Option<(f64, f64, f64)> {
    let e = r.execution.as_ref().filter(|_| r.status == Status::Ok)?;
    (e.median_s > 0.0).then_some((e.median_s, e.min_s.max(e.median_s * 1e-3), e.max_s))
}

/// A decade's label without trailing zeros: `10 ms`, not `10.0 ms`.
fn decade_label(v: f64) -> String {
    format_seconds(v).replace(".00 ", " ").replace(".0 ", " ")
}

/// Sizes the canvas so every label fits.
fn layout(report: &Report, title: &str, provenance: &str, ticks: &[(f64, String)]) -> Layout {
    let k = report.contenders.len().max(1) as f64;
    let n = report.programs.len().max(1);
    let (sin, cos) = TILT.to_radians().sin_cos();
    let group = k * BAR + GROUP_GAP;
    let tick_w = ticks
        .iter()
        .map(|(_, l)| text_width(l, FONT, false))
        .fold(0.0, f64::max);
    // Room for the rotated axis title, then the tick labels.
    let mut left = PAD + FONT + 8.0 + tick_w + 6.0;
    let names: Vec<f64> = report
        .programs
        .iter()
        .map(|p| text_width(&shorten(&p.name), FONT, false))
        .collect();
    // A rotated name reaches down and to the left of its group's center.
    for (i, w) in names.iter().enumerate() {
        let reach = w * cos + FONT * ASCENT * sin - (i as f64 + 0.5) * group;
        left = left.max(PAD + reach);
    }
    let legend_w = legend_width(report);
    let width = [
        left + n as f64 * group + PAD,
        left + 240.0 + PAD,
        2.0 * PAD + text_width(title, TITLE_FONT, true),
        2.0 * PAD + text_width(provenance, FONT, false),
        2.0 * PAD + legend_w,
    ]
    .into_iter()
    .fold(0.0, f64::max)
    .ceil();
    let plot_w = width - left - PAD;
    let top = PAD + TITLE_FONT + FONT + 14.0 + FONT + 16.0;
    let longest = names.iter().copied().fold(0.0, f64::max);
    let below = 12.0 + longest * sin + FONT * DESCENT * cos + 10.0 + FONT + PAD;
    Layout {
        axis_title_x: left - 6.0 - tick_w - 8.0 - FONT * DESCENT,
        width,
        height: (top + PLOT_H + below).ceil(),
        left,
        top,
        plot_w,
        group: plot_w / n as f64,
    }
}

/// The axis lines and their titles.
fn axes(out: &mut String, l: &Layout, clock: &str) {
    let base = l.base_y();
    let right = l.left + l.plot_w;
    let _ = writeln!(
        out,
        r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{base:.1}" stroke="#333"/><line x1="{:.1}" y1="{base:.1}" x2="{right:.1}" y2="{base:.1}" stroke="#333"/>"##,
        l.left, l.top, l.left, l.left
    );
    let (tx, ty) = (l.axis_title_x, l.top + PLOT_H / 2.0);
    let _ = writeln!(
        out,
        r#"<text x="{tx:.1}" y="{ty:.1}" text-anchor="middle" transform="rotate(-90 {tx:.1} {ty:.1})">execution time ({clock}, log scale)</text>"#
    );
    let _ = writeln!(
        out,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">program</text>"#,
        l.left + l.plot_w / 2.0,
        l.height - PAD - FONT * DESCENT
    );
}

/// A bar from the axis to the median, and its whisker from the fastest to
/// the slowest run; the `<g>` is closed by the caller after its title.
fn bar(out: &mut String, x: f64, j: usize, (med, min, max): (f64, f64, f64), base: f64) {
    let color = PALETTE[j % PALETTE.len()];
    let cx = x + BAR / 2.0;
    let cap = BAR * 0.3;
    let _ = write!(
        out,
        r##"<g><rect x="{x:.1}" y="{med:.1}" width="{:.1}" height="{:.1}" fill="{color}"/><path d="M{cx:.1} {max:.1}V{min:.1}M{:.1} {max:.1}H{:.1}M{:.1} {min:.1}H{:.1}" stroke="#222" fill="none"/>"##,
        BAR - 1.0,
        (base - med).max(0.5),
        cx - cap,
        cx + cap,
        cx - cap,
        cx + cap,
    );
}

/// The program names under their groups, rotated.
fn names(out: &mut String, report: &Report, l: &Layout) {
    for (i, p) in report.programs.iter().enumerate() {
        let (lx, ly) = (l.center(i), l.base_y() + 12.0);
        let _ = writeln!(
            out,
            r#"<text x="{lx:.1}" y="{ly:.1}" text-anchor="end" transform="rotate(-{TILT} {lx:.1} {ly:.1})">{}<title>{}</title></text>"#,
            escape(&shorten(&p.name)),
            escape(&p.name)
        );
    }
}

/// A program name of at most [`NAME_CHARS`] characters: long ones keep
/// their end, which tells programs of one folder apart.
fn shorten(name: &str) -> String {
    let n = name.chars().count();
    if n <= NAME_CHARS {
        return name.to_string();
    }
    let tail: String = name.chars().skip(n - (NAME_CHARS - 1)).collect();
    format!("…{tail}")
}

/// Width of the legend row.
fn legend_width(report: &Report) -> f64 {
    report
        .contenders
        .iter()
        .map(|label| 14.0 + text_width(label, FONT, false) + 12.0)
        .sum()
}

/// A colored square and the label per contender, in one row.
fn legend(out: &mut String, report: &Report, y: f64) {
    let mut x = PAD;
    for (j, label) in report.contenders.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{y:.1}">{}</text>"#,
            y - 9.0,
            PALETTE[j % PALETTE.len()],
            x + 14.0,
            escape(label)
        );
        x += 14.0 + text_width(label, FONT, false) + 12.0;
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
        assert_eq!(decade_label(0.01), "10 ms");
        assert_eq!(decade_label(1e-3), "1 ms");
        let long = "folder/".to_string() + &"x".repeat(40) + "end";
        let short = shorten(&long);
        assert!(short.starts_with('…') && short.ends_with("xend"));
        assert_eq!(short.chars().count(), NAME_CHARS);
        assert_eq!(shorten("bench/awib"), "bench/awib");
    }
}
