//! The terminal table (comfy-table): one row per program and contender with
//! every phase, the execution time's mean ± std dev and range, peak memory
//! and the speed-up; under it, compile throughput (source KB per ms) per
//! phase, and what went wrong. Failed rows
//! are red; the text carries ANSI styles, which `anstream` strips where
//! colors are not wanted (`NO_COLOR`, not a terminal).

use super::{
    compile_median_s, format_bytes, format_seconds, format_speedup, kb_per_ms, median_s,
    three_digits, Report, Stats, Status, TierResult,
};
use anstyle::{AnsiColor, Style};
use comfy_table::{CellAlignment, Table};
use std::fmt::Write;

/// Failures.
pub const RED: Style = AnsiColor::Red.on_default();
/// The verdict line when something failed.
pub const BOLD_RED: Style = AnsiColor::Red.on_default().bold();
/// Improvements, in the comparison.
pub const GREEN: Style = AnsiColor::Green.on_default();

/// A table without borders and a rule under the header; the first column
/// flush left.
pub fn plain_table(header: Vec<String>, right_from: usize) -> Table {
    let mut t = Table::new();
    t.load_preset("     ──            ").set_header(header);
    for (i, column) in t.column_iter_mut().enumerate() {
        if i >= right_from {
            column.set_cell_alignment(CellAlignment::Right);
        }
        if i == 0 {
            column.set_padding((0, 1));
        }
    }
    t
}

/// The table's lines, those `styled(row)` picks wrapped in its style.
pub fn styled_lines(table: &Table, style: impl Fn(usize) -> Option<Style>) -> String {
    let mut out = String::new();
    for (i, line) in table.lines().enumerate() {
        // Two header lines (names and rule), then one line per row.
        let line = line.trim_end();
        match i.checked_sub(2).and_then(&style) {
            Some(s) => {
                let _ = writeln!(out, "{s}{line}{s:#}");
            }
            None => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

/// Renders the report with ANSI styles (see the module documentation).
pub fn render(report: &Report) -> String {
    let header = [
        "program",
        "tier",
        "parse",
        "passes",
        "codegen",
        "execution",
        "mean ± σ",
        "min – max",
        "peak mem",
        "1st byte",
    ]
    .map(String::from)
    .into_iter()
    .chain([format!("vs {}", report.baseline)])
    .collect();
    let mut table = plain_table(header, 2);
    let mut failed = Vec::new();
    let mut notes = Vec::new();
    for program in &report.programs {
        for (i, r) in program.results.iter().enumerate() {
            let name = if i == 0 { program.name.as_str() } else { "" };
            failed.push(r.status.is_failure());
            table.add_row(row(name, r));
            if r.status != Status::Ok {
                notes.push(format!(
                    "{} {}: {}: {}",
                    program.name,
                    r.contender,
                    r.status.word(),
                    r.message.as_deref().unwrap_or("")
                ));
            }
        }
    }
    let mut out = styled_lines(&table, |i| {
        failed.get(i).copied().unwrap_or(false).then_some(RED)
    });
    out.push('\n');
    out.push_str(&throughput(report));
    for note in notes {
        let _ = writeln!(out, "{note}");
    }
    let _ = writeln!(
        out,
        "Times ({}): median of {} run(s) after {} warm-up run(s); mean ± sample std dev (σ) \
         and min – max of the execution times.",
        report.clock_words(),
        report.runs,
        report.warmup
    );
    let _ = writeln!(
        out,
        "1st byte: median time from the start (parse, or a process's spawn) to the first \
         output byte (in-process: the first line or prompt; a process: the first byte on its pipe)."
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
    if let Some(note) = report.noise_note() {
        let _ = writeln!(out, "{note}");
    }
    let _ = writeln!(out, "Measured with {}.", report.provenance());
    let verdict = format!(
        "{} program(s) × {} contender(s): {} failure(s), {:.1}s in all.",
        report.programs.len(),
        report.contenders.len(),
        report.failures,
        report.elapsed_s
    );
    if report.failures > 0 {
        let _ = writeln!(out, "{BOLD_RED}{verdict}{BOLD_RED:#}");
    } else {
        let _ = writeln!(out, "{verdict}");
    }
    out
}

/// The compile throughput of every successful result, per phase: how many
/// KB of source each phase gets through per millisecond (medians), which
/// stays about flat as programs grow when compiling is linear.
fn throughput(report: &Report) -> String {
    let header = [
        "program", "size", "tier", "parse", "passes", "codegen", "compile",
    ]
    .map(String::from)
    .to_vec();
    let mut table = plain_table(header, 1);
    let mut rows = 0;
    for p in &report.programs {
        let mut first = true;
        for r in p.results.iter().filter(|r| r.status == Status::Ok) {
            let rate =
                |s: Option<f64>| kb_per_ms(p.source_bytes, s).map_or("-".into(), three_digits);
            let (name, size) = match first {
                true => (
                    p.name.clone(),
                    p.source_bytes.map_or("-".into(), format_bytes),
                ),
                false => (String::new(), String::new()),
            };
            first = false;
            table.add_row(vec![
                name,
                size,
                r.contender.clone(),
                rate(median_s(&r.parse)),
                rate(median_s(&r.passes)),
                rate(median_s(&r.codegen)),
                rate(compile_median_s(r)),
            ]);
            rows += 1;
        }
    }
    if rows == 0 {
        return String::new();
    }
    let mut out = String::from("Compile throughput, KB of source per ms (medians):\n");
    out.push_str(&styled_lines(&table, |_| None));
    out.push('\n');
    out
}

/// The cells of one row; a failure shows its status in place of the time.
fn row(name: &str, r: &TierResult) -> Vec<String> {
    let secs = |s: &Option<Stats>| {
        s.as_ref()
            .map_or("-".into(), |s| format_seconds(s.median_s))
    };
    let mut cells = vec![name.to_string(), r.contender.clone()];
    if r.status != Status::Ok {
        cells.extend(["", "", ""].map(String::from));
        cells.push(r.status.word().to_string());
        return cells;
    }
    let e = r.execution.as_ref();
    cells.extend([
        secs(&r.parse),
        secs(&r.passes),
        secs(&r.codegen),
        // `~` marks a result too noisy to trust (see the note).
        format!("{}{}", if r.noisy { "~" } else { "" }, secs(&r.execution)),
        e.map_or("-".into(), |e| match e.stddev_s {
            Some(sd) => format!("{} ± {}", format_seconds(e.mean_s), format_seconds(sd)),
            None => format_seconds(e.mean_s),
        }),
        e.map_or("-".into(), |e| {
            format!("{} – {}", format_seconds(e.min_s), format_seconds(e.max_s))
        }),
        r.peak_memory_bytes.map_or("-".into(), format_bytes),
        secs(&r.first_byte),
        r.speedup.map_or("-".into(), format_speedup),
    ]);
    cells
}
