//! The asm view: the x86-64 machine code of the chosen tier, disassembled
//! (iced-x86, Intel syntax, offsets from the function start), grouped by the
//! IR op and source position each stretch of code came from, as far as the
//! source locations Cranelift carried through to the code allow.

use super::format::entry_mark;
use super::options::Options;
use super::preorder::preorder;
use crate::jit::inspect::{inspect, Capture, FunctionCode};
use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};
use ir_passes::ir::Program;
use ir_passes::print::{op_text, source_excerpt};
use ir_passes::span::LineCol;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write;

/// The asm view.
#[derive(Serialize)]
pub struct AsmView {
    /// The tier the code is for.
    pub tier: &'static str,
    /// Whether the host is x86-64 (the only architecture disassembled).
    pub disassembled: bool,
    /// Every generated function, the entry function first.
    pub functions: Vec<AsmFunction>,
}

/// One generated function.
#[derive(Serialize)]
pub struct AsmFunction {
    /// Cranelift's name for it.
    pub name: String,
    /// Code size in bytes.
    pub bytes: usize,
    /// Machine instructions.
    pub instructions: usize,
    /// Whether Cranelift recorded any source location in it.
    pub has_srclocs: bool,
    /// Runs of instructions from one source position, in code order.
    pub groups: Vec<AsmGroup>,
}

/// Consecutive instructions that came from one source position.
#[derive(Serialize)]
pub struct AsmGroup {
    /// The source position, if the code has one.
    pub at: Option<LineCol>,
    /// The source byte offset it starts at.
    pub byte: Option<u32>,
    /// The IR ops that start at that position.
    pub ops: Vec<String>,
    /// Their BF source (shortened).
    pub source: String,
    /// The instructions.
    pub instructions: Vec<AsmInstruction>,
}

/// One machine instruction.
#[derive(Serialize)]
pub struct AsmInstruction {
    /// Offset from the function start.
    pub offset: u32,
    /// Its bytes, in hex.
    pub bytes: String,
    /// Intel-syntax text.
    pub text: String,
    /// The symbol a relocation inside it refers to (calls to the shims).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reloc: Option<String>,
}

/// Builds the view by translating and compiling (not running) the program.
pub fn build(program: &Program, options: &Options) -> Result<AsmView, String> {
    let functions = inspect(
        program,
        options.jit_mode()?,
        options.code,
        Capture::default(),
    )?;
    let disassembled = cfg!(target_arch = "x86_64");
    let ops = ops_by_position(program);
    let functions = functions
        .iter()
        .map(|f| function(f, program, &ops, disassembled))
        .collect();
    Ok(AsmView {
        tier: options.tier.name(),
        disassembled,
        functions,
    })
}

/// The IR ops by the source byte they start at (where code's source
/// locations point), in listing order.
fn ops_by_position(program: &Program) -> HashMap<u32, Vec<&ir_passes::ir::Node>> {
    let mut map: HashMap<u32, Vec<_>> = HashMap::new();
    for node in preorder(&program.body) {
        map.entry(node.span.start).or_default().push(node);
    }
    map
}

fn function(
    f: &FunctionCode,
    program: &Program,
    ops: &HashMap<u32, Vec<&ir_passes::ir::Node>>,
    disassembled: bool,
) -> AsmFunction {
    let instrs = if disassembled {
        disassemble(&f.code)
    } else {
        // Show raw bytes, 16 a line, where we cannot decode.
        (0..f.code.len())
            .step_by(16)
            .map(|o| {
                (
                    o as u32,
                    f.code[o..(o + 16).min(f.code.len())].len(),
                    "(bytes)".to_string(),
                )
            })
            .collect()
    };
    let mut groups: Vec<AsmGroup> = Vec::new();
    let mut locs = f.srclocs.iter().peekable();
    let mut relocs = f.relocs.clone();
    relocs.sort_unstable();
    let mut relocs = relocs.into_iter().peekable();
    let count = instrs.len();
    for (offset, len, text) in instrs {
        while locs.peek().is_some_and(|l| l.1 <= offset) {
            locs.next();
        }
        let byte = locs.peek().filter(|l| l.0 <= offset).and_then(|l| l.2);
        if !matches!(groups.last(), Some(g) if g.byte == byte) {
            groups.push(group(byte, program, ops));
        }
        let end = offset + len as u32;
        // Relocations sit inside the instruction that uses them.
        while relocs.peek().is_some_and(|(at, _)| *at < offset) {
            relocs.next();
        }
        let reloc = relocs.next_if(|(at, _)| *at < end).map(|(_, name)| name);
        let mut bytes = String::with_capacity(3 * len);
        for b in &f.code[offset as usize..end as usize] {
            if !bytes.is_empty() {
                bytes.push(' ');
            }
            let _ = write!(bytes, "{b:02x}");
        }
        let last = groups
            .last_mut()
            .expect("a group was just pushed if none existed");
        last.instructions.push(AsmInstruction {
            offset,
            bytes,
            text,
            reloc,
        });
    }
    AsmFunction {
        name: f.name.clone(),
        bytes: f.code.len(),
        instructions: count,
        has_srclocs: f.srclocs.iter().any(|l| l.2.is_some()),
        groups,
    }
}

