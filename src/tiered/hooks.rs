//! One tiered run's state, as the interpreter's loop-head hooks: heat, the
//! compile requests, the compiled code per loop, and the switch into it.
//!
//! **Heat is work.** The interpreter calls [`LoopHooks::at_head`] at a
//! loop's test when the countdown this hook gave the loop runs out (at
//! first after [`FIRST_LOOK`] back edges). Each call reports the loop's own
//! back edges since the last one; they count as heat for the loop *and for
//! every loop around it*, so an outer loop whose iterations run long inner
//! loops is as hot as the work it holds, not as its own few back edges
//! (mandelbrot's main loop took 1000 of those only after 345 ms). A loop
//! is requested at its own test once its heat reaches the threshold: an
//! outer loop is never asked for before it has iterated, so its code is
//! entered at its next iteration. How long a loop's countdown is depends on
//! the work its iterations were seen to hold: about [`LOOK`] back edges of
//! work between two looks (every iteration for an outer loop, every 256
//! back edges for a tight inner one), so looking costs the interpreter
//! little and outer loops are looked at as soon as they are hot.
//!
//! Requests wait in the compile thread's queue by their heat (see
//! [`Worker`]), so the loop holding the work is compiled before the small
//! loops inside it, which only help until it is. Once a loop's code is
//! here, every later look runs it from the test to the loop's exit with the
//! run's own tape, `Io` and `Budget`, and the interpreter carries on after
//! the loop. After an entry the interpreter looks again at the loop's next
//! back edge, so the next time the loop is reached it runs one iteration
//! interpreted and then switches; those iterations count as heat for the
//! loops around it, which get compiled in turn when entries are frequent.

use super::compiler::{Done, Heat, Job, Worker};
use super::log::event;
use crate::jit::JitCode;
use ir_passes::budget::Budget;
use ir_passes::cell::CellType;
use ir_passes::interp::hooks::{HeadAction, LoopHooks};
use ir_passes::io::Io;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Back edges before the first look at a loop (at most the threshold).
pub const FIRST_LOOK: u32 = 1;

/// Work (back edges, the loop's and its nested loops') between two looks
/// at a loop that is not compiled yet.
const LOOK: u64 = 256;

/// Work between two looks at a loop whose code is on its way: not every
/// edge (a look costs a call), not so rarely that the switch waits.
const RECHECK: u64 = 16;

/// A small loop's request still waiting for the compile thread after this
/// long is compiled by the interpreter's thread itself: on a machine whose
/// cores are all busy, a new thread can wait many milliseconds for one
/// (busybeaver once interpreted 20 ms waiting for a 2 ms compile), and the
/// interpreter's own core is then the only one there is.
const STEAL_AFTER: Duration = Duration::from_millis(2);

/// A requested loop is taken back only if, while it waited, at least this
/// share (1/n) of all the back edges the interpreter took were its own or
/// its nested loops': the loop is then where the run's time goes, and its
/// compile (about a millisecond on the interpreter's thread) stops that.
/// Without it, hanoi took back 13 small loops that had each done about
/// 1,000 back edges of work (microseconds of interpretation) while the run
/// was busy elsewhere, and compiled them on its own thread at 0.5–1.7 ms
/// each: more than the whole interpreted run's 10 ms of execution. A share,
/// not a count: busybeaver's one loop takes few back edges (its iterations
/// are long scans) but all of them.
const STEAL_SHARE: u64 = 2;

/// Source bytes of a loop small enough to be taken back (its compile takes
/// about a millisecond).
const STEAL_BYTES: u32 = 2048;

/// Source bytes of the largest loop compiled as a fragment (mandelbrot's
/// outermost loop is 11 KB and compiles in about 80 ms of CPU). Heat makes
/// a loop around all the work hot, and in a large program that can be the
/// whole program (lostkingdom's 2 MB game loop): its compile would take
/// seconds of the second core and end after the run.
const MAX_FRAGMENT_BYTES: u32 = 32 << 10;

/// In a large program that starts without the cheap passes
/// ([`Job::raw`]), a loop of at most this many bytes of source with no
/// loop inside (`[-]`, `[>>>>+<<<<-]`: what those passes make single ops)
/// needs [`SMALL_LOOP_HEAT`] times the threshold: each compile costs about
/// a millisecond, as much as 300,000 interpreted back edges of such a
/// loop, and lostkingdom's game otherwise compiled 476 of them (0.5 s of
/// compiling for a game the interpreter plays in 60 ms).
const SMALL_LOOP_BYTES: u32 = 64;

/// See [`SMALL_LOOP_BYTES`].
const SMALL_LOOP_HEAT: u64 = 256;

/// Looks at a requested loop between two readings of the clock.
const CLOCK_EVERY: u32 = 16;

/// How many enclosing loops a loop's heat is added to (deeper nests stop
/// there: a look stays cheap on pathological nesting).
const MAX_CLIMB: usize = 64;

