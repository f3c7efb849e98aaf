//! The benchmark suite as a library: discovery, the output check, failure
//! statuses, and every report format, on tiny programs in a temp folder.
//! Expected outputs are made by construction: each program is generated from
//! the bytes it must print.

use bfjit::bench::c_baseline::CCompiler;
use bfjit::bench::clock::Clock;
use bfjit::bench::contender::External;
use bfjit::bench::report::{json, markdown, svg, table};
use bfjit::bench::runner::Settings;
use bfjit::bench::{discover, run_suite, Contender, Report, Status, SuiteConfig};
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
            timeout: Duration::from_millis(500),
            ..Settings::default()
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
        let (p, e, t) = (
            r.parse.as_ref().unwrap(),
            r.execution.as_ref().unwrap(),
            r.total.as_ref().unwrap(),
        );
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
    assert_eq!(v["schema"], "bfjit-bench/2");
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
        "noisy",
        "external",
        "comparison",
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
        for stat in ["median_s", "mean_s", "stddev_s", "min_s", "max_s"] {
            assert!(good[phase][stat].is_f64(), "{phase}.{stat}");
        }
        // Every timed run is kept, and the summary is of those samples.
        let samples: Vec<f64> = good[phase]["samples_s"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(samples.len(), 2, "{phase}");
        let mean = samples.iter().sum::<f64>() / 2.0;
        assert!((good[phase]["mean_s"].as_f64().unwrap() - mean).abs() < 1e-12);
        let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(good[phase]["min_s"].as_f64().unwrap(), min);
    }
    assert!(good["noisy"].is_boolean());
    assert!(good["speedup"].is_f64() && good["speedup_total"].is_f64());
    assert!(good.get("peak_memory_bytes").is_some() && good.get("message").is_some());
    assert_eq!(v["programs"][1]["results"][0]["status"], "wrong-output");
    assert_eq!(v["programs"][3]["results"][1]["status"], "timeout");
}

#[test]
fn table_lists_every_row_and_colors_failed_rows() {
    let (_dir, report) = mixed_suite();
    let colored = table::render(&report);
    let plain = anstream::adapter::strip_str(&colored).to_string();
    for name in ["a_good", "b_wrong", "c_offtape", "d_endless"] {
        assert!(plain.contains(name), "{name} missing from\n{plain}");
    }
    assert!(plain.contains("WRONG OUTPUT") && plain.contains("TIMEOUT"));
    assert!(plain.contains("6 failure(s)"));
    assert!(plain.contains("mean ± σ"), "{plain}");
    // The first line naming the failure is its table row, styled red.
    let wrong_row = colored
        .lines()
        .find(|l| l.contains("WRONG OUTPUT"))
        .unwrap();
    assert!(wrong_row.starts_with("\x1b[31m"), "{wrong_row:?}");
    let good_row = colored.lines().find(|l| l.contains("a_good")).unwrap();
    assert!(!good_row.contains('\x1b') && good_row.contains("1.00×"));
    // What went wrong is spelled out under the table.
    assert!(plain
        .lines()
        .any(|l| l.contains("b_wrong interp: WRONG OUTPUT: output differs")));
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
    assert_eq!(
        s.matches("<title>").count(),
        2 + 6 + 4,
        "tooltips: two bars, six failures, four program names"
    );
    assert_eq!(s.matches("<text").count() - s.matches("</text>").count(), 0);
    assert!(s.contains("a_good interp:O0: "));
    assert_eq!(s.matches("<path").count(), 2, "a whisker per bar");
    assert!(s.contains(">execution time (wall time, log scale)</text>"));
    assert!(s.contains(">program</text>"));
    // Decade gridlines carry time labels.
    assert!(s.contains("s</text>"));
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
    cfg.settings.timeout = Duration::from_secs(60);
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
    assert!(c.codegen.as_ref().unwrap().median_s > 0.0 && c.speedup.is_some());
    assert!(c.peak_memory_bytes.is_some(), "the C probe reports memory");
    assert_eq!(report.clock, "cpu");
}

/// A suite of `n` printing programs with names of every length up to
/// `longest` characters, on two contenders; with more than one program,
/// one of them fails.
fn chart_suite(n: usize, longest: usize) -> (tempfile::TempDir, Report) {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..n {
        let stem = format!("{i:02}_{}", "m".repeat(longest - (i * 7) % longest));
        let expected: &[u8] = if n > 1 && i == n / 2 {
            b"not it"
        } else {
            b"ok"
        };
        write(dir.path(), &stem, &printing(b"ok"), Some(expected), None);
    }
    let cases = discover(&[dir.path().to_path_buf()]).unwrap();
    let mut cfg = config("interp,interp:O0");
    cfg.warmup = 0;
    let report = run_suite(&cases, &cfg).unwrap();
    (dir, report)
}

