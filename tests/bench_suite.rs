//! The benchmark suite as a library: discovery, the output check, failure
//! statuses, and every report format, on tiny programs in a temp folder.
//! Expected outputs are made by construction: each program is generated from
//! the bytes it must print.

use bfjit::bench::c_baseline::CCompiler;
use bfjit::bench::clock::Clock;
use bfjit::bench::report::{json, markdown, svg, table};
use bfjit::bench::runner::Settings;
use bfjit::bench::{discover, run_suite, Contender, Report, Status, SuiteConfig};
use bfjit::harness::Target;
use ir_passes::ir::CellWidth;
use std::path::Path;
use std::time::Duration;

/// A BF program that prints `text`: set each byte from zero, print, clear.
fn printing(text: &[u8]) -> String {
    let mut p = String::new();
    for &b in text {
        p.push_str(&"+".repeat(b as usize));
        p.push_str(".[-]");
    }
    p
}

/// Writes `NAME.b`, and `NAME.out` / `NAME.in` when given.
fn write(dir: &Path, name: &str, program: &str, out: Option<&[u8]>, input: Option<&[u8]>) {
    std::fs::write(dir.join(format!("{name}.b")), program).unwrap();
    if let Some(out) = out {
        std::fs::write(dir.join(format!("{name}.out")), out).unwrap();
    }
    if let Some(input) = input {
        std::fs::write(dir.join(format!("{name}.in")), input).unwrap();
    }
}

fn config(specs: &str) -> SuiteConfig {
    SuiteConfig {
        contenders: Contender::parse_list(specs).unwrap(),
        baseline: 0,
        runs: 2,
        warmup: 1,
        settings: Settings {
            cell: CellWidth::U8,
            target: Target {
                timeout: Some(Duration::from_millis(500)),
                ..Target::default()
            },
            clock: Clock::Wall,
        },
        cc: None,
        progress: false,
    }
}

/// A folder with a passing program, a program whose `.out` is wrong, one that
/// leaves the tape, one that never ends, and one with no `.out` (ignored).
fn mixed_suite() -> (tempfile::TempDir, Report) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a_good", &printing(b"hi\n"), Some(b"hi\n"), None);
    write(d, "b_wrong", &printing(b"hi\n"), Some(b"ho\n"), None);
    write(d, "c_offtape", "<", Some(b""), None);
    write(d, "d_endless", "+[]", Some(b""), None);
    write(d, "e_no_out", "+.", None, None);
    let cases = discover(&[d.to_path_buf()]).unwrap();
    let report = run_suite(&cases, &config("interp,interp:O0")).unwrap();
    (dir, report)
}

fn status(report: &Report, program: &str, column: usize) -> Status {
    let p = report
        .programs
        .iter()
        .find(|p| p.name.ends_with(program))
        .unwrap();
    p.results[column].status
}

#[test]
fn discovery_finds_programs_with_expected_output_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "zeta", "+.", Some(b"\x01"), Some(b"input"));
    write(d, "alpha", "+.", Some(b"\x01"), None);
    write(d, "lonely", "+.", None, None);
    let folder = d.file_name().unwrap().to_string_lossy().into_owned();
    // The folder twice and one file inside it again: each program once.
    let cases = discover(&[d.to_path_buf(), d.to_path_buf(), d.join("zeta.b")]).unwrap();
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, [format!("{folder}/alpha"), format!("{folder}/zeta")]);
    assert_eq!(cases[0].input, None);
    assert_eq!(cases[1].input.as_deref(), Some(d.join("zeta.in").as_path()));
    assert!(discover(&[d.join("lonely.b")])
        .unwrap_err()
        .contains("no expected output"));
    assert!(discover(&[d.join("missing")])
        .unwrap_err()
        .contains("no such file"));
}

#[test]
fn wrong_output_errors_and_timeouts_are_failures() {
    let (_dir, report) = mixed_suite();
    assert_eq!(
        report.programs.len(),
        4,
        "the program with no .out is not run"
    );
    for column in 0..2 {
        assert_eq!(status(&report, "a_good", column), Status::Ok);
        assert_eq!(status(&report, "b_wrong", column), Status::WrongOutput);
        assert_eq!(status(&report, "c_offtape", column), Status::Error);
        assert_eq!(status(&report, "d_endless", column), Status::Timeout);
    }
    assert_eq!(report.failures, 6);
    let wrong = &report.programs[1].results[0];
    let message = wrong.message.as_deref().unwrap();
    assert!(message.contains("at byte 1"), "{message}");
    assert!(report.programs[2].results[0]
        .message
        .as_deref()
        .unwrap()
        .contains("1:1"));
}

#[test]
fn passing_results_have_every_phase_and_speedups() {
    let (_dir, report) = mixed_suite();
    let good = &report.programs[0];
    for r in &good.results {
        assert_eq!(r.runs, 2);
        let (p, e, t) = (r.parse.unwrap(), r.execution.unwrap(), r.total.unwrap());
        assert!(p.min_s <= p.median_s && p.median_s <= p.max_s);
        assert!(e.min_s <= e.median_s && e.median_s <= e.max_s);
        assert!(t.median_s >= e.median_s);
        assert!(r.passes.is_some() && r.codegen.is_some());
        if report.memory_method == "hwm-delta" {
            assert!(r.peak_memory_bytes.is_some());
        }
    }
    assert_eq!(
        good.results[0].speedup,
        Some(1.0),
        "the baseline against itself"
    );
    assert!(good.results[1].speedup.unwrap() > 0.0);
    assert!(report.programs[1]
        .results
        .iter()
        .all(|r| r.speedup.is_none()));
}

