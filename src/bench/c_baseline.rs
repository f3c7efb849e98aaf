//! The C yardstick: the `-O2` IR emitted as C (`emit_c`), compiled with the
//! system C compiler at `-O2`, and run as a child process. It shows how close
//! each tier comes to an optimizing C compiler given the same IR.
//!
//! Its execution time is the child's wall time (or CPU time, by `--clock`),
//! so it includes process start-up (about a millisecond); its codegen time is emitting the C plus
//! the C compiler, measured once per program since the binary is reused.
//! A second C file, `memory::C_PROBE`, makes the binary report its own peak
//! memory growth, the figure the tiers report in-process.

use super::check::compare;
use super::child::{self, Scratch};
use super::clock::Clock;
use super::discovery::Case;
use super::memory::{parse_c_probe, C_PROBE};
use super::report::Status;
use super::runner::{Failure, Loaded, Sample, Settings};
use crate::emit_c::emit_c;
use ir_passes::io::EofMode;
use ir_passes::parse::parse;
use ir_passes::pipeline::Pipeline;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The `-O` level of the IR the C is emitted from.
const C_LEVEL: u8 = 2;

/// A working C compiler.
#[derive(Clone, Debug)]
pub struct CCompiler {
    /// The command (`cc` or `$CC` or `--cc`).
    pub command: String,
    /// The first line of `--version`, for the report.
    pub version: String,
}

impl CCompiler {
    /// Finds the compiler: `requested`, else `$CC`, else `cc`; `Err` says why
    /// none is usable.
    pub fn find(requested: Option<&str>) -> Result<CCompiler, String> {
        let command = requested
            .map(str::to_string)
            .or_else(|| std::env::var("CC").ok().filter(|s| !s.trim().is_empty()))
            .unwrap_or_else(|| "cc".to_string());
        let out = Command::new(&command)
            .arg("--version")
            .output()
            .map_err(|e| format!("no C compiler: cannot run '{command}': {e}"))?;
        if !out.status.success() {
            return Err(format!("no C compiler: '{command} --version' failed"));
        }
        let version = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        Ok(CCompiler { command, version })
    }
}

/// A compiled yardstick for one program.
pub struct CBinary {
    /// The executable.
    exe: PathBuf,
    /// Parse, passes and codegen (emit + cc) times; execution is zero.
    pub build: Sample,
}

/// Emits and compiles the program; `index` keeps file names apart.
pub fn build(
    cc: &CCompiler,
    loaded: &Loaded,
    settings: &Settings,
    scratch: &Scratch,
    index: usize,
) -> Result<CBinary, Failure> {
    let error = |message: String| Failure {
        status: Status::Error,
        message,
    };
    let clock = settings.clock;
    let t0 = clock.read();
    let program = parse(&loaded.name, &loaded.text, settings.cell)
        .map_err(|e| error(format!("malformed program: {e}")))?;
    let t1 = clock.read();
    let program = Pipeline::level(C_LEVEL).run(program, false).program;
    let t2 = clock.read();
    let c = emit_c(&program);
    let source = scratch.path(&format!("p{index}.c"));
    let probe = scratch.path("probe.c");
    let exe = scratch.path(&format!("p{index}"));
    std::fs::write(&source, c).map_err(|e| error(format!("cannot write C: {e}")))?;
    std::fs::write(&probe, C_PROBE).map_err(|e| error(format!("cannot write C: {e}")))?;
    let eof = match settings.target.eof {
        EofMode::Unchanged => 0,
        EofMode::Zero => 1,
        EofMode::Max => 2,
    };
    let mut cmd = Command::new(&cc.command);
    cmd.arg("-O2")
        .arg(format!("-DTAPE_SIZE={}L", settings.target.tape_size))
        .arg(format!("-DEOF_MODE={eof}"))
        .arg("-o")
        .arg(&exe)
        .arg(&source)
        .arg(&probe);
    let limit = settings.target.timeout.unwrap_or(Duration::from_secs(3600));
    let run = child::run(&mut cmd, None, limit, scratch).map_err(error)?;
    let t3 = clock.read();
    if run.timed_out {
        return Err(Failure {
            status: Status::Timeout,
            message: "the C compiler ran past the time limit".into(),
        });
    }
    if run.code != Some(0) {
        return Err(error(format!(
            "{} failed: {}",
            cc.command,
            run.stderr_line()
        )));
    }
    Ok(CBinary {
        exe,
        build: Sample {
            parse: t1 - t0,
            passes: t2 - t1,
            // The compiler's own time is the child's, by the same clock.
            codegen: t3 - t2
                + if clock == Clock::Cpu {
                    run.cpu
                } else {
                    Duration::ZERO
                },
            execution: Duration::ZERO,
            peak: None,
        },
    })
}

/// Runs the compiled yardstick once: its time and peak memory growth.
pub fn run_once(
    binary: &CBinary,
    case: &Case,
    loaded: &Loaded,
    settings: &Settings,
    scratch: &Scratch,
) -> Result<(Duration, Option<u64>), Failure> {
    let limit = settings.target.timeout.unwrap_or(Duration::from_secs(3600));
    let run = child::run(
        &mut Command::new(&binary.exe),
        case.input.as_deref(),
        limit,
        scratch,
    )
    .map_err(|message| Failure {
        status: Status::Error,
        message,
    })?;
    let failure = |status, message| Err(Failure { status, message });
    if run.timed_out {
        return failure(
            Status::Timeout,
            format!("time limit of {}s reached", limit.as_secs_f64()),
        );
    }
    match run.code {
        Some(0) => {}
        Some(code) => return failure(Status::Error, format!("exit {code}: {}", run.stderr_line())),
        None => return failure(Status::Error, "killed by a signal".into()),
    }
    if let Some(diff) = compare(&run.stdout, &loaded.expected) {
        return failure(Status::WrongOutput, diff);
    }
    let time = match settings.clock {
        Clock::Wall => run.wall,
        Clock::Cpu => run.cpu,
    };
    Ok((time, parse_c_probe(&run.stderr)))
}
