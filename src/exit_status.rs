//! The exit statuses of the `bfjit` binary. Their own module, below
//! everything that picks one (the CLI, and [`crate::load`], whose two kinds
//! of error end with different statuses).

/// Success.
pub const OK: u8 = 0;
/// Usage or I/O error (bad option, missing file, unreadable input).
pub const USAGE: u8 = 1;
/// Malformed program (unmatched bracket).
pub const MALFORMED: u8 = 2;
/// Runtime error (pointer moved off the tape).
pub const RUNTIME: u8 = 3;
/// The `--timeout` ran out.
pub const TIMEOUT: u8 = 4;
/// Internal error: a bug in bfjit (a panic, a code generator failure), not
/// in the program or the command line. The value is BSD's `EX_SOFTWARE`.
pub const INTERNAL: u8 = 70;
