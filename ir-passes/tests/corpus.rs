//! The optimized pipelines against the third-party corpus: every
//! conformance and large program prints its expected output at `-O1` and
//! `-O2`, and the error programs fail at the same command as the reference
//! interpreter. Also (ignored, run on demand) the executed-op counts of a few
//! benchmarks at `-O0` and `-O2`.

use ir_passes::budget::Budget;
use ir_passes::bytecode::Bytecode;
use ir_passes::error::RunError;
use ir_passes::guard;
use ir_passes::io::{EofMode, Io};
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use ir_passes::reference::Machine;
use ir_passes::span::Span;
use ir_passes::test_support::corpus::{corpus, programs};
use ir_passes::test_support::run::{bytecode, on_big_stack, reference, Setup};
use std::path::Path;

/// The default conventions: 8-bit cells, 65,536 of them, EOF leaves the cell.
fn setup(path: &Path, steps: u64) -> Setup {
    Setup {
        input: std::fs::read(path.with_extension("in")).unwrap_or_default(),
        eof: EofMode::Unchanged,
        tape_len: 65_536,
        steps,
    }
}

fn load(path: &Path) -> Option<Program> {
    let text = std::fs::read(path).ok()?;
    parse(&path.display().to_string(), &text, CellWidth::U8).ok()
}

#[test]
fn corpus_programs_print_their_expected_output_when_optimized() {
    on_big_stack(|| {
        let (mut checked, mut skipped) = (0, Vec::new());
        for path in programs("conformance").into_iter().chain(programs("large")) {
            let Some(original) = load(&path) else {
                continue;
            };
            let Ok(expected) = std::fs::read(path.with_extension("out")) else {
                continue;
            };
            for level in [1, 2] {
                let optimized = Pipeline::level(level).run(original.clone(), false).program;
                let run = bytecode(&optimized, &setup(&path, 20_000_000));
                if run.result == Err(RunError::StepLimit) {
                    skipped.push(format!("{} -O{level}", path.display()));
                    continue;
                }
                assert_eq!(run.result, Ok(()), "{} -O{level}", path.display());
                assert!(
                    run.output == expected,
                    "{} -O{level}: wrong output",
                    path.display()
                );
                checked += 1;
            }
        }
        eprintln!("{checked} runs checked; too long for this test: {skipped:?}");
    });
}

#[test]
fn corpus_errors_are_reported_where_the_reference_reports_them() {
    on_big_stack(|| {
        for path in programs("errors") {
            // Unmatched brackets are the parser's business.
            let Some(original) = load(&path) else {
                continue;
            };
            let setup = setup(&path, 2_000_000);
            let want = reference(&original, &setup);
            if want.result == Err(RunError::StepLimit) {
                continue;
            }
            for level in [1, 2] {
                let optimized = Pipeline::level(level).run(original.clone(), false).program;
                let got = bytecode(&optimized, &setup);
                assert_eq!(got.result, want.result, "{} -O{level}", path.display());
                assert!(got.output == want.output, "{} -O{level}", path.display());
            }
        }
    });
}

/// Every benchmark prints its expected output at `-O2` (slow: run it in
/// release, `cargo test --release -p ir-passes --test corpus -- --ignored
/// benchmarks`).
#[test]
#[ignore]
fn benchmarks_print_their_expected_output_at_o2() {
    on_big_stack(|| {
        for path in programs("bench") {
            let original = load(&path).expect("benchmark parses");
            let expected = std::fs::read(path.with_extension("out")).expect("expected output");
            let optimized = Pipeline::level(2).run(original, false).program;
            let run = bytecode(&optimized, &setup(&path, u64::MAX));
            assert_eq!(run.result, Ok(()), "{}", path.display());
            assert!(run.output == expected, "{}: wrong output", path.display());
            println!("{}: ok", path.display());
        }
    });
}

/// The bytecode of a program and how often each of its instructions ran in
/// a whole run.
fn counted(program: &Program, setup: &Setup) -> (Bytecode, Vec<u64>) {
    let code = Bytecode::compile(program);
    let mut counts = vec![0u64; code.instrs.len()];
    let mut tape = vec![0u8; setup.tape_len];
    let mut m = Machine {
        tape: &mut tape,
        ptr: 0,
    };
    let mut input = &setup.input[..];
    let mut output = std::io::sink();
    let mut io = Io::new(&mut input, &mut output, setup.eof, program.cell);
    let mut budget = Budget::unlimited();
    code.run(&mut m, &mut io, &mut budget, Some(&mut counts))
        .expect("benchmarks run to the end");
    (code, counts)
}

