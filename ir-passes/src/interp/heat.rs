//! A hooked run's back-edge accounting: when each loop's hook is due, and
//! the budget's share of the back edges.
//!
//! The hot part, one countdown per back-edge op, lives in the threaded op
//! itself (`threaded.rs`): a taken back edge decrements it and branches,
//! which replaces the plain run's budget tick rather than adding to it.
//! When a countdown runs out, the out-of-line path comes here: the back
//! edges it counted go to the budget (checked every
//! [`Budget::interval`] back edges over all loops, as in plain runs) and
//! to the loop's count toward its hook; the countdown is then re-armed
//! with whichever comes first, the hook's next call or the budget's
//! interval.
//!
//! A loop's hook counts are per loop (slot), over all its back-edge ops (a
//! loop whose back edge also sits in a guard's resume stub has two); the
//! countdowns are per op.

use crate::budget::Budget;
use crate::error::RunError;

/// The state behind a hooked run's countdowns.
pub(super) struct Countdowns {
    /// Per op: what its countdown last started from (0: not re-armed yet,
    /// so [`Countdowns::first`]). Zeroed memory, so a large program pays
    /// only for the pages of ops that are back edges.
    armed: Vec<u32>,
    /// Per loop: back edges left before its hook's next call.
    due: Vec<u32>,
    /// Per loop: back edges since its hook's last call.
    counted: Vec<u32>,
    /// Back edges of all loops since the budget was last checked.
    since_check: u32,
    /// The countdown every back edge starts with.
    first: u32,
}

/// What an expired countdown calls for.
pub(super) enum Expired {
    /// Nothing: re-arm with [`Countdowns::rearm`] and go on.
    Nothing,
    /// Call loop `slot`'s hook with this many back edges, then re-arm.
    Hook { slot: u32, back_edges: u32 },
}

impl Countdowns {
    /// The state for `ops` ops and `loops` loop slots, the hooks first due
    /// after `threshold` back edges of each loop (0 is taken as 1).
    pub(super) fn new(ops: usize, loops: usize, threshold: u32) -> Countdowns {
        let due = threshold.max(1);
        Countdowns {
            armed: vec![0; ops],
            due: vec![due; loops],
            counted: vec![0; loops],
            since_check: 0,
            first: due.min(Budget::interval()),
        }
    }

    /// The countdown every back-edge op starts with: at most the budget's
    /// interval.
    pub(super) fn first(&self) -> u32 {
        self.first
    }

    /// The countdown of back-edge op `op`, of loop `slot`, ran out: counts
    /// its back edges toward the budget (an error if that is exhausted) and
    /// toward the loop's hook, and says whether the hook is due. (Inlined:
    /// the one caller is out of line already.)
    #[inline(always)]
    pub(super) fn expired(
        &mut self,
        op: usize,
        slot: u32,
        budget: &mut Budget,
    ) -> Result<Expired, RunError> {
        let ran = match self.armed[op] {
            0 => self.first,
            n => n,
        };
        self.since_check += ran;
        if self.since_check >= Budget::interval() {
            self.since_check -= Budget::interval();
            budget.check()?;
        }
        let s = slot as usize;
        if s >= self.due.len() {
            return Ok(Expired::Nothing);
        }
        // Saturating: a loop's other back-edge op may have been armed for
        // more than is left.
        self.due[s] = self.due[s].saturating_sub(ran);
        self.counted[s] = self.counted[s].saturating_add(ran);
        if self.due[s] > 0 {
            return Ok(Expired::Nothing);
        }
        Ok(Expired::Hook {
            slot,
            back_edges: std::mem::take(&mut self.counted[s]),
        })
    }

    /// Re-arms op `op`'s countdown after it expired: `recheck`, the back
    /// edges until loop `slot`'s hook is next due if it was just called
    /// (0 is taken as 1). Returns the countdown to store in the op.
    #[inline(always)]
    pub(super) fn rearm(&mut self, op: usize, slot: u32, recheck: Option<u32>) -> u32 {
        let s = slot as usize;
        let next = match self.due.get_mut(s) {
            Some(due) => {
                if let Some(r) = recheck {
                    *due = r.max(1);
                }
                (*due).min(Budget::interval())
            }
            None => Budget::interval(),
        };
        self.armed[op] = next;
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::lower::NONE;

    /// The hook is due after exactly `threshold` back edges of a loop,
    /// counted over both of its back-edge ops, and then after each
    /// `recheck`; the budget is charged every back edge.
    #[test]
    fn hooks_come_due_after_their_back_edges_over_all_ops_of_a_loop() {
        // Ops 1 and 3 are back edges of loop 0, op 4 of loop 1.
        let mut c = Countdowns::new(5, 2, 10);
        assert_eq!(c.first(), 10);
        let mut budget = Budget::unlimited();
        // Op 1 runs its first countdown out: 10 back edges, the hook is due.
        match c.expired(1, 0, &mut budget) {
            Ok(Expired::Hook { slot, back_edges }) => assert_eq!((slot, back_edges), (0, 10)),
            _ => panic!("the hook is due"),
        }
        assert_eq!(c.rearm(1, 0, Some(3)), 3);
        // Op 3 (the same loop) was armed for 10, more than the 3 left.
        match c.expired(3, 0, &mut budget) {
            Ok(Expired::Hook { back_edges, .. }) => assert_eq!(back_edges, 10),
            _ => panic!("the hook is due"),
        }
        assert_eq!(c.rearm(3, 0, Some(0)), 1);
        // Op 1: 3 more, while only 1 was due.
        assert!(matches!(
            c.expired(1, 0, &mut budget),
            Ok(Expired::Hook { .. })
        ));
        assert_eq!(c.rearm(1, 0, Some(100_000)), Budget::interval());
        assert!(matches!(c.expired(1, 0, &mut budget), Ok(Expired::Nothing)));
        // A loop never called keeps counting toward its first call.
        assert!(matches!(
            c.expired(4, 1, &mut budget),
            Ok(Expired::Hook { .. })
        ));
        // No slot: the budget only.
        assert_eq!(c.rearm(0, NONE, None), Budget::interval());
        assert!(matches!(
            c.expired(0, NONE, &mut budget),
            Ok(Expired::Nothing)
        ));
    }

    /// The budget is checked once its interval's back edges are counted.
    #[test]
    fn expired_countdowns_charge_the_budget() {
        let mut c = Countdowns::new(1, 1, u32::MAX);
        assert_eq!(c.first(), Budget::interval());
        let mut budget = Budget::new(1, None);
        assert_eq!(
            c.expired(0, 0, &mut budget).err(),
            Some(RunError::StepLimit)
        );
    }
}
