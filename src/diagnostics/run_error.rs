//! Reports for runs that stopped early: the pointer left the tape, the
//! `--timeout` ran out, I/O failed. Every subcommand that runs a program
//! reports through [`run_error`].

use super::report::Report;
use crate::exit_status;
use ir_passes::error::{RunError, Side};
use ir_passes::span::Span;
use std::time::Duration;

/// What a report about a run needs besides the error: the machine it ran
/// on.
#[derive(Clone, Copy, Debug)]
pub struct RunContext {
    /// Cells on the tape.
    pub tape_size: u64,
    /// The `--timeout`, if one was set.
    pub timeout: Option<Duration>,
}

/// The report and exit status for a run that ended with `error`; `None`
/// for an end that is not an error (the output was closed by its reader).
///
/// A `RunError::Io` whose text starts with "internal error" comes from a
/// runtime shim that caught a bug; it exits with
/// [`exit_status::INTERNAL`], like a step limit (which the CLI never sets).
pub fn run_error(error: &RunError, context: &RunContext) -> Option<(Report, u8)> {
    Some(match error {
        RunError::OutputClosed => return None,
        RunError::OffTape { pos, side } => (off_tape(*pos, *side, context), exit_status::RUNTIME),
        RunError::Timeout => {
            let limit = context.timeout.unwrap_or_default().as_secs_f64();
            let report = Report::error(format!("time limit of {limit}s reached"))
                .note("output written before the limit was flushed")
                .help("raise --timeout, or check for a loop that never ends (bfjit check shows loops that cannot)");
            (report, exit_status::TIMEOUT)
        }
        RunError::Io(message) if message.starts_with("internal error") => {
            (internal(message), exit_status::INTERNAL)
        }
        RunError::Io(message) => (
            Report::error(format!("I/O error: {message}")),
            exit_status::USAGE,
        ),
        RunError::StepLimit => (internal("step limit reached"), exit_status::INTERNAL),
    })
}

/// The report for a bug in bfjit.
pub fn internal(message: impl std::fmt::Display) -> Report {
    Report::error(format!("internal error: {message}"))
        .note("this is a bug in bfjit, not in your program")
        .help("please report it with the command line and the program")
}

fn off_tape(pos: u32, side: Side, context: &RunContext) -> Report {
    let at = Span::at(pos);
    let last = context.tape_size - 1;
    match side {
        Side::Left => Report::error("pointer moved off the tape (left of cell 0)")
            .primary(at, "this '<' moves the pointer to cell -1")
            .note(format!(
                "the tape has cells 0 to {last}, and the pointer starts at cell 0"
            ))
            .help("a '>' is missing before it, or this '<' is one too many"),
        Side::Right => Report::error("pointer moved off the tape (past the last cell)")
            .primary(
                at,
                format!("this '>' moves the pointer to cell {}", context.tape_size),
            )
            .note(format!(
                "the tape has {} cells (0 to {last})",
                context.tape_size
            ))
            .help("a longer tape may help: --tape-size CELLS"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTEXT: RunContext = RunContext {
        tape_size: 100,
        timeout: None,
    };

    fn status(error: RunError) -> Option<u8> {
        run_error(&error, &CONTEXT).map(|(_, code)| code)
    }

    #[test]
    fn bugs_exit_with_the_internal_status_and_user_errors_do_not() {
        assert_eq!(status(RunError::StepLimit), Some(exit_status::INTERNAL));
        let shim = RunError::Io("internal error: a runtime shim panicked".into());
        assert_eq!(status(shim), Some(exit_status::INTERNAL));
        let input = RunError::Io("reading input: Is a directory".into());
        assert_eq!(status(input), Some(exit_status::USAGE));
        let off = RunError::OffTape {
            pos: 0,
            side: Side::Right,
        };
        assert_eq!(status(off), Some(exit_status::RUNTIME));
        assert_eq!(status(RunError::Timeout), Some(exit_status::TIMEOUT));
        assert_eq!(status(RunError::OutputClosed), None);
    }

    #[test]
    fn leaving_the_tape_names_the_cell_it_would_reach() {
        let right = RunError::OffTape {
            pos: 0,
            side: Side::Right,
        };
        let (report, _) = run_error(&right, &CONTEXT).unwrap();
        assert_eq!(
            report.labels[0].message,
            "this '>' moves the pointer to cell 100"
        );
        assert!(report.notes.iter().any(|n| n.contains("--tape-size")));
    }
}
