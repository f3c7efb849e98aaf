//! `bfjit bench` through the binary: exit statuses, the files it writes, and
//! its usage errors. Programs are generated from the bytes they must print,
//! so every expected output holds by construction.

use std::path::Path;
use std::process::{Command, Output};

const BFJIT: &str = env!("CARGO_BIN_EXE_bfjit");

fn bench(args: &[&str]) -> Output {
    bench_with(args, &[])
}

/// Runs `bfjit bench` with extra environment variables; colors and saved
/// runs are decided by the environment, so the test's own is cleared of
/// those variables.
fn bench_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BFJIT);
    cmd.arg("bench").args(args);
    for var in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "BFJIT_BENCH_DIR"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied()).output().expect("run bfjit")
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
    // Compile throughput: the program's size, and a row per contender.
    let size = std::fs::metadata(d.join("hi.b")).unwrap().len();
    assert_eq!(v["programs"][0]["source_bytes"], size);
    let table = stdout
        .split("Compile throughput")
        .nth(1)
        .unwrap_or_else(|| panic!("no throughput table:\n{stdout}"));
    for tier in ["interp:O0", "interp"] {
        assert!(table.lines().any(|l| l.contains(tier)), "{tier}:\n{stdout}");
    }
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
    // No live bar when stderr is not a terminal: no redrawn line, no bar.
    assert!(
        !stderr.contains('\r') && !stderr.contains("runs, ~"),
        "{stderr:?}"
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
        vec![empty, "--contender", "opt=bf {}"],
        vec![empty, "--contender", "nameonly"],
        vec![empty, "--contender-build", "x=cc {} -o {exe}"],
        vec![empty, "--save", "../escape"],
        vec![empty, "--compare", "never-saved"],
    ] {
        let out = bench(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn json_dash_writes_the_report_to_stdout_and_the_table_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hi", &printing(b"hi"), b"hi");
    let mut args = vec![
        dir.path().to_str().unwrap(),
        "--tiers",
        "interp",
        "--json",
        "-",
    ];
    args.extend(FAST);
    let out = bench(&args);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v["schema"], "bfjit-bench/2");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mean ± σ") && stderr.contains("/hi"),
        "{stderr}"
    );
}

#[test]
fn external_contenders_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let progs = d.join("progs");
    std::fs::create_dir(&progs).unwrap();
    write(&progs, "hi", &printing(b"hi"), b"hi");
    let own = format!("self='{BFJIT}' run {{}}");
    let built = format!("copy='{BFJIT}' run {{exe}}");
    let missing = format!("gone={}/not-installed {{}}", d.display());
    let mut args = vec![progs.to_str().unwrap(), "--tiers", "interp"];
    args.extend([
        "--contender",
        &own,
        "--contender",
        &built,
        "--contender",
        &missing,
    ]);
    args.extend([
        "--contender-build",
        "copy=cp {} {exe}",
        "--baseline",
        "self",
    ]);
    args.extend(["--markdown"]);
    args.extend(FAST);
    let out = bench(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "the missing one fails\n{stdout}"
    );
    assert!(
        stdout.contains("| program | interp | self | copy | gone |"),
        "{stdout}"
    );
    let row = stdout
        .lines()
        .find(|l| l.contains("/hi") && l.contains("(1.00×)"))
        .unwrap();
    assert!(row.ends_with("| **ERROR** |"), "{row}");
}

/// A saved report of schema 1 with chosen figures for three programs.
fn earlier_run(dir: &Path, folder: &str) -> String {
    let result = |median: f64, min: f64, max: f64| {
        serde_json::json!([{ "contender": "interp", "status": "ok",
            "execution": { "median_s": median, "min_s": min, "max_s": max } }])
    };
    let report = serde_json::json!({
        "schema": "bfjit-bench/1",
        "git_revision": "0123456789abcdef",
        "programs": [
            // Far slower then: now faster beyond any noise.
            { "name": format!("{folder}/a_fast"), "results": result(1000.0, 1000.0, 1000.0) },
            // Far faster then: now slower.
            { "name": format!("{folder}/b_slow"), "results": result(1e-12, 1e-12, 1e-12) },
            // So spread then that no change can be told from noise.
            { "name": format!("{folder}/c_noisy"), "results": result(1e-5, 1e-9, 10.0) },
        ]
    });
    let path = dir.join("earlier.json");
    std::fs::write(&path, report.to_string()).unwrap();
    path.display().to_string()
}

