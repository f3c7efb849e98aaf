//! The interpreter's fast encoding: its loop-head hooks (tiered execution)
//! against the reference interpreter on random programs, and (ignored, on
//! demand) how many ops it dispatches on the benchmarks and what the hooks
//! cost.

use ir_passes::budget::Budget;
use ir_passes::bytecode::Bytecode;
use ir_passes::cell::CellType;
use ir_passes::error::RunError;
use ir_passes::interp::hooks::{HeadAction, LoopHooks, NoHooks};
use ir_passes::interp::op::Op;
use ir_passes::io::{EofMode, Io};
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use ir_passes::reference::run_range;
use ir_passes::reference::Machine;
use ir_passes::source::Source;
use ir_passes::span::Span;
use ir_passes::test_support::corpus::corpus;
use ir_passes::test_support::generate::{bf_test_program, cell_width, eof_mode};
use ir_passes::test_support::run::{self as runs, program, Setup};
use proptest::prelude::*;
use std::path::Path;

fn load(path: &Path) -> Program {
    let text = std::fs::read(path).expect("benchmark exists");
    parse(&path.display().to_string(), &text, CellWidth::U8).expect("benchmark parses")
}

/// Logical instruction counts of a counting run.
fn counts(code: &Bytecode, program: &Program, input: &[u8]) -> Vec<u64> {
    let mut counts = vec![0u64; code.instrs.len()];
    let mut tape = vec![0u8; 65_536];
    let mut m = Machine {
        tape: &mut tape,
        ptr: 0,
    };
    let mut input = input;
    let mut output = std::io::sink();
    let mut io = Io::new(&mut input, &mut output, EofMode::Unchanged, program.cell);
    code.run(&mut m, &mut io, &mut Budget::unlimited(), Some(&mut counts))
        .expect("benchmarks run to the end");
    counts
}

/// Prints, per benchmark at -O2, logical instructions executed against fast
/// ops dispatched, and the hottest fast ops (`BENCH=mandelbrot cargo test
/// --release -p ir-passes --test interp -- --ignored --nocapture`).
#[test]
#[ignore]
fn dispatches_per_benchmark() {
    let Some(dir) = corpus() else { return };
    let only = std::env::var("BENCH").ok();
    let names = [
        "mandelbrot",
        "factor",
        "counter",
        "al-count-3",
        "hanoi",
        "long",
    ];
    for name in names
        .iter()
        .filter(|n| only.as_deref().is_none_or(|o| o == **n))
    {
        let path = dir.join("bench").join(format!("{name}.b"));
        let input = std::fs::read(path.with_extension("in")).unwrap_or_default();
        let o2 = Pipeline::level(2).run(load(&path), false).program;
        let code = Bytecode::compile(&o2);
        let counts = counts(&code, &o2, &input);
        let fast = code.fast_code().expect("windows verify");
        // Ops past `Halt` are the stubs guards resume into; they share their
        // logical instruction with the fused op, whose count this is.
        let halt = fast.ops.iter().position(|op| *op == Op::Halt).unwrap();
        let per_op: Vec<u64> = fast.origin[..halt]
            .iter()
            .map(|&o| counts[o as usize])
            .collect();
        let logical: u64 = counts.iter().sum();
        let dispatched: u64 = per_op.iter().sum();
        println!(
            "{name:<11} logical {logical:>12} dispatched {dispatched:>12} ({:.2})",
            dispatched as f64 / logical as f64
        );
        if only.is_some() {
            let mut kinds = std::collections::BTreeMap::<String, u64>::new();
            for (op, n) in fast.ops.iter().zip(&per_op) {
                let kind = format!("{op:?}");
                let kind = kind.split([' ', '{']).next().unwrap_or("").to_string();
                *kinds.entry(kind).or_default() += n;
            }
            let mut kinds: Vec<_> = kinds.into_iter().collect();
            kinds.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            println!("{kinds:?}");
            let kind = |op: &Op| {
                format!("{op:?}")
                    .split([' ', '{'])
                    .next()
                    .unwrap_or("")
                    .to_string()
            };
            let mut pairs = std::collections::BTreeMap::<String, u64>::new();
            for i in 1..per_op.len() {
                let pair = format!("{}+{}", kind(&fast.ops[i - 1]), kind(&fast.ops[i]));
                *pairs.entry(pair).or_default() += per_op[i].min(per_op[i - 1]);
            }
            let mut pairs: Vec<_> = pairs.into_iter().collect();
            pairs.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            pairs.truncate(16);
            println!("{pairs:?}");
            let mut hot: Vec<usize> = (0..per_op.len()).collect();
            hot.sort_by_key(|&i| std::cmp::Reverse(per_op[i]));
            for &i in hot.iter().take(30) {
                println!("{:>12} {:>5} {:?}", per_op[i], i, fast.ops[i]);
            }
        }
    }
}

