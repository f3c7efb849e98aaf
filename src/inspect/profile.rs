//! The profile part of the stats view (`--profile`): the program runs on the
//! counting interpreter, and its loops are ranked by the share of executed
//! instructions spent in them.
//!
//! A loop is a `JumpIfZero` at its head whose target follows the
//! `JumpIfNonZero` back edge at its tail; everything between is the loop, so
//! its inclusive cost is a range sum of the counts. The tail runs once per
//! iteration. "Self" cost leaves out nested loops, which is what ranks
//! inner loops above the outer loops that merely contain them.

use super::format::grouped;
use crate::counting::{self, CountedRun};
use crate::harness::Target;
use ir_passes::bytecode::Instr;
use ir_passes::error::RunError;
use ir_passes::ir::Program;
use ir_passes::print::source_excerpt;
use ir_passes::span::{LineCol, Span};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{Read, Write};

/// The program run of `--profile`: its conventions and its stdin/stdout.
pub struct ProfileRun<'a> {
    /// Tape size, EOF rule, time limit.
    pub target: Target,
    /// The program's input.
    pub input: &'a mut dyn Read,
    /// Where the program's output goes.
    pub output: &'a mut dyn Write,
}

/// The profile view.
#[derive(Serialize)]
pub struct ProfileView {
    /// Bytecode instructions executed, guards included.
    pub executed: u64,
    /// Guard checks among them.
    pub guards: u64,
    /// How the run ended: `finished`, or the error.
    pub outcome: String,
    /// How many loops the program has (executed or not).
    pub loops: usize,
    /// The hottest loops, by self share.
    pub hottest: Vec<HotLoop>,
}

/// One loop's profile.
#[derive(Serialize)]
pub struct HotLoop {
    /// Where its `[` is.
    pub at: LineCol,
    /// Its source bytes.
    pub span: Span,
    /// Its BF source (shortened).
    pub source: String,
    /// Times the loop was reached.
    pub entries: u64,
    /// Times its body ran.
    pub iterations: u64,
    /// Instructions executed inside it, nested loops included.
    pub ops: u64,
    /// Instructions executed inside it, nested loops excluded.
    pub self_ops: u64,
    /// `self_ops` as a share of all executed instructions (0..=1).
    pub self_share: f64,
    /// `ops` as a share of all executed instructions (0..=1).
    pub share: f64,
    /// Whether `--tier auto` would compile it at its default threshold, as
    /// far as these counts tell (see [`auto_marks`]).
    pub auto: bool,
}

/// Runs the program and builds the view; `top` bounds the loops listed.
pub fn build(program: &Program, run: ProfileRun<'_>, top: usize) -> Result<ProfileView, String> {
    let profile = counting::run(program, &run.target, run.input, run.output)?;
    let outcome = match &profile.outcome.result {
        Ok(()) => "finished".to_string(),
        Err(e @ RunError::OffTape { .. }) => format!("stopped: {}", e.describe(&program.source)),
        Err(RunError::Timeout) => "stopped: time limit reached".to_string(),
        Err(e) => format!("stopped: {e}"),
    };
    let mut loops = loops(&profile, program);
    let count = loops.len();
    loops.sort_by(|a, b| b.self_ops.cmp(&a.self_ops).then(a.span.cmp(&b.span)));
    loops.retain(|l| l.entries > 0);
    loops.truncate(top);
    Ok(ProfileView {
        executed: profile.total(),
        guards: profile.guards(),
        outcome,
        loops: count,
        hottest: loops,
    })
}

/// Every loop of the bytecode with its counts.
fn loops(profile: &CountedRun, program: &Program) -> Vec<HotLoop> {
    let instrs = &profile.bytecode.instrs;
    let counts = &profile.counts;
    let total = profile.total().max(1) as f64;
    // prefix[i]: instructions executed at indices before i.
    let mut prefix = Vec::with_capacity(counts.len() + 1);
    prefix.push(0u64);
    for &c in counts {
        prefix.push(prefix.last().copied().unwrap_or(0) + c);
    }
    let mut out: Vec<HotLoop> = Vec::new();
    let mut parents: Vec<Option<usize>> = Vec::new();
    // Open loops as (index in `out`, tail index), innermost last.
    let mut open: Vec<(usize, usize)> = Vec::new();
    for (head, instr) in instrs.iter().enumerate() {
        let Instr::JumpIfZero { target } = *instr else {
            continue;
        };
        let tail = (target as usize).wrapping_sub(1);
        let is_loop = matches!(
            instrs.get(tail),
            Some(Instr::JumpIfNonZero { target }) if *target as usize == head + 1
        );
        if !is_loop {
            continue;
        }
        while open.last().is_some_and(|&(_, t)| t < head) {
            open.pop();
        }
        let ops = prefix[tail + 1] - prefix[head];
        if let Some(&(parent, _)) = open.last() {
            out[parent].self_ops -= ops;
        }
        parents.push(open.last().map(|&(parent, _)| parent));
        let span = profile.bytecode.spans[head];
        out.push(HotLoop {
            at: program.source.line_col(span.start),
            span,
            source: source_excerpt(program.source.slice(span)),
            entries: counts[head],
            iterations: counts[tail],
            ops,
            self_ops: ops,
            self_share: 0.0,
            share: ops as f64 / total,
            auto: false,
        });
        open.push((out.len() - 1, tail));
    }
    for l in &mut out {
        l.self_share = l.self_ops as f64 / total;
    }
    auto_marks(&mut out, &parents, crate::tiered::DEFAULT_THRESHOLD);
    out
}

