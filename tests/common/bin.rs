//! The `bfjit` binary, spawned with piped stdio, and program files to give it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A command for the `bfjit` binary Cargo built for these tests.
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bfjit"))
}

/// Runs `bfjit ARGS...` with `stdin` as its input, to the end.
pub fn bfjit(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bfjit");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    // From another thread: a program that writes much before it reads
    // would otherwise block on a full stdout while we block on its stdin.
    // A program may stop reading early; a broken pipe here is fine.
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait for bfjit");
    feeder.join().expect("stdin feeder");
    out
}

/// Runs `command` (any program) to its end, stdin from the file `input`
/// or nothing, stdout and stderr captured.
pub fn run_with_input(mut command: Command, input: Option<&Path>) -> Output {
    let stdin = match input {
        Some(p) => Stdio::from(std::fs::File::open(p).expect("open input")),
        None => Stdio::null(),
    };
    command.stdin(stdin).output().expect("spawn")
}

/// `bfjit run ARGS... FILE` with `stdin` as the program's input.
pub fn run(args: &[&str], file: &Path, stdin: &[u8]) -> Output {
    let file = file.to_str().expect("utf-8 program path");
    let all: Vec<&str> = ["run"].iter().chain(args).chain([&file]).copied().collect();
    bfjit(&all, stdin)
}

/// Writes `text` as `prog.b` in a fresh folder (removed when the returned
/// guard drops).
pub fn program_file(text: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("prog.b");
    std::fs::write(&path, text).expect("write program");
    (dir, path)
}
