//! Diagnostics as plain data: a message and the source position it is about.
//! They are rendered only at the top (the CLI), and tests assert on the data.

use crate::span::{LineCol, Span};
use serde::Serialize;
use std::fmt;

/// A malformed-program error from the parser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParseError {
    /// What is wrong, e.g. "unmatched '['".
    pub message: String,
    /// Byte offset of the offending bracket.
    pub pos: u32,
    /// Its line and column.
    pub line_col: LineCol,
    /// Which bracket is unmatched, with the context a diagnostic shows.
    pub kind: Unmatched,
}

/// Which bracket is unmatched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Unmatched {
    /// A `[` still open at the end of the text.
    Open {
        /// How many `[` are still open there (the error names the innermost).
        still_open: usize,
        /// The end of the text, where its `]` was expected.
        end: u32,
    },
    /// A `]` with no `[` open.
    Close {
        /// The last complete top-level loop before it, if any: every
        /// bracket before the stray `]` was closed by that loop's end.
        previous: Option<Span>,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.line_col, self.message)
    }
}

impl std::error::Error for ParseError {}
