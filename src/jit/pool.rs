//! Cranelift's compile of translated functions, on several threads.
//!
//! Translation (IR → CLIF) needs the module, to declare outlined functions,
//! so it stays on the calling thread, one function after another. Compiling
//! a finished function needs only the ISA, so [`Pool`] hands each one to a
//! worker thread with its own Cranelift `Context`, and gets back its bytes
//! and relocations, which the caller defines in the module
//! (`Module::define_function_bytes`) in the order the functions were
//! translated: the module, its function ids and the code are then the same
//! whatever the number of threads or how the work was shared.
//!
//! Workers start only when a second function is submitted, so a program of
//! one function compiles on the calling thread without a thread being
//! spawned. Once translation is done, the calling thread compiles too until
//! the queue is empty.

use super::timing::{self, PassTimes};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::Function;
use cranelift_codegen::isa::TargetIsa;
use cranelift_codegen::Context;
use cranelift_module::{FuncId, ModuleReloc};
use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::Mutex;
use std::thread::Scope;

/// The most threads that compile one program: the functions of big
/// programs are about the same size, so more threads help as long as there
/// are cores; past a few, translation on the calling thread is the limit.
pub const MAX_THREADS: usize = 4;

/// The environment variable that sets [`default_threads`] (1 to
/// [`MAX_THREADS`]; other values are ignored).
pub const THREADS_VAR: &str = "BFJIT_CODEGEN_THREADS";

/// How many threads compile a program when the caller does not say:
/// [`THREADS_VAR`] if set, else the cores available, at most
/// [`MAX_THREADS`].
pub fn default_threads() -> usize {
    let set = std::env::var(THREADS_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=MAX_THREADS).contains(n));
    set.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_THREADS)
    })
}

/// What to keep of a compile besides the code and its relocations
/// (`bfjit inspect` wants more).
#[derive(Clone, Copy, Debug, Default)]
pub struct Keep {
    /// The CLIF text before and after Cranelift's optimizer.
    pub clif: bool,
    /// Cranelift's own listing of the lowered code (VCode, with registers).
    pub vcode: bool,
    /// The source location of every code range.
    pub srclocs: bool,
}

/// One function compiled to machine code.
pub struct Compiled {
    /// The declared function.
    pub id: FuncId,
    /// The code's alignment.
    pub alignment: u64,
    /// The machine code and its constants, unrelocated.
    pub bytes: Vec<u8>,
    /// Its relocations, as the module takes them.
    pub relocs: Vec<ModuleReloc>,
    /// `(start, end, source byte)` code ranges, sorted; `None` where the
    /// translator set no source location (only with `Keep::srclocs`).
    pub srclocs: Vec<(u32, u32, Option<u32>)>,
    /// The CLIF as translated (with `Keep::clif`).
    pub clif_before: Option<String>,
    /// The CLIF after Cranelift's optimizer (with `Keep::clif`).
    pub clif_after: Option<String>,
    /// Cranelift's VCode listing (with `Keep::vcode`).
    pub vcode: Option<String>,
}

/// What a worker sends back: the function's place in submission order, its
/// code or why Cranelift refused it, and the pass times it took.
type Done = (usize, Result<Compiled, String>, PassTimes);

/// Compiles submitted functions and returns them in submission order; see
/// the module documentation.
pub struct Pool<'scope, 'env> {
    scope: &'scope Scope<'scope, 'env>,
    isa: &'env dyn TargetIsa,
    keep: Keep,
    /// Threads allowed, the calling one included.
    threads: usize,
    /// The first function, kept until a second one shows whether workers
    /// are worth starting.
    held: Option<(FuncId, Function)>,
    /// Feeds the workers; `None` until they start, and after `finish`.
    jobs: Option<SyncSender<(usize, FuncId, Function)>>,
    /// The workers' end of `jobs`, shared (the calling thread takes from
    /// it too once translation is done).
    queue: &'env Queue,
    /// The workers' way back; the pool's own sender goes in `finish`, so
    /// waiting for results ends if the workers are gone.
    results_tx: Option<Sender<Done>>,
    results: Receiver<Done>,
    /// Finished functions not yet returned (they finished out of order).
    ready: BTreeMap<usize, Result<Compiled, String>>,
    submitted: usize,
    returned: usize,
    /// The calling thread's context, for the functions it compiles.
    ctx: Context,
    /// Pass times of every thread so far.
    pub times: PassTimes,
    /// How many threads compiled (the calling one included).
    pub threads_used: usize,
}

