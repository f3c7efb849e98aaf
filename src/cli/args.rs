//! Command-line arguments (clap derive), grouped so that every subcommand
//! shares the same spelling of the same option.

use crate::tier::Tier;
use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use ir_passes::io::EofMode;
use ir_passes::ir::CellWidth;
use ir_passes::pipeline::Pipeline;
use std::path::PathBuf;

/// bfjit: an optimizing Brainfuck JIT compiler.
#[derive(Parser, Debug)]
#[command(name = "bfjit", version, about)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a program: input from stdin, output to stdout.
    Run(RunArgs),
    /// Show what every pass and every tier did to a program.
    Inspect(super::inspect::InspectArgs),
    /// Run programs on several tiers, check their output, and compare times.
    Bench(super::bench::BenchArgs),
    /// Write one HTML page showing the program's whole journey through bfjit.
    Explore(super::explore::ExploreArgs),
}

/// `bfjit run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The BF program.
    pub file: PathBuf,
    /// The execution tier.
    #[arg(long, value_enum, default_value = "opt")]
    pub tier: Tier,
    /// Conventions.
    #[command(flatten)]
    pub conventions: Conventions,
    /// Pass selection.
    #[command(flatten)]
    pub optimization: Optimization,
    /// Stop the run after this many seconds (exit status 4).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Print the number of IR ops executed to stderr (interp tier only).
    #[arg(long)]
    pub count_ops: bool,
}

/// The BF conventions users differ on.
#[derive(Args, Debug, Clone)]
pub struct Conventions {
    /// What `,` stores at end of input.
    #[arg(long, value_enum, default_value = "unchanged")]
    pub eof: EofArg,
    /// Number of cells on the tape (the pointer starts at the left end).
    #[arg(long, value_name = "CELLS", default_value_t = 65_536,
          value_parser = clap::value_parser!(u64).range(1..=(1u64 << 34)))]
    pub tape_size: u64,
    /// Cell width in bits (cells wrap).
    #[arg(long, value_name = "BITS", default_value_t = 8,
          value_parser = clap::builder::PossibleValuesParser::new(["8", "16", "32"])
              .map(|s| s.parse::<u32>().unwrap()))]
    pub cell: u32,
}

impl Conventions {
    /// The cell width.
    pub fn cell_width(&self) -> CellWidth {
        CellWidth::from_bits(self.cell).expect("clap only accepts 8, 16 and 32")
    }
}

/// `--eof` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum EofArg {
    /// Leave the cell unchanged.
    Unchanged,
    /// Store 0.
    Zero,
    /// Store the all-ones value (255 for 8-bit cells).
    Max,
}

impl From<EofArg> for EofMode {
    fn from(e: EofArg) -> EofMode {
        match e {
            EofArg::Unchanged => EofMode::Unchanged,
            EofArg::Zero => EofMode::Zero,
            EofArg::Max => EofMode::Max,
        }
    }
}

/// Which optimization passes run.
#[derive(Args, Debug, Clone)]
pub struct Optimization {
    /// Optimization level: 0 (no passes), 1 (the cheap classic ones), 2 (all,
    /// repeated to a fixed point). The simple tier always runs unoptimized code.
    #[arg(short = 'O', value_name = "LEVEL", default_value_t = 2,
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub level: u8,
    /// Run exactly these passes, in this order (comma-separated), instead of a level.
    #[arg(long, value_delimiter = ',', value_name = "PASS,...")]
    pub passes: Option<Vec<String>>,
    /// Leave out a pass (repeatable).
    #[arg(long = "no-pass", value_name = "PASS")]
    pub no_pass: Vec<String>,
}

impl Optimization {
    /// The pipeline these options select for a tier.
    pub fn pipeline(&self, tier: Tier) -> Result<Pipeline, String> {
        if !tier.takes_passes() {
            return Ok(Pipeline::level(0));
        }
        let mut pipeline = match &self.passes {
            Some(names) => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                Pipeline::named(&names)?
            }
            None => Pipeline::level(self.level),
        };
        for name in &self.no_pass {
            pipeline = pipeline.without(name)?;
        }
        Ok(pipeline)
    }
}
