//! What the JIT makes of a program, for `bfjit inspect`: the CLIF of every
//! generated function before and after Cranelift's optimizer, and the machine
//! code with its source locations and relocations. Nothing here runs code.
//!
//! It follows the steps of [`super::compile`] but calls `Context::compile`
//! itself instead of `Jit::define`, so the context still holds the optimized
//! function and the compiled bytes when we read them, and no code memory is
//! allocated.

use super::config::{CodeConfig, JitMode};
use super::module::Jit;
use super::translate::{translate, Tables};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{ExternalName, UserFuncName};
use cranelift_codegen::FinalizedRelocTarget;
use cranelift_module::{FuncId, Module};
use ir_passes::ir::Program;

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
    /// The CLIF after Cranelift's optimizer (egraph, at the opt tier), which
    /// is what was lowered to machine code (if captured).
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
    let mut out = Vec::new();
    let mut failure = None;
    while let Some(unit) = tables.pending.pop() {
        translate(&mut jit, mode, program, &unit, &mut tables);
        // Name the function as calls to it are named, so the listings agree.
        jit.ctx.func.name = UserFuncName::user(0, unit.id.as_u32());
        match compile_one(&mut jit, unit.id, capture) {
            Ok(f) => out.push(f),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let Jit { module, .. } = jit;
    // SAFETY: the only code defined in the module is the preserving stubs
    // (`Jit::new`); the module was never finalized, so no pointer to any of
    // its code exists, and none of it has run or will run.
    unsafe { module.free_memory() };
    match failure {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Compiles the function in `jit.ctx` and records what `capture` asks for.
fn compile_one(jit: &mut Jit, id: FuncId, capture: Capture) -> Result<FunctionCode, String> {
    let name = function_name(jit, id);
    let clif_before = capture.clif.then(|| jit.ctx.func.display().to_string());
    jit.ctx.set_disasm(capture.vcode);
    let result = jit
        .ctx
        .compile(jit.module.isa(), &mut ControlPlane::default())
        .map(|_| ())
        .map_err(|e| format!("Cranelift could not compile the program: {:?}", e.inner));
    if let Err(e) = result {
        jit.module.clear_context(&mut jit.ctx);
        return Err(e);
    }
    let compiled = jit
        .ctx
        .compiled_code()
        .expect("a successful compile leaves its code in the context");
    let size = compiled.code_info().total_size as usize;
    let code = compiled.code_buffer()[..size.min(compiled.code_buffer().len())].to_vec();
    let srclocs = compiled
        .buffer
        .get_srclocs_sorted()
        .iter()
        .map(|s| (s.start, s.end, (!s.loc.is_default()).then(|| s.loc.bits())))
        .collect();
    let relocs = compiled
        .buffer
        .relocs()
        .iter()
        .map(|r| (r.offset, reloc_name(jit, &r.target)))
        .collect();
    let f = FunctionCode {
        name,
        clif_before,
        clif_after: capture.clif.then(|| jit.ctx.func.display().to_string()),
        vcode: compiled.vcode.clone(),
        code,
        srclocs,
        relocs,
    };
    jit.module.clear_context(&mut jit.ctx);
    Ok(f)
}

/// The symbol a relocation refers to: a shim's name, or another generated
/// function's.
fn reloc_name(jit: &Jit, target: &FinalizedRelocTarget) -> String {
    match target {
        FinalizedRelocTarget::ExternalName(ExternalName::User(r)) => {
            let user = &jit.ctx.func.params.user_named_funcs()[*r];
            function_name(jit, FuncId::from_u32(user.index))
        }
        FinalizedRelocTarget::ExternalName(other) => other.display(None).to_string(),
        FinalizedRelocTarget::Func(offset) => format!("+{offset:#x}"),
    }
}

/// A shim's symbol, or `u0:N` for a generated (anonymous) function.
fn function_name(jit: &Jit, id: FuncId) -> String {
    match &jit.module.declarations().get_function_decl(id).name {
        Some(name) => name.clone(),
        None => format!("u0:{}", id.as_u32()),
    }
}
