//! Differential testing of every tier at every `-O` level against the
//! reference interpreter (issue 8): random programs (all commands, nested,
//! balanced and multiply-shaped loops, scans, I/O with random input) must give
//! identical output bytes, the same error (kind and source position) and the
//! same final pointer. The auto tier runs at several thresholds, synchronous
//! and in the background.
//!
//! CI runs a few thousand cases. To run millions locally:
//! `PROPTEST_CASES=1000000 cargo test --release --test differential`.
//! A failure prints a shrunk program: add it to `REGRESSIONS` below.

use bfjit::harness::Target;
use bfjit::tier::{compile, compile_with, Tier};
use bfjit::tiered::{Options, Threshold};
use ir_passes::budget::Budget;
use ir_passes::error::RunError;
use ir_passes::io::{EofMode, Io};
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use ir_passes::reference::{self, Machine};
use proptest::prelude::*;

/// Every tier and the `-O` levels it is tested at.
const CONFIGS: &[(Tier, u8)] = &[
    (Tier::Interp, 0),
    (Tier::Interp, 2),
    (Tier::Simple, 0),
    (Tier::Opt, 0),
    (Tier::Opt, 1),
    (Tier::Opt, 2),
];

/// The auto tier's thresholds (issue 17): the whole program first (0), every
/// loop hot at once (1), a value that differs per program, never; each
/// compiled synchronously and in the background.
fn auto_configs(text: &str) -> [(Threshold, bool); 6] {
    let some = Threshold::Hot(2 + text.len() as u32 % 7);
    [
        (Threshold::Before, true),
        (Threshold::Hot(1), true),
        (Threshold::Hot(1), false),
        (some, true),
        (some, false),
        (Threshold::Never, false),
    ]
}

/// Loop back edges a run may take before it counts as "may not halt".
const STEPS: u64 = 1 << 16;

/// Programs differential testing once found a bug in; each stays a test.
const REGRESSIONS: &[&str] = &[];

#[derive(Debug, PartialEq, Eq)]
struct Run {
    result: Result<(), RunError>,
    output: Vec<u8>,
    ptr: Option<usize>,
}

fn reference_run(p: &Program, input: &[u8], config: &Target) -> Run {
    fn go<C: ir_passes::cell::CellType>(p: &Program, input: &[u8], config: &Target) -> Run {
        let mut tape = vec![C::default(); config.tape_size];
        let mut m = Machine {
            tape: &mut tape,
            ptr: 0,
        };
        let (mut inp, mut output) = (input, Vec::new());
        let mut io = Io::new(&mut inp, &mut output, config.eof, p.cell);
        let mut budget = Budget::new(config.max_steps.unwrap_or(u64::MAX), None);
        let result = reference::run(&p.source, &mut m, &mut io, &mut budget).and(io.flush());
        drop(io);
        let ptr = result.is_ok().then_some(m.ptr);
        Run {
            result,
            output,
            ptr,
        }
    }
    match p.cell {
        CellWidth::U8 => go::<u8>(p, input, config),
        CellWidth::U16 => go::<u16>(p, input, config),
        CellWidth::U32 => go::<u32>(p, input, config),
    }
}

fn tier_run(p: &Program, tier: Tier, level: u8, input: &[u8], config: &Target) -> Run {
    let optimized = Pipeline::level(level).run(p.clone(), false).program;
    let code = compile(&optimized, tier, config).expect("compile");
    let (mut inp, mut output) = (input, Vec::new());
    let outcome = code.run(&mut inp, &mut output).expect("tape");
    let ptr = outcome.result.is_ok().then_some(outcome.ptr);
    Run {
        result: outcome.result,
        output,
        ptr,
    }
}

fn auto_run(
    p: &Program,
    (threshold, sync): (Threshold, bool),
    input: &[u8],
    config: &Target,
) -> Run {
    let options = Options {
        threshold,
        sync,
        ..Options::default()
    };
    // The path of large programs: only the cheap passes before the
    // interpreter starts (small ones, like these, get -O2 at once).
    let program = options.pipeline.up_to(1).run(p.clone(), false).program;
    let code = compile_with(&program, Tier::Auto, config, &options).expect("compile");
    let (mut inp, mut output) = (input, Vec::new());
    let outcome = code.run(&mut inp, &mut output).expect("tape");
    let ptr = outcome.result.is_ok().then_some(outcome.ptr);
    Run {
        result: outcome.result,
        output,
        ptr,
    }
}

