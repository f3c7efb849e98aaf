//! Bounds on how long a run may go: a step budget (for tests of programs that
//! may never halt) and a wall-clock deadline (`--timeout`).

use crate::error::RunError;
use std::time::Instant;

/// How many ticks pass between two looks at the clock and the steps left.
const CHECK_EVERY: u32 = 1 << 14;

/// A run's remaining allowance. Engines call [`Budget::tick`] on every loop
/// back edge (the only way a BF program can run for long), so the cost on the
/// hot path is one decrement and a predictable branch.
#[derive(Clone, Debug)]
pub struct Budget {
    /// Steps left, counted down by [`CHECK_EVERY`] at each check. ("Fuel"
    /// is the JIT's name for its back-edge countdown to the next check.)
    steps_left: u64,
    deadline: Option<Instant>,
    countdown: u32,
}

impl Budget {
    /// No limit at all.
    pub fn unlimited() -> Budget {
        Budget::new(u64::MAX, None)
    }

    /// At most about `steps` ticks (rounded to the check interval) and, when
    /// given, no later than `deadline`.
    pub fn new(steps: u64, deadline: Option<Instant>) -> Budget {
        Budget {
            steps_left: steps,
            deadline,
            countdown: CHECK_EVERY,
        }
    }

    /// Counts one step; fails when the budget or the deadline is spent.
    #[inline(always)]
    pub fn tick(&mut self) -> Result<(), RunError> {
        self.countdown -= 1;
        if self.countdown == 0 {
            return self.check();
        }
        Ok(())
    }

    /// The slow half of [`Budget::tick`]; the JIT's generated code calls it
    /// through a shim every [`Budget::interval`] back edges.
    #[cold]
    pub fn check(&mut self) -> Result<(), RunError> {
        self.countdown = CHECK_EVERY;
        self.steps_left = self.steps_left.saturating_sub(CHECK_EVERY as u64);
        if self.steps_left == 0 {
            return Err(RunError::StepLimit);
        }
        match self.deadline {
            Some(d) if Instant::now() >= d => Err(RunError::Timeout),
            _ => Ok(()),
        }
    }

    /// Ticks between two checks.
    pub fn interval() -> u32 {
        CHECK_EVERY
    }
}
