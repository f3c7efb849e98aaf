//! The plain one-line error (`error: MESSAGE`) of subcommands that show no
//! source, written so that a closed or full stderr is not fatal. Subcommands
//! with a `--color` option write through [`crate::diagnostics::Stderr`].

/// Prints an error the way every subcommand does.
pub(crate) fn error(message: impl std::fmt::Display) {
    crate::diagnostics::write_stderr(format!("error: {message}\n").as_bytes());
}
