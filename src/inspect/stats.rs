//! The stats view: how many ops of each kind the program has after parsing
//! and after every pass, so one can see which pass turns what into what.

use super::preorder::preorder;
use ir_passes::ir::Program;
use ir_passes::pipeline::Optimized;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The op kinds, in the order the table shows them.
pub const KINDS: [&str; 9] = [
    "add", "move", "out", "in", "loop", "set", "muladd", "scan", "if",
];

/// The stats view.
#[derive(Serialize)]
pub struct StatsView {
    /// One row for the parsed program, then one per pass run.
    pub rows: Vec<StatsRow>,
}

/// Op counts at one point of the pipeline.
#[derive(Serialize)]
pub struct StatsRow {
    /// `parsed`, or the pass that just ran.
    pub after: &'static str,
    /// The pipeline round (0 for the parsed program).
    pub round: u32,
    /// Ops by kind (kinds with none left out).
    pub ops: BTreeMap<&'static str, usize>,
    /// All ops.
    pub total: usize,
    /// Whether the pass changed the program (the text leaves out rows of
    /// passes that did not).
    pub changed: bool,
}

/// Counts ops by kind.
pub fn count_kinds(program: &Program) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for node in preorder(&program.body) {
        *counts.entry(node.op.kind()).or_insert(0) += 1;
    }
    counts
}

fn row(after: &'static str, round: u32, program: &Program, changed: bool) -> StatsRow {
    let ops = count_kinds(program);
    StatsRow {
        after,
        round,
        total: ops.values().sum(),
        ops,
        changed,
    }
}

/// Builds the view from the parsed program and the kept snapshots.
pub fn build(parsed: &Program, optimized: &Optimized) -> StatsView {
    let mut rows = vec![row("parsed", 0, parsed, true)];
    for snap in &optimized.snapshots {
        if let Some(p) = &snap.program {
            rows.push(row(snap.pass, snap.round, p, snap.changed));
        }
    }
    StatsView { rows }
}

impl StatsView {
    /// The view as text: a table, one row per pipeline step.
    pub fn text(&self) -> String {
        let mut out = String::new();
        out.push_str("== stats: ops by kind after each pass\n");
        let _ = write!(out, "{:<14} {:>5}", "after", "round");
        for k in KINDS {
            let _ = write!(out, " {k:>7}");
        }
        let _ = writeln!(out, " {:>7}", "total");
        for r in self.rows.iter().filter(|r| r.changed) {
            let round = if r.round == 0 {
                "-".to_string()
            } else {
                r.round.to_string()
            };
            let _ = write!(out, "{:<14} {round:>5}", r.after);
            for k in KINDS {
                let _ = write!(out, " {:>7}", r.ops.get(k).copied().unwrap_or(0));
            }
            let _ = writeln!(out, " {:>7}", r.total);
        }
        let unchanged = self.rows.iter().filter(|r| !r.changed).count();
        if unchanged > 0 {
            let _ = writeln!(
                out,
                "({unchanged} pass runs that changed nothing not shown)"
            );
        }
        out
    }
}
