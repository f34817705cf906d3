//! The daily digest: its exact text, and the same text read back from a delivered e-mail.

use clearinghouse_notify::{Mailer, Notice, SmtpConfig, render_digest};
use clearinghouse_testkit::receivers::SmtpReceiver;

use crate::WAIT;

fn notices() -> Vec<Notice> {
    vec![
        Notice {
            subject: "Act: CVE-2024-3094 (xz-utils backdoor)".to_owned(),
            text: "Asset build-server-01 runs xz-utils 5.6.0, which contains a backdoor in liblzma that can let an attacker run code through sshd.\nUpgrade to 5.6.2 or downgrade to 5.4.6.".to_owned(),
            link: Some("https://clearinghouse.example.org/vulnerabilities/CVE-2024-3094?asset=build-server-01".to_owned()),
        },
        Notice {
            subject: "Attend: CVE-2023-44487 (HTTP/2 rapid reset)".to_owned(),
            text: "Asset edge-proxy runs nginx 1.25.2.".to_owned(),
            link: None,
        },
        Notice {
            subject: "Act: CVE-2024-3094 (xz-utils backdoor)".to_owned(),
            text: "Asset ci-runner-07 runs xz-utils 5.6.1.".to_owned(),
            link: Some("https://clearinghouse.example.org/vulnerabilities/CVE-2024-3094?asset=ci-runner-07".to_owned()),
        },
    ]
}

const EXPECTED_TEXT: &str = "\
Clearinghouse daily digest, 2026-11-20
======================================

3 notifications in 2 topics.

1. Act: CVE-2024-3094 (xz-utils backdoor) (2)
   Asset build-server-01 runs xz-utils 5.6.0, which contains a backdoor
   in liblzma that can let an attacker run code through sshd.
   Upgrade to 5.6.2 or downgrade to 5.4.6.
   https://clearinghouse.example.org/vulnerabilities/CVE-2024-3094?asset=build-server-01

   Asset ci-runner-07 runs xz-utils 5.6.1.
   https://clearinghouse.example.org/vulnerabilities/CVE-2024-3094?asset=ci-runner-07

2. Attend: CVE-2023-44487 (HTTP/2 rapid reset)
   Asset edge-proxy runs nginx 1.25.2.
";

#[test]
fn the_digest_groups_counts_and_wraps() {
    let (subject, text) = render_digest("Clearinghouse daily digest, 2026-11-20", &notices());
    assert_eq!(
        subject,
        "Clearinghouse daily digest, 2026-11-20: 3 notifications"
    );
    assert_eq!(text, EXPECTED_TEXT);
    let longest_prose = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("https://"))
        .map(|line| line.chars().count())
        .max();
    assert!(longest_prose <= Some(72), "{longest_prose:?}");
}

#[test]
fn an_empty_digest_says_so() {
    let (subject, text) = render_digest("Digest", &[]);
    assert_eq!(subject, "Digest: nothing new");
    assert_eq!(
        text,
        "Digest\n======\n\nNothing new since the last digest.\n"
    );
    let one = render_digest("Digest", &notices()[1..2]);
    assert_eq!(one.0, "Digest: 1 notification");
    assert!(one.1.contains("1 notification in 1 topic.\n"), "{}", one.1);
}

#[tokio::test]
async fn the_digest_reads_the_same_in_the_mailbox() {
    let receiver = SmtpReceiver::start().await;
    let mailer = Mailer::new(&SmtpConfig::from_url(&receiver.url()).unwrap()).unwrap();
    let (subject, text) = render_digest("Clearinghouse daily digest, 2026-11-20", &notices());
    mailer
        .send(&["ops@example.org".to_owned()], &subject, &text)
        .await
        .unwrap();
    let mail = &receiver.wait_for(1, WAIT).await.unwrap()[0];
    assert_eq!(mail.subject.as_deref(), Some(subject.as_str()));
    assert_eq!(
        mail.text.as_deref().map(str::trim_end),
        Some(text.trim_end())
    );
}
