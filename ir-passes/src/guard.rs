//! Segment guards: how optimized code checks the tape bounds cheaply and still
//! reports an error exactly where the source program would.
//!
//! A body (the top level, or a loop's) alternates *segments* of straight-line
//! ops with control ops (`Loop`, `If`, `Scan`). Passes keep that alternation:
//! they never move an op across a control op, and a control op's span covers
//! exactly its source brackets. So every segment stands for a known stretch of
//! source text, its *gap*: from the end of the previous control op (or the body
//! start) to the start of the next one (or the body end).
//!
//! Before a segment runs, one guard checks that every cell the gap's source
//! could touch, `p+lo ..= p+hi`, is on the tape; `lo`/`hi` come from the source
//! text (every move, including inside loops that were folded away, which makes
//! them conservative) and from the ops' own offsets. If the check passes, the
//! source could not have left the tape in this stretch, so the segment runs
//! unchecked. If it fails, the engine runs the gap's *source* with the
//! reference interpreter instead, which either reports the exact command that
//! leaves the tape, or finishes the stretch normally (the guard was only
//! conservative) and the engine carries on after the segment.

use crate::ir::{Node, Op};
use crate::source::Source;
use crate::span::Span;
use std::ops::Range;

/// One straight-line segment of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Indices of its ops in the body (none of them control ops).
    pub ops: Range<usize>,
    /// The source text the segment stands for.
    pub gap: Span,
    /// Lowest cell offset, relative to the pointer at segment entry, that the
    /// gap's source or the segment's ops may reach.
    pub lo: i32,
    /// Highest such offset.
    pub hi: i32,
}

impl Segment {
    /// False when the segment cannot leave the cell it starts on, so no guard
    /// is needed.
    pub fn needs_guard(&self) -> bool {
        self.lo < 0 || self.hi > 0
    }
}

/// The source range of a loop's or if's body, given the node's span.
pub fn inner_span(span: Span) -> Span {
    Span::new(span.start + 1, span.end - 1)
}

/// Splits `body`, whose source is `range`, into its segments. There is one
/// more segment than there are control ops (some may be empty); control op
/// `k` of the body sits between segment `k` and segment `k + 1`, at index
/// `segments[k].ops.end`.
pub fn segments(body: &[Node], range: Span, source: &Source) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut first = 0;
    let mut gap_start = range.start;
    for (i, node) in body.iter().enumerate() {
        if node.op.is_control() {
            out.push(segment(
                body,
                first..i,
                Span::new(gap_start, node.span.start),
                source,
            ));
            first = i + 1;
            gap_start = node.span.end;
        }
    }
    out.push(segment(
        body,
        first..body.len(),
        Span::new(gap_start, range.end),
        source,
    ));
    out
}

fn segment(body: &[Node], ops: Range<usize>, gap: Span, source: &Source) -> Segment {
    let (mut lo, mut hi) = source_excursion(source.slice(gap));
    // The ops' own reach; it lies within the source's for a correct pass, and
    // taking the union keeps the guard sound even if it did not.
    let mut at: i64 = 0;
    let mut reach = |x: i64| {
        lo = lo.min(x);
        hi = hi.max(x);
    };
    for node in &body[ops.clone()] {
        match node.op {
            Op::Add { offset, .. }
            | Op::Set { offset, .. }
            | Op::Output { offset }
            | Op::Input { offset } => reach(at + offset as i64),
            Op::MulAdd { src, dst, .. } => {
                reach(at + src as i64);
                reach(at + dst as i64);
            }
            Op::Move { delta } => {
                at += delta as i64;
                reach(at);
            }
            Op::Loop { .. } | Op::If { .. } | Op::Scan { .. } => {
                unreachable!("control op in a segment")
            }
        }
    }
    Segment {
        ops,
        gap,
        lo: clamp(lo),
        hi: clamp(hi),
    }
}

/// The lowest and highest pointer offsets that running `text` once could
/// visit, taking every loop body as run once and the pointer as restored at
/// each `]` (loops left in a segment are balanced or dead).
pub fn source_excursion(text: &[u8]) -> (i64, i64) {
    let (mut at, mut lo, mut hi) = (0i64, 0i64, 0i64);
    let mut entries = Vec::new();
    for &b in text {
        match b {
            b'>' => at += 1,
            b'<' => at -= 1,
            b'[' => entries.push(at),
            b']' => at = entries.pop().unwrap_or(at),
            _ => continue,
        }
        lo = lo.min(at);
        hi = hi.max(at);
    }
    (lo, hi)
}

fn clamp(x: i64) -> i32 {
    x.clamp(i32::MIN as i64, i32::MAX as i64) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::CellWidth;
    use crate::parse::parse;

    #[test]
    fn segments_alternate_with_control_ops() {
        let p = parse("t", b">>[-]<<<+[>]", CellWidth::U8).unwrap();
        let segs = segments(&p.body, p.source.full_span(), &p.source);
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[0].ops, 0..2);
        assert_eq!((segs[0].lo, segs[0].hi), (0, 2));
        assert_eq!(segs[1].gap, Span::new(5, 9));
        assert_eq!((segs[1].lo, segs[1].hi), (-3, 0));
        assert_eq!(segs[2].ops, 8..8);
        assert!(!segs[2].needs_guard());
    }

    #[test]
    fn excursion_counts_inside_folded_loops_and_restores_after() {
        assert_eq!(source_excursion(b"[->>>+<<<]<"), (-1, 3));
        assert_eq!(source_excursion(b"><"), (0, 1));
    }
}
