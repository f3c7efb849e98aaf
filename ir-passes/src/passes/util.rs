//! Helpers shared by the passes: rewriting loops in place, the net effect of
//! a straight-line loop body, and inverses modulo 2^32.

use crate::ir::{CellWidth, Node, Op, Program, Value};
use crate::span::Span;

/// A cheap hasher for the passes' maps keyed by cell positions (SipHash's
/// protection against chosen keys buys nothing here and costs much).
pub(crate) type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// Rewrites every body of `body` bottom-up in place with `f` (which gets a
/// body whose nested bodies are done, and says whether it changed it), and
/// says whether anything changed. A nested body marked with `mark` is left
/// alone: `f` is known to change nothing in it. `f` must depend on nothing
/// but the body (and constants of the program), so that the mark stays true
/// for as long as the body is not edited.
pub(crate) fn rewrite_bodies(
    body: &mut Vec<Node>,
    mark: u16,
    f: &mut impl FnMut(&mut Vec<Node>) -> bool,
) -> bool {
    let (own, nested) = walk(body, mark, false, false, f);
    own | nested
}

/// [`rewrite_bodies`] for an `f` that looks at nothing but the body's own
/// nodes, never into the bodies nested in it (the segment passes): a body
/// whose own nodes `f` already left as they are (its flat mark) is not
/// given to `f` again when only a body inside it changed.
pub(crate) fn rewrite_segments(
    body: &mut Vec<Node>,
    mark: u16,
    f: &mut impl FnMut(&mut Vec<Node>) -> bool,
) -> bool {
    let (own, nested) = walk(body, mark, true, false, f);
    own | nested
}

/// The walk of [`rewrite_bodies`] and [`rewrite_segments`]: whether `f`
/// changed the body's own nodes, and whether anything inside changed. `f`
/// is not run on the body when `skip_own` (its flat mark says it would
/// change nothing).
fn walk(
    body: &mut Vec<Node>,
    mark: u16,
    local: bool,
    skip_own: bool,
    f: &mut impl FnMut(&mut Vec<Node>) -> bool,
) -> (bool, bool) {
    let mut nested = false;
    for node in body.iter_mut() {
        if let Op::Loop { body: inner } | Op::If { body: inner } = &mut node.op {
            if inner.is_clean(mark) {
                continue;
            }
            let (marks, flat) = (inner.marks(), inner.flat_marks());
            let skip = local && flat & mark != 0;
            let (own, deeper) = walk(inner.nodes_mut_keeping_marks(), mark, local, skip, f);
            // An edit of the node list spoils every pass's flat mark; an
            // edit deeper down only the marks of the whole body.
            inner.set_marks(if own || deeper { 0 } else { marks | mark });
            inner.set_flat_marks(if own { 0 } else { flat | mark });
            nested |= own || deeper;
        }
    }
    let own = !skip_own && f(body);
    (own, nested)
}

/// Applies a by-value pass in place: the `Program -> Program` form of a pass
/// written as `run(&mut Program) -> bool`.
pub(crate) fn by_value(mut program: Program, run: fn(&mut Program) -> bool) -> Program {
    run(&mut program);
    program
}

/// Rewrites every `Loop` of the program, innermost first: `f` gets a loop's
/// body (already rewritten) and span, and returns the nodes that replace the
/// loop, or `None` to keep it. Says whether any loop was replaced.
pub(crate) fn replace_loops(
    program: &mut Program,
    mark: u16,
    mut f: impl FnMut(&[Node], Span, CellWidth) -> Option<Vec<Node>>,
) -> bool {
    let cell = program.cell;
    // Replacements of more than one node, by the index of their loop.
    let mut spliced: Vec<(usize, Vec<Node>)> = Vec::new();
    rewrite_bodies(&mut program.body, mark, &mut |body| {
        let mut changed = false;
        for (i, node) in body.iter_mut().enumerate() {
            let Op::Loop { body: inner } = &node.op else {
                continue;
            };
            let Some(mut nodes) = f(inner, node.span, cell) else {
                continue;
            };
            changed = true;
            // One node (a clear, a scan, an `if`) takes the loop's place:
            // the body is not rebuilt.
            match (nodes.pop(), nodes.is_empty()) {
                (Some(one), true) => *node = one,
                (last, _) => {
                    nodes.extend(last);
                    spliced.push((i, nodes));
                }
            }
        }
        if spliced.is_empty() {
            return changed;
        }
        let old = std::mem::take(body);
        body.reserve(old.len() + spliced.iter().map(|(_, n)| n.len()).sum::<usize>());
        let mut next = spliced.drain(..).peekable();
        for (i, node) in old.into_iter().enumerate() {
            match next.next_if(|(at, _)| *at == i) {
                Some((_, nodes)) => body.extend(nodes),
                None => body.push(node),
            }
        }
        true
    })
}

