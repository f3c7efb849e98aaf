//! The execution tiers behind one interface: compile a [`Program`] for a tier
//! and a [`Target`], then run it on a fresh tape (through [`crate::harness`]).

use crate::harness::{self, Execute, Outcome, Target};
use crate::jit::{self, JitCode, JitMode};
use crate::tiered::{self, Tiered};
use ir_passes::budget::Budget;
use ir_passes::bytecode::Bytecode;
use ir_passes::cell::CellType;
use ir_passes::io::Io;
use ir_passes::ir::{CellWidth, Node, Program};
use ir_passes::pipeline::Pipeline;
use ir_passes::reference::Machine;
use std::io::{Read, Write};
use std::sync::Arc;

/// An execution tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum Tier {
    /// The bytecode interpreter (runs the IR at whatever `-O` level is chosen).
    Interp,
    /// The template JIT: unoptimized IR, one CLIF sequence per command.
    Simple,
    /// The optimizing JIT: optimized IR; Cranelift without its egraph
    /// optimizer (`opt_level=none`: see [`crate::jit`]'s module settings).
    Opt,
    /// Tiered: interpret the cheaply optimized IR at once, compile hot loops
    /// with the opt tier's code generator in the background, switch to
    /// their code at loop heads (see [`crate::tiered`]).
    Auto,
}

impl Tier {
    /// Every tier, in the order reports list them.
    pub const ALL: [Tier; 4] = [Tier::Interp, Tier::Simple, Tier::Opt, Tier::Auto];

    /// The tier's command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Interp => "interp",
            Tier::Simple => "simple",
            Tier::Opt => "opt",
            Tier::Auto => "auto",
        }
    }

    /// Whether the tier takes an optimized program (`-O`, `--passes`); the
    /// simple tier always translates the unoptimized one.
    pub fn takes_passes(self) -> bool {
        self != Tier::Simple
    }

    /// The translation the JIT performs for this tier; `None` for the
    /// interpreter, which makes no machine code. Auto's compiled loops are
    /// the opt tier's translation.
    pub fn jit_mode(self) -> Option<JitMode> {
        match self {
            Tier::Interp => None,
            Tier::Simple => Some(JitMode::Simple),
            Tier::Opt | Tier::Auto => Some(JitMode::Opt),
        }
    }

    /// The passes `program` (as parsed) goes through before [`compile`],
    /// given the selected ones (`-O`, `--passes`): all of them, except for
    /// `auto` on a program of more than [`tiered::SMALL_PROGRAM_OPS`] ops,
    /// which runs only the cheap (-O1) ones before it starts interpreting,
    /// and on one of more than [`tiered::LARGE_PROGRAM_OPS`] only
    /// `fold_runs` (which [`parse_folded`](ir_passes::parse::parse_folded)
    /// has done already: see [`Tier::after_parse`]); the loops it compiles
    /// get the whole selection ([`tiered::Options::pipeline`]). On a small
    /// program the whole selection costs about a millisecond, and the
    /// interpreter then runs the folded loops of the programs -O2 folds
    /// (bench.b: 8 µs instead of 40 ms at -O1).
    pub fn before_compile(self, selected: &Pipeline, program: &Program) -> Pipeline {
        if self != Tier::Auto {
            return selected.clone();
        }
        // Counted once: a middling program is walked whole.
        match op_count_capped(program, tiered::LARGE_PROGRAM_OPS) {
            ops if ops > tiered::LARGE_PROGRAM_OPS => {
                let fold = selected.names().contains(&"fold_runs");
                Pipeline::named(if fold { &["fold_runs"] } else { &[] })
                    .unwrap_or_else(|_| unreachable!("fold_runs is a pass"))
            }
            ops if ops > tiered::SMALL_PROGRAM_OPS => selected.up_to(1),
            _ => selected.clone(),
        }
    }

    /// The passes of `pipeline` still to run on a program parsed with runs
    /// folded ([`parse_folded`](ir_passes::parse::parse_folded)): a leading
    /// `fold_runs` run once is done already (a walk over every body, 4 ms
    /// on a 2 MB program, for nothing). A repeating pipeline keeps it for
    /// its later rounds.
    pub fn after_parse(pipeline: Pipeline) -> Pipeline {
        match pipeline.names().split_first() {
            Some((&"fold_runs", rest)) if !pipeline.repeats() => {
                Pipeline::named(rest).unwrap_or_else(|_| unreachable!("names of passes"))
            }
            _ => pipeline,
        }
    }
}

/// [`Program::op_count`] if it is at most `limit`; else some count above
/// `limit`, where the walk stopped (lostkingdom's 190,000 ops are a walk of
/// 4 M instructions on its critical path; up to 40,000 are a fifth of it).
fn op_count_capped(program: &Program, limit: usize) -> usize {
    let mut count = 0;
    let mut bodies: Vec<&[Node]> = vec![&program.body];
    while let Some(body) = bodies.pop() {
        count += body.len();
        bodies.extend(body.iter().filter_map(|n| n.op.body()));
        if count > limit {
            break;
        }
    }
    count
}

/// The code a tier made.
pub enum Engine {
    /// Bytecode for the interpreter.
    Interp(Bytecode),
    /// Native code.
    Jit(JitCode),
    /// The interpreter with hooks that compile hot loops.
    Auto(Tiered),
}

/// A program compiled for a tier and a [`Target`]. The target is fixed
/// here: [`Compiled::run`] takes nothing that could contradict it.
pub struct Compiled {
    engine: Engine,
    cell: CellWidth,
    target: Target,
}

