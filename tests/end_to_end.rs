//! End-to-end tests of `bfjit run`: every program in bf-programs/ and in the
//! shared corpus, on every tier, compared byte for byte with its expected
//! output; malformed and out-of-bounds programs checked for exit status and
//! source position.

mod common;

use common::{assert_no_failures, bin};
use ir_passes::test_support::corpus::{
    cases, corpus, corpus_cases, manifest, programs, relative, repo_root, Case, ManifestEntry,
};
use std::path::Path;

/// Every tier with the `-O` levels it is tested at. No run sets
/// `--timeout`: these test the code `bfjit run` executes by default, which
/// has no budget checks compiled in (tests/jit_tiers.rs runs the corpus
/// both ways).
const CONFIGS: &[&[&str]] = &[
    &["--tier", "interp", "-O0"],
    &["--tier", "interp", "-O2"],
    &["--tier", "simple"],
    &["--tier", "opt", "-O1"],
    &["--tier", "opt", "-O2"],
    &["--tier", "auto"],
    &["--tier", "auto", "--jit-threshold", "1", "--jit-sync"],
];

/// Runs every case on every config; returns a description of each failure.
fn check_cases(cases: &[Case], configs: &[&[&str]]) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        let expected = std::fs::read(&case.expected).expect("read expected output");
        let input = case.input_bytes();
        for config in configs {
            let mut args: Vec<&str> = config.to_vec();
            args.extend(case.args.iter().map(String::as_str));
            let out = bin::run(&args, &case.program, &input);
            if out.status.code() != Some(case.exit) || out.stdout != expected {
                let at = out
                    .stdout
                    .iter()
                    .zip(&expected)
                    .position(|(a, b)| a != b)
                    .unwrap_or(out.stdout.len().min(expected.len()));
                failures.push(format!(
                    "{} {}: exit {:?} (want {}), {} bytes vs {} expected, first difference at byte {at}; stderr: {}",
                    case.program.display(),
                    args.join(" "),
                    out.status.code(),
                    case.exit,
                    out.stdout.len(),
                    expected.len(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
    }
    failures
}

#[test]
fn own_programs_match_expected_output_on_every_tier() {
    let all = cases(&repo_root().join("bf-programs"));
    assert!(
        all.len() >= 5,
        "bf-programs/ should hold programs with NAME.out"
    );
    assert_no_failures(check_cases(&all, CONFIGS));
}

#[test]
fn corpus_conformance_matches_on_every_tier() {
    assert_no_failures(check_cases(&corpus_cases("conformance", false), CONFIGS));
}

#[test]
fn corpus_bench_fast_programs_match_on_every_tier() {
    assert_no_failures(check_cases(&corpus_cases("bench", false), CONFIGS));
}

#[test]
fn corpus_large_fast_programs_match_on_every_tier() {
    assert_no_failures(check_cases(&corpus_cases("large", false), CONFIGS));
}

/// The long-running corpus programs; CI runs these in release mode.
#[test]
#[ignore = "slow: run with `cargo test --release -- --ignored`"]
fn corpus_slow_programs_match_on_every_tier() {
    let mut all = corpus_cases("bench", true);
    all.extend(corpus_cases("conformance", true));
    all.extend(corpus_cases("large", true));
    // Billions of unoptimized commands take minutes on the plain interpreter;
    // the optimized interpreter stands for the interp tier here.
    assert_no_failures(check_cases(&all, &CONFIGS[1..]));
}

#[test]
fn corpus_errors_exit_with_status_and_position() {
    let Some(dir) = corpus() else { return };
    let manifest = manifest(&dir);
    let mut failures = Vec::new();
    let mut checked = 0;
    for program in programs("errors") {
        let entry = manifest
            .get(&relative(&dir, &program))
            .cloned()
            .unwrap_or_default();
        if entry.is_slow() {
            continue; // covered by the slow test below
        }
        checked += 1;
        failures.extend(check_error(&program, &entry));
    }
    assert!(checked > 0, "no error programs found");
    assert_no_failures(failures);
}

#[test]
#[ignore = "slow: run with `cargo test --release -- --ignored`"]
fn corpus_slow_errors_exit_with_status_and_position() {
    let Some(dir) = corpus() else { return };
    let manifest = manifest(&dir);
    let mut failures = Vec::new();
    for (name, entry) in &manifest {
        if name.starts_with("errors/") && entry.is_slow() {
            failures.extend(check_error(&dir.join(name), entry));
        }
    }
    assert_no_failures(failures);
}

fn check_error(program: &Path, entry: &ManifestEntry) -> Vec<String> {
    let expected_out = std::fs::read(program.with_extension("out")).unwrap_or_default();
    let mut failures = Vec::new();
    for config in CONFIGS {
        let mut args = config.to_vec();
        args.extend(["--tape-size", "65536"]);
        let out = bin::run(&args, program, b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let position_ok = entry
            .error_at
            .as_ref()
            .is_none_or(|at| same_run(program, at, &stderr));
        if out.status.code() != Some(entry.exit) || out.stdout != expected_out || !position_ok {
            failures.push(format!(
                "{} {}: exit {:?} (want {}), {} bytes out (want {}), stderr {:?} (want position {:?})",
                program.display(),
                args.join(" "),
                out.status.code(),
                entry.exit,
                out.stdout.len(),
                expected_out.len(),
                stderr.trim(),
                entry.error_at
            ));
        }
    }
    failures
}

/// Whether the `line:col` our stderr names is the reference's position, or a
/// later command of the same run of `>`/`<` (the reference reports a run of
/// moves at its first command; we, like an unoptimized interpreter, at the
/// one that actually leaves the tape, as an independent check confirmed for
/// `errors/cells100k.b`).
fn same_run(program: &Path, expected: &str, stderr: &str) -> bool {
    let name = program.display().to_string();
    let Some(ours) = stderr
        .split_once(&format!("{name}:"))
        .and_then(|(_, rest)| {
            rest.split(|c: char| !c.is_ascii_digit())
                .take(2)
                .map(str::parse::<usize>)
                .collect::<Result<Vec<_>, _>>()
                .ok()
        })
    else {
        return false;
    };
    let Some((line, col)) = expected.split_once(':') else {
        return false;
    };
    let (line, col): (usize, usize) = (line.parse().unwrap_or(0), col.parse().unwrap_or(0));
    if ours[0] != line || ours[1] < col {
        return false;
    }
    if ours[1] == col {
        return true;
    }
    let text = std::fs::read(program).unwrap_or_default();
    let Some(row) = text.split(|&b| b == b'\n').nth(line - 1) else {
        return false;
    };
    let run = &row[col - 1..ours[1].min(row.len())];
    !run.is_empty() && run.iter().all(|&b| b == run[0] && (b == b'>' || b == b'<'))
}