/// Renders the chart to PNG with resvg and checks what a reader would
/// see: the canvas size, something drawn, nothing touching the edges, and
/// every label's box inside the canvas (text laid out with the system's
/// fonts, as a browser would).
fn check_chart_png(report: &Report, png: &Path) {
    use resvg::{tiny_skia, usvg};
    let svg = svg::render(report);
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let fonts = !options.fontdb.is_empty();
    let tree = usvg::Tree::from_str(&svg, &options).unwrap();
    let size = tree.size().to_int_size();
    let (w, h) = (size.width(), size.height());
    assert!(
        svg.contains(&format!(r#"width="{w}" height="{h}""#)),
        "{w}x{h}"
    );
    let mut pixmap = tiny_skia::Pixmap::new(w, h).unwrap();
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.save_png(png).unwrap();
    let written = std::fs::read(png).unwrap();
    assert_eq!(&written[1..4], b"PNG");
    let white = |x: u32, y: u32| {
        let p = pixmap.pixel(x, y).unwrap();
        (p.red(), p.green(), p.blue()) == (255, 255, 255)
    };
    let edge = (0..w)
        .flat_map(|x| [(x, 0), (x, h - 1)])
        .chain((0..h).flat_map(|y| [(0, y), (w - 1, y)]));
    for (x, y) in edge {
        assert!(
            white(x, y),
            "something is drawn at the edge ({x}, {y}) of {w}x{h}: {:?}",
            pixmap.pixel(x, y)
        );
    }
    let inked = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .filter(|&(x, y)| !white(x, y))
        .count();
    assert!(inked > 1000, "only {inked} pixels drawn");
    if !fonts {
        eprintln!("no system fonts: label boxes not checked");
        return;
    }
    let mut texts = Vec::new();
    collect_text_boxes(tree.root(), &mut texts);
    assert_eq!(
        texts.len(),
        svg.matches("<text").count(),
        "every label laid out"
    );
    for r in texts {
        assert!(
            r.left() >= 1.0
                && r.top() >= 1.0
                && r.right() <= w as f32 - 1.0
                && r.bottom() <= h as f32 - 1.0,
            "a label at {r:?} leaves the {w}x{h} canvas"
        );
    }
}

fn collect_text_boxes(group: &resvg::usvg::Group, out: &mut Vec<resvg::usvg::Rect>) {
    for node in group.children() {
        match node {
            resvg::usvg::Node::Group(g) => collect_text_boxes(g, out),
            resvg::usvg::Node::Text(t) => out.push(t.abs_bounding_box()),
            _ => {}
        }
    }
}

#[test]
fn charts_fit_their_labels_with_one_program_and_with_thirty() {
    let out = tempfile::tempdir().unwrap();
    let (_one_dir, one) = chart_suite(1, 60);
    check_chart_png(&one, &out.path().join("one.png"));
    let (_many_dir, many) = chart_suite(30, 40);
    check_chart_png(&many, &out.path().join("thirty.png"));
    let s = svg::render(&many);
    assert_eq!(
        s.matches("<path").count(),
        29 * 2,
        "a whisker per successful bar"
    );
    assert_eq!(s.matches(">×<title>").count(), 2, "a mark per failure");
}

/// A shell script in `dir`, executable.
fn script(dir: &Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

fn external(name: &str, run: &str, build: Option<&str>) -> Contender {
    Contender::External(External {
        name: name.into(),
        run: run.into(),
        build: build.map(String::from),
    })
}

/// bfjit itself, run as a process: an external implementation whose
/// output is right by construction of the test programs.
const BFJIT: &str = env!("CARGO_BIN_EXE_bfjit");

#[test]
fn external_contenders_are_run_checked_and_timed_as_processes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let progs = d.join("progs");
    std::fs::create_dir(&progs).unwrap();
    write(
        &progs,
        "echo",
        ",[.[-],]",
        Some(b"stdin reaches it"),
        Some(b"stdin reaches it"),
    );
    let slow = script(
        d,
        "slow.sh",
        &format!("sleep 0.3\nexec '{BFJIT}' run \"$1\""),
    );
    let wrong = script(d, "wrong.sh", "echo nope");
    let cases = discover(&[progs]).unwrap();
    let mut cfg = config("interp");
    cfg.settings.timeout = Duration::from_secs(30);
    cfg.contenders.extend([
        external("self", &format!("'{BFJIT}' run {{}}"), None),
        external("slow", &format!("{slow} {{}}"), None),
        external("wrong", &format!("{wrong} {{}}"), None),
        external("missing", &format!("{}/no-such-bf {{}}", d.display()), None),
        external(
            "built",
            &format!("'{BFJIT}' run {{exe}}"),
            Some("sleep 0.2 && cp {} {exe}"),
        ),
        external(
            "unbuildable",
            "{exe}",
            Some("echo no compiler here >&2; exit 4"),
        ),
    ]);
    let report = run_suite(&cases, &cfg).unwrap();
    let r = |label: &str| {
        report.programs[0]
            .results
            .iter()
            .find(|r| r.contender == label)
            .unwrap()
    };
    assert_eq!(r("self").status, Status::Ok, "{:?}", r("self").message);
    assert!(r("self").parse.is_none() && r("self").codegen.is_none());
    assert_eq!(r("self").runs, 2);
    let slow = r("slow");
    assert_eq!(slow.status, Status::Ok, "{:?}", slow.message);
    let slow_exec = slow.execution.as_ref().unwrap();
    assert!(
        slow_exec.min_s >= 0.3,
        "the sleep is part of every run: {slow_exec:?}"
    );
    assert!(slow.speedup.unwrap() < 1.0);
    assert_eq!(r("wrong").status, Status::WrongOutput);
    assert!(r("wrong").message.as_deref().unwrap().contains("at byte 0"));
    assert_eq!(r("missing").status, Status::Error);
    assert!(
        r("missing")
            .message
            .as_deref()
            .unwrap()
            .contains("not found"),
        "{:?}",
        r("missing").message
    );
    let built = r("built");
    assert_eq!(built.status, Status::Ok, "{:?}", built.message);
    let compile = built.codegen.as_ref().unwrap();
    assert!(
        compile.min_s >= 0.2,
        "the build is the compile phase: {compile:?}"
    );
    assert!(
        built.total.as_ref().unwrap().min_s
            >= compile.min_s + built.execution.as_ref().unwrap().min_s - 1e-9
    );
    let unbuildable = r("unbuildable");
    assert_eq!(unbuildable.status, Status::Error);
    let message = unbuildable.message.as_deref().unwrap();
    assert!(
        message.contains("build command exited with 4: no compiler here"),
        "{message}"
    );
    assert_eq!(report.failures, 3);
    // The slow contender's speed-up keeps three significant digits.
    let plain = anstream::adapter::strip_str(&table::render(&report)).to_string();
    let shown = bfjit::bench::report::format_speedup(slow.speedup.unwrap());
    assert!(
        plain.contains(&shown) && !plain.contains("0.00×"),
        "{plain}"
    );
    let v: serde_json::Value = serde_json::from_str(&json::render(&report)).unwrap();
    assert_eq!(v["external"][4]["build"], "sleep 0.2 && cp {} {exe}");
    assert_eq!(
        v["programs"][0]["results"][1]["parse"],
        serde_json::Value::Null
    );
}

#[test]
fn a_contender_past_the_time_limit_is_killed_with_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let progs = d.join("progs");
    std::fs::create_dir(&progs).unwrap();
    write(&progs, "hi", &printing(b"hi"), Some(b"hi"), None);
    let pid_file = d.join("sleeper.pid");
    let hang = script(
        d,
        "hang.sh",
        &format!("sleep 60 &\necho $! > '{}'\nwait", pid_file.display()),
    );
    let cases = discover(&[progs]).unwrap();
    let mut cfg = config("interp");
    cfg.warmup = 0;
    cfg.runs = 1;
    cfg.settings.timeout = Duration::from_secs(1);
    cfg.contenders
        .push(external("hang", &format!("{hang} {{}}"), None));
    let report = run_suite(&cases, &cfg).unwrap();
    let hang = &report.programs[0].results[1];
    assert_eq!(hang.status, Status::Timeout, "{:?}", hang.message);
    // The script's own child went with it (its process group was killed);
    // init may take a moment to reap it.
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let proc_dir = Path::new("/proc").join(pid.trim());
    let gone = (0..100).any(|_| {
        let state = std::fs::read_to_string(proc_dir.join("stat")).unwrap_or_default();
        if state.is_empty() || state.contains(") Z ") {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
        false
    });
    assert!(
        gone,
        "sleep {} outlived the timed-out contender",
        pid.trim()
    );
}
