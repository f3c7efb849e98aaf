//! What a benchmark measures: a tier at an optimization level (`interp:O0`,
//! `opt`), the C yardstick (`c`), `bfjit build`'s executable (`exe`), or
//! another BF implementation given as a command (`--contender NAME='COMMAND {}'`). Parsed from `--tiers`,
//! `--contender`, `--contender-build` and `--baseline`.
//!
//! Adding a kind of contender: a variant of [`Contender`], its spelling in
//! [`Contender::parse`] and [`Contender::label`], and one arm in
//! `suite::measure`, which hands it to the in-process runner (a tier) or to
//! `process::measure` with a build step (anything run as a process).

use crate::tier::Tier;
use std::fmt;

/// A tier and the `-O` level of the pipeline that feeds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TierSpec {
    /// The tier.
    pub tier: Tier,
    /// The pass level; always 0 for the simple tier, which takes no passes.
    pub level: u8,
}

/// The level a tier runs at when the spec names none: what `bfjit run` does.
const DEFAULT_LEVEL: u8 = 2;

/// Spellings of the built-in contenders, for `--tiers` and error messages.
/// A tier added to [`Tier`] becomes a contender by a line here.
const TIERS: &[(&str, Tier)] = &[
    ("interp", Tier::Interp),
    ("simple", Tier::Simple),
    ("opt", Tier::Opt),
    ("auto", Tier::Auto),
];

/// The name of the C yardstick.
const C_NAME: &str = "c";

/// The name of `bfjit build`'s executable.
const EXE_NAME: &str = "exe";

impl TierSpec {
    /// The tier at its default level.
    pub fn new(tier: Tier) -> TierSpec {
        let level = if tier.takes_passes() {
            DEFAULT_LEVEL
        } else {
            0
        };
        TierSpec { tier, level }
    }
}

/// Another BF implementation, run as a whole process like the C yardstick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct External {
    /// Its column label.
    pub name: String,
    /// The shell command that runs one program: `{}` becomes the program's
    /// path, `{exe}` the file the build command wrote.
    pub run: String,
    /// A shell command run once per program before the timed runs (a
    /// compiler); its time is the contender's compile phase.
    pub build: Option<String>,
}

/// One column of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contender {
    /// A bfjit tier, measured in-process.
    Tier(TierSpec),
    /// The program's optimized IR emitted as C and compiled with `cc -O2`.
    C,
    /// The executable `bfjit build` makes (the opt tier's `-O2` code, linked
    /// with the C runtime), run as a process.
    Exe,
    /// Another implementation, given as commands.
    External(External),
}

impl Contender {
    /// Parses one built-in spec: `interp`, `interp:O0`, `opt:O1`, `simple`,
    /// `c`, `exe`.
    pub fn parse(spec: &str) -> Result<Contender, String> {
        let spec = spec.trim();
        let (name, level) = match spec.split_once(':') {
            Some((name, level)) => (name, Some(level)),
            None => (spec, None),
        };
        if name == C_NAME {
            return match level {
                None => Ok(Contender::C),
                Some(_) => Err(format!(
                    "'{spec}': the C yardstick is always cc -O2 of the -O2 IR"
                )),
            };
        }
        if name == EXE_NAME {
            return match level {
                None => Ok(Contender::Exe),
                Some(_) => Err(format!(
                    "'{spec}': the executable is always built from the -O2 IR, as bfjit build does"
                )),
            };
        }
        let Some(&(_, tier)) = TIERS.iter().find(|(n, _)| *n == name) else {
            return Err(format!(
                "unknown tier '{name}' in '{spec}'; the tiers are {}, {C_NAME}, {EXE_NAME} \
                 (other implementations: --contender NAME='COMMAND {{}}')",
                TIERS.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
            ));
        };
        let mut parsed = TierSpec::new(tier);
        if let Some(level) = level {
            let digits = level.strip_prefix(['O', 'o']).unwrap_or(level);
            parsed.level = match digits.parse::<u8>() {
                Ok(n) if n <= 2 => n,
                _ => return Err(format!("bad level '{level}' in '{spec}'; use O0, O1 or O2")),
            };
            if !tier.takes_passes() && parsed.level != 0 {
                return Err(format!(
                    "'{spec}': the simple tier always runs unoptimized code (O0)"
                ));
            }
        }
        Ok(Contender::Tier(parsed))
    }

