//! `bfjit explore`: one self-contained HTML page that shows a program's
//! whole journey — source shaded by heat, the pass timeline with the IR
//! after each pass and its diff, both JIT tiers' CLIF and machine code,
//! control-flow graphs — with every line linked to the source it came from.
//!
//! The data comes from `inspect`'s [`Report`](crate::inspect::Report) (the
//! clif, asm and profile views of both JIT tiers) and the pipeline's
//! snapshots; [`build`] gathers it into a [`Page`], [`html::render`] writes
//! it out with the page's CSS and JavaScript inline (no network). Heavy
//! parts are cut to a budget, and the page says what was cut.

pub mod cfg;
pub mod code;
pub mod heat;
pub mod html;
pub mod passes;
pub mod tiered;

use crate::inspect::{self, ProfileRun, View};
use crate::tier::{compile, CodeConfig, Limits, RunConfig, Tier};
use ir_passes::error::RunError;
use ir_passes::io::EofMode;
use ir_passes::ir::Program;
use ir_passes::pipeline::Pipeline;
use serde::Serialize;
use std::time::Instant;

/// The name of the page's data schema (in the page, `<script id="data">`).
pub const SCHEMA: &str = "bfjit-explore";
/// Its version: bumped when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// What to build the page from.
#[derive(Clone, Debug)]
pub struct Options {
    /// The optimizing tier's pipeline (the simple tier runs none).
    pub pipeline: Pipeline,
    /// What `,` stores at end of input, in the profile run.
    pub eof: EofMode,
    /// Tape cells, for the profile run and the code shown.
    pub tape_size: usize,
    /// The profile run's step budget (loop back edges, roughly).
    pub steps: u64,
    /// The profile run's input.
    pub input: Vec<u8>,
    /// Size limits.
    pub budget: Budget,
}

/// Size limits that keep big programs' pages small and quick to open.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// IR lines per pass listing.
    pub ir_lines: usize,
    /// CLIF lines plus machine instructions per tier.
    pub code_lines: usize,
    /// Hot loops given code sizes and graphs.
    pub loops: usize,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            ir_lines: 40_000,
            code_lines: 120_000,
            loops: 12,
        }
    }
}

/// The default step budget of the profile run: about a second of the
/// counting interpreter.
pub const DEFAULT_STEPS: u64 = 100_000_000;

/// Everything the page shows.
#[derive(Serialize)]
pub struct Page {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// [`SCHEMA_VERSION`].
    pub version: u32,
    /// The program's name (its path).
    pub file: String,
    /// Cell width in bits.
    pub cell_bits: u32,
    /// The source, byte for byte (bytes that are not UTF-8 shown as `?`, so
    /// byte offsets stay valid).
    pub source: String,
    /// The passes of one round, in order.
    pub pipeline: Vec<&'static str>,
    /// The profile.
    pub heat: heat::Heat,
    /// The pass timeline.
    pub passes: passes::Passes,
    /// The JIT tiers' code: simple, then opt.
    pub tiers: Vec<code::TierCode>,
    /// Tiered execution (not there yet; see [`tiered`]).
    pub tiered: tiered::TieredView,
    /// What was left out, said on the page.
    pub notes: Vec<String>,
}

/// Builds the page data. `Err` is a failure to compile or to run.
pub fn build(program: Program, options: &Options) -> Result<Page, String> {
    let mut notes = Vec::new();
    let source = display_source(program.source.text());
    let line_starts = line_starts(program.source.text());
    let line_of = |b: u32| line_starts.partition_point(|&s| s <= b).saturating_sub(1);

    let optimized = options.pipeline.run(program.clone(), true);
    let passes = passes::build(&program, &optimized, options.budget.ir_lines);
    let cut_lists = std::iter::once(&passes.parsed)
        .chain(passes.steps.iter().filter_map(|s| s.after.as_ref()))
        .filter(|s| s.cut > 0)
        .count();
    if cut_lists > 0 {
        notes.push(format!(
            "IR listings cut to their first {} lines ({cut_lists} of them)",
            options.budget.ir_lines
        ));
    }

    let code = CodeConfig {
        limits: Limits::Unlimited,
        tape_size: options.tape_size,
    };
    let views = |tier| inspect::Options {
        views: vec![View::Clif, View::Asm],
        tier,
        diff: false,
        source: false,
        times: true,
        vcode: false,
        code,
        top: usize::MAX,
        json: false,
    };
    let mut input = options.input.as_slice();
    let mut sink = std::io::sink();
    let run = ProfileRun {
        config: RunConfig {
            eof: options.eof,
            tape_size: options.tape_size,
            timeout: None,
            max_steps: Some(options.steps),
        },
        input: &mut input,
        output: &mut sink,
    };
    let opt = inspect::inspect(program.clone(), &options.pipeline, &views(Tier::Opt), Some(run))?;
    let simple = inspect::inspect(program.clone(), &Pipeline::level(0), &views(Tier::Simple), None)?;
    let profile = opt.profile.as_ref().ok_or("the profile run did not happen")?;
    let budget_hit = profile.outcome == format!("stopped: {}", RunError::StepLimit);
    let heat = heat::build(profile, program.source.text(), options.steps, budget_hit);

    let config = RunConfig {
        eof: options.eof,
        tape_size: options.tape_size,
        timeout: None,
        max_steps: None,
    };
    let mut tiers = Vec::new();
    for (report, tier, prog) in [
        (&simple, Tier::Simple, &program),
        (&opt, Tier::Opt, &optimized.program),
    ] {
        let started = Instant::now();
        drop(compile(prog, tier, &config)?);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let (Some(clif), Some(asm)) = (&report.clif, &report.asm) else {
            return Err(format!("inspect made no code for the {} tier", tier.name()));
        };
        let budget = code::Budget {
            lines: options.budget.code_lines,
            loops: options.budget.loops,
        };
        let t = code::build(clif, asm, ms, &heat.loops, &line_of, &heat.lines, budget);
        if t.cut_functions > 0 {
            notes.push(format!(
                "{} tier: {} of {} functions left out (coldest first) to keep the page small",
                t.tier,
                t.cut_functions,
                t.cut_functions + t.functions.len()
            ));
        }
        tiers.push(t);
    }
    Ok(Page {
        schema: SCHEMA,
        version: SCHEMA_VERSION,
        file: program.source.name().to_string(),
        cell_bits: program.cell.bits(),
        source,
        pipeline: options.pipeline.names(),
        heat,
        passes,
        tiers,
        tiered: tiered::build(),
        notes,
    })
}

/// The source as text with one character per non-UTF-8 byte, so the byte
/// offsets every view uses still count the same characters.
fn display_source(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(std::iter::repeat('?').take(chunk.invalid().len()));
    }
    out
}

/// Byte offset of each line's start.
fn line_starts(bytes: &[u8]) -> Vec<u32> {
    std::iter::once(0)
        .chain(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_keeps_one_character_per_byte() {
        assert_eq!(display_source(b"a\xff\xfeb+"), "a??b+");
        assert_eq!(display_source("é+".as_bytes()), "é+");
    }
}