#[test]
fn json_has_the_documented_fields() {
    let (_dir, report) = mixed_suite();
    let v: serde_json::Value = serde_json::from_str(&json::render(&report)).unwrap();
    assert_eq!(v["schema"], "bfjit-bench/1");
    for key in [
        "bfjit_version",
        "git_revision",
        "git_dirty",
        "cpu",
        "cpus",
        "started_unix_s",
        "runs",
        "warmup",
        "timeout_s",
        "clock",
        "conventions",
        "memory_method",
        "contenders",
        "baseline",
        "programs",
        "failures",
        "elapsed_s",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["contenders"], serde_json::json!(["interp", "interp:O0"]));
    assert_eq!(v["baseline"], "interp");
    assert_eq!(v["failures"], 6);
    assert_eq!(v["conventions"]["cell_bits"], 8);
    let good = &v["programs"][0]["results"][0];
    assert_eq!(good["status"], "ok");
    for phase in ["parse", "passes", "codegen", "execution", "total"] {
        for stat in ["median_s", "min_s", "max_s"] {
            assert!(good[phase][stat].is_f64(), "{phase}.{stat}");
        }
    }
    assert!(good["speedup"].is_f64() && good["speedup_total"].is_f64());
    assert!(good.get("peak_memory_bytes").is_some() && good.get("message").is_some());
    assert_eq!(v["programs"][1]["results"][0]["status"], "wrong-output");
    assert_eq!(v["programs"][3]["results"][1]["status"], "timeout");
}

#[test]
fn table_lists_every_row_and_colors_failures_only_on_request() {
    let (_dir, report) = mixed_suite();
    let plain = table::render(&report, false);
    assert!(!plain.contains('\x1b'));
    for name in ["a_good", "b_wrong", "c_offtape", "d_endless"] {
        assert!(plain.contains(name), "{name} missing from\n{plain}");
    }
    assert!(plain.contains("WRONG OUTPUT") && plain.contains("TIMEOUT"));
    assert!(plain.contains("6 failure(s)"));
    let colored = table::render(&report, true);
    let wrong_line = colored
        .lines()
        .find(|l| l.contains("WRONG OUTPUT"))
        .unwrap();
    assert!(wrong_line.contains("\x1b[31m"), "{wrong_line:?}");
    let good_line = colored.lines().find(|l| l.contains("a_good")).unwrap();
    assert!(!good_line.contains('\x1b') && good_line.contains("1.00×"));
}

#[test]
fn markdown_has_a_column_per_contender_and_a_row_per_program() {
    let (_dir, report) = mixed_suite();
    let md = markdown::render(&report);
    assert!(md.contains("| program | interp | interp:O0 |"), "{md}");
    assert!(md.contains("| --- | ---: | ---: |"));
    let good = md.lines().find(|l| l.contains("a_good")).unwrap();
    assert_eq!(good.matches('|').count(), 4);
    assert!(good.contains("(1.00×)"), "{good}");
    let wrong = md.lines().find(|l| l.contains("b_wrong")).unwrap();
    assert!(wrong.contains("**WRONG OUTPUT**"));
    assert!(md.contains("**6 failure(s).**"));
}

#[test]
fn svg_has_a_bar_per_success_and_a_mark_per_failure() {
    let (_dir, report) = mixed_suite();
    let s = svg::render(&report);
    assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
    assert_eq!(
        s.matches("<rect").count(),
        1 + 2 + 2,
        "background, legend, two bars"
    );
    assert_eq!(s.matches("<title>").count(), 2 + 6);
    assert_eq!(s.matches("<text").count() - s.matches("</text>").count(), 0);
    assert!(s.contains("a_good interp:O0: "));
    // Decade gridlines carry time labels.
    assert!(s.contains(" s</text>") || s.contains("s</text>"));
}

#[test]
fn the_c_yardstick_checks_its_output_too() {
    let Ok(cc) = CCompiler::find(None) else {
        eprintln!("skipping: no C compiler");
        return;
    };
    eprintln!("using {}", cc.version);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "good", &printing(b"ok"), Some(b"ok"), None);
    write(d, "echo", ",[.[-],]", Some(b"abc"), Some(b"abc"));
    write(d, "wrong", &printing(b"ok"), Some(b"no"), None);
    let cases = discover(&[d.to_path_buf()]).unwrap();
    let mut cfg = config("interp,c");
    cfg.settings.target.timeout = Some(Duration::from_secs(60));
    cfg.settings.clock = Clock::Cpu;
    let report = run_suite(&cases, &cfg).unwrap();
    let by_name = |n: &str| {
        report
            .programs
            .iter()
            .find(|p| p.name.ends_with(n))
            .unwrap()
    };
    assert_eq!(by_name("echo").results[1].status, Status::Ok);
    assert_eq!(by_name("good").results[1].status, Status::Ok);
    assert_eq!(by_name("wrong").results[1].status, Status::WrongOutput);
    let c = &by_name("good").results[1];
    assert!(c.codegen.unwrap().median_s > 0.0 && c.speedup.is_some());
    assert!(c.peak_memory_bytes.is_some(), "the C probe reports memory");
    assert_eq!(report.clock, "cpu");
}
