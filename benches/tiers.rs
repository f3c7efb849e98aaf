//! Criterion benchmarks: compile time (passes + codegen) and run time of
//! every tier on a few short programs, one group for each, with the tiers of
//! one program side by side (`BenchmarkId::new("opt", program)`).
//!
//! Tiers that cannot compile a program (e.g. a JIT that is not built yet)
//! or that give the wrong output are skipped with a note, so `cargo bench`
//! works on any checkout. `bfjit bench` is the tool for whole suites.
//!
//! Criterion's HTML reports are on (Cargo.toml: `html_reports`, `plotters`):
//! `target/criterion/report/index.html` after a run.

use bfjit::harness::Target;
use bfjit::tier::{compile, Compiled, Tier};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Our own programs, all short.
const OWN: &[&str] = &["hello", "nested", "longloop", "reverse"];

/// A short program of the corpus, when the corpus is there.
const CORPUS: &str = "bench/busybeaver";

/// A run longer than this gets fewer criterion samples.
const LONG_RUN: Duration = Duration::from_millis(20);

/// One program, parsed, with its input and expected output.
struct Subject {
    name: String,
    program: Program,
    input: Vec<u8>,
    expected: Vec<u8>,
}

fn load(path: &Path, name: &str) -> Option<Subject> {
    let text = std::fs::read(path.with_extension("b")).ok()?;
    let expected = std::fs::read(path.with_extension("out")).ok()?;
    let input = std::fs::read(path.with_extension("in")).unwrap_or_default();
    let program = parse(name, &text, CellWidth::U8).ok()?;
    Some(Subject {
        name: name.to_string(),
        program,
        input,
        expected,
    })
}

fn subjects() -> Vec<Subject> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<Subject> = OWN
        .iter()
        .filter_map(|n| load(&root.join("bf-programs").join(n), n))
        .collect();
    let corpus = std::env::var_os("BFJIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/bf-corpus"));
    let short = CORPUS.rsplit('/').next().unwrap_or(CORPUS);
    match load(&corpus.join(CORPUS), short) {
        Some(s) => out.push(s),
        None => eprintln!(
            "note: no corpus program {CORPUS} under {}",
            corpus.display()
        ),
    }
    out
}

/// The program a tier is given: `-O2` for interp and opt, none for simple.
fn optimized(program: &Program, tier: Tier) -> Program {
    let level = if tier.takes_passes() { 2 } else { 0 };
    Pipeline::level(level).run(program.clone(), false).program
}

/// Compiles and runs once, checking the output; `Err` says why to skip.
fn check(s: &Subject, tier: Tier) -> Result<(Compiled, Duration), String> {
    let compiled = compile(&optimized(&s.program, tier), tier, &Target::default())?;
    let mut out = Vec::new();
    let start = Instant::now();
    let outcome = compiled.run(&mut &s.input[..], &mut out)?;
    let took = start.elapsed();
    outcome.result.map_err(|e| e.to_string())?;
    if out != s.expected {
        return Err("wrong output".into());
    }
    Ok((compiled, took))
}

fn tiers(c: &mut Criterion) {
    let subjects = subjects();
    let mut usable = Vec::new();
    for s in &subjects {
        for tier in Tier::ALL {
            match check(s, tier) {
                Ok((compiled, took)) => usable.push((s, tier, compiled, took)),
                Err(e) => eprintln!("note: skipping {} on {}: {e}", tier.name(), s.name),
            }
        }
    }
    let mut group = c.benchmark_group("compile");
    for (s, tier, _, _) in &usable {
        group.sample_size(if s.program.op_count() > 10_000 {
            20
        } else {
            100
        });
        group.bench_function(BenchmarkId::new(tier.name(), &s.name), |b| {
            b.iter_batched(
                || s.program.clone(),
                |p| {
                    let p = if tier.takes_passes() {
                        Pipeline::level(2).run(p, false).program
                    } else {
                        p
                    };
                    compile(&p, *tier, &Target::default())
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
    let mut group = c.benchmark_group("run");
    for (s, tier, compiled, took) in &usable {
        let long = *took > LONG_RUN;
        group.sample_size(if long { 10 } else { 100 });
        group.measurement_time(if long {
            *took * 12
        } else {
            Duration::from_secs(5)
        });
        group.bench_function(BenchmarkId::new(tier.name(), &s.name), |b| {
            b.iter(|| {
                compiled
                    .run(&mut &s.input[..], &mut std::io::sink())
                    .map(|o| o.result.is_ok())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, tiers);
criterion_main!(benches);
