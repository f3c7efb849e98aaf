//! External contenders: other BF implementations given as shell commands
//! (`--contender NAME='COMMAND {}'`, `--contender-build NAME='COMPILE {} -o
//! {exe}'`). Commands run under `sh -c`, so they may be pipelines or use
//! `$PATH`; the shell's own start (about a millisecond) is part of every
//! run's time, as process start-up is part of the C yardstick's.
//!
//! Placeholders: `{}` is the program's absolute path and `{exe}` a fresh
//! file in the bench's scratch folder, one per contender and program, for
//! the build command to write and the run command to execute. Both are
//! substituted shell-quoted, so commands must not quote them again.

use super::child::{self, Scratch};
use super::contender::External;
use super::discovery::Case;
use super::process::{child_failure, child_time, Built};
use super::report::Status;
use super::runner::{Failure, Sample, Settings};
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

/// Builds (when the contender has a build command) and returns how to run
/// it on `case`. `index` tells the program apart in scratch file names.
pub fn build(
    ext: &External,
    case: &Case,
    index: usize,
    settings: &Settings,
    scratch: &Scratch,
) -> Result<Built, Failure> {
    let program = std::path::absolute(&case.program).unwrap_or_else(|_| case.program.clone());
    let exe = scratch.path(&format!("{}-{index}", ext.name));
    let mut build = Sample::default();
    if let Some(command) = &ext.build {
        let line = substitute(command, &program, &exe);
        let mut cmd = shell(&line);
        let run =
            child::run(&mut cmd, None, settings.timeout, scratch).map_err(|message| Failure {
                status: Status::Error,
                message,
            })?;
        if let Some(f) = child_failure(&run, "the build command", settings.timeout) {
            return Err(f);
        }
        build.codegen = Some(child_time(&run, settings.clock));
    }
    let line = substitute(&ext.run, &program, &exe);
    Ok(Built {
        argv: ["sh", "-c", &line].map(OsString::from).to_vec(),
        build,
        memory: None,
    })
}

fn shell(line: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(line);
    cmd
}

/// The command with `{exe}` and `{}` replaced by the quoted paths.
fn substitute(command: &str, program: &Path, exe: &Path) -> String {
    command
        .replace("{exe}", &quote(exe))
        .replace("{}", &quote(program))
}

/// A path as one shell word: single-quoted, with `'` written as `'\''`.
fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_quoted_paths() {
        let line = substitute(
            "bfc {} -o {exe} && {exe}",
            Path::new("/a b/it's.b"),
            Path::new("/tmp/x"),
        );
        assert_eq!(line, r"bfc '/a b/it'\''s.b' -o '/tmp/x' && '/tmp/x'");
        let out = shell(&format!("printf %s {}", quote(Path::new("it's $HOME"))))
            .output()
            .unwrap();
        assert_eq!(
            out.stdout, b"it's $HOME",
            "the shell reads one literal word"
        );
    }
}
