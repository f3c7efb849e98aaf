//! How every subcommand reports an error: one line on stderr.

/// Prints an error the way every subcommand does.
pub(crate) fn error(message: impl std::fmt::Display) {
    eprintln!("bfjit: {message}");
}
