//! What `bfjit inspect` builds: the views asked for and how to render them.

use crate::jit::{CodeConfig, JitMode};
use crate::tier::Tier;
use serde::Serialize;

/// A view `--emit` can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// Every pass: name, time, op counts, and the IR after it (or a diff).
    Passes,
    /// The final IR, each op with its source position.
    Ir,
    /// Cranelift IR of the chosen JIT tier, before and after Cranelift's optimizer.
    Clif,
    /// The machine code, disassembled, grouped by source position.
    Asm,
    /// Op counts by kind after every pass (and, with `--profile`, the hot loops).
    Stats,
    /// The C translation of the final IR.
    C,
    /// Where the JIT's compile spends its time: each step and Cranelift pass.
    Codegen,
}

impl View {
    /// The name `--emit` uses.
    pub fn name(self) -> &'static str {
        match self {
            View::Passes => "passes",
            View::Ir => "ir",
            View::Clif => "clif",
            View::Asm => "asm",
            View::Stats => "stats",
            View::C => "c",
            View::Codegen => "codegen",
        }
    }

    /// Whether the view shows native code, which the interp tier has none of.
    pub fn needs_jit(self) -> bool {
        matches!(self, View::Clif | View::Asm | View::Codegen)
    }
}

/// How to build and render the views.
#[derive(Clone, Debug)]
pub struct Options {
    /// The views, in the order they are printed.
    pub views: Vec<View>,
    /// The tier whose code the clif and asm views show, and whose pipeline runs.
    pub tier: Tier,
    /// Passes view: show each pass as a unified diff of the printed IR.
    pub diff: bool,
    /// Annotate IR with the source text as well as its position.
    pub source: bool,
    /// Show pass times (off for output that must be reproducible).
    pub times: bool,
    /// Clif view: add Cranelift's VCode listing (machine instructions with
    /// virtual and real registers, as Cranelift lowered them).
    pub vcode: bool,
    /// Clif and asm views: what the code is compiled for — the tape size,
    /// and whether it enforces limits (`--timeout`; back edges count fuel),
    /// which `bfjit run` code does not without one.
    pub code: CodeConfig,
    /// Profile view: how many loops to list.
    pub top: usize,
    /// Build the parts only tools read (`--format json`): the IR view's
    /// per-op records and tree, which cost memory on big programs.
    pub json: bool,
}

impl Options {
    /// The JIT translation of the chosen tier, for the views of native code.
    pub fn jit_mode(&self) -> Result<JitMode, String> {
        self.tier
            .jit_mode()
            .ok_or_else(|| "the interp tier makes no machine code".to_string())
    }
}
