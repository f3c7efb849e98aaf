//! Differential testing of every tier at every `-O` level against the
//! reference interpreter (issue 8): random programs (all commands, nested,
//! balanced and multiply-shaped loops, scans, I/O with random input) must give
//! identical output bytes, the same error (kind and source position) and the
//! same final pointer.
//!
//! CI runs a few thousand cases. To run millions locally:
//! `PROPTEST_CASES=1000000 cargo test --release --test differential`.
//! A failure prints a shrunk program: add it to `REGRESSIONS` below.

mod common;

use bfjit::harness::Target;
use bfjit::tier::Tier;
use bfjit::tiered::Threshold;
use common::tiers::{reference, run_auto, run_tier};
use ir_passes::error::RunError;
use ir_passes::io::EofMode;
use ir_passes::ir::CellWidth;
use ir_passes::parse::parse;
use ir_passes::test_support::generate::{bf_body, cell_width, eof_mode};
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

/// Programs random testing once found a bug in; each stays a test. The
/// first two are this file's shrunk failures (from its proptest seeds file,
/// now retired, when it had its own generator: `++`, and `+[[+-+-+]]` on
/// 16-bit cells); the last two found pass bugs in ir-passes' soundness tests.
const REGRESSIONS: &[&str] = &[
    "++",
    "+[[+-+-+]]",
    "+[[>+<+>>>>+<+[+]+[<]-]]",
    ">>>>++[[<<<++>>>>-<<<<-->>>+++<]]+++[+]+[>]++[++>+<+[-]+[>[<]+++[+]-]]",
];

/// Checks every config against the reference; `Ok(false)` when the reference
/// ran out of steps and nothing could be compared.
fn check(text: &str, cell: CellWidth, eof: EofMode, input: &[u8]) -> Result<bool, String> {
    let p = parse("diff.b", text.as_bytes(), cell).map_err(|e| e.to_string())?;
    let config = Target {
        eof,
        tape_size: 48,
        timeout: None,
        max_steps: Some(STEPS),
        ..Target::default()
    };
    let want = reference(&p, input, &config);
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
    // Every case also runs the code `bfjit run` runs without `--timeout`,
    // which has no budget checks: the reference finished, so the program
    // ends, and a tier that looped forever would hang the test (a failure
    // all the same, if a less tidy one).
    let unlimited = Target {
        max_steps: None,
        ..config
    };
    for &(tier, level) in CONFIGS {
        let mut limited = run_tier(&p, tier, level, input, &config);
        if limited.result == Err(RunError::StepLimit) {
            limited = run_tier(&p, tier, level, input, &generous);
        }
        let unlimited = run_tier(&p, tier, level, input, &unlimited);
        for (got, limits) in [(limited, "limited"), (unlimited, "unlimited")] {
            if got != want {
                return Err(format!(
                    "{} -O{level} ({limits}) {cell:?} {eof:?} input {input:?}\nprogram: {text}\nwant {want:?}\ngot  {got:?}",
                    tier.name()
                ));
            }
        }
    }
    for auto in auto_configs(text) {
        for target in [&generous, &unlimited] {
            let got = run_auto(&p, auto, input, target);
            if got != want {
                return Err(format!(
                    "auto {auto:?} {cell:?} {eof:?} input {input:?}\nprogram: {text}\nwant {want:?}\ngot  {got:?}"
                ));
            }
        }
    }
    Ok(true)
}

proptest! {
    // Debug builds (the README's `cargo test`) run a quick sample; CI's release
    // pass runs thousands.
    #![proptest_config(ProptestConfig { cases: if cfg!(debug_assertions) { 200 } else { 4000 }, ..ProptestConfig::default() })]

    #[test]
    fn every_tier_agrees_with_the_reference(
        body in bf_body(),
        cell in cell_width(),
        eof in eof_mode(),
        input in prop::collection::vec(any::<u8>(), 0..6),
    ) {
        // A leading `+` makes the first loop run, and sometimes a `<` at the
        // start of a part walks off the left end.
        let text = format!("+{body}");
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
        let text = format!("+{}", bf_body().new_tree(&mut runner).unwrap().current());
        if check(&text, CellWidth::U8, EofMode::Zero, b"x") == Ok(true) {
            compared += 1;
            let p = parse("d", text.as_bytes(), CellWidth::U8).unwrap();
            let config = Target {
                tape_size: 48,
                max_steps: Some(STEPS),
                ..Target::default()
            };
            if matches!(
                reference(&p, b"x", &config).result,
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
