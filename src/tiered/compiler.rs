//! Compiling one loop as a fragment, and the background thread that does it.
//!
//! A fragment is the loop's node of the interpreted (-O1) program with
//! [`Entry::Loop`](ir_passes::ir::Entry): the selected pipeline (-O2 by
//! default) runs over just that loop, assuming nothing about the tape where
//! it is entered, and the opt tier's code generator compiles it with the
//! same guards and exact fallbacks as a whole program. The code takes the
//! pointer at the loop test and returns it at the loop's exit.
//!
//! Each fragment gets its own `JITModule` (inside its [`JitCode`]), finalized
//! once before any of its code runs, on pages of its own: no page that
//! running code uses ever changes protection (see TIERING-NOTES.md), and
//! dropping the code frees exactly its memory. The thread owns nothing the
//! interpreter runs: it sends each finished [`JitCode`] over a channel.

use super::log::{event, TierLog};
use super::sites::{locate, Site};
use super::Fault;
use crate::jit::{self, CodeConfig, JitCode, JitMode};
use ir_passes::ir::Program;
use ir_passes::pipeline::Pipeline;
use ir_passes::print::source_excerpt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

// The compile thread moves finished code (and with it a JITModule) to the
// interpreter's thread: both must stay `Send`.
const _: () = {
    const fn send<T: Send>() {}
    send::<cranelift_jit::JITModule>();
    send::<JitCode>();
    send::<Job>();
};

/// Stack of the compile thread: the passes recurse over loop nesting, as on
/// the CLI's main thread (a virtual reservation).
const STACK_BYTES: usize = 1 << 30;

/// Everything a compile needs, shared by the interpreter and the thread.
pub struct Job {
    /// The interpreted program, whose loops are cut out as fragments.
    pub program: Arc<Program>,
    /// Its loops by slot.
    pub sites: Vec<Site>,
    /// The passes fragments get.
    pub pipeline: Pipeline,
    /// What the code is specialized for (the run's tape size and limits).
    pub config: CodeConfig,
    /// A failure injected for tests.
    pub fault: Option<Fault>,
    /// Where events go.
    pub log: Option<Arc<TierLog>>,
    /// Whether the interpreted program is a large one that starts without
    /// the cheap passes ([`super::LARGE_PROGRAM_OPS`]): then many small
    /// loops are ones those passes would have made single ops, and they
    /// need more heat before they are compiled (see `hooks.rs`).
    pub raw: bool,
}

/// A finished compile.
pub struct Done {
    /// The loop.
    pub slot: u32,
    /// The code, or why there is none.
    pub code: Result<JitCode, String>,
}

impl Job {
    /// Where loop `slot` is, and a short excerpt of its source, for the log.
    pub fn describe(&self, slot: u32) -> String {
        let span = self.sites[slot as usize].span;
        let source = &self.program.source;
        format!(
            "#{slot} at {} \"{}\"",
            source.line_col(span.start),
            source_excerpt(source.slice(span))
        )
    }

    /// Whether loop `outer` encloses loop `inner` (a different loop).
    pub fn encloses(&self, outer: u32, inner: u32) -> bool {
        let mut at = self.sites[inner as usize].parent;
        while let Some(p) = at {
            if p == outer {
                return true;
            }
            at = self.sites[p as usize].parent;
        }
        false
    }

    /// Compiles loop `slot` as a fragment. A panic anywhere in the passes or
    /// Cranelift is caught and becomes an error: the loop then stays in the
    /// interpreter.
    pub fn compile(&self, slot: u32) -> Done {
        let start = Instant::now();
        let cpu_start = thread_cpu_ms();
        let code = match catch_unwind(AssertUnwindSafe(|| self.compile_fragment(slot))) {
            Ok(r) => r,
            Err(panic) => Err(format!("the compiler panicked: {}", panic_message(&panic))),
        };
        let ms = start.elapsed().as_secs_f64() * 1e3;
        let cpu = thread_cpu_ms() - cpu_start;
        match &code {
            Ok(c) => event!(
                &self.log,
                "compiled #{slot} in {ms:.2} ms ({cpu:.2} ms CPU): {} function(s), {} bytes of code",
                c.function_count(),
                c.code_size()
            ),
            Err(e) => event!(
                &self.log,
                "compile of #{slot} FAILED after {ms:.2} ms ({e}); it stays in the interpreter"
            ),
        }
        Done { slot, code }
    }

    fn compile_fragment(&self, slot: u32) -> Result<JitCode, String> {
        match self.fault {
            Some(Fault::Fail) => return Err("compile failed on purpose (test hook)".into()),
            Some(Fault::Panic) => panic!("compile panicked on purpose (test hook)"),
            Some(Fault::Stall) | None => {}
        }
        let span = self.sites[slot as usize].span;
        let node = locate(&self.program, span)
            .ok_or_else(|| format!("no loop of the program has the span of #{slot}"))?;
        let fragment = self.program.fragment(node);
        let optimized = self.pipeline.run(fragment, false).program;
        jit::compile(&optimized, JitMode::Opt, self.config)
    }
}

