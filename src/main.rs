//! The `bfjit` binary.

use bfjit::diagnostics::{internal_error, Stderr, Style};
use bfjit::exit_status;
use std::process::ExitCode;

/// Stack for the worker thread. Passes and printers recurse over loop nesting,
/// and programs nest 100,000 deep; the reservation is virtual, so only the
/// depth actually used costs memory.
const STACK_BYTES: usize = 1 << 30;

fn main() -> ExitCode {
    let worker = std::thread::Builder::new()
        .name("bfjit".into())
        .stack_size(STACK_BYTES)
        .spawn(bfjit::cli::main);
    match worker.map(|w| w.join()) {
        Ok(Ok(code)) => code,
        // A panic: the hook has printed where; say what it means.
        Err(e) => {
            let report = internal_error(format!("cannot start: {e}"));
            Stderr {
                style: Style::Plain,
            }
            .message(&report);
            ExitCode::from(exit_status::INTERNAL)
        }
        Ok(Err(_)) => {
            let report = internal_error("bfjit panicked");
            Stderr {
                style: Style::Plain,
            }
            .message(&report);
            ExitCode::from(exit_status::INTERNAL)
        }
    }
}
