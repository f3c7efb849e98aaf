//! The `bfjit run` contract on every tier: exit statuses, error messages with
//! positions, flushed output, and hostile input (issue 2 and issue 8); where
//! programs and their input come from, rejected options, no panics on any
//! input, and line buffering on a terminal (issue 20).

mod common;

use common::cli as support;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const TIERS: &[&str] = &["interp", "simple", "opt", "auto"];

use common::bin::{program_file as program, run as bfjit};

/// Runs `text` on every tier and checks status, stdout and a stderr fragment.
fn expect_all_tiers(text: &[u8], extra: &[&str], status: i32, stdout: &[u8], stderr_has: &str) {
    let (_dir, path) = program(text);
    for tier in TIERS {
        let mut args = vec!["--tier", tier];
        args.extend(extra);
        let out = bfjit(&args, &path, b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(status), "{tier}: stderr {stderr}");
        assert_eq!(out.stdout, stdout, "{tier}: stdout");
        assert!(
            stderr.contains(stderr_has),
            "{tier}: stderr {stderr:?} lacks {stderr_has:?}"
        );
        assert!(!stderr.contains("panicked"), "{tier}: {stderr}");
    }
}

#[test]
fn a_missing_file_is_an_io_error() {
    let out = bfjit(&[], Path::new("/no/such/file.b"), b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /no/such/file.b"));
}

#[test]
fn bad_options_are_usage_errors_and_help_is_not() {
    let (_dir, path) = program(b"+");
    for args in [
        &["--tier", "fast"][..],
        &["--cell", "12"],
        &["--tape-size", "0"],
        &["-O", "7"],
    ] {
        assert_eq!(bfjit(args, &path, b"").status.code(), Some(1), "{args:?}");
    }
    let help = common::bin::command()
        .args(["run", "--help"])
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
}

#[test]
fn an_unknown_pass_lists_the_valid_ones() {
    let (_dir, path) = program(b"+");
    let out = bfjit(&["--passes", "fold_runs,nonsense"], &path, b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("unknown pass 'nonsense'") && stderr.contains("mul_loops"),
        "{stderr}"
    );
}

#[test]
fn unmatched_brackets_exit_2_with_position_and_no_output() {
    expect_all_tiers(b"+.\n+]", &[], 2, b"", "unmatched ']'\n  --> ");
    expect_all_tiers(b"+.\n+]", &[], 2, b"", "prog.b:2:2\n");
    expect_all_tiers(b"+.[\n[]", &[], 2, b"", "prog.b:1:3\n");
}

#[test]
fn leaving_the_tape_exits_3_after_flushing_output() {
    expect_all_tiers(b"<", &["-W", "none"], 3, b"", "prog.b:1:1\n");
    expect_all_tiers(
        b"+++.>>\n>>>",
        &["--tape-size", "4"],
        3,
        &[3],
        "prog.b:2:2\n",
    );
    // Inside a scan loop: cells 0..=3 are non-zero, so `[>]` runs off the end.
    expect_all_tiers(
        b"+>+>+>+<<<[>]",
        &["--tape-size", "4"],
        3,
        b"",
        "prog.b:1:12\n",
    );
    // A folded run of moves still names the exact command that leaves the tape.
    expect_all_tiers(
        b"+[>>>>>>>>+]",
        &["--tape-size", "20"],
        3,
        b"",
        "prog.b:1:6\n",
    );
}

#[test]
fn a_timeout_exits_4_after_flushing_output() {
    expect_all_tiers(b"+++.[]", &["--timeout", "0.3"], 4, &[3], "time limit");
    expect_all_tiers(b"+[>+<]", &["--timeout", "0.3"], 4, b"", "time limit");
}

#[test]
fn empty_comment_only_and_binary_programs_run_to_nothing() {
    expect_all_tiers(b"", &[], 0, b"", "");
    expect_all_tiers(b"only words here\n", &[], 0, b"", "");
    let garbage: Vec<u8> = (0..=255u8)
        .filter(|b| !b"+-<>.,[]".contains(b))
        .cycle()
        .take(100_000)
        .collect();
    expect_all_tiers(&garbage, &[], 0, b"", "");
}

#[test]
fn input_at_end_or_closed_follows_the_eof_convention() {
    expect_all_tiers(b"+++,.", &[], 0, &[3], "");
    expect_all_tiers(b"+++,.", &["--eof", "zero"], 0, &[0], "");
    expect_all_tiers(b"+++,.", &["--eof", "max"], 0, &[255], "");
    expect_all_tiers(b"+++,.", &["--eof", "max", "--cell", "16"], 0, &[255], "");
    let (_dir, path) = program(b",[.,]");
    for tier in TIERS {
        let out = bfjit(&["--tier", tier, "--eof", "zero"], &path, b"piped input");
        assert_eq!(out.stdout, b"piped input", "{tier}");
    }
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    let (_dir, path) = program(b"+[.]");
    for tier in TIERS {
        let mut child = common::bin::command()
            .args(["run", "-W", "none", "--tier", tier])
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 1];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The pipe's read end is now dropped: the next write fails with EPIPE.
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{tier}");
        assert_eq!(first, [1]);
        assert!(
            out.stderr.is_empty(),
            "{tier}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn hundreds_of_megabytes_of_output_arrive_complete() {
    // 255³ iterations print 12 bytes each: 198,978,750 bytes of zeros.
    let text = b"-[>-[>-[>............<-]<-]<-]";
    let (_dir, path) = program(text);
    for tier in TIERS {
        let mut child = common::bin::command()
            .args(["run", "-O0", "--tier", tier])
            .arg(&path)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut total = 0u64;
        let mut nonzero = false;
        let mut buf = vec![0u8; 1 << 16];
        let mut stdout = child.stdout.take().unwrap();
        loop {
            let n = stdout.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            total += n as u64;
            nonzero |= buf[..n].iter().any(|&b| b != 0);
        }
        assert!(child.wait().unwrap().success(), "{tier}");
        assert_eq!((total, nonzero), (255 * 255 * 255 * 12, false), "{tier}");
    }
}

/// Runs a hostile program on the given tiers and checks it succeeds with
/// the expected output; compile time and memory must stay bounded.
fn hostile(text: &[u8], tiers: &[&str], stdout: &[u8]) {
    let (_dir, path) = program(text);
    for tier in tiers {
        let out = bfjit(&["--tier", tier], &path, b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{tier}: {stderr}");
        assert_eq!(out.stdout, stdout, "{tier}");
    }
}

fn million_plus() -> Vec<u8> {
    // A run of a million `+`: 1,000,000 mod 256 = 64, '@'.
    [b"+".repeat(1_000_000), b".".to_vec()].concat()
}

fn deep_nesting(entered: bool) -> Vec<u8> {
    let (open, close) = (b"[".repeat(100_000), b"]".repeat(100_000));
    if entered {
        [b"+".to_vec(), open, b"-".to_vec(), close, b"+.".to_vec()].concat()
    } else {
        [open, close].concat()
    }
}

fn ten_megabytes() -> Vec<u8> {
    // Balanced moves and adds with comments in between; cell 1 ends at
    // -2,000,000 mod 256 = 128.
    [b"+>-<x".repeat(2_000_000), b">.".to_vec()].concat()
}

#[test]
fn huge_programs_compile_and_run() {
    hostile(&million_plus(), TIERS, b"@");
    // One loop body of 600,000 ops; 200,000 mod 256 = 64.
    let body = [&b"+[-"[..], &b">+<".repeat(200_000), b"]>."].concat();
    hostile(&body, TIERS, b"@");
    hostile(&deep_nesting(false), TIERS, b"");
    hostile(&deep_nesting(true), TIERS, &[1]);
    hostile(&ten_megabytes(), &["interp", "opt"], &[128]);
}

#[test]
#[ignore = "slow in debug builds: the simple tier compiles 8 M raw ops (about 8 s in release)"]
fn a_ten_megabyte_program_on_the_simple_tier() {
    hostile(&ten_megabytes(), &["simple"], &[128]);
}

#[test]
fn a_gigabyte_tape_is_not_touched_up_front() {
    // Walk 100,000 cells right on a 1 GiB tape, then print.
    let text = b"++++++++++[>++++++++++<-]>[[>+<-]>-]+.";
    expect_all_tiers(text, &["--tape-size", "1073741824"], 0, &[1], "");
    expect_all_tiers(
        text,
        &["--tape-size", "1073741824", "--cell", "32"],
        0,
        &[1],
        "",
    );
}

#[test]
fn a_program_can_come_from_stdin_or_the_command_line() {
    let a = b"++++++++[>++++++++<-]>+.";
    let out = support::bfjit(&["run", "-"], a);
    assert_eq!(
        (out.code, out.stdout.as_slice()),
        (0, &b"A"[..]),
        "{}",
        out.stderr
    );
    let out = support::bfjit(&["run", "-e", "++++++++[>++++++++<-]>+.", "-e", "+."], b"");
    assert_eq!(
        (out.code, out.stdout.as_slice()),
        (0, &b"AB"[..]),
        "{}",
        out.stderr
    );
    // From -e, the program's input is stdin.
    let out = support::bfjit(&["run", "-e", ",.,."], b"hi");
    assert_eq!(out.stdout, b"hi");
}

#[test]
fn the_programs_input_can_be_given_as_text_or_a_file() {
    // With the program on stdin, its input is empty unless given.
    let out = support::bfjit(&["run", "-", "--eof", "zero"], b"+,+.");
    assert_eq!(out.stdout, [1]);
    let out = support::bfjit(&["run", "-", "--input", "xy"], b",.,.");
    assert_eq!(out.stdout, b"xy");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), b"file input").unwrap();
    let out = support::bfjit_in(
        dir.path(),
        &[
            "run",
            "-e",
            ",[.,]",
            "--eof",
            "zero",
            "--input-file",
            "in.txt",
        ],
        b"stdin is not read",
    );
    assert_eq!(out.stdout, b"file input", "{}", out.stderr);
    // --input wins over stdin too.
    let out = support::bfjit(&["run", "-e", ",.", "--input", "q"], b"s");
    assert_eq!(out.stdout, b"q");
}

#[test]
fn positions_name_stdin_and_expr() {
    let out = support::bfjit(&["run", "-e", "+", "-e", "+]"], b"");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("<expr>:2:2\n"), "{}", out.stderr);
    let out = support::bfjit(&["run", "-", "-W", "none"], b"+\n <");
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("<stdin>:2:2\n"), "{}", out.stderr);
}

