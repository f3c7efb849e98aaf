//! Scan loops: a loop that only moves (`[>]`, `[<<]`) becomes a `Scan`.

use crate::ir::{Node, Offset, Op, Program};
use crate::passes::mark;
use crate::passes::util::{by_value, replace_loops};

/// Replaces loops whose body only moves the pointer, by a nonzero total, with
/// `scan`.
///
/// ```text
/// BF:      +[>>]<[<]
/// before:  add p[0], 1              (after fold_runs)
///          loop { move +2 }
///          move -1
///          loop { move -1 }
/// after:   add p[0], 1
///          scan +2
///          move -1
///          scan -1
/// ```
///
/// The scan keeps the loop's span, so an engine can check each step against
/// the loop's source and fall back to it at a tape end for the exact error.
/// A body whose moves cancel (`[<>]`) never ends and stays a loop.
pub fn scan_loops(program: Program) -> Program {
    by_value(program, run)
}

/// [`scan_loops`] in place; whether it changed anything.
pub fn run(program: &mut Program) -> bool {
    replace_loops(program, mark::SCAN_LOOPS, |body, span, _| {
        let mut stride: i64 = 0;
        for node in body {
            match node.op {
                Op::Move { delta } => stride += delta as i64,
                _ => return None,
            }
        }
        let stride = Offset::try_from(stride).ok().filter(|&s| s != 0)?;
        Some(vec![Node::new(Op::Scan { stride }, span)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::util::after;

    #[test]
    fn moving_loops_become_scans() {
        assert_eq!(after(scan_loops, "[>]"), "scan +1\n");
        assert_eq!(after(scan_loops, "[<<<]"), "scan -3\n");
        assert_eq!(
            after(scan_loops, "+[>[<<]]"),
            "add p[0], 1\nloop {\n  move +1\n  scan -2\n}\n"
        );
    }

    #[test]
    fn a_scan_keeps_the_loop_span() {
        let p = crate::parse::parse("t", b"+[>>]", crate::ir::CellWidth::U8).unwrap();
        assert_eq!(scan_loops(p).body[1].span, crate::span::Span::new(1, 5));
    }

    #[test]
    fn loops_that_do_more_than_move_stay() {
        for bf in ["[<>]", "[>+]", "[>.]", "[]", "[>[-]]"] {
            assert!(after(scan_loops, bf).starts_with("loop {"), "{bf}");
        }
    }
}
