//! E-mail through `Mailer` to an `SmtpReceiver`, read back with an independent MIME parser.

use clearinghouse_notify::{Mailer, SmtpConfig, SmtpSecurity};
use clearinghouse_testkit::receivers::SmtpReceiver;

use crate::WAIT;

fn mailer(receiver: &SmtpReceiver) -> Mailer {
    let config = SmtpConfig::from_url(&receiver.url())
        .unwrap_or_else(|e| panic!("the receiver's URL does not parse: {e}"));
    Mailer::new(&config).unwrap_or_else(|e| panic!("no mailer for the receiver: {e}"))
}

#[tokio::test]
async fn an_email_arrives_with_its_subject_and_text_intact() {
    let receiver = SmtpReceiver::start().await;
    let subject = "Übersicht: 3 neue Meldungen – bitte prüfen";
    let text = "Grüße aus der Clearinghouse.\n\nThis line is deliberately much longer than seventy-eight characters so the encoder has to fold or encode it somehow.\n";
    let delivered = mailer(&receiver)
        .send(&["ops@example.org".to_owned()], subject, text)
        .await
        .unwrap();
    assert_eq!(delivered.status, 250);
    assert_eq!(delivered.detail, "2.0.0 OK queued as 1");

    let messages = receiver.wait_for(1, WAIT).await.unwrap();
    let mail = &messages[0];
    assert_eq!(mail.from, "clearinghouse@example.org");
    assert_eq!(mail.to, ["ops@example.org"]);
    assert_eq!(mail.subject.as_deref(), Some(subject));
    assert_eq!(
        mail.text.as_deref().map(str::trim_end),
        Some(text.trim_end())
    );
    assert_eq!(mail.auth_user, None);
    assert!(mail.header("Message-ID").is_some());
    assert!(mail.header("Date").is_some());
}

#[tokio::test]
async fn lines_starting_with_dots_survive_the_smtp_data_section() {
    let receiver = SmtpReceiver::start().await;
    let text = "first\n.\n..two\n.hidden\nlast\n";
    mailer(&receiver)
        .send(&["ops@example.org".to_owned()], "dots", text)
        .await
        .unwrap();
    let messages = receiver.wait_for(1, WAIT).await.unwrap();
    assert_eq!(
        messages[0].text.as_deref().map(str::trim_end),
        Some(text.trim_end())
    );
}

#[tokio::test]
async fn several_recipients_and_auth_plain_credentials() {
    let receiver = SmtpReceiver::start().await;
    let url = receiver
        .url()
        .replacen("smtp://", "smtp://alerts%40example.org:s3cr%3At@", 1);
    let config = SmtpConfig::from_url(&url).unwrap();
    assert_eq!(config.security, SmtpSecurity::None);
    let mailer = Mailer::new(&config).unwrap();
    let to = ["a@example.org".to_owned(), "b@example.net".to_owned()];
    mailer.send(&to, "two recipients", "hello\n").await.unwrap();
    let mail = &receiver.wait_for(1, WAIT).await.unwrap()[0];
    assert_eq!(mail.to, to);
    assert_eq!(mail.auth_user.as_deref(), Some("alerts@example.org"));
    assert_eq!(mail.auth_password.as_deref(), Some("s3cr:t"));
}

#[tokio::test]
async fn a_subject_cannot_add_headers_or_recipients() {
    let receiver = SmtpReceiver::start().await;
    mailer(&receiver)
        .send(
            &["ops@example.org".to_owned()],
            "Hello\r\nBcc: intruder@example.org",
            "body\n",
        )
        .await
        .unwrap();
    let mail = &receiver.wait_for(1, WAIT).await.unwrap()[0];
    assert_eq!(mail.to, ["ops@example.org"]);
    assert_eq!(mail.header("Bcc"), None);
    assert_eq!(
        mail.subject.as_deref(),
        Some("Hello  Bcc: intruder@example.org")
    );
}

#[tokio::test]
async fn smtp_4xx_is_retryable_5xx_permanent() {
    let receiver = SmtpReceiver::start().await;
    let mailer = mailer(&receiver);
    let to = ["ops@example.org".to_owned()];

    receiver.fail_next(1, 451);
    let transient = mailer.send(&to, "s", "t\n").await.unwrap_err();
    assert!(transient.retryable, "{transient:?}");
    assert_eq!(transient.status, Some(451));

    receiver.fail_next(1, 550);
    let permanent = mailer.send(&to, "s", "t\n").await.unwrap_err();
    assert!(!permanent.retryable, "{permanent:?}");
    assert_eq!(permanent.status, Some(550));

    // Refusals are counted down: the next message goes through.
    mailer.send(&to, "s", "t\n").await.unwrap();
    assert_eq!(receiver.wait_for(1, WAIT).await.unwrap().len(), 1);
}

#[tokio::test]
async fn bad_recipients_are_permanent_and_nothing_is_sent() {
    let receiver = SmtpReceiver::start().await;
    let mailer = mailer(&receiver);
    for to in [vec![], vec!["not an address".to_owned()]] {
        let error = mailer.send(&to, "s", "t\n").await.unwrap_err();
        assert!(!error.retryable, "{error:?}");
    }
    assert!(receiver.messages().is_empty());
}

#[tokio::test]
async fn required_tls_is_never_downgraded_to_plain_text() {
    let receiver = SmtpReceiver::start().await;
    let to = ["ops@example.org".to_owned()];
    let plain = SmtpConfig::from_url(&receiver.url()).unwrap();

    // The receiver offers no STARTTLS: no credentials, no mail, and retrying will not help.
    let starttls = Mailer::new(&SmtpConfig {
        security: SmtpSecurity::StartTls,
        username: Some("user".to_owned()),
        password: Some("never-sent".to_owned()),
        ..plain.clone()
    })
    .unwrap();
    let error = starttls.send(&to, "s", "t\n").await.unwrap_err();
    assert!(!error.retryable, "{error:?}");
    assert!(error.message.contains("STARTTLS"), "{error}");

    // Implicit TLS against a plain-text server fails in the handshake: retryable, nothing sent.
    let tls = Mailer::new(&SmtpConfig {
        security: SmtpSecurity::Tls,
        ..plain
    })
    .unwrap();
    let error = tls.send(&to, "s", "t\n").await.unwrap_err();
    assert!(error.retryable, "{error:?}");
    assert!(receiver.messages().is_empty());
}
