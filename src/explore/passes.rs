//! The pipeline timeline: every pass with its time and op counts, and the IR
//! after each one as line references into one table of distinct lines (a
//! line that survives a pass is stored once), with the diff against the IR
//! before it as run lengths, so the page can show both without storing
//! either twice.

use crate::inspect::diff::{diff_lines, Step};
use ir_passes::ir::{Node, Program};
use ir_passes::pipeline::Optimized;
use ir_passes::print::op_text;
use serde::Serialize;
use std::collections::HashMap;

/// The timeline and the IR it shows.
#[derive(Serialize)]
pub struct Passes {
    /// Distinct IR lines: `[depth, text, span start, span end]`; a closing
    /// `}` has no span (`-1, -1`).
    pub lines: Vec<(u32, String, i64, i64)>,
    /// The parsed program (the start of the timeline).
    pub parsed: Snapshot,
    /// One entry per pass run, in order.
    pub steps: Vec<PassRun>,
}

/// The IR at one point of the pipeline.
#[derive(Serialize)]
pub struct Snapshot {
    /// Indices into [`Passes::lines`], in listing order.
    pub ir: Vec<u32>,
    /// Ops in the program (nested ones included).
    pub ops: usize,
    /// Listing lines left out because the program is too large to show.
    pub cut: usize,
}

