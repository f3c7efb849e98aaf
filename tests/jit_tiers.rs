//! The Cranelift tiers through the library (`tier::compile` + `Compiled::run`
//! with in-memory I/O): every program of bf-programs/ and of the corpus'
//! bench/, conformance/ and large/ folders against its expected output;
//! the errors/ folder against the interp tier's error positions; hand-built
//! IR with every op kind and random programs on tiny tapes against the
//! interp tier; and the C yardstick compiled with `cc -O2`. Every program
//! known to halt runs on both kinds of native code: compiled for a run with
//! limits (budget checks on back edges) and without (what `bfjit run`
//! executes by default).

mod common;

use bfjit::emit_c::emit_c;
use bfjit::harness::Target;
use bfjit::tier::{compile, Tier};
use common::assert_no_failures;
use common::tiers::{load, reference, run_tier, with_and_without_limits, Run};
use ir_passes::error::RunError;
use ir_passes::io::EofMode;
use ir_passes::ir::{CellWidth, Node, Op, Program};
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use ir_passes::span::Span;
use ir_passes::test_support::corpus::{
    cases, corpus, corpus_cases, manifest, programs, relative, repo_root, Case,
};
use ir_passes::test_support::generate::bf_body;
use proptest::prelude::*;
use std::time::Duration;

/// The two JIT tiers, each with the pipeline it runs behind in `bfjit run`.
const JIT_TIERS: [(Tier, u8); 2] = [(Tier::Simple, 0), (Tier::Opt, 2)];

/// Runs every case on both JIT tiers; returns a line per failure.
fn check(cases: &[Case]) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        let (cell, eof) = case.conventions();
        let program = load(&case.program, cell);
        let input = case.input_bytes();
        let expected = std::fs::read(&case.expected).unwrap();
        let limited = Target {
            eof,
            timeout: Some(Duration::from_secs(600)),
            ..Target::default()
        };
        for config in with_and_without_limits(&limited) {
            for (tier, level) in JIT_TIERS {
                let run = run_tier(&program, tier, level, &input, &config);
                let ok = case.exit == 0 && run.result.is_ok();
                if !ok || run.output != expected {
                    failures.push(format!(
                        "{} {:?} {:?} {}: {:?}, {} bytes out, {} expected",
                        case.program.display(),
                        tier,
                        config.limits(),
                        case.args.join(" "),
                        run.result,
                        run.output.len(),
                        expected.len()
                    ));
                }
            }
        }
    }
    failures
}

/// The corpus cases of `folder` that exit 0, fast or slow per the manifest.
fn passing_cases(folder: &str, slow: bool) -> Vec<Case> {
    let mut all = corpus_cases(folder, slow);
    all.retain(|c| c.exit == 0);
    all
}

#[test]
fn own_programs() {
    let all = cases(&repo_root().join("bf-programs"));
    assert!(!all.is_empty());
    assert_no_failures(check(&all));
}

#[test]
fn corpus_conformance() {
    assert_no_failures(check(&passing_cases("conformance", false)));
}

#[test]
fn corpus_bench_fast() {
    assert_no_failures(check(&passing_cases("bench", false)));
}

#[test]
#[ignore = "minutes in debug builds; CI runs it in release"]
fn corpus_bench_slow() {
    assert_no_failures(check(&passing_cases("bench", true)));
}

#[test]
#[ignore = "compiles 2 MB programs; CI runs it in release"]
fn corpus_large() {
    assert_no_failures(check(&passing_cases("large", false)));
}

