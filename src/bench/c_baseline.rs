//! The C yardstick: the `-O2` IR emitted as C (`emit_c`), compiled with the
//! system C compiler at `-O2`, and run as a child process. It shows how close
//! each tier comes to an optimizing C compiler given the same IR.
//!
//! It runs as a process (`process.rs`): its execution time is the child's
//! wall time (or CPU time, by `--clock`), so it includes process start-up
//! (about a millisecond); its codegen time is emitting the C plus the C
//! compiler, measured once per program since the binary is reused.
//! A second C file, `memory::C_PROBE`, makes the binary report its own peak
//! memory growth, the figure the tiers report in-process.

use super::child::{self, Scratch};
use super::clock::Clock;
use super::memory::{parse_c_probe, C_PROBE};
use super::process::{child_failure, Built};
use super::report::Status;
use super::runner::{parse_and_optimize, Failure, Loaded, Prepared, Sample, Settings};
use crate::emit_c::emit_c;
use ir_passes::io::EofMode;
use ir_passes::pipeline::Pipeline;
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

/// Emits and compiles the program; `index` keeps file names apart.
pub fn build(
    cc: &CCompiler,
    loaded: &Loaded,
    settings: &Settings,
    scratch: &Scratch,
    index: usize,
) -> Result<Built, Failure> {
    let error = |message: String| Failure {
        status: Status::Error,
        message,
    };
    let clock = settings.clock;
    let Prepared {
        program,
        parse,
        passes,
    } = parse_and_optimize(loaded, settings, |_| Pipeline::level(C_LEVEL))?;
    let t2 = clock.read();
    let c = emit_c(&program);
    let source = scratch.path(&format!("p{index}.c"));
    let probe = scratch.path("probe.c");
    let exe = scratch.path(&format!("p{index}"));
    std::fs::write(&source, c).map_err(|e| error(format!("cannot write C: {e}")))?;
    std::fs::write(&probe, C_PROBE).map_err(|e| error(format!("cannot write C: {e}")))?;
    let eof = match settings.eof {
        EofMode::Unchanged => 0,
        EofMode::Zero => 1,
        EofMode::Max => 2,
    };
    let mut cmd = Command::new(&cc.command);
    cmd.arg("-O2")
        .arg(format!("-DTAPE_SIZE={}L", settings.tape_size))
        .arg(format!("-DEOF_MODE={eof}"))
        .arg("-o")
        .arg(&exe)
        .arg(&source)
        .arg(&probe);
    let run = child::run(&mut cmd, None, settings.timeout, scratch).map_err(error)?;
    let t3 = clock.read();
    if let Some(f) = child_failure(&run, &cc.command, settings.timeout) {
        return Err(f);
    }
    Ok(Built {
        argv: vec![exe.into_os_string()],
        build: Sample {
            parse: Some(parse),
            passes: Some(passes),
            // The compiler's own time is the child's, by the same clock.
            codegen: Some(
                t3 - t2
                    + if clock == Clock::Cpu {
                        run.cpu
                    } else {
                        Duration::ZERO
                    },
            ),
            execution: Duration::ZERO,
            peak: None,
            first_byte: None,
        },
        memory: Some(parse_c_probe),
    })
}
