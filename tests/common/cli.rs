//! The binary as the CLI tests (`cli.rs`, `diagnostics.rs`, `warnings.rs`)
//! run it: exit code and decoded stderr, in a chosen directory, without the
//! test's `NO_COLOR`; shell redirections; a pseudo-terminal.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// What a run of the binary gave.
pub struct Output {
    /// Exit status (-1 if killed by a signal).
    pub code: i32,
    /// Its stdout, as bytes.
    pub stdout: Vec<u8>,
    /// Its stderr, lossily decoded.
    pub stderr: String,
}

/// Runs `bfjit ARGS...` in `dir` with `stdin` as its input, and without
/// `NO_COLOR` from the test's environment.
pub fn bfjit_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = super::bin::command()
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bfjit");
    let mut input = child.stdin.take().expect("stdin is piped");
    let stdin = stdin.to_vec();
    // A program may stop reading early; a broken pipe here is fine.
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().expect("bfjit runs");
    feeder.join().expect("feeder thread");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `bfjit ARGS...` in the current directory.
pub fn bfjit(args: &[&str], stdin: &[u8]) -> Output {
    bfjit_in(Path::new("."), args, stdin)
}

/// Runs a shell command line with `$BFJIT` set to the binary, for
/// redirections the test harness cannot express (`2>/dev/full`, pipes into
/// `head`). Returns its exit status and combined output.
pub fn shell(script: &str) -> (i32, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("BFJIT", env!("CARGO_BIN_EXE_bfjit"))
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("run sh");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Whether `script` (util-linux) is there to run a command under a
/// pseudo-terminal.
pub fn have_script() -> bool {
    Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
