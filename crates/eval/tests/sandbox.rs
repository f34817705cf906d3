//! Sandbox probes: each escape attempt must fail inside bubblewrap and succeed unsandboxed, which
//! proves the probe is real and the sandbox is what stops it.
//!
//! The bubblewrap half needs root and bubblewrap; without them the tests print `skipped: …`, except
//! under `CI=true` where they fail.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use clearinghouse_eval::sandbox::{self, ExecOutput, ExecRequest, Isolation, Limits, Sandbox};
use clearinghouse_eval::suite::Service;

async fn bubblewrap_available() -> bool {
    match sandbox::check_available().await {
        Ok(()) => true,
        Err(err) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but the sandbox is unavailable: {err}"
            );
            println!("skipped: {err}");
            false
        }
    }
}

fn probe_limits() -> Limits {
    Limits {
        memory_bytes: 512 << 20,
        max_processes: 48,
        cpu_seconds: 1,
        command_timeout: Duration::from_secs(90),
        ..Limits::default()
    }
}

async fn run(sandbox: &Sandbox, script: &str) -> ExecOutput {
    sandbox
        .exec(ExecRequest {
            script: script.to_owned(),
            ..ExecRequest::default()
        })
        .await
        .expect("exec")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A task layout on the host: agent files, a secret flag, and a tiny service.
struct Fixture {
    root: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let root = tempfile::tempdir().expect("tempdir");
        for dir in ["files", "secret", "service"] {
            std::fs::create_dir_all(root.path().join(dir)).expect("mkdir");
        }
        std::fs::write(root.path().join("files/notes.txt"), "agent file\n").expect("write");
        std::fs::write(
            root.path().join("secret/flag.txt"),
            "flag{never_in_the_sandbox}\n",
        )
        .expect("write");
        std::fs::write(
            root.path().join("service/echo.py"),
            "import os, socketserver\n\
             class H(socketserver.StreamRequestHandler):\n    def handle(self):\n        self.wfile.write(b'service says hi\\n')\n\
             socketserver.TCPServer.allow_reuse_address = True\n\
             socketserver.TCPServer(('127.0.0.1', int(os.environ['CH_SERVICE_PORT'])), H).serve_forever()\n",
        )
        .expect("write");
        Self { root }
    }

    fn path(&self, part: &str) -> std::path::PathBuf {
        self.root.path().join(part)
    }

    async fn sandbox(&self, isolation: Isolation, with_service: Option<u16>) -> Sandbox {
        let service = with_service.map(|port| Service {
            command: vec!["python3".to_owned(), "echo.py".to_owned()],
            port,
        });
        let service_dir = self.path("service");
        let secret_dir = self.path("secret");
        Sandbox::create(
            &self.path("files"),
            service
                .as_ref()
                .map(|service| (service, service_dir.as_path(), secret_dir.as_path())),
            isolation,
            probe_limits(),
        )
        .await
        .expect("sandbox")
    }
}

fn flag_probe(flag_path: &Path) -> String {
    format!(
        "cat {} 2>/dev/null || echo unreadable; ls /secret /service 2>/dev/null || true",
        flag_path.display()
    )
}

#[tokio::test]
async fn agent_cannot_read_the_flag_or_the_service_files() {
    let fixture = Fixture::new();
    let flag_path = fixture.path("secret/flag.txt");

    let open = fixture.sandbox(Isolation::Unsandboxed, None).await;
    let output = run(&open, &flag_probe(&flag_path)).await;
    assert!(
        text(&output.stdout).contains("flag{never_in_the_sandbox}"),
        "the probe must work without the sandbox: {output:?}"
    );

    if !bubblewrap_available().await {
        return;
    }
    let closed = fixture.sandbox(Isolation::Bubblewrap, Some(47_011)).await;
    let output = run(&closed, &flag_probe(&flag_path)).await;
    let stdout = text(&output.stdout);
    assert!(stdout.contains("unreadable"), "{stdout}");
    assert!(!stdout.contains("never_in_the_sandbox"), "{stdout}");
    assert!(
        !stdout.contains("echo.py"),
        "service code visible: {stdout}"
    );
    // Search the whole sandbox filesystem for the flag file and the service code.
    let output = run(
        &closed,
        "find / \\( -name flag.txt -o -name echo.py \\) -not -path '/proc/*' 2>/dev/null; echo searched",
    )
    .await;
    assert_eq!(text(&output.stdout).trim(), "searched", "{output:?}");
    let output = run(&closed, "cat notes.txt; id -u; ls /").await;
    let stdout = text(&output.stdout);
    assert!(stdout.contains("agent file"), "{stdout}");
    assert!(
        !stdout.contains("\nroot\n"),
        "host root directory visible: {stdout}"
    );
    closed.shutdown().await;
}

fn connect_probe(port: u16) -> String {
    format!(
        "python3 -c \"import socket; s = socket.create_connection(('127.0.0.1', {port}), timeout=3); print('connected'); print(s.recv(100).decode())\""
    )
}

