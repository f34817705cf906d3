//! The agent's sandbox: bubblewrap, a private network namespace shared only with the task's service,
//! and resource limits.
//!
//! # Design and guarantees
//!
//! Each attempt gets a fresh working directory (a copy of the task's `files/`, owned by a per-attempt
//! unprivileged uid) and, when the task has a service, a **network namespace holder**: the service runs
//! as `unshare --net` → `bwrap` (its own mount, pid, ipc and uts namespaces, unprivileged uid, no
//! capabilities) with only `/usr`, the service code (`/service`) and the secrets (`/secret`) mounted
//! read-only. Every agent command then runs as
//!
//! ```text
//! [nsenter --net=/proc/<service>/ns/net] setpriv --reuid U --regid U --clear-groups
//!   prlimit --as --nproc --cpu --fsize --core  bwrap --unshare-user --unshare-pid --unshare-ipc
//!   --unshare-uts [--unshare-net when no service] --cap-drop ALL --die-with-parent --new-session
//!   --ro-bind /usr … --bind <workdir> /work  sh -c <command>
//! ```
//!
//! What this guarantees:
//! - **Filesystem:** the agent sees `/usr` (read-only, with `/bin`, `/lib`, `/lib64`, `/sbin` as
//!   symlinks), `/etc/passwd`, `/etc/group`, `/etc/alternatives` (read-only), a private `/tmp`, `/proc`
//!   of its own pid namespace, a minimal `/dev`, and `/work`. Nothing else of the host, and never the
//!   task's `secret/`, `service/`, `checker/` or `solution/` directories (the solution is mounted only
//!   when check-suite runs it). The service's mount namespace is separate: the agent shares only its
//!   network namespace, and the separate pid namespace hides `/proc/<service>/root`.
//! - **Network:** a namespace with only a loopback interface. Without a service, each command gets
//!   its own empty namespace; with one, the namespace the service listens in. The host's loopback and
//!   every other network are unreachable.
//! - **Limits:** address space, process count (counted per uid, and each attempt has its own uid),
//!   CPU seconds, file size and a wall-clock timeout per command. When a command ends or times out,
//!   the pid namespace's init dies and the kernel kills every process left in it, so nothing outlives
//!   the command.
//! - **Privilege:** the agent runs as an unprivileged host uid inside a user namespace, with all
//!   capabilities dropped and `no_new_privs` set by bubblewrap.
//!
//! Not covered: disk usage beyond the per-file size limit, and CPU share between concurrent attempts
//! (no cgroups). The harness must run as root (to switch to per-attempt uids and enter network
//! namespaces); [`check_available`] says why when it cannot isolate, and the runner then refuses.
//!
//! [`Isolation::Unsandboxed`] runs commands directly on the host, with the same wall-clock timeout and
//! nothing else. It exists for trusted local development and for the tests that prove the sandbox
//! probes are real; it must never run an untrusted model.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

use crate::suite::Service;

/// Where the agent's files appear inside the sandbox.
pub const SANDBOX_WORKDIR: &str = "/work";
/// Where `check-suite` mounts a task's solution.
pub const SANDBOX_SOLUTION_DIR: &str = "/solution";

const BWRAP: &str = "/usr/bin/bwrap";
const FIRST_SANDBOX_UID: u32 = 200_000;
const SANDBOX_UID_RANGE: u32 = 50_000;

/// Whether commands are isolated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// bubblewrap plus namespaces and limits (the only mode for untrusted models).
    Bubblewrap,
    /// Directly on the host. Trusted local development and probe tests only.
    Unsandboxed,
}

