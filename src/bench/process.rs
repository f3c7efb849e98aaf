//! Contenders run as whole processes (the C yardstick, external
//! implementations): built once per program, then run `warmup + runs` times
//! with the program's input on stdin, each run's stdout checked against the
//! expected output and its time taken by the `--clock` (wall time from spawn
//! to exit, or the user + system time `wait4` reports, the process's own
//! children included).

use super::check::compare;
use super::child::{self, ChildRun, Scratch};
use super::clock::Clock;
use super::discovery::Case;
use super::progress::Progress;
use super::report::{Status, TierResult};
use super::runner::{Failure, Loaded, Sample, Settings};
use super::suite::{result_of, SuiteConfig};
use std::ffi::OsString;
use std::process::Command;
use std::time::Duration;

/// The exit status `sh` gives a command it cannot find.
const NOT_FOUND: i32 = 127;

/// A contender built for one program: how to run it, and what building it
/// cost (repeated in every sample, so all columns summarize the same number
/// of samples).
pub struct Built {
    /// The program and arguments of one run.
    pub argv: Vec<OsString>,
    /// The build's phases; `execution` is unused.
    pub build: Sample,
    /// Reads the run's peak memory growth from its stderr, for processes
    /// that report it (the C yardstick's probe).
    pub memory: Option<fn(&str) -> Option<u64>>,
}

/// The time of a finished child by the clock.
pub fn child_time(run: &ChildRun, clock: Clock) -> Duration {
    match clock {
        Clock::Wall => run.wall,
        Clock::Cpu => run.cpu,
    }
}

/// Why a finished child does not count, if it does not: killed at the time
/// limit, a non-zero exit (127: the command was not found), or a signal.
/// `what` names the child in messages ("the build command").
pub fn child_failure(run: &ChildRun, what: &str, limit: Duration) -> Option<Failure> {
    let fail = |status, message| Some(Failure { status, message });
    if run.timed_out {
        return fail(
            Status::Timeout,
            format!("{what} reached the time limit of {}s", limit.as_secs_f64()),
        );
    }
    match run.code {
        Some(0) => None,
        Some(NOT_FOUND) => fail(
            Status::Error,
            format!("{what}: command not found: {}", run.stderr_line()),
        ),
        Some(code) => fail(
            Status::Error,
            format!("{what} exited with {code}: {}", run.stderr_line()),
        ),
        None => fail(Status::Error, format!("{what} was killed by a signal")),
    }
}

/// Runs the built contender `warmup + runs` times and summarizes the timed
/// runs; the first failure ends the measurement.
pub fn measure(
    label: String,
    built: Result<Built, Failure>,
    case: &Case,
    loaded: &Loaded,
    config: &SuiteConfig,
    scratch: &Scratch,
    progress: &Progress,
) -> TierResult {
    let (warmup, runs, settings) = (config.warmup, config.runs, &config.settings);
    let built = match built {
        Ok(b) => b,
        Err(f) => return result_of(label, &[], Some(f)),
    };
    let mut samples = Vec::new();
    for i in 0..warmup + runs {
        let warm = i < warmup;
        progress.step(warm, i, warmup, runs);
        match run_once(&built, case, loaded, settings, scratch) {
            Ok(_) if warm => {}
            Ok((time, peak, first_byte)) => samples.push(Sample {
                execution: time,
                peak,
                first_byte,
                ..built.build
            }),
            Err(f) => return result_of(label, &samples, Some(f)),
        }
    }
    result_of(label, &samples, None)
}

/// One checked run: its time, peak memory growth, and (by the wall clock)
/// when its first output byte came.
fn run_once(
    built: &Built,
    case: &Case,
    loaded: &Loaded,
    settings: &Settings,
    scratch: &Scratch,
) -> Result<(Duration, Option<u64>, Option<Duration>), Failure> {
    let Some((program, args)) = built.argv.split_first() else {
        return Err(Failure {
            status: Status::Error,
            message: "no command to run".into(),
        });
    };
    let mut cmd = Command::new(program);
    cmd.args(args);
    let run = child::run(&mut cmd, case.input.as_deref(), settings.timeout, scratch).map_err(
        |message| Failure {
            status: Status::Error,
            message,
        },
    )?;
    if let Some(f) = child_failure(&run, "the run", settings.timeout) {
        return Err(f);
    }
    if let Some(diff) = compare(&run.stdout, &loaded.expected) {
        return Err(Failure {
            status: Status::WrongOutput,
            message: diff,
        });
    }
    let peak = built.memory.and_then(|read| read(&run.stderr));
    let first_byte = run.first_byte.filter(|_| settings.clock == Clock::Wall);
    Ok((child_time(&run, settings.clock), peak, first_byte))
}
