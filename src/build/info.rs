//! What an executable was built with, in the spellings of `bfjit run`'s
//! options: printed by `./prog --help` and `bfjit build --emit info`.

use ir_passes::io::EofMode;

/// The settings a program was built with.
#[derive(Clone, Debug)]
pub struct BuildInfo {
    /// The source file, as named on the command line.
    pub file: String,
    /// The optimization options as given (`-O2`, `--passes …`, `--no-pass …`).
    pub optimization: String,
    /// The passes that ran, in order.
    pub passes: Vec<String>,
    /// Cell width in bits.
    pub cell_bits: u32,
    /// What `,` stores at end of input.
    pub eof: EofMode,
    /// Cells on the tape.
    pub tape_size: usize,
}

impl BuildInfo {
    /// The settings as text, one per line, ending with a newline.
    pub fn text(&self) -> String {
        let passes = match self.passes.is_empty() {
            true => "(none)".to_string(),
            false => self.passes.join(","),
        };
        format!(
            "built by bfjit {} from {}\n  {}\n  passes: {}\n  --cell {} --eof {} --tape-size {}\n",
            env!("CARGO_PKG_VERSION"),
            self.file,
            self.optimization,
            passes,
            self.cell_bits,
            eof_name(self.eof),
            self.tape_size
        )
    }
}

/// `--eof`'s spelling of a mode.
pub fn eof_name(eof: EofMode) -> &'static str {
    match eof {
        EofMode::Unchanged => "unchanged",
        EofMode::Zero => "zero",
        EofMode::Max => "max",
    }
}

/// The number the C runtime takes for a mode (`bfjit_config`).
pub fn eof_code(eof: EofMode) -> u64 {
    match eof {
        EofMode::Unchanged => 0,
        EofMode::Zero => 1,
        EofMode::Max => 2,
    }
}