/// One pass run of the timeline.
#[derive(Serialize)]
pub struct PassRun {
    /// The pass name.
    pub pass: &'static str,
    /// Which repetition of the pass list.
    pub round: u32,
    /// Wall time in milliseconds.
    pub ms: f64,
    /// Ops before the pass.
    pub ops_before: usize,
    /// Ops after it.
    pub ops_after: usize,
    /// Whether it changed the program.
    pub changed: bool,
    /// The IR after it (when it changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Snapshot>,
    /// The diff against the IR before it, as run lengths: `=n` lines kept,
    /// `-n` removed (from the before listing), `+n` added (from the after
    /// listing), concatenated (when it changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// Interns listing lines.
struct Table {
    lines: Vec<(u32, String, i64, i64)>,
    index: HashMap<(u32, String, i64, i64), u32>,
}

impl Table {
    fn id(&mut self, line: (u32, String, i64, i64)) -> u32 {
        if let Some(&id) = self.index.get(&line) {
            return id;
        }
        let id = self.lines.len() as u32;
        self.lines.push(line.clone());
        self.index.insert(line, id);
        id
    }
}

/// The listing of `program` as interned lines, at most `max` of them.
fn snapshot(program: &Program, table: &mut Table, max: usize) -> Snapshot {
    let mut ir = Vec::new();
    let mut total = 0usize;
    // (body, next index): an explicit stack, as the printer keeps one.
    let mut stack: Vec<(&[Node], usize)> = vec![(&program.body, 0)];
    while let Some((body, i)) = stack.pop() {
        let depth = stack.len() as u32;
        let line = match body.get(i) {
            None if depth == 0 => continue,
            None => (depth - 1, "}".to_string(), -1, -1),
            Some(node) => {
                stack.push((body, i + 1));
                if let Some(inner) = node.op.body() {
                    stack.push((inner, 0));
                }
                let text = op_text(&node.op, program.cell);
                (depth, text, node.span.start as i64, node.span.end as i64)
            }
        };
        total += 1;
        if ir.len() < max {
            ir.push(table.id(line));
        }
    }
    Snapshot {
        cut: total - ir.len(),
        ir,
        ops: program.op_count(),
    }
}

/// The run-length form of a diff between two listings.
fn diff(before: &[u32], after: &[u32]) -> String {
    let a: Vec<String> = before.iter().map(u32::to_string).collect();
    let b: Vec<String> = after.iter().map(u32::to_string).collect();
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let b: Vec<&str> = b.iter().map(String::as_str).collect();
    let mut out = String::new();
    let mut run: Option<(char, usize)> = None;
    for step in diff_lines(&a, &b) {
        let kind = match step {
            Step::Keep(..) => '=',
            Step::Delete(_) => '-',
            Step::Insert(_) => '+',
        };
        run = match run {
            Some((k, n)) if k == kind => Some((k, n + 1)),
            Some((k, n)) => {
                out.push_str(&format!("{k}{n}"));
                Some((kind, 1))
            }
            None => Some((kind, 1)),
        };
    }
    if let Some((k, n)) = run {
        out.push_str(&format!("{k}{n}"));
    }
    out
}

/// Builds the timeline from the parsed program and the pipeline's kept
/// snapshots; listings longer than `max_lines` are cut.
pub fn build(parsed: &Program, optimized: &Optimized, max_lines: usize) -> Passes {
    let mut table = Table {
        lines: Vec::new(),
        index: HashMap::new(),
    };
    let first = snapshot(parsed, &mut table, max_lines);
    let mut previous = first.ir.clone();
    let mut steps = Vec::new();
    for snap in &optimized.snapshots {
        let (after, diff) = match (&snap.program, snap.changed) {
            (Some(program), true) => {
                let after = snapshot(program, &mut table, max_lines);
                let d = diff(&previous, &after.ir);
                previous = after.ir.clone();
                (Some(after), Some(d))
            }
            _ => (None, None),
        };
        steps.push(PassRun {
            pass: snap.pass,
            round: snap.round,
            ms: snap.time.as_secs_f64() * 1000.0,
            ops_before: snap.ops_before,
            ops_after: snap.ops_after,
            changed: snap.changed,
            after,
            diff,
        });
    }
    Passes {
        lines: table.lines,
        parsed: first,
        steps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir_passes::ir::CellWidth;
    use ir_passes::parse::parse;
    use ir_passes::pipeline::Pipeline;

    fn text(p: &Passes, s: &Snapshot) -> Vec<String> {
        s.ir.iter()
            .map(|&i| {
                let (d, t, ..) = &p.lines[i as usize];
                format!("{}{t}", "  ".repeat(*d as usize))
            })
            .collect()
    }

    #[test]
    fn listings_match_the_printer_and_diffs_rebuild_the_after_listing() {
        let program = parse("t", b"++[->+<]>.", CellWidth::U8).expect("parses");
        let optimized = Pipeline::level(2).run(program.clone(), true);
        let p = build(&program, &optimized, usize::MAX);
        let printed: Vec<String> = ir_passes::print::print(&program)
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(text(&p, &p.parsed), printed);
        let mut before = p.parsed.ir.clone();
        let changed: Vec<&PassRun> = p.steps.iter().filter(|s| s.changed).collect();
        assert!(!changed.is_empty());
        for step in changed {
            let after = step.after.as_ref().expect("a changed pass has its IR");
            // Replaying the run lengths over before/after must give `after`.
            let (mut i, mut j, mut rebuilt) = (0usize, 0usize, Vec::new());
            let d = step.diff.as_deref().expect("and its diff");
            let mut k = 0;
            let bytes = d.as_bytes();
            while k < bytes.len() {
                let kind = bytes[k];
                let n_end = bytes[k + 1..]
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .map_or(bytes.len(), |e| k + 1 + e);
                let n: usize = d[k + 1..n_end].parse().expect("a count");
                match kind {
                    b'=' => {
                        assert_eq!(before[i..i + n], after.ir[j..j + n]);
                        rebuilt.extend_from_slice(&before[i..i + n]);
                        i += n;
                        j += n;
                    }
                    b'-' => i += n,
                    _ => {
                        rebuilt.extend_from_slice(&after.ir[j..j + n]);
                        j += n;
                    }
                }
                k = n_end;
            }
            assert_eq!((i, j), (before.len(), after.ir.len()));
            assert_eq!(rebuilt, after.ir);
            before = after.ir.clone();
        }
    }

    #[test]
    fn long_listings_are_cut_and_say_how_much() {
        let program = parse("t", b"+>+>+>+>+", CellWidth::U8).expect("parses");
        let optimized = Pipeline::level(0).run(program.clone(), true);
        let p = build(&program, &optimized, 4);
        assert_eq!((p.parsed.ir.len(), p.parsed.cut), (4, 5));
    }
}
