//! Parse + `-O2` only, for measuring the front and middle end alone
//! (callgrind, `/usr/bin/time`), without code generation or a run.
//!
//! ```text
//! cargo build --release -p ir-passes --example optimize
//! valgrind --tool=callgrind target/release/examples/optimize FILE
//! target/release/examples/optimize --times FILE    # per-pass wall times
//! target/release/examples/optimize --rounds FILE   # each pass run: round, time, changed
//! target/release/examples/optimize --folded FILE    # parse as `bfjit run` does
//! target/release/examples/optimize --repeat 20 --times FILE  # the fastest of 20 runs
//! ```
//!
//! By default the program is parsed one node per command (`parse`), as
//! `bfjit inspect` does; `--folded` parses with runs folded
//! (`parse_folded`), as `bfjit run` does before the passes.
//!
//! Prints the op count of the result (so the work cannot be optimized away)
//! and, with `--times`, each pass's summed time over the rounds; with
//! `--repeat N`, of the fastest of N runs (warm caches, as `bfjit bench`
//! measures after a warm-up run).

use ir_passes::ir::CellWidth;
use ir_passes::parse::{parse, parse_folded};
use ir_passes::pipeline::Pipeline;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn main() {
    let mut times = false;
    let mut rounds = false;
    let mut folded = false;
    let mut path = None;
    let mut repeat = 1usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--repeat" => repeat = args.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            "--times" => times = true,
            "--rounds" => rounds = true,
            "--folded" => folded = true,
            _ => path = Some(arg),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: optimize [--times] [--rounds] [--folded] [--repeat N] FILE");
        std::process::exit(2);
    };
    let text = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        std::process::exit(2);
    });
    let parser = if folded { parse_folded } else { parse };
    let mut best = None;
    for _ in 0..repeat {
        let start = Instant::now();
        let program = parser(&path, &text, CellWidth::U8).unwrap_or_else(|e| {
            eprintln!("{path}:{e}");
            std::process::exit(1);
        });
        let parsed = start.elapsed();
        let optimized = Pipeline::level(2).run(program, false);
        let total = start.elapsed();
        let faster = best
            .as_ref()
            .is_none_or(|&(_, t, _): &(_, Duration, _)| total < t);
        if faster {
            best = Some((parsed, total, optimized));
        }
    }
    let (parsed, total, optimized) = best.expect("at least one run");
    println!(
        "{path}: {} ops after -O2 in {} rounds",
        optimized.program.op_count(),
        optimized.snapshots.last().map_or(0, |s| s.round)
    );
    if rounds {
        for s in &optimized.snapshots {
            let changed = if s.changed { "changed" } else { "" };
            println!("  {} {:<12} {:>10?} {changed}", s.round, s.pass, s.time);
        }
    }
    if times {
        let mut per_pass: BTreeMap<&str, Duration> = BTreeMap::new();
        for s in &optimized.snapshots {
            *per_pass.entry(s.pass).or_default() += s.time;
        }
        println!("parse: {parsed:?}, parse + passes: {total:?}");
        for (pass, time) in per_pass {
            println!("  {pass:<12} {time:?}");
        }
    }
}
