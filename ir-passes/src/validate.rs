//! The IR's structural invariants, checked: what every pass must leave
//! behind for the segment guards ([`crate::guard`]) and the engines to be
//! sound. The pipeline checks them after every pass in debug builds, and the
//! property tests after every pass on random programs.
//!
//! - Every span lies inside the span of the body that holds it (the whole
//!   source, or a fragment's loop, at the top level; the inside of the brackets in a loop).
//! - A control op's span is exactly a `[`..`]` pair of the source: the
//!   guards find a loop body's source, and the gaps between control ops, by
//!   it.
//! - A `Scan` moves: its stride is not zero.

use crate::ir::{Node, Op, Program};
use crate::span::Span;

/// Checks `program` against the invariants above; the first violation found,
/// described, otherwise.
pub fn validate(program: &Program) -> Result<(), String> {
    let text = program.source.text();
    // An explicit stack: programs may nest 100,000 loops deep.
    let mut stack: Vec<(&[Node], Span)> = vec![(&program.body, program.range())];
    while let Some((body, range)) = stack.pop() {
        for node in body {
            let span = node.span;
            if span.start > span.end || span.start < range.start || span.end > range.end {
                return Err(format!("{span:?} outside {range:?}: {:?}", node.op));
            }
            if !node.op.is_control() {
                continue;
            }
            let (open, close) = (span.start, span.end.wrapping_sub(1));
            let bracket_pair = span.len() >= 2
                && text[open as usize] == b'['
                && text[close as usize] == b']'
                && program.source.partner(open) == close;
            if !bracket_pair {
                return Err(format!("control op span {span:?} is not a bracket pair"));
            }
            if let Op::Scan { stride: 0 } = node.op {
                return Err(format!("scan at {span:?} with stride 0"));
            }
            if let Some(inner) = node.op.body() {
                stack.push((inner, Span::new(open + 1, close)));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::CellWidth;
    use crate::parse::parse;

    fn parsed(text: &str) -> Program {
        parse("t", text.as_bytes(), CellWidth::U8).unwrap()
    }

    #[test]
    fn parsed_programs_are_valid() {
        assert_eq!(validate(&parsed("+[->+<]>[[-]<]")), Ok(()));
    }

    #[test]
    fn a_control_op_off_its_brackets_is_reported() {
        let mut p = parsed("+[-]");
        p.body[1].span = Span::new(0, 4);
        let err = validate(&p).unwrap_err();
        assert!(err.contains("not a bracket pair"), "{err}");
    }

    #[test]
    fn a_span_outside_its_loop_is_reported() {
        let mut p = parsed("+[-]");
        let Op::Loop { body } = &mut p.body[1].op else {
            panic!("a loop")
        };
        body[0].span = Span::new(0, 1);
        let err = validate(&p).unwrap_err();
        assert!(err.contains("outside"), "{err}");
    }

    #[test]
    fn a_scan_that_does_not_move_is_reported() {
        let mut p = parsed("[>]");
        p.body[0].op = Op::Scan { stride: 0 };
        assert!(validate(&p).unwrap_err().contains("stride 0"));
        p.body[0].op = Op::Scan { stride: 1 };
        assert_eq!(validate(&p), Ok(()));
    }
}
