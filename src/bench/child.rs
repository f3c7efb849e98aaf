//! Child processes (the C compiler, the C yardstick, external contenders)
//! with a time limit, their output captured in files and their wall time
//! measured. Each child leads its own process group, and the time limit
//! kills the whole group: a shell command's own children (a script's
//! interpreter, a `sleep`) must not outlive it. Being in its own group, a
//! child does not get the terminal's Ctrl-C; so while one runs, SIGINT,
//! SIGTERM and SIGHUP kill its group before ending the bench as they would
//! have ([`forward_signals`]).

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{mpsc, Once};
use std::time::{Duration, Instant};

/// How a child process ended.
#[derive(Clone, Debug)]
pub struct ChildRun {
    /// Its exit status, or `None` when a signal ended it.
    pub code: Option<i32>,
    /// Whether it was killed for running past the time limit.
    pub timed_out: bool,
    /// From spawning it to its exit (process start-up included).
    pub wall: Duration,
    /// The CPU time it used (user + system).
    pub cpu: Duration,
    /// What it wrote to stdout.
    pub stdout: Vec<u8>,
    /// From spawning it to the first byte on its stdout pipe, if any.
    pub first_byte: Option<Duration>,
    /// What it wrote to stderr.
    pub stderr: String,
}

impl ChildRun {
    /// The first line of stderr, for error messages.
    pub fn stderr_line(&self) -> &str {
        self.stderr.lines().next().unwrap_or("")
    }
}

/// A private temporary folder, removed when dropped: it holds generated C,
/// compiled yardsticks and the captured output of child processes.
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// Creates a fresh folder under the system temporary folder.
    pub fn new() -> Result<Scratch, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("bfjit-bench-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Scratch { dir })
    }

    /// A path inside the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `cmd` with stdin from `input` (or empty), stdout into a pipe read
/// by a thread (which notes when the first byte came), stderr into a file
/// in `scratch`, killing it after `timeout`.
pub fn run(
    cmd: &mut Command,
    input: Option<&Path>,
    timeout: Duration,
    scratch: &Scratch,
) -> Result<ChildRun, String> {
    let err_path = scratch.path("child.stderr");
    let create =
        |p: &Path| File::create(p).map_err(|e| format!("cannot create {}: {e}", p.display()));
    let stdin = match input {
        Some(p) => {
            Stdio::from(File::open(p).map_err(|e| format!("cannot open {}: {e}", p.display()))?)
        }
        None => Stdio::null(),
    };
    cmd.stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(create(&err_path)?)
        .process_group(0);
    forward_signals();
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let pid = child.id() as libc::pid_t;
    RUNNING_GROUP.store(pid, Ordering::SeqCst);
    // The pipe is read to its end (every writer gone: the group exited or
    // was killed) on a thread of its own, so a child never blocks on a
    // full pipe while we wait for it.
    let reader = child.stdout.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let (mut bytes, mut first) = (Vec::new(), None);
            let mut buf = vec![0u8; 1 << 16];
            loop {
                match std::io::Read::read(&mut pipe, &mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        first.get_or_insert_with(|| start.elapsed());
                        bytes.extend_from_slice(&buf[..n]);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            (bytes, first)
        })
    });
    let waited = wait(pid, start, timeout);
    RUNNING_GROUP.store(0, Ordering::SeqCst);
    let (stdout, first_byte) = match reader.map(|r| r.join()) {
        Some(Ok(read)) => read,
        _ => return Err("cannot read child output".into()),
    };
    let (code, timed_out, wall, cpu) = waited?;
    let stderr = std::fs::read(&err_path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    Ok(ChildRun {
        code,
        timed_out,
        wall,
        cpu,
        stdout,
        first_byte,
        stderr,
    })
}

/// The process group of the child running now, or 0.
static RUNNING_GROUP: AtomicI32 = AtomicI32::new(0);

/// Installs (once) the handler that kills the running child's group when
/// the bench is interrupted or terminated.
fn forward_signals() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: installs a handler that only makes async-signal-safe
            // calls; `signal` is given a valid function pointer.
            unsafe { libc::signal(sig, kill_group_and_die as *const () as libc::sighandler_t) };
        }
    });
}

/// Kills the running child's group, then dies of `sig` as the bench would
/// have without a handler.
extern "C" fn kill_group_and_die(sig: libc::c_int) {
    let group = RUNNING_GROUP.load(Ordering::SeqCst);
    // SAFETY: `kill`, `signal` and `raise` are async-signal-safe.
    unsafe {
        if group > 0 {
            libc::kill(-group, libc::SIGKILL);
        }
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

/// Waits for `pid` with a watchdog that kills it at the deadline. The child
/// is first waited for without being reaped (`WNOWAIT`), so the watchdog can
/// never signal a recycled pid, then reaped with `wait4` for its CPU time.
fn wait(
    pid: libc::pid_t,
    start: Instant,
    timeout: Duration,
) -> Result<(Option<i32>, bool, Duration, Duration), String> {
    let (done, finished) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(timeout) {
            // SAFETY: plain system call; the child is not reaped until the
            // main thread joins this thread, so `pid` is still ours, and it
            // leads a process group of the same id.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            return true;
        }
        false
    });
    loop {
        // SAFETY: `info` is a plain struct the kernel fills in.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let flags = libc::WEXITED | libc::WNOWAIT;
        // SAFETY: plain system call on our own child.
        let r = unsafe { libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, flags) };
        if r == 0 {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            let _ = done.send(());
            let _ = watchdog.join();
            return Err(format!("cannot wait for a child process: {err}"));
        }
    }
    let wall = start.elapsed();
    let _ = done.send(());
    let killed = watchdog.join().unwrap_or(false);
    let mut status = 0;
    // SAFETY: `usage` is a plain struct the kernel fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: reaps our own exited child.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if r != pid {
        return Err(format!(
            "cannot reap a child process: {}",
            std::io::Error::last_os_error()
        ));
    }
    let code = libc::WIFEXITED(status).then_some(libc::WEXITSTATUS(status));
    let timed_out = killed && code.is_none();
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    let cpu = tv(usage.ru_utime) + tv(usage.ru_stime);
    Ok((code, timed_out, wall, cpu))
}
