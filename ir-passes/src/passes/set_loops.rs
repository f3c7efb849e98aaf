//! Set loops: a counter loop like a multiply loop whose body also sets cells
//! (`[>[-]<-]`, a delay loop) becomes an `if` holding the whole loop's effect.

use crate::guard::{inner_span, source_excursion};
use crate::ir::{Node, Offset, Op, Program, Value};
use crate::passes::mark;
use crate::passes::util::{by_value, inverse, negate, replace_loops};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Replaces balanced counter loops that set cells by an `if`.
///
/// ```text
/// BF:      [>[-]+++++[-]>+<<-]
/// before:  loop {                   (after the -O1 passes)
///            set p[+1], 0
///            add p[+2], 1
///            add p[0], -1
///          }
/// after:   if {
///            muladd p[+2], p[0] * 1
///            set p[+1], 0
///            set p[0], 0
///          }
/// ```
///
/// The loop qualifies when its body only adds, sets, moves and copies the
/// counter into a set cell, comes back to
/// where it started, adds an odd total to its own cell and never sets it, and
/// sets at least one other cell (without sets it is `mul_loops`' business).
/// It then runs `n = p[0] * inverse(-step)` times; a cell with only adds gains
/// `n` times their total, a cell with a set ends with the value its last set
/// and the adds after it give, but only if the loop runs at all, hence the
/// `if`. A set cell may also receive multiply-adds from the counter (a copy
/// of the counter, which `linear_fold` leaves of `[->+>+<<]>>[-<<+>>]<<`):
/// in the last run, the counter starts at `-step`, so that too is a constant.
///
/// Unlike every other body, this `if`'s body does not do what one run of its
/// source does: it does all of them. That is still exact under the segment
/// guards because of one more condition: one run of the body's source must
/// visit every cell of its excursion. A guard that fails then means the first
/// run of the body's source leaves the tape, and the fallback, running that
/// source, reports exactly that error, as the loop would have. The cells
/// visited for certain are those the moves outside brackets pass, and those
/// the body's ops write: in a body of adds and sets only, each of these stands
/// for a command that ran at that cell (a `+`, a clear loop's `[`, the body
/// of an `if` or multiply loop known to run). A counter copy's muladd adds no
/// cell of its own (its target has a set, its source is the counter). This
/// rests on what every pass leaves in a body: a pass that put an add or set
/// on a cell only a loop that may not run writes would break it. Any inner loop in the source
/// has been folded away by then and ends. A body whose excursion comes from
/// inner loops that may not run (`[>[-<<>>]<-]`) stays a loop.
pub fn set_loops(program: Program) -> Program {
    by_value(program, run)
}

/// [`set_loops`] in place; whether it changed anything.
pub fn run(program: &mut Program) -> bool {
    let source = Arc::clone(&program.source);
    replace_loops(program, mark::SET_LOOPS, |body, span, cell| {
        let effects = effects(body)?;
        let step = match effects.get(&0) {
            Some(Effect::Add(step)) if cell.wrap(*step) % 2 == 1 => cell.wrap(*step),
            _ => return None,
        };
        if !effects.values().any(|e| matches!(e, Effect::Set { .. })) {
            return None;
        }
        // The cells one run of the body's source visits for certain: those
        // its moves outside brackets pass, and every cell an op writes (see
        // below), with all between (the pointer moves one cell at a time).
        let text = source.slice(inner_span(span));
        let (mut lo, mut hi) = unconditional_excursion(text);
        for &at in effects.keys() {
            (lo, hi) = (lo.min(at), hi.max(at));
        }
        let (need_lo, need_hi) = source_excursion(text);
        if need_lo < lo || need_hi > hi {
            return None;
        }
        let trips = inverse(negate(step, cell));
        let inner = inner_span(span);
        let mut muladds = Vec::new();
        let mut sets = Vec::new();
        for (&at, &effect) in effects.iter().filter(|(&at, _)| at != 0) {
            let offset = Offset::try_from(at).ok()?;
            match effect {
                Effect::Add(k) if cell.wrap(k) == 0 => {}
                Effect::Add(k) => {
                    let factor = cell.wrap(k.wrapping_mul(trips));
                    let op = Op::MulAdd {
                        src: 0,
                        dst: offset,
                        factor,
                    };
                    muladds.push(Node::new(op, inner));
                }
                Effect::Set { value, per_entry } => {
                    // In the last run, the counter starts at -step.
                    let last = per_entry.wrapping_mul(negate(step, cell));
                    let op = Op::Set {
                        offset,
                        value: cell.wrap(value.wrapping_add(last)),
                    };
                    sets.push(Node::new(op, inner));
                }
            }
        }
        let mut ops = muladds;
        ops.extend(sets);
        ops.push(Node::new(
            Op::Set {
                offset: 0,
                value: 0,
            },
            inner,
        ));
        Some(vec![Node::new(Op::If { body: ops.into() }, span)])
    })
}

