//! Everything the CLI tells the user on stderr: errors and warnings as plain
//! data ([`Report`]), built from the parser's, the runtime's and the lints'
//! own data, rendered with codespan-reporting (source line, caret, labels,
//! help) and written so that a closed or full stderr is never fatal.
//!
//! codespan-reporting was chosen over ariadne and miette: it draws rustc's
//! layout (which BF users coming from compilers know), takes several labels
//! on different lines (both ends of an unmatched bracket), renders into any
//! `termcolor` buffer (so colour is one switch and the output can be
//! snapshot-tested and written without a fallible `eprintln!`), lets the
//! caller supply line and column numbers (we show windows of long lines,
//! see [`excerpt`]), and costs two small dependencies (termcolor,
//! unicode-width) where miette's fancy output brings a dozen.

mod color;
mod excerpt;
mod load_error;
mod report;
mod run_error;
mod stderr;
mod warning;

pub use color::{ColorChoice, Style};
pub use load_error::load_error;
pub use report::{Label, Report, Severity};
pub use run_error::{internal as internal_error, run_error, RunContext};
pub use stderr::{write_stderr, Stderr};
pub use warning::warning;
