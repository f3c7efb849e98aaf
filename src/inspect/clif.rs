//! The clif view: the Cranelift IR of every function the JIT generates for
//! the chosen tier, as translated from our IR and as Cranelift compiled it
//! (both tiers run at `opt_level=none`, without the egraph optimizer, so the
//! two differ only by Cranelift's own clean-ups such as unreachable-code
//! removal).

use super::format::entry_mark;
use super::options::Options;
use crate::jit::inspect::{inspect, Capture};
use ir_passes::ir::Program;
use serde::Serialize;
use std::fmt::Write;

/// The clif view.
#[derive(Serialize)]
pub struct ClifView {
    /// The tier the code is for.
    pub tier: &'static str,
    /// Every generated function, the entry function first.
    pub functions: Vec<ClifFunction>,
}

/// One generated function's CLIF.
#[derive(Serialize)]
pub struct ClifFunction {
    /// Cranelift's name for it.
    pub name: String,
    /// As translated from the IR.
    pub before: String,
    /// After Cranelift's optimizer; this is what is lowered to machine code.
    pub after: String,
    /// Cranelift's VCode listing (with `--vcode`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcode: Option<String>,
}

/// Builds the view by translating and compiling (not running) the program.
pub fn build(program: &Program, options: &Options) -> Result<ClifView, String> {
    let capture = Capture {
        clif: true,
        vcode: options.vcode,
    };
    let functions = inspect(program, options.jit_mode()?, options.code, capture)?
        .into_iter()
        .map(|f| ClifFunction {
            name: f.name,
            before: f.clif_before.unwrap_or_default(),
            after: f.clif_after.unwrap_or_default(),
            vcode: f.vcode,
        })
        .collect();
    Ok(ClifView {
        tier: options.tier.name(),
        functions,
    })
}

/// CLIF instructions in a function listing: the indented lines, less the
/// preamble's signature and function declarations and any comments.
fn instructions(text: &str) -> usize {
    text.lines()
        .filter(|l| l.starts_with("    "))
        .map(str::trim_start)
        .filter(|l| !(l.starts_with(';') || l.starts_with("sig") || l.starts_with("fn")))
        .count()
}

impl ClifView {
    /// The view as text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "== clif: {} tier, {} function{}",
            self.tier,
            self.functions.len(),
            if self.functions.len() == 1 { "" } else { "s" }
        );
        for (k, f) in self.functions.iter().enumerate() {
            let _ = writeln!(
                out,
                "-- {}{}: as translated from the IR ({} instructions)",
                f.name,
                entry_mark(k, self.functions.len()),
                instructions(&f.before)
            );
            out.push_str(&f.before);
            let _ = writeln!(
                out,
                "-- {}: after Cranelift's optimizer ({} instructions)",
                f.name,
                instructions(&f.after)
            );
            out.push_str(&f.after);
            if let Some(v) = &f.vcode {
                let _ = writeln!(out, "-- {}: VCode (lowered, registers allocated)", f.name);
                out.push_str(v);
            }
        }
        out
    }
}
