//! Sealed benchmark suites: the on-disk task format, its loader and its digest.
//!
//! A suite is a directory holding `suite.toml` and one sub-directory per task. A task directory holds:
//!
//! ```text
//! <task-id>/
//!   task.toml        metadata, prompts, subtasks, checker, optional service
//!   files/           copied into the agent's sandbox as its working directory (/work)
//!   secret/          flags and checker secrets; never mounted into the agent's sandbox
//!   service/         optional: a loopback service's code, run in its own sandbox (mounted at /service)
//!   checker/         optional: a checker program's code, run outside every sandbox
//!   solution/        solve.sh (and subtask-N.sh) run inside the agent's sandbox by check-suite
//! ```
//!
//! `task.toml`:
//!
//! ```toml
//! name = "XOR warm-up"
//! category = "crypto"            # crypto, forensics, exploitation, web, reverse-engineering, misc
//! difficulty = 1                 # 1 (easiest) to 5
//! first_solve_seconds = 300      # how long the fastest human took, if known
//!
//! [prompt]
//! hard = "The file cipher.hex hides a flag. Find it."
//! easy = "cipher.hex is XORed with a single byte key. Try all 256 keys."
//!
//! [[subtasks]]                    # optional, asked in the easy variant
//! question = "What is the key, in decimal?"
//! answer_sha256 = "…"            # or answer_file = "subtask-1.txt" (in secret/)
//!
//! [checker]                       # exactly one of:
//! flag_file = "flag.txt"          #   the flag, stored in secret/
//! # flag_sha256 = "…"             #   the SHA-256 (hex) of the flag
//! # program = ["python3", "check.py"]  # run in checker/, answer on stdin, exit 0 = correct
//!
//! [service]                       # optional
//! command = ["python3", "server.py"]   # run in /service, with /secret mounted read-only
//! port = 8080                     # reachable by the agent at 127.0.0.1:8080
//! ```
//!
//! Answers are compared after trimming surrounding whitespace. The suite digest ([`Suite::digest`]) is
//! the SHA-256 of a listing of every file (`<sha256 of content>  <relative path>\n`, sorted by path), so
//! any change to any file, including secrets and solutions, changes it. Symbolic links and other special
//! files are refused: a sealed suite is plain files only. The full description is in
//! `docs/eval-suite-format.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Task categories a suite may use; kept closed so a typo does not create a new category in reports.
pub const CATEGORIES: &[&str] = &[
    "crypto",
    "forensics",
    "exploitation",
    "web",
    "reverse-engineering",
    "misc",
];

/// A loaded suite: its tasks in id order and its digest.
#[derive(Debug, Clone)]
pub struct Suite {
    root: PathBuf,
    name: String,
    description: String,
    tasks: Vec<Task>,
    digest: String,
}

/// One task, with paths resolved inside the suite directory.
#[derive(Debug, Clone)]
pub struct Task {
    /// The task directory's name, unique in the suite.
    pub id: String,
    pub dir: PathBuf,
    pub name: String,
    pub category: String,
    pub difficulty: u8,
    pub first_solve_seconds: Option<u64>,
    pub prompt: Prompt,
    pub subtasks: Vec<Subtask>,
    pub checker: Checker,
    pub service: Option<Service>,
}

/// The task statement, without and with guidance.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prompt {
    pub hard: String,
    #[serde(default)]
    pub easy: Option<String>,
}

/// An intermediate question asked in the easy variant.
#[derive(Debug, Clone)]
pub struct Subtask {
    pub question: String,
    pub answer: Expected,
}

/// What a correct answer is, without the answer itself ever being in `task.toml`.
#[derive(Clone, PartialEq, Eq)]
pub enum Expected {
    /// Lower-case hex SHA-256 of the trimmed answer.
    Sha256(String),
    /// A file under `secret/` holding the answer.
    SecretFile(PathBuf),
}

/// How an answer is judged.
#[derive(Debug, Clone)]
pub enum Checker {
    /// Compare with a flag.
    Flag(Expected),
    /// Run a program in the task's `checker/` directory, outside every sandbox.
    Program { command: Vec<String> },
}

/// A loopback service started for each attempt, in its own sandbox sharing only the network namespace.
#[derive(Debug, Clone)]
pub struct Service {
    pub command: Vec<String>,
    pub port: u16,
}

/// Why a suite could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SuiteError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {source}")]
    Toml {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{path} is a symbolic link or special file; a sealed suite holds plain files only")]
    NotAPlainFile { path: PathBuf },
}

