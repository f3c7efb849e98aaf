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
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
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

    /// Compiles loop `slot` as a fragment. A panic anywhere in the passes or
    /// Cranelift is caught and becomes an error: the loop then stays in the
    /// interpreter.
    pub fn compile(&self, slot: u32) -> Done {
        let start = Instant::now();
        let code = match catch_unwind(AssertUnwindSafe(|| self.compile_fragment(slot))) {
            Ok(r) => r,
            Err(panic) => Err(format!("the compiler panicked: {}", panic_message(&panic))),
        };
        let ms = start.elapsed().as_secs_f64() * 1e3;
        match &code {
            Ok(c) => event!(
                &self.log,
                "compiled #{slot} in {ms:.2} ms: {} function(s), {} bytes of code",
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
        let node = locate(&self.program, &self.sites, slot);
        let fragment = self.program.fragment(node);
        let optimized = self.pipeline.run(fragment, false).program;
        jit::compile(&optimized, JitMode::Opt, self.config)
    }
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
/// in, finished code comes out. Dropping it closes the request channel; the
/// thread then ends after the compile it is doing (if any), and its result
/// is dropped unsent. Nobody waits for it: a run that ends while a compile
/// is in flight returns at once (a process exits without it).
pub struct Worker {
    requests: Sender<u32>,
    results: Receiver<Done>,
}

impl Worker {
    /// Starts the thread.
    pub fn spawn(job: Arc<Job>) -> Result<Worker, String> {
        let (requests, inbox) = channel::<u32>();
        let (outbox, results) = channel::<Done>();
        std::thread::Builder::new()
            .name("bfjit-compile".into())
            .stack_size(STACK_BYTES)
            .spawn(move || {
                for slot in inbox {
                    if job.fault == Some(Fault::Stall) {
                        // A compile that never finishes (test hook): the
                        // run must end without it.
                        loop {
                            std::thread::park();
                        }
                    }
                    if outbox.send(job.compile(slot)).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| format!("cannot start the compile thread: {e}"))?;
        Ok(Worker { requests, results })
    }

    /// Asks for loop `slot`; false if the thread is gone.
    pub fn request(&self, slot: u32) -> bool {
        self.requests.send(slot).is_ok()
    }

    /// A finished compile, if one is waiting.
    pub fn poll(&self) -> Option<Done> {
        self.results.try_recv().ok()
    }
}