#[test]
fn compare_flags_changes_beyond_the_noise_and_save_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let progs = d.join("progs");
    std::fs::create_dir(&progs).unwrap();
    for name in ["a_fast", "b_slow", "c_noisy"] {
        write(&progs, name, &printing(b"hi"), b"hi");
    }
    let earlier = earlier_run(d, "progs");
    let saved = d.join("saved");
    let env = [("BFJIT_BENCH_DIR", saved.to_str().unwrap())];
    let report = d.join("now.json");
    let mut args = vec![
        progs.to_str().unwrap(),
        "--tiers",
        "interp",
        "--compare",
        &earlier,
    ];
    args.extend(["--json", report.to_str().unwrap(), "--save", "first"]);
    args.extend(FAST);
    let out = bench_with(&args, &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("Change of the median execution time against"),
        "{stdout}"
    );
    let verdict = |name: &str| {
        let line = stdout.lines().rev().find(|l| l.contains(name)).unwrap();
        line.split_whitespace().last().unwrap().to_string()
    };
    assert_eq!(verdict("a_fast"), "faster");
    assert_eq!(verdict("b_slow"), "slower");
    assert_eq!(verdict("c_noisy"), "noise", "the line ends 'within noise'");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let changes = v["comparison"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 3);
    assert_eq!(changes[0]["verdict"], "faster");
    assert!(changes[0]["change_pct"].as_f64().unwrap() < -99.0);
    assert_eq!(changes[1]["verdict"], "slower");
    assert_eq!(changes[2]["verdict"], "within-noise");
    assert_eq!(v["comparison"]["against_revision"], "0123456789abcdef");
    // The saved run is this report, and --compare finds it by name.
    let first = saved.join("first.json");
    let saved_v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
    assert_eq!(saved_v["started_unix_s"], v["started_unix_s"]);
    let mut again = vec![
        progs.to_str().unwrap(),
        "--tiers",
        "interp",
        "--compare",
        "first",
    ];
    again.extend(FAST);
    let out = bench_with(&again, &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("against {}", first.display())),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("/a_fast").count(),
        3,
        "in the results, the compile throughput and the changes:\n{stdout}"
    );
}

#[test]
fn colors_follow_no_color_and_clicolor_force() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad", &printing(b"ok"), b"OK");
    let mut args = vec![dir.path().to_str().unwrap(), "--tiers", "interp"];
    args.extend(FAST);
    let forced = bench_with(&args, &[("CLICOLOR_FORCE", "1")]);
    assert_eq!(forced.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&forced.stdout).contains("\x1b[31m"),
        "a forced color run styles the failure"
    );
    let plain = bench_with(&args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert_eq!(plain.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&plain.stdout);
    assert!(
        !stdout.contains('\x1b') && stdout.contains("WRONG OUTPUT"),
        "{stdout:?}"
    );
}

/// Whether process `pid` has ended (gone, or a zombie awaiting its reaper),
/// waiting up to five seconds for it.
fn ends(pid: &str) -> bool {
    let stat = Path::new("/proc").join(pid.trim()).join("stat");
    (0..100).any(|_| {
        let state = std::fs::read_to_string(&stat).unwrap_or_default();
        if state.is_empty() || state.contains(") Z ") {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        false
    })
}

#[test]
fn terminating_the_bench_takes_a_running_contender_with_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let progs = d.join("progs");
    std::fs::create_dir(&progs).unwrap();
    write(&progs, "hi", &printing(b"hi"), b"hi");
    let pid_file = d.join("sleeper.pid");
    let hang = d.join("hang.sh");
    let body = format!(
        "#!/bin/sh\nsleep 60 &\necho $! > '{}'\nwait\n",
        pid_file.display()
    );
    std::fs::write(&hang, body).unwrap();
    std::fs::set_permissions(&hang, std::fs::Permissions::from_mode(0o755)).unwrap();
    let contender = format!("hang={} {{}}", hang.display());
    let mut child = Command::new(BFJIT)
        .args(["bench", progs.to_str().unwrap(), "--tiers", "interp"])
        .args([
            "--contender",
            &contender,
            "--quiet",
            "--warmup",
            "0",
            "--runs",
            "1",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::fs::read_to_string(&pid_file).is_ok_and(|p| p.ends_with('\n'))
    });
    // SAFETY: plain system call on our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(started, "the contender never started");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(libc::SIGTERM),
        "it dies of the signal"
    );
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    assert!(ends(&pid), "sleep {} outlived the bench", pid.trim());
}

