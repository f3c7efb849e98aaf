//! Multiply loops: a balanced loop that steps its counter by an odd constant
//! and adds constants to other cells becomes multiply-adds and a clear.

use crate::ir::{Node, Offset, Op, Program};
use crate::passes::mark;
use crate::passes::util::{by_value, inverse, linear, negate, replace_loops};

/// Replaces multiply and copy loops by `muladd`s followed by `set p[0], 0`.
///
/// ```text
/// BF:      ,[->+>+++<<]>[-<+>]
/// before:  in p[0]                  (after fold_runs)
///          loop { add p[0], -1; move +1; add p[0], 1; move +1; add p[0], 3; move -2 }
///          move +1
///          loop { add p[0], -1; move -1; add p[0], 1; move +1 }
/// after:   in p[0]
///          muladd p[+1], p[0] * 1
///          muladd p[+2], p[0] * 3
///          set p[0], 0
///          move +1
///          muladd p[-1], p[0] * 1
///          set p[0], 0
/// ```
///
/// The loop qualifies when its body has only adds and moves, moves back to
/// where it started, and adds an odd total `step` to its own cell. It then
/// runs `n = p[0] * inverse(-step)` times (mod 2^bits): the odd step makes
/// `-step` invertible, so this `n` is the unique solution of
/// `p[0] + n * step = 0`. Each other cell gains `n` times its total add.
/// With `p[0] = 0` the muladds add 0 and the set is a no-op, as the loop
/// would not have run. An even step may never reach zero and stays a loop.
///
/// The new ops join the surrounding segment; the loop's source lies in that
/// segment's gap, so its guard covers every cell the loop could touch.
pub fn mul_loops(program: Program) -> Program {
    by_value(program, run)
}

/// [`mul_loops`] in place; whether it changed anything.
pub fn run(program: &mut Program) -> bool {
    replace_loops(program, mark::MUL_LOOPS, |body, span, cell| {
        let effect = linear(body, cell)?;
        let step = effect.at(0)?;
        if effect.moves != 0 || step % 2 == 0 {
            return None;
        }
        let trips = inverse(negate(step, cell));
        let mut out = Vec::with_capacity(effect.adds.len());
        for &(dst, add) in effect.adds.iter().filter(|&&(dst, _)| dst != 0) {
            let dst = Offset::try_from(dst).ok()?;
            let factor = cell.wrap(add.wrapping_mul(trips));
            out.push(Node::new(
                Op::MulAdd {
                    src: 0,
                    dst,
                    factor,
                },
                span,
            ));
        }
        out.push(Node::new(
            Op::Set {
                offset: 0,
                value: 0,
            },
            span,
        ));
        Some(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::CellWidth;
    use crate::passes::util::{after, after_with};

    #[test]
    fn copy_and_multiply_loops() {
        assert_eq!(
            after(mul_loops, "[->+>++<<]"),
            "muladd p[+1], p[0] * 1\nmuladd p[+2], p[0] * 2\nset p[0], 0\n"
        );
        assert_eq!(
            after(mul_loops, "[>+<-]"),
            "muladd p[+1], p[0] * 1\nset p[0], 0\n"
        );
        assert_eq!(
            after(mul_loops, "[-<+>]"),
            "muladd p[-1], p[0] * 1\nset p[0], 0\n"
        );
        assert_eq!(
            after(mul_loops, "[-<->]"),
            "muladd p[-1], p[0] * -1\nset p[0], 0\n"
        );
    }

    #[test]
    fn a_step_other_than_minus_one_scales_the_factor() {
        // Counting up by one runs 256 - p[0] times: the factor is -1.
        assert_eq!(
            after(mul_loops, "[+>+<]"),
            "muladd p[+1], p[0] * -1\nset p[0], 0\n"
        );
        // Step -3: trips = p[0] * inverse(3) = p[0] * 171 (mod 256).
        assert_eq!(
            after(mul_loops, "[--->+<]"),
            "muladd p[+1], p[0] * -85\nset p[0], 0\n"
        );
        assert_eq!(
            after_with(mul_loops, "[--->+<]", CellWidth::U16),
            "muladd p[+1], p[0] * -21845\nset p[0], 0\n"
        );
    }

    #[test]
    fn unsound_cases_stay_loops() {
        for bf in [
            "[-->+<]",  // even step
            "[->+]",    // unbalanced
            "[->+<.]",  // output
            "[->,<]",   // input
            "[->[-]<]", // inner loop (already a set here, but not an add)
            "[->[+<]]", // inner loop
            "[>+<]",    // counter never changes
        ] {
            assert!(after(mul_loops, bf).starts_with("loop {"), "{bf}");
        }
    }
}