/// Resource limits applied to every command an agent runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `RLIMIT_AS` per process.
    pub memory_bytes: u64,
    /// `RLIMIT_NPROC` for the attempt's uid.
    pub max_processes: u64,
    /// `RLIMIT_CPU` per process.
    pub cpu_seconds: u64,
    /// `RLIMIT_FSIZE`: largest file a command may write.
    pub file_size_bytes: u64,
    /// Wall-clock time one command may take.
    pub command_timeout: Duration,
    /// Bytes kept from each of stdout and stderr; the rest is drained and counted.
    pub output_capture_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 1 << 30,
            max_processes: 128,
            cpu_seconds: 60,
            file_size_bytes: 256 << 20,
            command_timeout: Duration::from_secs(120),
            output_capture_bytes: 1 << 20,
        }
    }
}

/// A sandbox for one attempt: its working directory and, if the task has one, its running service.
#[derive(Debug)]
pub struct Sandbox {
    isolation: Isolation,
    limits: Limits,
    uid: u32,
    /// Holds `work/` (the agent's files) and `service/` (the service's private copy).
    scratch: tempfile::TempDir,
    service: Option<RunningService>,
}

/// What one command produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// `None` when killed by a signal or the timeout.
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    /// Bytes of stdout and stderr beyond the capture limit, dropped.
    pub dropped_bytes: u64,
}

/// A command to run in the sandbox.
#[derive(Debug, Clone, Default)]
pub struct ExecRequest {
    /// Shell script run with `sh -c`.
    pub script: String,
    pub stdin: Option<Vec<u8>>,
    /// Overrides the default command timeout.
    pub timeout: Option<Duration>,
    /// Extra read-only mounts: (host path, sandbox path).
    pub read_only_mounts: Vec<(PathBuf, String)>,
}

/// Why the sandbox could not be set up or a command could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    #[error(
        "the sandbox is unavailable: {reason}. Refusing to run agents; fix the host or, for trusted local development only, pass --unsandboxed"
    )]
    Unavailable { reason: String },
    #[error("sandbox I/O on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start `{program}`: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("the task service did not start listening on port {port}: {detail}")]
    ServiceStart { port: u16, detail: String },
}

#[derive(Debug)]
struct RunningService {
    child: Child,
    port: u16,
    log_path: PathBuf,
}

static NEXT_UID: AtomicU32 = AtomicU32::new(0);