    /// Parses a comma-separated list, dropping repeats.
    pub fn parse_list(specs: &str) -> Result<Vec<Contender>, String> {
        let mut out: Vec<Contender> = Vec::new();
        for spec in specs.split(',').filter(|s| !s.trim().is_empty()) {
            let c = Contender::parse(spec)?;
            if !out.contains(&c) {
                out.push(c);
            }
        }
        if out.is_empty() {
            return Err("no tiers selected".into());
        }
        Ok(out)
    }

    /// The short label reports use; the level is shown only when it is not
    /// the tier's default, so the common case reads `interp`, `simple`, `opt`.
    pub fn label(&self) -> String {
        match self {
            Contender::Tier(s) if *s == TierSpec::new(s.tier) => s.tier.name().to_string(),
            Contender::Tier(s) => format!("{}:O{}", s.tier.name(), s.level),
            Contender::C => C_NAME.to_string(),
            Contender::Exe => EXE_NAME.to_string(),
            Contender::External(e) => e.name.clone(),
        }
    }
}

impl fmt::Display for Contender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Splits `NAME=COMMAND` and checks the name: letters, digits, `-`, `_`,
/// `.`, `+`, and not a built-in contender's name (columns must be told apart).
fn name_and_command<'a>(option: &str, spec: &'a str) -> Result<(&'a str, &'a str), String> {
    let (name, command) = spec
        .split_once('=')
        .ok_or_else(|| format!("{option} '{spec}': expected NAME=COMMAND"))?;
    let (name, command) = (name.trim(), command.trim());
    let valid = |c: char| c.is_ascii_alphanumeric() || "-_.+".contains(c);
    if name.is_empty() || !name.chars().all(valid) {
        return Err(format!(
            "{option} '{spec}': the name must be letters, digits, '-', '_', '.' or '+'"
        ));
    }
    if name == C_NAME || name == EXE_NAME || TIERS.iter().any(|t| t.0 == name) || name.contains(':')
    {
        return Err(format!(
            "{option} '{spec}': '{name}' is a built-in contender's name"
        ));
    }
    if command.is_empty() {
        return Err(format!("{option} '{spec}': the command is empty"));
    }
    Ok((name, command))
}

/// Adds the external contenders of `--contender NAME=COMMAND` (in order) to
/// `list`, each with its `--contender-build NAME=COMMAND` if one is given.
pub fn add_external(
    list: &mut Vec<Contender>,
    runs: &[String],
    builds: &[String],
) -> Result<(), String> {
    let mut added: Vec<External> = Vec::new();
    for spec in runs {
        let (name, command) = name_and_command("--contender", spec)?;
        if added.iter().any(|e| e.name == name) {
            return Err(format!("--contender '{name}' is given twice"));
        }
        added.push(External {
            name: name.to_string(),
            run: command.to_string(),
            build: None,
        });
    }
    for spec in builds {
        let (name, command) = name_and_command("--contender-build", spec)?;
        let target = added.iter_mut().find(|e| e.name == name).ok_or_else(|| {
            format!("--contender-build '{name}': no --contender {name}=COMMAND to build for")
        })?;
        if target.build.is_some() {
            return Err(format!("--contender-build '{name}' is given twice"));
        }
        target.build = Some(command.to_string());
    }
    for e in &added {
        if e.build.is_some() && !e.run.contains("{exe}") {
            return Err(format!(
                "--contender {}: it has a build command, so its run command should use {{exe}}",
                e.name
            ));
        }
    }
    list.extend(added.into_iter().map(Contender::External));
    Ok(())
}