/// Where a loop stands.
enum Phase {
    /// Not asked for.
    Cold,
    /// Asked for, not compiled yet.
    Requested {
        /// When it was asked for.
        since: Instant,
        /// Looks since the clock was last read.
        looks: u32,
        /// The loop's heat when it was asked for.
        heat: u64,
        /// The run's back edges ([`Tiering::edges`]) when it was asked for.
        edges: u64,
    },
    /// Compiled: entered at the loop test.
    Ready(JitCode),
    /// The compile failed, was skipped, or the thread is gone: interpreted
    /// for good.
    Failed,
}

impl Phase {
    /// Asked for now, with the loop's heat and the run's back edges.
    fn requested(heat: u64, edges: u64) -> Phase {
        Phase::Requested {
            since: Instant::now(),
            looks: 0,
            heat,
            edges,
        }
    }
}

/// One loop's state and counts.
struct Slot {
    phase: Phase,
    /// Back edges the interpreter took, as of its last call.
    interpreted: u64,
    /// Work per own back edge, on average over the run so far: a loop
    /// seen to hold long inner loops keeps being looked at often for a
    /// while after they are compiled (their work is not counted then).
    /// (It was the most seen between two looks; but nested loops report
    /// their work in chunks of up to `LOOK`, so one chunk landing in one
    /// iteration made a loop of short inner loops look heavy for good and
    /// be looked at every iteration: 4.4 M of mandelbrot-tiny's 4.8 M
    /// looks at `--jit-threshold 4000000000`, a third of its run.)
    weight: u64,
    /// The countdown the interpreter ran since the last call: what this
    /// hook last told it.
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
    /// Per loop, work: its own interpreted back edges and those of the
    /// loops inside it, as reported so far.
    heat: Arc<Heat>,
    /// Back edges of all loops reported so far (the run's interpreted
    /// work, each back edge once).
    edges: u64,
    worker: Option<Worker>,
    /// Whether starting the worker failed (then nothing more is compiled).
    no_worker: bool,
    in_flight: usize,
    /// Compiled code's back-edge countdown to its next budget check,
    /// carried from one entry to the next (see [`JitCode::run_fueled`]), so
    /// loops entered often for a few iterations each still check
    /// `--timeout` every [`Budget::interval`] back edges.
    fuel: u32,
}

impl Tiering {
    /// Hooks for a run of `job`'s program; `threshold` ≥ 1.
    pub fn new(job: Arc<Job>, threshold: u32, sync: bool) -> Tiering {
        let threshold = threshold.max(1);
        let slots = job
            .sites
            .iter()
            .map(|_| Slot {
                phase: Phase::Cold,
                interpreted: 0,
                weight: 1,
                countdown: threshold.min(FIRST_LOOK),
                entries: 0,
            })
            .collect();
        Tiering {
            heat: Arc::new(Heat::new(job.sites.len())),
            job,
            threshold,
            sync,
            slots,
            worker: None,
            no_worker: false,
            in_flight: 0,
            edges: 0,
            fuel: Budget::interval(),
        }
    }

