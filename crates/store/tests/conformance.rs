//! The conformance suite: every `Store` method, on every configured engine, must behave the same.

use std::sync::Arc;

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::Scope;
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{
    Membership, OrgId, OrgKind, Organization, Person, PersonId, Role, Sector, TokenId, TokenInfo,
};
use clearinghouse_store::{Error, NewToken, SessionRecord, Store};
use clearinghouse_tlog::{Plan, leaf_hash};
use jiff::SignedDuration;

fn audit(action: &str, object: &str) -> AuditRecord {
    AuditRecord::new(
        "system".into(),
        action,
        object.into(),
        serde_json::json!({"test": action}),
    )
}

fn org(name: &str, kind: OrgKind, sector: Option<Sector>) -> Organization {
    Organization {
        id: OrgId::generate(),
        name: name.into(),
        kind,
        sector,
        created_at: clearinghouse_domain::time::now(),
    }
}

fn person(email: &str) -> Person {
    Person {
        id: PersonId::generate(),
        email: email.into(),
        display_name: "Test Person".into(),
        created_at: clearinghouse_domain::time::now(),
    }
}

async fn each_engine<F, Fut>(test: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in clearinghouse_testkit::databases().await {
        eprintln!("engine: {}", db.engine);
        let store = clearinghouse_store::open(&db.location)
            .await
            .expect("opens");
        test(store).await;
    }
}

/// The root of the stored tree, recomputed from the leaves alone.
async fn root_from_leaves(store: &dyn Store) -> [u8; 32] {
    let size = store.log_size().await.expect("size");
    let entries = store
        .log_entries(0, size as u32 + 1)
        .await
        .expect("entries");
    assert_eq!(entries.len() as u64, size);
    let mut frontier = clearinghouse_tlog::Frontier::empty();
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(entry.index, i as u64, "entries are contiguous");
        frontier.push(leaf_hash(&entry.leaf));
    }
    frontier.root()
}

async fn stored_root(store: &dyn Store) -> [u8; 32] {
    let size = store.log_size().await.expect("size");
    let plan = Plan::root(size);
    let nodes = store.log_nodes(plan.nodes()).await.expect("nodes");
    plan.assemble(|id| nodes.get(&id).copied())
        .expect("assembles")[0]
}

#[tokio::test]
async fn organizations_are_unique_by_name_and_scoped_in_lists() {
    each_engine(|store| async move {
        let a = org(
            "Valley Water",
            OrgKind::Operator,
            Some(Sector::WaterAndWastewaterSystems),
        );
        let b = org("Acme", OrgKind::Vendor, None);
        store
            .create_org(&a, &audit("org.create", "org:a"))
            .await
            .expect("a");
        store
            .create_org(&b, &audit("org.create", "org:b"))
            .await
            .expect("b");
        let dup = org("VALLEY WATER", OrgKind::Vendor, None);
        let before = store.log_size().await.expect("size");
        assert!(matches!(
            store
                .create_org(&dup, &audit("org.create", "org:dup"))
                .await,
            Err(Error::Conflict(_))
        ));
        assert_eq!(
            store.log_size().await.expect("size"),
            before,
            "a refused write logs nothing"
        );
        assert_eq!(
            store
                .org_by_name("valley water")
                .await
                .expect("query")
                .map(|o| o.id),
            Some(a.id)
        );
        assert_eq!(store.org(a.id).await.expect("query"), Some(a.clone()));
        let all = store
            .list_orgs(&Scope::All, &PageRequest::new(None, None))
            .await
            .expect("list");
        assert_eq!(all.items.len(), 2);
        let scoped = store
            .list_orgs(&Scope::Orgs(vec![b.id]), &PageRequest::new(None, None))
            .await
            .expect("list");
        assert_eq!(
            scoped.items.iter().map(|o| o.id).collect::<Vec<_>>(),
            vec![b.id]
        );
        let none = store
            .list_orgs(&Scope::Orgs(vec![]), &PageRequest::new(None, None))
            .await
            .expect("list");
        assert!(none.items.is_empty());
        // Pagination walks every item once.
        let first = store
            .list_orgs(&Scope::All, &PageRequest::new(None, Some(1)))
            .await
            .expect("page 1");
        let second = store
            .list_orgs(
                &Scope::All,
                &PageRequest::new(first.next_cursor.clone(), Some(1)),
            )
            .await
            .expect("page 2");
        assert_eq!(first.items.len() + second.items.len(), 2);
        assert!(second.next_cursor.is_none());
        assert_ne!(first.items[0].id, second.items[0].id);
    })
    .await;
}

