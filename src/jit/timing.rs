//! Where code generation's time goes: our own steps (translating IR to
//! CLIF, handing code to the module, finalizing it) and Cranelift's passes,
//! for `bfjit inspect --emit codegen`.
//!
//! Cranelift times its passes through a per-thread [`Profiler`]
//! (`cranelift_codegen::timing`). Its default one keeps totals it only
//! hands out as text, so each compiling thread installs [`PassProfiler`]
//! instead, which keeps each pass's self time (its nested passes
//! excluded) in a thread-local table that [`take_pass_times`] empties.
//! Timing is always on: the default profiler read the clock as often.

use cranelift_codegen::timing::{self, Pass, Profiler, NUM_PASSES};
use std::any::Any;
use std::cell::RefCell;
use std::time::{Duration, Instant};

/// Self time per Cranelift pass, indexed by `Pass as usize`.
#[derive(Clone, Debug)]
pub struct PassTimes(pub [Duration; NUM_PASSES]);

impl Default for PassTimes {
    fn default() -> PassTimes {
        PassTimes([Duration::ZERO; NUM_PASSES])
    }
}

impl PassTimes {
    /// Adds `other`'s times to these.
    pub fn add(&mut self, other: &PassTimes) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a += *b;
        }
    }

    /// The passes that took any time, as `(description, self time)`, in
    /// Cranelift's pass order.
    pub fn passes(&self) -> Vec<(&'static str, Duration)> {
        ALL_PASSES
            .iter()
            .zip(&self.0)
            .filter(|(_, t)| !t.is_zero())
            .map(|(p, t)| (p.description(), *t))
            .collect()
    }

    /// The sum of all passes' self times.
    pub fn total(&self) -> Duration {
        self.0.iter().sum()
    }
}

/// Every pass, in `Pass as usize` order (the timing module has no iterator).
const ALL_PASSES: [Pass; NUM_PASSES] = [
    Pass::process_file,
    Pass::parse_text,
    Pass::wasm_translate_module,
    Pass::wasm_translate_function,
    Pass::verifier,
    Pass::compile,
    Pass::try_incremental_cache,
    Pass::store_incremental_cache,
    Pass::flowgraph,
    Pass::domtree,
    Pass::loop_analysis,
    Pass::preopt,
    Pass::egraph,
    Pass::gvn,
    Pass::licm,
    Pass::unreachable_code,
    Pass::remove_constant_phis,
    Pass::vcode_lower,
    Pass::vcode_emit,
    Pass::vcode_emit_finish,
    Pass::regalloc,
    Pass::regalloc_checker,
    Pass::layout_renumber,
    Pass::canonicalize_nans,
];

// The table above must list every pass at its own index.
const _: () = {
    let mut i = 0;
    while i < NUM_PASSES {
        assert!(ALL_PASSES[i] as usize == i);
        i += 1;
    }
};

/// A pass that has started and not ended on this thread.
struct Open {
    pass: Pass,
    start: Instant,
    /// Time spent in passes nested in this one so far.
    nested: Duration,
}

thread_local! {
    /// The passes running on this thread, innermost last.
    static OPEN: RefCell<Vec<Open>> = const { RefCell::new(Vec::new()) };
    /// Self times of the passes that ended on this thread.
    static TIMES: RefCell<PassTimes> = RefCell::new(PassTimes::default());
}

/// The profiler compiling threads install (see the module documentation).
pub struct PassProfiler;

/// Ends its pass when dropped (Cranelift drops them innermost first).
struct Token;

impl Profiler for PassProfiler {
    fn start_pass(&self, pass: Pass) -> Box<dyn Any> {
        OPEN.with_borrow_mut(|open| {
            open.push(Open {
                pass,
                start: Instant::now(),
                nested: Duration::ZERO,
            })
        });
        Box::new(Token)
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        let Some(done) = OPEN.with_borrow_mut(Vec::pop) else {
            return;
        };
        let total = done.start.elapsed();
        OPEN.with_borrow_mut(|open| {
            if let Some(parent) = open.last_mut() {
                parent.nested += total;
            }
        });
        TIMES.with_borrow_mut(|t| {
            if let Some(slot) = t.0.get_mut(done.pass as usize) {
                *slot += total.saturating_sub(done.nested);
            }
        });
    }
}

/// Installs [`PassProfiler`] on this thread (idempotent: it keeps no state
/// of its own).
pub fn install() {
    timing::set_thread_profiler(Box::new(PassProfiler));
}

/// The pass times collected on this thread since the last call, which
/// starts the table afresh.
pub fn take_pass_times() -> PassTimes {
    TIMES.with_borrow_mut(std::mem::take)
}

/// The time of one program's code generation, step by step.
#[derive(Clone, Debug, Default)]
pub struct CodegenTimes {
    /// Setting up the module (ISA flags, shim declarations and stubs).
    pub setup: Duration,
    /// IR → CLIF with cranelift-frontend, on the calling thread.
    pub translate: Duration,
    /// Cranelift's passes, summed over the threads that compiled.
    pub passes: PassTimes,
    /// Copying compiled functions into the module, in order.
    pub define: Duration,
    /// `finalize_definitions`: relocations and page protection.
    pub finalize: Duration,
    /// The whole compile, wall time (threads overlap, so the steps can add
    /// up to more).
    pub wall: Duration,
    /// How many threads compiled functions (the calling one included).
    pub threads: usize,
}