/// Checks every config against the reference; `Ok(false)` when the reference
/// ran out of steps and nothing could be compared.
fn check(text: &str, cell: CellWidth, eof: EofMode, input: &[u8]) -> Result<bool, String> {
    let p = parse("diff.b", text.as_bytes(), cell).map_err(|e| e.to_string())?;
    let config = Target {
        eof,
        tape_size: 48,
        timeout: None,
        max_steps: Some(STEPS),
    };
    let want = reference_run(&p, input, &config);
    if want.result == Err(RunError::StepLimit) {
        return Ok(false);
    }
    // Engines count steps at different granularity (a rotated loop, a check
    // interval), so a tier that runs out where the reference did not gets a
    // far larger budget before it is compared.
    let generous = Target {
        max_steps: Some(STEPS * 64),
        ..config
    };
    // Every other case runs the code `bfjit run` runs without `--timeout`,
    // which has no budget checks: the reference finished, so the program
    // ends, and a tier that looped forever would hang the test (a failure
    // all the same, if a less tidy one).
    let unlimited = Target {
        max_steps: None,
        ..config
    };
    let checked = text.len().is_multiple_of(2);
    for &(tier, level) in CONFIGS {
        if !checked {
            let got = tier_run(&p, tier, level, input, &unlimited);
            if got != want {
                return Err(format!(
                    "{} -O{level} (unlimited) {cell:?} {eof:?} input {input:?}\nprogram: {text}\nwant {want:?}\ngot  {got:?}",
                    tier.name()
                ));
            }
            continue;
        }
        let mut got = tier_run(&p, tier, level, input, &config);
        if got.result == Err(RunError::StepLimit) {
            got = tier_run(&p, tier, level, input, &generous);
        }
        if got != want {
            return Err(format!(
                "{} -O{level} {cell:?} {eof:?} input {input:?}\nprogram: {text}\nwant {want:?}\ngot  {got:?}",
                tier.name()
            ));
        }
    }
    for auto in auto_configs(text) {
        let target = if checked { &generous } else { &unlimited };
        let got = auto_run(&p, auto, input, target);
        if got != want {
            return Err(format!(
                "auto {auto:?} {cell:?} {eof:?} input {input:?}\nprogram: {text}\nwant {want:?}\ngot  {got:?}"
            ));
        }
    }
    Ok(true)
}

/// A random BF program biased toward the shapes optimizers rewrite.
fn program() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => "[-+<>]{1,6}",
        1 => Just(".".to_string()),
        1 => Just(",".to_string()),
        1 => Just("[-]".to_string()),
        1 => "\\[(>|<|>>|<<|>>>)\\]",
        1 => "\\[-(>+<|>>+<<|<+>|>\\+\\+<|>+>+++<<)\\]",
        1 => "\\[--?(>---<|<+++>)\\]",
        1 => "[a-z ]{1,3}",
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..6).prop_map(|v| v.concat()),
            prop::collection::vec(inner, 1..4).prop_map(|v| format!("[{}]", v.concat())),
        ]
    })
}

fn settings() -> impl Strategy<Value = (CellWidth, EofMode, Vec<u8>)> {
    (
        prop_oneof![
            Just(CellWidth::U8),
            Just(CellWidth::U16),
            Just(CellWidth::U32)
        ],
        prop_oneof![
            Just(EofMode::Unchanged),
            Just(EofMode::Zero),
            Just(EofMode::Max)
        ],
        prop::collection::vec(any::<u8>(), 0..6),
    )
}

proptest! {
    // Debug builds (the README's `cargo test`) run a quick sample; CI's release
    // pass runs thousands.
    #![proptest_config(ProptestConfig { cases: if cfg!(debug_assertions) { 200 } else { 4000 }, ..ProptestConfig::default() })]

    #[test]
    fn every_tier_agrees_with_the_reference(
        parts in prop::collection::vec(program(), 1..5),
        (cell, eof, input) in settings(),
    ) {
        // A leading `+` makes the first loop run, and sometimes a `<` at the
        // start of a part walks off the left end.
        let text = format!("+{}", parts.concat());
        check(&text, cell, eof, &input).map_err(TestCaseError::fail)?;
    }
}

#[test]
fn regressions_agree() {
    for text in REGRESSIONS {
        for cell in [CellWidth::U8, CellWidth::U16, CellWidth::U32] {
            check(text, cell, EofMode::Unchanged, b"ab").unwrap();
        }
    }
}

/// The generator must produce comparable cases, or the property says nothing.
#[test]
fn most_generated_cases_are_compared() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut compared, mut failed_off_tape) = (0, 0);
    for _ in 0..200 {
        let text = format!("+{}", program().new_tree(&mut runner).unwrap().current());
        if check(&text, CellWidth::U8, EofMode::Zero, b"x") == Ok(true) {
            compared += 1;
            let p = parse("d", text.as_bytes(), CellWidth::U8).unwrap();
            let config = Target {
                tape_size: 48,
                max_steps: Some(STEPS),
                ..Target::default()
            };
            if matches!(
                reference_run(&p, b"x", &config).result,
                Err(RunError::OffTape { .. })
            ) {
                failed_off_tape += 1;
            }
        }
    }
    assert!(
        compared > 120,
        "only {compared} of 200 cases were comparable"
    );
    assert!(
        failed_off_tape > 10,
        "only {failed_off_tape} cases exercised tape errors"
    );
}
