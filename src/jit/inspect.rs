//! What the JIT makes of a program, for `bfjit inspect`: the CLIF of every
//! generated function before and after Cranelift's optimizer, and the machine
//! code with its source locations and relocations. Nothing here runs code.
//!
//! It follows the steps of [`super::compile`], the functions compiled on
//! the same threads (`pool.rs`), but keeps the CLIF text and source
//! locations the compile produced, and defines nothing in the module, so
//! no code memory is allocated.

use super::config::{CodeConfig, JitMode};
use super::module::Jit;
use super::pool::{default_threads, Compiled, Keep, Pool, Queue};
use super::translate::{translate, Tables};
use cranelift_codegen::ir::{Function, UserFuncName};
use cranelift_module::{FuncId, Module, ModuleRelocTarget};
use ir_passes::ir::Program;
use std::sync::{Arc, Mutex};

/// What to capture (CLIF text is large, so only the views that show it ask).
#[derive(Clone, Copy, Debug, Default)]
pub struct Capture {
    /// The CLIF text before and after Cranelift's optimizer.
    pub clif: bool,
    /// Cranelift's own listing of the lowered code (VCode, with registers).
    pub vcode: bool,
}

/// One generated function.
#[derive(Clone, Debug, Default)]
pub struct FunctionCode {
    /// Its name as CLIF writes references to it: `u0:N`, N its id in the
    /// module (the shims take the first ids).
    pub name: String,
    /// The CLIF as translated, before Cranelift's own passes (if captured).
    pub clif_before: Option<String>,
    /// The CLIF after Cranelift's passes before lowering (no egraph at
    /// either tier: unreachable blocks removed, constant phis folded),
    /// which is what was lowered to machine code (if captured).
    pub clif_after: Option<String>,
    /// Cranelift's VCode listing (if captured).
    pub vcode: Option<String>,
    /// The machine code, unrelocated: calls to the shims hold placeholder
    /// addresses, listed in `relocs`.
    pub code: Vec<u8>,
    /// `(start, end, source byte)` code ranges, sorted; `None` where the
    /// translator set no source location.
    pub srclocs: Vec<(u32, u32, Option<u32>)>,
    /// `(code offset, symbol)` of every relocation.
    pub relocs: Vec<(u32, String)>,
}

/// Translates and compiles `program` as the tier `mode` would, returning
/// every generated function in the order they were compiled (the entry
/// function first).
pub fn inspect(
    program: &Program,
    mode: JitMode,
    config: CodeConfig,
    capture: Capture,
) -> Result<Vec<FunctionCode>, String> {
    let mut jit = Jit::new(mode, program.cell, ir_passes::ir::count_ops(&program.body))?;
    let entry = jit.declare()?;
    let mut tables = Tables::new(program, entry, config);
    let keep = Keep {
        clif: capture.clif,
        vcode: capture.vcode,
        srclocs: true,
    };
    let isa = Arc::clone(&jit.isa);
    let queue: Queue = Mutex::new(None);
    let mut compiled = Vec::new();
    std::thread::scope(|scope| {
        let mut pool = Pool::new(scope, &*isa, default_threads(), keep, &queue);
        while let Some(unit) = tables.pending.pop() {
            translate(&mut jit, mode, program, &unit, &mut tables);
            // Name the function as calls to it are named, so the listings agree.
            jit.ctx.func.name = UserFuncName::user(0, unit.id.as_u32());
            let func = std::mem::replace(&mut jit.ctx.func, Function::new());
            compiled.extend(pool.submit(unit.id, func));
        }
        compiled.extend(pool.finish().0);
    });
    let out = compiled
        .into_iter()
        .map(|c| c.map(|c| function_code(&jit, c)))
        .collect();
    let Jit { module, .. } = jit;
    // SAFETY: the only code defined in the module is the preserving stubs
    // (`Jit::new`); the module was never finalized, so no pointer to any of
    // its code exists, and none of it has run or will run.
    unsafe { module.free_memory() };
    out
}

/// What inspect shows of a compiled function.
fn function_code(jit: &Jit, c: Compiled) -> FunctionCode {
    let relocs = c
        .relocs
        .iter()
        .map(|r| (r.offset, reloc_name(jit, &r.name)))
        .collect();
    FunctionCode {
        name: function_name(jit, c.id),
        clif_before: c.clif_before,
        clif_after: c.clif_after,
        vcode: c.vcode,
        code: c.bytes,
        srclocs: c.srclocs,
        relocs,
    }
}

/// The symbol a relocation refers to: a shim's name, or another generated
/// function's.
fn reloc_name(jit: &Jit, target: &ModuleRelocTarget) -> String {
    match target {
        ModuleRelocTarget::User { index, .. } => function_name(jit, FuncId::from_u32(*index)),
        ModuleRelocTarget::FunctionOffset(_, offset) => format!("+{offset:#x}"),
        other => other.to_string(),
    }
}

/// A shim's symbol, or `u0:N` for a generated (anonymous) function.
fn function_name(jit: &Jit, id: FuncId) -> String {
    match &jit.module.declarations().get_function_decl(id).name {
        Some(name) => name.clone(),
        None => format!("u0:{}", id.as_u32()),
    }
}