/// Finds the contender `--baseline` names in the list: an exact label match
/// first (an external contender's name included), then, for a bare tier name
/// like `interp`, the first spec of that tier (so `--tiers interp:O0,opt
/// --baseline interp` picks `interp:O0` rather than adding a third column).
/// Returns the index; a built-in baseline not in the list is appended to it.
pub fn resolve_baseline(list: &mut Vec<Contender>, baseline: &str) -> Result<usize, String> {
    if let Some(i) = list.iter().position(|c| c.label() == baseline.trim()) {
        return Ok(i);
    }
    let wanted = Contender::parse(baseline)?;
    if let Some(i) = list.iter().position(|c| *c == wanted) {
        return Ok(i);
    }
    let bare = !baseline.contains(':');
    if let (true, Contender::Tier(w)) = (bare, &wanted) {
        if let Some(i) = list
            .iter()
            .position(|c| matches!(c, Contender::Tier(s) if s.tier == w.tier))
        {
            return Ok(i);
        }
    }
    list.push(wanted);
    Ok(list.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_with_and_without_levels() {
        let list = Contender::parse_list("interp:O0,interp:O2,simple,opt,c,exe").unwrap();
        let labels: Vec<String> = list.iter().map(|c| c.label()).collect();
        assert_eq!(labels, ["interp:O0", "interp", "simple", "opt", "c", "exe"]);
        assert!(Contender::parse("simple:O2").is_err());
        assert!(Contender::parse("opt:O3").is_err());
        assert!(Contender::parse("fast").is_err());
        assert!(Contender::parse("c:O1").is_err());
        assert!(Contender::parse("exe:O2").is_err());
        assert_eq!(Contender::parse("simple:O0").unwrap().label(), "simple");
    }

    #[test]
    fn bare_baseline_picks_first_of_its_tier_or_is_added() {
        let mut list = Contender::parse_list("interp:O0,opt").unwrap();
        assert_eq!(resolve_baseline(&mut list, "interp").unwrap(), 0);
        assert_eq!(resolve_baseline(&mut list, "opt").unwrap(), 1);
        assert_eq!(resolve_baseline(&mut list, "c").unwrap(), 2);
        assert_eq!(resolve_baseline(&mut list, "interp:O1").unwrap(), 3);
        let mut both = Contender::parse_list("interp:O0,interp").unwrap();
        assert_eq!(resolve_baseline(&mut both, "interp").unwrap(), 1);
        assert_eq!(list.len(), 4);
    }

    #[test]
    fn external_contenders_pair_with_their_builds() {
        let mut list = Contender::parse_list("opt").unwrap();
        let runs = ["bff=bff {}".to_string(), "tcc=  {exe} ".to_string()];
        let builds = ["tcc=bf2c {} -o {exe}".to_string()];
        add_external(&mut list, &runs, &builds).unwrap();
        let labels: Vec<String> = list.iter().map(|c| c.label()).collect();
        assert_eq!(labels, ["opt", "bff", "tcc"]);
        let Contender::External(tcc) = &list[2] else {
            panic!("{:?}", list[2])
        };
        assert_eq!(
            (tcc.run.as_str(), tcc.build.as_deref()),
            ("{exe}", Some("bf2c {} -o {exe}"))
        );
        assert_eq!(resolve_baseline(&mut list, "bff").unwrap(), 1);
        assert_eq!(list.len(), 3);
    }

    #[test]
    fn bad_external_specs_are_refused() {
        let refused = |runs: &[&str], builds: &[&str]| {
            let runs: Vec<String> = runs.iter().map(|s| s.to_string()).collect();
            let builds: Vec<String> = builds.iter().map(|s| s.to_string()).collect();
            add_external(&mut Vec::new(), &runs, &builds).unwrap_err()
        };
        assert!(refused(&["no-equals"], &[]).contains("NAME=COMMAND"));
        assert!(refused(&["opt=x {}"], &[]).contains("built-in"));
        assert!(refused(&["exe=x {}"], &[]).contains("built-in"));
        assert!(refused(&["a b=x {}"], &[]).contains("name must be"));
        assert!(refused(&["a="], &[]).contains("empty"));
        assert!(refused(&["a=x {}", "a=y {}"], &[]).contains("twice"));
        assert!(refused(&["a=x {}"], &["b=cc {}"]).contains("no --contender b"));
        assert!(refused(&["a=x {}"], &["a=cc {} -o {exe}"]).contains("{exe}"));
    }
}
