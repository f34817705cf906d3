//! Attachments are unreadable in the database (the raw SQLite file and WAL, the PostgreSQL row),
//! readable through the API only by the roles that need them, and every read is in the log.

use serde_json::json;

use super::{World, base64, finding, log_actions};
use crate::support::{assert_problem, spawn_apps};

/// Recognizable plaintext that must never be found at rest.
/// An attachment row as stored: nonce, ciphertext, file name, media type, digest.
type SealedRow = (Vec<u8>, Vec<u8>, String, String, String);

const SECRET: &[u8] = b"PLAINTEXT-CANARY-7f3a curl -d 'user=admin%27--' https://pump.example/login";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn attachments_are_sealed_at_rest_readable_by_need_to_know_and_every_read_is_logged() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = World::new(&t).await;
        let mut body = finding(
            "SQL injection in pump controller login",
            "pkg:pypi/pump-controller@3.2.0",
            "pump/web/login.py",
            Some("check_password"),
            "CWE-89",
        );
        body["attachments"] = json!([{"kind": "proof_of_concept", "filename": "exploit.sh",
            "media_type": "text/x-shellscript", "content_base64": base64(SECRET)}]);
        let created = t.post("/api/v1/findings", &w.finder_a.token, body).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let case = created.body["case_id"].as_str().expect("case").to_owned();
        let attachment = created.body["attachments"][0]
            .as_str()
            .expect("attachment")
            .to_owned();
        let added = t
            .post(
                &format!("/api/v1/cases/{case}/members"),
                &w.analyst.token,
                json!({"org_id": w.vendor.org.id, "relation": "vendor"}),
            )
            .await;
        assert_eq!(added.status, 200, "{}", added.text);
        let added = t
            .post(
                &format!("/api/v1/cases/{case}/members"),
                &w.analyst.token,
                json!({"org_id": w.operator.org.id, "relation": "operator"}),
            )
            .await;
        assert_eq!(added.status, 200, "{}", added.text);

        // The database holds ciphertext only.
        let db = t.database();
        match db.database_url() {
            None => {
                let mut bytes = std::fs::read(&db.location).expect("database file");
                if let Ok(wal) = std::fs::read(format!("{}-wal", db.location)) {
                    bytes.extend(wal);
                }
                assert!(bytes.len() > 4096, "read the database");
                assert!(!contains(&bytes, SECRET), "plaintext in the SQLite file");
                assert!(
                    !contains(&bytes, &SECRET[..20]),
                    "a plaintext prefix in the SQLite file"
                );
            }
            Some(url) => {
                use sqlx::Connection as _;
                let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
                let rows: Vec<SealedRow> = sqlx::query_as(
                    "SELECT nonce, ciphertext, filename, media_type, digest FROM attachments",
                )
                .fetch_all(&mut conn)
                .await
                .expect("rows");
                assert_eq!(rows.len(), 1);
                let (nonce, ciphertext, filename, media_type, digest) = &rows[0];
                assert_eq!(nonce.len(), 24);
                assert_eq!(
                    ciphertext.len(),
                    SECRET.len() + 16,
                    "XChaCha20-Poly1305 tag"
                );
                for column in [
                    ciphertext.as_slice(),
                    filename.as_bytes(),
                    media_type.as_bytes(),
                    digest.as_bytes(),
                ] {
                    assert!(
                        !contains(column, &SECRET[..20]),
                        "plaintext in the PostgreSQL row"
                    );
                }
                let everything: (String,) = sqlx::query_as(
                    "SELECT string_agg(row_to_json(a)::text, '') FROM attachments a",
                )
                .fetch_one(&mut conn)
                .await
                .expect("row as text");
                assert!(!everything.0.contains("PLAINTEXT-CANARY"));
            }
        }

        // Readable by the finder that attached it, analysts and the vendor; never the operator
        // (who sees the case's limited view) nor outsiders; each read logged before the bytes go.
        let path = format!("/api/v1/attachments/{attachment}/content");
        let reads_before = log_actions(&t)
            .await
            .iter()
            .filter(|a| *a == "attachment.read")
            .count();
        for (who, token, allowed) in [
            ("finder", &w.finder_a.token, true),
            ("analyst", &w.analyst.token, true),
            ("vendor", &w.vendor.token, true),
            ("pre-notified operator", &w.operator.token, false),
            ("outsider finder", &w.finder_b.token, false),
            ("validator not on the case", &w.validator_1.token, false),
            ("admin", &t.admin_token, false),
            ("auditor", &w.auditor.token, false),
        ] {
            let reply = t.get(&path, token).await;
            if allowed {
                assert_eq!(reply.status, 200, "{who}: {}", reply.text);
                assert_eq!(reply.text.as_bytes(), SECRET, "{who}");
                assert_eq!(reply.content_type, "application/octet-stream", "{who}");
            } else {
                assert_problem(&reply, 404, "not found");
                assert!(!reply.text.contains("CANARY"), "{who}");
            }
        }
        let operator_case = t
            .get(&format!("/api/v1/cases/{case}"), &w.operator.token)
            .await;
        assert_eq!(
            operator_case.body["view"], "limited",
            "{}",
            operator_case.text
        );
        let reads_after = log_actions(&t)
            .await
            .iter()
            .filter(|a| *a == "attachment.read")
            .count();
        assert_eq!(
            reads_after - reads_before,
            3,
            "three reads, three log entries"
        );

        // A validator who claims gets access, with evidence of its own.
        for to in ["triaged", "validating"] {
            t.post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.analyst.token,
                json!({"to": to}),
            )
            .await;
        }
        let claim = t
            .post(
                &format!("/api/v1/cases/{case}/validations"),
                &w.validator_1.token,
                json!({}),
            )
            .await;
        assert_eq!(claim.status, 201, "{}", claim.text);
        let reply = t.get(&path, &w.validator_1.token).await;
        assert_eq!(reply.status, 200, "{}", reply.text);

        // Metadata never carries the content, and the log payloads are digests only.
        let listed = t
            .get(
                &format!("/api/v1/cases/{case}/attachments"),
                &w.finder_a.token,
            )
            .await;
        assert_eq!(listed.body[0]["size"], SECRET.len());
        assert!(!listed.text.contains("CANARY"));
        let entries = t
            .app
            .store()
            .log_entries(0, t.log_size().await as u32)
            .await
            .expect("entries");
        for entry in entries {
            assert!(
                !contains(&entry.leaf, &SECRET[..20]),
                "plaintext in a log leaf"
            );
        }

        // Bad uploads change nothing.
        let before = t.log_size().await;
        let bad = t
            .post(
                &format!("/api/v1/cases/{case}/attachments"),
                &w.finder_a.token,
                json!({"kind": "log", "filename": "a.log", "media_type": "text/plain", "content_base64": "%%%"}),
            )
            .await;
        assert_problem(&bad, 422, "#/content_base64");
        let path_name = t
            .post(
                &format!("/api/v1/cases/{case}/attachments"),
                &w.finder_a.token,
                json!({"kind": "log", "filename": "../etc/passwd", "media_type": "text/plain", "content_base64": base64(b"x")}),
            )
            .await;
        assert_problem(&path_name, 422, "filename");
        let operator_upload = t
            .post(
                &format!("/api/v1/cases/{case}/attachments"),
                &w.operator.token,
                json!({"kind": "log", "filename": "a.log", "media_type": "text/plain", "content_base64": base64(b"x")}),
            )
            .await;
        assert_problem(&operator_upload, 403, "attach");
        assert_eq!(t.log_size().await, before);
    }
}
