//! The Cranelift tiers: [`compile`] turns a program into native code for the
//! host, [`JitCode::run`] calls it with a runtime context.
//!
//! - `config.rs`: what code is translated as ([`JitMode`]) and specialized
//!   for ([`CodeConfig`]).
//! - `module.rs`: the JITModule, flags per tier, shim declarations and their
//!   `preserve_all` stubs.
//! - `translate/`: IR → CLIF, one method per construct, one file per concern
//!   around the translator's cached pointer state (`translate/cursor.rs`).
//! - `shape.rs`: loop shapes (guard hoisting) and the function size limit.
//!
//! The simple tier translates whatever program it gets op by op (it is
//! given the unoptimized IR, so this is a
//! template JIT: a few instructions per source command). The opt tier takes
//! the optimized IR, rotates loops, hoists guards out of loops with a static
//! shape, keeps the cells of innermost such loops in registers, scans with
//! memchr. Both compile with Cranelift's `opt_level=none` (no egraph): the
//! IR passes and the translator already write what it would make of our
//! code (see `module::host_isa`).

mod config;
pub mod inspect;
pub(crate) mod module;
mod pool;
pub(crate) mod shape;
pub mod timing;
mod translate;

use crate::runtime::shims::Runtime;
pub use config::{CodeConfig, JitMode, Limits};
use cranelift_codegen::ir::Function;
use cranelift_jit::JITModule;
use ir_passes::budget::Budget;
use ir_passes::cell::CellType;
use ir_passes::error::RunError;
use ir_passes::io::Io;
use ir_passes::ir::{CellWidth, Program};
use ir_passes::source::Source;
use ir_passes::span::Span;
use module::Jit;
pub use pool::{default_threads, MAX_THREADS, THREADS_VAR};
use pool::{Compiled, Keep, Pool, Queue};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use timing::CodegenTimes;
use translate::{translate, Tables};

/// The type of every generated function; see [`module::Jit::signature`].
type Entry = unsafe extern "C" fn(*mut Runtime<'_, '_>, *mut u8, i64) -> i64;

/// Native code for one program, ready to run.
pub struct JitCode {
    /// Owns the code memory; `None` only during drop. Boxed: the module is
    /// large, and tiers pass `JitCode`s around by value.
    module: Option<Box<JITModule>>,
    /// The program's entry point.
    entry: Entry,
    /// The cell width the code was generated for.
    cell: CellWidth,
    /// What the code is specialized for.
    config: CodeConfig,
    /// The source, for the fallback interpreter.
    source: Arc<Source>,
    /// The source ranges the fallback shim runs, by index.
    spans: Vec<Span>,
    /// The number of generated functions (huge programs are split).
    functions: usize,
    /// Bytes of machine code in those functions.
    code_size: usize,
    /// Where the compile's time went (boxed: a table per Cranelift pass,
    /// and tiers move `JitCode`s by value).
    times: Box<CodegenTimes>,
}

/// Compiles a program to native code, on up to [`default_threads`] threads.
pub fn compile(program: &Program, mode: JitMode, config: CodeConfig) -> Result<JitCode, String> {
    compile_on(program, mode, config, default_threads())
}

/// Compiles a program to native code, Cranelift's work on up to `threads`
/// threads (the calling one included); the code is the same for any number.
pub fn compile_on(
    program: &Program,
    mode: JitMode,
    config: CodeConfig,
    threads: usize,
) -> Result<JitCode, String> {
    let start = Instant::now();
    let mut jit = Jit::new(mode, program.cell, ir_passes::ir::count_ops(&program.body))?;
    // Step 1: declare the entry function; it covers the whole top level.
    let entry = jit.declare()?;
    let setup = start.elapsed();
    // Step 2: translate and compile.
    let defined = define_program(&mut jit, mode, program, entry, config, threads);
    let Defined {
        spans,
        functions,
        code_size,
        times,
    } = match defined {
        Ok(d) => d,
        Err(e) => {
            // SAFETY: the module was never finalized; none of its code ran.
            unsafe { jit.module.free_memory() };
            return Err(e);
        }
    };
    // Step 3: resolve the calls to the shims and make the code executable.
    let Jit { mut module, .. } = jit;
    let finalize = Instant::now();
    if let Err(e) = module.finalize_definitions() {
        // SAFETY: no code of this module has run or will run.
        unsafe { module.free_memory() };
        return Err(format!("cannot finalize the generated code: {e}"));
    }
    let times = Box::new(CodegenTimes {
        setup,
        finalize: finalize.elapsed(),
        wall: start.elapsed(),
        ..times
    });
    let address = module.get_finalized_function(entry);
    // SAFETY: the function was built with exactly the signature `Entry`.
    let entry = unsafe { std::mem::transmute::<*const u8, Entry>(address) };
    Ok(JitCode {
        module: Some(Box::new(module)),
        entry,
        cell: program.cell,
        config,
        source: Arc::clone(&program.source),
        spans,
        functions,
        code_size,
        times,
    })
}

/// What [`define_program`] produced besides the code.
pub(crate) struct Defined {
    /// The source ranges the fallback shim runs, by the index generated
    /// code passes.
    pub spans: Vec<Span>,
    /// The number of generated functions.
    pub functions: usize,
    /// Bytes of machine code of all functions.
    pub code_size: usize,
    /// Translation, Cranelift's passes and definition (the caller adds
    /// set-up and finalization).
    pub times: CodegenTimes,
}