/// Stands in for compiled code: once a loop has been hot `threshold` back
/// edges, every later call runs it to its exit on the reference interpreter
/// (from the loop test, as compiled code entered at the head would), so a
/// run mixes both engines at arbitrary iterations.
struct ReferenceLoops<'a> {
    source: &'a Source,
    loops: Vec<Span>,
    threshold: u32,
    entered: u64,
    calls: u64,
}

impl<C: CellType> LoopHooks<C> for ReferenceLoops<'_> {
    fn threshold(&self) -> u32 {
        self.threshold
    }

    fn at_head(
        &mut self,
        slot: u32,
        _: u32,
        tape: &mut [C],
        ptr: usize,
        io: &mut Io<'_>,
        budget: &mut Budget,
    ) -> HeadAction {
        self.calls += 1;
        if self.calls.is_multiple_of(3) {
            // Not compiled yet: keep interpreting a little longer.
            return HeadAction::Interpret { recheck_after: 2 };
        }
        self.entered += 1;
        let mut m = Machine { tape, ptr };
        let r = run_range(self.source, self.loops[slot as usize], &mut m, io, budget);
        HeadAction::Ran(r.map(|()| m.ptr))
    }
}

fn run_hooked(
    code: &Bytecode,
    cell: CellWidth,
    setup: &Setup,
    hooks: &mut ReferenceLoops<'_>,
) -> (Result<(), RunError>, Vec<u8>, usize, Vec<u32>) {
    fn go<C: CellType>(
        code: &Bytecode,
        cell: CellWidth,
        setup: &Setup,
        hooks: &mut ReferenceLoops<'_>,
    ) -> (Result<(), RunError>, Vec<u8>, usize, Vec<u32>) {
        let mut tape = vec![C::default(); setup.tape_len];
        let mut m = Machine {
            tape: &mut tape,
            ptr: 0,
        };
        let mut input = &setup.input[..];
        let mut output = Vec::new();
        let mut io = Io::new(&mut input, &mut output, setup.eof, cell);
        let mut budget = Budget::new(setup.steps, None);
        let r = code.run_with_hooks(&mut m, &mut io, &mut budget, hooks);
        let ptr = m.ptr;
        let r = r.and(io.flush());
        drop(io);
        (r, output, ptr, tape.iter().map(|c| c.value()).collect())
    }
    match cell {
        CellWidth::U8 => go::<u8>(code, cell, setup, hooks),
        CellWidth::U16 => go::<u16>(code, cell, setup, hooks),
        CellWidth::U32 => go::<u32>(code, cell, setup, hooks),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Leaving the interpreter at loop heads, at any threshold, changes
    /// nothing: output, error (with its position), pointer and tape all
    /// match the reference interpreter's, at every -O level.
    #[test]
    fn hooks_that_run_loops_elsewhere_change_nothing(
        text in bf_test_program(),
        cell in cell_width(),
        eof in eof_mode(),
        input in proptest::collection::vec(any::<u8>(), 0..8),
        level in 0u8..3,
        threshold in 1u32..5,
    ) {
        let original = program(&text, cell);
        let setup = Setup { steps: 1 << 16, ..Setup::small(input, eof) };
        let want = runs::reference(&original, &setup);
        prop_assume!(want.result != Err(RunError::StepLimit));
        let optimized = Pipeline::level(level).run(original.clone(), false).program;
        let code = Bytecode::compile(&optimized);
        let mut hooks = ReferenceLoops {
            source: &optimized.source,
            loops: code.loops().iter().map(|l| l.span).collect(),
            threshold,
            entered: 0,
            calls: 0,
        };
        let (result, output, ptr, tape) = run_hooked(&code, cell, &setup, &mut hooks);
        prop_assume!(result != Err(RunError::StepLimit));
        prop_assert_eq!(&result, &want.result, "{}", text);
        prop_assert_eq!(&output, &want.output, "{}", text);
        if result.is_ok() {
            prop_assert_eq!(ptr, want.ptr, "{}", text);
            prop_assert_eq!(&tape, &want.tape, "{}", text);
        }
    }
}

/// A hot loop reaches its hook: `[->+<]` at -O0 (not folded into a
/// multiply) runs 200 iterations, so with a threshold of 10 the hook takes
/// over on the 10th back edge and the interpreter carries on after it.
#[test]
fn a_hot_loop_is_handed_to_its_hook() {
    let p = program("+++++[->++++++++<]>[->+<]>.", CellWidth::U8);
    let code = Bytecode::compile(&p);
    assert_eq!(code.loops().len(), 2);
    let mut hooks = ReferenceLoops {
        source: &p.source,
        loops: code.loops().iter().map(|l| l.span).collect(),
        threshold: 10,
        entered: 0,
        calls: 0,
    };
    let setup = Setup {
        steps: u64::MAX,
        ..Setup::small(Vec::new(), EofMode::Unchanged)
    };
    let (r, out, _, _) = run_hooked(&code, CellWidth::U8, &setup, &mut hooks);
    assert_eq!((r, out), (Ok(()), vec![40]));
    // The 5-iteration loop never gets hot; the 40-iteration one does once.
    assert_eq!((hooks.calls, hooks.entered), (1, 1));
}

/// What the hooks cost the plain interpreter: mandelbrot with no hooks, and
/// with hooks that count heat but never leave (`cargo test --release -p
/// ir-passes --test interp -- --ignored --nocapture hook_overhead`). Times
/// are printed, never asserted.
#[test]
#[ignore]
fn hook_overhead() {
    struct Never;
    impl<C: CellType> LoopHooks<C> for Never {
        fn threshold(&self) -> u32 {
            1000
        }
        fn at_head(
            &mut self,
            _: u32,
            _: u32,
            _: &mut [C],
            _: usize,
            _: &mut Io<'_>,
            _: &mut Budget,
        ) -> HeadAction {
            HeadAction::Interpret {
                recheck_after: 1000,
            }
        }
    }
    let Some(dir) = corpus() else { return };
    let name = std::env::var("BENCH").unwrap_or_else(|_| "mandelbrot".into());
    let path = dir.join("bench").join(format!("{name}.b"));
    let o2 = Pipeline::level(2).run(load(&path), false).program;
    let code = Bytecode::compile(&o2);
    let input = std::fs::read(path.with_extension("in")).unwrap_or_default();
    let time = |hooked: bool| {
        let mut tape = vec![0u8; 65_536];
        let mut m = Machine {
            tape: &mut tape,
            ptr: 0,
        };
        let mut inp = &input[..];
        let mut out = std::io::sink();
        let mut io = Io::new(&mut inp, &mut out, EofMode::Unchanged, o2.cell);
        let mut budget = Budget::unlimited();
        let t = thread_cpu_seconds();
        let r = if hooked {
            code.run_with_hooks(&mut m, &mut io, &mut budget, &mut Never)
        } else {
            code.run_with_hooks(&mut m, &mut io, &mut budget, &mut NoHooks)
        };
        r.expect("runs");
        thread_cpu_seconds() - t
    };
    // `ONLY=plain` or `ONLY=hooked` runs one kind (once, with `RUNS=1`):
    // for instruction counts under `valgrind --tool=cachegrind`, since
    // both kinds share most handlers.
    let only = std::env::var("ONLY").ok();
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5)
        .max(1);
    let (mut plain, mut hooked) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        if only.as_deref() != Some("hooked") {
            plain.push(time(false));
        }
        if only.as_deref() != Some("plain") {
            hooked.push(time(true));
        }
    }
    if let Some(only) = only {
        let t = if plain.is_empty() { hooked } else { plain };
        println!("{name}: {only} {:.3} s", t[0]);
        return;
    }
    plain.sort_by(f64::total_cmp);
    hooked.sort_by(f64::total_cmp);
    println!(
        "{name}: plain {:.3} s, with hooks {:.3} s (CPU time, medians of {runs}, alternating): {:+.1}%",
        plain[runs / 2],
        hooked[runs / 2],
        (hooked[runs / 2] / plain[runs / 2] - 1.0) * 100.0
    );
}

