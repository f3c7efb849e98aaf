//! The Cranelift module set-up, for the JIT (a `JITModule`, shims resolved to
//! the Rust ones in `runtime/shims.rs`) and for `bfjit build` (an
//! `ObjectModule`, shims left as imports the C runtime defines): ISA flags per
//! tier, and the declarations every generated function uses. Everything but
//! the choice of module is generic over [`Module`], so both get the same
//! shims, stubs and signature.

use super::config::JitMode;
use crate::runtime::shims::{self, names, Runtime};
use cranelift_codegen::ir::{
    types, AbiParam, FuncRef, Function, InstBuilder, MemFlagsData, Signature,
};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{ArenaMemoryProvider, JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Linkage, Module};
use ir_passes::ir::CellWidth;

/// Programs with more ops than this compile in the simple tier with the
/// single-pass register allocator (see [`Jit::new`]); the largest programs of
/// the benchmark corpus stay well below it.
pub const HUGE_PROGRAM_OPS: usize = 200_000;

/// The shims as generated code calls them, so each generated function can
/// import the ones it calls. The two called only on cold paths (guard
/// fallbacks, budget checks) are *preserving stubs*: small generated
/// functions with Cranelift's `preserve_all` calling convention that call
/// the Rust shim (System V) and store its result in [`Runtime::result`]
/// (`preserve_all` has no return values). A call to a stub clobbers no
/// register, so those calls do not make the register allocator spill the
/// pointer and the context around them and reload them on the hot paths
/// they merge into. The shims hot paths call (`.`, `,`, scans) are called
/// directly: there a call's clobbers are the expected cost, and a stub's
/// saves of every register (vector ones too) cost more — output through a
/// stub ran 3× slower, scans 10% (dbfi, selfint).
#[derive(Clone, Copy)]
pub struct ShimIds {
    /// [`shims::put`]: `(rt, value: i32) -> i32`, the status.
    pub put: FuncId,
    /// [`shims::get`]: `(rt, old: i32) -> i64`, the value or -1.
    pub get: FuncId,
    /// Stub of [`shims::budget`]: `(rt)`, result status (i32).
    pub budget: FuncId,
    /// Stub of [`shims::fallback`]: `(rt, span: i32, ptr: i64)`, result
    /// the new pointer or -1.
    pub fallback: FuncId,
    /// [`shims::scan_u8`]: `(rt, ptr: i64, stride, span, lo, hi: i32) ->
    /// i64`, the new pointer or -1.
    pub scan_u8: FuncId,
}

/// The shims imported into one function, as the call instructions name them.
#[derive(Clone, Copy)]
pub struct ShimRefs {
    /// See [`ShimIds::put`].
    pub put: FuncRef,
    /// See [`ShimIds::get`].
    pub get: FuncRef,
    /// See [`ShimIds::budget`].
    pub budget: FuncRef,
    /// See [`ShimIds::fallback`].
    pub fallback: FuncRef,
    /// See [`ShimIds::scan_u8`].
    pub scan_u8: FuncRef,
}

/// Everything needed to compile one program: the module that receives the
/// code, and the contexts reused from one generated function to the next.
pub struct Jit<M: Module = JITModule> {
    /// Receives the code. A `JITModule` owns the code memory and resolves
    /// the shim symbols, and is handed to [`super::JitCode`] after
    /// finalization, which frees it on drop; an `ObjectModule` becomes an
    /// object file (`crate::build`).
    pub module: M,
    /// The ISA the module compiles for, shared with the threads that
    /// compile functions (`pool.rs`), which cannot borrow the module.
    pub isa: OwnedTargetIsa,
    /// Holds the function being translated, which then moves out to be
    /// compiled.
    pub ctx: Context,
    /// The frontend's reusable scratch space (SSA construction state).
    pub builder_ctx: FunctionBuilderContext,
    /// The shims, declared once.
    pub shims: ShimIds,
    /// The signature every generated function has:
    /// `(rt: *mut Runtime, tape: *mut Cell, ptr: i64) -> i64`: the pointer
    /// as a cell index, in and out; -1 when the run failed (the error is in
    /// the runtime context).
    pub signature: Signature,
}

