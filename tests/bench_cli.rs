//! `bfjit bench` through the binary: exit statuses, the files it writes, and
//! its usage errors. Programs are generated from the bytes they must print,
//! so every expected output holds by construction.

use std::path::Path;
use std::process::{Command, Output};

fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bfjit"))
        .arg("bench")
        .args(args)
        .output()
        .expect("run bfjit")
}

/// A BF program that prints `text`.
fn printing(text: &[u8]) -> String {
    text.iter()
        .map(|&b| format!("{}.[-]", "+".repeat(b as usize)))
        .collect()
}

fn write(dir: &Path, name: &str, program: &str, out: &[u8]) {
    std::fs::write(dir.join(format!("{name}.b")), program).unwrap();
    std::fs::write(dir.join(format!("{name}.out")), out).unwrap();
}

const FAST: &[&str] = &["--runs", "1", "--warmup", "0", "--quiet", "--timeout", "30"];

#[test]
fn passing_suite_exits_zero_and_writes_json_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "hi", &printing(b"hi"), b"hi");
    let (json, svg) = (d.join("r.json"), d.join("r.svg"));
    let dir_arg = d.to_str().unwrap();
    let mut args = vec![dir_arg, "--tiers", "interp:O0,interp", "--json"];
    args.extend([json.to_str().unwrap(), "--svg", svg.to_str().unwrap()]);
    args.extend(FAST);
    let out = bench(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("/hi") && stdout.contains("interp:O0"),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\x1b'),
        "no colors when stdout is not a terminal"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["failures"], 0);
    assert_eq!(v["programs"][0]["results"][1]["status"], "ok");
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
}

#[test]
fn wrong_output_makes_the_exit_status_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "good", &printing(b"ok"), b"ok");
    write(d, "bad", &printing(b"ok"), b"OK");
    let mut args = vec![d.to_str().unwrap(), "--tiers", "interp", "--markdown"];
    args.extend(FAST);
    let out = bench(&args);
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("| program | interp |"), "{stdout}");
    assert!(stdout
        .lines()
        .any(|l| l.contains("/bad") && l.contains("**WRONG OUTPUT**")));
    assert!(stdout
        .lines()
        .any(|l| l.contains("/good") && l.contains("(1.00×)")));
}

#[test]
fn progress_goes_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hi", &printing(b"hi"), b"hi");
    let d = dir.path().to_str().unwrap();
    let out = bench(&[d, "--tiers", "interp", "--runs", "1", "--warmup", "0"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[1/1") && stderr.contains("/hi interp: ok"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = d.join("missing");
    let empty = d.to_str().unwrap();
    for args in [
        vec![missing.to_str().unwrap()],
        vec![empty],
        vec![empty, "--tiers", "turbo"],
        vec![empty, "--tiers", "simple:O2"],
        vec![empty, "--timeout", "-1"],
        vec![empty, "--runs", "0"],
    ] {
        let out = bench(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}
