//! One tiered run's state, as the interpreter's loop-head hooks: heat, the
//! compile requests, the compiled code per loop, and the switch into it.
//!
//! The interpreter calls [`LoopHooks::at_head`] at a loop's test once the
//! loop has taken `threshold` back edges (in total, over all its entries).
//! Then the loop is requested; once its code is here, every later call runs
//! it from the test to the loop's exit with the run's own tape, `Io` and
//! `Budget`, and the interpreter carries on after the loop. After an entry
//! the interpreter asks again at the loop's next back edge, so the next
//! time the loop is reached it runs one iteration interpreted and then
//! switches. A compiled loop that keeps being entered (`threshold` entries)
//! makes its enclosing loop hot in turn: that loop's code then contains it,
//! and the per-entry cost of switching goes away.

use super::compiler::{Done, Job, Worker};
use super::log::event;
use crate::jit::JitCode;
use ir_passes::budget::Budget;
use ir_passes::cell::CellType;
use ir_passes::interp::hooks::{HeadAction, LoopHooks};
use ir_passes::io::Io;
use std::sync::Arc;

/// Back edges between two looks at a loop whose code is on its way: not
/// every edge (a look costs a call), not so rarely that the switch waits.
const RECHECK: u32 = 64;

/// Where a loop stands.
enum Phase {
    /// Not asked for.
    Cold,
    /// Asked for, not compiled yet.
    Requested,
    /// Compiled: entered at the loop test.
    Ready(JitCode),
    /// The compile failed (or the thread is gone): interpreted for good.
    Failed,
}

/// One loop's state and counts.
struct Slot {
    phase: Phase,
    /// Back edges the interpreter took, as of its last call.
    interpreted: u64,
    /// The countdown the interpreter ran since the last call: what this
    /// hook last told it (the threshold at first, 1 after an entry).
    countdown: u32,
    /// Runs of the compiled code.
    entries: u64,
}

/// The hooks of one run.
pub struct Tiering {
    job: Arc<Job>,
    threshold: u32,
    sync: bool,
    slots: Vec<Slot>,
    worker: Option<Worker>,
    /// Whether starting the worker failed (then nothing more is compiled).
    no_worker: bool,
    in_flight: usize,
}

impl Tiering {
    /// Hooks for a run of `job`'s program; `threshold` ≥ 1.
    pub fn new(job: Arc<Job>, threshold: u32, sync: bool) -> Tiering {
        let slots = job
            .sites
            .iter()
            .map(|_| Slot {
                phase: Phase::Cold,
                interpreted: 0,
                countdown: threshold.max(1),
                entries: 0,
            })
            .collect();
        Tiering {
            job,
            threshold: threshold.max(1),
            sync,
            slots,
            worker: None,
            no_worker: false,
            in_flight: 0,
        }
    }

    /// Asks for loop `slot` (compiles it now when synchronous).
    fn request(&mut self, slot: u32, why: std::fmt::Arguments<'_>) {
        let job = Arc::clone(&self.job);
        event!(&job.log, "request {} {why}", job.describe(slot));
        if self.sync {
            self.slots[slot as usize].phase = Phase::Requested;
            let done = job.compile(slot);
            return self.receive(done);
        }
        if self.worker.is_none() && !self.no_worker {
            match Worker::spawn(Arc::clone(&job)) {
                Ok(w) => self.worker = Some(w),
                Err(e) => {
                    event!(&job.log, "{e}; the run stays in the interpreter");
                    self.no_worker = true;
                }
            }
        }
        let sent = self.worker.as_ref().is_some_and(|w| w.request(slot));
        self.slots[slot as usize].phase = if sent {
            self.in_flight += 1;
            Phase::Requested
        } else {
            Phase::Failed
        };
    }

    fn receive(&mut self, done: Done) {
        let slot = &mut self.slots[done.slot as usize];
        slot.phase = match done.code {
            Ok(code) => Phase::Ready(code),
            Err(_) => Phase::Failed,
        };
    }

    /// Takes in the compiles that finished.
    fn poll(&mut self) {
        while let Some(done) = self.worker.as_ref().and_then(Worker::poll) {
            self.in_flight -= 1;
            self.receive(done);
        }
    }

    /// The end of the run: logs, per loop that was compiled, how often each
    /// engine ran it, and what was still compiling. The worker is dropped
    /// without waiting for it.
    pub fn finish(&mut self) {
        let Some(log) = self.job.log.clone() else {
            return;
        };
        for (i, slot) in self.slots.iter().enumerate() {
            let state = match slot.phase {
                Phase::Cold => continue,
                Phase::Requested => "still compiling",
                Phase::Ready(_) => "compiled",
                Phase::Failed => "not compiled",
            };
            log.event(format_args!(
                "exit {} {state}: {} back edges interpreted, compiled code entered {} times",
                self.job.describe(i as u32),
                slot.interpreted,
                slot.entries
            ));
        }
        if self.in_flight > 0 {
            log.event(format_args!(
                "run over with {} compile(s) in flight: not waiting for them",
                self.in_flight
            ));
        }
        log.flush();
    }
}

impl<C: CellType> LoopHooks<C> for Tiering {
    fn threshold(&self) -> u32 {
        self.threshold
    }

    fn at_head(
        &mut self,
        slot: u32,
        _: u32,
        tape: &mut [C],
        ptr: usize,
        io: &mut Io<'_>,
        budget: &mut Budget,
    ) -> HeadAction {
        let s = slot as usize;
        // The countdown this hook set is exact; the interpreter's argument
        // is not (it passes the threshold every time).
        let ran = self.slots[s].countdown;
        self.slots[s].interpreted += u64::from(ran);
        if self.in_flight > 0 {
            self.poll();
        }
        if let Phase::Cold = self.slots[s].phase {
            let heat = self.slots[s].interpreted;
            self.request(slot, format_args!("heat {heat} back edges"));
        }
        let threshold = u64::from(self.threshold);
        let entries = {
            let st = &mut self.slots[s];
            let Phase::Ready(_) = st.phase else {
                st.countdown = match st.phase {
                    Phase::Failed => u32::MAX,
                    _ => self.threshold.min(RECHECK),
                };
                return HeadAction::Interpret {
                    recheck_after: st.countdown,
                };
            };
            // The interpreter asks again at the loop's next back edge.
            st.countdown = 1;
            st.entries += 1;
            st.entries
        };
        if entries == 1 {
            event!(&self.job.log, "entered {}", self.job.describe(slot));
        }
        if entries == threshold {
            // Entered this often from the interpreter: what surrounds the
            // loop is hot too.
            if let Some(parent) = self.job.sites[s].parent {
                if let Phase::Cold = self.slots[parent as usize].phase {
                    self.request(
                        parent,
                        format_args!("around #{slot}, whose code was entered {entries} times"),
                    );
                }
            }
        }
        let Phase::Ready(code) = &self.slots[s].phase else {
            unreachable!("checked above")
        };
        HeadAction::Ran(code.run(tape, ptr, io, budget))
    }
}