/// CPU time of the calling thread in milliseconds: a compile's own cost,
/// which on a loaded machine is much less than its wall time.
fn thread_cpu_ms() -> f64 {
    // SAFETY: `ts` is a plain struct the kernel fills in.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: plain system call with a valid pointer.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

/// The background compile thread, as the interpreter sees it: requests go
/// in, finished code comes out. Pending requests wait in a queue the thread
/// takes the *hottest* one from (by the loops' heat as it is now, which the
/// interpreter keeps in [`Heat`]), so the loop holding a program's work is
/// compiled before the many small loops inside it that got hot first;
/// except that a pending loop inside it holding at least half its heat goes
/// first (it does most of that work too, is entered sooner, at its next
/// iteration, and compiles faster). A request whose enclosing loop already
/// has code is skipped (that code runs it).
///
/// Dropping the worker closes the queue; the thread then ends after the
/// compile it is doing (if any), and its result is dropped unsent. Nobody
/// waits for it: a run that ends while a compile is in flight returns at
/// once (a process exits without it).
pub struct Worker {
    shared: Arc<Shared>,
    results: Receiver<Done>,
}

/// Per slot, the loop's heat: written by the interpreter's thread only
/// (so plain loads and stores, no read-modify-write), read by the compile
/// thread when it picks its next request.
pub struct Heat(Vec<AtomicU64>);

impl Heat {
    /// All zero, for `loops` loops.
    pub fn new(loops: usize) -> Heat {
        Heat((0..loops).map(|_| AtomicU64::new(0)).collect())
    }

    /// Loop `slot`'s heat.
    pub fn get(&self, slot: u32) -> u64 {
        self.0[slot as usize].load(Ordering::Relaxed)
    }

    /// Adds to loop `slot`'s heat (from the interpreter's thread only).
    pub fn add(&self, slot: u32, work: u64) {
        let h = &self.0[slot as usize];
        h.store(
            h.load(Ordering::Relaxed).saturating_add(work),
            Ordering::Relaxed,
        );
    }
}

/// What the interpreter and the thread share.
struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
    /// Per slot: whether the interpreter holds code for the loop.
    ready: Vec<AtomicBool>,
    heat: Arc<Heat>,
}

struct Queue {
    /// The slots of the requests not taken yet.
    pending: Vec<u32>,
    closed: bool,
}

impl Worker {
    /// Starts the thread.
    pub fn spawn(job: Arc<Job>, heat: Arc<Heat>) -> Result<Worker, String> {
        let (outbox, results) = channel::<Done>();
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                pending: Vec::new(),
                closed: false,
            }),
            wake: Condvar::new(),
            ready: job.sites.iter().map(|_| AtomicBool::new(false)).collect(),
            heat,
        });
        let theirs = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("bfjit-compile".into())
            .stack_size(STACK_BYTES)
            .spawn(move || {
                while let Some(slot) = theirs.next(&job) {
                    if job.fault == Some(Fault::Stall) {
                        // A compile that never finishes (test hook): the
                        // run must end without it.
                        loop {
                            std::thread::park();
                        }
                    }
                    let done = match theirs.covered(&job, slot) {
                        Some(outer) => {
                            event!(
                                &job.log,
                                "skipped #{slot}: the loop around it (#{outer}) has code"
                            );
                            Done {
                                slot,
                                code: Err(SKIPPED.into()),
                            }
                        }
                        None => job.compile(slot),
                    };
                    if outbox.send(done).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| format!("cannot start the compile thread: {e}"))?;
        Ok(Worker { shared, results })
    }

    /// Asks for loop `slot`; false if the thread is gone.
    pub fn request(&self, slot: u32) -> bool {
        let Ok(mut q) = self.shared.queue.lock() else {
            return false;
        };
        q.pending.push(slot);
        self.shared.wake.notify_one();
        true
    }

    /// Takes back the request for `slot` if the thread has not started it
    /// (the caller then compiles it itself); false if it has.
    pub fn take_back(&self, slot: u32) -> bool {
        let Ok(mut q) = self.shared.queue.lock() else {
            return false;
        };
        match q.pending.iter().position(|&s| s == slot) {
            Some(i) => {
                q.pending.swap_remove(i);
                true
            }
            None => false,
        }
    }

    /// Tells the thread that the interpreter now holds code for `slot`.
    pub fn mark_ready(&self, slot: u32) {
        self.shared.ready[slot as usize].store(true, Ordering::Relaxed);
    }

    /// A finished compile, if one is waiting.
    pub fn poll(&self) -> Option<Done> {
        self.results.try_recv().ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Ok(mut q) = self.shared.queue.lock() {
            q.closed = true;
            q.pending.clear();
        }
        self.shared.wake.notify_all();
    }
}

/// Why a request was not compiled: code of an enclosing loop runs it.
pub const SKIPPED: &str = "skipped: the loop around it has code";

impl Shared {
    /// The next request to compile (see [`Worker`] for which), waiting for
    /// one; `None` once the queue is closed.
    fn next(&self, job: &Job) -> Option<u32> {
        let mut q = self.queue.lock().ok()?;
        loop {
            if q.closed {
                return None;
            }
            if !q.pending.is_empty() {
                let at = self.pick(job, &q.pending);
                return Some(q.pending.swap_remove(at));
            }
            q = self.wake.wait(q).ok()?;
        }
    }

    /// The index in `pending` of the request to compile next.
    fn pick(&self, job: &Job, pending: &[u32]) -> usize {
        let heat = |i: usize| self.heat.get(pending[i]);
        let mut best = (0..pending.len()).max_by_key(|&i| heat(i)).unwrap_or(0);
        // Down to a pending loop inside it that holds half its heat or more
        // (as deep as such loops go).
        loop {
            let inside = (0..pending.len())
                .filter(|&i| heat(i) * 2 >= heat(best) && job.encloses(pending[best], pending[i]))
                .max_by_key(|&i| heat(i));
            match inside {
                Some(i) => best = i,
                None => return best,
            }
        }
    }

    /// An enclosing loop of `slot` whose code the interpreter holds.
    fn covered(&self, job: &Job, slot: u32) -> Option<u32> {
        let mut at = job.sites[slot as usize].parent;
        while let Some(p) = at {
            if self.ready[p as usize].load(Ordering::Relaxed) {
                return Some(p);
            }
            at = job.sites[p as usize].parent;
        }
        None
    }
}
