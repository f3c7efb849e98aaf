//! Runs compared with an earlier one: `--save NAME` keeps a report,
//! `--compare NAME` (or a JSON file of either schema) loads it, and each
//! program and contender both runs measured successfully gets the change of
//! its median execution time in percent, flagged only when it is larger than
//! the noise of the two runs — as criterion and hyperfine report changes.
//!
//! The noise of one side is its execution times' relative standard
//! deviation (std dev / mean), or for a single run of schema 1, which kept
//! no deviation, half its min–max range over the median. The noise band is
//! twice the two sides' noises combined (`2·√(a² + b²)`, about a 95%
//! interval for normal noise) and never under [`NOISE_FLOOR_PCT`], since
//! runs a percent or two apart are indistinguishable on any machine.

use super::report::{Report, Status};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The smallest change ever flagged, in percent (criterion's default
/// noise threshold).
pub const NOISE_FLOOR_PCT: f64 = 2.0;

/// Where `--save NAME` writes and `--compare NAME` reads: `$BFJIT_BENCH_DIR`,
/// else `.bfjit-bench/` in the current directory.
pub fn saved_dir() -> PathBuf {
    std::env::var_os("BFJIT_BENCH_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| PathBuf::from(".bfjit-bench"), PathBuf::from)
}

/// The file of the saved run `name`; names are letters, digits, `-`, `_`,
/// `.` (no folders).
pub fn saved_path(name: &str) -> Result<PathBuf, String> {
    let valid = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    if name.is_empty() || name.starts_with('.') || !name.chars().all(valid) {
        return Err(format!(
            "'{name}' is not a run name: use letters, digits, '-', '_' and '.'"
        ));
    }
    Ok(saved_dir().join(format!("{name}.json")))
}

/// Writes the report's JSON as the saved run `name`; returns the file.
pub fn save(name: &str, json: &str) -> Result<PathBuf, String> {
    let path = saved_path(name)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// An earlier run: just what the comparison reads, from schema 1 or 2.
#[derive(Clone, Debug, Deserialize)]
pub struct Earlier {
    /// Where it was read from (not in the file).
    #[serde(skip)]
    pub path: String,
    /// Its layout version.
    pub schema: String,
    /// The revision it measured.
    #[serde(default)]
    pub git_revision: Option<String>,
    /// Its programs.
    pub programs: Vec<EarlierProgram>,
}

/// A program of an earlier run.
#[derive(Clone, Debug, Deserialize)]
pub struct EarlierProgram {
    /// Its short name.
    pub name: String,
    /// Its results.
    pub results: Vec<EarlierResult>,
}

/// A result of an earlier run.
#[derive(Clone, Debug, Deserialize)]
pub struct EarlierResult {
    /// The contender's label.
    pub contender: String,
    /// `ok` or a failure.
    pub status: String,
    /// The execution statistics.
    pub execution: Option<EarlierStats>,
}

/// Execution statistics of an earlier run (schema 1 has no mean or std dev).
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct EarlierStats {
    /// The median.
    pub median_s: f64,
    /// The fastest run.
    pub min_s: f64,
    /// The slowest run.
    pub max_s: f64,
    /// The mean (schema 2).
    #[serde(default)]
    pub mean_s: Option<f64>,
    /// The standard deviation (schema 2, two runs or more).
    #[serde(default)]
    pub stddev_s: Option<f64>,
}

impl EarlierStats {
    /// Relative noise as described in the module documentation.
    fn noise(&self) -> f64 {
        match (self.stddev_s, self.mean_s) {
            (Some(sd), Some(mean)) if mean > 0.0 => sd / mean,
            _ if self.median_s > 0.0 => (self.max_s - self.min_s) / (2.0 * self.median_s),
            _ => 0.0,
        }
    }
}

/// Loads `spec`: a JSON file if one exists at that path, else the saved
/// run of that name. Called before the suite runs, so a typo costs nothing.
pub fn load(spec: &str) -> Result<Earlier, String> {
    let path = if Path::new(spec).is_file() {
        PathBuf::from(spec)
    } else {
        let path = saved_path(spec).map_err(|e| format!("--compare: no file '{spec}', and {e}"))?;
        if !path.is_file() {
            return Err(format!(
                "--compare {spec}: no such file, nor a saved run {} (save one with --save {spec})",
                path.display()
            ));
        }
        path
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut earlier: Earlier = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a bfjit bench report: {e}", path.display()))?;
    if !earlier.schema.starts_with("bfjit-bench/") {
        return Err(format!(
            "{}: schema '{}' is not a bfjit bench report",
            path.display(),
            earlier.schema
        ));
    }
    earlier.path = path.display().to_string();
    Ok(earlier)
}

/// The change of every program and contender measured successfully in both
/// runs.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The earlier report's file.
    pub against: String,
    /// The revision it measured.
    pub against_revision: Option<String>,
    /// One entry per program and contender present and `ok` in both.
    pub changes: Vec<Change>,
}

/// What a change amounts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Faster by more than the noise.
    Faster,
    /// Slower by more than the noise.
    Slower,
    /// Within the noise: no change shown.
    WithinNoise,
}

/// One program on one contender, then and now.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// The program's short name.
    pub program: String,
    /// The contender's label.
    pub contender: String,
    /// The earlier median execution time.
    pub old_median_s: f64,
    /// This run's median execution time.
    pub new_median_s: f64,
    /// `(new / old − 1) · 100`: negative is faster.
    pub change_pct: f64,
    /// The noise band in percent; changes inside it are not flagged.
    pub noise_pct: f64,
    /// Faster, slower, or within the noise.
    pub verdict: Verdict,
}

/// Compares the report with an earlier run.
pub fn compare(report: &Report, earlier: &Earlier) -> Comparison {
    let mut changes = Vec::new();
    for program in &report.programs {
        let Some(old_program) = earlier.programs.iter().find(|p| p.name == program.name) else {
            continue;
        };
        for r in program.results.iter().filter(|r| r.status == Status::Ok) {
            let old = old_program
                .results
                .iter()
                .find(|o| o.contender == r.contender && o.status == "ok")
                .and_then(|o| o.execution);
            let (Some(old), Some(new)) = (old, r.execution.as_ref()) else {
                continue;
            };
            if old.median_s <= 0.0 {
                continue;
            }
            let change_pct = (new.median_s / old.median_s - 1.0) * 100.0;
            let new_noise = new.rel_stddev().unwrap_or(0.0);
            let noise_pct = (200.0 * old.noise().hypot(new_noise)).max(NOISE_FLOOR_PCT);
            let verdict = if change_pct.abs() <= noise_pct {
                Verdict::WithinNoise
            } else if change_pct < 0.0 {
                Verdict::Faster
            } else {
                Verdict::Slower
            };
            changes.push(Change {
                program: program.name.clone(),
                contender: r.contender.clone(),
                old_median_s: old.median_s,
                new_median_s: new.median_s,
                change_pct,
                noise_pct,
                verdict,
            });
        }
    }
    Comparison {
        against: earlier.path.clone(),
        against_revision: earlier.git_revision.clone(),
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(median: f64, min: f64, max: f64, mean: Option<f64>, sd: Option<f64>) -> EarlierStats {
        EarlierStats {
            median_s: median,
            min_s: min,
            max_s: max,
            mean_s: mean,
            stddev_s: sd,
        }
    }

    #[test]
    fn noise_is_the_relative_deviation_or_half_the_range() {
        let with_sd = stats(1.0, 0.9, 1.1, Some(2.0), Some(0.1));
        assert!((with_sd.noise() - 0.05).abs() < 1e-12, "std dev over mean");
        let schema1 = stats(2.0, 1.8, 2.2, None, None);
        assert!(
            (schema1.noise() - 0.1).abs() < 1e-12,
            "half the range over the median"
        );
        assert_eq!(stats(0.0, 0.0, 0.0, None, None).noise(), 0.0);
    }

    #[test]
    fn run_names_stay_inside_the_saved_folder() {
        assert!(saved_path("before-2.x")
            .unwrap()
            .ends_with("before-2.x.json"));
        for bad in ["", "../up", "a/b", ".hidden", "sp ace"] {
            assert!(saved_path(bad).is_err(), "{bad:?}");
        }
    }
}
