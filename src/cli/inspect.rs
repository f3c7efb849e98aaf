//! `bfjit inspect`: parse the options, load the program, build the views
//! ([`crate::inspect`]) and print them as text or JSON.

use super::args::{parse_timeout, Conventions, InputArgs, Optimization, SourceArgs};
use super::program::load;
use crate::diagnostics::{ColorChoice, Stderr};
use crate::exit_status;
use crate::inspect::color::colorize;
use crate::inspect::{inspect, Options, ProfileRun, View};
use crate::jit::{CodeConfig, Limits};
use crate::tier::Tier;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// `bfjit inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The program.
    #[command(flatten)]
    pub program: SourceArgs,
    /// With --profile: the program's input.
    #[command(flatten)]
    pub input: InputArgs,
    /// The views to print, in this order (comma-separated or repeated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "VIEW,...",
        default_value = "ir"
    )]
    pub emit: Vec<View>,
    /// The tier whose pipeline runs and whose code clif/asm show (the
    /// simple tier runs no passes; interp has no machine code).
    #[arg(long, value_enum, default_value = "opt")]
    pub tier: Tier,
    /// Pass selection, as for `bfjit run`.
    #[command(flatten)]
    pub optimization: Optimization,
    /// Conventions, as for `bfjit run` (the cell width changes how constants
    /// print; the others matter to `--profile`).
    #[command(flatten)]
    pub conventions: Conventions,
    /// Passes view: show what each pass changed as a unified diff.
    #[arg(long)]
    pub diff: bool,
    /// Annotate IR lines with their source text, not only line:column.
    #[arg(long)]
    pub source: bool,
    /// Leave pass times out (reproducible output, for diffs and tests).
    #[arg(long)]
    pub no_times: bool,
    /// Clif view: also show Cranelift's VCode (lowered code with registers).
    #[arg(long)]
    pub vcode: bool,
    /// Clif, asm and codegen views: show the code compiled for a run with --timeout,
    /// whose loop back edges count down fuel for the budget check.
    #[arg(long)]
    pub with_limits: bool,
    /// Run the program on the counting interpreter (stdin is its input) and
    /// list its hottest loops.
    #[arg(long)]
    pub profile: bool,
    /// With --profile: write the program's output to this file (by default
    /// it is discarded, so it cannot mix with the report).
    #[arg(long, value_name = "FILE", requires = "profile")]
    pub program_output: Option<PathBuf>,
    /// With --profile: how many loops to list [default: 10].
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// With --profile: stop the run after this many seconds (the profile
    /// so far is still shown).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Colour the text: `auto` on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
}

/// `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For tools: the same data as one JSON object.
    Json,
}

/// Runs `bfjit inspect` and returns the exit status.
pub fn run(args: &InspectArgs) -> u8 {
    let stderr = Stderr {
        style: args.color.for_stderr(),
    };
    match inspect_command(args, &stderr) {
        Ok(()) => exit_status::OK,
        Err(Failure::Usage(message)) => {
            stderr.error(message);
            exit_status::USAGE
        }
        Err(Failure::Reported(code)) => code,
    }
}

/// Why inspect stopped.
enum Failure {
    /// A usage problem, to be reported.
    Usage(String),
    /// Already reported; the exit status.
    Reported(u8),
}

/// Options given without the view or mode that uses them do nothing, so
/// they are errors.
fn unused_option(args: &InspectArgs) -> Option<String> {
    let emits = |v: View| args.emit.contains(&v);
    let without =
        |option: &str, needed: &str| Some(format!("{option} does nothing without {needed}"));
    if args.diff && !emits(View::Passes) {
        return without("--diff", "--emit passes");
    }
    if args.vcode && !emits(View::Clif) {
        return without("--vcode", "--emit clif");
    }
    if args.with_limits && !(emits(View::Clif) || emits(View::Asm) || emits(View::Codegen)) {
        return without("--with-limits", "--emit clif, asm or codegen");
    }
    if args.source && !(emits(View::Ir) || emits(View::Passes)) {
        return without("--source", "--emit ir or passes");
    }
    if !args.profile {
        let profile_only = [
            (args.top.is_some(), "--top"),
            (args.timeout.is_some(), "--timeout"),
            (args.input.input.is_some(), "--input"),
            (args.input.input_file.is_some(), "--input-file"),
        ];
        if let Some((_, option)) = profile_only.iter().find(|(given, _)| *given) {
            return without(option, "--profile");
        }
    }
    None
}

fn inspect_command(args: &InspectArgs, stderr: &Stderr) -> Result<(), Failure> {
    let usage = Failure::Usage;
    if let Some(message) = unused_option(args) {
        return Err(usage(message));
    }
    let pipeline = args.optimization.pipeline(args.tier).map_err(usage)?;
    let timeout = parse_timeout(args.timeout).map_err(usage)?;
    let source = args.program.source();
    let mut input = args
        .input
        .input(&source)
        .open()
        .map_err(|e| usage(e.to_string()))?;
    let program =
        load(&source, args.conventions.cell_width(), stderr).map_err(Failure::Reported)?;
    let mut views = Vec::new();
    for v in &args.emit {
        if !views.contains(v) {
            views.push(*v);
        }
    }
    let options = Options {
        views,
        tier: args.tier,
        diff: args.diff,
        source: args.source,
        times: !args.no_times,
        vcode: args.vcode,
        code: CodeConfig {
            limits: match args.with_limits {
                true => Limits::Enforced,
                false => Limits::Unlimited,
            },
            tape_size: args.conventions.tape_size as usize,
        },
        top: args.top.unwrap_or(10),
        json: args.format == Format::Json,
    };
    let mut sink = std::io::sink();
    let mut file = match &args.program_output {
        Some(path) => Some(
            std::fs::File::create(path)
                .map_err(|e| usage(format!("cannot create {}: {e}", path.display())))?,
        ),
        None => None,
    };
    let run = args.profile.then(|| ProfileRun {
        target: args.conventions.target(timeout),
        input: &mut input,
        output: match file.as_mut() {
            Some(f) => f as &mut dyn Write,
            None => &mut sink,
        },
    });
    let report = inspect(program, &pipeline, &options, run).map_err(usage)?;
    let text = match args.format {
        Format::Text if args.color.for_stdout() => colorize(&report.text(&options)),
        Format::Text => report.text(&options),
        Format::Json => report.json(),
    };
    let mut stdout = std::io::stdout().lock();
    // A closed stdout (`| head`) is not an error worth reporting.
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    Ok(())
}
