//! Times compilation and execution of one program on one tier, each the
//! median of several repetitions, for the notes:
//! `cargo run --release --example jit_timing -- FILE TIER [RUNS [LEVEL [enforced]]]`
//! (TIER: interp, simple, opt; input from FILE's `.in` sibling, output
//! discarded). Compile time includes the pass pipeline for interp and opt.
//! With `BFJIT_CLIF_TIMING` set it also prints the time of each of
//! Cranelift's phases, summed over the compiles; with `BFJIT_NO_RUN` set it
//! only compiles.

use bfjit::harness::Target;
use bfjit::tier::{compile, Tier};
use ir_passes::ir::CellWidth;
use ir_passes::pipeline::Pipeline;
use std::path::Path;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (file, tier) = match &args[..] {
        [f, t, ..] => (Path::new(f), t.as_str()),
        _ => {
            return Err("usage: jit_timing FILE interp|simple|opt [RUNS [LEVEL [enforced]]]".into())
        }
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5);
    let tier = match tier {
        "interp" => Tier::Interp,
        "simple" => Tier::Simple,
        "opt" => Tier::Opt,
        t => return Err(format!("unknown tier {t}")),
    };
    let level = match args.get(3).and_then(|l| l.parse().ok()) {
        Some(l) => l,
        None if tier == Tier::Simple => 0,
        None => 2,
    };
    // A fifth argument `enforced` compiles the budget checks `--timeout` needs
    // (a step limit no run reaches stands in for it).
    let config = match args.get(4).map(String::as_str) {
        Some("enforced") => Target {
            max_steps: Some(u64::MAX),
            ..Target::default()
        },
        _ => Target::default(),
    };
    let program = bfjit::load::load(file, CellWidth::U8).map_err(|e| e.to_string())?;
    let input = std::fs::read(file.with_extension("in")).unwrap_or_default();
    let (mut pass_times, mut compile_times) = (Vec::new(), Vec::new());
    let mut compiled = None;
    for _ in 0..runs {
        let start = Instant::now();
        let optimized = Pipeline::level(level).run(program.clone(), false).program;
        pass_times.push(start.elapsed());
        let start = Instant::now();
        let c = compile(&optimized, tier, &config)?;
        compile_times.push(start.elapsed());
        compiled = Some(c);
    }
    let compiled = compiled.ok_or("RUNS must be at least 1")?;
    if std::env::var_os("BFJIT_CLIF_TIMING").is_some() {
        eprintln!("{}", cranelift_codegen::timing::take_current());
    }
    if std::env::var_os("BFJIT_NO_RUN").is_some() {
        println!(
            "{} {:?} -O{level}: passes {:.2} ms, compile {:.2} ms (medians of {runs})",
            file.display(),
            tier,
            median(pass_times).as_secs_f64() * 1e3,
            median(compile_times).as_secs_f64() * 1e3,
        );
        return Ok(());
    }
    let mut run_times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let outcome = compiled.run(&mut &input[..], &mut std::io::sink())?;
        run_times.push(start.elapsed());
        outcome.result.map_err(|e| e.to_string())?;
    }
    println!(
        "{} {:?} -O{level}: passes {:.2} ms, compile {:.2} ms, run {:.3} s (medians of {runs})",
        file.display(),
        tier,
        median(pass_times).as_secs_f64() * 1e3,
        median(compile_times).as_secs_f64() * 1e3,
        median(run_times).as_secs_f64()
    );
    Ok(())
}
