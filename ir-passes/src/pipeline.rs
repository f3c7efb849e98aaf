//! The pass pipeline: named passes, `-O` presets, user selection, and a
//! snapshot after every pass for `bfjit inspect`.

use crate::ir::Program;
use crate::passes::{PassInfo, PASSES};
use std::time::{Duration, Instant};

/// How many times `-O2` may repeat the pass list looking for a fixed point.
const MAX_ROUNDS: u32 = 4;

/// What happened in one pass.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The pass name.
    pub pass: &'static str,
    /// Which repetition of the pass list (1-based).
    pub round: u32,
    /// Ops before the pass (nested ops included).
    pub ops_before: usize,
    /// Ops after it.
    pub ops_after: usize,
    /// Wall time the pass took.
    pub time: Duration,
    /// Whether the pass changed the program at all.
    pub changed: bool,
    /// The program after the pass, when the run was asked to keep it.
    pub program: Option<Program>,
}

/// An ordered list of passes, optionally repeated to a fixed point.
#[derive(Clone, Debug)]
pub struct Pipeline {
    passes: Vec<&'static PassInfo>,
    fixed_point: bool,
}

/// The result of running a pipeline.
pub struct Optimized {
    /// The final program.
    pub program: Program,
    /// One snapshot per pass run, in order.
    pub snapshots: Vec<Snapshot>,
}

impl Pipeline {
    /// The preset for `-O0`, `-O1` or `-O2` (higher levels mean `-O2`).
    pub fn level(level: u8) -> Pipeline {
        Pipeline {
            passes: PASSES
                .iter()
                .filter(|p| level > 0 && p.level <= level)
                .collect(),
            fixed_point: level >= 2,
        }
    }

    /// Exactly the named passes, in the order given, run once each.
    pub fn named(names: &[&str]) -> Result<Pipeline, String> {
        let passes = names.iter().map(|n| find(n)).collect::<Result<_, _>>()?;
        Ok(Pipeline {
            passes,
            fixed_point: false,
        })
    }

    /// Drops a pass from the list; an unknown name is an error.
    pub fn without(mut self, name: &str) -> Result<Pipeline, String> {
        find(name)?;
        self.passes.retain(|p| p.name != name);
        Ok(self)
    }

    /// The pass names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.passes.iter().map(|p| p.name).collect()
    }

    /// Runs the passes. With `keep`, every snapshot holds a copy of the program
    /// after its pass (costly on big programs, so only inspection asks for it).
    pub fn run(&self, mut program: Program, keep: bool) -> Optimized {
        let mut snapshots = Vec::new();
        let rounds = if self.fixed_point { MAX_ROUNDS } else { 1 };
        for round in 1..=rounds {
            let mut any_change = false;
            for pass in &self.passes {
                let ops_before = program.op_count();
                let before = (keep || self.fixed_point).then(|| program.body.clone());
                let start = Instant::now();
                program = (pass.run)(program);
                let time = start.elapsed();
                let ops_after = program.op_count();
                let changed = match &before {
                    Some(body) => *body != program.body,
                    None => ops_before != ops_after,
                };
                any_change |= changed;
                snapshots.push(Snapshot {
                    pass: pass.name,
                    round,
                    ops_before,
                    ops_after,
                    time,
                    changed,
                    program: keep.then(|| program.clone()),
                });
            }
            if !any_change {
                break;
            }
        }
        Optimized { program, snapshots }
    }
}

/// Every pass name, for error messages and `--help`.
pub fn pass_names() -> Vec<&'static str> {
    PASSES.iter().map(|p| p.name).collect()
}

fn find(name: &str) -> Result<&'static PassInfo, String> {
    PASSES.iter().find(|p| p.name == name).ok_or_else(|| {
        format!(
            "unknown pass '{name}'; the passes are: {}",
            pass_names().join(", ")
        )
    })
}
