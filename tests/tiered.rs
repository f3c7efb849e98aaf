//! The auto tier (tiered execution, issue 17): hot loops compiled as
//! fragments and entered from the interpreter at arbitrary iterations must
//! change nothing — output, error and its position, final pointer — at
//! every threshold, synchronous or in the background; a compile that fails,
//! panics or never finishes must leave a correct run; a timeout fires
//! inside compiled code.
//!
//! The corpus runs at thresholds 0 (whole program first), 1, a pseudo-random
//! value and never, each synchronously and in the background; random
//! programs on tiny tapes at thresholds 1..=4 against the reference.

mod common;

use bfjit::harness::Target;
use bfjit::tier::{compile, Tier};
use bfjit::tiered::log::TierLog;
use bfjit::tiered::{Fault, Options, Threshold};
use common::assert_no_failures;
use common::tiers::{reference, run_auto_with, Run};
use ir_passes::error::RunError;
use ir_passes::io::EofMode;
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use ir_passes::test_support;
use ir_passes::test_support::corpus::{
    cases, corpus, manifest, relative, repo_root, Case, SLOW_COMMANDS,
};
use ir_passes::test_support::generate::{bf_hot_program, cell_width, eof_mode};
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A tier log kept in memory, to look at after the run.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn options(threshold: Threshold, sync: bool) -> Options {
    Options {
        threshold,
        sync,
        ..Options::default()
    }
}

/// Runs `program` (as parsed) on the auto tier the way `bfjit run` does:
/// the passes `before_compile` picks, the whole -O2 selection for compiled
/// loops.
fn run_auto(program: &Program, options: &Options, input: &[u8], target: &Target) -> Run {
    let before = Tier::Auto.before_compile(&options.pipeline, program);
    run_auto_with(program, &before, options, input, target)
}

/// A threshold that differs from case to case but not from run to run.
fn scrambled(name: &str) -> u32 {
    let h = name
        .bytes()
        .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
    2 + h % 3000
}

/// The configurations every corpus case runs in.
fn configs(name: &str) -> Vec<(Threshold, bool)> {
    let r = Threshold::Hot(scrambled(name));
    vec![
        (Threshold::Before, true),
        (Threshold::Hot(1), true),
        (Threshold::Hot(1), false),
        (r, true),
        (r, false),
        (Threshold::Never, false),
    ]
}

fn conventions(args: &[String]) -> (CellWidth, EofMode) {
    let (mut cell, mut eof) = (CellWidth::U8, EofMode::Unchanged);
    for pair in args.windows(2) {
        match (pair[0].as_str(), pair[1].as_str()) {
            ("--cell", bits) => cell = CellWidth::from_bits(bits.parse().unwrap()).unwrap(),
            ("--eof", "zero") => eof = EofMode::Zero,
            ("--eof", "max") => eof = EofMode::Max,
            _ => {}
        }
    }
    (cell, eof)
}

fn load(path: &Path, cell: CellWidth) -> Program {
    let text = std::fs::read(path).expect("read program");
    parse(&path.display().to_string(), &text, cell).expect("parse")
}

/// Runs every case in every configuration; a line per failure.
fn check(cases: &[Case]) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        let (cell, eof) = conventions(&case.args);
        let program = load(&case.program, cell);
        let input = case
            .input
            .as_ref()
            .map_or(Vec::new(), |p| std::fs::read(p).unwrap());
        let expected = std::fs::read(&case.expected).unwrap();
        let target = Target {
            eof,
            ..Target::default()
        };
        for (threshold, sync) in configs(&case.program.display().to_string()) {
            let run = run_auto(&program, &options(threshold, sync), &input, &target);
            if case.exit != 0 || run.result.is_err() || run.output != expected {
                failures.push(format!(
                    "{} {} threshold {threshold} sync {sync}: {:?}, {} bytes out, {} expected",
                    case.program.display(),
                    case.args.join(" "),
                    run.result,
                    run.output.len(),
                    expected.len()
                ));
            }
        }
    }
    failures
}

/// The corpus cases of `folder` that exit 0, fast or slow per the manifest.
fn corpus_cases(folder: &str, slow: bool) -> Vec<Case> {
    let mut cases = test_support::corpus::corpus_cases(folder, slow);
    cases.retain(|c| c.exit == 0);
    cases
}

#[test]
fn own_programs_on_auto() {
    let all = cases(&repo_root().join("bf-programs"));
    assert!(!all.is_empty());
    assert_no_failures(check(&all));
}

#[test]
fn corpus_conformance_on_auto() {
    assert_no_failures(check(&corpus_cases("conformance", false)));
}

