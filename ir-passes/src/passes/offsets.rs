//! Offset folding: pointer moves sink to the end of each straight-line
//! segment, and the ops before them address cells at offsets instead.

use crate::ir::{Node, Offset, Op, Program};
use crate::passes::mark;
use crate::passes::util::{by_value, rewrite_segments};
use crate::span::Span;

/// Rewrites each segment so that it makes at most one move, at its end.
///
/// ```text
/// BF:      ,>+>++<.<[->>+<<]
/// before:  in p[0]                  (after the loop passes)
///          move +1
///          add p[0], 1
///          move +1
///          add p[0], 2
///          move -1
///          out p[0]
///          move -1
///          muladd p[+2], p[0] * 1
///          set p[0], 0
/// after:   in p[0]
///          add p[+1], 1
///          add p[+2], 2
///          out p[+1]
///          muladd p[+2], p[0] * 1
///          set p[0], 0
/// ```
///
/// Moves never cross a control op (`Loop`, `If`, `Scan`): the pointer must be
/// right when one starts, and the segment guards rely on it.
pub fn offsets(program: Program) -> Program {
    by_value(program, run)
}

/// [`offsets`] in place; whether it changed anything.
pub fn run(program: &mut Program) -> bool {
    rewrite_segments(&mut program.body, mark::OFFSETS, &mut |body| {
        if !sinks(body) {
            return false;
        }
        let (new, changed) = sink_moves(std::mem::take(body));
        *body = new;
        changed
    })
}

/// Whether a body has a move that is not alone at the end of its segment
/// (or a zero move): only then can sinking change it.
fn sinks(body: &[Node]) -> bool {
    let mut pending = false;
    for node in body {
        match node.op {
            Op::Move { delta: 0 } => return true,
            Op::Move { .. } if pending => return true,
            Op::Move { .. } => pending = true,
            ref op if op.is_control() => pending = false,
            _ if pending => return true,
            _ => {}
        }
    }
    false
}

/// The moves of the segment being rewritten: where the pointer is relative
/// to the segment start, and the span of the moves that took it there.
struct Pending {
    pos: i64,
    span: Option<Span>,
}

impl Pending {
    /// Emits the pending move (if any) and starts afresh.
    fn flush(&mut self, out: &mut Vec<Node>) {
        if let (Some(span), Ok(delta)) = (self.span, Offset::try_from(self.pos)) {
            if delta != 0 {
                out.push(Node::new(Op::Move { delta }, span));
            }
        }
        self.pos = 0;
        self.span = None;
    }

    /// `offset` shifted by the pending move, if it still fits an offset.
    fn shift(&self, offset: Offset) -> Option<Offset> {
        Offset::try_from(self.pos + offset as i64).ok()
    }
}

/// The body with its moves sunk, and whether that changed it: it did if
/// a move went (two merged, or one was zero) or an op was shifted.
fn sink_moves(body: Vec<Node>) -> (Vec<Node>, bool) {
    let len = body.len();
    let mut shifted_any = false;
    let mut out = Vec::with_capacity(body.len());
    let mut pending = Pending { pos: 0, span: None };
    for mut node in body {
        let shifted = match &mut node.op {
            Op::Move { delta } => {
                let pos = pending.pos + *delta as i64;
                // A pending move that no longer fits an offset is emitted
                // as it stands; never happens in a real program.
                if Offset::try_from(pos).is_err() {
                    pending.flush(&mut out);
                    out.push(node);
                    continue;
                }
                pending.pos = pos;
                pending.span = Some(pending.span.map_or(node.span, |s| s.to(node.span)));
                continue;
            }
            Op::Add { offset, .. }
            | Op::Set { offset, .. }
            | Op::Output { offset }
            | Op::Input { offset } => pending.shift(*offset).map(|o| *offset = o).is_some(),
            Op::MulAdd { src, dst, .. } => match (pending.shift(*src), pending.shift(*dst)) {
                (Some(s), Some(d)) => {
                    (*src, *dst) = (s, d);
                    true
                }
                _ => false,
            },
            Op::Loop { .. } | Op::If { .. } | Op::Scan { .. } => false,
        };
        if !shifted {
            pending.flush(&mut out);
        } else if pending.pos != 0 {
            shifted_any = true;
        }
        out.push(node);
    }
    pending.flush(&mut out);
    let changed = shifted_any || out.len() != len;
    (out, changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::util::after;

    #[test]
    fn ops_address_offsets_and_one_move_remains() {
        assert_eq!(
            after(offsets, ">+>.<<<,"),
            "add p[+1], 1\nout p[+2]\nin p[-1]\nmove -1\n"
        );
    }

    #[test]
    fn balanced_segments_lose_their_moves() {
        assert_eq!(
            after(offsets, "[->>+<<]"),
            "loop {\n  add p[0], -1\n  add p[+2], 1\n}\n"
        );
    }

    #[test]
    fn moves_stop_at_control_ops() {
        assert_eq!(
            after(offsets, ">+[<]>+"),
            "add p[+1], 1\nmove +1\nloop {\n  move -1\n}\nadd p[+1], 1\nmove +1\n"
        );
    }

    #[test]
    fn the_sunk_move_spans_all_moves() {
        let p = crate::parse::parse("t", b">+>", crate::ir::CellWidth::U8).unwrap();
        let p = offsets(p);
        assert_eq!(p.body[1].span, Span::new(0, 3));
    }
}