/// Translates `program` and compiles every function of it into `jit`'s
/// module, the top level as the declared function `entry`, Cranelift's
/// work on up to `threads` threads: the one translation the JIT and `bfjit
/// build` share.
pub(crate) fn define_program<M: cranelift_module::Module>(
    jit: &mut Jit<M>,
    mode: JitMode,
    program: &Program,
    entry: cranelift_module::FuncId,
    config: CodeConfig,
    threads: usize,
) -> Result<Defined, String> {
    let mut times = CodegenTimes::default();
    let mut code_size = 0;
    let mut define = |jit: &mut Jit<M>, done: Result<Compiled, String>| {
        let c = done?;
        let start = Instant::now();
        jit.module
            .define_function_bytes(c.id, c.alignment, &c.bytes, &c.relocs)
            .map_err(|e| format!("Cranelift could not define a function: {e}"))?;
        times.define += start.elapsed();
        code_size += c.bytes.len();
        Ok::<(), String>(())
    };
    let isa = Arc::clone(&jit.isa);
    let queue: Queue = Mutex::new(None);
    let mut tables = Tables::new(program, entry, config);
    let (mut translating, mut functions) = (std::time::Duration::ZERO, 0);
    let (passes, threads) = std::thread::scope(|scope| {
        let mut pool = Pool::new(scope, &*isa, threads, Keep::default(), &queue);
        // Translate functions until none is pending (huge bodies declare
        // more functions while they are translated); each goes to the pool,
        // which returns finished ones in translation order.
        while let Some(unit) = tables.pending.pop() {
            let start = Instant::now();
            translate(jit, mode, program, &unit, &mut tables);
            let func = std::mem::replace(&mut jit.ctx.func, Function::new());
            translating += start.elapsed();
            functions += 1;
            for done in pool.submit(unit.id, func) {
                define(jit, done)?;
            }
        }
        let (rest, passes, threads) = pool.finish();
        for done in rest {
            define(jit, done)?;
        }
        Ok::<_, String>((passes, threads))
    })?;
    Ok(Defined {
        spans: tables.spans,
        functions,
        code_size,
        times: CodegenTimes {
            translate: translating,
            passes,
            threads,
            ..times
        },
    })
}

impl JitCode {
    /// Runs the code on a tape from pointer `ptr`; returns the final pointer.
    ///
    /// # Panics
    /// If `C` is not the cell width the program was compiled for, the tape
    /// is not as long as it was compiled for, or `ptr` is not on the tape
    /// (all caller bugs, never user input). Code compiled with
    /// [`Limits::Unlimited`] never looks at `budget`: the code is compiled
    /// for a [`crate::harness::Target`], and only a target without bounds
    /// makes such code, so no bounded run reaches it.
    pub fn run<C: CellType>(
        &self,
        tape: &mut [C],
        ptr: usize,
        io: &mut Io<'_>,
        budget: &mut Budget,
    ) -> Result<usize, RunError> {
        self.run_fueled(tape, ptr, io, budget, &mut Budget::interval())
    }

    /// [`JitCode::run`] starting with `fuel` back edges to go before the
    /// next budget check, and leaving the count there at the exit: a caller
    /// that enters code many times for a few iterations each (the auto
    /// tier) carries the countdown over, so budget checks keep their
    /// interval across entries.
    pub fn run_fueled<C: CellType>(
        &self,
        tape: &mut [C],
        ptr: usize,
        io: &mut Io<'_>,
        budget: &mut Budget,
        fuel: &mut u32,
    ) -> Result<usize, RunError> {
        assert_eq!(
            C::WIDTH,
            self.cell,
            "the code was compiled for another cell width"
        );
        assert_eq!(
            tape.len(),
            self.config.tape_size,
            "the code was compiled for another tape size"
        );
        assert!(ptr < tape.len(), "the start pointer is not on the tape");
        let (base, len) = (tape.as_mut_ptr() as *mut u8, tape.len());
        // SAFETY: `base` points to `len` cells of `C`, which we borrow
        // mutably for the whole call and do not touch ourselves.
        let mut rt = unsafe { Runtime::new(base, len, io, budget, &self.source, &self.spans) };
        rt.fuel = (*fuel).clamp(1, Budget::interval());
        // SAFETY: the code was compiled for `len` cells of `C` (checked
        // above) and checks every tape access against that length; `rt`
        // outlives the call.
        let result = unsafe { (self.entry)(&mut rt, base, ptr as i64) };
        // Generated code stores its countdown before it returns (a budget
        // check refills it), so this is the count at the exit.
        *fuel = rt.fuel.clamp(1, Budget::interval());
        match result {
            p if p >= 0 => Ok(p as usize),
            _ => Err(rt.error.take().unwrap_or_else(|| {
                RunError::Io("internal error: generated code failed without a reason".into())
            })),
        }
    }

    /// How many functions the program was split into.
    pub fn function_count(&self) -> usize {
        self.functions
    }

    /// Bytes of machine code generated for the program (the shim stubs
    /// every module has left out).
    pub fn code_size(&self) -> usize {
        self.code_size
    }

    /// Where the compile's time went.
    pub fn times(&self) -> &CodegenTimes {
        &self.times
    }
}

impl Drop for JitCode {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: `run` borrows `self`, so no generated code is running,
            // and the entry pointer dies with `self`.
            unsafe { module.free_memory() };
        }
    }
}
