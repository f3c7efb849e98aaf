//! Dead loops: a loop (or `if`, or scan) on a cell known to be zero never
//! runs, and goes.

use crate::ir::{Entry, Node, Op, Program};
use crate::passes::mark;
use crate::passes::util::{by_value, FastMap};

/// Removes loops that can never run: at program start (every cell is zero;
/// not in a fragment, see [`Entry`]),
/// right after another loop (which only ends on a zero cell), and after a
/// clear or `set 0` of the cell.
///
/// ```text
/// BF:      [.]+[<][.]>[-][+]
/// before:  loop { out p[0] }        (after the passes before it)
///          add p[0], 1
///          scan -1
///          loop { out p[0] }
///          set p[+1], 0
///          move +1
/// after:   add p[0], 1
///          scan -1
///          set p[+1], 0
///          move +1
/// ```
///
/// Only zeroness is tracked here; `known_values` tracks values too. A
/// removed loop's source stays in its segment's gap, so the guard still
/// covers it (it is dead, so that is merely conservative).
pub fn dead_code(program: Program) -> Program {
    by_value(program, run)
}

/// [`dead_code`] in place; whether it changed anything (it only removes
/// ops).
pub fn run(program: &mut Program) -> bool {
    // Only a whole program starts on zeros; a fragment's loop is entered on
    // a tape nothing is known about.
    let top = program.entry == Entry::Start;
    prune(&mut program.body, top)
}

/// What is known about the cells, by position from where tracking started.
struct Zeros {
    /// Cells known zero (`true`) or written with something unknown (`false`).
    cells: FastMap<i64, bool>,
    /// What holds for cells not in `cells`: zero at program start only.
    rest_zero: bool,
    /// The pointer, relative to where tracking started.
    pos: i64,
}

impl Zeros {
    fn is_zero(&self, at: i64) -> bool {
        self.cells.get(&at).copied().unwrap_or(self.rest_zero)
    }

    /// After a control op ends (on a zero cell, wherever it is): forget
    /// everything else.
    fn after_control(&mut self) {
        self.cells.clear();
        self.cells.insert(0, true);
        self.rest_zero = false;
        self.pos = 0;
    }
}

/// Prunes one body in place (a nested body only depends on itself, so its
/// mark says when it has nothing to prune); whether anything went.
fn prune(body: &mut Vec<Node>, top: bool) -> bool {
    let mut known = Zeros {
        cells: FastMap::default(),
        rest_zero: top,
        pos: 0,
    };
    let mut changed = false;
    body.retain_mut(|node| {
        if node.op.is_control() && known.is_zero(known.pos) {
            changed = true;
            return false;
        }
        if let Op::Loop { body: inner } | Op::If { body: inner } = &mut node.op {
            if !inner.is_clean(mark::DEAD_CODE) {
                let marks = inner.marks();
                let inner_changed = prune(inner.nodes_mut_keeping_marks(), false);
                let clean = match inner_changed {
                    true => 0,
                    false => marks | mark::DEAD_CODE,
                };
                inner.set_marks(clean);
                if inner_changed {
                    // (Its own nodes may have changed: no flat marks.)
                    inner.set_flat_marks(0);
                }
                changed |= inner_changed;
            }
        }
        match node.op {
            Op::Add { offset, delta } if delta != 0 => {
                known.cells.insert(known.pos + offset as i64, false);
            }
            Op::Set { offset, value } => {
                known.cells.insert(known.pos + offset as i64, value == 0);
            }
            Op::Input { offset } => {
                known.cells.insert(known.pos + offset as i64, false);
            }
            Op::MulAdd { src, dst, .. } if !known.is_zero(known.pos + src as i64) => {
                known.cells.insert(known.pos + dst as i64, false);
            }
            Op::Move { delta } => known.pos += delta as i64,
            Op::Loop { .. } | Op::If { .. } | Op::Scan { .. } => known.after_control(),
            _ => {}
        }
        true
    });
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::util::after;

    #[test]
    fn loops_at_program_start_are_dead() {
        assert_eq!(after(dead_code, "[-]+"), "add p[0], 1\n");
        assert_eq!(after(dead_code, "+>[<]"), "add p[0], 1\nmove +1\n");
    }

    /// A fragment (tiered execution) is entered on an unknown tape: its
    /// leading loop may run.
    #[test]
    fn a_fragments_leading_loop_stays() {
        let p = crate::parse::parse("t", b"+[[-]>]", crate::ir::CellWidth::U8).unwrap();
        let fragment = p.fragment(&p.body[1]);
        let q = dead_code(fragment);
        assert!(matches!(
            q.body[..],
            [Node {
                op: Op::Loop { .. },
                ..
            }]
        ));
        let Op::Loop { body } = &q.body[0].op else {
            unreachable!()
        };
        assert!(body[0].op.is_control(), "the inner loop stays too");
    }

    #[test]
    fn a_loop_right_after_a_loop_is_dead() {
        assert_eq!(
            after(dead_code, "+[-][>][.]"),
            "add p[0], 1\nloop {\n  add p[0], -1\n}\n"
        );
        assert_eq!(
            after(dead_code, ",[[-][.]>]"),
            "in p[0]\nloop {\n  loop {\n    add p[0], -1\n  }\n  move +1\n}\n"
        );
    }

    #[test]
    fn a_loop_after_set_zero_is_dead() {
        let p = crate::parse::parse("t", b",>,<", crate::ir::CellWidth::U8).unwrap();
        let mut body = p.body.clone();
        let span = crate::span::Span::new(0, 1);
        body.push(Node::new(
            Op::Set {
                offset: 1,
                value: 0,
            },
            span,
        ));
        body.push(Node::new(Op::Move { delta: 1 }, span));
        body.push(Node::new(
            Op::Loop {
                body: vec![].into(),
            },
            span,
        ));
        let q = dead_code(p.with_body(body));
        assert_eq!(q.body.len(), 6);
        assert!(q.body.iter().all(|n| !n.op.is_control()));
    }

    #[test]
    fn loops_on_cells_that_may_be_nonzero_stay() {
        for bf in [",[-]", "+[-]", ">,<[>]>[-]", "+[-<]-[>]", "+[[-]+[-]]"] {
            let text = after(dead_code, bf);
            assert!(text.contains("loop"), "{bf}: {text}");
        }
        assert_eq!(
            after(dead_code, "+[[-]+[-]]"),
            "add p[0], 1\nloop {\n  loop {\n    add p[0], -1\n  }\n  add p[0], 1\n  loop {\n    add p[0], -1\n  }\n}\n"
        );
    }
}