/// Whether code is position-independent: the JIT needs absolute addresses
/// of the shims; an object file linked into a (PIE) executable needs PIC.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Pic {
    /// Absolute addresses (`JITModule`).
    No,
    /// Position-independent code (object files).
    Yes,
}

/// The host's ISA with the flags of tier `mode`, for a program of `ops` ops
/// (nested ones included).
pub fn host_isa(mode: JitMode, ops: usize, pic: Pic) -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    // Both tiers compile without Cranelift's optimizer (the egraph: a
    // quarter of the opt tier's compile). The IR passes and the
    // translator already do what it did for our code (constants folded,
    // known cells not reloaded, addresses at a displacement), and what it
    // added by moving code (a scan's exit pointer computed on the exit
    // edge) the translator now writes there itself. Measured (callgrind,
    // 0.135.8, one thread) with `speed` → `none`: mandelbrot's compile
    // 197.6 → 150.0 M instructions, hanoi's 246.4 → 208.6 M; run time on
    // the opt tier mandelbrot 6,219 → 6,181 M, factor 2,008 → 1,914 M,
    // dbfi 6,505 → 6,499 M. (Before the scan's exit pointer moved, `none`
    // ran mandelbrot 5% and dbfi 6% longer.) The single-pass allocator is
    // no cheaper here: it made mandelbrot's compile 4% more expensive.
    let opt_level = "none";
    // Register allocation is most of the simple tier's compile time;
    // past a size where compiling costs seconds, the single-pass
    // allocator's quick compile matters more than its code.
    let regalloc = match mode {
        JitMode::Simple if ops > HUGE_PROGRAM_OPS => "single_pass",
        _ => "backtracking",
    };
    let verifier = if cfg!(debug_assertions) {
        "true"
    } else {
        "false"
    };
    let is_pic = match pic {
        Pic::No => "false",
        Pic::Yes => "true",
    };
    for (name, value) in [
        ("opt_level", opt_level),
        ("regalloc_algorithm", regalloc),
        ("enable_verifier", verifier),
        // cranelift-jit requires non-PIC code and far calls to the shims.
        ("is_pic", is_pic),
        ("use_colocated_libcalls", "false"),
    ] {
        flags.set(name, value).map_err(|e| format!("{name}: {e}"))?;
    }
    cranelift_native::builder()
        .map_err(|e| format!("this host is not supported by Cranelift: {e}"))?
        .finish(settings::Flags::new(flags))
        .map_err(|e| format!("cannot configure Cranelift for this host: {e}"))
}

impl Jit<JITModule> {
    /// A JIT module for the host with the flags of `mode`, for cells of
    /// `cell`, for a program of `ops` ops (nested ones included).
    pub fn new(mode: JitMode, cell: CellWidth, ops: usize) -> Result<Jit, String> {
        let isa = host_isa(mode, ops, Pic::No)?;
        let mut builder = JITBuilder::with_isa(isa.clone(), default_libcall_names());
        let symbols = match cell {
            CellWidth::U8 => shims::symbols::<u8>(),
            CellWidth::U16 => shims::symbols::<u16>(),
            CellWidth::U32 => shims::symbols::<u32>(),
        };
        builder.symbols(symbols);
        // One contiguous reservation per module (virtual until used): the
        // code refers to its constants and its other functions with 32-bit
        // PC-relative offsets, which the default provider's separate
        // mappings can put out of reach once many modules have come and
        // gone (the auto tier makes one per compiled loop; a bench process
        // then panicked in a relocation of the next opt compile).
        let reserve = ops.saturating_mul(128).clamp(16 << 20, 3 << 29);
        let arena = ArenaMemoryProvider::new_with_size(reserve)
            .map_err(|e| format!("cannot reserve memory for the code: {e}"))?;
        builder.memory_provider(Box::new(arena));
        Jit::with_module(JITModule::new(builder), isa)
    }
}

impl<M: Module> Jit<M> {
    /// Declares the shims and their stubs in `module`, which compiles for
    /// `isa`.
    pub fn with_module(mut module: M, isa: OwnedTargetIsa) -> Result<Jit<M>, String> {
        let shims = declare_shims(&mut module)?;
        let shims = preserving_stubs(&mut module, shims)?;
        let ptr = module.target_config().pointer_type();
        let mut signature = module.make_signature();
        signature
            .params
            .extend([ptr, ptr, types::I64].map(AbiParam::new));
        signature.returns.push(AbiParam::new(types::I64));
        Ok(Jit {
            isa,
            ctx: module.make_context(),
            builder_ctx: FunctionBuilderContext::new(),
            module,
            shims,
            signature,
        })
    }

