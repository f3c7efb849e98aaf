//! Linear folding: in a stretch of adds, sets, multiply-adds and moves, every
//! cell ends up holding a linear function of the values the cells held when
//! the stretch began. Writing each function out directly often takes fewer
//! ops than the source's way of computing it (a copy through a temporary cell
//! and back is the typical case).

use crate::ir::{CellWidth, Node, Offset, Op, Program, Value};
use crate::passes::mark;
use crate::passes::util::{by_value, rewrite_segments};
use crate::span::Span;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Re-emits straight-line stretches as one write per changed cell.
///
/// ```text
/// BF:      [->+>+<<]>>[-<<+>>]<<       (copy p[0] to p[+1] through p[+2])
/// before:  muladd p[+1], p[0] * 1      (after the -O1 passes)
///          muladd p[+2], p[0] * 1
///          set p[0], 0
///          muladd p[0], p[+2] * 1
///          set p[+2], 0
/// after:   muladd p[+1], p[0] * 1
///          muladd p[0], p[+2] * 1
///          set p[+2], 0
/// ```
///
/// (`p[0]` ends up holding `p[0] + p[+2]`: the temporary was not known to be
/// zero here; `known_values` drops that term where it is.)
///
/// A stretch is a run of `add`, `set`, `muladd` and `move` ops; I/O and
/// control ops end it, so the tape is exactly as the source left it whenever
/// output happens or code outside the stretch runs. Walking the stretch, each
/// cell's value is kept as `c + k1*x1 + k2*x2 + ...` over the cells' values
/// `x` at the stretch's start (modulo the cell width). Each cell whose
/// function is not just its start value is then written once: a `set` (or an
/// `add`, if the cell keeps its own start value) and a `muladd` per other
/// term. A write must come after every write that reads the old value of the
/// cell it changes; when reads go round in a cycle (a swap), or a cell's
/// function scales its own value, the stretch stays as it was. It also stays
/// when the rewrite would not be shorter. The moves become one at the end.
/// Every cell the new ops touch was touched by the old ones, so the segment
/// guards' ranges still hold.
pub fn linear_fold(program: Program) -> Program {
    by_value(program, run)
}

/// [`linear_fold`] in place; whether it changed anything (a rewrite is
/// always shorter, so a body changed if and only if it got shorter).
pub fn run(program: &mut Program) -> bool {
    let cell = program.cell;
    rewrite_segments(&mut program.body, mark::LINEAR_FOLD, &mut |body| {
        // Only stretches with a muladd are rewritten.
        if !body.iter().any(|n| matches!(n.op, Op::MulAdd { .. })) {
            return false;
        }
        let len = body.len();
        fold(body, cell);
        body.len() != len
    })
}

/// Terms beyond which a cell's function counts as too complex to rewrite.
const MAX_TERMS: usize = 8;

/// Room for the terms of a sum of two functions of at most [`MAX_TERMS`]
/// terms each, before the sum is checked against the limit.
const TERMS_ROOM: usize = 2 * MAX_TERMS;

/// Nonzero factors by cell offset, sorted by offset, stored inline: a
/// stretch's functions cost no allocation each.
#[derive(Clone, Copy, Debug)]
struct Terms {
    len: usize,
    items: [(i64, Value); TERMS_ROOM],
}

impl Terms {
    const EMPTY: Terms = Terms {
        len: 0,
        items: [(0, 0); TERMS_ROOM],
    };

    fn iter(&self) -> impl Iterator<Item = (i64, Value)> + '_ {
        self.items[..self.len].iter().copied()
    }

    fn keys(&self) -> impl Iterator<Item = i64> + '_ {
        self.iter().map(|(at, _)| at)
    }

    fn get(&self, at: i64) -> Option<Value> {
        self.iter().find(|&(a, _)| a == at).map(|(_, k)| k)
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Adds `k` to the factor of `at` (dropping it if it becomes zero).
    fn add(&mut self, at: i64, k: Value, cell: CellWidth) {
        let slot = self.items[..self.len].partition_point(|&(a, _)| a < at);
        if slot < self.len && self.items[slot].0 == at {
            let sum = cell.wrap(self.items[slot].1.wrapping_add(k));
            if sum == 0 {
                self.items.copy_within(slot + 1..self.len, slot);
                self.len -= 1;
            } else {
                self.items[slot].1 = sum;
            }
        } else if cell.wrap(k) != 0 {
            // Both summands have at most MAX_TERMS terms (checked after every
            // sum), so there is room.
            self.items.copy_within(slot..self.len, slot + 1);
            self.items[slot] = (at, cell.wrap(k));
            self.len += 1;
        }
    }
}

