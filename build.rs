//! Build script of the `bfjit` crate. Each part is one function; `main` only
//! calls them.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    git_revision();
    exe_runtime::build();
}

/// The C runtime executables made by `bfjit build` link
/// (`src/runtime/c/exe.c`), compiled here with the `cc` crate into a static
/// library in `OUT_DIR`, which `src/build/runtime.rs` embeds with
/// `include_bytes!`. Embedding it in the `bfjit` binary makes it work the
/// same under `cargo run`, `cargo test` and `cargo install`: nothing has to
/// be found next to the binary at run time. The library is not linked into
/// `bfjit` itself.
mod exe_runtime {
    use std::path::PathBuf;

    // The layout contract between generated code and its runtimes, shared
    // with the crate (`crate::runtime::layout`).
    #[allow(dead_code)]
    mod layout {
        include!("src/runtime/layout.rs");
    }

    /// The source of the runtime.
    const SOURCE: &str = "src/runtime/c/exe.c";

    pub fn build() {
        println!("cargo:rerun-if-changed={SOURCE}");
        println!("cargo:rerun-if-changed=src/runtime/layout.rs");
        println!("cargo::rustc-check-cfg=cfg(bfjit_no_exe_runtime)");
        let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
        let mut build = cc::Build::new();
        build
            .file(SOURCE)
            .opt_level(2)
            .pic(true)
            .warnings(true)
            .cargo_metadata(false);
        for (name, value) in layout::C_MACROS {
            build.define(name, value.to_string().as_str());
        }
        // Without a C compiler bfjit still builds; `bfjit build` then says
        // why it cannot make executables (it would need one to link anyway).
        match build.try_compile("bfjit_exe_runtime") {
            Ok(()) => {}
            Err(e) => {
                println!(
                    "cargo:warning=bfjit build will be unavailable: cannot compile {SOURCE}: {e}"
                );
                println!("cargo:rustc-cfg=bfjit_no_exe_runtime");
                std::fs::write(out.join("libbfjit_exe_runtime.a"), b"")
                    .expect("OUT_DIR is writable");
            }
        }
    }
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
