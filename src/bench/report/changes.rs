//! The change against an earlier run (`--compare`), as a terminal table
//! (faster in green, slower in red, within the noise plain) and as markdown.

use super::table::{plain_table, styled_lines, GREEN, RED};
use super::{format_seconds, three_digits};
use crate::bench::compare::{Change, Comparison, Verdict};
use std::fmt::Write;

/// `-12.3%`, `+4.56%`: the sign always shown.
pub fn format_change(pct: f64) -> String {
    let sign = if pct >= 0.0 { "+" } else { "-" };
    format!("{sign}{}%", three_digits(pct.abs()))
}

fn verdict(c: &Change) -> String {
    match c.verdict {
        Verdict::Faster => "faster".into(),
        Verdict::Slower => "slower".into(),
        Verdict::WithinNoise => "within noise".into(),
    }
}

fn caption(cmp: &Comparison) -> String {
    let rev = cmp.against_revision.as_deref().map_or(String::new(), |r| {
        format!(" (bfjit {})", r.get(..12).unwrap_or(r))
    });
    format!(
        "Change of the median execution time against {}{rev}; flagged when larger than \
         the noise band (twice the two runs' std dev / mean combined, at least 2%).",
        cmp.against
    )
}

/// The comparison as a terminal table with ANSI styles.
pub fn render(cmp: &Comparison) -> String {
    let mut out = format!("{}\n", caption(cmp));
    if cmp.changes.is_empty() {
        out.push_str("No program and contender succeeded in both runs.\n");
        return out;
    }
    let header = [
        "program", "tier", "before", "now", "change", "noise", "verdict",
    ];
    let mut table = plain_table(header.map(String::from).to_vec(), 2);
    for c in &cmp.changes {
        table.add_row(vec![
            c.program.clone(),
            c.contender.clone(),
            format_seconds(c.old_median_s),
            format_seconds(c.new_median_s),
            format_change(c.change_pct),
            format!("±{}%", three_digits(c.noise_pct)),
            verdict(c),
        ]);
    }
    out.push_str(&styled_lines(&table, |i| {
        match cmp.changes.get(i)?.verdict {
            Verdict::Faster => Some(GREEN),
            Verdict::Slower => Some(RED),
            Verdict::WithinNoise => None,
        }
    }));
    out
}

/// The comparison as a markdown table.
pub fn markdown(cmp: &Comparison) -> String {
    let mut out = format!("{}\n\n", caption(cmp));
    out.push_str("| program | tier | before | now | change | noise | verdict |\n");
    out.push_str("| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
    for c in &cmp.changes {
        let flag = if c.verdict == Verdict::WithinNoise {
            ""
        } else {
            "**"
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {flag}{}{flag} | ±{}% | {} |",
            c.program.replace('|', "\\|"),
            c.contender,
            format_seconds(c.old_median_s),
            format_seconds(c.new_median_s),
            format_change(c.change_pct),
            three_digits(c.noise_pct),
            verdict(c)
        );
    }
    out
}
