//! Criterion benchmarks (filled in by the benchmark-suite issue).
fn main() {}
