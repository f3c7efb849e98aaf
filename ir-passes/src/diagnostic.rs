//! Diagnostics as plain data: a message and the source position it is about.
//! They are rendered only at the top (the CLI), and tests assert on the data.

use crate::span::LineCol;
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
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.line_col, self.message)
    }
}

impl std::error::Error for ParseError {}
