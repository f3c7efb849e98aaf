//! The steps every subcommand that takes a program shares: load it
//! (reporting why not), show its warnings, optimize it (warning when `-O2`
//! stopped at its round cap), and report how a run of it ended.

use super::args::WarningArgs;
use crate::diagnostics::{self, RunContext, Stderr};
use crate::exit_status;
use crate::load::{load_program_as, Parsed, ProgramSource};
use ir_passes::error::RunError;
use ir_passes::ir::{CellWidth, Program};
use ir_passes::lint::{lint, round_cap, Lint};
use ir_passes::pipeline::{Optimized, Pipeline};
use ir_passes::source::Source;

/// Loads the program; on failure reports it and returns the exit status.
pub(crate) fn load(
    source: &ProgramSource,
    cell: CellWidth,
    stderr: &Stderr,
) -> Result<Program, u8> {
    load_as(source, cell, Parsed::Commands, stderr)
}

/// [`load`] into the given form.
pub(crate) fn load_as(
    source: &ProgramSource,
    cell: CellWidth,
    form: Parsed,
    stderr: &Stderr,
) -> Result<Program, u8> {
    load_program_as(source, cell, form).map_err(|e| {
        let (report, name, text) = diagnostics::load_error(&e);
        stderr.report(&report, name, text);
        e.exit_code()
    })
}

/// Shows the warnings `-W` selects about a parsed program and returns how
/// many were shown.
pub(crate) fn warn(program: &Program, warnings: &WarningArgs, stderr: &Stderr) -> usize {
    show(&lint(program), &program.source, warnings, stderr)
}

/// Runs the pipeline, showing the round-cap warning if `-W` selects it.
pub(crate) fn optimize(
    program: Program,
    pipeline: &Pipeline,
    keep: bool,
    warnings: &WarningArgs,
    stderr: &Stderr,
) -> (Optimized, usize) {
    let source = std::sync::Arc::clone(&program.source);
    let optimized = pipeline.run(program, keep);
    let shown = show(round_cap(&optimized).as_slice(), &source, warnings, stderr);
    (optimized, shown)
}

/// At most this many warnings are shown: a generated program can have
/// thousands of one kind, and each costs a scan of the source.
pub(crate) const MAX_WARNINGS: usize = 100;

fn show(lints: &[Lint], source: &Source, warnings: &WarningArgs, stderr: &Stderr) -> usize {
    let selected: Vec<&Lint> = lints.iter().filter(|l| warnings.shows(l)).collect();
    for l in selected.iter().take(MAX_WARNINGS) {
        stderr.report(&diagnostics::warning(l), source.name(), source.text());
    }
    if selected.len() > MAX_WARNINGS {
        let more = selected.len() - MAX_WARNINGS;
        let report =
            diagnostics::Report::warning("more", format!("{more} more warnings not shown"))
                .help("-W none hides warnings");
        stderr.message(&report);
    }
    selected.len().min(MAX_WARNINGS)
}

/// Reports how a run ended and returns the exit status: 0 when it
/// finished (or its reader closed the output), else the error's status.
pub(crate) fn report_run(
    result: &Result<(), RunError>,
    source: &Source,
    context: &RunContext,
    stderr: &Stderr,
) -> u8 {
    let Err(error) = result else {
        return exit_status::OK;
    };
    match diagnostics::run_error(error, context) {
        None => exit_status::OK,
        Some((report, code)) => {
            stderr.report(&report, source.name(), source.text());
            code
        }
    }
}
