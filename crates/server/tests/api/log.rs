//! The tamper-evident log over HTTP, checked with the pure verifier as an outside auditor would.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use clearinghouse_domain::{OrgKind, Role};
use clearinghouse_tlog::{
    Checkpoint, Frontier, Hash, NoteVerifier, leaf_hash, verify_consistency, verify_inclusion,
};
use reqwest::Method;
use serde_json::json;

use crate::support::spawn_apps;

fn hashes(body: &serde_json::Value) -> Vec<Hash> {
    body["hashes"]
        .as_array()
        .expect("hashes")
        .iter()
        .map(|h| {
            B64.decode(h.as_str().expect("string"))
                .expect("base64")
                .try_into()
                .expect("32 bytes")
        })
        .collect()
}

#[tokio::test]
async fn checkpoints_entries_and_proofs_verify_offline() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let admin = t.admin_token.as_str();
        let created = t
            .post(
                "/api/v1/orgs",
                admin,
                json!({"name": "Acme", "kind": "vendor"}),
            )
            .await;
        let acme = created.body["id"].as_str().expect("id").to_owned();
        let token = t
            .post(
                &format!("/api/v1/orgs/{acme}/tokens"),
                admin,
                json!({"name": "ci", "role": "vendor_contact"}),
            )
            .await;
        let secret = token.body["secret"].as_str().expect("secret").to_owned();
        let auditor = t
            .token(
                &t.org("Audit Office", OrgKind::Government, None).await,
                Role::Auditor,
            )
            .await;

        let key = t.request(Method::GET, "/api/v1/log/key", None, None).await;
        assert_eq!(key.status, 200, "the verifier key is public");
        let verifier = NoteVerifier::parse(key.text.trim()).expect("C2SP verifier key");

        let note = t.get("/api/v1/log/checkpoint", &auditor).await;
        assert!(note.content_type.starts_with("text/plain"));
        let lines: Vec<&str> = note.text.lines().collect();
        assert_eq!(lines[0], "test.example/log", "origin line");
        assert_eq!(lines[3], "", "blank line before signatures");
        assert!(
            lines[4].starts_with("— test.example/log "),
            "signature line: {}",
            lines[4]
        );
        let checkpoint = Checkpoint::open(&note.text, &verifier).expect("signature verifies");
        assert_eq!(checkpoint.size, t.log_size().await);
        let size = checkpoint.size;

        // Recompute the root from the exact leaf bytes the server serves.
        let page = t
            .get(
                &format!("/api/v1/log/entries?from=0&limit={size}"),
                &auditor,
            )
            .await;
        let entries = page.body["items"].as_array().expect("items").clone();
        assert_eq!(entries.len() as u64, size);
        let mut frontier = Frontier::empty();
        let mut leaves = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let leaf = B64
                .decode(entry["leaf"].as_str().expect("leaf"))
                .expect("base64");
            assert_eq!(entry["index"].as_u64(), Some(i as u64));
            assert_eq!(
                entry["content"]["index"].as_u64(),
                Some(i as u64),
                "each leaf names its own index"
            );
            assert_eq!(
                B64.encode(leaf_hash(&leaf)),
                entry["leaf_hash"].as_str().expect("leaf hash")
            );
            assert!(
                !String::from_utf8_lossy(&leaf).contains(&secret),
                "a token secret reached the log"
            );
            frontier.push(leaf_hash(&leaf));
            leaves.push(leaf);
        }
        assert_eq!(frontier.root(), checkpoint.root);
        let single = t.get("/api/v1/log/entries/1", &auditor).await;
        assert_eq!(single.body["leaf"], entries[1]["leaf"]);

        for index in 0..size {
            let proof = t
                .get(
                    &format!("/api/v1/log/proof/inclusion?index={index}&tree_size={size}"),
                    &auditor,
                )
                .await;
            assert_eq!(proof.status, 200, "{}", proof.text);
            verify_inclusion(
                &leaf_hash(&leaves[index as usize]),
                index,
                size,
                &hashes(&proof.body),
                &checkpoint.root,
            )
            .unwrap_or_else(|e| panic!("inclusion of {index} in {size}: {e}"));
        }
        // Every older tree is a prefix of the newer one.
        for from in 1..size {
            let mut old = Frontier::empty();
            for leaf in &leaves[..from as usize] {
                old.push(leaf_hash(leaf));
            }
            let proof = t
                .get(
                    &format!("/api/v1/log/proof/consistency?from={from}&to={size}"),
                    &auditor,
                )
                .await;
            assert_eq!(proof.status, 200, "{}", proof.text);
            verify_consistency(
                from,
                size,
                &old.root(),
                &checkpoint.root,
                &hashes(&proof.body),
            )
            .unwrap_or_else(|e| panic!("consistency {from} → {size}: {e}"));
        }
        // Asking beyond the tree is a clear 422, not a 500.
        let beyond = t
            .get(
                &format!("/api/v1/log/proof/inclusion?index=0&tree_size={}", size + 5),
                &auditor,
            )
            .await;
        crate::support::assert_problem(&beyond, 422, "larger than the current tree size");
        let bad_index = t
            .get(
                &format!("/api/v1/log/proof/inclusion?index={size}&tree_size={size}"),
                &auditor,
            )
            .await;
        assert_eq!(bad_index.status, 422, "{}", bad_index.text);
    }
}
