//! The clock phases are timed with: wall time, or the CPU time of the bench
//! process, all its threads (of the child, for the C yardstick). On a
//! shared, loaded machine CPU time is the steadier figure, since time spent
//! waiting for a core is not counted. All threads, not the measuring one:
//! the JIT compiles a program's functions on several threads, and the auto
//! tier compiles loops on a background thread; the measuring thread's
//! clock would leave their work out.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Which clock times the phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Clock {
    /// Elapsed real time.
    Wall,
    /// CPU time of the process, all threads (user + system).
    Cpu,
}

impl Clock {
    /// The name reports use.
    pub fn name(self) -> &'static str {
        match self {
            Clock::Wall => "wall",
            Clock::Cpu => "cpu",
        }
    }

    /// The current reading; only differences between readings mean anything.
    pub fn read(self) -> Duration {
        match self {
            Clock::Wall => {
                static ANCHOR: OnceLock<Instant> = OnceLock::new();
                ANCHOR.get_or_init(Instant::now).elapsed()
            }
            Clock::Cpu => process_cpu_time(),
        }
    }
}

/// CPU time consumed by the process, all threads together.
fn process_cpu_time() -> Duration {
    // SAFETY: `ts` is a plain struct the kernel fills in.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: plain system call with a valid pointer.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if r != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        ts.tv_sec.max(0) as u64,
        ts.tv_nsec.clamp(0, 999_999_999) as u32,
    )
}

/// CPU time (user + system) of every child process this process has
/// waited for, and their waited-for descendants, so far: the difference
/// across a call that runs and waits for a child (the linker) is that
/// child's CPU time, which the process's clock does not see.
pub fn children_cpu_time() -> Duration {
    // SAFETY: `usage` is a plain struct the kernel fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: plain system call with a valid pointer.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn both_clocks_advance_while_working() {
        for clock in [Clock::Wall, Clock::Cpu] {
            let start = clock.read();
            let mut x = 0u64;
            for i in 0..5_000_000u64 {
                x = std::hint::black_box(x.wrapping_add(i * i));
            }
            assert!(clock.read() > start, "{clock:?} {x}");
        }
    }
}