    /// Asks for loop `slot` (compiles it now when synchronous).
    fn request(&mut self, slot: u32, why: std::fmt::Arguments<'_>) {
        let job = Arc::clone(&self.job);
        event!(&job.log, "request {} {why}", job.describe(slot));
        let heat = self.heat.get(slot);
        if self.sync {
            self.slots[slot as usize].phase = Phase::requested(heat, self.edges);
            let done = job.compile(slot);
            return self.receive(done);
        }
        if self.worker.is_none() && !self.no_worker {
            match Worker::spawn(Arc::clone(&job), Arc::clone(&self.heat)) {
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
            Phase::requested(heat, self.edges)
        } else {
            Phase::Failed
        };
    }

    fn receive(&mut self, done: Done) {
        let slot = &mut self.slots[done.slot as usize];
        slot.phase = match done.code {
            Ok(code) => {
                if let Some(w) = &self.worker {
                    w.mark_ready(done.slot);
                }
                Phase::Ready(code)
            }
            // Failed, or skipped (`SKIPPED`: an enclosing loop's code runs
            // it): interpreted when reached outside that code.
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

    /// Compiles loop `slot` on this thread if its request waited too long
    /// for the compile thread (see [`STEAL_AFTER`]) and it is small.
    fn steal_if_waiting(&mut self, slot: u32) {
        let s = slot as usize;
        let Phase::Requested {
            since,
            looks,
            heat: heat_then,
            edges: edges_then,
        } = &mut self.slots[s].phase
        else {
            return;
        };
        *looks += 1;
        if *looks < CLOCK_EVERY {
            return;
        }
        *looks = 0;
        let waited = since.elapsed();
        let gained = self.heat.get(slot).saturating_sub(*heat_then);
        let all = self.edges - *edges_then;
        let span = self.job.sites[s].span;
        if waited < STEAL_AFTER
            || gained.saturating_mul(STEAL_SHARE) < all
            || span.end - span.start > STEAL_BYTES
            || self.inside_compiled(slot)
        {
            return;
        }
        if self.worker.as_ref().is_some_and(|w| w.take_back(slot)) {
            self.in_flight -= 1;
            event!(
                &self.job.log,
                "taken back #{slot} after {:.2} ms waiting for the compile thread (its work {gained} of the run's {all} back edges meanwhile)",
                waited.as_secs_f64() * 1e3
            );
            let done = self.job.compile(slot);
            self.receive(done);
        }
    }

    /// Whether a loop around `slot` has code here, or has been asked for:
    /// then `slot` runs interpreted only in that loop's first iteration of
    /// each entry (or until that code comes), and compiling it is not
    /// worth a request nor a take-back. (factor's outer loop, asked for at
    /// its first back edge, otherwise had some thirty small loops inside
    /// it requested right after it and compiled on the interpreter's thread
    /// while it compiled, about a millisecond each.) A compile of the loop
    /// around that fails makes them requestable again.
    fn inside_compiled(&self, slot: u32) -> bool {
        let mut at = self.job.sites[slot as usize].parent;
        for _ in 0..MAX_CLIMB {
            let Some(p) = at else { return false };
            if let Phase::Ready(_) | Phase::Requested { .. } = self.slots[p as usize].phase {
                return true;
            }
            at = self.job.sites[p as usize].parent;
        }
        false
    }

    /// The heat at which loop `slot` is requested: the threshold, or more
    /// for a small innermost loop of a raw large program (see
    /// [`SMALL_LOOP_BYTES`]).
    fn threshold_of(&self, slot: u32) -> u64 {
        let threshold = u64::from(self.threshold);
        let s = slot as usize;
        let span = self.job.sites[s].span;
        let innermost = || match self.job.sites.get(s + 1) {
            // Loops are in pre-order: a loop inside comes right after.
            Some(next) => next.span.start >= span.end,
            None => true,
        };
        match self.job.raw && span.end - span.start <= SMALL_LOOP_BYTES && innermost() {
            true => threshold.saturating_mul(SMALL_LOOP_HEAT),
            false => threshold,
        }
    }

    /// Adds `work` to the heat of loop `slot` and of the loops around it.
    fn heat_up(&mut self, slot: u32, work: u64) {
        let mut at = Some(slot);
        for _ in 0..MAX_CLIMB {
            let Some(s) = at else { break };
            self.heat.add(s, work);
            at = self.job.sites[s as usize].parent;
        }
    }

    /// The end of the run: logs, per loop that was compiled, how often each
    /// engine ran it, and what was still compiling. The worker is dropped
    /// without waiting for it.
    pub fn finish(&mut self) {
        let Some(log) = self.job.log.clone() else {
            return;
        };
        // Compiles that finished since the last look (compiled code that ran
        // to the program's end looked at nothing): logged as compiled, not
        // as still compiling. Nothing is waited for.
        if self.in_flight > 0 {
            self.poll();
        }
        for (i, slot) in self.slots.iter().enumerate() {
            let state = match slot.phase {
                Phase::Cold => continue,
                Phase::Requested { .. } => "still compiling",
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
        self.threshold.min(FIRST_LOOK)
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
        // The countdown this hook set equals the interpreter's `back_edges`
        // argument; the slot keeps it so the log's counts need no argument.
        let ran = self.slots[s].countdown;
        self.slots[s].interpreted += u64::from(ran);
        self.edges += u64::from(ran);
        self.heat_up(slot, u64::from(ran));
        if self.in_flight > 0 {
            self.poll();
        }
        let threshold = self.threshold_of(slot);
        let heat = self.heat.get(slot);
        if let Phase::Cold = self.slots[s].phase {
            let span = self.job.sites[s].span;
            if heat >= threshold && span.end - span.start > MAX_FRAGMENT_BYTES {
                event!(
                    &self.job.log,
                    "too large to compile: {} ({} bytes of source)",
                    self.job.describe(slot),
                    span.end - span.start
                );
                self.slots[s].phase = Phase::Failed;
            } else if heat >= threshold && !self.inside_compiled(slot) {
                let own = self.slots[s].interpreted;
                self.request(
                    slot,
                    format_args!("heat {heat} (own back edges {own}, the rest nested)"),
                );
            }
        }
        if !self.sync {
            self.steal_if_waiting(slot);
        }
        let st = &mut self.slots[s];
        let Phase::Ready(code) = &st.phase else {
            // Work per back edge of this loop, on average: the next look
            // comes after about `LOOK` (`RECHECK`) back edges of work.
            st.weight = (heat / st.interpreted.max(1)).max(1);
            let per_edge = st.weight;
            let (budget_work, cap) = match st.phase {
                Phase::Cold => (LOOK, threshold.saturating_sub(heat).max(1)),
                Phase::Requested { .. } => (RECHECK, RECHECK),
                _ => (LOOK, LOOK),
            };
            st.countdown = (budget_work / per_edge).clamp(1, cap.min(LOOK)) as u32;
            return HeadAction::Interpret {
                recheck_after: st.countdown,
            };
        };
        // The interpreter asks again at the loop's next back edge.
        st.countdown = 1;
        st.entries += 1;
        if st.entries == 1 {
            event!(&self.job.log, "entered {}", self.job.describe(slot));
        }
        HeadAction::Ran(code.run_fueled(tape, ptr, io, budget, &mut self.fuel))
    }
}
