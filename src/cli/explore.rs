//! `bfjit explore`: parse the options, load the program, build the page
//! ([`crate::explore`]) and write it.

use super::args::{Conventions, Optimization};
use super::message::error;
use crate::exit_status;
use crate::explore::{build, html, Budget, Options, DEFAULT_STEPS};
use crate::load::load;
use crate::tier::Tier;
use clap::Args;
use std::path::PathBuf;

/// `bfjit explore`.
#[derive(Args, Debug)]
pub struct ExploreArgs {
    /// The BF program.
    pub file: PathBuf,
    /// Where to write the page (default: the program's name with `.html`).
    #[arg(short, long, value_name = "PAGE.html")]
    pub output: Option<PathBuf>,
    /// The profile run's input (by default it has none: `,` sees EOF).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// The profile run's step budget (loop back edges, roughly); the run
    /// stops there and the page says so.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_STEPS)]
    pub steps: u64,
    /// Pass selection for the opt tier, as for `bfjit run`.
    #[command(flatten)]
    pub optimization: Optimization,
    /// Conventions, as for `bfjit run`.
    #[command(flatten)]
    pub conventions: Conventions,
}

/// Runs `bfjit explore` and returns the exit status.
pub fn run(args: &ExploreArgs) -> u8 {
    match explore_command(args) {
        Ok(()) => exit_status::OK,
        Err((message, code)) => {
            error(message);
            code
        }
    }
}

fn explore_command(args: &ExploreArgs) -> Result<(), (String, u8)> {
    let usage = |e: String| (e, exit_status::USAGE);
    let pipeline = args.optimization.pipeline(Tier::Opt).map_err(usage)?;
    let input = match &args.input {
        Some(path) => std::fs::read(path)
            .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?,
        None => Vec::new(),
    };
    let program = load(&args.file, args.conventions.cell_width())
        .map_err(|e| (e.to_string(), e.exit_code()))?;
    let options = Options {
        pipeline,
        eof: args.conventions.eof.into(),
        tape_size: args.conventions.tape_size as usize,
        steps: args.steps,
        input,
        budget: Budget::default(),
    };
    let page = build(program, &options).map_err(usage)?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| args.file.with_extension("html"));
    std::fs::write(&out, html::render(&page))
        .map_err(|e| usage(format!("cannot write {}: {e}", out.display())))?;
    Ok(())
}
