//! Standard Webhooks signing and delivery through `WebhookClient` to a `WebhookReceiver`.

use std::time::Duration;

use clearinghouse_notify::{
    Backoff, DEFAULT_TOLERANCE, DestinationPolicy, SignatureError, SignedHeaders, WebhookClient,
    WebhookOptions, generate_secret, sign, verify,
};
use clearinghouse_testkit::receivers::{ReceivedRequest, WebhookReceiver};

use crate::{WAIT, unix_now};

const BODY: &[u8] =
    br#"{"type":"advisory.matched","timestamp":"2026-11-20T08:00:00Z","data":{"advisory":"CVE-2024-3094"}}"#;

/// The receivers listen on loopback, which only a client allowing private destinations reaches.
const LOOPBACK_ALLOWED: DestinationPolicy = DestinationPolicy {
    allow_private: true,
};

fn client() -> WebhookClient {
    WebhookClient::new(&WebhookOptions {
        destinations: LOOPBACK_ALLOWED,
        ..WebhookOptions::default()
    })
    .unwrap_or_else(|e| panic!("no webhook client: {e}"))
}

#[tokio::test]
async fn internal_destinations_are_refused_for_good_and_never_reached() {
    let receiver = WebhookReceiver::start().await;
    let strict = WebhookClient::new(&WebhookOptions::default()).unwrap();
    let by_address = receiver.url();
    let by_name = by_address.replace("127.0.0.1", "localhost");
    assert_ne!(by_address, by_name, "the receiver listens on 127.0.0.1");
    for url in [by_address.as_str(), by_name.as_str()] {
        let error = strict
            .deliver(
                url,
                &generate_secret(),
                "msg_ssrf",
                "advisory.matched",
                BODY,
            )
            .await
            .unwrap_err();
        assert!(!error.retryable, "{url}: {error}");
        assert!(error.message.contains("internal"), "{url}: {error}");
        assert!(
            !error.message.contains(url),
            "the URL stays out of the message"
        );
    }
    assert!(
        receiver.requests().is_empty(),
        "nothing reached the receiver"
    );
    // Allowed explicitly, the same receiver is reached.
    client()
        .deliver(
            &by_name,
            &generate_secret(),
            "msg_ok",
            "advisory.matched",
            BODY,
        )
        .await
        .unwrap();
    assert_eq!(receiver.requests().len(), 1);
}

/// The three signature headers of a received request, absent ones as "".
fn signed_headers(request: &ReceivedRequest) -> SignedHeaders<'_> {
    SignedHeaders {
        id: request.header("webhook-id").unwrap_or_default(),
        timestamp: request.header("webhook-timestamp").unwrap_or_default(),
        signature: request.header("webhook-signature").unwrap_or_default(),
    }
}

#[test]
fn the_reference_libraries_test_vector_signs_and_verifies() {
    // The vector every Standard Webhooks reference library tests against (libraries/*/ in
    // github.com/standard-webhooks/standard-webhooks).
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let id = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    let body = br#"{"email":"test@example.com","username":"test_user"}"#;
    let expected = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";
    assert_eq!(sign(secret, id, 1_649_367_553, body).unwrap(), expected);

    // A rotation header: two stale signatures around the valid one.
    let header = format!(
        "v1,tFtCZ5RDCPxzWQRWXWPgrCgE2frDBe9gjpbWQxnVfsQ= {expected} v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg=="
    );
    let headers = SignedHeaders {
        id,
        timestamp: "1649367553",
        signature: &header,
    };
    verify(secret, &headers, body, 1_649_367_553, DEFAULT_TOLERANCE).unwrap();
    let stale_only = SignedHeaders {
        signature: "v1,tFtCZ5RDCPxzWQRWXWPgrCgE2frDBe9gjpbWQxnVfsQ= v1,Mm7xgUVICxZfQ3bgf0h0Dof65L/IFx+PnZvnDWPCX6Q=",
        ..headers
    };
    assert_eq!(
        verify(secret, &stale_only, body, 1_649_367_553, DEFAULT_TOLERANCE),
        Err(SignatureError::NoMatchingSignature)
    );
}