#[test]
fn corpus_fast_bench_and_large_on_auto() {
    let mut all = corpus_cases("bench", false);
    all.extend(corpus_cases("large", false));
    assert_no_failures(check(&all));
}

/// Programs the manifest says run over 300 M commands: CI runs them in
/// release (`cargo test --release --test tiered -- --ignored`).
#[test]
#[ignore]
fn corpus_slow_programs_on_auto() {
    let mut all = corpus_cases("bench", true);
    all.extend(corpus_cases("large", true));
    all.extend(corpus_cases("conformance", true));
    assert_no_failures(check(&all));
}

/// The errors folder: every configuration stops with the interp tier's
/// error, at the same source position, after the same output.
#[test]
fn corpus_errors_on_auto() {
    let Some(dir) = corpus() else {
        return;
    };
    let manifest = manifest(&dir);
    let mut failures = Vec::new();
    let target = Target::default();
    for entry in std::fs::read_dir(dir.join("errors")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "b") {
            continue;
        }
        let slow = manifest
            .get(&relative(&dir, &path))
            .is_some_and(|m| m.commands > SLOW_COMMANDS);
        let text = std::fs::read(&path).unwrap();
        let Ok(program) = parse(&path.display().to_string(), &text, CellWidth::U8) else {
            continue; // syntax errors: no tier runs them
        };
        if slow && cfg!(debug_assertions) {
            continue;
        }
        let want = {
            let c = compile(&program, Tier::Interp, &target).unwrap();
            let mut output = Vec::new();
            let outcome = c.run(&mut &b""[..], &mut output).unwrap();
            (outcome.result, output)
        };
        for (threshold, sync) in configs(&path.display().to_string()) {
            let run = run_auto(&program, &options(threshold, sync), b"", &target);
            if (&run.result, &run.output) != (&want.0, &want.1) {
                failures.push(format!(
                    "{} threshold {threshold} sync {sync}: {:?} after {} bytes, want {:?} after {}",
                    path.display(),
                    run.result,
                    run.output.len(),
                    want.0,
                    want.1.len()
                ));
            }
        }
    }
    assert_no_failures(failures);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(debug_assertions) { 96 } else { 2000 },
        ..ProptestConfig::default()
    })]

    /// Every loop that gets hot is compiled as a fragment and entered at
    /// whatever iteration the threshold makes it (1..=4 back edges, and
    /// again at the next entry), synchronously or in the background: the
    /// run agrees with the reference interpreter in output, error (with
    /// its position) and final pointer.
    #[test]
    fn fragments_entered_anywhere_agree_with_the_reference(
        parts in prop::collection::vec(bf_hot_program(), 1..5),
        cell in cell_width(),
        eof in eof_mode(),
        input in prop::collection::vec(any::<u8>(), 0..6),
        threshold in 1u32..5,
        sync in any::<bool>(),
        cheap in any::<bool>(),
        tape_size in prop_oneof![Just(8usize), Just(48)],
    ) {
        let text = format!("+{}", parts.concat());
        let p = parse("tiered.b", text.as_bytes(), cell).unwrap();
        let target = Target {
            eof,
            tape_size,
            timeout: None,
            max_steps: Some(1 << 16),
            ..Target::default()
        };
        let want = reference(&p, &input, &target);
        prop_assume!(want.result != Err(RunError::StepLimit));
        // The reference finished: the program ends, so code without budget
        // checks (what `bfjit run` compiles without --timeout) may run it.
        let unlimited = Target { max_steps: None, ..target };
        let opts = options(Threshold::Hot(threshold), sync);
        let before = if cheap { Pipeline::level(1) } else { Pipeline::level(2) };
        let got = run_auto_with(&p, &before, &opts, &input, &unlimited);
        prop_assert_eq!(&got, &want, "{}", text);
        let limited = Target { max_steps: Some(1 << 22), ..target };
        let got = run_auto_with(&p, &before, &opts, &input, &limited);
        prop_assert_eq!(&got, &want, "{} (with budget checks)", text);
    }
}

/// The property above compiles and enters fragments: with threshold 1 in
/// sync mode, a nest of counted loops has its loops compiled and entered.
#[test]
fn hot_loops_are_compiled_and_entered() {
    let p = parse("t", b"++++[>++++[>+++<-]<-]>>.", CellWidth::U8).unwrap();
    let log = Captured::default();
    let opts = Options {
        log: Some(Arc::new(TierLog::new(Box::new(log.clone())))),
        ..options(Threshold::Hot(1), true)
    };
    let run = run_auto_with(&p, &Pipeline::level(1), &opts, b"", &Target::default());
    assert_eq!(run.output, [48]);
    let text = log.text();
    assert!(text.contains("request #0"), "{text}");
    assert!(text.contains("compiled #0"), "{text}");
    assert!(text.contains("entered #0"), "{text}");
}