/// CPU time this thread has run, in seconds (Linux): wall time on a shared
/// machine measures the other processes too.
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux schedstat");
    let ns: u64 = stat
        .split_whitespace()
        .next()
        .and_then(|f| f.parse().ok())
        .expect("a number");
    ns as f64 / 1e9
}

/// Runs `text` at -O2 on a tape of `len` cells, plain and hooked (a hook
/// due at every loop's first back edge, running loops on the reference
/// from there, or letting the interpreter go on), and checks that each run
/// ends as the reference interpreter does: the same result (errors name
/// the same command), and if it succeeded the same pointer and, with
/// `tape`, the same tape.
fn agrees_near_the_tape_ends(text: &str, len: usize, tape: bool) {
    let p = program(text, CellWidth::U8);
    let setup = Setup {
        tape_len: len,
        steps: u64::MAX,
        ..Setup::small(Vec::new(), EofMode::Unchanged)
    };
    let want = runs::reference(&p, &setup);
    let o2 = Pipeline::level(2).run(p, false).program;
    let plain = runs::bytecode(&o2, &setup);
    let code = Bytecode::compile(&o2);
    let mut hooks = ReferenceLoops {
        source: &o2.source,
        loops: code.loops().iter().map(|l| l.span).collect(),
        threshold: 1,
        entered: 0,
        calls: 0,
    };
    let (result, _, ptr, cells) = run_hooked(&code, CellWidth::U8, &setup, &mut hooks);
    for (how, (r, q, t)) in [
        ("plain", (&plain.result, plain.ptr, &plain.tape)),
        ("hooked", (&result, ptr, &cells)),
    ] {
        assert_eq!(r, &want.result, "{how}: {text} on {len} cells");
        if want.result.is_ok() {
            assert_eq!(q, want.ptr, "{how}: {text} on {len} cells");
            if tape {
                assert_eq!(t, &want.tape, "{how}: {text} on {len} cells");
            }
        }
    }
}

