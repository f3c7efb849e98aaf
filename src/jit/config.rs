//! What generated code is: the translation ([`JitMode`]) and what it is
//! specialized for ([`CodeConfig`], [`Limits`]). Fixed when the code is
//! compiled; see `crate::harness::Target`, which derives them for a run.

/// Which translation the JIT performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JitMode {
    /// One short instruction sequence per source command, no IR passes.
    Simple,
    /// The optimized IR with Cranelift tuned for speed.
    Opt,
}

/// Whether generated code can stop a run at its budget (`--timeout`, step
/// limits). Enforcing it costs a counter decrement and a branch on every loop
/// back edge (about a tenth of mandelbrot's run time), so code is compiled
/// with the checks only for runs that set a limit, as wasmtime makes fuel
/// and epoch interruption opt-in for the same reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limits {
    /// No budget checks: the code runs until the program ends.
    Unlimited,
    /// Back edges count fuel and call the budget shim every
    /// [`ir_passes::budget::Budget::interval`] of them.
    Enforced,
}

/// What generated code is specialized for. The tape's length is a constant
/// in the code: a guard is then one compare with an immediate (two-sided ones
/// too, as one unsigned range check), as `cc` gets it from the C yardstick's
/// `TAPE_SIZE`. The code runs only with this configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeConfig {
    /// Whether back edges check the run's budget.
    pub limits: Limits,
    /// The number of cells of the tape the code runs on.
    pub tape_size: usize,
}
