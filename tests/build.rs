//! `bfjit build`: executables built from the corpus programs, run as whole
//! processes and compared byte for byte with the expected output; off-tape
//! programs end with status 3 naming the position `bfjit run` names; the
//! conventions fixed at build time; the intermediate forms of `--emit`; and
//! the errors of the build itself (no C compiler, no output directory).

mod common;

use common::assert_no_failures;
use ir_passes::test_support::corpus::{
    cases, corpus, corpus_cases, manifest, relative, repo_root, Case, SLOW_COMMANDS,
};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

fn bfjit() -> Command {
    common::bin::command()
}

/// `bfjit build FILE -o OUT ARGS…`.
fn build(file: &Path, out: &Path, args: &[&str]) -> Output {
    bfjit()
        .arg("build")
        .arg(file)
        .arg("-o")
        .arg(out)
        .args(args)
        .output()
        .expect("spawn bfjit")
}

/// Builds and runs every case, several at a time (each build is a compile
/// and a link, mostly waiting on `cc`); returns a description of each
/// failure.
fn check_cases(cases: &[Case]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let failures = Mutex::new(Vec::new());
    let next = Mutex::new(0..cases.len());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let Some(i) = next.lock().unwrap().next() else {
                    return;
                };
                if let Some(f) = check_case(&cases[i], &dir.path().join(format!("prog{i}"))) {
                    failures.lock().unwrap().push(f);
                }
            });
        }
    });
    failures.into_inner().unwrap()
}

fn check_case(case: &Case, exe: &Path) -> Option<String> {
    let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
    let built = build(&case.program, exe, &args);
    let what = format!("{} {}", case.program.display(), args.join(" "));
    if !built.status.success() {
        return Some(format!(
            "{what}: build failed: {}",
            String::from_utf8_lossy(&built.stderr)
        ));
    }
    let expected = std::fs::read(&case.expected).expect("read expected output");
    let out = common::bin::run_with_input(Command::new(exe), case.input.as_deref());
    if out.status.code() == Some(case.exit) && out.stdout == expected {
        return None;
    }
    let at = out
        .stdout
        .iter()
        .zip(&expected)
        .position(|(a, b)| a != b)
        .unwrap_or(out.stdout.len().min(expected.len()));
    Some(format!(
        "{what}: exit {:?} (want {}), {} bytes vs {} expected, first difference at byte {at}; stderr: {}",
        out.status.code(),
        case.exit,
        out.stdout.len(),
        expected.len(),
        String::from_utf8_lossy(&out.stderr).trim()
    ))
}

#[test]
fn corpus_conformance_executables_match_expected_output() {
    let cases = corpus_cases("conformance", false);
    // The convention variants are among them: cell widths and EOF rules
    // fixed at build time.
    if corpus().is_some() {
        assert!(cases.iter().any(|c| c.variant == "c16"));
        assert!(cases.iter().any(|c| c.variant.starts_with('e')));
    }
    assert_no_failures(check_cases(&cases));
}

#[test]
fn own_programs_executables_match_expected_output() {
    let all = cases(&repo_root().join("bf-programs"));
    assert!(
        all.len() >= 5,
        "bf-programs/ should hold programs with NAME.out"
    );
    assert_no_failures(check_cases(&all));
}

/// Every bench program (all of them run billions of commands) and the slow
/// conformance ones; CI runs this in release mode.
#[test]
#[ignore = "slow: run with `cargo test --release -- --ignored`"]
fn corpus_bench_executables_match_expected_output() {
    let mut all = corpus_cases("bench", true);
    all.extend(corpus_cases("bench", false));
    all.extend(corpus_cases("conformance", true));
    assert_no_failures(check_cases(&all));
}

/// What `bfjit run` prints and exits with, to compare an executable with.
fn run_reference(program: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = bfjit()
        .arg("run")
        .arg(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bfjit");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().expect("wait for bfjit")
}

/// The error line without its `NAME: ` prefix (bfjit's or the executable's).
fn message(stderr: &[u8]) -> String {
    // `bfjit run` renders `error: MESSAGE` and, a line or two below,
    // `--> FILE:LINE:COL`; the executable (and `bfjit build` itself) print
    // one line, `NAME: FILE:LINE:COL: MESSAGE`. Both become
    // `FILE:LINE:COL: MESSAGE`.
    let text = String::from_utf8_lossy(stderr);
    let mut error = None;
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("error: ") {
            error = Some(m.trim().to_string());
        } else if let (Some(m), Some(at)) = (&error, line.trim_start().strip_prefix("--> ")) {
            return format!("{}: {m}", at.trim());
        }
    }
    text.lines()
        .next()
        .and_then(|l| l.split_once(": "))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_default()
}

