//! What the figures were measured on and with: the CPU model and the git
//! revision of bfjit, so that a saved JSON report says where it came from.

use std::path::Path;
use std::process::Command;

/// The first `model name` in `/proc/cpuinfo`, when there is one.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(key, _)| key.trim() == "model name")
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The git revision of the repository bfjit was built from (`git rev-parse
/// HEAD`), and whether tracked files differ from it, when git can say. It is
/// read when the suite starts, so it describes the binary only if the binary
/// was built from that tree as it is.
pub fn git_revision() -> Option<(String, bool)> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let head = git(&["rev-parse", "HEAD"]).filter(|h| !h.is_empty())?;
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some((head, dirty))
}
