//! The shared BF corpus (`../shared/bf-corpus` beside the repository, or
//! `BFJIT_CORPUS`): its folders, its manifest, and the expected output of
//! each program under each convention.

use crate::io::EofMode;
use crate::ir::CellWidth;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Programs the corpus manifest says execute more BF commands than this are
/// "slow": they run only in the release-mode `--ignored` pass that CI makes.
pub const SLOW_COMMANDS: u64 = 300_000_000;

/// The repository root (the workspace folder holding `ir-passes/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("ir-passes sits inside the workspace")
        .to_path_buf()
}

/// The corpus folder (`BFJIT_CORPUS` overrides `../shared/bf-corpus`), or
/// `None` with a printed reason when it is absent.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("BFJIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/bf-corpus"));
    if dir.join("MANIFEST.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: no BF corpus at {} (set BFJIT_CORPUS)",
            dir.display()
        );
        None
    }
}

/// The `.b` files of a corpus folder (`bench`, `errors`, ...), sorted; none
/// when there is no corpus.
pub fn programs(folder: &str) -> Vec<PathBuf> {
    corpus().map_or_else(Vec::new, |dir| b_files(&dir.join(folder)))
}

/// The `.b` files directly in `dir`, sorted.
pub fn b_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "b"));
    files.sort();
    files
}

/// One manifest row, the fields tests use.
#[derive(Clone, Debug, Default)]
pub struct ManifestEntry {
    /// Expected exit status under the default conventions.
    pub exit: i32,
    /// BF commands the reference executed (0 when unknown).
    pub commands: u64,
    /// The reference's error position `line:col`, for programs that fail.
    pub error_at: Option<String>,
    /// Exit statuses that differ from `exit` under another convention, keyed
    /// by variant (`e-1` for `--eof max`, `c16`, ...), from the conventions column.
    pub variant_exit: HashMap<String, i32>,
}

impl ManifestEntry {
    /// The exit status expected under a variant's convention ("" = default).
    pub fn exit_for(&self, variant: &str) -> i32 {
        self.variant_exit.get(variant).copied().unwrap_or(self.exit)
    }

    /// Whether the program runs too long for a debug-build test.
    pub fn is_slow(&self) -> bool {
        self.commands >= SLOW_COMMANDS
    }
}

/// `e-1:differs(exit 3)` → `("e-1", 3)` for every such clause.
fn variant_exits(conventions: &str) -> HashMap<String, i32> {
    conventions
        .split([';', '|'])
        .filter_map(|clause| {
            let (variant, rest) = clause.trim().split_once(':')?;
            let code = rest.split_once("(exit ")?.1.split(')').next()?;
            Some((variant.to_string(), code.trim().parse().ok()?))
        })
        .collect()
}

/// The corpus manifest, keyed by relative path (`bench/hanoi.b`).
pub fn manifest(corpus: &Path) -> HashMap<String, ManifestEntry> {
    let text = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let conventions = col("conventions").expect("conventions column");
    let (path, exit, commands, exercises) = (
        col("path").expect("path column"),
        col("expected_exit").expect("expected_exit column"),
        col("bf_commands_executed").expect("bf_commands_executed column"),
        col("exercises").expect("exercises column"),
    );
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f.len() > exercises)
        .map(|f| {
            let error_at = f[exercises]
                .split_once("refbf stderr: ")
                .and_then(|(_, msg)| position_in(msg));
            let entry = ManifestEntry {
                exit: f[exit].parse().unwrap_or(0),
                commands: f[commands].parse().unwrap_or(0),
                error_at,
                variant_exit: variant_exits(f[conventions]),
            };
            (f[path].to_string(), entry)
        })
        .collect()
}

/// The `line:col` in a message like `refbf: errors/x.b:7:3: pointer moved ...`.
fn position_in(msg: &str) -> Option<String> {
    let after_name = msg.split(".b:").nth(1)?;
    let mut parts = after_name.splitn(3, ':');
    let (line, col) = (parts.next()?, parts.next()?);
    (line.parse::<u32>().is_ok() && col.parse::<u32>().is_ok()).then(|| format!("{line}:{col}"))
}

/// The corpus-relative path of a program (`bench/hanoi.b`).
pub fn relative(corpus: &Path, program: &Path) -> String {
    program
        .strip_prefix(corpus)
        .unwrap_or(program)
        .to_string_lossy()
        .into_owned()
}

/// A program with an expected output under some conventions.
#[derive(Clone, Debug)]
pub struct Case {
    /// The `.b` file.
    pub program: PathBuf,
    /// Its stdin, if a `.in` file exists.
    pub input: Option<PathBuf>,
    /// The expected stdout file.
    pub expected: PathBuf,
    /// Extra `bfjit run` arguments for the convention the expected output
    /// assumes (`--eof zero` for `.out.e0`, `--cell 16` for `.out.c16`, ...).
    pub args: Vec<String>,
    /// The variant name (`""`, `e0`, `e-1`, `c16`, `c32`).
    pub variant: &'static str,
    /// The expected exit status.
    pub exit: i32,
}

impl Case {
    /// The bytes the case feeds to `,` (none without a `.in` file).
    pub fn input_bytes(&self) -> Vec<u8> {
        self.input
            .as_ref()
            .map_or_else(Vec::new, |p| std::fs::read(p).expect("read input"))
    }

    /// The cell width and EOF convention the expected output assumes.
    pub fn conventions(&self) -> (CellWidth, EofMode) {
        match self.variant {
            "e0" => (CellWidth::U8, EofMode::Zero),
            "e-1" => (CellWidth::U8, EofMode::Max),
            "c16" => (CellWidth::U16, EofMode::Unchanged),
            "c32" => (CellWidth::U32, EofMode::Unchanged),
            _ => (CellWidth::U8, EofMode::Unchanged),
        }
    }
}

/// Every program in `dir` with a `NAME.out` (and each `NAME.out.VARIANT`),
/// expected to exit 0.
pub fn cases(dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    for program in b_files(dir) {
        let input = Some(program.with_extension("in")).filter(|p| p.is_file());
        for (variant, args) in VARIANTS {
            let suffix = if variant.is_empty() {
                String::new()
            } else {
                format!(".{variant}")
            };
            let expected = PathBuf::from(format!(
                "{}{suffix}",
                program.with_extension("out").display()
            ));
            if expected.is_file() {
                out.push(Case {
                    program: program.clone(),
                    input: input.clone(),
                    expected,
                    args: args.iter().map(|s| s.to_string()).collect(),
                    variant,
                    exit: 0,
                });
            }
        }
    }
    out
}

/// The cases of a corpus folder, fast or slow according to the manifest,
/// each with the exit status the manifest expects; none without a corpus.
pub fn corpus_cases(folder: &str, slow: bool) -> Vec<Case> {
    let Some(dir) = corpus() else {
        return Vec::new();
    };
    let manifest = manifest(&dir);
    let all = cases(&dir.join(folder));
    assert!(
        !all.is_empty(),
        "no programs with expected output in {folder}"
    );
    all.into_iter()
        .filter_map(|mut c| {
            let entry = manifest
                .get(&relative(&dir, &c.program))
                .cloned()
                .unwrap_or_default();
            c.exit = entry.exit_for(c.variant);
            (entry.is_slow() == slow).then_some(c)
        })
        .collect()
}

/// Expected-output variants and the options that select their convention.
const VARIANTS: &[(&str, &[&str])] = &[
    ("", &[]),
    ("e0", &["--eof", "zero"]),
    ("e-1", &["--eof", "max"]),
    ("c16", &["--cell", "16"]),
    ("c32", &["--cell", "32"]),
];