#[test]
fn off_tape_programs_exit_3_naming_the_command_bfjit_run_names() {
    let Some(dir) = corpus() else { return };
    let manifest = manifest(&dir);
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut programs: Vec<PathBuf> = std::fs::read_dir(dir.join("errors"))
        .expect("errors folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "b"))
        .collect();
    programs.sort();
    for program in programs {
        let entry = manifest
            .get(&relative(&dir, &program))
            .cloned()
            .unwrap_or_default();
        if entry.exit != 3 || entry.commands >= SLOW_COMMANDS {
            continue;
        }
        checked += 1;
        let exe = tmp.path().join(format!("e{checked}"));
        let built = build(&program, &exe, &["--tape-size", "65536"]);
        assert!(
            built.status.success(),
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );
        let ours = common::bin::run_with_input(Command::new(&exe), None);
        let reference = run_reference(&program, &["--tape-size", "65536"], b"");
        let expected_out = std::fs::read(program.with_extension("out")).unwrap_or_default();
        if ours.status.code() != Some(3)
            || ours.stdout != expected_out
            || message(&ours.stderr) != message(&reference.stderr)
        {
            failures.push(format!(
                "{}: exit {:?}, {} bytes out (want {}), stderr {:?} (bfjit run: {:?})",
                program.display(),
                ours.status.code(),
                ours.stdout.len(),
                expected_out.len(),
                String::from_utf8_lossy(&ours.stderr),
                String::from_utf8_lossy(&reference.stderr)
            ));
        }
    }
    assert!(checked > 0, "no off-tape programs found");
    assert_no_failures(failures);
}

/// Writes `text` as `name` in `dir`.
fn source(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write program");
    path
}

#[test]
fn guards_that_fail_and_resume_behave_as_the_interpreter() {
    // Folded loops that do not run make guards conservative: a failing
    // guard's fallback then finishes and the code resumes after it (the
    // context's result and guard fields at work), or reports the command.
    let tmp = tempfile::tempdir().expect("temp dir");
    let programs = [
        (
            "resume.b",
            "[->>>>>>+<<<<<<]+.>+.<[->>>>>>>>>+<<<<<<<<<]++.",
            "4",
        ),
        ("scan.b", "+>+>+>+<<<[>]+.<[<]>.", "4"),
        ("left.b", "+.>+.<<[-]", "8"),
        ("nested.b", "++[>[->>>>>>>+<<<<<<<]<-]>+.+.", "5"),
        ("io.b", ",[.,]>,.", "3"),
    ];
    for (name, text, tape) in programs {
        let program = source(tmp.path(), name, text);
        for cell in ["8", "16"] {
            let args = ["--tape-size", tape, "--cell", cell, "--eof", "zero"];
            let exe = tmp.path().join(format!("{name}-{cell}"));
            let built = build(&program, &exe, &args);
            assert!(
                built.status.success(),
                "{}",
                String::from_utf8_lossy(&built.stderr)
            );
            let input = b"hello";
            let mut child = Command::new(&exe)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn executable");
            // A program that reads nothing may exit before the input is written.
            let _ = child.stdin.take().unwrap().write_all(input);
            let ours = child.wait_with_output().unwrap();
            let mut reference_args = vec!["--tier", "interp", "-O0"];
            reference_args.extend(args);
            let reference = run_reference(&program, &reference_args, input);
            assert_eq!(ours.status.code(), reference.status.code(), "{name} {cell}");
            assert_eq!(ours.stdout, reference.stdout, "{name} {cell}");
            assert_eq!(message(&ours.stderr), message(&reference.stderr), "{name}");
        }
    }
}

#[test]
fn a_closed_stdout_ends_the_executable_quietly() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let program = source(tmp.path(), "yes.b", "++++++++++[>++++++++++<-]>[.]");
    let exe = tmp.path().join("yes");
    assert!(build(&program, &exe, &[]).status.success());
    let mut child = Command::new(&exe)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut byte = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut byte).unwrap();
    // The pipe's reader is gone now: the endless output must end the run.
    let out = child.wait_with_output().unwrap();
    assert_eq!(byte, *b"d");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn help_and_emit_info_say_what_the_executable_was_built_with() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let program = source(tmp.path(), "p.b", "+.");
    let exe = tmp.path().join("p");
    let args = [
        "--cell",
        "16",
        "--eof",
        "max",
        "--tape-size",
        "1000",
        "-O1",
        "--no-pass",
        "offsets",
    ];
    assert!(build(&program, &exe, &args).status.success());
    let help = Command::new(&exe).arg("--help").output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    for expected in [
        "--cell 16",
        "--eof max",
        "--tape-size 1000",
        "-O1 --no-pass offsets",
    ] {
        assert!(help.contains(expected), "{expected} not in {help}");
    }
    assert!(!help.contains(",offsets"), "offsets did not run: {help}");
    let info = bfjit()
        .arg("build")
        .arg(&program)
        .args(args)
        .args(["--emit", "info"])
        .output()
        .unwrap();
    assert!(
        help.ends_with(&*String::from_utf8_lossy(&info.stdout)),
        "{help}"
    );
    let bad = Command::new(&exe).arg("--frobnicate").output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn a_missing_c_compiler_is_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let program = source(tmp.path(), "p.b", "+.");
    let out = tmp.path().join("p");
    let missing = tmp.path().join("no-such-cc");
    let via_override = bfjit()
        .args(["build", "-o"])
        .arg(&out)
        .arg(&program)
        .env("BFJIT_CC", &missing)
        .output()
        .unwrap();
    assert_eq!(via_override.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&via_override.stderr);
    assert!(
        stderr.contains(&*missing.to_string_lossy()) && stderr.contains("not found"),
        "{stderr}"
    );
    let no_path = bfjit()
        .args(["build", "-o"])
        .arg(&out)
        .arg(&program)
        .env_remove("BFJIT_CC")
        .env_remove("CC")
        .env("PATH", tmp.path())
        .output()
        .unwrap();
    assert_eq!(no_path.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&no_path.stderr);
    assert!(stderr.contains("`cc` not found"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn output_into_a_missing_directory_is_reported() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let program = source(tmp.path(), "p.b", "+.");
    let out = tmp.path().join("no/such/dir/p");
    let built = build(&program, &out, &[]);
    assert_eq!(built.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(
        stderr.contains("does not exist") && stderr.contains("no/such/dir"),
        "{stderr}"
    );
}

#[test]
fn malformed_programs_are_refused_as_by_run() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let program = source(tmp.path(), "bad.b", "+[.\n");
    let built = build(&program, &tmp.path().join("bad"), &[]);
    let reference = run_reference(&program, &[], b"");
    assert_eq!(built.status.code(), Some(2));
    let said = message(&built.stderr);
    assert!(said.ends_with("bad.b:1:2: unmatched '['"), "{said}");
    assert_eq!(said, message(&reference.stderr));
}

/// A C compiler for the `--emit c` tests, or `None` (printed) without one.
fn have_cc() -> bool {
    let ok = Command::new("cc").arg("--version").output().is_ok();
    if !ok {
        eprintln!("skipping: no cc");
    }
    ok
}

#[test]
fn emit_c_and_inspect_emit_c_compile_as_written() {
    if !have_cc() {
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let program = repo_root().join("bf-programs/hello.b");
    let expected = std::fs::read(program.with_extension("out")).expect("hello.out");
    let c = tmp.path().join("hello.c");
    let built = build(&program, &c, &["--emit", "c"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let inspected = bfjit()
        .arg("inspect")
        .arg(&program)
        .args(["--emit", "c"])
        .output()
        .unwrap();
    let c2 = tmp.path().join("inspect.c");
    std::fs::write(&c2, &inspected.stdout).unwrap();
    for (i, c) in [c, c2].iter().enumerate() {
        let exe = tmp.path().join(format!("c{i}"));
        let cc = Command::new("cc")
            .args(["-O1", "-o"])
            .arg(&exe)
            .arg(c)
            .output()
            .unwrap();
        assert!(
            cc.status.success(),
            "{}",
            String::from_utf8_lossy(&cc.stderr)
        );
        let out = Command::new(&exe).output().unwrap();
        assert_eq!(out.stdout, expected, "{}", c.display());
    }
}

#[test]
fn emit_obj_clif_and_asm_show_the_opt_tiers_code() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let program = repo_root().join("bf-programs/hello.b");
    let obj = tmp.path().join("hello.o");
    assert!(build(&program, &obj, &["--emit", "obj"]).status.success());
    let bytes = std::fs::read(&obj).unwrap();
    assert_eq!(&bytes[..4], b"\x7fELF");
    for (emit, marker) in [("clif", "function"), ("asm", "== asm")] {
        let out = bfjit()
            .arg("build")
            .arg(&program)
            .args(["--emit", emit])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(marker),
            "{emit}"
        );
    }
}
