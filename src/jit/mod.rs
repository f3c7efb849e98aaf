//! The Cranelift tiers (filled in by the simple-JIT and optimizing-JIT issues).

use ir_passes::ir::Program;

/// Which translation the JIT performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JitMode {
    /// One short instruction sequence per source command, no IR passes.
    Simple,
    /// The optimized IR with Cranelift tuned for speed.
    Opt,
}

/// Native code for one program, ready to run.
pub struct JitCode {
    _private: (),
}

/// Compiles a program to native code.
pub fn compile(_program: &Program, mode: JitMode) -> Result<JitCode, String> {
    Err(format!("the {mode:?} JIT tier is not yet implemented"))
}

impl JitCode {
    /// Runs the code on a tape from pointer `ptr`; returns the final pointer.
    pub fn run<C: ir_passes::cell::CellType>(
        &self,
        _tape: &mut [C],
        _ptr: usize,
        _io: &mut ir_passes::io::Io<'_>,
        _budget: &mut ir_passes::budget::Budget,
    ) -> Result<usize, ir_passes::error::RunError> {
        unreachable!("compile() never returns a JitCode yet")
    }
}