/// What one run of the body does to a cell.
#[derive(Clone, Copy, Debug)]
enum Effect {
    /// Adds this much (wrapping).
    Add(Value),
    /// Ends up holding `value + per_entry * c`, whatever it held before,
    /// where `c` is the counter's value when the run began (a set followed
    /// by multiply-adds from the counter: a copy of the loop's counter).
    Set { value: Value, per_entry: Value },
}

/// The per-cell effect of a body of adds, sets, moves and multiply-adds from
/// the counter into a cell set before, that comes back to where it started;
/// `None` for any other body.
fn effects(body: &[Node]) -> Option<BTreeMap<i64, Effect>> {
    let mut pos: i64 = 0;
    let mut cells = BTreeMap::new();
    for node in body {
        match node.op {
            Op::Add { offset, delta } => {
                let e = cells.entry(pos + offset as i64).or_insert(Effect::Add(0));
                *e = match *e {
                    Effect::Add(k) => Effect::Add(k.wrapping_add(delta)),
                    Effect::Set { value, per_entry } => Effect::Set {
                        value: value.wrapping_add(delta),
                        per_entry,
                    },
                };
            }
            Op::Set { offset, value } => {
                let set = Effect::Set {
                    value,
                    per_entry: 0,
                };
                cells.insert(pos + offset as i64, set);
            }
            // The counter here is its value at the run's start plus the
            // adds to it so far.
            Op::MulAdd { src, dst, factor } if pos + src as i64 == 0 => {
                let so_far = match cells.get(&0) {
                    None => 0,
                    Some(Effect::Add(k)) => *k,
                    Some(Effect::Set { .. }) => return None,
                };
                match cells.get_mut(&(pos + dst as i64)) {
                    Some(Effect::Set { value, per_entry }) => {
                        *value = value.wrapping_add(factor.wrapping_mul(so_far));
                        *per_entry = per_entry.wrapping_add(factor);
                    }
                    _ => return None,
                }
            }
            Op::Move { delta } => pos += delta as i64,
            _ => return None,
        }
    }
    (pos == 0).then_some(cells)
}

