//! Build script. Each job is its own function, called from `main`.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    git_revision();
}

/// Sets `BFJIT_GIT_REVISION` for `bfjit --version`: the abbreviated commit
/// the binary was built from, or `unknown` when git or the repository is
/// absent (a source tarball, a build without git installed).
///
/// The script reruns when `HEAD` moves (a checkout, or a commit on the
/// current branch), not on every source change.
fn git_revision() {
    let revision = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=BFJIT_GIT_REVISION={revision}");
    // HEAD names the branch; the branch's ref (loose or packed) names the
    // commit. In a worktree these live in different directories, which
    // `--git-path` resolves.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--git-path", &name]) {
            if Path::new(&path).exists() {
                println!("cargo:rerun-if-changed={path}");
            }
        }
    }
}

/// The trimmed standard output of a successful `git` command run in the
/// package's directory; `None` if git is missing or fails.
fn git(args: &[&str]) -> Option<String> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_string())
}
