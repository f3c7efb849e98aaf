//! The terminal table: one row per program and contender with every phase,
//! the execution spread, peak memory and the speed-up; failures in red when
//! the output is a terminal.

use super::{format_bytes, format_seconds, format_speedup, Report, Status, TierResult};
use std::fmt::Write;

const RED: &str = "\x1b[31m";
const BOLD_RED: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// Renders the report; `color` adds ANSI colors for failures.
pub fn render(report: &Report, color: bool) -> String {
    let header = [
        "program",
        "tier",
        "parse",
        "passes",
        "codegen",
        "execution",
        "min – max",
        "peak mem",
        &format!("vs {}", report.baseline),
    ];
    let mut rows: Vec<(Vec<String>, Option<String>)> = Vec::new();
    for program in &report.programs {
        for (i, r) in program.results.iter().enumerate() {
            let name = if i == 0 {
                program.name.clone()
            } else {
                String::new()
            };
            rows.push(row(name, r));
        }
    }
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for (cells, _) in &rows {
        for (w, c) in widths.iter_mut().zip(cells) {
            *w = (*w).max(width(c));
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    line(&mut out, &header, &widths);
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    line(&mut out, &rule, &widths);
    for (cells, failure) in &rows {
        match failure {
            None => line(&mut out, cells, &widths),
            Some(text) => {
                // A failed row keeps the program and tier columns and then
                // says what went wrong in place of the figures.
                let lead = format!(
                    "{:<w0$}  {:<w1$}  ",
                    cells[0],
                    cells[1],
                    w0 = widths[0],
                    w1 = widths[1]
                );
                let (on, off) = if color { (RED, RESET) } else { ("", "") };
                let _ = writeln!(out, "{lead}{on}{text}{off}");
            }
        }
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "Times ({}): median of {} run(s) after {} warm-up run(s); execution spread as min – max.",
        report.clock_words(),
        report.runs,
        report.warmup
    );
    let _ = writeln!(
        out,
        "Speed-up: {} execution median / execution median. Peak mem: {}.",
        report.baseline,
        match report.memory_method {
            "hwm-delta" => "largest growth of the resident set during a run, all phases",
            _ => "not measurable here",
        }
    );
    let _ = writeln!(out, "Measured with {}.", report.provenance());
    let verdict = format!(
        "{} program(s) × {} contender(s): {} failure(s), {:.1}s in all.",
        report.programs.len(),
        report.contenders.len(),
        report.failures,
        report.elapsed_s
    );
    if report.failures > 0 && color {
        let _ = writeln!(out, "{BOLD_RED}{verdict}{RESET}");
    } else {
        let _ = writeln!(out, "{verdict}");
    }
    out
}

/// The cells of one row, or the program and tier plus a failure text.
fn row(name: String, r: &TierResult) -> (Vec<String>, Option<String>) {
    let secs = |s: Option<super::Stats>| s.map_or("-".into(), |s| format_seconds(s.median_s));
    let mut cells = vec![name, r.contender.clone()];
    if r.status != Status::Ok {
        let text = format!(
            "{}: {}",
            r.status.word(),
            r.message.as_deref().unwrap_or("")
        );
        return (cells, Some(text));
    }
    cells.extend([
        secs(r.parse),
        secs(r.passes),
        secs(r.codegen),
        secs(r.execution),
        r.execution.map_or("-".into(), |e| {
            format!("{} – {}", format_seconds(e.min_s), format_seconds(e.max_s))
        }),
        r.peak_memory_bytes.map_or("-".into(), format_bytes),
        r.speedup.map_or("-".into(), format_speedup),
    ]);
    (cells, None)
}

/// Display width: characters, since `µ`, `×` and `–` are one column each.
fn width(s: &str) -> usize {
    s.chars().count()
}

/// Two columns left-aligned (names), the rest right-aligned (numbers).
fn line(out: &mut String, cells: &[String], widths: &[usize]) {
    let mut text = String::new();
    for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
        let pad = " ".repeat(w.saturating_sub(width(c)));
        if i > 0 {
            text.push_str("  ");
        }
        if i < 2 {
            text.push_str(c);
            text.push_str(&pad);
        } else {
            text.push_str(&pad);
            text.push_str(c);
        }
    }
    out.push_str(text.trim_end());
    out.push('\n');
}
