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
mod page;
pub mod passes;
pub mod tiered;

pub use page::{Page, SCHEMA};

use crate::harness::Target;
use crate::inspect::profile::ProfileView;
use crate::inspect::{self, ProfileRun, View};
use crate::jit::{CodeConfig, Limits};
use crate::tier::{compile, Tier};
use ir_passes::error::RunError;
use ir_passes::io::EofMode;
use ir_passes::ir::Program;
use ir_passes::pipeline::Pipeline;
use std::sync::mpsc;
use std::time::{Duration, Instant};

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
    /// How long the page waits for the profile run.
    pub profile_seconds: f64,
    /// Parsed ops above which the simple tier's code is left out: one
    /// CLIF sequence a command makes tens of megabytes of listings.
    pub simple_ops: usize,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            ir_lines: 40_000,
            code_lines: 120_000,
            loops: 12,
            simple_ops: 200_000,
            profile_seconds: 5.0,
        }
    }
}

/// The default step budget of the profile run: a few hundred million
/// instructions, a fraction of a second of the counting interpreter.
pub const DEFAULT_STEPS: u64 = 20_000_000;

/// Builds the page data. `Err` is a failure to compile or to run.
pub fn build(program: Program, options: &Options) -> Result<Page, String> {
    let mut notes = Vec::new();
    let source = display_source(program.source.text());
    let line_starts = line_starts(program.source.text());
    let line_of = |b: u32| line_starts.partition_point(|&s| s <= b).saturating_sub(1);

    // The profile runs beside the rest, on its own thread: a program whose
    // budget does not stop it in time is left running until the process
    // exits, and the page goes without heat.
    let profile = start_profile(program.clone(), options)?;
    let profile_deadline = Instant::now() + Duration::from_secs_f64(options.budget.profile_seconds);
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
    // The pipeline already ran: inspect gets its result and runs none.
    let none = Pipeline::level(0);
    let opt = inspect::inspect(optimized.program.clone(), &none, &views(Tier::Opt), None)?;
    let heat =
        match profile.recv_timeout(profile_deadline.saturating_duration_since(Instant::now())) {
            Ok(Ok(view)) => {
                let budget_hit = view.outcome == format!("stopped: {}", RunError::StepLimit);
                heat::build(&view, program.source.text(), options.steps, budget_hit)
            }
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                let why = format!(
                    "the profile run did not end within {} s (its step budget counts loop back \
                 edges, and this program runs long stretches without one): no heat shown",
                    options.budget.profile_seconds
                );
                notes.push(why.clone());
                heat::Heat::none(program.source.text(), options.steps, why)
            }
        };
    let parsed_ops = program.op_count();
    let simple = if parsed_ops <= options.budget.simple_ops {
        Some(inspect::inspect(
            program.clone(),
            &none,
            &views(Tier::Simple),
            None,
        )?)
    } else {
        notes.push(format!(
            "simple tier's code left out: {parsed_ops} ops, over the page's budget of {}",
            options.budget.simple_ops
        ));
        None
    };

    let config = Target {
        eof: options.eof,
        tape_size: options.tape_size,
        timeout: None,
        max_steps: None,
        ..Target::default()
    };
    let mut tiers = Vec::new();
    let shown = [
        simple.as_ref().map(|r| (r, Tier::Simple, &program)),
        Some((&opt, Tier::Opt, &optimized.program)),
    ];
    for (report, tier, prog) in shown.into_iter().flatten() {
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

/// Starts the counting interpreter on `program` (optimized by the
/// options' pipeline) on a thread; its profile view arrives on the channel.
fn start_profile(
    program: Program,
    options: &Options,
) -> Result<mpsc::Receiver<Result<ProfileView, String>>, String> {
    let (tx, rx) = mpsc::channel();
    let pipeline = options.pipeline.clone();
    let input = options.input.clone();
    let config = Target {
        eof: options.eof,
        tape_size: options.tape_size,
        timeout: None,
        max_steps: Some(options.steps),
        ..Target::default()
    };
    let views = inspect::Options {
        views: Vec::new(),
        tier: Tier::Opt,
        diff: false,
        source: false,
        times: false,
        vcode: false,
        code: CodeConfig {
            limits: Limits::Unlimited,
            tape_size: options.tape_size,
        },
        top: usize::MAX,
        json: false,
    };
    std::thread::Builder::new()
        .name("profile".into())
        .stack_size(256 << 20)
        .spawn(move || {
            let mut input = input.as_slice();
            let mut sink = std::io::sink();
            let run = ProfileRun {
                target: config,
                input: &mut input,
                output: &mut sink,
            };
            let view = inspect::inspect(program, &pipeline, &views, Some(run)).and_then(|r| {
                r.profile
                    .ok_or_else(|| "the profile run did not happen".into())
            });
            let _ = tx.send(view);
        })
        .map_err(|e| format!("cannot start the profile run: {e}"))?;
    Ok(rx)
}

/// The source as text with one character per non-UTF-8 byte, so the byte
/// offsets every view uses still count the same characters.
fn display_source(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
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