#[test]
fn program_source_options_are_checked() {
    for args in [
        &["run"][..],
        &["run", "x.b", "-e", "+"],
        &["run", "-e", "+", "--input", "a", "--input-file", "b"],
        &["check"],
    ] {
        let out = support::bfjit(args, b"");
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
    }
    let out = support::bfjit(&["run", "-e", ",", "--input-file", "/no/such/input"], b"");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("cannot read input file /no/such/input"),
        "{}",
        out.stderr
    );
}

#[test]
fn inspect_and_check_take_the_same_program_sources() {
    let out = support::bfjit(&["inspect", "-e", "+[-]", "--emit", "ir"], b"");
    let ir = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let from_stdin = support::bfjit(&["inspect", "-", "--emit", "ir"], b"+[-]");
    assert_eq!(
        String::from_utf8_lossy(&from_stdin.stdout),
        ir.replace("<expr>", "<stdin>")
    );
    let out = support::bfjit(
        &[
            "inspect",
            "-e",
            ",.",
            "--emit",
            "stats",
            "--profile",
            "--input",
            "z",
        ],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(support::bfjit(&["check", "-"], b"+[-]").code, 0);
    assert_eq!(support::bfjit(&["check", "-e", "+[-"], b"").code, 2);
}

#[test]
fn options_that_do_nothing_are_rejected() {
    for (args, says) in [
        (
            &["run", "--tier", "simple", "--passes", "bogus", "-e", "+"][..],
            "--passes has no effect",
        ),
        (
            &["run", "--tier", "simple", "-O2", "-e", "+"],
            "-O2 has no effect",
        ),
        (
            &["run", "--tier", "simple", "--no-pass", "offsets", "-e", "+"],
            "--no-pass has no effect",
        ),
        (
            &["inspect", "-e", "+", "--emit", "ir", "--diff"],
            "--diff does nothing without --emit passes",
        ),
        (
            &["inspect", "-e", "+", "--emit", "ir", "--vcode"],
            "--vcode does nothing",
        ),
        (
            &["inspect", "-e", "+", "--emit", "ir", "--with-limits"],
            "--with-limits does nothing",
        ),
        (
            &["inspect", "-e", "+", "--emit", "clif", "--source"],
            "--source does nothing",
        ),
        (
            &["inspect", "-e", "+", "--top", "3"],
            "--top does nothing without --profile",
        ),
        (
            &["inspect", "-e", "+", "--timeout", "3"],
            "--timeout does nothing",
        ),
        (
            &["inspect", "-e", "+", "--input", "3"],
            "--input does nothing",
        ),
    ] {
        let out = support::bfjit(args, b"");
        assert_eq!(out.code, 1, "{args:?}");
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
    // -O0 is what the simple tier does anyway.
    let out = support::bfjit(&["run", "--tier", "simple", "-O0", "-e", "+."], b"");
    assert_eq!((out.code, out.stdout.as_slice()), (0, &[1u8][..]));
}

#[test]
fn huge_or_bad_timeouts_are_not_panics() {
    for t in ["1e30", "1e19", "18446744073709551615"] {
        for tier in TIERS {
            let out = support::bfjit(&["run", "--tier", tier, "--timeout", t, "-e", "+."], b"");
            assert_eq!(
                (out.code, out.stdout.as_slice()),
                (0, &[1u8][..]),
                "{t} {tier}: {}",
                out.stderr
            );
        }
        let args = [
            "inspect",
            "-e",
            "+[-]",
            "--emit",
            "stats",
            "--profile",
            "--timeout",
            t,
        ];
        let out = support::bfjit(&args, b"");
        assert_eq!(out.code, 0, "{t}: {}", out.stderr);
    }
    for t in ["-1", "NaN", "inf"] {
        let out = support::bfjit(&["run", &format!("--timeout={t}"), "-e", "+"], b"");
        assert_eq!(out.code, 1, "{t}");
        assert!(
            out.stderr.contains("invalid --timeout"),
            "{t}: {}",
            out.stderr
        );
    }
}

/// A hundred warnings (all that are shown), then a run of a few hundred
/// milliseconds, then an error: by the time the error is written, a reader
/// that stopped after the first bytes is gone.
fn warnings_then_an_error() -> String {
    format!("+[-]{}-[>-[>-[>+<-]<-]<-]<<<<", "[]".repeat(200))
}

#[test]
fn a_full_or_closed_stderr_is_not_a_panic() {
    let program = warnings_then_an_error();
    let (_dir, path) = program_file(program.as_bytes());
    let file = path.display();
    let run = format!(r#""$BFJIT" run --tier interp -O0 {file}"#);
    let (_, out) = support::shell(&format!(r#"{run} 2>/dev/full; echo "status $?""#));
    assert_eq!(out, "status 3\n");
    let (_, out) = support::shell(&format!(
        r#"{{ {{ {run} 2>&1; echo "status $?" >&3; }} | head -c 10 >/dev/null; }} 3>&1"#
    ));
    assert_eq!(out, "status 3\n");
    // A closed stderr, and usage errors too.
    let (_, out) = support::shell(r#""$BFJIT" run -e '<' 2>&-; echo "status $?""#);
    assert_eq!(out, "status 3\n");
    let (_, out) = support::shell(r#""$BFJIT" run --bogus 2>/dev/full; echo "status $?""#);
    assert_eq!(out, "status 1\n");
}

fn program_file(text: &[u8]) -> (tempfile::TempDir, PathBuf) {
    program(text)
}

#[test]
fn version_names_the_git_revision() {
    let out = support::bfjit(&["--version"], b"");
    let version = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.code, 0);
    let git = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    let revision = match git {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => "unknown".to_string(),
    };
    assert_eq!(
        version.trim(),
        format!("bfjit {} ({revision})", env!("CARGO_PKG_VERSION"))
    );
}

/// Runs `bfjit ARGS` under a pseudo-terminal (`script`), killed with
/// SIGKILL (so nothing pending is flushed) after `seconds`, returning the
/// child and a reader of what it prints.
fn on_a_terminal(
    args: &str,
    seconds: u32,
) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    let command = format!(
        "exec timeout -s KILL {seconds} {} {args}",
        env!("CARGO_BIN_EXE_bfjit")
    );
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start script");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    (child, stdout)
}

#[test]
fn output_on_a_terminal_is_line_buffered() {
    if !support::have_script() {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    // Prints "a\n", then spins for ever. Killed without a chance to flush,
    // it shows the line only if the line was written when it ended.
    let (_dir, path) = program(b"++++++++++[>++++++++++<-]>---.<++++++++++.[]");
    for tier in TIERS {
        let args = format!("run -W none --tier {tier} {}", path.display());
        let (mut child, mut stdout) = on_a_terminal(&args, 20);
        let mut line = String::new();
        let _ = stdout.read_line(&mut line);
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(line, "a\r\n", "{tier}: the line never came");
    }
}
