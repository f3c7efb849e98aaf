//! The option groups several subcommands share (clap derive), so that every
//! subcommand spells the same option the same way. Each subcommand's own
//! arguments live beside it (`run.rs`, `inspect.rs`, `bench.rs`).

use crate::diagnostics::{ColorChoice, Stderr};
use crate::harness::Target;
use crate::load::{ProgramInput, ProgramSource};
use crate::tier::Tier;
use clap::builder::TypedValueParser;
use clap::{Args, ValueEnum};
use ir_passes::io::{Buffering, EofMode};
use ir_passes::ir::CellWidth;
use ir_passes::lint::{Level, Lint};
use ir_passes::pipeline::Pipeline;
use std::path::PathBuf;
use std::time::Duration;

/// Where the program comes from: a FILE, `-` (stdin), or `-e CODE`.
#[derive(Args, Debug, Clone)]
pub struct SourceArgs {
    /// The BF program file; `-` reads the program from stdin.
    #[arg(value_name = "FILE", required_unless_present = "expr")]
    pub file: Option<PathBuf>,
    /// Program text instead of a FILE (repeatable; the texts are joined
    /// by newlines, so positions say which one: `<expr>:2:5`).
    #[arg(
        short = 'e',
        long = "expr",
        value_name = "CODE",
        conflicts_with = "file"
    )]
    pub expr: Vec<String>,
}

impl SourceArgs {
    /// The source these options name.
    pub fn source(&self) -> ProgramSource {
        match &self.file {
            Some(path) if path.as_os_str() == "-" => ProgramSource::Stdin,
            Some(path) => ProgramSource::File(path.clone()),
            None => ProgramSource::Expr(self.expr.clone()),
        }
    }
}

/// Where the program's input comes from: stdin unless the program does, or
/// `--input TEXT`, or `--input-file FILE`.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// The program's input, as text (instead of stdin).
    #[arg(long, value_name = "TEXT", conflicts_with = "input_file")]
    pub input: Option<String>,
    /// Read the program's input from this file (instead of stdin).
    #[arg(long, value_name = "FILE")]
    pub input_file: Option<PathBuf>,
}

impl InputArgs {
    /// The input for a program read from `source`: stdin, unless the program
    /// itself came from stdin (then empty) or an option names another.
    pub fn input(&self, source: &ProgramSource) -> ProgramInput {
        match (&self.input, &self.input_file) {
            (Some(text), _) => ProgramInput::Text(text.clone().into_bytes()),
            (None, Some(path)) => ProgramInput::File(path.clone()),
            (None, None) if source.uses_stdin() => ProgramInput::Empty,
            (None, None) => ProgramInput::Stdin,
        }
    }
}

/// `--color`: whether diagnostics on stderr are coloured.
#[derive(Args, Debug, Clone)]
pub struct ColorArgs {
    /// Colour diagnostics: auto (when stderr is a terminal and NO_COLOR is
    /// not set), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

impl ColorArgs {
    /// Where diagnostics go, drawn as these options say.
    pub fn stderr(&self) -> Stderr {
        Stderr {
            style: self.color.for_stderr(),
        }
    }
}

/// `-W`: which warnings are shown.
#[derive(Args, Debug, Clone)]
pub struct WarningArgs {
    /// Warnings to show: none, default (almost certain bugs), all (also
    /// what is often deliberate, such as a comment loop at the start).
    #[arg(
        short = 'W',
        long = "warnings",
        value_enum,
        value_name = "LEVEL",
        default_value = "default"
    )]
    pub warnings: WarningLevel,
}

/// `-W` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WarningLevel {
    /// No warnings.
    None,
    /// Almost certain bugs.
    Default,
    /// Everything.
    All,
}

impl WarningArgs {
    /// Whether a warning is shown.
    pub fn shows(&self, lint: &Lint) -> bool {
        match self.warnings {
            WarningLevel::None => false,
            WarningLevel::Default => lint.level == Level::Default,
            WarningLevel::All => true,
        }
    }
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

    /// The machine these conventions describe, for runs bounded by
    /// `timeout` (if any).
    pub fn target(&self, timeout: Option<Duration>) -> Target {
        Target {
            eof: self.eof.into(),
            tape_size: self.tape_size as usize,
            timeout,
            max_steps: None,
            output: Buffering::Block,
        }
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
    /// repeated to a fixed point) [default: 2]. The simple tier always runs
    /// unoptimized code.
    #[arg(short = 'O', value_name = "LEVEL",
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub level: Option<u8>,
    /// Run exactly these passes, in this order (comma-separated), instead of a level.
    #[arg(long, value_delimiter = ',', value_name = "PASS,...")]
    pub passes: Option<Vec<String>>,
    /// Leave out a pass (repeatable).
    #[arg(long = "no-pass", value_name = "PASS")]
    pub no_pass: Vec<String>,
}

impl Optimization {
    /// The level when none is given.
    pub const DEFAULT_LEVEL: u8 = 2;

    /// The pipeline these options select for a tier. Options that would do
    /// nothing (passes for the simple tier, which translates the
    /// unoptimized program) are an error, not silently ignored.
    pub fn pipeline(&self, tier: Tier) -> Result<Pipeline, String> {
        if !tier.takes_passes() {
            let given = match (self.level, &self.passes, self.no_pass.first()) {
                (Some(level @ 1..), _, _) => Some(format!("-O{level}")),
                (_, Some(_), _) => Some("--passes".to_string()),
                (_, _, Some(_)) => Some("--no-pass".to_string()),
                _ => None,
            };
            if let Some(option) = given {
                return Err(format!(
                    "{option} has no effect on the {} tier, which always runs the unoptimized program",
                    tier.name()
                ));
            }
            return Ok(Pipeline::level(0));
        }
        let mut pipeline = match &self.passes {
            Some(names) => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                Pipeline::named(&names)?
            }
            None => Pipeline::level(self.level.unwrap_or(Self::DEFAULT_LEVEL)),
        };
        for name in &self.no_pass {
            pipeline = pipeline.without(name)?;
        }
        Ok(pipeline)
    }
}

/// The longest `--timeout` honoured, in seconds (about 100 years); longer
/// ones mean the same. A deadline further out would overflow the clock's
/// arithmetic.
pub const MAX_TIMEOUT_SECS: f64 = 100.0 * 365.25 * 24.0 * 3600.0;

/// A `--timeout` in seconds as a duration; a negative or non-finite number
/// is a usage error, and one beyond [`MAX_TIMEOUT_SECS`] (`1e30`) is
/// clamped to it.
pub fn parse_timeout(seconds: Option<f64>) -> Result<Option<Duration>, String> {
    seconds
        .map(|t| {
            if !(t.is_finite() && t >= 0.0) {
                return Err(format!(
                    "invalid --timeout {t}: give a number of seconds, 0 or more"
                ));
            }
            Duration::try_from_secs_f64(t.min(MAX_TIMEOUT_SECS))
                .map_err(|e| format!("invalid --timeout {t}: {e}"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_checked_and_huge_ones_clamped() {
        for t in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(parse_timeout(Some(t)).is_err(), "{t}");
        }
        let longest = Duration::from_secs_f64(MAX_TIMEOUT_SECS);
        for t in [1e30, 1e19, MAX_TIMEOUT_SECS] {
            assert_eq!(parse_timeout(Some(t)), Ok(Some(longest)), "{t}");
        }
        assert_eq!(
            parse_timeout(Some(0.5)),
            Ok(Some(Duration::from_millis(500)))
        );
        assert_eq!(parse_timeout(None), Ok(None));
    }
}
