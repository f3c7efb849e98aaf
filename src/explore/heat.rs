//! Source heat from the counting interpreter's profile (inspect's profile
//! view, every executed loop): each loop's *self* instructions (nested
//! loops left out) are spread evenly over the BF commands of its body that
//! no nested loop owns, and summed per source line. Code outside every loop
//! runs once per command and counts one a command.

use crate::inspect::profile::ProfileView;
use serde::Serialize;

/// The profile as the page shows it.
#[derive(Serialize)]
pub struct Heat {
    /// Instructions executed (of the part of the run the budget allowed).
    pub executed: u64,
    /// `finished`, or why the run stopped.
    pub outcome: String,
    /// Whether the step budget stopped the run (the shares are then those of
    /// the part that ran).
    pub budget_hit: bool,
    /// The step budget (loop back edges).
    pub budget: u64,
    /// Estimated instructions executed on each source line (line 1 first).
    pub lines: Vec<f64>,
    /// Executed loops, hottest (by self share) first.
    pub loops: Vec<Loop>,
}

/// One executed loop.
#[derive(Serialize)]
pub struct Loop {
    /// Its source bytes, `[` to `]` inclusive.
    pub start: u32,
    /// One past its `]`.
    pub end: u32,
    /// Line of its `[` (1-based).
    pub line: u32,
    /// Its BF source, shortened.
    pub source: String,
    /// Times its body ran.
    pub iterations: u64,
    /// Share of executed instructions in it, nested loops excluded (0..=1).
    pub self_share: f64,
    /// Share with nested loops included.
    pub share: f64,
}

impl Heat {
    /// No profile: every line cold, and `outcome` saying why.
    pub fn none(source: &[u8], budget: u64, outcome: String) -> Heat {
        Heat {
            executed: 0,
            outcome,
            budget_hit: false,
            budget,
            lines: vec![0.0; source.iter().filter(|&&b| b == b'\n').count() + 1],
            loops: Vec::new(),
        }
    }
}

/// Spreads the profile over the lines of `source`.
pub fn build(view: &ProfileView, source: &[u8], budget: u64, budget_hit: bool) -> Heat {
    let mut loops: Vec<&crate::inspect::profile::HotLoop> = view.hottest.iter().collect();
    // Outer loops before the loops they contain: by start, longest first.
    loops.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then(b.span.end.cmp(&a.span.end))
    });
    let is_command = |b: u8| b"+-<>.,[]".contains(&b);
    // Commands each loop owns (not inside a nested executed loop), then the
    // instructions each such command stands for.
    let owners = owner_of_each_byte(&loops, source.len());
    let mut owned = vec![0u64; loops.len()];
    for (pos, &b) in source.iter().enumerate() {
        if let (true, Some(o)) = (is_command(b), owners[pos]) {
            owned[o as usize] += 1;
        }
    }
    let mut lines = vec![0.0f64; source.iter().filter(|&&b| b == b'\n').count() + 1];
    let mut line = 0;
    for (pos, &b) in source.iter().enumerate() {
        if b == b'\n' {
            line += 1;
            continue;
        }
        if !is_command(b) {
            continue;
        }
        lines[line] += match owners[pos] {
            Some(o) => loops[o as usize].self_ops as f64 / owned[o as usize].max(1) as f64,
            None => 1.0,
        };
    }
    let mut out: Vec<Loop> = loops
        .iter()
        .map(|l| Loop {
            start: l.span.start,
            end: l.span.end,
            line: l.at.line,
            source: l.source.clone(),
            iterations: l.iterations,
            self_share: l.self_share,
            share: l.share,
        })
        .collect();
    out.sort_by(|a, b| {
        b.self_share
            .total_cmp(&a.self_share)
            .then(a.start.cmp(&b.start))
    });
    Heat {
        executed: view.executed,
        outcome: view.outcome.clone(),
        budget_hit,
        budget,
        lines,
        loops: out,
    }
}

/// The innermost loop (index into `loops`, sorted outer first) covering
/// each byte, in one sweep with a stack of open loops.
fn owner_of_each_byte(loops: &[&crate::inspect::profile::HotLoop], len: usize) -> Vec<Option<u32>> {
    let mut owners = vec![None; len];
    let mut open: Vec<usize> = Vec::new();
    let mut next = 0;
    for (pos, owner) in owners.iter_mut().enumerate() {
        while open
            .last()
            .is_some_and(|&o| loops[o].span.end as usize <= pos)
        {
            open.pop();
        }
        while next < loops.len() && loops[next].span.start as usize <= pos {
            open.push(next);
            next += 1;
            while open.len() > 1 && loops[open[open.len() - 1]].span.end as usize <= pos {
                open.pop();
            }
        }
        *owner = open.last().map(|&o| o as u32);
    }
    owners
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::profile::HotLoop;
    use ir_passes::span::{LineCol, Span};

    fn hot(start: u32, end: u32, self_ops: u64, ops: u64) -> HotLoop {
        HotLoop {
            at: LineCol {
                line: 1,
                col: start + 1,
            },
            span: Span::new(start, end),
            source: String::new(),
            entries: 1,
            iterations: 1,
            ops,
            self_ops,
            self_share: self_ops as f64 / 100.0,
            share: ops as f64 / 100.0,
            auto: false,
        }
    }

    #[test]
    fn self_instructions_land_on_the_lines_of_the_commands_that_own_them() {
        // Line 1: `+[` ; line 2: `->[-]` with the inner loop on it; line 3: `<]`.
        let source = b"+[\n->[-]\n<]";
        let outer = hot(1, 11, 30, 90);
        let inner = hot(5, 8, 60, 60);
        let view = ProfileView {
            executed: 91,
            guards: 0,
            outcome: "finished".into(),
            loops: 2,
            hottest: vec![inner, outer],
        };
        let heat = build(&view, source, 1000, false);
        // The outer loop owns `[`, `-`, `>`, `<`, `]`: 6 a command.
        assert_eq!(heat.lines, vec![1.0 + 6.0, 6.0 + 6.0 + 60.0, 6.0 + 6.0]);
        assert_eq!(heat.loops[0].start, 5, "the inner loop is hottest");
    }
}