/// A cell's value as `constant + sum(factor * start value of cell)`.
#[derive(Clone, Copy, Debug)]
struct Linear {
    constant: Value,
    /// Nonzero factors, by cell offset from the stretch's start.
    terms: Terms,
}

impl Linear {
    /// The value cell `at` held when the stretch began.
    fn start(at: i64) -> Linear {
        let mut terms = Terms::EMPTY;
        terms.items[0] = (at, 1);
        terms.len = 1;
        Linear { constant: 0, terms }
    }

    /// A constant.
    fn constant(value: Value) -> Linear {
        Linear {
            constant: value,
            terms: Terms::EMPTY,
        }
    }

    /// Whether this is cell `at`'s start value, unchanged.
    fn is_start(&self, at: i64) -> bool {
        self.constant == 0 && self.terms.len == 1 && self.terms.items[0] == (at, 1)
    }

    /// `self += factor * other`, modulo the cell width.
    fn add_scaled(&mut self, other: &Linear, factor: Value, cell: CellWidth) {
        self.constant = cell.wrap(
            self.constant
                .wrapping_add(other.constant.wrapping_mul(factor)),
        );
        for (at, k) in other.terms.iter() {
            self.terms.add(at, k.wrapping_mul(factor), cell);
        }
    }
}

/// A stretch's effect: each written cell's function and a span covering
/// every op that wrote it (the sources its new ops stand for), and the same
/// for the moves.
struct Effect {
    /// By cell offset, sorted (a stretch writes few cells: a sorted vector
    /// beats a tree map here).
    cells: Vec<(i64, Linear, Span)>,
    moves: i64,
    move_span: Option<Span>,
}

impl Effect {
    /// The function and span of cell `at`, created as its start value
    /// (with span `span`) if the stretch has not written it yet.
    fn entry(&mut self, at: i64, span: Span) -> &mut (i64, Linear, Span) {
        let i = match self.cells.binary_search_by_key(&at, |c| c.0) {
            Ok(i) => i,
            Err(i) => {
                self.cells.insert(i, (at, Linear::start(at), span));
                i
            }
        };
        &mut self.cells[i]
    }

    /// The value cell `at` holds now, as a function of the start values.
    fn value(&self, at: i64) -> Linear {
        match self.cells.binary_search_by_key(&at, |c| c.0) {
            Ok(i) => self.cells[i].1,
            Err(_) => Linear::start(at),
        }
    }
}

/// The effect of a stretch, or `None` if some function grows too large.
fn effect(stretch: &[Node], cell: CellWidth) -> Option<Effect> {
    let mut effect = Effect {
        cells: Vec::with_capacity(stretch.len()),
        moves: 0,
        move_span: None,
    };
    for node in stretch {
        let pos = effect.moves;
        match node.op {
            Op::Move { delta } => {
                effect.moves += delta as i64;
                effect.move_span = Some(effect.move_span.map_or(node.span, |s| s.to(node.span)));
            }
            Op::Add { offset, delta } => {
                let entry = effect.entry(pos + offset as i64, node.span);
                entry.1.constant = cell.wrap(entry.1.constant.wrapping_add(delta));
                entry.2 = entry.2.to(node.span);
            }
            Op::Set { offset, value } => {
                let entry = effect.entry(pos + offset as i64, node.span);
                entry.1 = Linear::constant(cell.wrap(value));
                entry.2 = entry.2.to(node.span);
            }
            Op::MulAdd { src, dst, factor } => {
                let (src, dst) = (pos + src as i64, pos + dst as i64);
                let from = effect.value(src);
                let entry = effect.entry(dst, node.span);
                entry.1.add_scaled(&from, factor, cell);
                entry.2 = entry.2.to(node.span);
                if entry.1.terms.len() > MAX_TERMS {
                    return None;
                }
            }
            _ => unreachable!("stretches hold only adds, sets, muladds and moves"),
        }
    }
    Some(effect)
}

