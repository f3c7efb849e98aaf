//! Structural properties of every pass on random programs: a pass never makes
//! a program longer, running it twice changes nothing (but see
//! `NOT_IDEMPOTENT`), and the span
//! invariants the segment guards rely on survive (a control op spans exactly
//! its source brackets). Every pass says truthfully whether it changed the
//! program, and the marks that let passes skip bodies (and `known_values`'
//! memos) are sound. Parsing with
//! runs folded is exactly parsing and then folding, and warns alike. Also:
//! passes cope with very deep nesting.

use ir_passes::ir::{map_bodies, CellWidth, Program};
use ir_passes::lint::lint;
use ir_passes::parse::{parse, parse_folded};
use ir_passes::passes::fold_runs::fold_runs;
use ir_passes::passes::PASSES;
use ir_passes::pipeline::{Pipeline, MAX_ROUNDS};
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
                let mut out = input.clone();
                let changed = (pass.run)(&mut out);
                prop_assert!(out.op_count() <= input.op_count(), "{} grew {text}", pass.name);
                validate(&out).map_err(TestCaseError::fail)?;
                prop_assert_eq!(changed, out.body != input.body, "{} claims changed = {} on {}", pass.name, changed, text);
                if !NOT_IDEMPOTENT.contains(&pass.name) {
                    let mut again = unmarked(&out);
                    prop_assert!(!(pass.run)(&mut again), "{} changed its own output {}", pass.name, text);
                    prop_assert_eq!(&again.body, &out.body, "{} twice on {}", pass.name, text);
                }
            }
        }
    }

    /// The marks that let a pass skip loop bodies it changed nothing in are
    /// sound: on the -O2 result (a fixed point, reached with the marks),
    /// every pass still changes nothing when it has to look at every body.
    #[test]
    fn o2_is_a_fixed_point_without_marks(text in bf_test_program(), cell in cell_width()) {
        let o2 = Pipeline::level(2).run(program(&text, cell), false);
        prop_assume!(!o2.capped);
        for pass in PASSES {
            let mut again = unmarked(&o2.program);
            prop_assert!(!(pass.run)(&mut again), "{} changed the -O2 result of {}", pass.name, text);
        }
    }

    /// Marks and `known_values`' memos only save work: `-O2` with them
    /// gives exactly what it gives when every pass looks at every body in
    /// every round.
    #[test]
    fn marks_and_memos_change_no_result(text in bf_test_program(), cell in cell_width()) {
        let original = program(&text, cell);
        let o2 = Pipeline::level(2).run(original.clone(), false);
        let mut slow = original;
        for _ in 0..MAX_ROUNDS {
            let mut any = false;
            for pass in PASSES {
                let mut next = unmarked(&slow);
                any |= (pass.run)(&mut next);
                slow = next;
            }
            if !any {
                break;
            }
        }
        prop_assert_eq!(&o2.program.body, &slow.body, "{}", text);
    }

    #[test]
    fn parse_folded_is_parse_then_fold_runs(text in bf_test_program(), cell in cell_width()) {
        let parsed = parse("t", text.as_bytes(), cell).unwrap();
        let folded = parse_folded("t", text.as_bytes(), cell).unwrap();
        prop_assert_eq!(&folded.body, &fold_runs(parsed.clone()).body);
        prop_assert_eq!(lint(&folded), lint(&parsed), "{}", text);
    }

    /// Runs that cancel out (what `parse_folded` leaves no node for) next to
    /// loops and moves, where the warnings look.
    #[test]
    fn folded_programs_warn_alike(text in "[-+<>\\[\\]. x]{0,40}") {
        let balanced = balance(&text);
        let parsed = parse("t", balanced.as_bytes(), CellWidth::U8).unwrap();
        let folded = parse_folded("t", balanced.as_bytes(), CellWidth::U8).unwrap();
        prop_assert_eq!(&folded.body, &fold_runs(parsed.clone()).body);
        prop_assert_eq!(lint(&folded), lint(&parsed), "{}", balanced);
    }
}

/// A copy of the program with no marks on its bodies (every body is looked
/// at again).
fn unmarked(program: &Program) -> Program {
    program.with_body(map_bodies(program.body.clone(), &mut |b| b))
}

/// `text` with unmatched brackets dropped.
fn balance(text: &str) -> String {
    let mut open = Vec::new();
    let mut keep = vec![true; text.len()];
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' => open.push(i),
            b']' if open.pop().is_none() => keep[i] = false,
            _ => {}
        }
    }
    for i in open {
        keep[i] = false;
    }
    text.bytes()
        .zip(keep)
        .filter(|&(_, k)| k)
        .map(|(b, _)| b as char)
        .collect()
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