/// What one run of a body made only of `Add` and `Move` does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Linear {
    /// Net pointer movement.
    pub moves: i64,
    /// The total added to each cell (relative to the entry pointer), zero
    /// totals left out, in order of the cells (a sorted vector: loop bodies
    /// touch few cells, and a map would allocate per cell).
    pub adds: Vec<(i64, Value)>,
}

impl Linear {
    /// The total added to the cell at `at`, if not zero.
    pub fn at(&self, at: i64) -> Option<Value> {
        let i = self.adds.binary_search_by_key(&at, |&(c, _)| c).ok()?;
        Some(self.adds[i].1)
    }
}

/// The effect of `body`, or `None` if it holds anything but `Add` and `Move`.
pub(crate) fn linear(body: &[Node], cell: CellWidth) -> Option<Linear> {
    // Most loops are not linear: find out before allocating.
    if !body
        .iter()
        .all(|n| matches!(n.op, Op::Add { .. } | Op::Move { .. }))
    {
        return None;
    }
    let mut pos: i64 = 0;
    let mut adds: Vec<(i64, Value)> = Vec::with_capacity(body.len());
    for node in body {
        match node.op {
            Op::Add { offset, delta } => {
                let at = pos + offset as i64;
                match adds.binary_search_by_key(&at, |&(c, _)| c) {
                    Ok(i) => adds[i].1 = cell.wrap(adds[i].1.wrapping_add(delta)),
                    Err(i) => adds.insert(i, (at, cell.wrap(delta))),
                }
            }
            Op::Move { delta } => pos += delta as i64,
            _ => return None,
        }
    }
    adds.retain(|&(_, v)| v != 0);
    Some(Linear { moves: pos, adds })
}

/// The inverse of an odd `x` modulo 2^32. Reduced modulo a smaller power of
/// two it is also the inverse there, so one function serves every cell width.
pub(crate) fn inverse(x: u32) -> u32 {
    debug_assert!(x % 2 == 1, "only odd numbers have inverses modulo 2^32");
    // Newton's iteration doubles the number of correct low bits; x itself is
    // its own inverse modulo 8 (3 bits), so four steps give 48 >= 32 bits.
    let mut y = x;
    for _ in 0..4 {
        y = y.wrapping_mul(2u32.wrapping_sub(x.wrapping_mul(y)));
    }
    y
}

/// `-v` modulo the cell width.
pub(crate) fn negate(v: Value, cell: CellWidth) -> Value {
    cell.wrap(0u32.wrapping_sub(v))
}

/// Test helper: parses `bf` (8-bit cells), runs `pass` and prints the result.
#[cfg(test)]
pub(crate) fn after(pass: fn(Program) -> Program, bf: &str) -> String {
    after_with(pass, bf, CellWidth::U8)
}

/// Test helper: [`after`] for a given cell width.
#[cfg(test)]
pub(crate) fn after_with(pass: fn(Program) -> Program, bf: &str, cell: CellWidth) -> String {
    let program = crate::parse::parse("t", bf.as_bytes(), cell).unwrap();
    crate::print::print(&pass(program))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_is_an_inverse_for_every_width() {
        for x in [1u32, 3, 5, 7, 255, 0xFFFF_FFFF, 0x1234_5679, 0xFFFD] {
            let y = inverse(x);
            assert_eq!(x.wrapping_mul(y), 1, "{x}");
            for cell in [CellWidth::U8, CellWidth::U16] {
                assert_eq!(cell.wrap(cell.wrap(x).wrapping_mul(cell.wrap(y))), 1);
            }
        }
    }

    #[test]
    fn linear_sums_adds_per_cell_and_drops_cancelled_ones() {
        let p = crate::parse::parse("t", b"->+<+->>-+<<", CellWidth::U8).unwrap();
        let l = linear(&p.body, CellWidth::U8).unwrap();
        assert_eq!(l.moves, 0);
        assert_eq!(l.adds, vec![(0, 255), (1, 1)]);
    }
}
