//! One JIT tier's code for the page, from inspect's clif and asm views:
//! every function's CLIF (after Cranelift's optimizer: what is lowered) and
//! machine code as parallel columns (source byte, text), so each line links
//! to the IR op and source it came from; functions hottest first; the code
//! size of each hot loop; and the control-flow graphs to draw.

use super::cfg;
use super::heat::Loop;
use crate::inspect::asm::AsmView;
use crate::inspect::clif::ClifView;
use serde::Serialize;

/// One tier's code.
#[derive(Serialize)]
pub struct TierCode {
    /// `simple` or `opt`.
    pub tier: &'static str,
    /// Time to compile the whole program for this tier, in milliseconds
    /// (translation, Cranelift, code memory), as `bfjit run` does it.
    pub compile_ms: f64,
    /// Machine code bytes, all functions.
    pub bytes: usize,
    /// Machine instructions, all functions.
    pub instructions: usize,
    /// Functions, hottest first (those past the budget left out).
    pub functions: Vec<Function>,
    /// Functions left out to keep the page small.
    pub cut_functions: usize,
    /// The hot loops' code in this tier, hottest first.
    pub loops: Vec<LoopCode>,
}

/// One generated function.
#[derive(Serialize)]
pub struct Function {
    /// Cranelift's name for it.
    pub name: String,
    /// Whether it is the entry function.
    pub entry: bool,
    /// Machine code bytes.
    pub bytes: usize,
    /// Estimated instructions executed in the source it was made from.
    pub heat: f64,
    /// CLIF after Cranelift's optimizer: per line, the source byte of its
    /// op (-1: none).
    pub clif_at: Vec<i64>,
    /// The CLIF lines, joined by `\n`.
    pub clif: String,
    /// Per machine instruction, the source byte of its op (-1: none).
    pub asm_at: Vec<i64>,
    /// The instructions (`offset  text`), joined by `\n`.
    pub asm: String,
    /// Each instruction's size in bytes (for the loops' code sizes).
    #[serde(skip)]
    pub sizes: Vec<u32>,
    /// Its control-flow graph, when small enough to draw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg: Option<String>,
    /// Why there is no graph, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_note: Option<String>,
}

/// A hot loop's code in one tier.
#[derive(Serialize)]
pub struct LoopCode {
    /// The loop's `[` byte (its key in [`super::heat::Heat::loops`]).
    pub start: u32,
    /// Machine code bytes made from its source.
    pub bytes: usize,
    /// The function holding most of it.
    pub function: usize,
    /// The graph of its blocks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg: Option<String>,
    /// Why there is no graph, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_note: Option<String>,
}

/// Limits that keep a big program's page small.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// CLIF lines plus machine instructions, over all functions of a tier.
    pub lines: usize,
    /// Hot loops given a code size and a graph.
    pub loops: usize,
}

/// Builds one tier's code; `line_heat` weighs functions by the source lines
/// their code came from.
pub fn build(
    clif: &ClifView,
    asm: &AsmView,
    compile_ms: f64,
    loops: &[Loop],
    line_of: &dyn Fn(u32) -> usize,
    line_heat: &[f64],
    budget: Budget,
) -> TierCode {
    let count = asm.functions.len();
    let mut functions: Vec<Function> = clif
        .functions
        .iter()
        .zip(&asm.functions)
        .enumerate()
        .map(|(k, (c, a))| {
            let (clif_at, clif_text) = clif_lines(&c.after);
            let mut asm_at = Vec::with_capacity(a.instructions);
            let mut sizes = Vec::with_capacity(a.instructions);
            let mut text = String::new();
            for g in &a.groups {
                for i in &g.instructions {
                    asm_at.push(g.byte.map_or(-1, i64::from));
                    // Two hex digits a byte, one space between.
                    sizes.push(i.bytes.len().div_ceil(3) as u32);
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&format!("{:04x}  {}", i.offset, i.text));
                    if let Some(r) = &i.reloc {
                        text.push_str(&format!("  ; → {r}"));
                    }
                }
            }
            // A function's heat: the heat of the distinct lines it has code from.
            let mut seen: Vec<usize> = clif_at
                .iter()
                .filter(|&&b| b >= 0)
                .map(|&b| line_of(b as u32))
                .collect();
            seen.sort_unstable();
            seen.dedup();
            let heat = seen
                .iter()
                .map(|&l| line_heat.get(l).copied().unwrap_or(0.0))
                .sum();
            Function {
                name: c.name.clone(),
                entry: k == 0 && count > 1,
                bytes: a.bytes,
                heat,
                clif_at,
                clif: clif_text,
                asm_at,
                asm: text,
                sizes,
                cfg: None,
                cfg_note: None,
            }
        })
        .collect();
    functions.sort_by(|a, b| b.heat.total_cmp(&a.heat));
    // Keep the hottest functions within the line budget.
    let mut used = 0;
    let mut kept = 0;
    for f in &functions {
        let lines = f.clif_at.len() + f.asm_at.len();
        if kept > 0 && used + lines > budget.lines {
            break;
        }
        used += lines;
        kept += 1;
    }
    let cut_functions = functions.len() - kept;
    functions.truncate(kept);
    for f in &mut functions {
        let graph = cfg::parse(&f.clif, &f.clif_at);
        match cfg::draw(&graph, None) {
            Ok(svg) => f.cfg = Some(svg),
            Err(note) => f.cfg_note = Some(note),
        }
    }
    let loops = loops
        .iter()
        .take(budget.loops)
        .map(|l| loop_code(l, &functions))
        .collect();
    TierCode {
        tier: asm.tier,
        compile_ms,
        bytes: asm.functions.iter().map(|f| f.bytes).sum(),
        instructions: asm.functions.iter().map(|f| f.instructions).sum(),
        functions,
        cut_functions,
        loops,
    }
}