#[tokio::test]
async fn people_memberships_tokens_sessions_and_links() {
    each_engine(|store| async move {
        let o = org("Bank", OrgKind::Operator, Some(Sector::FinancialServices));
        store
            .create_org(&o, &audit("org.create", "org"))
            .await
            .expect("org");
        let p = person("ann@bank.example");
        let m = Membership {
            person_id: p.id,
            org_id: o.id,
            role: Role::OperatorContact,
        };
        store
            .create_person(
                &p,
                Some("hash"),
                std::slice::from_ref(&m),
                &audit("person.create", "p"),
            )
            .await
            .expect("person");
        assert!(matches!(
            store
                .create_person(
                    &person("ann@bank.example"),
                    None,
                    &[],
                    &audit("person.create", "p2")
                )
                .await,
            Err(Error::Conflict(_))
        ));
        assert_eq!(
            store
                .person_credentials("ANN@bank.example")
                .await
                .expect("q")
                .map(|(_, h)| h),
            Some(Some("hash".into()))
        );
        store
            .grant_membership(
                &Membership {
                    role: Role::Manager,
                    ..m.clone()
                },
                &audit("membership.grant", "p"),
            )
            .await
            .expect("grant");
        store
            .grant_membership(
                &Membership {
                    role: Role::Manager,
                    ..m.clone()
                },
                &audit("membership.grant", "p"),
            )
            .await
            .expect("idempotent");
        assert_eq!(store.memberships_of(p.id).await.expect("q").len(), 2);
        assert!(matches!(
            store
                .grant_membership(
                    &Membership {
                        org_id: OrgId::generate(),
                        ..m.clone()
                    },
                    &audit("membership.grant", "x")
                )
                .await,
            Err(Error::NotFound(_))
        ));
        let people = store
            .list_people(&Scope::Orgs(vec![o.id]), &PageRequest::new(None, None))
            .await
            .expect("q");
        assert_eq!(people.items.len(), 1);

        let now = clearinghouse_domain::time::now();
        let info = TokenInfo {
            id: TokenId::generate(),
            org_id: o.id,
            person_id: Some(p.id),
            name: "t".into(),
            role: Role::OperatorContact,
            prefix: "chtok_abc".into(),
            created_at: now,
            expires_at: Some(now + SignedDuration::from_hours(1)),
            revoked_at: None,
            campaign: None,
        };
        store
            .create_token(
                &NewToken {
                    info: info.clone(),
                    secret_hash: [7; 32],
                },
                &audit("token.create", "t"),
            )
            .await
            .expect("token");
        assert_eq!(
            store
                .token_by_secret_hash(&[7; 32])
                .await
                .expect("q")
                .map(|t| t.id),
            Some(info.id)
        );
        assert!(
            store
                .token_by_secret_hash(&[8; 32])
                .await
                .expect("q")
                .is_none()
        );
        assert_eq!(
            store
                .list_tokens(o.id, Some(p.id), &PageRequest::new(None, None))
                .await
                .expect("q")
                .items
                .len(),
            1
        );
        assert_eq!(
            store
                .list_tokens(
                    o.id,
                    Some(PersonId::generate()),
                    &PageRequest::new(None, None)
                )
                .await
                .expect("q")
                .items
                .len(),
            0
        );
        assert!(
            store
                .revoke_token(info.id, now, &audit("token.revoke", "t"))
                .await
                .expect("revoke")
                .is_some()
        );
        assert!(
            store
                .revoke_token(info.id, now, &audit("token.revoke", "t"))
                .await
                .expect("again")
                .is_none()
        );
        assert!(
            store
                .token(info.id)
                .await
                .expect("q")
                .expect("exists")
                .revoked_at
                .is_some()
        );

        let session = SessionRecord {
            person_id: p.id,
            csrf_token: "c".into(),
            created_at: now,
            expires_at: now + SignedDuration::from_hours(1),
        };
        store
            .create_session(&[1; 32], &session, &audit("session.start", "p"))
            .await
            .expect("session");
        assert_eq!(
            store
                .session(&[1; 32], now)
                .await
                .expect("q")
                .map(|s| s.csrf_token),
            Some("c".into())
        );
        assert!(
            store
                .session(&[1; 32], now + SignedDuration::from_hours(2))
                .await
                .expect("q")
                .is_none(),
            "expired"
        );
        assert!(
            store
                .delete_session(&[1; 32], &audit("session.end", "p"))
                .await
                .expect("end")
                .is_some()
        );
        assert!(store.session(&[1; 32], now).await.expect("q").is_none());

        store
            .create_signin_link(
                &[2; 32],
                p.id,
                now + SignedDuration::from_hours(1),
                &audit("signin_link.create", "p"),
            )
            .await
            .expect("link");
        assert_eq!(
            store.consume_signin_link(&[2; 32], now).await.expect("use"),
            Some(p.id)
        );
        assert_eq!(
            store
                .consume_signin_link(&[2; 32], now)
                .await
                .expect("reuse"),
            None,
            "links work once"
        );
        store
            .create_signin_link(&[3; 32], p.id, now, &audit("signin_link.create", "p"))
            .await
            .expect("link");
        assert_eq!(
            store
                .consume_signin_link(&[3; 32], now)
                .await
                .expect("expired"),
            None
        );
    })
    .await;
}