/// Scans take four steps behind one bounds compare away from the tape ends
/// and single checked steps near them: every stride, start and tape length
/// here ends where the reference interpreter ends, or fails at the same
/// command.
#[test]
fn scans_stop_and_fail_like_the_source_near_both_ends() {
    for len in 1..30 {
        for stride in 1..=4usize {
            for ones in 0..len + 2 {
                for right in [true, false] {
                    let (step, back) = if right { (">", "<") } else { ("<", ">") };
                    // Cells 0..ones (or, leftwards, from the far end) set,
                    // then a scan from the near end.
                    let fill = format!("+{step}").repeat(ones);
                    let text = if right {
                        format!("{fill}{}[{}]", back.repeat(ones), step.repeat(stride))
                    } else {
                        format!(
                            "{}{fill}{}[{}]",
                            ">".repeat(len.saturating_sub(1)),
                            back.repeat(ones),
                            step.repeat(stride)
                        )
                    };
                    agrees_near_the_tape_ends(&text, len, false);
                }
            }
        }
    }
}

/// Walk-shaped loops (a guard, one `Transfer` or `Add`, the moving back
/// edge), however they are entered, run their iterations inside the back
/// edge in threaded runs: every stride, direction, body, start and tape
/// length here ends where the reference interpreter ends (pointer and
/// tape), or fails at the same command.
#[test]
fn walk_loops_stop_and_fail_like_the_source_near_both_ends() {
    for len in 1..24 {
        for d in 1..=3usize {
            for ones in 0..len + 2 {
                for right in [true, false] {
                    for transfer in [false, true] {
                        let (step, back) = if right { (">", "<") } else { ("<", ">") };
                        // Cells at stride `d` set to 255, the pointer back
                        // at the first, then the walk.
                        let fill = format!("-{}", step.repeat(d)).repeat(ones);
                        let body = if transfer {
                            format!("[-{step}+{back}]")
                        } else {
                            "+".to_string()
                        };
                        let start = if right {
                            String::new()
                        } else {
                            ">".repeat(len.saturating_sub(1))
                        };
                        let text = format!(
                            "{start}{fill}{}[{body}{}]",
                            back.repeat(d * ones),
                            step.repeat(d)
                        );
                        agrees_near_the_tape_ends(&text, len, true);
                    }
                }
            }
        }
    }
}

