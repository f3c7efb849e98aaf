//! Writing to stderr without ever failing: a closed (`2>&-`), full
//! (`2>/dev/full`) or broken (`2>&1 | head -c 10`) stderr must not turn a
//! diagnostic into a panic, as `eprintln!` would.

use super::color::Style;
use super::report::Report;
use std::io::Write;

/// Writes `bytes` to stderr, ignoring failure: there is nowhere left to
/// report it.
pub fn write_stderr(bytes: &[u8]) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(bytes).and_then(|()| stderr.flush());
}

/// Where the CLI's messages go: stderr, drawn in one style.
#[derive(Clone, Copy, Debug)]
pub struct Stderr {
    /// Coloured or plain.
    pub style: Style,
}

impl Stderr {
    /// Renders and writes a report about a program whose source is `text`,
    /// loaded under `name`.
    pub fn report(&self, report: &Report, name: &str, text: &[u8]) {
        write_stderr(&report.render(name, text, self.style));
    }

    /// Writes a report that points at no source.
    pub fn message(&self, report: &Report) {
        self.report(report, "", b"");
    }

    /// Writes a one-line error: `error: MESSAGE`.
    pub fn error(&self, message: impl std::fmt::Display) {
        self.message(&Report::error(message.to_string()));
    }
}
