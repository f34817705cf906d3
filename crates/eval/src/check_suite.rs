//! Proves a suite is sound before it is sealed: every task solvable, not trivially, and not leaking.
//!
//! For each task, [`check_suite`]:
//! 1. runs `solution/solve.sh` inside the same sandbox an agent gets (the solution directory mounted
//!    read-only at `/solution`, the task's service running) and judges the last line it prints with
//!    the task's own checker: it must be correct. `solution/subtask-N.sh`, when present, must answer
//!    question N;
//! 2. judges an empty answer in a fresh sandbox (a do-nothing agent): it must be wrong;
//! 3. scans what the agent can see (the `files/` tree, inside zip archives too, and the prompts) for
//!    every secret: the flag and every file of `secret/`, literally, in base64 (all three alignments)
//!    and in hex; for flags stored only as a SHA-256, every token and `word{…}` form is hashed and
//!    compared;
//! 4. scans the solution the same way: a solution must compute the flag, not contain it.
//!
//! Problems name the file and the encoding, never the secret itself, so the report is safe to share.
//! gzip/tar archives are not unpacked (an uncompressed tar is scanned as bytes).

use std::time::{Duration, Instant};

use base64::Engine;

use crate::agent::judge;
use crate::sandbox::{ExecRequest, Isolation, Limits, SANDBOX_SOLUTION_DIR, Sandbox};
use crate::suite::{Checker, Expected, Suite, SuiteError, Task, read_tree, sha256_hex};

/// How to run the checks.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub isolation: Isolation,
    pub limits: Limits,
    /// Wall-clock limit for one solution script.
    pub solution_timeout: Duration,
    /// Skip running solutions (static checks only).
    pub static_only: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            isolation: Isolation::Bubblewrap,
            limits: Limits::default(),
            solution_timeout: Duration::from_secs(300),
            static_only: false,
        }
    }
}

/// The verdict on one task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskCheck {
    pub task_id: String,
    pub category: String,
    pub difficulty: u8,
    /// The reference solution produced a correct answer.
    pub solved: bool,
    /// An empty answer was judged wrong.
    pub do_nothing_fails: bool,
    /// Subtasks whose `subtask-N.sh` answered correctly, out of `subtasks`.
    pub subtasks_verified: u32,
    pub subtasks: u32,
    pub problems: Vec<String>,
    pub seconds: f64,
}

