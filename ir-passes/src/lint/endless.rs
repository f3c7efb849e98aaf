//! Loops that cannot end once entered.

use crate::ir::{CellWidth, Node, Op, Value};

/// Whether a loop with this body, once entered, never ends: the body is
/// straight-line code that returns the pointer to where it started and
/// adds a multiple of the cell size to the current cell (`[]`, `[+-]`,
/// `[>+<]`), so the cell the loop tests stays non-zero for ever. Bodies
/// with nested loops or input into the current cell are not judged.
pub(super) fn is_endless(body: &[Node], cell: CellWidth) -> bool {
    let mut pos: i64 = 0;
    let mut added: Value = 0;
    for node in body {
        match node.op {
            Op::Add { offset, delta } => {
                if pos + i64::from(offset) == 0 {
                    added = added.wrapping_add(delta);
                }
            }
            Op::Move { delta } => pos += i64::from(delta),
            Op::Output { .. } => {}
            Op::Input { offset } if pos + i64::from(offset) != 0 => {}
            _ => return false,
        }
    }
    pos == 0 && cell.wrap(added) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn endless(body: &str, cell: CellWidth) -> bool {
        let program = parse("t", format!("[{body}]").as_bytes(), cell).unwrap();
        is_endless(program.body[0].op.body().unwrap(), cell)
    }

    #[test]
    fn bodies_that_leave_the_cell_and_pointer_as_they_were_never_end() {
        for body in ["", "+-", ">+<", ".", "->,<+", "x y z"] {
            assert!(endless(body, CellWidth::U8), "[{body}]");
        }
        // 256 increments are a no-op on 8-bit cells only.
        let wrap = "+".repeat(256);
        assert!(endless(&wrap, CellWidth::U8));
        assert!(!endless(&wrap, CellWidth::U16));
    }

    #[test]
    fn bodies_that_change_the_cell_or_move_are_not_judged_endless() {
        for body in ["-", "+", ">", "<+>-", ",", "[-]", ">-<-"] {
            assert!(!endless(body, CellWidth::U8), "[{body}]");
        }
    }
}