/// The shared end of the job queue; lives outside the thread scope so the
/// workers can borrow it.
pub type Queue = Mutex<Option<Receiver<(usize, FuncId, Function)>>>;

impl<'scope, 'env> Pool<'scope, 'env> {
    /// A pool that compiles for `isa` on up to `threads` threads (at least
    /// the calling one), starting its workers in `scope`. `queue` must be
    /// empty (`Mutex::new(None)`).
    pub fn new(
        scope: &'scope Scope<'scope, 'env>,
        isa: &'env dyn TargetIsa,
        threads: usize,
        keep: Keep,
        queue: &'env Queue,
    ) -> Pool<'scope, 'env> {
        timing::install();
        // Passes timed on this thread before (the module's stubs) belong
        // to the set-up, not to this compile.
        let _ = timing::take_pass_times();
        let (results_tx, results) = mpsc::channel();
        Pool {
            scope,
            isa,
            keep,
            threads: threads.max(1),
            held: None,
            jobs: None,
            queue,
            results_tx: Some(results_tx),
            results,
            ready: BTreeMap::new(),
            submitted: 0,
            returned: 0,
            ctx: Context::new(),
            times: PassTimes::default(),
            threads_used: 1,
        }
    }

    /// Queues `func`, the body of `id`, for compiling; returns the
    /// functions finished so far that are next in submission order.
    pub fn submit(&mut self, id: FuncId, func: Function) -> Vec<Result<Compiled, String>> {
        if self.threads == 1 {
            let done = self.compile_here(id, func);
            self.ready.insert(self.submitted, done);
            self.submitted += 1;
            return self.in_order();
        }
        if self.jobs.is_none() {
            match self.held.take() {
                None => {
                    self.held = Some((id, func));
                    return Vec::new();
                }
                Some(first) => self.start_workers(first),
            }
        }
        if let Some(jobs) = &self.jobs {
            // Blocks while the queue is full: translation waits for the
            // workers rather than piling up functions in memory. A send
            // fails only if every worker has gone, which they do only
            // when the queue closes.
            let _ = jobs.send((self.submitted, id, func));
        }
        self.submitted += 1;
        self.collect(false);
        self.in_order()
    }

    /// Compiles what is left, helping the workers, and returns the rest of
    /// the functions in submission order.
    pub fn finish(mut self) -> (Vec<Result<Compiled, String>>, PassTimes, usize) {
        if let Some((id, func)) = self.held.take() {
            let done = self.compile_here(id, func);
            self.ready.insert(self.submitted, done);
            self.submitted += 1;
        }
        // Closing the queue ends the workers once it is empty.
        self.jobs = None;
        self.results_tx = None;
        loop {
            let job = match self.queue.lock() {
                Ok(queue) => queue.as_ref().and_then(|q| q.try_recv().ok()),
                Err(_) => None,
            };
            let Some((index, id, func)) = job else { break };
            let done = self.compile_here(id, func);
            self.ready.insert(index, done);
        }
        self.collect(true);
        let out = self.in_order();
        (out, self.times, self.threads_used)
    }

    /// Starts the workers and queues `first`.
    fn start_workers(&mut self, first: (FuncId, Function)) {
        let workers = self.threads - 1;
        let (jobs, queue) = mpsc::sync_channel(2 * self.threads);
        if let Ok(mut q) = self.queue.lock() {
            *q = Some(queue);
        }
        for _ in 0..workers {
            let (isa, keep, queue) = (self.isa, self.keep, self.queue);
            let Some(results) = self.results_tx.clone() else {
                break;
            };
            self.scope.spawn(move || worker(isa, keep, queue, results));
        }
        self.threads_used = self.threads;
        let (id, func) = first;
        let _ = jobs.send((self.submitted, id, func));
        self.submitted += 1;
        self.jobs = Some(jobs);
    }

