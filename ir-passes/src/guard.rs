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
//!
//! A guard is *exact* when every cell of its window is one the gap's source
//! visits for certain (its moves outside loops, which run whenever the gap
//! runs; a loop inside may not run). Then a failing guard means the source
//! leaves the tape for certain, the fallback always ends in that error, and
//! an engine need not compile a way back from it. That is most guards (for
//! the benchmarks' figures: `cargo test -p ir-passes --test corpus --
//! --nocapture guard_counts`, which checks that most are exact), and the
//! way back, a merge per guard, was a large part of mandelbrot's
//! register-allocation time.

use crate::ir::{Node, Offset, Op};
use crate::parse::run_end;
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
    /// Whether the gap's source visits every cell of `lo ..= hi` for
    /// certain, so that a failing guard always means an error (see the
    /// module documentation).
    pub exact: bool,
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
    segments_into(body, range, source, &mut out);
    out
}

/// [`segments`], appended to `out`: a walk over every body of a program
/// can keep one vector for all of them (one allocation, not one per loop).
pub fn segments_into(body: &[Node], range: Span, source: &Source, out: &mut Vec<Segment>) {
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
}

fn segment(body: &[Node], ops: Range<usize>, gap: Span, source: &Source) -> Segment {
    let text = source.slice(gap);
    let ((mut lo, mut hi), certain) = excursions(text);
    // The ops' own reach; it lies within the source's for a correct pass, and
    // taking the union keeps the guard sound even if it did not.
    let mut at: i64 = 0;
    let mut reach = |x: i64| {
        lo = lo.min(x);
        hi = hi.max(x);
    };
    for node in &body[ops.clone()] {
        if let Op::Move { delta } = node.op {
            at += delta as i64;
            reach(at);
            continue;
        }
        let cells = node.op.cell_offsets().expect("control op in a segment");
        cells.for_each(|offset| reach(at + offset as i64));
    }
    let (lo, hi) = (clamp(lo), clamp(hi));
    Segment {
        ops,
        gap,
        lo,
        hi,
        exact: certain.0 <= lo as i64 && hi as i64 <= certain.1,
    }
}

/// [`source_excursion`] and [`certain_excursion`] of `text` together. A
/// stretch without brackets (the common gap: every gap of a program whose
/// loops are all still there) takes one quick scan that gives both, since
/// the two differ only inside loops; one that has brackets takes the two
/// scans. Segments of a 2 MB program cost a few milliseconds this way.
fn excursions(text: &[u8]) -> ((i64, i64), (i64, i64)) {
    let (mut at, mut lo, mut hi) = (0i64, 0i64, 0i64);
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        match b {
            // A run of moves in one step (found a word at a time): large
            // programs are mostly long runs.
            b'>' | b'<' => {
                let end = run_end(text, i);
                let n = (end - i) as i64;
                i = end;
                match b {
                    b'>' => {
                        at += n;
                        hi = hi.max(at);
                    }
                    _ => {
                        at -= n;
                        lo = lo.min(at);
                    }
                }
                continue;
            }
            b'[' | b']' => return (source_excursion(text), certain_excursion(text)),
            _ => {}
        }
        i += 1;
    }
    ((lo, hi), (lo, hi))
}

/// The window `(lo, hi)` each step of a `Scan` node (the loop `[>…]` whose
/// span is `span`, moving `stride` cells a step) is checked against, relative
/// to the pointer at the step: every cell one run of the loop's source body
/// could visit, and the cell the step lands on. Engines that find it off the
/// tape run the loop's source on the reference interpreter from there.
/// Saturated to `i32`, like segment windows: a wider excursion takes a
/// source of over 2 GiB of moves.
pub fn scan_window(source: &Source, span: Span, stride: Offset) -> (i32, i32) {
    let (lo, hi) = source_excursion(source.slice(inner_span(span)));
    (clamp(lo.min(stride as i64)), clamp(hi.max(stride as i64)))
}

/// Whether running `text` once visits every cell of `lo ..= hi` for
/// certain (see [`certain_excursion`]).
pub fn is_exact(text: &[u8], lo: i32, hi: i32) -> bool {
    let (certain_lo, certain_hi) = certain_excursion(text);
    certain_lo <= lo as i64 && hi as i64 <= certain_hi
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

/// The lowest and highest pointer offsets that running `text` once visits
/// for certain: those its moves outside loops reach. A loop inside may not
/// run; one that does is balanced or dead, as [`source_excursion`] assumes, so
/// the moves after it start where it did. Whenever `text` is a segment's gap
/// or a loop body that is about to run, these moves all happen unless the
/// source leaves the tape before them: passes fold only loops that end.
pub fn certain_excursion(text: &[u8]) -> (i64, i64) {
    let (mut at, mut lo, mut hi, mut depth) = (0i64, 0i64, 0i64, 0usize);
    for &b in text {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => at += 1,
            b'<' if depth == 0 => at -= 1,
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
    fn certain_excursion_skips_loops_that_may_not_run() {
        assert_eq!(certain_excursion(b"<[->>>+<<<]>>"), (-1, 1));
        assert_eq!(certain_excursion(b"[<]"), (0, 0));
        assert_eq!(certain_excursion(b">[[-]>]<<"), (-1, 1));
        let o1 = |text: &[u8]| {
            let p = parse("t", text, CellWidth::U8).unwrap();
            crate::pipeline::Pipeline::level(1).run(p, false).program
        };
        // A window that comes from a loop body is not exact.
        let p = o1(b",[->>+<<]>[-]");
        let segs = segments(&p.body, p.source.full_span(), &p.source);
        assert_eq!(segs.len(), 1, "{:?}", p.body);
        assert_eq!((segs[0].lo, segs[0].hi, segs[0].exact), (0, 2, false));
        let p = o1(b",>>[-<<+>>]<<");
        let segs = segments(&p.body, p.source.full_span(), &p.source);
        assert_eq!((segs[0].lo, segs[0].hi, segs[0].exact), (0, 2, true));
    }

    #[test]
    fn scan_windows_hold_the_loop_source_and_the_step() {
        let p = parse("t", b"+[<<<]", CellWidth::U8).unwrap();
        let scan = Span::new(1, 6);
        assert_eq!(scan_window(&p.source, scan, -3), (-3, 0));
        // A stride the source does not show (as a pass could not make it)
        // still widens the window to the landing cell.
        assert_eq!(scan_window(&p.source, scan, 5), (-3, 5));
    }

    /// The quick scan of bracket-free text agrees with the two general ones.
    #[test]
    fn both_excursions_at_once() {
        for text in [
            &b""[..],
            b"><",
            b"<<x>>>>.<",
            b"+>>-<<<<,",
            b"<[->>>+<<<]>>",
            b">[[-]>]<<",
        ] {
            let both = (source_excursion(text), certain_excursion(text));
            assert_eq!(excursions(text), both, "{}", String::from_utf8_lossy(text));
        }
        // Runs longer than a word, ending inside one and at a word's edge.
        for (right, left) in [(8, 17), (9, 3), (16, 16), (23, 40), (7, 8)] {
            let text = format!(
                "{}\n{}x>{}",
                ">".repeat(right),
                "<".repeat(left),
                "<".repeat(right)
            );
            let text = text.as_bytes();
            let both = (source_excursion(text), certain_excursion(text));
            assert_eq!(excursions(text), both, "{right} {left}");
        }
    }

    #[test]
    fn excursion_counts_inside_folded_loops_and_restores_after() {
        assert_eq!(source_excursion(b"[->>>+<<<]<"), (-1, 3));
        assert_eq!(source_excursion(b"><"), (0, 1));
    }
}
