//! How a run can end other than by reaching the end of the program.

use crate::source::Source;
use serde::Serialize;
use std::fmt;

/// Which end of the tape the pointer left by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Side {
    /// Below cell 0.
    Left,
    /// Past the last cell.
    Right,
}

/// A run that stopped early.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum RunError {
    /// A command moved the pointer off the tape; `pos` is the byte offset of
    /// that command in the source.
    OffTape {
        /// Byte offset of the command that moved the pointer.
        pos: u32,
        /// Which end it left by.
        side: Side,
    },
    /// The output was closed by its reader (e.g. `| head -c1`); the run ends quietly.
    OutputClosed,
    /// Reading input or writing output failed.
    Io(String),
    /// The step budget given to the run ran out (tests use this to bound
    /// programs that may not terminate).
    StepLimit,
    /// The `--timeout` deadline passed.
    Timeout,
}

impl RunError {
    /// Renders the error with the source position as `line:col`.
    pub fn describe(&self, source: &Source) -> String {
        match self {
            RunError::OffTape { pos, side } => {
                let lc = source.line_col(*pos);
                let which = match side {
                    Side::Left => "left of cell 0",
                    Side::Right => "past the last cell",
                };
                format!(
                    "{}:{lc}: pointer moved off the tape ({which})",
                    source.name()
                )
            }
            other => other.to_string(),
        }
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::OffTape { pos, side } => {
                write!(f, "pointer moved off the tape ({side:?}) at byte {pos}")
            }
            RunError::OutputClosed => write!(f, "output closed"),
            RunError::Io(e) => write!(f, "I/O error: {e}"),
            RunError::StepLimit => write!(f, "step limit reached"),
            RunError::Timeout => write!(f, "time limit reached"),
        }
    }
}

impl std::error::Error for RunError {}