/// Programs that fail: the JIT tiers must stop with the same error (same
/// source position) and the same output as the interp tier, and the exit
/// status the manifest expects.
fn check_errors(slow: bool) {
    let Some(dir) = corpus() else {
        return;
    };
    let manifest = manifest(&dir);
    let limited = Target {
        tape_size: 65_536,
        timeout: Some(Duration::from_secs(600)),
        ..Target::default()
    };
    let mut failures = Vec::new();
    for path in programs("errors") {
        let entry = manifest
            .get(&relative(&dir, &path))
            .cloned()
            .unwrap_or_default();
        if entry.is_slow() != slow {
            continue;
        }
        let text = std::fs::read(&path).unwrap();
        let Ok(program) = parse(&path.display().to_string(), &text, CellWidth::U8) else {
            // Malformed: rejected before any tier runs.
            assert_eq!(entry.exit, 2, "{}", path.display());
            continue;
        };
        let reference = run_tier(&program, Tier::Interp, 0, b"", &limited);
        let status = match reference.result {
            Ok(()) => 0,
            Err(RunError::OffTape { .. }) => 3,
            _ => -1,
        };
        assert_eq!(status, entry.exit, "interp on {}", path.display());
        for config in with_and_without_limits(&limited) {
            for (tier, level) in JIT_TIERS {
                let run = run_tier(&program, tier, level, b"", &config);
                if run.result != reference.result || run.output != reference.output {
                    failures.push(format!(
                        "{} {tier:?} {:?}: {:?} vs interp {:?}, {} vs {} bytes",
                        path.display(),
                        config.limits(),
                        run.result,
                        reference.result,
                        run.output.len(),
                        reference.output.len()
                    ));
                }
            }
        }
    }
    assert_no_failures(failures);
}

#[test]
fn errors_match_interp() {
    check_errors(false);
}

#[test]
#[ignore = "seconds per program in debug builds; CI runs it in release"]
fn errors_match_interp_slow() {
    check_errors(true);
}

/// Runs a program on the interp tier and both JIT tiers without any pass
/// (so hand-built IR reaches the code generators as built) and on a tape of
/// `tape` cells; all must agree, and the JIT tiers' code without limits too
/// when the program halts.
fn agree(program: &Program, tape: usize, input: &[u8]) -> Run {
    let limited = Target {
        tape_size: tape,
        max_steps: Some(1 << 22),
        ..Target::default()
    };
    let reference = run_tier(program, Tier::Interp, 0, input, &limited);
    for config in halting_configs(&limited, &reference) {
        for tier in [Tier::Simple, Tier::Opt] {
            let run = run_tier(program, tier, 0, input, &config);
            assert_eq!(
                run,
                reference,
                "{tier:?} {:?} on {:?}",
                config.limits(),
                program.body
            );
        }
    }
    reference
}

/// The configurations to compare a run with: `limited`, and the same without
/// limits if `reference` (a run under `limited`) shows the program halts.
fn halting_configs(limited: &Target, reference: &Run) -> Vec<Target> {
    if reference.result == Err(RunError::StepLimit) {
        vec![*limited]
    } else {
        with_and_without_limits(limited).to_vec()
    }
}

fn node(op: Op, start: u32, end: u32) -> Node {
    Node::new(op, Span::new(start, end))
}

/// Builds a program piece by piece: source text with the IR it stands for,
/// so the spans come out right.
#[derive(Default)]
struct Builder {
    text: String,
    body: Vec<Node>,
}

impl Builder {
    /// Straight-line source and its ops (all spanning the whole piece).
    fn straight(mut self, text: &str, ops: Vec<Op>) -> Builder {
        let (start, end) = self.extend(text);
        self.body
            .extend(ops.into_iter().map(|op| node(op, start, end)));
        self
    }

    /// A bracketed source piece and its control op (`body` spans relative
    /// to the piece are shifted into place).
    fn control(mut self, text: &str, op: impl FnOnce(u32) -> Op) -> Builder {
        let (start, end) = self.extend(text);
        self.body.push(node(op(start), start, end));
        self
    }

    fn extend(&mut self, text: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(text);
        (start, self.text.len() as u32)
    }

    fn build(self, cell: CellWidth) -> Program {
        parse("hand.b", self.text.as_bytes(), cell)
            .unwrap()
            .with_body(self.body)
    }
}

