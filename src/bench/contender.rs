//! What a benchmark measures: a tier at an optimization level (`interp:O0`,
//! `opt`), or the C yardstick (`c`). Parsed from `--tiers` and `--baseline`.

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

/// One column of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contender {
    /// A bfjit tier, measured in-process.
    Tier(TierSpec),
    /// The program's optimized IR emitted as C and compiled with `cc -O2`.
    C,
}

impl Contender {
    /// Parses one spec: `interp`, `interp:O0`, `opt:O1`, `simple`, `c`.
    pub fn parse(spec: &str) -> Result<Contender, String> {
        let spec = spec.trim();
        let (name, level) = match spec.split_once(':') {
            Some((name, level)) => (name, Some(level)),
            None => (spec, None),
        };
        let tier = match name {
            "interp" => Tier::Interp,
            "simple" => Tier::Simple,
            "opt" => Tier::Opt,
            "auto" => Tier::Auto,
            "c" if level.is_none() => return Ok(Contender::C),
            "c" => {
                return Err(format!(
                    "'{spec}': the C yardstick is always cc -O2 of the -O2 IR"
                ))
            }
            _ => {
                return Err(format!(
                "unknown tier '{name}' in '{spec}'; the tiers are interp, simple, opt, auto and c"
            ))
            }
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
    pub fn label(self) -> String {
        match self {
            Contender::Tier(s) if s == TierSpec::new(s.tier) => s.tier.name().to_string(),
            Contender::Tier(s) => format!("{}:O{}", s.tier.name(), s.level),
            Contender::C => "c".to_string(),
        }
    }
}

impl fmt::Display for Contender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Finds the contender `--baseline` names in the list: an exact match first,
/// then, for a bare tier name like `interp`, the first spec of that tier (so
/// `--tiers interp:O0,opt --baseline interp` picks `interp:O0` rather than
/// adding a third column).
/// Returns the index; a baseline not in the list is appended to it.
pub fn resolve_baseline(list: &mut Vec<Contender>, baseline: &str) -> Result<usize, String> {
    let wanted = Contender::parse(baseline)?;
    if let Some(i) = list.iter().position(|c| *c == wanted) {
        return Ok(i);
    }
    let bare = !baseline.contains(':');
    if let (true, Contender::Tier(w)) = (bare, wanted) {
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
        let list = Contender::parse_list("interp:O0,interp:O2,simple,opt,c").unwrap();
        let labels: Vec<String> = list.iter().map(|c| c.label()).collect();
        assert_eq!(labels, ["interp:O0", "interp", "simple", "opt", "c"]);
        assert!(Contender::parse("simple:O2").is_err());
        assert!(Contender::parse("opt:O3").is_err());
        assert!(Contender::parse("fast").is_err());
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
}
