//! The `bfjit` command line: argument parsing and the subcommands.

mod args;
pub mod bench;
pub mod explore;
pub mod inspect;
mod run;

pub use args::{Cli, Command, Conventions, Optimization};

use clap::Parser;
use std::process::ExitCode;

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: usage or I/O error (bad option, missing file).
pub const EXIT_USAGE: u8 = 1;
/// Exit status: malformed program (unmatched bracket).
pub const EXIT_MALFORMED: u8 = 2;
/// Exit status: runtime error (pointer moved off the tape).
pub const EXIT_RUNTIME: u8 = 3;
/// Exit status: the `--timeout` ran out.
pub const EXIT_TIMEOUT: u8 = 4;

/// Parses the command line and runs the command; never panics on user input.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version requests are successes; everything else is usage.
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    let code = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Explore(args) => explore::run(&args),
    };
    ExitCode::from(code)
}

/// Prints an error the way every subcommand does.
pub(crate) fn error(message: impl std::fmt::Display) {
    eprintln!("bfjit: {message}");
}