/// Whether the system C compiler `bfjit build` links with is here.
fn have_cc() -> bool {
    let ok = Command::new("cc").arg("--version").output().is_ok();
    if !ok {
        eprintln!("skipping: no cc");
    }
    ok
}

/// The results of program `name` in a JSON report, by contender label.
fn results_of<'a>(v: &'a serde_json::Value, name: &str) -> &'a Vec<serde_json::Value> {
    let programs = v["programs"].as_array().unwrap();
    let p = programs
        .iter()
        .find(|p| p["name"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("no program {name} in {v}"));
    p["results"].as_array().unwrap()
}

#[test]
fn exe_contender_builds_once_and_checks_every_run() {
    if !have_cc() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "wrong", &printing(b"ok"), b"OK");
    write(d, "offtape", "<", b"");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("bf-programs");
    let (echo, hello) = (repo.join("echo.b"), repo.join("hello.b"));
    let json = d.join("r.json");
    let mut args = vec![echo.to_str().unwrap(), hello.to_str().unwrap()];
    args.extend([d.to_str().unwrap(), "--tiers", "opt,exe", "--clock", "cpu"]);
    args.extend(["--json", json.to_str().unwrap()]);
    args.extend(["--runs", "2", "--warmup", "0", "--quiet", "--timeout", "30"]);
    let out = bench(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "two programs fail\n{stdout}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["contenders"], serde_json::json!(["opt", "exe"]));
    assert_eq!(
        v["failures"], 4,
        "two programs fail on both contenders: {v}"
    );
    for name in ["echo", "hello"] {
        let exe = &results_of(&v, name)[1];
        assert_eq!(exe["contender"], "exe");
        assert_eq!(exe["status"], "ok", "{exe}");
        assert_eq!(exe["runs"], 2);
        for phase in ["parse", "passes", "codegen", "execution"] {
            let samples = exe[phase]["samples_s"].as_array();
            assert_eq!(samples.map(Vec::len), Some(2), "{name} {phase}: {exe}");
        }
        let codegen = exe["codegen"]["samples_s"].as_array().unwrap();
        assert!(codegen[0].as_f64().unwrap() > 0.0, "the build is timed");
        assert_eq!(codegen[0], codegen[1], "built once, repeated per sample");
        assert!(exe["execution"]["median_s"].as_f64().unwrap() > 0.0);
        assert!(exe["speedup"].as_f64().is_some());
        assert!(exe["peak_memory_bytes"].is_null(), "{exe}");
    }
    let wrong = &results_of(&v, "wrong")[1];
    assert_eq!(wrong["status"], "wrong-output", "{wrong}");
    let offtape = &results_of(&v, "offtape")[1];
    assert_eq!(offtape["status"], "error", "{offtape}");
    let message = offtape["message"].as_str().unwrap();
    assert!(
        message.contains("exited with 3") && message.contains("offtape.b:1:1"),
        "{message}"
    );
}

#[test]
fn exe_contender_without_a_c_compiler_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "hi", &printing(b"hi"), b"hi");
    let missing = d.join("no-such-cc");
    let json = d.join("r.json");
    let mut args = vec![d.to_str().unwrap(), "--tiers", "interp,exe", "--json"];
    args.push(json.to_str().unwrap());
    args.extend(FAST);
    let out = bench_with(&args, &[("BFJIT_CC", missing.to_str().unwrap())]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "not a failure\n{stdout}");
    assert!(stdout.contains("unavailable"), "{stdout}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let exe = &results_of(&v, "hi")[1];
    assert_eq!(exe["status"], "unavailable", "{exe}");
    let message = exe["message"].as_str().unwrap();
    assert!(message.contains("cannot build executables"), "{message}");
    // With a runtime (built by a C compiler), the missing linker is named.
    if have_cc() {
        assert!(message.contains("no-such-cc` not found"), "{message}");
    }
}