/// Threaded runs keep the stack flat, plain and hooked: 130,000 ops and
/// 65,000 back edges at -O0 on a thread with a 128 KiB stack, the hooked
/// run with its hook called every few back edges at first (each call an
/// out-of-line path that returns to the trampoline), then only when the
/// budget's interval has passed, so the hooked handlers chain thousands of
/// ops between two returns. In release builds every
/// handler's call of the next must be a jump (a missing one overflows this
/// stack, which aborts the test binary); debug builds return each op to
/// the trampoline.
#[test]
fn long_threaded_runs_keep_the_stack_flat() {
    /// Lets the interpreter go on, asking again after 3 back edges for its
    /// first 100 calls, then never.
    struct Often(u64);
    impl<C: CellType> LoopHooks<C> for Often {
        fn threshold(&self) -> u32 {
            1
        }
        fn at_head(
            &mut self,
            _: u32,
            _: u32,
            _: &mut [C],
            _: usize,
            _: &mut Io<'_>,
            _: &mut Budget,
        ) -> HeadAction {
            self.0 += 1;
            HeadAction::Interpret {
                recheck_after: if self.0 < 100 { 3 } else { u32::MAX },
            }
        }
    }
    let run = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(|| {
            let p = program("-[>-[-]<-]+.", CellWidth::U8);
            let o0 = Pipeline::level(0).run(p, false).program;
            let setup = Setup {
                steps: u64::MAX,
                ..Setup::small(Vec::new(), EofMode::Unchanged)
            };
            let plain = runs::bytecode(&o0, &setup);
            let code = Bytecode::compile(&o0);
            let mut tape = vec![0u8; setup.tape_len];
            let mut m = Machine {
                tape: &mut tape,
                ptr: 0,
            };
            let (mut input, mut output) = (&[][..], Vec::new());
            let mut io = Io::new(&mut input, &mut output, setup.eof, CellWidth::U8);
            let mut hooks = Often(0);
            let r = code.run_with_hooks(&mut m, &mut io, &mut Budget::unlimited(), &mut hooks);
            let r = r.and(io.flush());
            drop(io);
            (plain, (r, output, hooks.0))
        })
        .expect("thread starts")
        .join()
        .expect("the runs return");
    let (plain, (result, output, calls)) = run;
    assert_eq!(plain.result, Ok(()));
    assert_eq!(plain.output, vec![1]);
    assert_eq!((result, output), (Ok(()), vec![1]));
    assert!(calls >= 100, "{calls} hook calls");
}
