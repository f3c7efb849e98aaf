//! Linking an object file with the runtime into an executable, with the
//! system C compiler: `BFJIT_CC`, else `CC`, else `cc` (a value may carry
//! arguments, as `CC="ccache gcc"`).

use super::runtime;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The C compiler command: its words.
fn compiler() -> (String, Vec<String>) {
    for var in ["BFJIT_CC", "CC"] {
        if let Ok(value) = std::env::var(var) {
            let mut words = value.split_whitespace().map(str::to_string);
            if let Some(program) = words.next() {
                return (program, words.collect());
            }
        }
    }
    ("cc".to_string(), Vec::new())
}

/// Checks that `out` can be created: its directory exists.
pub fn check_output(out: &Path) -> Result<(), String> {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if out.is_dir() {
        return Err(format!("cannot write {}: it is a directory", out.display()));
    }
    match dir.is_dir() {
        true => Ok(()),
        false => Err(format!(
            "cannot write {}: directory {} does not exist",
            out.display(),
            dir.display()
        )),
    }
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, String> {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("bfjit-build-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }

    fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
        let path = self.0.join(name);
        std::fs::write(&path, bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Links `object` (from [`super::object::object`]) with the runtime into
/// the executable `out`.
pub fn link(object: &[u8], out: &Path) -> Result<(), String> {
    check_output(out)?;
    let archive = runtime::archive().ok_or(
        "this bfjit was built without a C compiler, so it has no runtime for executables; \
         rebuild it with one installed",
    )?;
    let scratch = Scratch::new()?;
    let object = scratch.write("program.o", object)?;
    let archive = scratch.write(runtime::ARCHIVE_NAME, archive)?;
    let (program, args) = compiler();
    let result = Command::new(&program)
        .args(&args)
        .arg("-o")
        .arg(out)
        .arg(&object)
        .arg(&archive)
        .output();
    let output = match result {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "cannot link: C compiler `{program}` not found; bfjit build links with the \
                 system C compiler: install one (e.g. gcc) or name it in BFJIT_CC or CC"
            ))
        }
        Err(e) => return Err(format!("cannot run the C compiler `{program}`: {e}")),
    };
    if !output.status.success() {
        return Err(format!(
            "linking with `{program}` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    Ok(())
}