/// Appends to `out` the ops that write one cell's function, assuming every
/// cell it reads still holds its start value; `None` if the function scales
/// the cell's own start value (no op does that).
fn writes(at: i64, f: &Linear, span: Span, out: &mut Vec<Node>) -> Option<()> {
    let offset = |at: i64| Offset::try_from(at).ok();
    match f.terms.get(at) {
        Some(1) if f.constant != 0 => {
            let op = Op::Add {
                offset: offset(at)?,
                delta: f.constant,
            };
            out.push(Node::new(op, span));
        }
        Some(1) => {}
        Some(_) => return None,
        None => {
            let op = Op::Set {
                offset: offset(at)?,
                value: f.constant,
            };
            out.push(Node::new(op, span));
        }
    }
    for (src, factor) in f.terms.iter().filter(|&(src, _)| src != at) {
        let op = Op::MulAdd {
            src: offset(src)?,
            dst: offset(at)?,
            factor,
        };
        out.push(Node::new(op, span));
    }
    Some(())
}

/// The stretch rewritten, if that is possible and shorter.
fn rewrite(stretch: &[Node], cell: CellWidth) -> Option<Vec<Node>> {
    // Without a muladd, every function is a constant or a cell plus one:
    // `set_fold` already writes those once.
    if !stretch.iter().any(|n| matches!(n.op, Op::MulAdd { .. })) {
        return None;
    }
    if one_op_per_write(stretch, cell) {
        return None;
    }
    let effect = effect(stretch, cell)?;
    // The cells whose function is not their start value, sorted by offset.
    let changed: Vec<&(i64, Linear, Span)> = effect
        .cells
        .iter()
        .filter(|(at, f, _)| !f.is_start(*at))
        .collect();
    let index = |at: i64| changed.binary_search_by_key(&at, |c| c.0).ok();
    // A cell's write must wait for the writes that read its start value:
    // `blocking[i]` counts the changed cells whose function reads cell `i`
    // of `changed`.
    let mut blocking = vec![0usize; changed.len()];
    for &&(at, ref f, _) in &changed {
        for src in f.terms.keys().filter(|&src| src != at) {
            if let Some(i) = index(src) {
                blocking[i] += 1;
            }
        }
    }
    // The cells free to be written, lowest offset first.
    let mut ready: BinaryHeap<Reverse<usize>> = (0..changed.len())
        .filter(|&i| blocking[i] == 0)
        .map(Reverse)
        .collect();
    let mut out = Vec::new();
    let mut written = 0;
    while let Some(Reverse(i)) = ready.pop() {
        let &(at, ref f, span) = changed[i];
        writes(at, f, span, &mut out)?;
        written += 1;
        for src in f.terms.keys().filter(|&src| src != at) {
            if let Some(j) = index(src) {
                blocking[j] -= 1;
                if blocking[j] == 0 {
                    ready.push(Reverse(j));
                }
            }
        }
    }
    if written < changed.len() {
        return None; // a cycle: some write reads a cell another must change first
    }
    if effect.moves != 0 {
        let delta = Offset::try_from(effect.moves).ok()?;
        out.push(Node::new(Op::Move { delta }, effect.move_span?));
    }
    (out.len() < stretch.len()).then_some(out)
}

/// Longest stretch [`one_op_per_write`] looks at (it compares every write
/// with the earlier ones).
const QUICK_OPS: usize = 32;