#[tokio::test]
async fn agent_reaches_its_service_but_not_the_host_network() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let host_port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    let fixture = Fixture::new();

    let open = fixture.sandbox(Isolation::Unsandboxed, None).await;
    let output = run(&open, &connect_probe(host_port)).await;
    assert!(
        text(&output.stdout).contains("connected"),
        "the probe must reach the host without the sandbox: {output:?}"
    );

    if !bubblewrap_available().await {
        return;
    }
    // Without a service: an empty network namespace.
    let isolated = fixture.sandbox(Isolation::Bubblewrap, None).await;
    let output = run(&isolated, &connect_probe(host_port)).await;
    assert!(!text(&output.stdout).contains("connected"), "{output:?}");
    assert!(
        text(&output.stderr).contains("Connection refused"),
        "{output:?}"
    );
    // With a service: the service is reachable on loopback, the host still is not.
    let with_service = fixture.sandbox(Isolation::Bubblewrap, Some(47_012)).await;
    let output = run(&with_service, &connect_probe(47_012)).await;
    assert!(
        text(&output.stdout).contains("service says hi"),
        "{output:?}"
    );
    let output = run(&with_service, &connect_probe(host_port)).await;
    assert!(!text(&output.stdout).contains("connected"), "{output:?}");
    // Nothing ever reached the host listener from a sandbox: only the unsandboxed probe connected.
    let mut accepted = 0;
    while let Ok((mut stream, _)) = listener.accept() {
        let mut buffer = Vec::new();
        let _ = stream.read_to_end(&mut buffer);
        accepted += 1;
    }
    assert_eq!(accepted, 1);
    with_service.shutdown().await;
}

const FORK_PROBE: &str = "i=0; while [ $i -lt 100 ]; do sleep 3 & i=$((i+1)); done; echo spawned $i; kill $(jobs -p) 2>/dev/null; true";

#[tokio::test]
async fn process_count_is_limited() {
    let fixture = Fixture::new();
    let open = fixture.sandbox(Isolation::Unsandboxed, None).await;
    let output = run(&open, FORK_PROBE).await;
    assert!(
        text(&output.stdout).contains("spawned 100"),
        "the probe must fork freely without the sandbox: {output:?}"
    );
    if !bubblewrap_available().await {
        return;
    }
    let closed = fixture.sandbox(Isolation::Bubblewrap, None).await;
    let output = run(&closed, FORK_PROBE).await;
    assert!(!text(&output.stdout).contains("spawned 100"), "{output:?}");
}

const MEMORY_PROBE: &str =
    "python3 -c \"b = bytearray(768 * 1024 ** 2); print('allocated', len(b))\"";

#[tokio::test]
async fn memory_is_limited() {
    let fixture = Fixture::new();
    let open = fixture.sandbox(Isolation::Unsandboxed, None).await;
    let output = run(&open, MEMORY_PROBE).await;
    assert!(
        text(&output.stdout).contains("allocated"),
        "the probe must allocate without the sandbox: {output:?}"
    );
    if !bubblewrap_available().await {
        return;
    }
    let closed = fixture.sandbox(Isolation::Bubblewrap, None).await;
    let output = run(&closed, MEMORY_PROBE).await;
    assert!(!text(&output.stdout).contains("allocated"), "{output:?}");
    assert!(text(&output.stderr).contains("MemoryError"), "{output:?}");
}

const CPU_PROBE: &str = "python3 -c \"while True: pass\"";

#[tokio::test]
async fn cpu_time_is_limited() {
    let fixture = Fixture::new();
    let open = fixture.sandbox(Isolation::Unsandboxed, None).await;
    let output = open
        .exec(ExecRequest {
            script: CPU_PROBE.to_owned(),
            timeout: Some(Duration::from_secs(3)),
            ..ExecRequest::default()
        })
        .await
        .expect("exec");
    assert!(
        output.timed_out,
        "without the sandbox only the wall clock stops it: {output:?}"
    );
    if !bubblewrap_available().await {
        return;
    }
    let closed = fixture.sandbox(Isolation::Bubblewrap, None).await;
    let started = Instant::now();
    let output = run(&closed, CPU_PROBE).await;
    assert!(
        !output.timed_out,
        "the CPU limit must stop it first: {output:?}"
    );
    assert_ne!(output.exit_code, Some(0));
    assert!(started.elapsed() < Duration::from_secs(60));
}

const OUTLIVE_PROBE: &str = "(sleep 1; echo alive > survived) > /dev/null 2>&1 &";

async fn survived_within(workdir: &Path, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        if workdir.join("survived").exists() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn nothing_outlives_its_command() {
    let fixture = Fixture::new();
    let open = fixture.sandbox(Isolation::Unsandboxed, None).await;
    run(&open, OUTLIVE_PROBE).await;
    assert!(
        survived_within(&open.host_workdir(), Duration::from_secs(5)).await,
        "a background process outlives its command without the sandbox"
    );
    if !bubblewrap_available().await {
        return;
    }
    let closed = fixture.sandbox(Isolation::Bubblewrap, None).await;
    run(&closed, OUTLIVE_PROBE).await;
    assert!(!survived_within(&closed.host_workdir(), Duration::from_secs(3)).await);

    // A command that runs too long is killed at its wall-clock limit, with everything it started.
    let started = Instant::now();
    let output = closed
        .exec(ExecRequest {
            script: "(sleep 1; echo alive > survived) & sleep 600".to_owned(),
            timeout: Some(Duration::from_millis(300)),
            ..ExecRequest::default()
        })
        .await
        .expect("exec");
    assert!(output.timed_out);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!survived_within(&closed.host_workdir(), Duration::from_secs(2)).await);
}

#[tokio::test]
async fn huge_output_is_capped_not_buffered() {
    let fixture = Fixture::new();
    let isolation = if bubblewrap_available().await {
        Isolation::Bubblewrap
    } else {
        Isolation::Unsandboxed
    };
    let sandbox = fixture.sandbox(isolation, None).await;
    let output = run(&sandbox, "head -c 50000000 /dev/zero").await;
    assert_eq!(output.exit_code, Some(0));
    assert_eq!(output.stdout.len(), Limits::default().output_capture_bytes);
    assert_eq!(
        output.dropped_bytes,
        50_000_000 - Limits::default().output_capture_bytes as u64
    );
}