/// Instructions the bytecode tier executes for a program, in total and
/// guards alone.
fn executed(program: &Program, setup: &Setup) -> (u64, u64) {
    let (code, counts) = counted(program, setup);
    let guards = code
        .instrs
        .iter()
        .zip(&counts)
        .filter(|(i, _)| matches!(i, ir_passes::bytecode::Instr::Guard { .. }))
        .map(|(_, n)| n)
        .sum();
    (counts.iter().sum(), guards)
}

/// Prints executed-op counts at `-O0`, `-O1` and `-O2` (slow: run it in
/// release, `cargo test --release -p ir-passes --test corpus -- --ignored
/// --nocapture executed_ops`). Every bytecode instruction counts, guards and
/// jumps included; the guards are also shown alone.
#[test]
#[ignore]
fn executed_ops_at_o0_and_o2() {
    on_big_stack(|| {
        let Some(dir) = corpus() else { return };
        println!(
            "{:<11} {:>7} {:>7} {:>7} {:>13} {:>13} {:>13} {:>11} {:>6}",
            "program",
            "ops O0",
            "ops O1",
            "ops O2",
            "run O0",
            "run O1",
            "run O2",
            "guards O2",
            "O0/O2"
        );
        for name in ["mandelbrot", "hanoi", "long", "factor"] {
            let path = dir.join("bench").join(format!("{name}.b"));
            let original = load(&path).expect("benchmark parses");
            let setup = setup(&path, u64::MAX);
            let o1 = Pipeline::level(1).run(original.clone(), false).program;
            let o2 = Pipeline::level(2).run(original.clone(), false).program;
            let (n0, _) = executed(&original, &setup);
            let (n1, _) = executed(&o1, &setup);
            let (n2, g2) = executed(&o2, &setup);
            println!(
                "{name:<11} {:>7} {:>7} {:>7} {n0:>13} {n1:>13} {n2:>13} {g2:>11} {:>5.1}x",
                original.op_count(),
                o1.op_count(),
                o2.op_count(),
                n0 as f64 / n2 as f64
            );
        }
    });
}

/// Prints the hottest bytecode instructions of a benchmark at `-O2` with
/// their source, to see what the passes leave on the table
/// (`BENCH=long cargo test --release -p ir-passes --test corpus -- --ignored --nocapture hot`).
#[test]
#[ignore]
fn hot_instructions_at_o2() {
    on_big_stack(|| {
        let name = std::env::var("BENCH").unwrap_or_else(|_| "long".to_string());
        let Some(dir) = corpus() else { return };
        let path = dir.join("bench").join(format!("{name}.b"));
        let original = load(&path).expect("benchmark parses");
        let setup = setup(&path, u64::MAX);
        let o2 = Pipeline::level(2).run(original, false).program;
        let (code, counts) = counted(&o2, &setup);
        let mut hot: Vec<usize> = (0..counts.len()).collect();
        hot.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
        for &i in hot.iter().take(25) {
            let text = ir_passes::print::source_excerpt(o2.source.slice(code.spans[i]));
            println!("{:>12} {:?}  {text}", counts[i], code.instrs[i]);
        }
    });
}

/// Segments of a program (loop and `if` bodies included) that need a guard,
/// and how many of those guards are exact.
fn guard_counts(program: &Program) -> (usize, usize) {
    fn walk(body: &[ir_passes::ir::Node], range: Span, p: &Program, counts: &mut (usize, usize)) {
        for segment in guard::segments(body, range, &p.source) {
            if segment.needs_guard() {
                counts.0 += 1;
                counts.1 += usize::from(segment.exact);
            }
        }
        for node in body {
            if let Some(inner) = node.op.body() {
                walk(inner, guard::inner_span(node.span), p, counts);
            }
        }
    }
    let mut counts = (0, 0);
    let whole = Span::new(0, program.source.text().len() as u32);
    walk(&program.body, whole, program, &mut counts);
    counts
}

/// Most guards of the benchmarks at `-O2` are exact (guard.rs and
/// ARCHITECTURE.md say so and point here for the figures):
/// `cargo test -p ir-passes --test corpus -- --nocapture guard_counts`.
#[test]
fn guard_counts_most_guards_are_exact() {
    on_big_stack(|| {
        let Some(dir) = corpus() else { return };
        println!("{:<11} {:>8} {:>8}", "program", "guards", "exact");
        for name in ["mandelbrot", "hanoi", "long", "factor"] {
            let path = dir.join("bench").join(format!("{name}.b"));
            let o2 = Pipeline::level(2)
                .run(load(&path).expect("benchmark parses"), false)
                .program;
            let (guards, exact) = guard_counts(&o2);
            println!("{name:<11} {guards:>8} {exact:>8}");
            assert!(2 * exact > guards, "{name}: {exact} of {guards} exact");
        }
    });
}