    /// Declares a generated function exported as `name` (an executable's
    /// entry point).
    pub fn declare_exported(&mut self, name: &str) -> Result<FuncId, String> {
        self.module
            .declare_function(name, Linkage::Export, &self.signature)
            .map_err(|e| e.to_string())
    }

    /// Declares a generated function (its body comes later).
    pub fn declare(&mut self) -> Result<FuncId, String> {
        self.module
            .declare_anonymous_function(&self.signature)
            .map_err(|e| e.to_string())
    }
}

/// Imports the shims into a function.
pub fn import_shims(module: &mut dyn Module, ids: &ShimIds, func: &mut Function) -> ShimRefs {
    ShimRefs {
        put: module.declare_func_in_func(ids.put, func),
        get: module.declare_func_in_func(ids.get, func),
        budget: module.declare_func_in_func(ids.budget, func),
        fallback: module.declare_func_in_func(ids.fallback, func),
        scan_u8: module.declare_func_in_func(ids.scan_u8, func),
    }
}

/// The preserving stubs of the cold-path shims (see [`ShimIds`]), defined
/// in `module`; the other shims as they are.
fn preserving_stubs<M: Module>(module: &mut M, shims: ShimIds) -> Result<ShimIds, String> {
    let mut ctx = module.make_context();
    let mut builder_ctx = FunctionBuilderContext::new();
    let mut stub = |shim: FuncId| -> Result<FuncId, String> {
        let decl = module.declarations().get_function_decl(shim);
        let name = format!("{}.preserving", decl.name.as_deref().unwrap_or("shim"));
        let mut sig = decl.signature.clone();
        let ret = sig.returns.pop().map(|r| r.value_type);
        sig.call_conv = CallConv::PreserveAll;
        let id = module
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        ctx.func.signature = sig;
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut builder_ctx);
        let callee = module.declare_func_in_func(shim, b.func);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let args = b.block_params(entry).to_vec();
        let call = b.ins().call(callee, &args);
        if let Some(ty) = ret {
            let r = b.inst_results(call)[0];
            let r = if ty == types::I64 {
                r
            } else {
                b.ins().sextend(types::I64, r)
            };
            b.ins()
                .store(MemFlagsData::trusted(), r, args[0], Runtime::RESULT_OFFSET);
        }
        b.ins().return_(&[]);
        b.finalize(module.target_config());
        let defined = module.define_function(id, &mut ctx);
        module.clear_context(&mut ctx);
        defined.map_err(|e| format!("Cranelift could not compile a shim stub: {e:?}"))?;
        Ok(id)
    };
    Ok(ShimIds {
        budget: stub(shims.budget)?,
        fallback: stub(shims.fallback)?,
        ..shims
    })
}

fn declare_shims<M: Module>(module: &mut M) -> Result<ShimIds, String> {
    let ptr = module.target_config().pointer_type();
    let mut declare = |name: &str, params: &[types::Type], ret: types::Type| {
        let mut sig = module.make_signature();
        sig.params.push(AbiParam::new(ptr));
        sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        sig.returns.push(AbiParam::new(ret));
        module
            .declare_function(name, Linkage::Import, &sig)
            .map_err(|e| e.to_string())
    };
    use types::{I32, I64};
    Ok(ShimIds {
        put: declare(names::PUT, &[I32], I32)?,
        get: declare(names::GET, &[I32], I64)?,
        budget: declare(names::BUDGET, &[], I32)?,
        fallback: declare(names::FALLBACK, &[I32, I64], I64)?,
        scan_u8: declare(names::SCAN_U8, &[I64, I32, I32, I32, I32], I64)?,
    })
}

/// The Cranelift type of a cell.
pub fn cell_type(cell: CellWidth) -> types::Type {
    match cell {
        CellWidth::U8 => types::I8,
        CellWidth::U16 => types::I16,
        CellWidth::U32 => types::I32,
    }
}
