//! The codegen view: where the JIT tier's compile of the final IR spends
//! its time, step by step and per Cranelift pass, with the size of what it
//! made. The program is compiled exactly as `bfjit run --tier TIER` would
//! compile it (same threads, same module), but not run.

use super::options::Options;
use crate::jit::timing::CodegenTimes;
use crate::jit::{compile, JitMode};
use ir_passes::ir::Program;
use serde::Serialize;
use std::fmt::Write;
use std::time::Duration;

/// The codegen view.
#[derive(Serialize)]
pub struct CodegenView {
    /// How many Cranelift functions the program became.
    pub functions: usize,
    /// Bytes of machine code.
    pub code_bytes: usize,
    /// How many threads compiled (the calling one included).
    pub threads: usize,
    /// Source bytes, for the throughput.
    pub source_bytes: usize,
    /// The steps in order, Cranelift's passes among them (empty with
    /// `--no-times`).
    pub steps: Vec<Step>,
    /// The whole compile, wall time, in milliseconds (`null` with
    /// `--no-times`).
    pub wall_ms: Option<f64>,
}

/// One step of code generation.
#[derive(Serialize)]
pub struct Step {
    /// What it is.
    pub step: String,
    /// Whether it is one of Cranelift's passes (their times are summed
    /// over the compiling threads).
    pub cranelift: bool,
    /// Milliseconds.
    pub ms: f64,
}

/// Compiles `program` for the tier of `options` and builds the view.
pub fn build(program: &Program, options: &Options) -> Result<CodegenView, String> {
    let mode: JitMode = options.jit_mode()?;
    let code = compile(program, mode, options.code)?;
    let times = code.times();
    Ok(CodegenView {
        functions: code.function_count(),
        code_bytes: code.code_size(),
        threads: times.threads,
        source_bytes: program.source.text().len(),
        steps: if options.times {
            steps(times)
        } else {
            Vec::new()
        },
        wall_ms: options.times.then(|| ms(times.wall)),
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn steps(t: &CodegenTimes) -> Vec<Step> {
    let ours = |step: &str, d: Duration| Step {
        step: step.to_string(),
        cranelift: false,
        ms: ms(d),
    };
    let mut out = vec![
        ours("module set-up", t.setup),
        ours("translation (IR to CLIF)", t.translate),
    ];
    out.extend(t.passes.passes().into_iter().map(|(name, d)| Step {
        step: name.to_string(),
        cranelift: true,
        ms: ms(d),
    }));
    out.push(ours("definition (code into the module)", t.define));
    out.push(ours("finalization (relocation, protection)", t.finalize));
    out
}

impl CodegenView {
    /// The view as text.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "== codegen: {} function(s), {} bytes of code, {} thread(s)",
            self.functions, self.code_bytes, self.threads
        );
        let Some(wall) = self.wall_ms else {
            out.push_str("(times left out: --no-times)\n");
            return out;
        };
        let _ = writeln!(out, "{:<44} {:>10} {:>6}", "step", "ms", "share");
        let total: f64 = self.steps.iter().map(|s| s.ms).sum();
        for s in &self.steps {
            let name = match s.cranelift {
                true => format!("  {}", s.step),
                false => s.step.clone(),
            };
            let share = if total > 0.0 {
                s.ms / total * 100.0
            } else {
                0.0
            };
            let _ = writeln!(out, "{name:<44} {:>10.3} {share:>5.1}%", s.ms);
        }
        let _ = writeln!(
            out,
            "{:<44} {:>10.3}",
            "all steps (Cranelift's summed over threads)", total
        );
        let kb_per_ms = if wall > 0.0 {
            self.source_bytes as f64 / 1024.0 / wall
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "{:<44} {wall:>10.3}   ({kb_per_ms:.3} KB of source per ms)",
            "wall time"
        );
        out.push_str("(indented: Cranelift's passes, self time)\n");
        out
    }
}
