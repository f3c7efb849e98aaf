//! `bfjit inspect`: what the passes and the JIT tiers make of a program,
//! as views that tie every line back to the source.
//!
//! [`inspect`] gathers the data of the requested views into a [`Report`]
//! (serializable: `--format json`); [`Report::text`] renders it for people.
//! One file per view; `options.rs` says what to build, `diff.rs` is the
//! line diff behind `--diff`, `format.rs` and `preorder.rs` are helpers the
//! views share.

pub mod asm;
pub mod c;
pub mod clif;
pub mod codegen;
pub mod color;
pub mod diff;
mod format;
pub mod ir;
mod options;
pub mod passes;
mod preorder;
pub mod profile;
pub mod stats;

pub use options::{Options, View};
pub use profile::ProfileRun;

use crate::tier::Tier;
use ir_passes::ir::Program;
use ir_passes::pipeline::Pipeline;
use serde::Serialize;

/// The name and version of the JSON layout (`--format json`), as bench's
/// `bfjit-bench/1`; bumped when a field changes meaning or goes away.
pub const SCHEMA: &str = "bfjit-inspect/1";

/// The data of every requested view.
#[derive(Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The program's name (its path).
    pub file: String,
    /// The tier inspected (`interp`, `simple`, `opt`).
    pub tier: &'static str,
    /// Cell width in bits.
    pub cell_bits: u32,
    /// The passes the pipeline runs, in order (one round).
    pub pipeline: Vec<&'static str>,
    /// Ops in the parsed program (nested ones included).
    pub ops_parsed: usize,
    /// Ops after the pipeline.
    pub ops_final: usize,
    /// The views, in the order asked for.
    #[serde(skip)]
    pub order: Vec<View>,
    /// `--emit passes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passes: Option<passes::PassesView>,
    /// `--emit ir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ir: Option<ir::IrView>,
    /// `--emit clif`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clif: Option<clif::ClifView>,
    /// `--emit asm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asm: Option<asm::AsmView>,
    /// `--emit stats`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<stats::StatsView>,
    /// `--profile`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<profile::ProfileView>,
    /// `--emit c`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub c: Option<c::CView>,
    /// `--emit codegen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codegen: Option<codegen::CodegenView>,
}

/// Runs the pipeline on `program` and builds the requested views. An `Err`
/// is a usage problem (a view the tier cannot show) or a failure to compile.
pub fn inspect(
    program: Program,
    pipeline: &Pipeline,
    options: &Options,
    run: Option<ProfileRun<'_>>,
) -> Result<Report, String> {
    if options.tier == Tier::Interp {
        if let Some(v) = options.views.iter().find(|v| v.needs_jit()) {
            return Err(format!(
                "the interp tier makes no machine code; use --emit {} with --tier simple or opt",
                v.name()
            ));
        }
    }
    // Copies of the program after every pass cost memory; only views that
    // show them ask for them.
    let keep = options
        .views
        .iter()
        .any(|v| matches!(v, View::Passes | View::Stats));
    let parsed = keep.then(|| program.clone());
    let ops_parsed = program.op_count();
    let optimized = pipeline.run(program, keep);
    let has = |v: View| options.views.contains(&v);
    let parsed_ref = parsed.as_ref();
    let mut report = Report {
        schema: SCHEMA,
        file: optimized.program.source.name().to_string(),
        tier: options.tier.name(),
        cell_bits: optimized.program.cell.bits(),
        pipeline: pipeline.names(),
        ops_parsed,
        ops_final: optimized.program.op_count(),
        order: options.views.clone(),
        passes: None,
        ir: None,
        clif: None,
        asm: None,
        stats: None,
        profile: None,
        c: None,
        codegen: None,
    };
    if let (true, Some(p)) = (has(View::Passes), parsed_ref) {
        report.passes = Some(passes::build(p, &optimized, options));
    }
    if has(View::Ir) {
        report.ir = Some(ir::build(&optimized.program, options));
    }
    if has(View::Clif) {
        report.clif = Some(clif::build(&optimized.program, options)?);
    }
    if has(View::Asm) {
        report.asm = Some(asm::build(&optimized.program, options)?);
    }
    if let (true, Some(p)) = (has(View::Stats), parsed_ref) {
        report.stats = Some(stats::build(p, &optimized));
    }
    if let Some(run) = run {
        report.profile = Some(profile::build(&optimized.program, run, options.top)?);
    }
    if has(View::C) {
        report.c = Some(c::build(&optimized.program));
    }
    if has(View::Codegen) {
        report.codegen = Some(codegen::build(&optimized.program, options)?);
    }
    Ok(report)
}

impl Report {
    /// The views as text, in the order they were asked for, each under a
    /// `== view` heading.
    pub fn text(&self, options: &Options) -> String {
        let mut out = String::new();
        let mut section = |text: String| {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&text);
        };
        for view in &self.order {
            match view {
                View::Passes => self.passes.iter().for_each(|v| section(v.text(options))),
                View::Ir => self.ir.iter().for_each(|v| section(v.text())),
                View::Clif => self.clif.iter().for_each(|v| section(v.text())),
                View::Asm => self.asm.iter().for_each(|v| section(v.text())),
                View::Stats => self.stats.iter().for_each(|v| section(v.text())),
                View::C => self.c.iter().for_each(|v| section(v.text())),
                View::Codegen => self.codegen.iter().for_each(|v| section(v.text())),
            }
        }
        if let Some(p) = &self.profile {
            section(p.text());
        }
        out
    }

    /// The report as pretty-printed JSON.
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            // Serializing plain data to a String cannot fail; say so if it does.
            format!("{{\"error\": \"cannot serialize the report: {e}\"}}")
        });
        s.push('\n');
        s
    }
}