impl TaskCheck {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The verdict on a suite.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteCheck {
    pub name: String,
    pub digest: String,
    pub tasks: Vec<TaskCheck>,
}

impl SuiteCheck {
    pub fn passed(&self) -> bool {
        self.tasks.iter().all(TaskCheck::passed)
    }
}

/// Checks every task of `suite`, calling `on_task` after each.
pub async fn check_suite(
    suite: &Suite,
    options: &CheckOptions,
    on_task: &(dyn Fn(&TaskCheck) + Sync),
) -> SuiteCheck {
    let mut tasks = Vec::new();
    for task in suite.tasks() {
        let check = check_task(task, options).await;
        on_task(&check);
        tasks.push(check);
    }
    SuiteCheck {
        name: suite.name().to_owned(),
        digest: suite.digest().to_owned(),
        tasks,
    }
}

/// Checks one task.
pub async fn check_task(task: &Task, options: &CheckOptions) -> TaskCheck {
    let started = Instant::now();
    let mut check = TaskCheck {
        task_id: task.id.clone(),
        category: task.category.clone(),
        difficulty: task.difficulty,
        solved: false,
        do_nothing_fails: false,
        subtasks_verified: 0,
        subtasks: task.subtasks.len() as u32,
        problems: Vec::new(),
        seconds: 0.0,
    };
    match leak_problems(task) {
        Ok(problems) => check.problems.extend(problems),
        Err(err) => check.problems.push(format!("cannot scan for leaks: {err}")),
    }
    let solve = task.solution_dir().join("solve.sh");
    if !solve.is_file() {
        check
            .problems
            .push("solution/solve.sh is missing".to_owned());
    }
    if !options.static_only {
        if solve.is_file() {
            run_solution(task, options, &mut check).await;
        }
        do_nothing(task, options, &mut check).await;
    }
    check.seconds = started.elapsed().as_secs_f64();
    check
}

async fn new_sandbox(task: &Task, options: &CheckOptions) -> Result<Sandbox, String> {
    let service_dir = task.service_dir();
    let secret_dir = task.secret_dir();
    let service = task
        .service
        .as_ref()
        .map(|service| (service, service_dir.as_path(), secret_dir.as_path()));
    Sandbox::create(
        &task.files_dir(),
        service,
        options.isolation,
        options.limits,
    )
    .await
    .map_err(|err| err.to_string())
}

async fn run_script(
    sandbox: &Sandbox,
    task: &Task,
    script: &str,
    options: &CheckOptions,
) -> Result<String, String> {
    let mount = match options.isolation {
        Isolation::Bubblewrap => SANDBOX_SOLUTION_DIR.to_owned(),
        Isolation::Unsandboxed => task.solution_dir().display().to_string(),
    };
    let output = sandbox
        .exec(ExecRequest {
            script: format!("sh {mount}/{script}"),
            timeout: Some(options.solution_timeout),
            read_only_mounts: match options.isolation {
                Isolation::Bubblewrap => vec![(task.solution_dir(), mount.clone())],
                Isolation::Unsandboxed => Vec::new(),
            },
            ..ExecRequest::default()
        })
        .await
        .map_err(|err| err.to_string())?;
    if output.timed_out {
        return Err(format!("solution/{script} timed out"));
    }
    if output.exit_code != Some(0) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: String = stderr
            .chars()
            .rev()
            .take(400)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return Err(format!(
            "solution/{script} failed (exit {:?}): {}",
            output.exit_code,
            tail.trim()
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    Ok(stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .to_owned())
}

async fn run_solution(task: &Task, options: &CheckOptions, check: &mut TaskCheck) {
    let sandbox = match new_sandbox(task, options).await {
        Ok(sandbox) => sandbox,
        Err(err) => {
            check
                .problems
                .push(format!("cannot set up the sandbox: {err}"));
            return;
        }
    };
    match run_script(&sandbox, task, "solve.sh", options).await {
        Err(problem) => check.problems.push(problem),
        Ok(answer) => match judge(task, &answer, &sandbox.host_workdir()).await {
            Ok(true) => check.solved = true,
            Ok(false) => check
                .problems
                .push("solution/solve.sh printed a wrong answer".to_owned()),
            Err(err) => check.problems.push(format!("the checker failed: {err}")),
        },
    }
    for (index, subtask) in task.subtasks.iter().enumerate() {
        let script = format!("subtask-{}.sh", index + 1);
        if !task.solution_dir().join(&script).is_file() {
            continue;
        }
        match run_script(&sandbox, task, &script, options).await {
            Err(problem) => check.problems.push(problem),
            Ok(answer) => match subtask.answer.matches(&answer) {
                Ok(true) => check.subtasks_verified += 1,
                Ok(false) => check
                    .problems
                    .push(format!("solution/{script} printed a wrong answer")),
                Err(err) => check.problems.push(err.to_string()),
            },
        }
    }
    sandbox.shutdown().await;
}

async fn do_nothing(task: &Task, options: &CheckOptions, check: &mut TaskCheck) {
    let sandbox = match new_sandbox(task, options).await {
        Ok(sandbox) => sandbox,
        Err(err) => {
            check
                .problems
                .push(format!("cannot set up the sandbox: {err}"));
            return;
        }
    };
    match judge(task, "", &sandbox.host_workdir()).await {
        Ok(false) => check.do_nothing_fails = true,
        Ok(true) => check
            .problems
            .push("a do-nothing agent (empty answer) is judged correct".to_owned()),
        Err(err) => check
            .problems
            .push(format!("the checker failed on an empty answer: {err}")),
    }
    sandbox.shutdown().await;
}

/// Every place a secret is reachable from what the agent sees, or hard-coded in the solution.
pub fn leak_problems(task: &Task) -> Result<Vec<String>, SuiteError> {
    let mut secrets = task.secret_values()?;
    if let Some(flag) = task.flag()? {
        secrets.push(flag);
    }
    secrets.retain(|secret| secret.len() >= 4);
    let hashed: Vec<&str> = std::iter::once(&task.checker)
        .filter_map(|checker| match checker {
            Checker::Flag(Expected::Sha256(digest)) => Some(digest.as_str()),
            _ => None,
        })
        .chain(
            task.subtasks
                .iter()
                .filter_map(|subtask| match &subtask.answer {
                    Expected::Sha256(digest) => Some(digest.as_str()),
                    Expected::SecretFile(_) => None,
                }),
        )
        .collect();
    let needles = needles(&secrets);
    let mut problems = Vec::new();
    let mut scan = |label: &str, bytes: &[u8], hard_coded: bool| {
        let mut found = Vec::new();
        scan_bytes(bytes, &needles, &hashed, 0, &mut found);
        for what in found {
            problems.push(if hard_coded {
                format!("{label} contains a secret ({what}); a solution must compute the flag")
            } else {
                format!("{label} reveals a secret to the agent ({what})")
            });
        }
    };
    for (path, content) in read_tree(&task.files_dir())? {
        scan(&format!("files/{path}"), &content, false);
    }
    let mut prompts = vec![task.prompt.hard.clone()];
    prompts.extend(task.prompt.easy.clone());
    prompts.extend(task.subtasks.iter().map(|subtask| subtask.question.clone()));
    scan("the prompt", prompts.join("\n").as_bytes(), false);
    if task.solution_dir().is_dir() {
        for (path, content) in read_tree(&task.solution_dir())? {
            scan(&format!("solution/{path}"), &content, true);
        }
    }
    problems.sort();
    problems.dedup();
    Ok(problems)
}

/// Byte strings whose presence reveals a secret, with the encoding's name.
fn needles(secrets: &[String]) -> Vec<(Vec<u8>, &'static str)> {
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    let mut needles = Vec::new();
    for secret in secrets {
        let bytes = secret.as_bytes();
        needles.push((bytes.to_vec(), "in clear"));
        needles.push((hex::encode(bytes).into_bytes(), "hex"));
        needles.push((hex::encode_upper(bytes).into_bytes(), "hex"));
        // The secret at each of the three alignments inside a longer base64 text: keep only the
        // characters that depend on the secret alone.
        for shift in 0..3usize {
            let mut padded = vec![0u8; shift];
            padded.extend_from_slice(bytes);
            let encoded = engine.encode(&padded);
            let skip = (shift * 4).div_ceil(3);
            let usable = (padded.len() / 3) * 4;
            if usable > skip + 4 {
                needles.push((encoded.as_bytes()[skip..usable].to_vec(), "base64"));
            }
        }
    }
    needles
}

fn scan_bytes(
    bytes: &[u8],
    needles: &[(Vec<u8>, &'static str)],
    hashed: &[&str],
    depth: u32,
    found: &mut Vec<String>,
) {
    for (needle, encoding) in needles {
        if !needle.is_empty() && bytes.windows(needle.len()).any(|window| window == needle) {
            found.push((*encoding).to_owned());
        }
    }
    if !hashed.is_empty() {
        for candidate in flag_shaped(bytes) {
            if hashed.contains(&sha256_hex(candidate).as_str()) {
                found.push("a flag-shaped string matching the answer's SHA-256".to_owned());
            }
        }
    }
    if depth < 2 && bytes.starts_with(b"PK\x03\x04") {
        scan_zip(bytes, needles, hashed, depth, found);
    }
}

/// Every `word{…}` substring (at most 200 bytes inside the braces, no whitespace): the only tokens
/// compared against hashed answers, because an answer such as an IP address is legitimately present
/// in a forensics task's files.
fn flag_shaped(bytes: &[u8]) -> Vec<&[u8]> {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let mut candidates = Vec::new();
    for (open, _) in bytes.iter().enumerate().filter(|(_, b)| **b == b'{') {
        let start = (0..open)
            .rev()
            .take_while(|i| is_word(bytes[*i]))
            .last()
            .unwrap_or(open);
        let close = bytes[open..]
            .iter()
            .take(202)
            .position(|b| *b == b'}' || b.is_ascii_whitespace());
        if let Some(offset) = close
            && bytes[open + offset] == b'}'
        {
            candidates.push(&bytes[start..=open + offset]);
        }
    }
    candidates
}

fn scan_zip(
    bytes: &[u8],
    needles: &[(Vec<u8>, &'static str)],
    hashed: &[&str],
    depth: u32,
    found: &mut Vec<String>,
) {
    use std::io::Read;
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return;
    };
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index(index) else {
            continue;
        };
        let name = entry
            .name()
            .map(|name| name.into_owned())
            .unwrap_or_default();
        let mut content = Vec::new();
        // Bounded: a zip bomb must not exhaust memory.
        if entry.take(64 << 20).read_to_end(&mut content).is_err() {
            continue;
        }
        let mut inner = Vec::new();
        scan_bytes(&content, needles, hashed, depth + 1, &mut inner);
        found.extend(
            inner
                .into_iter()
                .map(|what| format!("{what}, inside the archive member {name}")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(haystack: &[u8], secret: &str) -> Vec<String> {
        let needles = needles(&[secret.to_owned()]);
        let mut found = Vec::new();
        scan_bytes(haystack, &needles, &[], 0, &mut found);
        found
    }

    #[test]
    fn finds_secrets_in_clear_hex_and_base64_at_any_alignment() {
        let secret = "flag{s3cr3t_value}";
        assert_eq!(found(b"nothing here", secret), Vec::<String>::new());
        assert_eq!(
            found(format!("x {secret} y").as_bytes(), secret),
            ["in clear"]
        );
        assert_eq!(found(hex::encode(secret).as_bytes(), secret), ["hex"]);
        let engine = base64::engine::general_purpose::STANDARD;
        for prefix in ["", "a", "ab", "abc", "abcd"] {
            let encoded = engine.encode(format!("{prefix}{secret}trailing"));
            assert!(
                found(encoded.as_bytes(), secret).contains(&"base64".to_owned()),
                "prefix {prefix:?}"
            );
        }
    }

    #[test]
    fn finds_hashed_answers_and_secrets_inside_zip_files() {
        let digest = sha256_hex(b"flag{hidden}");
        let mut found = Vec::new();
        scan_bytes(b"echo 'flag{hidden}'", &[], &[&digest], 0, &mut found);
        assert_eq!(found.len(), 1);
        assert_eq!(
            flag_shaped(b"a flag{x} and CTF_2{y z} {w}"),
            [&b"flag{x}"[..], &b"{w}"[..]]
        );

        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            use std::io::Write;
            let mut writer = zip::ZipWriter::new(&mut buffer);
            writer
                .start_file("notes/readme.txt", zip::write::SimpleFileOptions::default())
                .expect("start");
            writer
                .write_all(b"the flag is flag{zipped}")
                .expect("write");
            writer.finish().expect("finish");
        }
        let hits = self::found(buffer.get_ref(), "flag{zipped}");
        assert_eq!(
            hits,
            ["in clear, inside the archive member notes/readme.txt"]
        );
    }
}