/// A hot loop's code size and graph, from the functions shown.
fn loop_code(l: &Loop, functions: &[Function]) -> LoopCode {
    let inside = |b: i64| b >= l.start as i64 && b < l.end as i64;
    let mut bytes = 0;
    let mut best = (0usize, 0usize);
    for (k, f) in functions.iter().enumerate() {
        let mine: usize = f
            .asm_at
            .iter()
            .zip(&f.sizes)
            .filter(|(&at, _)| inside(at))
            .map(|(_, &n)| n as usize)
            .sum();
        bytes += mine;
        if mine > best.1 {
            best = (k, mine);
        }
    }
    let (cfg, cfg_note) = match functions.get(best.0) {
        Some(f) if best.1 > 0 => {
            let graph = cfg::parse(&f.clif, &f.clif_at);
            match cfg::draw(&graph, Some((l.start, l.end))) {
                Ok(svg) => (Some(svg), None),
                Err(note) => (None, Some(note)),
            }
        }
        _ => (
            None,
            Some("no code of this loop in the functions shown".to_string()),
        ),
    };
    LoopCode {
        start: l.start,
        bytes,
        function: best.0,
        cfg,
        cfg_note,
    }
}

/// CLIF text as (source byte, line) columns: the `@hhhh` source location
/// Cranelift prints becomes the byte, and its padding is dropped.
pub fn clif_lines(text: &str) -> (Vec<i64>, String) {
    let mut at = Vec::new();
    let mut out = String::with_capacity(text.len() / 2);
    for line in text.lines() {
        let (byte, rest) = match line.strip_prefix('@') {
            Some(tail) => {
                let hex: String = tail.chars().take_while(char::is_ascii_hexdigit).collect();
                let byte = i64::from_str_radix(&hex, 16).unwrap_or(-1);
                (byte, &tail[hex.len()..])
            }
            None => (-1, line),
        };
        // Cranelift pads every instruction to a fixed column; keep its
        // indentation relative to the block headers only.
        let trimmed = rest.trim_start();
        let indent = if trimmed.starts_with("block")
            || trimmed.starts_with('}')
            || trimmed.starts_with("function")
        {
            ""
        } else if rest.len() != trimmed.len() || byte >= 0 {
            "    "
        } else {
            ""
        };
        at.push(byte);
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(indent);
        out.push_str(trimmed);
    }
    (at, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clif_source_locations_become_a_column() {
        let text = "function u0:7(i64) -> i64 system_v {\n    sig0 = (i64) system_v\n\n                                block0(v0: i64):\n@0012                               v4 = iconst.i64 1\n                                    return v4\n}";
        let (at, lines) = clif_lines(text);
        assert_eq!(at, vec![-1, -1, -1, -1, 0x12, -1, -1]);
        let lines: Vec<&str> = lines.lines().collect();
        assert_eq!(lines[3], "block0(v0: i64):");
        assert_eq!(lines[4], "    v4 = iconst.i64 1");
        assert_eq!(lines[5], "    return v4");
    }
}