#[tokio::test]
async fn the_stored_tree_matches_its_leaves_under_concurrent_appends() {
    each_engine(|store| async move {
        let tasks: Vec<_> = (0..8)
            .map(|t| {
                let store = store.clone();
                tokio::spawn(async move {
                    for i in 0..25 {
                        store
                            .append_log(&audit("test.append", &format!("task:{t}:{i}")))
                            .await
                            .expect("append");
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("task");
        }
        assert_eq!(store.log_size().await.expect("size"), 200);
        assert_eq!(stored_root(&*store).await, root_from_leaves(&*store).await);
        // Every leaf records its own index.
        for entry in store.log_entries(0, 200).await.expect("entries") {
            let content =
                clearinghouse_domain::audit::LeafContent::decode(&entry.leaf).expect("decodes");
            assert_eq!(content.index, entry.index);
        }
        // Every inclusion proof from stored nodes verifies against the stored root.
        let root = stored_root(&*store).await;
        for index in [0u64, 1, 63, 64, 127, 199] {
            let plan = Plan::inclusion(index, 200).expect("plan");
            let nodes = store.log_nodes(plan.nodes()).await.expect("nodes");
            let proof = plan.assemble(|id| nodes.get(&id).copied()).expect("proof");
            let leaf = store
                .log_entry(index)
                .await
                .expect("q")
                .expect("exists")
                .leaf;
            clearinghouse_tlog::verify_inclusion(&leaf_hash(&leaf), index, 200, &proof, &root)
                .expect("verifies");
        }
    })
    .await;
}

#[tokio::test]
async fn a_schema_newer_than_this_build_is_refused() {
    for db in clearinghouse_testkit::databases().await {
        let store = clearinghouse_store::open(&db.location)
            .await
            .expect("opens");
        drop(store);
        let future_version: i64 = 99_991_231_000_000;
        let insert = "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
                      VALUES ($1, 'from the future', CURRENT_TIMESTAMP, TRUE, $2, 0)";
        if db.engine == "sqlite" {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.location))
                .await
                .expect("connect");
            sqlx::query(insert)
                .bind(future_version)
                .bind(vec![0u8; 48])
                .execute(&pool)
                .await
                .expect("insert");
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(&db.location).await.expect("connect");
            sqlx::query(insert)
                .bind(future_version)
                .bind(vec![0u8; 48])
                .execute(&pool)
                .await
                .expect("insert");
            pool.close().await;
        }
        match clearinghouse_store::open(&db.location).await {
            Err(Error::SchemaTooNew { found, .. }) => {
                assert_eq!(found, future_version, "{}", db.engine)
            }
            Err(other) => panic!("{}: expected SchemaTooNew, got {other}", db.engine),
            Ok(_) => panic!("{}: a newer schema was accepted", db.engine),
        }
    }
}

#[test]
fn both_engines_carry_the_same_migration_versions() {
    let versions = |dir: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .expect("migrations dir")
                .map(|e| {
                    e.expect("entry")
                        .file_name()
                        .to_string_lossy()
                        .split('_')
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect();
        v.sort();
        v
    };
    assert_eq!(versions("sqlite"), versions("postgres"));
}
