//! Which programs the suite runs: every `NAME.b` with a `NAME.out` (its
//! expected stdout) and optionally a `NAME.in` (its stdin), in the folders and
//! files given, or by default in `bf-programs/` and the corpus's `bench/`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// One program with its expected output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The name reports use: the folder name and the file stem
    /// (`bench/mandelbrot`), which stays short and unambiguous.
    pub name: String,
    /// The `.b` file.
    pub program: PathBuf,
    /// The `.in` file, when there is one.
    pub input: Option<PathBuf>,
    /// The `.out` file.
    pub expected: PathBuf,
}

impl Case {
    /// The case for `program` if a `NAME.out` sits beside it.
    pub fn for_program(program: &Path) -> Option<Case> {
        let expected = program.with_extension("out");
        if !expected.is_file() {
            return None;
        }
        let input = Some(program.with_extension("in")).filter(|p| p.is_file());
        let stem = program.file_stem()?.to_string_lossy().into_owned();
        let name = match program.parent().and_then(Path::file_name) {
            Some(dir) => format!("{}/{stem}", dir.to_string_lossy()),
            None => stem,
        };
        Some(Case {
            name,
            program: program.to_path_buf(),
            input,
            expected,
        })
    }
}

/// The folders `bfjit bench` uses when given no paths: `bf-programs/` and
/// the corpus's `bench/`, each looked up relative to the current directory
/// first and to the repository bfjit was built from second.
pub fn default_paths() -> Vec<PathBuf> {
    let cwd = PathBuf::from(".");
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    if let Some(dir) = [&cwd, &repo]
        .iter()
        .map(|root| root.join("bf-programs"))
        .find(|d| d.is_dir())
    {
        out.push(dir);
    }
    let corpus = match std::env::var_os("BFJIT_CORPUS") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => [&cwd, &repo]
            .iter()
            .map(|root| root.join("../shared/bf-corpus"))
            .find(|d| d.is_dir()),
    };
    if let Some(bench) = corpus.map(|c| c.join("bench")).filter(|d| d.is_dir()) {
        out.push(bench);
    }
    out
}

/// The cases under `paths`: a folder contributes every `.b` file in it (not
/// recursively) that has a `.out`, in name order; a file contributes itself.
/// A path that does not exist, or a file with no `.out`, is an error, since
/// the user asked for it by name. The same file given twice runs once.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Case>, String> {
    let mut seen = HashSet::new();
    let mut cases = Vec::new();
    for path in paths {
        let found = if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut programs: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "b") && p.is_file())
                .collect();
            programs.sort();
            programs
                .iter()
                .filter_map(|p| Case::for_program(p))
                .collect()
        } else if path.is_file() {
            vec![Case::for_program(path).ok_or_else(|| {
                format!(
                    "{}: no expected output {} beside it",
                    path.display(),
                    path.with_extension("out").display()
                )
            })?]
        } else {
            return Err(format!("{}: no such file or folder", path.display()));
        };
        for case in found {
            let key = std::fs::canonicalize(&case.program).unwrap_or(case.program.clone());
            if seen.insert(key) {
                cases.push(case);
            }
        }
    }
    Ok(cases)
}
