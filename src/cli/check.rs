//! `bfjit check`: load a program and show its diagnostics without running
//! it. Exit status 0 when it parses (warnings or not), 2 when it does not.

use super::args::{ColorArgs, SourceArgs, WarningArgs};
use super::program::{load, optimize, warn};
use crate::exit_status;
use clap::builder::TypedValueParser;
use clap::Args;
use ir_passes::pipeline::Pipeline;

/// `bfjit check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The program.
    #[command(flatten)]
    pub program: SourceArgs,
    /// The cell width matters to what is endless (256 `+` wrap on 8-bit
    /// cells only).
    #[arg(long, value_name = "BITS", default_value_t = 8,
          value_parser = clap::builder::PossibleValuesParser::new(["8", "16", "32"])
              .map(|s| s.parse::<u32>().unwrap_or(8)))]
    pub cell: u32,
    /// Warnings.
    #[command(flatten)]
    pub warnings: WarningArgs,
    /// Colour.
    #[command(flatten)]
    pub color: ColorArgs,
}

/// Runs `bfjit check` and returns the exit status.
pub fn run(args: &CheckArgs) -> u8 {
    let stderr = args.color.stderr();
    let cell = ir_passes::ir::CellWidth::from_bits(args.cell).unwrap_or_default();
    let program = match load(&args.program.source(), cell, &stderr) {
        Ok(p) => p,
        Err(code) => return code,
    };
    warn(&program, &args.warnings, &stderr);
    // What `bfjit run` optimizes with by default, for the round-cap warning.
    let pipeline = Pipeline::level(super::args::Optimization::DEFAULT_LEVEL);
    optimize(program, &pipeline, false, &args.warnings, &stderr);
    exit_status::OK
}
