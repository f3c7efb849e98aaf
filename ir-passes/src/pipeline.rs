//! The pass pipeline: named passes, `-O` presets, user selection, and a
//! snapshot after every pass for `bfjit inspect`.

use crate::ir::{Node, Program};
use crate::passes::{PassInfo, PASSES};
use crate::validate::validate;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How many times `-O2` may repeat the pass list looking for a fixed point.
pub const MAX_ROUNDS: u32 = 8;

/// Up to how many ops debug builds check every pass's claim to have changed
/// the program (or not) against a copy.
const CHECKED_OPS: usize = 200_000;

/// What happened in one pass.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The pass name.
    pub pass: &'static str,
    /// Which repetition of the pass list (1-based).
    pub round: u32,
    /// Ops before the pass (nested ops included), when the run keeps the
    /// programs (`keep`) or in debug builds; 0 otherwise (counting costs a
    /// walk of the program per change, which plain compiles skip).
    pub ops_before: usize,
    /// Ops after it (0 when the run does not keep the programs).
    pub ops_after: usize,
    /// Wall time the pass took.
    pub time: Duration,
    /// Whether the pass changed the program at all (each pass says so,
    /// exactly; debug builds check it).
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
    /// True when a repeating pipeline (`-O2`) stopped at its cap of
    /// [`MAX_ROUNDS`] rounds with the last round still changing the program:
    /// the result is correct but not a fixed point, which callers may report.
    pub capped: bool,
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

    /// The passes of this pipeline whose `-O` level is at most `level`, in
    /// the same order, run once: the cheap part of a selection (tiered
    /// execution runs it before interpreting, and the whole selection on the
    /// loops it compiles).
    pub fn up_to(&self, level: u8) -> Pipeline {
        Pipeline {
            passes: self
                .passes
                .iter()
                .copied()
                .filter(|p| p.level <= level)
                .collect(),
            fixed_point: false,
        }
    }

    /// The pass names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.passes.iter().map(|p| p.name).collect()
    }

    /// Whether the pass list repeats until nothing changes (`-O2`).
    pub fn repeats(&self) -> bool {
        self.fixed_point
    }

    /// Runs the passes. With `keep`, every snapshot holds a copy of the program
    /// after its pass (costly on big programs, so only inspection asks for it).
    pub fn run(&self, mut program: Program, keep: bool) -> Optimized {
        let mut snapshots = Vec::new();
        let rounds = if self.fixed_point { MAX_ROUNDS } else { 1 };
        let mut capped = false;
        // Per pass of the list: it ran, changed nothing, and nothing changed
        // the program since. Running it again would change nothing either.
        let mut idle = vec![false; self.passes.len()];
        // Debug builds count anyway: their claim checks are sized by it.
        let counted = keep || cfg!(debug_assertions);
        let count = |program: &Program| if counted { program.op_count() } else { 0 };
        let mut ops = count(&program);
        for round in 1..=rounds {
            let mut any_change = false;
            for (i, pass) in self.passes.iter().enumerate() {
                let ops_before = ops;
                // Debug builds check each pass's claim against a copy (on
                // programs small enough for that to stay quick).
                let check = (keep || cfg!(debug_assertions) && ops_before <= CHECKED_OPS)
                    .then(|| program.body.clone());
                let start = Instant::now();
                let mut changed = !idle[i] && (pass.run)(&mut program);
                let time = start.elapsed();
                if let Some(before) = check {
                    let really = before != program.body;
                    debug_assert!(
                        changed == really,
                        "pass {} says changed = {changed}, but it did{} change the program",
                        pass.name,
                        if really { "" } else { " not" }
                    );
                    changed = really;
                }
                if cfg!(debug_assertions) {
                    if let Err(e) = validate(&program) {
                        panic!("pass {} left invalid IR: {e}", pass.name);
                    }
                }
                if changed {
                    ops = count(&program);
                    idle.iter_mut().for_each(|b| *b = false);
                }
                idle[i] = !changed;
                any_change |= changed;
                snapshots.push(Snapshot {
                    pass: pass.name,
                    round,
                    ops_before,
                    ops_after: ops,
                    time,
                    changed,
                    program: keep.then(|| program.clone()),
                });
            }
            if !any_change {
                break;
            }
            capped = self.fixed_point && round == rounds;
        }
        Optimized {
            program,
            snapshots,
            capped,
        }
    }
}