/// The lowest and highest offsets the moves outside any brackets of `text`
/// reach: the cells one run of it visits for certain.
fn unconditional_excursion(text: &[u8]) -> (i64, i64) {
    let (mut at, mut lo, mut hi, mut depth) = (0i64, 0i64, 0i64, 0u32);
    for &b in text {
        match b {
            b'>' if depth == 0 => at += 1,
            b'<' if depth == 0 => at -= 1,
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            _ => continue,
        }
        lo = lo.min(at);
        hi = hi.max(at);
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::CellWidth;
    use crate::passes::util::{after, after_with};

    fn o1_then(p: Program) -> Program {
        set_loops(crate::pipeline::Pipeline::level(1).run(p, false).program)
    }

    #[test]
    fn delay_loops_become_ifs() {
        assert_eq!(
            after(o1_then, ",[>[-]+++++[-]<-]"),
            "in p[0]\nif {\n  set p[+1], 0\n  set p[0], 0\n}\n"
        );
        assert_eq!(
            after(o1_then, ",[>[-]+++++[-]>+<<-]"),
            "in p[0]\nif {\n  muladd p[+2], p[0] * 1\n  set p[+1], 0\n  set p[0], 0\n}\n"
        );
    }

    #[test]
    fn the_last_set_and_later_adds_give_the_value() {
        // The counter steps by +1: 256 - p[0] runs, factor -1 for p[+2].
        assert_eq!(
            after(o1_then, ",[>[-]++<+>>+<<]"),
            "in p[0]\nif {\n  muladd p[+2], p[0] * -1\n  set p[+1], 2\n  set p[0], 0\n}\n"
        );
        assert_eq!(
            after_with(set_loops, ",[-->+<]", CellWidth::U16),
            "in p[0]\nloop {\n  add p[0], -1\n  add p[0], -1\n  move +1\n  add p[0], 1\n  move -1\n}\n"
        );
    }

    #[test]
    fn a_copy_of_the_counter_ends_as_its_last_value() {
        // Each run sets p[+1] to the counter after its decrement: the last
        // run leaves 0 there. Counting up by 1, the last run starts at 255
        // and copies 255 + 1 = 0 plus 7.
        let o2 = |p| crate::pipeline::Pipeline::level(2).run(p, false).program;
        assert_eq!(
            after(o2, ",>,<[->[-]>[-]<<[->+>+<<]>>[-<<+>>]<<]"),
            "in p[0]\nin p[+1]\nif {\n  set p[+1], 0\n  set p[0], 0\n}\n"
        );
        assert_eq!(
            after(o2, ",>,<[+>[-]+++++++>[-]<<[->+>+<<]>>[-<<+>>]<<]"),
            "in p[0]\nin p[+1]\nif {\n  set p[+1], 7\n  set p[0], 0\n}\n"
        );
        // A copy into a cell that is only added to sums over the runs.
        let text = after(o2, ",>,<[->>[-]<<[->+>+<<]>>[-<<+>>]<<]");
        assert!(text.contains("loop"), "{text}");
    }

    #[test]
    fn nested_delay_loops_collapse_at_o2() {
        // The inner loop runs for certain (its cell was just set to 5), so
        // it visits p[+2]: the outer loop qualifies once the inner one is
        // an `if` that `known_values` spliced into the outer body.
        let o2 = |p| crate::pipeline::Pipeline::level(2).run(p, false).program;
        assert_eq!(
            after(o2, ",>,>,<<[>[-]+++++[>[-]+++[-]<-]<-]"),
            "in p[0]\nin p[+1]\nin p[+2]\nif {\n  set p[+1], 0\n  set p[+2], 0\n  set p[0], 0\n}\n"
        );
    }

    #[test]
    fn unsound_cases_stay_loops() {
        for bf in [
            ",[>[-]<--]",    // even step
            ",[>[-]<[-]-]",  // the counter is set
            ",[>[-]<-.]",    // output
            ",[>[-]<-,]",    // input
            ",[>[-]-]",      // unbalanced
            ",[>[-<<>>]<-]", // the excursion comes from an inner loop
            ",[>[-]<-[>]]",  // an inner loop that stays
            ",[->+<]",       // no set: mul_loops' business
        ] {
            let text = after(o1_then, bf);
            assert!(!text.contains("if"), "{bf}: {text}");
        }
    }

    #[test]
    fn unconditional_excursion_skips_inner_loops() {
        assert_eq!(unconditional_excursion(b">[-<<]+<"), (0, 1));
        assert_eq!(source_excursion(b">[-<<]+<"), (-1, 1));
    }
}