#[test]
fn hand_built_ops_agree_with_interp_on_every_width() {
    for cell in [CellWidth::U8, CellWidth::U16, CellWidth::U32] {
        let max = cell.max();
        let set0 = |_| Op::Set {
            offset: 0,
            value: 0,
        };
        let p = Builder::default()
            .straight(
                ">+>+>+",
                vec![
                    Op::Add {
                        offset: 1,
                        delta: 1,
                    },
                    Op::Add {
                        offset: 2,
                        delta: 1,
                    },
                    Op::Add {
                        offset: 3,
                        delta: 1,
                    },
                    Op::Move { delta: 3 },
                ],
            )
            .straight(
                ">+++++",
                vec![
                    Op::Add {
                        offset: 1,
                        delta: 5,
                    },
                    Op::Move { delta: 1 },
                ],
            )
            .straight(
                "[->+++<]",
                vec![
                    Op::MulAdd {
                        src: 0,
                        dst: 1,
                        factor: 3,
                    },
                    set0(0),
                ],
            )
            .straight(">.", vec![Op::Move { delta: 1 }, Op::Output { offset: 0 }])
            .straight("[-]<<", vec![set0(0), Op::Move { delta: -2 }])
            .control("[<]", |_| Op::Scan { stride: -1 })
            .straight(">", vec![Op::Move { delta: 1 }])
            .control("[>]", |_| Op::Scan { stride: 1 })
            .straight(
                "+",
                vec![Op::Add {
                    offset: 0,
                    delta: 1,
                }],
            )
            .control("[[-]]", |at| Op::If {
                body: vec![node(set0(0), at + 1, at + 4)].into(),
            })
            .straight("<<<", vec![Op::Move { delta: -3 }])
            .control("[->+<]", |at| Op::Loop {
                body: vec![
                    node(
                        Op::Add {
                            offset: 0,
                            delta: max,
                        },
                        at + 1,
                        at + 2,
                    ),
                    node(Op::Move { delta: 1 }, at + 2, at + 3),
                    node(
                        Op::Add {
                            offset: 0,
                            delta: 1,
                        },
                        at + 3,
                        at + 4,
                    ),
                    node(Op::Move { delta: -1 }, at + 4, at + 5),
                ]
                .into(),
            })
            .straight(">.", vec![Op::Move { delta: 1 }, Op::Output { offset: 0 }])
            .build(cell);
        for tape in 1..10 {
            let run = agree(&p, tape, b"");
            let unlimited = Target {
                tape_size: tape,
                ..Target::default()
            };
            let source = reference(&p, b"", &unlimited);
            assert_eq!(
                (run.result, run.output),
                (source.result, source.output),
                "tape {tape}"
            );
        }
        assert_eq!(agree(&p, 64, b"").output, vec![15, 2]);
    }
}

#[test]
fn scans_stop_exactly_at_either_end_of_the_tape() {
    // Fill cells, then scan right off the end, or left off the start.
    for (source, stride) in [
        ("+>+>+>+<<<[>]", 1),
        ("+>+>+>+[<]", -1),
        ("+>+>+>+<<<[>>]", 2),
    ] {
        let p = parse("scan.b", source.as_bytes(), CellWidth::U8).unwrap();
        let mut body = p.body.clone();
        let last = body.pop().unwrap();
        body.push(node(Op::Scan { stride }, last.span.start, last.span.end));
        let p = p.with_body(body);
        for tape in 1..10 {
            agree(&p, tape, b"");
        }
    }
}

#[test]
fn io_and_eof_conventions() {
    let p = parse("io.b", b",.,.,.,.", CellWidth::U16).unwrap();
    for eof in [EofMode::Unchanged, EofMode::Zero, EofMode::Max] {
        let config = Target {
            eof,
            ..Target::default()
        };
        let want = run_tier(&p, Tier::Interp, 0, b"ab", &config);
        for (tier, level) in JIT_TIERS {
            assert_eq!(run_tier(&p, tier, level, b"ab", &config), want);
        }
    }
}