impl Suite {
    /// Loads and validates a suite directory and computes its digest.
    pub fn load(root: &Path) -> Result<Self, SuiteError> {
        let manifest_path = root.join("suite.toml");
        let manifest: SuiteManifest = read_toml(&manifest_path)?;
        let mut tasks = Vec::new();
        let entries = fs::read_dir(root).map_err(|source| io_error(root, source))?;
        for entry in entries {
            let entry = entry.map_err(|source| io_error(root, source))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|source| io_error(&path, source))?;
            if kind.is_dir() {
                tasks.push(Task::load(&path)?);
            }
        }
        if tasks.is_empty() {
            return Err(invalid(root, "the suite has no task directories"));
        }
        tasks.sort_by(|a, b| a.id.cmp(&b.id));
        let digest = digest_dir(root)?;
        Ok(Self {
            root: root.to_path_buf(),
            name: manifest.name,
            description: manifest.description,
            tasks,
            digest,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    /// `sha256:<hex>` over the canonical listing of every file in the suite.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|task| task.id == id)
    }
}

impl Task {
    fn load(dir: &Path) -> Result<Self, SuiteError> {
        let id = dir
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default()
            .to_owned();
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(invalid(
                dir,
                "task directory names must be lower-case letters, digits and '-'",
            ));
        }
        let manifest_path = dir.join("task.toml");
        let manifest: TaskManifest = read_toml(&manifest_path)?;
        if !CATEGORIES.contains(&manifest.category.as_str()) {
            return Err(invalid(
                &manifest_path,
                format!(
                    "unknown category `{}` (expected one of {})",
                    manifest.category,
                    CATEGORIES.join(", ")
                ),
            ));
        }
        if !(1..=5).contains(&manifest.difficulty) {
            return Err(invalid(
                &manifest_path,
                format!("difficulty {} is outside 1..=5", manifest.difficulty),
            ));
        }
        if manifest.prompt.hard.trim().is_empty() {
            return Err(invalid(&manifest_path, "prompt.hard is empty"));
        }
        let secret_dir = dir.join("secret");
        let expected = |sha: Option<String>, file: Option<String>, what: &str| match (sha, file) {
            (Some(sha), None) => {
                let sha = sha.to_ascii_lowercase();
                if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(invalid(
                        &manifest_path,
                        format!("{what}: the SHA-256 must be 64 hex digits"),
                    ));
                }
                Ok(Expected::Sha256(sha))
            }
            (None, Some(file)) => {
                let path = secret_dir.join(&file);
                if file.contains("..") || !path.is_file() {
                    return Err(invalid(
                        &manifest_path,
                        format!("{what}: secret/{file} does not exist"),
                    ));
                }
                Ok(Expected::SecretFile(path))
            }
            _ => Err(invalid(
                &manifest_path,
                format!("{what}: give exactly one of the SHA-256 or the secret file"),
            )),
        };
        let checker = match manifest.checker {
            CheckerManifest {
                flag_sha256,
                flag_file,
                program: None,
            } => Checker::Flag(expected(flag_sha256, flag_file, "checker")?),
            CheckerManifest {
                flag_sha256: None,
                flag_file: None,
                program: Some(command),
            } => {
                if command.is_empty() {
                    return Err(invalid(&manifest_path, "checker.program is empty"));
                }
                if !dir.join("checker").is_dir() {
                    return Err(invalid(
                        &manifest_path,
                        "a checker program needs a checker/ directory",
                    ));
                }
                Checker::Program { command }
            }
            _ => {
                return Err(invalid(
                    &manifest_path,
                    "checker: give exactly one of flag_file, flag_sha256 or program",
                ));
            }
        };
        let mut subtasks = Vec::new();
        for (index, subtask) in manifest.subtasks.into_iter().enumerate() {
            let what = format!("subtask {}", index + 1);
            subtasks.push(Subtask {
                question: subtask.question,
                answer: expected(subtask.answer_sha256, subtask.answer_file, &what)?,
            });
        }
        let service = match manifest.service {
            None => None,
            Some(service) => {
                if service.command.is_empty() {
                    return Err(invalid(&manifest_path, "service.command is empty"));
                }
                if service.port == 0 {
                    return Err(invalid(&manifest_path, "service.port must not be 0"));
                }
                if !dir.join("service").is_dir() {
                    return Err(invalid(
                        &manifest_path,
                        "a service needs a service/ directory",
                    ));
                }
                Some(Service {
                    command: service.command,
                    port: service.port,
                })
            }
        };
        if !dir.join("files").is_dir() {
            return Err(invalid(
                dir,
                "missing files/ directory (may be empty, with a .keep file)",
            ));
        }
        Ok(Self {
            id,
            dir: dir.to_path_buf(),
            name: manifest.name,
            category: manifest.category,
            difficulty: manifest.difficulty,
            first_solve_seconds: manifest.first_solve_seconds,
            prompt: manifest.prompt,
            subtasks,
            checker,
            service,
        })
    }

    /// The directory copied into the agent's sandbox.
    pub fn files_dir(&self) -> PathBuf {
        self.dir.join("files")
    }

    /// Flags and checker secrets: never mounted into the agent's sandbox.
    pub fn secret_dir(&self) -> PathBuf {
        self.dir.join("secret")
    }

    pub fn service_dir(&self) -> PathBuf {
        self.dir.join("service")
    }

    pub fn checker_dir(&self) -> PathBuf {
        self.dir.join("checker")
    }

    pub fn solution_dir(&self) -> PathBuf {
        self.dir.join("solution")
    }

    /// Every secret value of the task that an agent must never find in its files: the flag (when
    /// stored in clear), subtask answers stored in clear and every file under `secret/`.
    pub fn secret_values(&self) -> Result<Vec<String>, SuiteError> {
        let mut values = Vec::new();
        let secret_dir = self.secret_dir();
        if secret_dir.is_dir() {
            for content in read_tree(&secret_dir)?.into_values() {
                let text = String::from_utf8_lossy(&content).trim().to_owned();
                if !text.is_empty() {
                    values.push(text);
                }
            }
        }
        values.sort();
        values.dedup();
        Ok(values)
    }

    /// The flag in clear, when the task stores it in `secret/`.
    pub fn flag(&self) -> Result<Option<String>, SuiteError> {
        match &self.checker {
            Checker::Flag(Expected::SecretFile(path)) => Ok(Some(read_trimmed(path)?)),
            _ => Ok(None),
        }
    }
}

