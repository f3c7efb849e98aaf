//! The interpreter's fast encoding against its counting interpreter, and
//! (ignored, on demand) how many ops it dispatches on the benchmarks.

mod common;

use ir_passes::budget::Budget;
use ir_passes::bytecode::Bytecode;
use ir_passes::interp::op::Op;
use ir_passes::io::{EofMode, Io};
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use ir_passes::reference::Machine;
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("BFJIT_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bf-corpus"),
    };
    dir.is_dir().then_some(dir)
}

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
    let names = ["mandelbrot", "factor", "counter", "al-count-3", "hanoi", "long"];
    for name in names.iter().filter(|n| only.as_deref().is_none_or(|o| o == **n)) {
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
            let mut hot: Vec<usize> = (0..per_op.len()).collect();
            hot.sort_by_key(|&i| std::cmp::Reverse(per_op[i]));
            for &i in hot.iter().take(30) {
                println!("{:>12} {:>5} {:?}", per_op[i], i, fast.ops[i]);
            }
        }
    }
}
