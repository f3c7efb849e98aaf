//! The passes view: every pass in pipeline order with its time, its op
//! count before and after, and the IR it left (or, with `--diff`, a unified
//! diff against the IR it received), in the manner of `-print-after-all`.

use super::diff::unified;
use super::options::Options;
use ir_passes::ir::Program;
use ir_passes::pipeline::{Optimized, MAX_ROUNDS};
use ir_passes::print::{print_with, PrintOptions};
use serde::Serialize;
use std::fmt::Write;

/// The passes view.
#[derive(Serialize)]
pub struct PassesView {
    /// The parsed program's IR, where the first pass starts.
    pub parsed: String,
    /// Ops in the parsed program.
    pub parsed_ops: usize,
    /// One entry per pass run, in order.
    pub steps: Vec<PassStep>,
    /// True when `-O2` stopped at its round cap still changing the program
    /// (absent from JSON otherwise).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub capped: bool,
}

/// One pass run.
#[derive(Serialize)]
pub struct PassStep {
    /// The pass name.
    pub pass: &'static str,
    /// Which repetition of the pass list (`-O2` repeats it to a fixed point).
    pub round: u32,
    /// Ops before the pass (nested ones included).
    pub ops_before: usize,
    /// Ops after it.
    pub ops_after: usize,
    /// Whether the pass changed the program at all.
    pub changed: bool,
    /// Wall time in milliseconds (`null` with `--no-times`).
    pub time_ms: Option<f64>,
    /// The IR after the pass (without `--diff`, when it changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ir: Option<String>,
    /// The unified diff of the printed IR (with `--diff`, when it changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// How the passes view prints IR: plain, or with positions and source text.
fn print_options(options: &Options) -> PrintOptions {
    PrintOptions {
        spans: options.source,
        source: options.source,
    }
}

/// Builds the view from the parsed program and the pipeline's snapshots
/// (which must have been kept).
pub fn build(parsed: &Program, optimized: &Optimized, options: &Options) -> PassesView {
    let print = |p: &Program| print_with(p, print_options(options));
    let first = print(parsed);
    let mut previous = first.clone();
    let mut steps = Vec::new();
    for snap in &optimized.snapshots {
        let text = snap.program.as_ref().map(print).unwrap_or_default();
        let (ir, diff) = match (snap.changed, options.diff) {
            (false, _) => (None, None),
            (true, false) => (Some(text.clone()), None),
            (true, true) => {
                let before = format!("before {} (round {})", snap.pass, snap.round);
                let after = format!("after {} (round {})", snap.pass, snap.round);
                (None, Some(unified(&previous, &text, &before, &after)))
            }
        };
        steps.push(PassStep {
            pass: snap.pass,
            round: snap.round,
            ops_before: snap.ops_before,
            ops_after: snap.ops_after,
            changed: snap.changed,
            time_ms: options.times.then_some(snap.time.as_secs_f64() * 1000.0),
            ir,
            diff,
        });
        if snap.changed {
            previous = text;
        }
    }
    PassesView {
        parsed: first,
        parsed_ops: parsed.op_count(),
        steps,
        capped: optimized.capped,
    }
}

impl PassesView {
    /// The view as text.
    pub fn text(&self, _options: &Options) -> String {
        let mut out = String::new();
        let last = self.steps.last().map_or(self.parsed_ops, |s| s.ops_after);
        let _ = writeln!(
            out,
            "== passes: {} run, {} → {} ops",
            self.steps.len(),
            self.parsed_ops,
            last
        );
        if self.steps.is_empty() {
            out.push_str(
                "(the pipeline is empty: -O0, or the simple tier, which runs no passes)\n",
            );
        }
        let _ = writeln!(out, "-- parsed: {} ops", self.parsed_ops);
        out.push_str(&self.parsed);
        let mut k = 0;
        while k < self.steps.len() {
            let s = &self.steps[k];
            if !s.changed {
                // Runs of passes that changed nothing share one line.
                let run: Vec<&str> = self.steps[k..]
                    .iter()
                    .take_while(|t| !t.changed && t.round == s.round)
                    .map(|t| t.pass)
                    .collect();
                let _ = writeln!(out, "-- no change (round {}): {}", s.round, run.join(", "));
                k += run.len();
                continue;
            }
            let _ = write!(
                out,
                "-- {} (round {}): {} → {} ops",
                s.pass, s.round, s.ops_before, s.ops_after
            );
            if let Some(ms) = s.time_ms {
                let _ = write!(out, ", {ms:.3} ms");
            }
            out.push('\n');
            if let Some(text) = s.ir.as_ref().or(s.diff.as_ref()) {
                out.push_str(text);
            }
            k += 1;
        }
        if self.capped {
            let _ = writeln!(
                out,
                "-- stopped after {MAX_ROUNDS} rounds, the last still changing the program"
            );
        }
        out
    }
}