/// A loop whose body starts with a guard that is only conservative: at
/// the left end of the tape it fails and its fallback runs the body's first
/// segment, moving the pointer. The hook must see the machine at the loop
/// test, before that (it once ran after it, and the compiled loop started
/// mid-body: output 0 instead of 3).
#[test]
fn compiled_loops_are_entered_at_the_loop_test() {
    let text = b"+++[>[-<<+>>]>+<<>>>[-.]<<<-]>>.";
    let p = parse("t", text, CellWidth::U8).unwrap();
    let target = Target {
        tape_size: 8,
        ..Target::default()
    };
    let want = reference(&p, b"", &target);
    assert_eq!(want.output, [3]);
    for threshold in 1..4 {
        let opts = options(Threshold::Hot(threshold), true);
        let got = run_auto_with(&p, &Pipeline::level(1), &opts, b"", &target);
        assert_eq!(got, want, "threshold {threshold}");
    }
}

/// `--timeout` stops a loop that runs forever inside compiled code.
#[test]
fn a_timeout_fires_inside_compiled_code() {
    let p = parse("t", b"+.[>+<]", CellWidth::U8).unwrap();
    let log = Captured::default();
    let opts = Options {
        log: Some(Arc::new(TierLog::new(Box::new(log.clone())))),
        ..options(Threshold::Hot(1), true)
    };
    let target = Target {
        timeout: Some(Duration::from_millis(200)),
        ..Target::default()
    };
    let run = run_auto(&p, &opts, b"", &target);
    assert_eq!(run.result, Err(RunError::Timeout));
    assert_eq!(run.output, [1]);
    assert!(log.text().contains("entered #0"), "{}", log.text());
}

/// Compiles that fail or panic leave every loop in the interpreter, and
/// the run finishes correctly; the log says so.
#[test]
fn failing_compiles_finish_in_the_interpreter() {
    let path = repo_root().join("bf-programs");
    let all = cases(&path);
    let case = all
        .iter()
        .find(|c| c.args.is_empty() && c.input.is_none())
        .expect("a plain program");
    let program = load(&case.program, CellWidth::U8);
    let expected = std::fs::read(&case.expected).unwrap();
    for fault in [Fault::Fail, Fault::Panic] {
        for sync in [true, false] {
            let log = Captured::default();
            let opts = Options {
                fault: Some(fault),
                log: Some(Arc::new(TierLog::new(Box::new(log.clone())))),
                ..options(Threshold::Hot(1), sync)
            };
            let run = run_auto(&program, &opts, b"", &Target::default());
            assert_eq!(run.result, Ok(()), "{fault:?} sync {sync}");
            assert_eq!(run.output, expected, "{fault:?} sync {sync}");
            let text = log.text();
            if sync {
                assert!(text.contains("FAILED"), "{fault:?}: {text}");
            }
            assert!(!text.contains("entered #"), "{fault:?}: {text}");
        }
    }
}

/// A run whose compile never finishes ends anyway, in-process.
#[test]
fn a_run_does_not_wait_for_a_compile_in_flight() {
    let p = parse("t", b"++++++++[>++++++>[<]<<-]>.", CellWidth::U8).unwrap();
    let log = Captured::default();
    let opts = Options {
        fault: Some(Fault::Stall),
        log: Some(Arc::new(TierLog::new(Box::new(log.clone())))),
        ..options(Threshold::Hot(1), false)
    };
    let run = run_auto(&p, &opts, b"", &Target::default());
    assert_eq!(run.output, b"0");
    assert!(log.text().contains("in flight"), "{}", log.text());
}

/// The process exits while its compile is in flight (the compile thread
/// never finishes): waited for with a generous limit that only a hang
/// reaches, it exits on its own with the right output.
#[test]
fn the_process_exits_while_a_compile_is_in_flight() {
    let dir = std::env::temp_dir().join(format!("bfjit-tiered-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("inflight.b");
    std::fs::write(&file, b"++++++++[>++++++>[<]<<-]>.").unwrap();
    let mut child = common::bin::command()
        .args(["run", "--jit-threshold", "1", "--jit-test-fault", "stall"])
        .arg(&file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut waited = Duration::ZERO;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if waited > Duration::from_secs(120) {
            child.kill().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
        waited += Duration::from_millis(20);
    };
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let status = status.expect("bfjit hung waiting for its compile thread");
    assert!(status.success());
    assert_eq!(out, b"0");
}
