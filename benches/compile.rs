//! Criterion benchmarks of compile time on big corpus programs, one group
//! (`compile-phases`) with each phase on its own: `parse`, the `-O2`
//! `passes`, and the opt tier's `codegen` (Cranelift, the module's
//! finalization included), with the source size as throughput, so
//! criterion also reports bytes of source per second.
//!
//! The programs are the corpus's `bench/mandelbrot.b`, `bench/hanoi.b` and
//! `large/lostkingdom.b`; the corpus is `$BFJIT_CORPUS`, else
//! `../shared/bf-corpus` beside the repository. A program that is missing
//! is skipped with a note saying why, so `cargo bench` works on any
//! checkout. `bfjit bench` reports the same phases for whole suites.

use bfjit::harness::Target;
use bfjit::tier::{compile, Tier};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The programs, by path inside the corpus.
const PROGRAMS: &[&str] = &["bench/mandelbrot.b", "bench/hanoi.b", "large/lostkingdom.b"];

/// One program: its text, parsed, and optimized.
struct Subject {
    name: String,
    text: Vec<u8>,
    parsed: Program,
    optimized: Program,
}

fn corpus() -> PathBuf {
    std::env::var_os("BFJIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bf-corpus"))
}

/// Loads a program; `Err` says why it is skipped.
fn load(corpus: &std::path::Path, relative: &str) -> Result<Subject, String> {
    let path = corpus.join(relative);
    let text = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let name = name.trim_end_matches(".b").to_string();
    let parsed = parse(&name, &text, CellWidth::U8).map_err(|e| e.to_string())?;
    let optimized = Pipeline::level(2).run(parsed.clone(), false).program;
    // Compiled once up front: a program the tier cannot compile is skipped.
    compile(&optimized, Tier::Opt, &Target::default())?;
    Ok(Subject {
        name,
        text,
        parsed,
        optimized,
    })
}

/// Fewer samples, over a longer time, for phases that take long, so that
/// lostkingdom's seconds-long compile does not make the group take hours
/// nor criterion warn it cannot fit its samples.
fn size_group(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    took: Duration,
) {
    if took > Duration::from_millis(50) {
        group.sample_size(10);
        group.measurement_time(took * 12);
    } else {
        group.sample_size(30);
        group.measurement_time(Duration::from_secs(5));
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> Duration {
    let start = Instant::now();
    drop(f());
    start.elapsed()
}

fn phases(c: &mut Criterion) {
    let corpus = corpus();
    let mut subjects = Vec::new();
    for relative in PROGRAMS {
        match load(&corpus, relative) {
            Ok(s) => subjects.push(s),
            Err(e) => eprintln!("note: skipping {relative}: {e}"),
        }
    }
    let mut group = c.benchmark_group("compile-phases");
    for s in &subjects {
        group.throughput(Throughput::Bytes(s.text.len() as u64));
        size_group(&mut group, timed(|| parse(&s.name, &s.text, CellWidth::U8)));
        group.bench_function(BenchmarkId::new("parse", &s.name), |b| {
            b.iter(|| parse(&s.name, &s.text, CellWidth::U8))
        });
        let passes = || Pipeline::level(2).run(s.parsed.clone(), false);
        size_group(&mut group, timed(passes));
        group.bench_function(BenchmarkId::new("passes", &s.name), |b| {
            b.iter_batched(
                || s.parsed.clone(),
                |p| Pipeline::level(2).run(p, false),
                BatchSize::LargeInput,
            )
        });
        let codegen = || compile(&s.optimized, Tier::Opt, &Target::default());
        size_group(&mut group, timed(codegen));
        group.bench_function(BenchmarkId::new("codegen", &s.name), |b| b.iter(codegen));
    }
    group.finish();
}

criterion_group!(benches, phases);
criterion_main!(benches);
