//! Reading a program file and parsing it, with errors that say which of the
//! two went wrong (they have different exit statuses).

use crate::exit_status;
use ir_passes::diagnostic::ParseError;
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse;
use std::fmt;
use std::path::Path;

/// Why a program could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io(String),
    /// The program is malformed.
    Parse(String, ParseError),
}

impl LoadError {
    /// The exit status the CLI reports this with.
    pub fn exit_code(&self) -> u8 {
        match self {
            LoadError::Io(_) => exit_status::USAGE,
            LoadError::Parse(..) => exit_status::MALFORMED,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "{e}"),
            LoadError::Parse(name, e) => write!(f, "{name}:{e}"),
        }
    }
}

/// Reads and parses the program at `path`.
pub fn load(path: &Path, cell: CellWidth) -> Result<Program, LoadError> {
    let name = path.display().to_string();
    let text =
        std::fs::read(path).map_err(|e| LoadError::Io(format!("cannot read {name}: {e}")))?;
    parse(&name, &text, cell).map_err(|e| LoadError::Parse(name, e))
}