/// Marks the loops the auto tier would compile at `threshold`: a loop
/// whose heat reaches it — its own back edges and those of every loop
/// inside it (see `src/tiered/hooks.rs`) — and that took a back edge of its
/// own (it is requested at one). An estimate from the counts: the real run
/// compiles in the background, a loop keeps being interpreted (and counted)
/// until its code arrives, and a loop inside one whose code arrived first
/// is not compiled.
fn auto_marks(loops: &mut [HotLoop], parents: &[Option<usize>], threshold: u32) {
    let t = u64::from(threshold);
    let mut heat: Vec<u64> = loops
        .iter()
        .map(|l| l.iterations.saturating_sub(l.entries))
        .collect();
    // Children come after their parents: walk backwards so each loop's
    // heat is whole before it is added to its parent's.
    for i in (0..loops.len()).rev() {
        let own = loops[i].iterations.saturating_sub(loops[i].entries);
        loops[i].auto = own > 0 && heat[i] >= t;
        if let Some(p) = parents[i] {
            heat[p] = heat[p].saturating_add(heat[i]);
        }
    }
}

impl ProfileView {
    /// The view as text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "== profile: {} instructions executed ({} guard checks); run {}",
            grouped(self.executed),
            grouped(self.guards),
            self.outcome
        );
        let _ = writeln!(
            out,
            "hottest loops of {} (self: nested loops excluded; total: included):",
            self.loops
        );
        let _ = writeln!(
            out,
            "{:>4}  {:<10} {:>12} {:>14} {:>7} {:>7} {:>4}  source",
            "rank", "at", "entries", "iterations", "self", "total", "auto"
        );
        for (i, l) in self.hottest.iter().enumerate() {
            let _ = writeln!(
                out,
                "{:>4}  {:<10} {:>12} {:>14} {:>6.1}% {:>6.1}% {:>4}  {}",
                i + 1,
                l.at.to_string(),
                grouped(l.entries),
                grouped(l.iterations),
                l.self_share * 100.0,
                l.share * 100.0,
                if l.auto { "*" } else { "" },
                l.source
            );
        }
        let _ = writeln!(
            out,
            "auto *: --tier auto compiles the loop (estimated from these counts, threshold {})",
            crate::tiered::DEFAULT_THRESHOLD
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hot(entries: u64, iterations: u64) -> HotLoop {
        HotLoop {
            at: LineCol { line: 1, col: 1 },
            span: Span::new(0, 2),
            source: String::new(),
            entries,
            iterations,
            ops: 0,
            self_ops: 0,
            self_share: 0.0,
            share: 0.0,
            auto: false,
        }
    }

    /// A loop is marked when its heat (its own back edges and its nested
    /// loops') reaches the threshold and it took a back edge of its own.
    #[test]
    fn auto_marks_loops_whose_work_reaches_the_threshold() {
        // 0 holds 1 (entered 50 times, 200 back edges) and 2 (entered
        // 5 times, 5 back edges): heat 49 + 200 + 5; 3 is on its own,
        // entered 20 times, never iterating twice.
        let mut loops = vec![hot(1, 50), hot(50, 250), hot(5, 10), hot(20, 20)];
        let parents = [None, Some(0), Some(0), None];
        let marks = |loops: &mut [HotLoop], t| {
            auto_marks(loops, &parents, t);
            loops.iter().map(|l| l.auto).collect::<Vec<bool>>()
        };
        assert_eq!(marks(&mut loops, 100), [true, true, false, false]);
        assert_eq!(marks(&mut loops, 250), [true, false, false, false]);
        assert_eq!(marks(&mut loops, 5), [true, true, true, false]);
        assert_eq!(marks(&mut loops, 300), [false, false, false, false]);
    }
}
