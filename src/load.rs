//! Where a program and its input come from (a file, stdin, `-e` text), and
//! loading it: read, then parse, with errors that say which of the two went
//! wrong (they have different exit statuses) and keep what the diagnostics
//! need to show the source.

use crate::exit_status;
use ir_passes::diagnostic::ParseError;
use ir_passes::ir::{CellWidth, Program};
use ir_passes::parse::parse_text;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where the program text comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramSource {
    /// A file.
    File(PathBuf),
    /// Standard input (`-`); the program's own input is then empty unless
    /// given another way.
    Stdin,
    /// `-e CODE` texts, joined with newlines, so line N of a position is
    /// the N-th `-e`.
    Expr(Vec<String>),
}

impl ProgramSource {
    /// The name positions are reported under: the path, `<stdin>` or
    /// `<expr>`.
    pub fn name(&self) -> String {
        match self {
            ProgramSource::File(path) => path.display().to_string(),
            ProgramSource::Stdin => "<stdin>".into(),
            ProgramSource::Expr(_) => "<expr>".into(),
        }
    }

    /// Whether reading the program consumes stdin.
    pub fn uses_stdin(&self) -> bool {
        *self == ProgramSource::Stdin
    }

    /// The program text.
    pub fn read(&self) -> Result<Vec<u8>, LoadError> {
        match self {
            ProgramSource::File(path) => std::fs::read(path)
                .map_err(|e| LoadError::Io(format!("cannot read {}: {e}", path.display()))),
            ProgramSource::Stdin => {
                let mut text = Vec::new();
                std::io::stdin()
                    .lock()
                    .read_to_end(&mut text)
                    .map_err(|e| {
                        LoadError::Io(format!("cannot read the program from stdin: {e}"))
                    })?;
                Ok(text)
            }
            ProgramSource::Expr(parts) => Ok(parts.join("\n").into_bytes()),
        }
    }
}

/// Where the program's input (what `,` reads) comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramInput {
    /// Standard input.
    Stdin,
    /// Nothing: `,` sees end of input at once.
    Empty,
    /// These bytes (`--input TEXT`).
    Text(Vec<u8>),
    /// This file (`--input-file FILE`).
    File(PathBuf),
}

impl ProgramInput {
    /// Opens the input. A file that cannot be opened is a usage error.
    pub fn open(&self) -> Result<Box<dyn Read>, LoadError> {
        Ok(match self {
            ProgramInput::Stdin => Box::new(std::io::stdin().lock()),
            ProgramInput::Empty => Box::new(std::io::empty()),
            ProgramInput::Text(bytes) => Box::new(std::io::Cursor::new(bytes.clone())),
            ProgramInput::File(path) => Box::new(std::fs::File::open(path).map_err(|e| {
                LoadError::Io(format!("cannot read input file {}: {e}", path.display()))
            })?),
        })
    }
}

/// Why a program could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The program (or its input) could not be read.
    Io(String),
    /// The program is malformed.
    Parse {
        /// The name it was loaded under.
        name: String,
        /// Its text, for showing the error in context.
        text: Vec<u8>,
        /// What is wrong.
        error: ParseError,
    },
}

impl LoadError {
    /// The exit status the CLI reports this with.
    pub fn exit_code(&self) -> u8 {
        match self {
            LoadError::Io(_) => exit_status::USAGE,
            LoadError::Parse { .. } => exit_status::MALFORMED,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "{e}"),
            LoadError::Parse { name, error, .. } => write!(f, "{name}:{error}"),
        }
    }
}

/// Reads and parses a program. This is the one loader every subcommand
/// uses.
pub fn load_program(source: &ProgramSource, cell: CellWidth) -> Result<Program, LoadError> {
    load_program_as(source, cell, Parsed::Commands)
}

/// Which form [`load_program_as`] parses a program into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// One node per command ([`parse`](ir_passes::parse::parse)): what inspection shows.
    Commands,
    /// Runs folded while parsing ([`parse_folded`](ir_passes::parse::parse_folded)): exactly what the
    /// `fold_runs` pass would make of the first form, at a fraction of the
    /// time and memory. Running uses it when the pipeline starts with
    /// `fold_runs`.
    Folded,
}

/// [`load_program`] into the given form.
pub fn load_program_as(
    source: &ProgramSource,
    cell: CellWidth,
    form: Parsed,
) -> Result<Program, LoadError> {
    let name = source.name();
    let text = source.read()?;
    // The program keeps the text it was read into (no copy of a 2 MB file).
    parse_text(&name, text, cell, form == Parsed::Folded)
        .map_err(|(error, text)| LoadError::Parse { name, text, error })
}

/// Reads and parses the program file at `path`.
pub fn load(path: &Path, cell: CellWidth) -> Result<Program, LoadError> {
    load_program(&ProgramSource::File(path.to_path_buf()), cell)
}
