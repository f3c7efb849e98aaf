//! Differential tests: every pass alone, and the `-O1` and `-O2` pipelines,
//! leave a random program's output, tape, final pointer and error (kind and
//! source position) exactly as the reference interpreter running the source.

use ir_passes::error::{RunError, Side};
use ir_passes::ir::{CellWidth, Program};
use ir_passes::passes::PASSES;
use ir_passes::pipeline::Pipeline;
use ir_passes::test_support::generate::{bf_test_program, cell_width, config, eof_mode};
use ir_passes::test_support::oracle::same_behaviour;
use ir_passes::test_support::run::{program, reference, Setup};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

fn check(
    text: &str,
    cell: CellWidth,
    setup: &Setup,
    optimize: impl Fn(Program) -> Program,
) -> Result<(), TestCaseError> {
    let original = program(text, cell);
    let optimized = optimize(original.clone());
    same_behaviour(&original, &optimized, setup).map_err(TestCaseError::fail)?;
    Ok(())
}

proptest! {
    #![proptest_config(config(2500))]

    #[test]
    fn every_pass_alone_is_sound(
        text in bf_test_program(),
        cell in cell_width(),
        input in prop::collection::vec(any::<u8>(), 0..6),
        eof in eof_mode(),
    ) {
        let setup = Setup::small(input, eof);
        for pass in PASSES {
            check(&text, cell, &setup, |p| pass.apply(p))
                .map_err(|e| TestCaseError::fail(format!("pass {}: {e}", pass.name)))?;
        }
    }

    #[test]
    fn random_pass_sequences_are_sound(
        text in bf_test_program(),
        cell in cell_width(),
        input in prop::collection::vec(any::<u8>(), 0..6),
        eof in eof_mode(),
        order in prop::collection::vec(0..PASSES.len(), 1..12),
    ) {
        // Passes meet each other's output in any order under `--passes`.
        let setup = Setup::small(input, eof);
        let names: Vec<&str> = order.iter().map(|&i| PASSES[i].name).collect();
        let pipeline = Pipeline::named(&names).unwrap();
        check(&text, cell, &setup, |p| pipeline.run(p, false).program)
            .map_err(|e| TestCaseError::fail(format!("{names:?}: {e}")))?;
    }

    #[test]
    fn the_pipelines_are_sound(
        text in bf_test_program(),
        cell in cell_width(),
        input in prop::collection::vec(any::<u8>(), 0..6),
        eof in eof_mode(),
    ) {
        let setup = Setup::small(input, eof);
        for level in [1, 2] {
            check(&text, cell, &setup, |p| Pipeline::level(level).run(p, false).program)
                .map_err(|e| TestCaseError::fail(format!("-O{level}: {e}")))?;
        }
    }
}

/// The generator is only useful if its programs end in every way a pass
/// could get wrong: errors off both ends, normal ends with and without
/// output, and (not too many) runs that hit the step budget.
#[test]
fn generated_programs_end_in_every_way() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use RunError::OffTape;
    let mut runner = TestRunner::deterministic();
    let mut counts = std::collections::BTreeMap::new();
    const N: usize = 1000;
    for _ in 0..N {
        let text = bf_test_program().new_tree(&mut runner).unwrap().current();
        let p = program(&text, CellWidth::U8);
        let run = reference(&p, &Setup::small(vec![1, 2, 3], Default::default()));
        let kind = match run.result {
            Ok(()) if run.output.is_empty() => "ok, no output",
            Ok(()) => "ok, output",
            Err(OffTape {
                side: Side::Left, ..
            }) => "off the left end",
            Err(OffTape {
                side: Side::Right, ..
            }) => "off the right end",
            Err(RunError::StepLimit) => "step limit",
            Err(_) => "other error",
        };
        *counts.entry(kind).or_insert(0) += 1;
    }
    eprintln!("{counts:#?}");
    for kind in [
        "ok, no output",
        "ok, output",
        "off the left end",
        "off the right end",
    ] {
        let n = counts.get(kind).copied().unwrap_or(0);
        assert!(
            n >= N / 50,
            "only {n} of {N} programs end {kind}: {counts:?}"
        );
    }
    assert!(
        counts.get("step limit").copied().unwrap_or(0) < N / 2,
        "{counts:?}"
    );
}

/// Hand-picked cases at the tape ends, where guards fail, plus programs
/// that once found bugs.
#[test]
fn edge_cases_and_regressions() {
    let cases = [
        // A multiply loop reaching left of cell 0: harmless when the counter
        // is zero (the guard fails, the source runs, nothing happens) ...
        "[-<+>]+.",
        // ... an error at the `<` otherwise.
        "+[-<+>]",
        ",[-<+>]",
        // Cancelled moves that leave the tape in the source.
        "<>+.",
        "+[-<>]",
        // Scans off either end, and from near the right end (64 cells).
        "+[<]",
        "+[>+]",
        ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>+[>]",
        "+>+>+>+<<<[>>]",
        // Dead loops whose bodies would leave the tape.
        "[<<<]<",
        "+[-][<<]+.",
        // An if whose body leaves the tape, and one that does not.
        ",[<+>[-]]",
        ">,[<+>[-]]<.",
        // Offsets folded past the right end.
        ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>+<<.",
        // Programs that once found bugs.
        "+[[>+<+>>>>+<+[+]+[<]-]]",
        ">>>>++[[<<<++>>>>-<<<<-->>>+++<]]+++[+]+[>]++[++>+<+[-]+[>[<]+++[+]-]]",
    ];
    for text in cases {
        for cell in [CellWidth::U8, CellWidth::U16, CellWidth::U32] {
            for input in [vec![], vec![1, 2, 3]] {
                let setup = Setup::small(input, Default::default());
                let original = program(text, cell);
                let mut optimized = vec![];
                for pass in PASSES {
                    optimized.push((pass.name, pass.apply(original.clone())));
                }
                for (name, level) in [("-O1", 1), ("-O2", 2)] {
                    let p = Pipeline::level(level).run(original.clone(), false).program;
                    optimized.push((name, p));
                }
                for (name, p) in optimized {
                    if let Err(e) = same_behaviour(&original, &p, &setup) {
                        panic!("{name} {cell:?}: {e}");
                    }
                }
            }
        }
    }
}