impl Expected {
    /// Whether `answer` (trimmed) is the expected one.
    pub fn matches(&self, answer: &str) -> Result<bool, SuiteError> {
        let answer = answer.trim();
        match self {
            Expected::Sha256(hex_digest) => Ok(sha256_hex(answer.as_bytes()) == *hex_digest),
            Expected::SecretFile(path) => Ok(read_trimmed(path)? == answer),
        }
    }
}

/// Never prints the answer, so a `Debug` of a task is safe to log.
impl fmt::Debug for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Sha256(_) => f.write_str("Expected::Sha256(..)"),
            Expected::SecretFile(path) => write!(f, "Expected::SecretFile({})", path.display()),
        }
    }
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The canonical listing the digest is computed over: one `<sha256>  <path>\n` line per file,
/// sorted by path (`/`-separated, relative to `root`).
pub fn canonical_listing(root: &Path) -> Result<String, SuiteError> {
    let mut listing = String::new();
    for (path, content) in read_tree(root)? {
        listing.push_str(&sha256_hex(&content));
        listing.push_str("  ");
        listing.push_str(&path);
        listing.push('\n');
    }
    Ok(listing)
}

/// `sha256:<hex>` of [`canonical_listing`].
pub fn digest_dir(root: &Path) -> Result<String, SuiteError> {
    Ok(format!(
        "sha256:{}",
        sha256_hex(canonical_listing(root)?.as_bytes())
    ))
}

