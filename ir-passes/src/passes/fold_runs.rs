//! Run-length folding: adjacent adds to one cell, and adjacent moves, become one op.

use crate::ir::{CellWidth, Node, Op, Program};
use crate::passes::mark;
use crate::passes::util::{by_value, rewrite_segments};

/// Folds runs of `+`/`-` on the same cell and runs of `>`/`<` into single
/// ops, dropping those that cancel out entirely.
///
/// ```text
/// BF:      +++>>-+<<<>.
/// before:  add p[0], 1   (three times)
///          move +1       (twice)
///          add p[0], -1
///          add p[0], 1
///          move -1       (three times)
///          move +1
///          out p[0]
/// after:   add p[0], 3
///          out p[0]
/// ```
///
/// A cancelled `<>` may still leave the tape in the source; the segment
/// guard is computed from the source text, so it still sees that excursion.
pub fn fold_runs(program: Program) -> Program {
    by_value(program, run)
}

/// [`fold_runs`] in place; whether it changed anything.
pub fn run(program: &mut Program) -> bool {
    let cell = program.cell;
    rewrite_segments(&mut program.body, mark::FOLD_RUNS, &mut |body| {
        // Nothing folds unless two neighbours do: then the body stays as it is.
        if !body.windows(2).any(|w| merges(&w[0].op, &w[1].op)) {
            return false;
        }
        *body = fold(std::mem::take(body), cell);
        true
    })
}

/// Whether `b` right after `a` folds into it.
fn merges(a: &Op, b: &Op) -> bool {
    match (a, b) {
        (Op::Add { offset: x, .. }, Op::Add { offset: y, .. }) => x == y,
        (Op::Move { delta: x }, Op::Move { delta: y }) => x.checked_add(*y).is_some(),
        _ => false,
    }
}

/// Folds the runs of one body.
fn fold(body: Vec<Node>, cell: CellWidth) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::with_capacity(body.len());
    for node in body {
        push_folded(&mut out, node, cell);
    }
    out
}

/// Appends `node` to a body whose runs are folded, folding it into the last
/// node if it continues that one's run (and dropping both if they cancel).
/// The parser builds folded bodies with this, one command at a time, which
/// is why [`crate::parse::parse_folded`] gives what this pass would.
pub(crate) fn push_folded(out: &mut Vec<Node>, node: Node, cell: CellWidth) {
    {
        let Some(last) = out.last_mut() else {
            out.push(node);
            return;
        };
        let merged = match (&mut last.op, &node.op) {
            (
                Op::Add { offset: a, delta },
                Op::Add {
                    offset: b,
                    delta: more,
                },
            ) if a == b => {
                *delta = cell.wrap(delta.wrapping_add(*more));
                true
            }
            (Op::Move { delta }, Op::Move { delta: more }) => match delta.checked_add(*more) {
                Some(sum) => {
                    *delta = sum;
                    true
                }
                None => false,
            },
            _ => false,
        };
        if !merged {
            out.push(node);
            return;
        }
        last.span = last.span.to(node.span);
        if matches!(last.op, Op::Add { delta: 0, .. } | Op::Move { delta: 0 }) {
            out.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::util::{after, after_with};

    #[test]
    fn folds_runs_of_adds_and_moves() {
        assert_eq!(
            after(fold_runs, "+++>>--<"),
            "add p[0], 3\nmove +2\nadd p[0], -2\nmove -1\n"
        );
    }

    #[test]
    fn cancelling_pairs_vanish_and_expose_further_folds() {
        assert_eq!(after(fold_runs, "+-<>"), "");
        assert_eq!(after(fold_runs, ">+-<+"), "add p[0], 1\n");
        assert_eq!(after(fold_runs, "[<>]"), "loop {\n}\n");
    }

    #[test]
    fn folding_wraps_at_the_cell_width() {
        let plus256 = "+".repeat(256);
        assert_eq!(after(fold_runs, &plus256), "");
        assert_eq!(
            after_with(fold_runs, &plus256, CellWidth::U16),
            "add p[0], 256\n"
        );
    }

    #[test]
    fn never_folds_across_loops_or_io() {
        assert_eq!(
            after(fold_runs, "+[+]+.+"),
            "add p[0], 1\nloop {\n  add p[0], 1\n}\nadd p[0], 1\nout p[0]\nadd p[0], 1\n"
        );
    }

    #[test]
    fn merged_ops_span_their_sources() {
        let p = crate::parse::parse("t", b"+ + +", CellWidth::U8).unwrap();
        let p = fold_runs(p);
        assert_eq!(p.body[0].span, crate::span::Span::new(0, 5));
    }
}