/// Checks that bubblewrap isolation works on this host, by running `true` in a sandbox.
pub async fn check_available() -> Result<(), SandboxError> {
    if !Path::new(BWRAP).is_file() {
        return Err(SandboxError::Unavailable {
            reason: format!("{BWRAP} is not installed (Debian package `bubblewrap`)"),
        });
    }
    for tool in [
        "/usr/bin/setpriv",
        "/usr/bin/prlimit",
        "/usr/bin/nsenter",
        "/usr/bin/unshare",
    ] {
        if !Path::new(tool).is_file() {
            return Err(SandboxError::Unavailable {
                reason: format!("{tool} is missing (Debian package `util-linux`)"),
            });
        }
    }
    if !running_as_root() {
        return Err(SandboxError::Unavailable {
            reason: "the harness must run as root to give each attempt its own uid and network namespace".to_owned(),
        });
    }
    let empty = tempfile::tempdir().map_err(|source| SandboxError::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let sandbox =
        Sandbox::create(empty.path(), None, Isolation::Bubblewrap, Limits::default()).await?;
    let probe = sandbox
        .exec(ExecRequest {
            script: "test -d /work && ! test -e /root".to_owned(),
            timeout: Some(Duration::from_secs(20)),
            ..ExecRequest::default()
        })
        .await?;
    if probe.exit_code != Some(0) {
        return Err(SandboxError::Unavailable {
            reason: format!(
                "a trial bubblewrap sandbox failed (exit {:?}): {}",
                probe.exit_code,
                String::from_utf8_lossy(&probe.stderr).trim()
            ),
        });
    }
    Ok(())
}

impl Sandbox {
    /// Copies `files` into a fresh working directory and starts the task's service, if any.
    ///
    /// `service` is the service spec with its code directory and the task's secret directory.
    pub async fn create(
        files: &Path,
        service: Option<(&Service, &Path, &Path)>,
        isolation: Isolation,
        limits: Limits,
    ) -> Result<Self, SandboxError> {
        let uid = FIRST_SANDBOX_UID + NEXT_UID.fetch_add(1, Ordering::Relaxed) % SANDBOX_UID_RANGE;
        let scratch = tempfile::Builder::new()
            .prefix("clearinghouse-sandbox-")
            .tempdir()
            .map_err(|source| SandboxError::Io {
                path: std::env::temp_dir(),
                source,
            })?;
        set_mode(scratch.path(), 0o711)?;
        let work = scratch.path().join("work");
        copy_tree(files, &work)?;
        let mut sandbox = Self {
            isolation,
            limits,
            uid,
            scratch,
            service: None,
        };
        if isolation == Isolation::Bubblewrap {
            chown_tree(&work, uid)?;
        }
        if let Some((spec, service_dir, secret_dir)) = service {
            sandbox.service = Some(sandbox.start_service(spec, service_dir, secret_dir).await?);
        }
        Ok(sandbox)
    }

    /// The agent's working directory as the agent sees it.
    pub fn agent_workdir(&self) -> String {
        match self.isolation {
            Isolation::Bubblewrap => SANDBOX_WORKDIR.to_owned(),
            Isolation::Unsandboxed => self.host_workdir().display().to_string(),
        }
    }

    /// The agent's working directory on the host (for checker programs, which run outside).
    pub fn host_workdir(&self) -> PathBuf {
        self.scratch.path().join("work")
    }

    pub fn isolation(&self) -> Isolation {
        self.isolation
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs one command and collects its output, within the limits.
    pub async fn exec(&self, request: ExecRequest) -> Result<ExecOutput, SandboxError> {
        let timeout = request.timeout.unwrap_or(self.limits.command_timeout);
        let mut command = match self.isolation {
            Isolation::Bubblewrap => self.bubblewrap_command(&request),
            Isolation::Unsandboxed => {
                let mut command = Command::new("/bin/sh");
                command
                    .arg("-c")
                    .arg(&request.script)
                    .current_dir(self.host_workdir())
                    // Its own process group, so a timeout can stop the whole command tree.
                    .process_group(0);
                command
            }
        };
        command
            .stdin(if request.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let program = format!("{:?}", command.as_std().get_program());
        let mut child = command
            .spawn()
            .map_err(|source| SandboxError::Spawn { program, source })?;
        if let (Some(input), Some(mut pipe)) = (request.stdin, child.stdin.take()) {
            tokio::spawn(async move {
                // A command that exits without reading its input is not an error.
                let _ = pipe.write_all(&input).await;
            });
        }
        let capture = self.limits.output_capture_bytes;
        let stdout_buffer = Arc::new(Mutex::new(Captured::default()));
        let stderr_buffer = Arc::new(Mutex::new(Captured::default()));
        let stdout = child
            .stdout
            .take()
            .map(|pipe| tokio::spawn(capped_read(pipe, capture, stdout_buffer.clone())));
        let stderr = child
            .stderr
            .take()
            .map(|pipe| tokio::spawn(capped_read(pipe, capture, stderr_buffer.clone())));
        let (exit_code, timed_out) = match tokio::time::timeout(timeout, child.wait()).await {
            Ok(Ok(status)) => (status.code(), false),
            Ok(Err(_)) | Err(_) => {
                if self.isolation == Isolation::Unsandboxed {
                    // Without a pid namespace, killing the shell would orphan its children (a
                    // CPU burner would run on forever): kill the process group instead.
                    if let Some(pid) = child.id() {
                        let _ = Command::new("kill")
                            .args(["-KILL", "--", &format!("-{pid}")])
                            .status()
                            .await;
                    }
                }
                let _ = child.kill().await;
                (None, true)
            }
        };
        // A process left running outside a sandbox may hold the pipes open: stop reading after a
        // grace period and keep what was read.
        for reader in [stdout, stderr].into_iter().flatten() {
            let mut reader = reader;
            if tokio::time::timeout(Duration::from_secs(1), &mut reader)
                .await
                .is_err()
            {
                reader.abort();
            }
        }
        let take = |buffer: &Arc<Mutex<Captured>>| {
            buffer
                .lock()
                .map(|mut captured| std::mem::take(&mut *captured))
                .unwrap_or_default()
        };
        let (out, err) = (take(&stdout_buffer), take(&stderr_buffer));
        let output = ExecOutput {
            stdout: out.kept,
            stderr: err.kept,
            exit_code,
            timed_out,
            dropped_bytes: out.dropped + err.dropped,
        };
        Ok(output)
    }

    fn bubblewrap_command(&self, request: &ExecRequest) -> Command {
        let mut command = match &self.service {
            Some(service) => {
                let mut command = Command::new("/usr/bin/nsenter");
                command
                    .arg(format!(
                        "--net=/proc/{}/ns/net",
                        service.child.id().unwrap_or(0)
                    ))
                    .arg("--")
                    .arg("/usr/bin/setpriv");
                command
            }
            None => Command::new("/usr/bin/setpriv"),
        };
        command
            .args([
                "--reuid",
                &self.uid.to_string(),
                "--regid",
                &self.uid.to_string(),
            ])
            .args(["--clear-groups", "--", "/usr/bin/prlimit"])
            .arg(format!("--as={}", self.limits.memory_bytes))
            .arg(format!("--nproc={}", self.limits.max_processes))
            .arg(format!("--cpu={}", self.limits.cpu_seconds))
            .arg(format!("--fsize={}", self.limits.file_size_bytes))
            .args(["--core=0", "--", BWRAP])
            .args([
                "--unshare-user",
                "--unshare-ipc",
                "--unshare-pid",
                "--unshare-uts",
            ])
            .arg("--unshare-cgroup-try");
        if self.service.is_none() {
            command.arg("--unshare-net");
        }
        command
            .args(["--die-with-parent", "--new-session", "--cap-drop", "ALL"])
            .args(base_filesystem())
            .arg("--bind")
            .arg(self.host_workdir())
            .arg(SANDBOX_WORKDIR);
        for (host, inside) in &request.read_only_mounts {
            command.arg("--ro-bind").arg(host).arg(inside);
        }
        if let Some(service) = &self.service {
            command.args(["--setenv", "CH_SERVICE_PORT", &service.port.to_string()]);
        }
        command
            .args(["--chdir", SANDBOX_WORKDIR, "--clearenv"])
            .args(["--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin"])
            .args(["--setenv", "HOME", SANDBOX_WORKDIR])
            .args(["--setenv", "LANG", "C.UTF-8"])
            .args(["--", "/bin/sh", "-c", &request.script])
            .env_clear();
        command
    }

    async fn start_service(
        &self,
        spec: &Service,
        service_dir: &Path,
        secret_dir: &Path,
    ) -> Result<RunningService, SandboxError> {
        let private = self.scratch.path().join("service");
        let code = private.join("code");
        let secret = private.join("secret");
        copy_tree(service_dir, &code)?;
        if secret_dir.is_dir() {
            copy_tree(secret_dir, &secret)?;
        } else {
            std::fs::create_dir_all(&secret).map_err(|source| io_error(&secret, source))?;
        }
        set_mode(&private, 0o755)?;
        let log_path = self.scratch.path().join("service.log");
        let log = std::fs::File::create(&log_path).map_err(|source| io_error(&log_path, source))?;
        let log_err = log
            .try_clone()
            .map_err(|source| io_error(&log_path, source))?;
        let mut command = match self.isolation {
            Isolation::Bubblewrap => {
                // The service gets its own uid (never the agent's), no capabilities, and a view of
                // /usr, its code and its secrets only.
                let service_uid = (self.uid + SANDBOX_UID_RANGE).to_string();
                chown_tree(&private, self.uid + SANDBOX_UID_RANGE)?;
                let mut bwrap = vec![
                    "/usr/bin/setpriv".to_owned(),
                    "--reuid".to_owned(),
                    service_uid.clone(),
                    "--regid".to_owned(),
                    service_uid,
                    "--clear-groups".to_owned(),
                    "--".to_owned(),
                    BWRAP.to_owned(),
                    "--unshare-user".to_owned(),
                    "--unshare-ipc".to_owned(),
                    "--unshare-pid".to_owned(),
                    "--unshare-uts".to_owned(),
                    "--die-with-parent".to_owned(),
                    "--new-session".to_owned(),
                    "--cap-drop".to_owned(),
                    "ALL".to_owned(),
                ];
                bwrap.extend(base_filesystem().iter().map(|arg| (*arg).to_owned()));
                bwrap.extend(
                    [
                        "--ro-bind",
                        &code.display().to_string(),
                        "/service",
                        "--ro-bind",
                        &secret.display().to_string(),
                        "/secret",
                        "--chdir",
                        "/service",
                        "--clearenv",
                        "--setenv",
                        "PATH",
                        "/usr/local/bin:/usr/bin:/bin",
                        "--setenv",
                        "CH_SECRET_DIR",
                        "/secret",
                        "--setenv",
                        "CH_SERVICE_PORT",
                        &spec.port.to_string(),
                        "--",
                    ]
                    .map(str::to_owned),
                );
                bwrap.extend(spec.command.iter().cloned());
                let script = format!(
                    "ip link set lo up && exec {}",
                    bwrap
                        .iter()
                        .map(|arg| shell_quote(arg))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                let mut command = Command::new("/usr/bin/unshare");
                command.args(["--net", "--", "/bin/sh", "-c", &script]);
                command
                    .env_clear()
                    .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
                command
            }
            Isolation::Unsandboxed => {
                let mut command = Command::new(&spec.command[0]);
                command
                    .args(&spec.command[1..])
                    .current_dir(&code)
                    .env("CH_SECRET_DIR", &secret)
                    .env("CH_SERVICE_PORT", spec.port.to_string());
                command
            }
        };
        command
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|source| SandboxError::Spawn {
            program: spec.command.join(" "),
            source,
        })?;
        let pid = child.id().unwrap_or(0);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let table = match self.isolation {
                Isolation::Bubblewrap => format!("/proc/{pid}/net"),
                Isolation::Unsandboxed => "/proc/self/net".to_owned(),
            };
            if is_listening(Path::new(&table), spec.port) {
                return Ok(RunningService {
                    child,
                    port: spec.port,
                    log_path,
                });
            }
            let exited = child.try_wait().ok().flatten();
            if exited.is_some() || tokio::time::Instant::now() > deadline {
                let _ = child.kill().await;
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                return Err(SandboxError::ServiceStart {
                    port: spec.port,
                    detail: match exited {
                        Some(status) => format!("it exited ({status}): {}", tail(&log, 2000)),
                        None => format!("timed out after 15 s: {}", tail(&log, 2000)),
                    },
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The service's combined output so far (evaluator diagnostics; never shown to the model).
    pub fn service_log(&self) -> Option<String> {
        let service = self.service.as_ref()?;
        std::fs::read_to_string(&service.log_path).ok()
    }

    /// Stops the service and removes the working directory.
    pub async fn shutdown(mut self) {
        if let Some(mut service) = self.service.take() {
            let _ = service.child.kill().await;
        }
    }
}

/// The read-only host view every sandbox gets.
fn base_filesystem() -> Vec<&'static str> {
    let mut args = vec![
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/bin",
        "/bin",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/sbin",
        "/sbin",
    ];
    if Path::new("/usr/lib64").is_dir() {
        args.extend(["--symlink", "usr/lib64", "/lib64"]);
    }
    for file in ["/etc/passwd", "/etc/group", "/etc/alternatives"] {
        if Path::new(file).exists() {
            args.extend(["--ro-bind", file, file]);
        }
    }
    args.extend(["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]);
    args
}

/// Bytes read from one pipe so far.
#[derive(Debug, Default)]
struct Captured {
    kept: Vec<u8>,
    dropped: u64,
}

/// Reads a pipe to the end, keeping the first `limit` bytes and counting the rest. Writes into a
/// shared buffer so that what was read survives the reader being aborted.
async fn capped_read(mut pipe: impl AsyncRead + Unpin, limit: usize, into: Arc<Mutex<Captured>>) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match pipe.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => {
                let Ok(mut captured) = into.lock() else { break };
                let room = limit.saturating_sub(captured.kept.len());
                let keep = room.min(read);
                captured.kept.extend_from_slice(&buffer[..keep]);
                captured.dropped += (read - keep) as u64;
            }
        }
    }
}

/// Whether `<net_dir>/tcp` or `tcp6` lists a socket listening on `port`.
fn is_listening(net_dir: &Path, port: u16) -> bool {
    let wanted = format!(":{port:04X}");
    ["tcp", "tcp6"].iter().any(|table| {
        std::fs::read_to_string(net_dir.join(table))
            .map(|text| {
                text.lines().skip(1).any(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    fields.len() > 3 && fields[1].ends_with(&wanted) && fields[3] == "0A"
                })
            })
            .unwrap_or(false)
    })
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("Uid:"))
                .map(|line| line.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), SandboxError> {
    std::fs::create_dir_all(to).map_err(|source| io_error(to, source))?;
    let entries = std::fs::read_dir(from).map_err(|source| io_error(from, source))?;
    for entry in entries {
        let entry = entry.map_err(|source| io_error(from, source))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|source| io_error(&path, source))?;
        if kind.is_dir() {
            copy_tree(&path, &target)?;
        } else if kind.is_file() {
            std::fs::copy(&path, &target).map_err(|source| io_error(&path, source))?;
        }
        // Symbolic links are never copied: a suite holds plain files only (see `suite`).
    }
    Ok(())
}

fn chown_tree(root: &Path, uid: u32) -> Result<(), SandboxError> {
    std::os::unix::fs::lchown(root, Some(uid), Some(uid))
        .map_err(|source| io_error(root, source))?;
    let entries = std::fs::read_dir(root).map_err(|source| io_error(root, source))?;
    for entry in entries {
        let entry = entry.map_err(|source| io_error(root, source))?;
        let path = entry.path();
        if entry
            .file_type()
            .map_err(|source| io_error(&path, source))?
            .is_dir()
        {
            chown_tree(&path, uid)?;
        } else {
            std::os::unix::fs::lchown(&path, Some(uid), Some(uid))
                .map_err(|source| io_error(&path, source))?;
        }
    }
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> Result<(), SandboxError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|source| io_error(path, source))
}

fn shell_quote(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', "'\\''"))
}

fn tail(text: &str, max: usize) -> &str {
    let start = text.len().saturating_sub(max);
    let start = (start..=text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    &text[start..]
}

fn io_error(path: &Path, source: std::io::Error) -> SandboxError {
    SandboxError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_table_parser_finds_the_port() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("tcp"),
            "  sl  local_address rem_address   st\n   0: 0100007F:1F90 00000000:0000 0A 0\n   1: 0100007F:1F91 0100007F:0001 01 0\n",
        )
        .expect("write");
        assert!(is_listening(dir.path(), 8080));
        assert!(
            !is_listening(dir.path(), 8081),
            "established, not listening"
        );
        assert!(!is_listening(dir.path(), 80));
    }

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(shell_quote("a'b"), "'a'\\''b'");
    }

    #[tokio::test]
    async fn capped_read_keeps_the_prefix_and_counts_the_rest() {
        let data = vec![7u8; 200_000];
        let captured = Arc::new(Mutex::new(Captured::default()));
        capped_read(&data[..], 1000, captured.clone()).await;
        let captured = captured.lock().expect("lock");
        assert_eq!(captured.kept.len(), 1000);
        assert_eq!(captured.dropped, 199_000);
    }
}