#[tokio::test]
async fn a_delivered_webhook_carries_a_signature_the_receiver_verifies() {
    let receiver = WebhookReceiver::start().await;
    let secret = generate_secret();
    let delivered = client()
        .deliver(
            &receiver.url(),
            &secret,
            "msg_0001",
            "advisory.matched",
            BODY,
        )
        .await
        .unwrap();
    assert_eq!(delivered.status, 200);

    let requests = receiver.wait_for(1, WAIT).await.unwrap();
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.body, BODY);
    assert_eq!(request.header("webhook-id"), Some("msg_0001"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert!(
        request
            .header("user-agent")
            .is_some_and(|agent| agent.starts_with("Clearinghouse-Webhooks/")),
        "{request:?}"
    );
    let timestamp: i64 = request
        .header("webhook-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert!((unix_now() - timestamp).abs() <= 5, "{timestamp}");
    let headers = signed_headers(request);
    verify(
        &secret,
        &headers,
        &request.body,
        unix_now(),
        DEFAULT_TOLERANCE,
    )
    .unwrap();

    // Tampering with anything signed, or the wrong secret, fails verification.
    let mut body = request.body.clone();
    body[10] ^= 1;
    let no_match = Err(SignatureError::NoMatchingSignature);
    assert_eq!(
        verify(&secret, &headers, &body, unix_now(), DEFAULT_TOLERANCE),
        no_match
    );
    let other_id = SignedHeaders {
        id: "msg_0002",
        ..headers
    };
    assert_eq!(
        verify(
            &secret,
            &other_id,
            &request.body,
            unix_now(),
            DEFAULT_TOLERANCE
        ),
        no_match
    );
    let shifted = (timestamp - 1).to_string();
    let other_time = SignedHeaders {
        timestamp: &shifted,
        ..headers
    };
    assert_eq!(
        verify(
            &secret,
            &other_time,
            &request.body,
            unix_now(),
            DEFAULT_TOLERANCE
        ),
        no_match
    );
    assert_eq!(
        verify(
            &generate_secret(),
            &headers,
            &request.body,
            unix_now(),
            DEFAULT_TOLERANCE
        ),
        no_match
    );
    // Replayed an hour later, it is refused for its age.
    assert!(matches!(
        verify(
            &secret,
            &headers,
            &request.body,
            unix_now() + 3600,
            DEFAULT_TOLERANCE
        ),
        Err(SignatureError::TimestampTooOld { .. })
    ));
}

#[tokio::test]
async fn a_server_error_is_retryable_and_the_retry_keeps_the_message_id() {
    let receiver = WebhookReceiver::start().await;
    receiver.fail_next(1, 500);
    let secret = generate_secret();
    let client = client();
    let backoff = Backoff::default();

    let failed = client
        .deliver(
            &receiver.url(),
            &secret,
            "msg_retry",
            "advisory.matched",
            BODY,
        )
        .await
        .unwrap_err();
    assert!(failed.retryable, "{failed:?}");
    assert_eq!(failed.status, Some(500));
    assert_eq!(
        failed.message,
        "the receiver answered HTTP 500 Internal Server Error"
    );
    // The worker would now wait (at most 30 s after a first failure) and try again.
    let delay = backoff.delay_after(1, 7_777, failed.retry_after).unwrap();
    assert!(delay <= Duration::from_secs(30));

    let delivered = client
        .deliver(
            &receiver.url(),
            &secret,
            "msg_retry",
            "advisory.matched",
            BODY,
        )
        .await
        .unwrap();
    assert_eq!(delivered.status, 200);
    let requests = receiver.wait_for(2, WAIT).await.unwrap();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.header("webhook-id"), Some("msg_retry"));
        verify(
            &secret,
            &signed_headers(request),
            &request.body,
            unix_now(),
            DEFAULT_TOLERANCE,
        )
        .unwrap();
    }
}