/// Every plain file under `root`, keyed by its `/`-separated relative path (sorted).
pub fn read_tree(root: &Path) -> Result<BTreeMap<String, Vec<u8>>, SuiteError> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(|source| io_error(&dir, source))?;
        for entry in entries {
            let entry = entry.map_err(|source| io_error(&dir, source))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|source| io_error(&path, source))?;
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                let relative = path
                    .strip_prefix(root)
                    .map_err(|_| invalid(&path, "file outside the suite"))?;
                let name = relative
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let content = fs::read(&path).map_err(|source| io_error(&path, source))?;
                files.insert(name, content);
            } else {
                return Err(SuiteError::NotAPlainFile { path });
            }
        }
    }
    Ok(files)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteManifest {
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskManifest {
    name: String,
    category: String,
    difficulty: u8,
    #[serde(default)]
    first_solve_seconds: Option<u64>,
    prompt: Prompt,
    #[serde(default)]
    subtasks: Vec<SubtaskManifest>,
    checker: CheckerManifest,
    #[serde(default)]
    service: Option<ServiceManifest>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubtaskManifest {
    question: String,
    #[serde(default)]
    answer_sha256: Option<String>,
    #[serde(default)]
    answer_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckerManifest {
    #[serde(default)]
    flag_sha256: Option<String>,
    #[serde(default)]
    flag_file: Option<String>,
    #[serde(default)]
    program: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceManifest {
    command: Vec<String>,
    port: u16,
}

fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, SuiteError> {
    let text = fs::read_to_string(path).map_err(|source| io_error(path, source))?;
    toml::from_str(&text).map_err(|source| SuiteError::Toml {
        path: path.to_path_buf(),
        source,
    })
}

fn read_trimmed(path: &Path) -> Result<String, SuiteError> {
    let text = fs::read_to_string(path).map_err(|source| io_error(path, source))?;
    Ok(text.trim().to_owned())
}

fn io_error(path: &Path, source: std::io::Error) -> SuiteError {
    SuiteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn invalid(path: &Path, message: impl Into<String>) -> SuiteError {
    SuiteError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, content: &str) {
        let full = root.join(path);
        fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        fs::write(full, content).expect("write");
    }

    fn minimal_suite() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "suite.toml", "name = \"t\"\n");
        write(
            dir.path(),
            "alpha/task.toml",
            r#"
name = "Alpha"
category = "misc"
difficulty = 2
first_solve_seconds = 60
[prompt]
hard = "find it"
easy = "it is in notes.txt"
[[subtasks]]
question = "which file?"
answer_sha256 = "2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE"
[checker]
flag_file = "flag.txt"
"#,
        );
        write(dir.path(), "alpha/files/notes.txt", "nothing here");
        write(dir.path(), "alpha/secret/flag.txt", "flag{alpha}\n");
        dir
    }

    #[test]
    fn loads_a_task_and_checks_answers() {
        let dir = minimal_suite();
        let suite = Suite::load(dir.path()).expect("load");
        assert_eq!(suite.name(), "t");
        let task = suite.task("alpha").expect("task");
        assert_eq!(task.difficulty, 2);
        assert_eq!(task.first_solve_seconds, Some(60));
        let Checker::Flag(flag) = &task.checker else {
            panic!("expected a flag checker")
        };
        assert!(flag.matches("  flag{alpha}\n").expect("match"));
        assert!(!flag.matches("flag{beta}").expect("match"));
        // sha256("foo"), given upper-case in the manifest.
        assert!(task.subtasks[0].answer.matches("foo").expect("match"));
        assert_eq!(task.flag().expect("flag").as_deref(), Some("flag{alpha}"));
        assert!(!format!("{task:?}").contains("flag{alpha}"));
    }

    #[test]
    fn digest_changes_with_any_file_and_is_order_independent() {
        let dir = minimal_suite();
        let first = Suite::load(dir.path()).expect("load").digest().to_owned();
        assert!(first.starts_with("sha256:"));
        assert_eq!(
            Suite::load(dir.path()).expect("load").digest(),
            first,
            "stable"
        );
        write(dir.path(), "alpha/secret/flag.txt", "flag{other}\n");
        let second = Suite::load(dir.path()).expect("load").digest().to_owned();
        assert_ne!(first, second);
        write(dir.path(), "alpha/files/extra", "");
        assert_ne!(
            Suite::load(dir.path()).expect("load").digest(),
            second,
            "new empty file"
        );
        let listing = canonical_listing(dir.path()).expect("listing");
        let paths: Vec<&str> = listing
            .lines()
            .map(|line| line.split_once("  ").expect("two fields").1)
            .collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted);
    }

    #[test]
    fn rejects_bad_manifests() {
        let dir = minimal_suite();
        let task = dir.path().join("alpha/task.toml");
        let original = fs::read_to_string(&task).expect("read");
        for (from, to, needle) in [
            ("difficulty = 2", "difficulty = 6", "difficulty"),
            ("category = \"misc\"", "category = \"pwn\"", "category"),
            (
                "flag_file = \"flag.txt\"",
                "flag_file = \"missing.txt\"",
                "does not exist",
            ),
            (
                "flag_file = \"flag.txt\"",
                "flag_file = \"flag.txt\"\nflag_sha256 = \"00\"",
                "exactly one",
            ),
        ] {
            fs::write(&task, original.replace(from, to)).expect("write");
            let err = Suite::load(dir.path()).expect_err(needle).to_string();
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn refuses_symlinks() {
        let dir = minimal_suite();
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("alpha/files/link"))
            .expect("symlink");
        let err = Suite::load(dir.path()).expect_err("symlink");
        assert!(matches!(err, SuiteError::NotAPlainFile { .. }), "{err}");
    }
}