/// Compiles a program for a tier, for runs on `target`: native code has the
/// tape length built in, and enforces a timeout or step limit only if
/// `target` sets one (see [`jit::Limits`]).
///
/// For `auto`, `program` is the output of [`Tier::before_compile`] and the
/// tier runs with its defaults ([`tiered::Options::default`]); see
/// [`compile_with`].
pub fn compile(program: &Program, tier: Tier, target: &Target) -> Result<Compiled, String> {
    compile_with(program, tier, target, &tiered::Options::default())
}

/// [`compile`], with the options of the auto tier (the other tiers ignore
/// them).
pub fn compile_with(
    program: &Program,
    tier: Tier,
    target: &Target,
    auto: &tiered::Options,
) -> Result<Compiled, String> {
    match tier {
        // The auto tier keeps the program for its compile thread.
        Tier::Auto => compile_shared(Arc::new(program.clone()), tier, target, auto),
        _ => compile_one(program, tier, target, auto),
    }
}

/// [`compile_with`] of a program the caller is done with: the auto tier
/// keeps it rather than a copy (which on a 2 MB program costs about as much
/// as its whole start).
pub fn compile_shared(
    program: Arc<Program>,
    tier: Tier,
    target: &Target,
    auto: &tiered::Options,
) -> Result<Compiled, String> {
    match tier {
        Tier::Auto => {
            let cell = program.cell;
            Ok(Compiled {
                engine: Engine::Auto(Tiered::new(program, target, auto)?),
                cell,
                target: *target,
            })
        }
        _ => compile_one(&program, tier, target, auto),
    }
}

fn compile_one(
    program: &Program,
    tier: Tier,
    target: &Target,
    auto: &tiered::Options,
) -> Result<Compiled, String> {
    let engine = match (tier, tier.jit_mode()) {
        (Tier::Auto, _) => Engine::Auto(Tiered::new(Arc::new(program.clone()), target, auto)?),
        (_, None) => Engine::Interp(Bytecode::compile(program)),
        (_, Some(mode)) => Engine::Jit(jit::compile(program, mode, target.code_config())?),
    };
    Ok(Compiled {
        engine,
        cell: program.cell,
        target: *target,
    })
}

impl Compiled {
    /// Runs the code on a fresh tape of its target. Pending output is
    /// flushed before this returns, whether the run succeeded or not. An
    /// `Err` means the run could not start (the tape could not be allocated).
    pub fn run(&self, input: &mut dyn Read, output: &mut dyn Write) -> Result<Outcome, String> {
        harness::run(&mut &self.engine, self.cell, &self.target, input, output)
    }

    /// The code.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// What the code was compiled for.
    pub fn target(&self) -> &Target {
        &self.target
    }
}

impl Execute for &Engine {
    fn execute<C: CellType>(
        &mut self,
        tape: &mut [C],
        io: &mut Io<'_>,
        budget: &mut Budget,
    ) -> Outcome {
        match self {
            Engine::Interp(bc) => {
                let mut m = Machine { tape, ptr: 0 };
                let result = bc.run(&mut m, io, budget, None);
                Outcome { result, ptr: m.ptr }
            }
            Engine::Jit(code) => match code.run(tape, 0, io, budget) {
                Ok(ptr) => Outcome {
                    result: Ok(()),
                    ptr,
                },
                Err(e) => Outcome {
                    result: Err(e),
                    ptr: 0,
                },
            },
            Engine::Auto(tiered) => tiered.execute(tape, io, budget),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir_passes::parse::parse_folded;

    /// `ops` ops after folding: `+>` repeated.
    fn program_of(ops: usize) -> Program {
        parse_folded("t", "+>".repeat(ops / 2).as_bytes(), CellWidth::U8).unwrap()
    }

    /// auto starts on all the passes of a small program, the cheap ones of
    /// a middling one and none beyond folding of a large one; other tiers
    /// always take the whole selection.
    #[test]
    fn auto_starts_on_passes_by_program_size() {
        let o2 = Pipeline::level(2);
        let small = program_of(tiered::SMALL_PROGRAM_OPS);
        let middling = program_of(tiered::LARGE_PROGRAM_OPS);
        let large = program_of(tiered::LARGE_PROGRAM_OPS + 2);
        assert!(Tier::Auto.before_compile(&o2, &small).repeats());
        let cheap = Tier::Auto.before_compile(&o2, &middling);
        assert_eq!(cheap.names(), Pipeline::level(1).names());
        let start = Tier::Auto.before_compile(&o2, &large);
        assert_eq!(start.names(), ["fold_runs"]);
        assert!(Tier::after_parse(start).names().is_empty());
        assert!(Tier::Interp.before_compile(&o2, &large).repeats());
        // The capped count is exact up to its cap, nested ops included.
        let nested = parse_folded("t", b"+[>[-]<[.]]", CellWidth::U8).unwrap();
        assert_eq!(op_count_capped(&nested, 100), nested.op_count());
        assert_eq!(
            op_count_capped(&large, 10 * large.op_count()),
            large.op_count()
        );
        assert!(op_count_capped(&large, tiered::LARGE_PROGRAM_OPS) > tiered::LARGE_PROGRAM_OPS);
        // A repeating pipeline keeps `fold_runs` for its later rounds.
        assert_eq!(Tier::after_parse(o2.clone()).names(), o2.names());
        let o1 = Tier::after_parse(Pipeline::level(1));
        assert_eq!(o1.names(), Pipeline::level(1).names()[1..]);
    }
}
