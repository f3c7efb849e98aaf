//! `bfjit bench`: run programs with expected output on several tiers, check
//! the output, time every phase, and print or save the comparison.

use super::args::Conventions;
use super::message::error;
use crate::bench::clock::Clock;
use crate::bench::compare;
use crate::bench::contender::{add_external, resolve_baseline};
use crate::bench::discovery::{default_paths, discover};
use crate::bench::report::{changes, json, markdown, svg, table};
use crate::bench::runner::Settings;
use crate::bench::{run_suite, Contender, SuiteConfig};
use crate::exit_status::{OK as EXIT_OK, RUNTIME as EXIT_RUNTIME, USAGE as EXIT_USAGE};
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `bfjit bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Programs (`NAME.b` with `NAME.out` beside it) or folders of them
    /// [default: bf-programs/ and the corpus's bench/ folder].
    pub paths: Vec<PathBuf>,
    /// What to measure, comma-separated: interp, simple, opt, auto, each with
    /// an optional level (interp:O0, opt:O1), c (the C yardstick), and exe
    /// (bfjit build's executable, its build timed as codegen).
    #[arg(long, value_name = "SPEC,...", default_value = "interp,simple,opt")]
    pub tiers: String,
    /// Another BF implementation to compare, as NAME='COMMAND {}': run by
    /// sh with {} replaced by the program's path (and {exe} by the file the
    /// build command wrote), stdin from NAME.in, stdout checked. Repeatable.
    #[arg(long = "contender", value_name = "NAME=COMMAND")]
    pub contenders: Vec<String>,
    /// A build step for the --contender of that NAME, as NAME='COMPILE {} -o
    /// {exe}': run once per program, its time reported as the compile phase.
    #[arg(long = "contender-build", value_name = "NAME=COMMAND")]
    pub contender_builds: Vec<String>,
    /// The contender speed-ups are relative to: a tier spec, c or exe (added to
    /// --tiers if missing), or a --contender NAME [default: the first of
    /// --tiers].
    #[arg(long, value_name = "SPEC")]
    pub baseline: Option<String>,
    /// Timed runs per program and tier.
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Untimed warm-up runs before the timed ones.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub warmup: u32,
    /// What to time: wall time, or the CPU time of the bench process, all
    /// threads (and of the C yardstick's process), steadier on a loaded
    /// machine.
    #[arg(long, value_enum, default_value = "wall")]
    pub clock: Clock,
    /// Time limit of every single run, in seconds; a run past it fails.
    #[arg(long, value_name = "SECONDS", default_value_t = 600.0)]
    pub timeout: f64,
    /// Print a markdown table (for a README) instead of the terminal table.
    #[arg(long)]
    pub markdown: bool,
    /// Also write the report as JSON (schema in docs/bench.md); `-` writes
    /// it to stdout, and the table goes to stderr.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Save the report as the run NAME (in $BFJIT_BENCH_DIR, else
    /// .bfjit-bench/), for a later --compare NAME.
    #[arg(long, value_name = "NAME")]
    pub save: Option<String>,
    /// Show the change against an earlier run: a name given to --save, or a
    /// JSON report file; changes beyond the noise are flagged.
    #[arg(long, value_name = "NAME|FILE")]
    pub compare: Option<String>,
    /// Also write a bar chart of execution times as SVG.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// The C compiler for the c yardstick [default: $CC, else cc].
    #[arg(long, value_name = "COMMAND")]
    pub cc: Option<String>,
    /// No progress display on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Conventions.
    #[command(flatten)]
    pub conventions: Conventions,
}

/// Runs `bfjit bench` and returns the exit status: 0 when every run gave
/// the expected output, 3 when any failed, 1 for usage and I/O errors.
pub fn run(args: &BenchArgs) -> u8 {
    match bench(args) {
        Ok(true) => EXIT_OK,
        Ok(false) => EXIT_RUNTIME,
        Err(e) => {
            error(e);
            EXIT_USAGE
        }
    }
}

/// Runs the suite; `Ok(false)` when something failed.
fn bench(args: &BenchArgs) -> Result<bool, String> {
    let mut contenders = Contender::parse_list(&args.tiers)?;
    add_external(&mut contenders, &args.contenders, &args.contender_builds)?;
    // Checked before the runs: a mistyped name must not cost a whole suite.
    if let Some(name) = &args.save {
        compare::saved_path(name)?;
    }
    let earlier = args.compare.as_deref().map(compare::load).transpose()?;
    let baseline = match &args.baseline {
        Some(b) => resolve_baseline(&mut contenders, b)?,
        None => 0,
    };
    let timeout = Duration::try_from_secs_f64(args.timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(|| format!("invalid --timeout {}", args.timeout))?;
    let paths = if args.paths.is_empty() {
        default_paths()
    } else {
        args.paths.clone()
    };
    let cases = discover(&paths)?;
    if cases.is_empty() {
        return Err(format!(
            "no programs with expected output (NAME.b beside NAME.out) in {}",
            if paths.is_empty() {
                "the default folders (bf-programs/, the corpus's bench/)".to_string()
            } else {
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
    }
    let config = SuiteConfig {
        contenders,
        baseline,
        runs: args.runs,
        warmup: args.warmup,
        settings: Settings {
            cell: args.conventions.cell_width(),
            eof: args.conventions.eof.into(),
            tape_size: args.conventions.tape_size as usize,
            timeout,
            clock: args.clock,
        },
        cc: args.cc.clone(),
        progress: !args.quiet,
    };
    let mut report = run_suite(&cases, &config)?;
    report.comparison = earlier.map(|e| compare::compare(&report, &e));
    let json_to_stdout = args.json.as_deref() == Some(Path::new("-"));
    let mut text = if args.markdown {
        markdown::render(&report)
    } else {
        table::render(&report)
    };
    if let (Some(cmp), false) = (&report.comparison, args.markdown) {
        text.push('\n');
        text.push_str(&changes::render(cmp));
    }
    // anstream drops the styles where colors are unwanted: NO_COLOR, or
    // not a terminal (CLICOLOR_FORCE overrides).
    if json_to_stdout {
        print_to(anstream::stderr(), &text)?;
        print_to(std::io::stdout(), &json::render(&report))?;
    } else {
        print_to(anstream::stdout(), &text)?;
    }
    let write = |path: &PathBuf, text: String| {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    if let Some(path) = args.json.as_ref().filter(|_| !json_to_stdout) {
        write(path, json::render(&report))?;
    }
    if let Some(path) = &args.svg {
        write(path, svg::render(&report))?;
    }
    if let Some(name) = &args.save {
        let path = compare::save(name, &json::render(&report))?;
        if !args.quiet {
            eprintln!("saved as {name}: {}", path.display());
        }
    }
    Ok(report.failures == 0)
}

/// Writes all of `text` and flushes; a closed stream is an error.
fn print_to(mut to: impl Write, text: &str) -> Result<(), String> {
    to.write_all(text.as_bytes())
        .and_then(|()| to.flush())
        .map_err(|e| format!("cannot write the report: {e}"))
}