#[test]
fn endless_loops_stop_at_the_step_limit() {
    let p = parse("loop.b", b"+[>+<]", CellWidth::U8).unwrap();
    let config = Target {
        max_steps: Some(1 << 20),
        ..Target::default()
    };
    for (tier, level) in JIT_TIERS {
        let run = run_tier(&p, tier, level, b"", &config);
        assert_eq!(run.result, Err(RunError::StepLimit), "{tier:?}");
    }
}

#[test]
fn huge_programs_are_split_into_several_functions() {
    // 400 copies of a loop nest: far more ops than one function may hold.
    let unit = "+[>+++[>++<-]<-]>>[-<<+>>]<<.";
    let source = unit.repeat(4000);
    let p = parse("big.b", source.as_bytes(), CellWidth::U8).unwrap();
    let want = run_tier(&p, Tier::Interp, 0, b"", &Target::default());
    for (tier, level) in JIT_TIERS {
        let optimized = Pipeline::level(level).run(p.clone(), false).program;
        let compiled = compile(&optimized, tier, &Target::default()).unwrap();
        if let bfjit::tier::Engine::Jit(code) = compiled.engine() {
            assert!(code.function_count() > 1, "{tier:?} made one function");
        }
        assert_eq!(run_tier(&p, tier, level, b"", &Target::default()), want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Optimized code on the opt tier and unoptimized code on the simple
    /// tier behave like the interp tier, errors and positions included.
    #[test]
    fn random_programs_agree_with_interp(text in bf_body(), tape in 1usize..12) {
        let p = parse("random.b", text.as_bytes(), CellWidth::U8).unwrap();
        let limited = Target { tape_size: tape, max_steps: Some(1 << 16), ..Target::default() };
        let want = run_tier(&p, Tier::Interp, 0, b"xy", &limited);
        prop_assume!(!matches!(want.result, Err(RunError::StepLimit)));
        for config in with_and_without_limits(&limited) {
            for (tier, level) in JIT_TIERS {
                let run = run_tier(&p, tier, level, b"xy", &config);
                prop_assume!(!matches!(run.result, Err(RunError::StepLimit)));
                prop_assert_eq!(&run, &want, "{:?} {:?}", tier, config.limits());
            }
        }
    }
}

/// Whether a C compiler `cc` is there (the C tests skip without one).
fn have_cc() -> bool {
    let found = std::process::Command::new("cc")
        .arg("--version")
        .output()
        .is_ok();
    if !found {
        eprintln!("skipping: no C compiler `cc`");
    }
    found
}

/// The C yardstick of `program` at -O2, compiled with `cc -O2` into `dir`;
/// the executable.
fn compile_c(program: Program, dir: &std::path::Path) -> std::path::PathBuf {
    compile_c_with(program, dir, &[])
}

/// [`compile_c`] with extra `cc` arguments (`-D` switches of the C).
fn compile_c_with(program: Program, dir: &std::path::Path, extra: &[&str]) -> std::path::PathBuf {
    let name = program.source.name().to_string();
    let optimized = Pipeline::level(2).run(program, false).program;
    let (c, exe) = (dir.join("prog.c"), dir.join("prog"));
    std::fs::write(&c, emit_c(&optimized)).unwrap();
    let cc = std::process::Command::new("cc")
        .args(["-O2"])
        .args(extra)
        .arg("-o")
        .arg(&exe)
        .arg(&c)
        .output()
        .unwrap();
    assert!(
        cc.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&cc.stderr)
    );
    exe
}

/// Compiles the C yardstick of a few programs with `cc -O2` and compares its
/// output with the expected one.
#[test]
fn emitted_c_compiles_and_matches() {
    if !have_cc() {
        return;
    }
    let root = repo_root();
    let mut programs = vec![
        root.join("bf-programs/hello.b"),
        root.join("bf-programs/echo.b"),
        root.join("bf-programs/nested.b"),
    ];
    if let Some(dir) = corpus() {
        programs.push(dir.join("bench/mandelbrot-tiny.b"));
        programs.push(dir.join("conformance/numwarp.b"));
        // Strided scans of both directions.
        programs.push(dir.join("bench/dbfi.b"));
    }
    let tmp = tempfile::tempdir().unwrap();
    for path in programs {
        let exe = compile_c(load(&path, CellWidth::U8), tmp.path());
        let input = path.with_extension("in");
        let stdin = match std::fs::File::open(&input) {
            Ok(f) => std::process::Stdio::from(f),
            Err(_) => std::process::Stdio::null(),
        };
        let out = std::process::Command::new(&exe)
            .stdin(stdin)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", path.display());
        let want = std::fs::read(path.with_extension("out")).unwrap();
        assert!(out.stdout == want, "{}: output differs", path.display());
    }
}

/// `-DNO_GUARDS` (guards compiled out, to measure what they cost) leaves
/// programs that stay on the tape doing what they do: the figures measured
/// with it are of the same computation.
#[test]
fn emitted_c_without_guards_matches_on_the_tape() {
    if !have_cc() {
        return;
    }
    let Some(dir) = corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for name in ["bench/mandelbrot-tiny.b", "bench/factor.b"] {
        let path = dir.join(name);
        let exe = compile_c_with(load(&path, CellWidth::U8), tmp.path(), &["-DNO_GUARDS"]);
        let stdin = match std::fs::File::open(path.with_extension("in")) {
            Ok(f) => std::process::Stdio::from(f),
            Err(_) => std::process::Stdio::null(),
        };
        let out = std::process::Command::new(&exe)
            .stdin(stdin)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", path.display());
        let want = std::fs::read(path.with_extension("out")).unwrap();
        assert!(out.stdout == want, "{}: output differs", path.display());
    }
}

#[test]
fn emitted_c_exits_3_off_the_tape() {
    if !have_cc() {
        return;
    }
    let program = parse("left.b", b"+[<+]", CellWidth::U8).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(compile_c(program, tmp.path()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    // The fallback interpreter names the exact command, as the tiers do.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("left.b:1:3: pointer moved off the tape (left of cell 0)"),
        "{stderr}"
    );
}

/// Compiled code carries the target it was compiled for (a run cannot name
/// another): every run of it gets a fresh tape of that size and a fresh
/// budget of its bounds.
#[test]
fn compiled_code_runs_on_its_target() {
    let target = Target {
        tape_size: 1000,
        max_steps: Some(1 << 20),
        ..Target::default()
    };
    let walk = parse("t.b", b"+.[>+]", CellWidth::U8).unwrap();
    let spin = parse("t.b", b"+[]", CellWidth::U8).unwrap();
    for tier in Tier::ALL {
        let walk = compile(&walk, tier, &target).unwrap();
        assert_eq!(walk.target(), &target);
        let spin = compile(&spin, tier, &target).unwrap();
        for _ in 0..2 {
            let mut out = Vec::new();
            let outcome = walk.run(&mut &b""[..], &mut out).unwrap();
            // Cell 0 is 1, not 2: the second run starts on a zeroed tape.
            assert_eq!(out, vec![1], "{tier:?}");
            assert!(
                matches!(outcome.result, Err(RunError::OffTape { pos: 3, .. })),
                "{tier:?}: {:?}",
                outcome.result
            );
            let outcome = spin.run(&mut &b""[..], &mut Vec::new()).unwrap();
            assert_eq!(outcome.result, Err(RunError::StepLimit), "{tier:?}");
        }
    }
}

/// Runs `text` on a tape of `tape` cells on the interpreter without passes
/// and on the opt tier at -O1 and -O2 (with and without limits when it
/// halts), asserting they agree; the run.
fn opt_agrees_with_interp(text: &str, tape: usize) -> Run {
    opt_agrees_with_interp_on(text, tape, CellWidth::U8)
}

/// [`opt_agrees_with_interp`] with cells of width `cell`.
fn opt_agrees_with_interp_on(text: &str, tape: usize, cell: CellWidth) -> Run {
    let p = parse("t.b", text.as_bytes(), cell).unwrap();
    let limited = Target {
        tape_size: tape,
        max_steps: Some(1 << 20),
        ..Target::default()
    };
    let want = run_tier(&p, Tier::Interp, 0, b"", &limited);
    for config in halting_configs(&limited, &want) {
        for level in [1, 2] {
            let got = run_tier(&p, Tier::Opt, level, b"", &config);
            assert_eq!(
                got,
                want,
                "{text} on {tape} cells, -O{level}, {:?}",
                config.limits()
            );
        }
    }
    want
}

/// A static loop or if nested in a hoisted one skips its own guard when the
/// outer guard already proved its cells on the tape. Near either end of
/// small tapes, the optimized code must still agree with the interpreter
/// on output, final pointer and the exact error position.
#[test]
fn nested_static_loops_near_the_tape_ends() {
    let bodies = [
        "+[>+[>+<-]<-]",
        "++[>++[-]>+<<-]",
        "+[>+[<+>-]>[-]+<<-]>.",
        "<+[>[>+<-]<-]",
        "+[>+[>+[-]<[-]]<-]",
    ];
    for body in bodies {
        for shift in 0..8 {
            for tape in [3usize, 5, 9] {
                let text = format!("{}{body}", ">".repeat(shift));
                opt_agrees_with_interp(&text, tape);
            }
        }
    }
}

/// A guard whose window comes from a folded loop that may not run
/// (`[->+<]` on a zero cell visits no neighbour) can fail without an error
/// near the tape ends, and the code must go on after it; a guard over moves
/// the source makes for certain has no way back, its failure always being
/// the error. Both kinds, from every cell of small tapes, with the loop's
/// counter zero and not, must agree with the interpreter.
#[test]
fn conservative_and_exact_guards_near_the_tape_ends() {
    let gaps = [
        "[->+<]>",
        "[-<+>]<",
        "[->>+<<]",
        "<[-<<+>>]>",
        ">[-]<<",
        "[->+<]<<[-]>>",
        ">>[-<<+>>]<<",
    ];
    for gap in gaps {
        for value in ["", "+"] {
            for start in 0..6 {
                for tape in [1usize, 2, 3, 6] {
                    let text = format!("{}{value}{gap}+.", ">".repeat(start));
                    opt_agrees_with_interp(&text, tape);
                }
            }
        }
    }
}

/// Small loops that move the pointer every iteration keep a guard per
/// iteration. Runs that stop anywhere near either end of small tapes, or
/// leave them, must agree with the interpreter exactly.
#[test]
fn moving_loops_near_the_tape_ends() {
    let loops = ["[->>]", "[-<<]", "[+>]", "[-<]", "[>+>+<<->>>]", "[-<<<.]"];
    for body in loops {
        for ones in 0..7usize {
            for start in 0..7 {
                for tape in [4usize, 7, 12] {
                    // `ones` non-zero cells two apart from the left end,
                    // back to the left end, then the loop from `start`
                    // cells in (left-moving ones run back towards it).
                    let setup: String = (0..ones)
                        .map(|i| if i == 0 { "+" } else { ">>+" })
                        .collect();
                    let back = "<<".repeat(ones.saturating_sub(1));
                    let text = format!("{setup}{back}{}{body}", ">".repeat(start));
                    opt_agrees_with_interp(&text, tape);
                }
            }
        }
    }
}

/// Scans with strides other than ±1 are inline loops, four steps behind
/// one compare away from the tape's ends (stride ±1 on 8-bit cells calls
/// memchr). On tapes of every small size, from every start cell, with the
/// zero cell anywhere or nowhere, the opt tier must stop where the
/// interpreter does, or report the same off-tape position.
#[test]
fn strided_scans_near_the_tape_ends() {
    let scans = [
        "[>>]", "[<<]", "[>>>]", "[<<<]", "[>>>>>]", "[<<<<<]", "[>]", "[<]",
    ];
    for (scan, cell) in scans
        .into_iter()
        .flat_map(|s| [CellWidth::U8, CellWidth::U16].map(|c| (s, c)))
    {
        // Small tapes everywhere; on a longer tape, starts and zeros near
        // both ends and in the middle.
        let small = (1..=11usize).map(|n| (n, (0..n).collect::<Vec<_>>()));
        let near = |n: usize| [0, 1, 2, 3, 5, 8, 35, 64, n - 9, n - 4, n - 3, n - 2, n - 1];
        let large = [150usize].map(|n| (n, near(n).to_vec()));
        for (tape, places) in small.chain(large) {
            for zero in places.iter().copied().map(Some).chain([None]) {
                for &start in &places {
                    // Cell i holds i % 5 + 1 except the zero cell; the scan
                    // starts at `start`, then marks where it stopped.
                    let fill: String = (0..tape)
                        .map(|i| {
                            let value = if Some(i) == zero { 0 } else { i % 5 + 1 };
                            let step = if i + 1 < tape { ">" } else { "" };
                            format!("{}{step}", "+".repeat(value))
                        })
                        .collect();
                    let back = "<".repeat(tape - 1 - start);
                    let text = format!("{fill}{back}{scan}+++.");
                    opt_agrees_with_interp_on(&text, tape, cell);
                }
            }
        }
    }
}

/// A static loop too big for one function has pieces outlined. A loop
/// nested after an outlined piece that moved the pointer sits further on
/// than the caller saw moves for, so the enclosing guard's proof must not
/// be applied at that stale offset. Here the nested loop (translated in the
/// caller with the long segment before it) steps one cell past the
/// enclosing loop's reach, off the tape's right end.
#[test]
fn nested_loop_after_outlined_pieces_keeps_its_guard() {
    let (skip, run) = (3, 1990);
    let nested = format!("[{}-]", ">.<.".repeat(5));
    let text = format!(
        "+[{}[.-]{}{nested}{}-]",
        ">".repeat(skip),
        ">+".repeat(run),
        "<".repeat(skip + run)
    );
    let want = opt_agrees_with_interp(&text, skip + run + 1);
    assert!(
        matches!(want.result, Err(RunError::OffTape { .. })),
        "{want:?}"
    );
}

/// A program of many loops of different shapes (from a fixed pseudo-random
/// sequence), big enough after `-O2` to become several Cranelift
/// functions.
fn program_of_many_functions() -> Program {
    let mut state = 0x2545_f491_u32;
    let mut next = |n: u32| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 16) % n
    };
    let mut text = String::new();
    for _ in 0..400 {
        let body: String = (0..40)
            .map(|_| ["+", "-", ">", "<", ".", ">+<", "[-]"][next(7) as usize])
            .collect();
        text.push_str(&format!("+[{body}[{body}<]>-]>"));
    }
    let program = parse("many.b", text.as_bytes(), CellWidth::U8).unwrap();
    Pipeline::level(2).run(program, false).program
}

/// Cranelift compiles a program's functions on several threads; the code
/// must not depend on how many or on which finished first. The object file
/// `bfjit build` makes holds every function's bytes and relocations in
/// module order, so it is compared whole.
#[test]
fn code_is_the_same_on_any_number_of_threads() {
    let program = program_of_many_functions();
    let code = bfjit::jit::compile(
        &program,
        bfjit::jit::JitMode::Opt,
        Target::default().code_config(),
    )
    .unwrap();
    assert!(
        code.function_count() > 4,
        "{} functions",
        code.function_count()
    );
    let info = bfjit::build::BuildInfo {
        file: "many.b".into(),
        optimization: "-O2".into(),
        passes: Vec::new(),
        cell_bits: 8,
        eof: EofMode::Unchanged,
        tape_size: Target::default().tape_size,
    };
    let object = |threads| {
        bfjit::build::object::object_on(&program, &Target::default(), &info, threads).unwrap()
    };
    let one = object(1);
    for threads in [2, 4, 4] {
        assert!(object(threads) == one, "{threads} threads made other code");
    }
}
