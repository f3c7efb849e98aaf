//! Writes the C yardstick of a program (optimized at -O2) to stdout:
//! `cargo run --release --example emit_c -- FILE [-O LEVEL] [--cell BITS]`.

use bfjit::emit_c::emit_c;
use ir_passes::ir::CellWidth;
use ir_passes::pipeline::Pipeline;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args
        .first()
        .ok_or("usage: emit_c FILE [-O LEVEL] [--cell BITS]")?;
    let option = |name: &str| {
        args.windows(2)
            .find(|w| w[0] == name)
            .and_then(|w| w[1].parse::<u32>().ok())
    };
    let level = option("-O").unwrap_or(2) as u8;
    let cell = CellWidth::from_bits(option("--cell").unwrap_or(8)).ok_or("bad --cell")?;
    let program = bfjit::load::load(std::path::Path::new(file), cell).map_err(|e| e.to_string())?;
    let program = Pipeline::level(level).run(program, false).program;
    print!("{}", emit_c(&program));
    Ok(())
}