/// Whether the stretch already writes each cell's function with one op, so
/// its rewrite cannot be shorter (most stretches: a multiply loop's
/// muladds and clear). That holds when every op writes another cell, none
/// reads a cell written before it, none is an add or muladd of nothing
/// (those would go), and the moves are at most one that moves: each op is
/// then exactly the write of its cell's function, and the rewrite would
/// emit the same number of ops. A cheap test that spares most stretches the
/// full analysis; `false` means only "not known".
fn one_op_per_write(stretch: &[Node], cell: CellWidth) -> bool {
    if stretch.len() > QUICK_OPS {
        return false;
    }
    let mut written = [0i64; QUICK_OPS];
    let mut count = 0;
    let mut moves = 0;
    let mut pos: i64 = 0;
    for node in stretch {
        let (dst, src) = match node.op {
            Op::Move { delta } => {
                moves += 1;
                if delta == 0 || moves > 1 {
                    return false;
                }
                pos += delta as i64;
                continue;
            }
            Op::Add { offset, delta } if cell.wrap(delta) != 0 => (offset, None),
            Op::Set { offset, .. } => (offset, None),
            Op::MulAdd { src, dst, factor } if cell.wrap(factor) != 0 && src != dst => {
                (dst, Some(src))
            }
            _ => return false,
        };
        let seen = &written[..count];
        let dst = pos + dst as i64;
        if seen.contains(&dst) || src.is_some_and(|src| seen.contains(&(pos + src as i64))) {
            return false;
        }
        written[count] = dst;
        count += 1;
    }
    true
}

/// Whether an op belongs in a stretch.
fn in_stretch(op: &Op) -> bool {
    matches!(
        op,
        Op::Add { .. } | Op::Set { .. } | Op::MulAdd { .. } | Op::Move { .. }
    )
}

/// Rewrites the stretches of one body in place; only a body with a stretch
/// that gets rewritten is rebuilt.
fn fold(body: &mut Vec<Node>, cell: CellWidth) {
    // The stretches' rewrites, as (start, end, new ops), in order.
    let mut rewrites: Vec<(usize, usize, Vec<Node>)> = Vec::new();
    let mut start = 0;
    for i in 0..=body.len() {
        if i < body.len() && in_stretch(&body[i].op) {
            continue;
        }
        if i > start {
            if let Some(nodes) = rewrite(&body[start..i], cell) {
                rewrites.push((start, i, nodes));
            }
        }
        start = i + 1;
    }
    if rewrites.is_empty() {
        return;
    }
    let old = std::mem::take(body);
    let mut old = old.into_iter().enumerate().peekable();
    for (start, end, nodes) in rewrites {
        while let Some((_, node)) = old.next_if(|&(i, _)| i < start) {
            body.push(node);
        }
        while old.next_if(|&(i, _)| i < end).is_some() {}
        body.extend(nodes);
    }
    body.extend(old.map(|(_, node)| node));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::util::after;

    fn o1_then(p: Program) -> Program {
        linear_fold(crate::pipeline::Pipeline::level(1).run(p, false).program)
    }

    #[test]
    fn a_copy_through_a_temporary_folds() {
        assert_eq!(
            after(o1_then, ",[->+>+<<]>>[-<<+>>]<<."),
            "in p[0]\nmuladd p[+1], p[0] * 1\nmuladd p[0], p[+2] * 1\nset p[+2], 0\nout p[0]\n"
        );
    }

    #[test]
    fn reads_come_before_the_writes_they_read_past() {
        // p[+1] = p[0] - 1 must read p[0] before p[0] changes.
        let text = after(o1_then, ",>,>,<<[->[-]<[>+>+<<-]>>[-<<+>>]<<]");
        let body: Vec<&str> = text.lines().skip(4).collect();
        assert_eq!(
            body,
            [
                "  set p[+1], -1",
                "  muladd p[+1], p[0] * 1",
                "  add p[0], -1",
                "  muladd p[0], p[+2] * 1",
                "  set p[+2], 0",
                "}"
            ],
            "{text}"
        );
    }

    #[test]
    fn what_cannot_be_written_out_stays() {
        for bf in [
            ",>,<[->>+<<]>[-<+>]>[-<+>]<<.", // a rotation: reads go round
            ",[->++<]>[-<+>]<.",             // p[0] doubles itself: no op for that
            ",>,<[->+<].",                   // already one op per write
        ] {
            let before = after(
                |p| crate::pipeline::Pipeline::level(1).run(p, false).program,
                bf,
            );
            assert_eq!(after(o1_then, bf), before, "{bf}");
        }
    }

    #[test]
    fn output_ends_a_stretch() {
        // The copy back happens after the output: not folded across it.
        let text = after(o1_then, ",[->+>+<<].>>[-<<+>>]<<.");
        assert!(text.contains("out p[0]\n"), "{text}");
        assert_eq!(text.matches("out").count(), 2, "{text}");
    }
}
