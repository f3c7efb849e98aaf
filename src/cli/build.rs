//! `bfjit build`: a program as a standalone executable (see `crate::build`),
//! or one of the intermediate forms (`--emit`).

use super::args::{Conventions, Optimization};
use super::message::error;
use crate::build::{executable, info::eof_name, link, object, BuildInfo};
use crate::emit_c::emit_c;
use crate::exit_status;
use crate::inspect::{Options, View};
use crate::jit::{CodeConfig, Limits};
use crate::load::load;
use crate::tier::Tier;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

/// `bfjit build`.
#[derive(Args, Debug)]
pub struct BuildArgs {
    /// The BF program.
    pub file: PathBuf,
    /// Where to write the result (default: FILE without `.b` for an
    /// executable, with `.o` or `.c` for `--emit obj` or `c`; stdout for the
    /// text forms).
    #[arg(short = 'o', value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// What to make.
    #[arg(long, value_enum, default_value = "exe")]
    pub emit: Emit,
    /// Conventions, fixed in the executable.
    #[command(flatten)]
    pub conventions: Conventions,
    /// Pass selection.
    #[command(flatten)]
    pub optimization: Optimization,
}

/// `--emit` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// A standalone executable (linked with the system C compiler).
    Exe,
    /// The program's object file alone (it imports the `bfjit_*` runtime).
    Obj,
    /// The C yardstick: the optimized IR as a C program, compilable as written.
    C,
    /// Cranelift IR of the opt tier's code.
    Clif,
    /// The opt tier's machine code, disassembled.
    Asm,
    /// What the executable would be built with.
    Info,
}

/// Runs `bfjit build` and returns the exit status.
pub fn run(args: &BuildArgs) -> u8 {
    match build(args) {
        Ok(()) => exit_status::OK,
        Err((message, code)) => {
            error(message);
            code
        }
    }
}

fn build(args: &BuildArgs) -> Result<(), (String, u8)> {
    let usage = |e: String| (e, exit_status::USAGE);
    let pipeline = args.optimization.pipeline(Tier::Opt).map_err(usage)?;
    let out = output_path(args);
    if let Some(out) = &out {
        link::check_output(out).map_err(usage)?;
    }
    let program = load(&args.file, args.conventions.cell_width())
        .map_err(|e| (e.to_string(), e.exit_code()))?;
    let target = args.conventions.target(None);
    let info = BuildInfo {
        file: program.source.name().to_string(),
        optimization: optimization_text(&args.optimization),
        passes: pipeline.names().iter().map(|s| s.to_string()).collect(),
        cell_bits: program.cell.bits(),
        eof: target.eof,
        tape_size: target.tape_size,
    };
    if args.emit == Emit::Info {
        return write_text(out.as_deref(), info.text().as_bytes()).map_err(usage);
    }
    let program = pipeline.run(program, false).program;
    match args.emit {
        Emit::Exe => {
            let out = out.expect("an executable always has an output path");
            executable(&program, &target, &info, &out).map_err(usage)
        }
        Emit::Obj => {
            let object = object::object(&program, &target, &info).map_err(usage)?;
            write_text(out.as_deref(), &object).map_err(usage)
        }
        Emit::C => {
            let header = format!(
                "/* bfjit build --emit c: {} --cell {} --eof {} --tape-size {} */\n\
                 #define TAPE_SIZE {}L\n#define EOF_MODE {}\n",
                info.optimization,
                info.cell_bits,
                eof_name(info.eof),
                info.tape_size,
                info.tape_size,
                crate::build::info::eof_code(info.eof)
            );
            let text = header + &emit_c(&program);
            write_text(out.as_deref(), text.as_bytes()).map_err(usage)
        }
        Emit::Clif | Emit::Asm => {
            let options = Options {
                views: vec![match args.emit {
                    Emit::Clif => View::Clif,
                    _ => View::Asm,
                }],
                tier: Tier::Opt,
                diff: false,
                source: false,
                times: false,
                vcode: false,
                code: CodeConfig {
                    limits: Limits::Unlimited,
                    tape_size: target.tape_size,
                },
                top: 0,
                json: false,
            };
            let text = match args.emit {
                Emit::Clif => crate::inspect::clif::build(&program, &options).map(|v| v.text()),
                _ => crate::inspect::asm::build(&program, &options).map(|v| v.text()),
            }
            .map_err(usage)?;
            write_text(out.as_deref(), text.as_bytes()).map_err(usage)
        }
        Emit::Info => unreachable!("handled above"),
    }
}

/// Where the result goes: `-o`, else the default for the form (`None`:
/// stdout).
fn output_path(args: &BuildArgs) -> Option<PathBuf> {
    if let Some(o) = &args.output {
        return Some(o.clone());
    }
    let stem = match args.file.extension().is_some_and(|e| e == "b" || e == "bf") {
        true => args.file.with_extension(""),
        false => {
            let mut name = args.file.clone().into_os_string();
            name.push(".out");
            PathBuf::from(name)
        }
    };
    match args.emit {
        Emit::Exe => Some(stem),
        Emit::Obj => Some(stem.with_extension("o")),
        Emit::C => Some(stem.with_extension("c")),
        Emit::Clif | Emit::Asm | Emit::Info => None,
    }
}

/// The optimization options in `bfjit run`'s spelling.
fn optimization_text(o: &Optimization) -> String {
    let mut text = match &o.passes {
        Some(names) => format!("--passes {}", names.join(",")),
        None => format!("-O{}", o.level.unwrap_or(2)),
    };
    for name in &o.no_pass {
        text.push_str(&format!(" --no-pass {name}"));
    }
    text
}

/// Writes `bytes` to `out`, or stdout (a closed stdout is not an error).
fn write_text(out: Option<&Path>, bytes: &[u8]) -> Result<(), String> {
    match out {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(bytes).and_then(|()| stdout.flush());
            Ok(())
        }
    }
}
