//! The `bfjit` command line: argument parsing and the subcommands, one file
//! each with its own arguments; `args.rs` holds the option groups they share.

mod args;
pub mod bench;
pub mod build;
pub mod check;
pub mod explore;
pub mod inspect;
mod message;
mod program;
pub mod run;

pub use args::{ColorArgs, Conventions, InputArgs, Optimization, SourceArgs, WarningArgs};

use crate::exit_status;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The version `--version` prints: the package version and the git revision
/// the binary was built from (`unknown` without git; see build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("BFJIT_GIT_REVISION"),
    ")"
);

/// bfjit: an optimizing Brainfuck JIT compiler.
#[derive(Parser, Debug)]
#[command(name = "bfjit", version = VERSION, about)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a program: input from stdin, output to stdout.
    Run(run::RunArgs),
    /// Show what every pass and every tier did to a program.
    Inspect(inspect::InspectArgs),
    /// Show a program's errors and warnings without running it (exit
    /// status 0 if it parses, 2 if not).
    Check(check::CheckArgs),
    /// Run programs on several tiers, check their output, and compare times.
    Bench(bench::BenchArgs),
    /// Write one HTML page showing the program's whole journey through bfjit.
    Explore(explore::ExploreArgs),
    /// Compile a program into a standalone executable.
    Build(build::BuildArgs),
}

/// Parses the command line and runs the command; never panics on user input.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version requests are successes; everything else is usage.
            return ExitCode::from(if e.use_stderr() {
                exit_status::USAGE
            } else {
                exit_status::OK
            });
        }
    };
    let code = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Explore(args) => explore::run(&args),
        Command::Build(args) => build::run(&args),
    };
    ExitCode::from(code)
}
