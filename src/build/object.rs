//! The program as an object file: the opt tier's translation into a
//! cranelift-object `ObjectModule`, the top level exported as
//! [`ENTRY`], and the data the C runtime reads (`src/runtime/c/exe.c`,
//! layout in `src/runtime/layout.rs`).

use super::info::{eof_code, BuildInfo};
use crate::harness::Target;
use crate::jit::module::{host_isa, Jit, Pic};
use crate::jit::{default_threads, define_program, CodeConfig, JitMode, Limits};
use crate::runtime::layout;
use cranelift_module::{default_libcall_names, DataDescription, Linkage, Module};
use cranelift_object::{ObjectBuilder, ObjectModule};
use ir_passes::ir::Program;

/// The program's top level, called by the runtime's `main`.
pub const ENTRY: &str = "bfjit_program";

/// The program compiled for `target` (its tape size and EOF rule; the
/// cell width is the program's), as the bytes of an ELF object file.
/// Executables run without limits: there is no `--timeout` to enforce.
pub fn object(program: &Program, target: &Target, info: &BuildInfo) -> Result<Vec<u8>, String> {
    object_on(program, target, info, default_threads())
}

/// [`object`], Cranelift's work on up to `threads` threads: the bytes are
/// the same for any number.
pub fn object_on(
    program: &Program,
    target: &Target,
    info: &BuildInfo,
    threads: usize,
) -> Result<Vec<u8>, String> {
    let ops = ir_passes::ir::count_ops(&program.body);
    let isa = host_isa(JitMode::Opt, ops, Pic::Yes)?;
    let builder = ObjectBuilder::new(isa.clone(), program.source.name(), default_libcall_names())
        .map_err(|e| format!("cannot set up the object file: {e}"))?;
    let mut jit = Jit::with_module(ObjectModule::new(builder), isa)?;
    let entry = jit.declare_exported(ENTRY)?;
    let config = CodeConfig {
        limits: Limits::Unlimited,
        tape_size: target.tape_size,
    };
    let defined = define_program(&mut jit, JitMode::Opt, program, entry, config, threads)?;
    let module = &mut jit.module;
    let source = program.source.text();
    let mut words = [0u64; layout::CONFIG_WORDS];
    words[layout::CONFIG_TAPE_SIZE] = target.tape_size as u64;
    words[layout::CONFIG_CELL_BYTES] = program.cell.bytes() as u64;
    words[layout::CONFIG_EOF] = eof_code(target.eof);
    words[layout::CONFIG_SOURCE_LEN] = source.len() as u64;
    words[layout::CONFIG_SPANS] = defined.spans.len() as u64;
    let words: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let spans: Vec<u8> = defined
        .spans
        .iter()
        .flat_map(|s| [s.start, s.end])
        .flat_map(u32::to_le_bytes)
        .collect();
    define_data(module, "bfjit_config", words)?;
    define_data(module, "bfjit_spans", spans)?;
    define_data(module, "bfjit_source", source.to_vec())?;
    define_data(module, "bfjit_name", c_string(program.source.name()))?;
    define_data(module, "bfjit_info", c_string(&info.text()))?;
    let product = jit.module.finish();
    product
        .emit()
        .map_err(|e| format!("cannot write the object file: {e}"))
}

/// `text` as a NUL-terminated C string (a NUL inside would end it early;
/// file names and the info text have none).
fn c_string(text: &str) -> Vec<u8> {
    let mut bytes: Vec<u8> = text.bytes().filter(|&b| b != 0).collect();
    bytes.push(0);
    bytes
}

/// Defines read-only data `name` holding `bytes`, 8-byte aligned.
fn define_data(module: &mut ObjectModule, name: &str, mut bytes: Vec<u8>) -> Result<(), String> {
    // A zero-sized object (no spans) would still need an address.
    if bytes.is_empty() {
        bytes.push(0);
    }
    let id = module
        .declare_data(name, Linkage::Export, false, false)
        .map_err(|e| e.to_string())?;
    let mut data = DataDescription::new();
    data.define(bytes.into_boxed_slice());
    data.set_align(8);
    module.define_data(id, &data).map_err(|e| e.to_string())
}
