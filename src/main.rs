//! The `bfjit` binary.

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
        Ok(Err(_)) => ExitCode::from(101),
        Err(e) => {
            eprintln!("bfjit: cannot start: {e}");
            ExitCode::from(1)
        }
    }
}