    /// Moves finished functions from the workers into `ready`; with `all`,
    /// waits until every submitted function is there.
    fn collect(&mut self, all: bool) {
        loop {
            let pending = self.submitted - self.returned - self.ready.len();
            if pending == 0 {
                return;
            }
            let next = if all {
                self.results.recv().ok()
            } else {
                self.results.try_recv().ok()
            };
            let Some((index, done, times)) = next else {
                return;
            };
            self.times.add(&times);
            self.ready.insert(index, done);
        }
    }

    /// Takes the finished functions that are next in order out of `ready`.
    fn in_order(&mut self) -> Vec<Result<Compiled, String>> {
        let mut out = Vec::new();
        while let Some(done) = self.ready.remove(&self.returned) {
            out.push(done);
            self.returned += 1;
        }
        out
    }

    /// Compiles on the calling thread.
    fn compile_here(&mut self, id: FuncId, func: Function) -> Result<Compiled, String> {
        let done = compile(&mut self.ctx, self.isa, self.keep, id, func);
        self.times.add(&timing::take_pass_times());
        done
    }
}

/// A worker: compiles queued functions until the queue closes.
fn worker(isa: &dyn TargetIsa, keep: Keep, queue: &Queue, results: Sender<Done>) {
    timing::install();
    let mut ctx = Context::new();
    loop {
        // The lock is held only while waiting for the next job.
        let job = match queue.lock() {
            Ok(queue) => queue.as_ref().and_then(|q| q.recv().ok()),
            Err(_) => None,
        };
        let Some((index, id, func)) = job else { return };
        let done = compile(&mut ctx, isa, keep, id, func);
        if results
            .send((index, done, timing::take_pass_times()))
            .is_err()
        {
            return;
        }
    }
}

/// Compiles `func` (the body of `id`) in `ctx`, which is left cleared. A
/// panic in Cranelift becomes an error here, so a worker never dies with a
/// function unaccounted for.
fn compile(
    ctx: &mut Context,
    isa: &dyn TargetIsa,
    keep: Keep,
    id: FuncId,
    func: Function,
) -> Result<Compiled, String> {
    let run = std::panic::AssertUnwindSafe(|| compile_unguarded(ctx, isa, keep, id, func));
    std::panic::catch_unwind(run).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(format!("Cranelift failed on the program: {what}"))
    })
}

fn compile_unguarded(
    ctx: &mut Context,
    isa: &dyn TargetIsa,
    keep: Keep,
    id: FuncId,
    func: Function,
) -> Result<Compiled, String> {
    ctx.clear();
    ctx.func = func;
    let clif_before = keep.clif.then(|| ctx.func.display().to_string());
    ctx.set_disasm(keep.vcode);
    if let Err(e) = ctx.compile(isa, &mut ControlPlane::default()) {
        let message = format!("Cranelift could not compile the program: {:?}", e.inner);
        ctx.clear();
        return Err(message);
    }
    let Some(compiled) = ctx.compiled_code() else {
        return Err("Cranelift compiled nothing".to_string());
    };
    let buffer = &compiled.buffer;
    let srclocs = match keep.srclocs {
        true => buffer
            .get_srclocs_sorted()
            .iter()
            .map(|s| (s.start, s.end, (!s.loc.is_default()).then(|| s.loc.bits())))
            .collect(),
        false => Vec::new(),
    };
    let out = Compiled {
        id,
        alignment: buffer.alignment as u64,
        bytes: compiled.code_buffer().to_vec(),
        relocs: buffer
            .relocs()
            .iter()
            .map(|r| ModuleReloc::from_mach_reloc(r, &ctx.func, id))
            .collect(),
        srclocs,
        vcode: compiled.vcode.clone(),
        clif_before,
        clif_after: keep.clif.then(|| ctx.func.display().to_string()),
    };
    ctx.clear();
    Ok(out)
}
