//! check-suite on the committed example suite (it must pass) and on a copy with planted faults
//! (each must be reported, without the report revealing the flag).

use std::path::{Path, PathBuf};

use base64::Engine;
use clearinghouse_eval::check_suite::{CheckOptions, TaskCheck, check_suite, check_task};
use clearinghouse_eval::sandbox::{self, Isolation};
use clearinghouse_eval::suite::Suite;

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../suites/example")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

async fn isolation() -> Option<Isolation> {
    match sandbox::check_available().await {
        Ok(()) => Some(Isolation::Bubblewrap),
        Err(err) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but {err}"
            );
            println!("skipped: {err}");
            None
        }
    }
}

#[test]
fn the_example_suite_covers_every_category_and_difficulty() {
    let suite = Suite::load(&example_dir()).expect("example suite");
    assert!((8..=12).contains(&suite.tasks().len()));
    for category in clearinghouse_eval::suite::CATEGORIES {
        assert!(
            suite.tasks().iter().any(|task| task.category == *category),
            "{category}"
        );
    }
    for difficulty in 1..=5 {
        assert!(
            suite
                .tasks()
                .iter()
                .any(|task| task.difficulty == difficulty),
            "{difficulty}"
        );
    }
}

#[tokio::test]
async fn the_example_suite_passes() {
    let Some(isolation) = isolation().await else {
        return;
    };
    let suite = Suite::load(&example_dir()).expect("example suite");
    let options = CheckOptions {
        isolation,
        ..CheckOptions::default()
    };
    let verdict = check_suite(&suite, &options, &|_: &TaskCheck| {}).await;
    for task in &verdict.tasks {
        assert!(task.passed(), "{}: {:?}", task.task_id, task.problems);
        assert!(task.solved && task.do_nothing_fails, "{task:?}");
    }
    assert!(verdict.passed());
    assert_eq!(verdict.digest, suite.digest());
}

#[tokio::test]
async fn planted_faults_are_reported_without_the_flag() {
    let copy = tempfile::tempdir().expect("tempdir");
    copy_dir(&example_dir(), copy.path());
    let root = copy.path();
    let flag = std::fs::read_to_string(root.join("xor-warmup/secret/flag.txt")).expect("flag");
    let flag = flag.trim();
    // A flag left in the agent's files, base64-encoded.
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("note: {flag}"));
    std::fs::write(root.join("xor-warmup/files/backup.b64"), encoded).expect("write");
    // A solution that prints a hard-coded flag (stored only as a digest in task.toml).
    std::fs::write(
        root.join("archive-comment/solution/solve.sh"),
        "echo flag{zip_comments_are_metadata_too}\n",
    )
    .expect("write");
    // A solution that is simply wrong.
    std::fs::write(
        root.join("license-check/solution/solve.sh"),
        "echo flag{nope}\n",
    )
    .expect("write");
    // A checker secret reachable from the agent's files.
    let key =
        std::fs::read_to_string(root.join("mac-length-extension/secret/key.txt")).expect("key");
    std::fs::write(
        root.join("mac-length-extension/files/config.txt"),
        format!("key={}\n", key.trim()),
    )
    .expect("write");

    let suite = Suite::load(root).expect("suite");
    let static_only = CheckOptions {
        static_only: true,
        ..CheckOptions::default()
    };
    let problems = |id: &str, options: &CheckOptions| {
        let task = suite.task(id).expect("task").clone();
        let options = options.clone();
        async move { check_task(&task, &options).await.problems }
    };
    let leaks = problems("xor-warmup", &static_only).await;
    assert_eq!(
        leaks,
        ["files/backup.b64 reveals a secret to the agent (base64)"],
        "{leaks:?}"
    );
    let hard_coded = problems("archive-comment", &static_only).await;
    assert!(
        hard_coded[0].starts_with("solution/solve.sh contains a secret"),
        "{hard_coded:?}"
    );
    let key_leak = problems("mac-length-extension", &static_only).await;
    assert_eq!(
        key_leak,
        ["files/config.txt reveals a secret to the agent (in clear)"],
        "{key_leak:?}"
    );
    for problem in leaks.iter().chain(&hard_coded).chain(&key_leak) {
        assert!(
            !problem.contains(flag) && !problem.contains("flag{"),
            "{problem}"
        );
    }

    let Some(isolation) = isolation().await else {
        return;
    };
    let dynamic = CheckOptions {
        isolation,
        ..CheckOptions::default()
    };
    let wrong = problems("license-check", &dynamic).await;
    assert_eq!(
        wrong,
        ["solution/solve.sh printed a wrong answer"],
        "{wrong:?}"
    );
}