#[tokio::test]
async fn statuses_are_classified_as_the_spec_advises() {
    let receiver = WebhookReceiver::start().await;
    let secret = generate_secret();
    let client = client();
    for (status, retryable) in [
        (400, false),
        (401, false),
        (404, false),
        (410, false),
        (302, false),
        (408, true),
        (429, true),
        (502, true),
        (503, true),
        (504, true),
    ] {
        receiver.fail_next(1, status);
        let error = client
            .deliver(
                &receiver.url(),
                &secret,
                "msg_status",
                "advisory.matched",
                BODY,
            )
            .await
            .unwrap_err();
        assert_eq!(
            (error.status, error.retryable),
            (Some(status), retryable),
            "{error:?}"
        );
        assert_eq!(error.retry_after, None);
    }
    // The redirect was not followed: exactly one request per attempt arrived.
    assert_eq!(receiver.requests().len(), 10);
}

#[tokio::test]
async fn retry_after_is_passed_on_and_honoured_by_the_backoff() {
    let receiver = WebhookReceiver::start().await;
    receiver.fail_next(1, 429);
    receiver.set_retry_after(Some(120));
    let error = client()
        .deliver(
            &receiver.url(),
            &generate_secret(),
            "msg_429",
            "advisory.matched",
            BODY,
        )
        .await
        .unwrap_err();
    assert!(error.retryable);
    assert_eq!(error.retry_after, Some(Duration::from_secs(120)));
    assert_eq!(
        Backoff::default().delay_after(1, 0, error.retry_after),
        Some(Duration::from_secs(120))
    );
}

#[tokio::test]
async fn a_slow_receiver_times_out_and_is_retryable() {
    let receiver = WebhookReceiver::start().await;
    receiver.set_delay(Duration::from_secs(3));
    let client = WebhookClient::new(&WebhookOptions {
        timeout: Duration::from_millis(300),
        destinations: LOOPBACK_ALLOWED,
        ..WebhookOptions::default()
    })
    .unwrap();
    let started = std::time::Instant::now();
    let error = client
        .deliver(
            &receiver.url(),
            &generate_secret(),
            "msg_slow",
            "advisory.matched",
            BODY,
        )
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(error.retryable, "{error:?}");
    assert_eq!(error.status, None);
    assert_eq!(error.message, "no response within 0.3 s");
    // The request did arrive; only the answer was too late.
    assert_eq!(receiver.wait_for(1, WAIT).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_unreachable_receiver_is_retryable_and_the_error_leaks_no_url_secret_or_body() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/hooks/T0KEN-IN-PATH?key=QUERY-TOKEN");
    let secret = generate_secret();
    let error = client()
        .deliver(&url, &secret, "msg_refused", "advisory.matched", BODY)
        .await
        .unwrap_err();
    assert!(error.retryable, "{error:?}");
    assert!(
        error.message.starts_with("cannot connect to the receiver"),
        "{error}"
    );
    for leak in ["T0KEN-IN-PATH", "QUERY-TOKEN", &secret, "CVE-2024-3094"] {
        assert!(!error.message.contains(leak), "{leak} in {error}");
    }
}

#[tokio::test]
async fn configuration_faults_are_permanent_and_send_nothing() {
    let receiver = WebhookReceiver::start().await;
    let client = client();
    let bad_secret = client
        .deliver(
            &receiver.url(),
            "whsec_dG9vc2hvcnQ=",
            "msg_1",
            "advisory.matched",
            BODY,
        )
        .await
        .unwrap_err();
    assert!(!bad_secret.retryable);
    assert!(!bad_secret.message.contains("dG9vc2hvcnQ"), "{bad_secret}");
    let bad_id = client
        .deliver(
            &receiver.url(),
            &generate_secret(),
            "msg.1",
            "advisory.matched",
            BODY,
        )
        .await
        .unwrap_err();
    assert!(!bad_id.retryable);
    let bad_url = client
        .deliver(
            "ftp://127.0.0.1/x",
            &generate_secret(),
            "msg_1",
            "advisory.matched",
            BODY,
        )
        .await
        .unwrap_err();
    assert!(!bad_url.retryable);
    assert!(receiver.requests().is_empty());
}