/// An empty group for the code from source byte `byte`.
fn group(
    byte: Option<u32>,
    program: &Program,
    ops: &HashMap<u32, Vec<&ir_passes::ir::Node>>,
) -> AsmGroup {
    let nodes = byte
        .and_then(|b| ops.get(&b))
        .map_or(&[][..], Vec::as_slice);
    let source = nodes
        .first()
        .map(|n| source_excerpt(program.source.slice(n.span)))
        .unwrap_or_default();
    AsmGroup {
        at: byte.map(|b| program.source.line_col(b)),
        byte,
        ops: nodes
            .iter()
            .map(|n| {
                let text = op_text(&n.op, program.cell);
                text.trim_end_matches(" {").to_string()
            })
            .collect(),
        source,
        instructions: Vec::new(),
    }
}

/// `(offset, length, text)` of every instruction.
fn disassemble(code: &[u8]) -> Vec<(u32, usize, String)> {
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    let o = formatter.options_mut();
    o.set_hex_prefix("0x");
    o.set_hex_suffix("");
    o.set_uppercase_hex(false);
    o.set_branch_leading_zeros(false);
    o.set_space_after_operand_separator(true);
    let mut out = Vec::new();
    while decoder.can_decode() {
        let offset = decoder.position() as u32;
        let instr = decoder.decode();
        let mut text = String::new();
        formatter.format(&instr, &mut text);
        out.push((offset, instr.len(), text));
    }
    out
}

impl AsmView {
    /// The view as text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let bytes: usize = self.functions.iter().map(|f| f.bytes).sum();
        let count: usize = self.functions.iter().map(|f| f.instructions).sum();
        let _ = writeln!(
            out,
            "== asm: {} tier, {} function{}, {bytes} bytes, {count} instructions",
            self.tier,
            self.functions.len(),
            if self.functions.len() == 1 { "" } else { "s" },
        );
        if !self.disassembled {
            out.push_str("(this host is not x86-64: raw bytes only)\n");
        }
        for (k, f) in self.functions.iter().enumerate() {
            let _ = writeln!(
                out,
                "-- {}{}: {} bytes, {} instructions",
                f.name,
                entry_mark(k, self.functions.len()),
                f.bytes,
                f.instructions
            );
            if !f.has_srclocs {
                out.push_str("(Cranelift recorded no source locations for this function)\n");
            }
            for g in &f.groups {
                match g.at {
                    Some(at) => {
                        let _ = writeln!(out, "; {at}  {}  → {}", g.source, g.ops.join("; "));
                    }
                    None if f.has_srclocs => out.push_str("; (no source position)\n"),
                    None => {}
                }
                for i in &g.instructions {
                    let _ = write!(out, "  {:04x}  {:<24} {}", i.offset, i.bytes, i.text);
                    if let Some(r) = &i.reloc {
                        let _ = write!(out, "  ; → {r}");
                    }
                    out.push('\n');
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir_passes::ir::CellWidth;
    use ir_passes::parse::parse;

    /// Code whose source locations are known: `push rbp` from no op,
    /// `mov rbp, rsp` from the `+` at byte 0, `call rax` (with a relocation)
    /// and `ret` from the `.` at byte 2.
    fn sample() -> FunctionCode {
        FunctionCode {
            name: "u0:5".into(),
            code: vec![0x55, 0x48, 0x89, 0xe5, 0xff, 0xd0, 0xc3],
            srclocs: vec![(0, 1, None), (1, 4, Some(0)), (4, 7, Some(2))],
            relocs: vec![(4, "bfjit_put".into())],
            ..FunctionCode::default()
        }
    }

    #[test]
    fn instructions_are_grouped_by_source_position() {
        let program = parse("t", b"+>.", CellWidth::U8).expect("parses");
        let ops = ops_by_position(&program);
        let f = function(&sample(), &program, &ops, true);
        assert!(f.has_srclocs);
        let groups: Vec<(Option<u32>, Vec<String>, usize)> = f
            .groups
            .iter()
            .map(|g| (g.byte, g.ops.clone(), g.instructions.len()))
            .collect();
        assert_eq!(
            groups,
            [
                (None, vec![], 1),
                (Some(0), vec!["add p[0], 1".to_string()], 1),
                (Some(2), vec!["out p[0]".to_string()], 2),
            ]
        );
        let call = &f.groups[2].instructions[0];
        assert_eq!(
            (call.text.as_str(), call.reloc.as_deref()),
            ("call rax", Some("bfjit_put"))
        );
        assert_eq!(
            f.groups[1].at.map(|a| a.to_string()).as_deref(),
            Some("1:1")
        );
    }

    #[test]
    fn text_heads_each_group_with_position_source_and_ops() {
        let program = parse("t", b"+>.", CellWidth::U8).expect("parses");
        let ops = ops_by_position(&program);
        let view = AsmView {
            tier: "opt",
            disassembled: true,
            functions: vec![function(&sample(), &program, &ops, true)],
        };
        let text = view.text();
        assert!(
            text.contains("; (no source position)\n  0000  55"),
            "{text}"
        );
        assert!(
            text.contains("; 1:1  +  → add p[0], 1\n  0001  48 89 e5"),
            "{text}"
        );
        assert!(text.contains("call rax  ; → bfjit_put"), "{text}");
    }
}