impl Snapshot {
    /// The static count of each op kind after the pass (`"add"`, `"loop"`,
    /// …; see [`crate::ir::Op::kind`]), when the program was kept.
    pub fn op_kinds(&self) -> Option<BTreeMap<&'static str, usize>> {
        self.program.as_ref().map(op_kinds)
    }
}

/// The static count of each op kind in a program, nested ops included.
pub fn op_kinds(program: &Program) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    // An explicit stack: programs may nest 100,000 loops deep.
    let mut stack: Vec<&[Node]> = vec![&program.body];
    while let Some(body) = stack.pop() {
        for node in body {
            *counts.entry(node.op.kind()).or_insert(0) += 1;
            if let Some(inner) = node.op.body() {
                stack.push(inner);
            }
        }
    }
    counts
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::CellWidth;
    use crate::parse::parse;

    #[test]
    fn levels_select_passes_by_their_level() {
        assert!(Pipeline::level(0).names().is_empty());
        let o1 = Pipeline::level(1).names();
        let o2 = Pipeline::level(2).names();
        assert!(o1.contains(&"mul_loops") && !o1.contains(&"known_values"));
        assert_eq!(o2, pass_names());
        assert!(!Pipeline::level(1).repeats() && Pipeline::level(2).repeats());
    }

    #[test]
    fn names_are_checked() {
        let p = Pipeline::named(&["offsets", "fold_runs"]).unwrap();
        assert_eq!(p.names(), ["offsets", "fold_runs"]);
        let err = Pipeline::named(&["fold"]).unwrap_err();
        assert!(err.contains("unknown pass 'fold'") && err.contains("fold_runs"));
        let p = Pipeline::level(2).without("known_values").unwrap();
        assert!(!p.names().contains(&"known_values"));
        assert!(Pipeline::level(2).without("nope").is_err());
    }

    #[test]
    fn snapshots_record_every_pass_and_stop_at_a_fixed_point() {
        let program = parse("t", b"+++[->+<]>.", CellWidth::U8).unwrap();
        let out = Pipeline::level(2).run(program, true);
        let passes = PASSES.len();
        // Some round changes nothing, and it is the last one.
        assert_eq!(out.snapshots.len() % passes, 0);
        let last_round = &out.snapshots[out.snapshots.len() - passes..];
        assert!(last_round.iter().all(|s| !s.changed));
        let first = &out.snapshots[0];
        assert_eq!((first.pass, first.round), ("fold_runs", 1));
        assert_eq!(first.op_kinds().unwrap()["add"], 3);
        assert_eq!(
            out.program.op_count(),
            out.snapshots.last().unwrap().ops_after
        );
    }

    /// Swaps the first two ops of the top level: never a fixed point.
    static SWAP: PassInfo = PassInfo {
        name: "swap",
        summary: "swaps the first two ops",
        level: 2,
        run: |p| {
            p.body.swap(0, 1);
            true
        },
    };

    #[test]
    fn a_pipeline_that_hits_its_round_cap_says_so() {
        let program = parse("t", b"+>", CellWidth::U8).unwrap();
        let swapping = Pipeline {
            passes: vec![&SWAP],
            fixed_point: true,
        };
        let out = swapping.run(program.clone(), false);
        assert!(out.capped);
        assert_eq!(out.snapshots.len(), MAX_ROUNDS as usize);
        let once = Pipeline {
            fixed_point: false,
            ..swapping
        };
        assert!(!once.run(program.clone(), false).capped);
        assert!(!Pipeline::level(2).run(program, false).capped);
    }

    #[test]
    fn op_kinds_count_nested_ops() {
        let program = parse("t", b"+[>[-]<-]", CellWidth::U8).unwrap();
        let kinds = op_kinds(&program);
        assert_eq!(kinds["loop"], 2);
        assert_eq!(kinds["add"], 3);
        assert_eq!(kinds["move"], 2);
    }
}
