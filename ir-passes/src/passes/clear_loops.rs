//! Clear loops: a loop whose only effect is stepping its own cell by an odd
//! amount ends with that cell at zero, so it becomes `set p[0], 0`.

use crate::ir::{Node, Op, Program};
use crate::passes::mark;
use crate::passes::util::{by_value, linear, replace_loops};

/// Replaces clear loops (`[-]`, `[+]`, `[---]`, …) by a set to zero.
///
/// ```text
/// BF:      ,[-]>,[+++]>,[--]
/// before:  in p[0]                  (after fold_runs)
///          loop { add p[0], -1 }
///          move +1
///          in p[0]
///          loop { add p[0], 3 }
///          move +1
///          in p[0]
///          loop { add p[0], -2 }
/// after:   in p[0]
///          set p[0], 0
///          move +1
///          in p[0]
///          set p[0], 0
///          move +1
///          in p[0]
///          loop { add p[0], -2 }     (even step: may never end)
/// ```
///
/// The step must be odd: with wrapping cells an odd step reaches zero from
/// any value, while an even one never does from an odd value (`[--]` on 1
/// runs forever), so even-step loops stay. The body may move about, as long
/// as it comes back and adds nothing elsewhere in total (`[<+->-]`). The
/// set keeps the loop's span; the loop's source now lies in its segment's
/// gap, whose guard covers the body's excursion.
pub fn clear_loops(program: Program) -> Program {
    by_value(program, run)
}

/// [`clear_loops`] in place; whether it changed anything.
pub fn run(program: &mut Program) -> bool {
    replace_loops(program, mark::CLEAR_LOOPS, |body, span, cell| {
        let clears = match body {
            // `[-]` and `[+]`, most of them: no map of the effect needed.
            [Node {
                op: Op::Add { offset: 0, delta },
                ..
            }] => cell.wrap(*delta) % 2 == 1,
            _ => {
                let effect = linear(body, cell)?;
                let step = effect.at(0)?;
                effect.moves == 0 && effect.adds.len() == 1 && step % 2 == 1
            }
        };
        clears.then(|| {
            vec![Node::new(
                Op::Set {
                    offset: 0,
                    value: 0,
                },
                span,
            )]
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::CellWidth;
    use crate::passes::util::{after, after_with};

    #[test]
    fn odd_step_loops_become_sets() {
        assert_eq!(after(clear_loops, "[-]"), "set p[0], 0\n");
        assert_eq!(after(clear_loops, "[+]"), "set p[0], 0\n");
        assert_eq!(after(clear_loops, "[+++]"), "set p[0], 0\n");
        assert_eq!(after(clear_loops, "[<+->-]"), "set p[0], 0\n");
        assert_eq!(
            after_with(clear_loops, "[-]", CellWidth::U32),
            "set p[0], 0\n"
        );
    }

    #[test]
    fn nested_clear_loops_are_rewritten_in_place() {
        assert_eq!(
            after(clear_loops, "[>[-]<-]"),
            "loop {\n  move +1\n  set p[0], 0\n  move -1\n  add p[0], -1\n}\n"
        );
    }

    #[test]
    fn unsound_cases_stay_loops() {
        // Even step: may never reach zero.
        assert_eq!(
            after(clear_loops, "[--]"),
            "loop {\n  add p[0], -1\n  add p[0], -1\n}\n"
        );
        // Unbalanced, I/O, another cell, an inner loop, empty.
        for bf in ["[->]", "[-.]", "[-,]", "[->+<]", "[-[]]", "[]", "[+-]"] {
            assert!(after(clear_loops, bf).starts_with("loop {"), "{bf}");
        }
    }
}
