//! Structural properties of every pass on random programs: a pass never makes
//! a program longer, running it twice changes nothing (but see
//! `NOT_IDEMPOTENT`), and the span
//! invariants the segment guards rely on survive (a control op spans exactly
//! its source brackets). Also: passes cope with very deep nesting.

use ir_passes::ir::CellWidth;
use ir_passes::passes::PASSES;
use ir_passes::pipeline::Pipeline;
use ir_passes::test_support::generate::{bf_test_program, cell_width, config};
use ir_passes::test_support::run::{bytecode, on_big_stack, program, Setup};
use ir_passes::validate::validate;
use proptest::prelude::*;

/// Passes for which a second run may still find something. `known_values`
/// analyses a loop body with the facts from before the loop only when the
/// body's shape allows (small, balanced, no scans); its own rewrite can give
/// an enclosing loop that shape (a dead `[>]` goes), and the next run then
/// knows more inside it. The `-O2` pipeline repeats until nothing changes.
const NOT_IDEMPOTENT: &[&str] = &["known_values"];

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn passes_never_grow_programs_and_keep_spans(text in bf_test_program(), cell in cell_width()) {
        let original = program(&text, cell);
        // Each pass alone on the parsed program, and each pass on the output
        // of all the others (the shapes it meets inside the pipeline).
        let o2 = Pipeline::level(2).run(original.clone(), false).program;
        for input in [&original, &o2] {
            for pass in PASSES {
                let out = (pass.run)(input.clone());
                prop_assert!(out.op_count() <= input.op_count(), "{} grew {text}", pass.name);
                validate(&out).map_err(TestCaseError::fail)?;
                if !NOT_IDEMPOTENT.contains(&pass.name) {
                    let again = (pass.run)(out.clone());
                    prop_assert_eq!(&again.body, &out.body, "{} twice on {}", pass.name, text);
                }
            }
        }
    }
}

#[test]
fn deep_nesting_passes_through_every_level() {
    on_big_stack(|| {
        const DEPTH: usize = 100_000;
        // Input, so that no pass knows whether the loops run.
        let text = format!(",{}-{}>[-]", "[".repeat(DEPTH), "]".repeat(DEPTH));
        let original = program(&text, CellWidth::U8);
        let optimized = Pipeline::level(2).run(original, false).program;
        // The innermost `[-]` became a set, the loop around it an `if` (its
        // body ends on a zero cell), and so on outwards; `>[-]` is a set.
        assert_eq!(optimized.op_count(), DEPTH + 3);
        let run = bytecode(&optimized, &Setup::small(vec![1], Default::default()));
        assert_eq!(run.result, Ok(()));
        assert_eq!(run.tape[0], 0);
        drop(optimized);
    });
}
