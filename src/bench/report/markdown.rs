//! The README table: one row per program, one column per contender, each
//! cell the median execution time with the speed-up over the baseline, then
//! a second table with the compile time (parse + passes + codegen, or an
//! external contender's build command), a third with that as throughput
//! (source KB per ms), the noise note, and the change against an earlier
//! run when there is one.

use super::{
    changes, compile_median_s, format_seconds, format_speedup, kb_per_ms, three_digits,
    ProgramReport, Report, Status, TierResult,
};
use std::fmt::Write;

/// Renders the report as GitHub-flavored markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Execution time ({}), median of {} run(s) (speed-up over `{}` in parentheses); \
         {}; `c` is the same IR as C, compiled with `cc -O2`.\n",
        report.clock_words(),
        report.runs,
        report.baseline,
        report.provenance()
    );
    table(&mut out, report, |_, r| {
        let e = r.execution.as_ref()?;
        // Escaped: GitHub reads `~` pairs as strikethrough.
        let noisy = if r.noisy { "\\~" } else { "" };
        Some(match r.speedup {
            Some(x) => format!(
                "{noisy}{} ({})",
                format_seconds(e.median_s),
                format_speedup(x)
            ),
            None => format!("{noisy}{}", format_seconds(e.median_s)),
        })
    });
    let _ = writeln!(
        out,
        "\nCompile time before execution (parse + passes + codegen, or the build \
         command; medians):\n"
    );
    table(&mut out, report, |_, r| {
        compile_median_s(r).map(format_seconds)
    });
    let _ = writeln!(
        out,
        "\nCompile throughput (KB of source per ms of that compile time):\n"
    );
    table(&mut out, report, |p, r| {
        kb_per_ms(p.source_bytes, compile_median_s(r)).map(three_digits)
    });
    let _ = writeln!(
        out,
        "\nTotal time, and time to the first output byte (from the start of parsing, or a \
         process's spawn, to the first line or prompt in-process, the first byte on the pipe \
         for a process; medians):\n"
    );
    table(&mut out, report, |_, r| {
        let total = r.total.as_ref()?;
        Some(match &r.first_byte {
            Some(f) => format!(
                "{} ({})",
                format_seconds(total.median_s),
                format_seconds(f.median_s)
            ),
            None => format_seconds(total.median_s),
        })
    });
    if let Some(note) = report.noise_note() {
        let _ = writeln!(out, "\n{note}");
    }
    if report.failures > 0 {
        let _ = writeln!(out, "\n**{} failure(s).**", report.failures);
    }
    if let Some(cmp) = &report.comparison {
        let _ = write!(out, "\n{}", changes::markdown(cmp));
    }
    out
}

fn table(
    out: &mut String,
    report: &Report,
    cell: impl Fn(&ProgramReport, &TierResult) -> Option<String>,
) {
    let _ = writeln!(out, "| program | {} |", report.contenders.join(" | "));
    let _ = writeln!(out, "| --- |{}", " ---: |".repeat(report.contenders.len()));
    for p in &report.programs {
        let cells: Vec<String> = p
            .results
            .iter()
            .map(|r| match r.status {
                Status::Ok => cell(p, r).unwrap_or_else(|| "–".into()),
                Status::Unavailable => "n/a".into(),
                s => format!("**{}**", s.word()),
            })
            .collect();
        let _ = writeln!(out, "| {} | {} |", escape(&p.name), cells.join(" | "));
    }
}

/// Keeps a program name from breaking the table.
fn escape(s: &str) -> String {
    s.replace('|', "\\|")
}
