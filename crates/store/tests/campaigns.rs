//! The campaign store on every engine: a decision commits only on the generation it was read at,
//! every campaign-relevant write moves the generation, overlaps and their outbox events land with
//! the campaign that caused them, revocations and cancellations happen once, and everything reads
//! back as written.

use std::sync::Arc;

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::CampaignScope;
use clearinghouse_domain::campaign::plan::detect_overlaps;
use clearinghouse_domain::campaign::{
    Campaign, CampaignTarget, NetworkRange, ResolutionKind, ScanAuthorization, Target, TargetCover,
    TargetInput, Technique, Tool, Window,
};
use clearinghouse_domain::ids::NetworkRangeId;
use clearinghouse_domain::notify::Event;
use clearinghouse_domain::page::PageRequest;
use clearinghouse_domain::{CampaignId, OrgId, OrgKind, Organization, ScanAuthorizationId, Sector};
use clearinghouse_store::{AuthorizationParty, Store};
use jiff::SignedDuration;

fn audit(action: &str) -> AuditRecord {
    AuditRecord::new(
        "system".into(),
        action,
        "test:1".into(),
        serde_json::json!({}),
    )
}

async fn org(store: &dyn Store, name: &str, kind: OrgKind, sector: Option<Sector>) -> OrgId {
    let org = Organization {
        id: OrgId::generate(),
        name: name.into(),
        kind,
        sector,
        created_at: clearinghouse_domain::time::now(),
    };
    store
        .create_org(&org, &audit("org.create"))
        .await
        .expect("org");
    org.id
}

fn net(text: &str) -> Target {
    Target::parse(&TargetInput::Cidr(text.into())).expect("cidr")
}

fn hours(h: i64) -> jiff::Timestamp {
    clearinghouse_domain::time::now() + SignedDuration::from_hours(h)
}

fn campaign(finder: OrgId, operator: OrgId, authorization: ScanAuthorizationId) -> Campaign {
    Campaign {
        id: CampaignId::generate(),
        finder,
        name: "plant".into(),
        targets: vec![CampaignTarget {
            target: net("10.1.2.0/24"),
            covers: vec![TargetCover {
                operator,
                piece: net("10.1.2.0/24"),
                authorization,
            }],
        }],
        technique: Technique::NetworkScan,
        tool: Tool {
            name: "scanner".into(),
            version: "1".into(),
        },
        window: Window::new(hours(1), hours(5)).expect("window"),
        rate_limit: 5,
        created_by: "system".into(),
        created_at: clearinghouse_domain::time::now(),
        cancelled_at: None,
        cancelled_by: None,
    }
}

fn event(org: OrgId) -> Event {
    Event {
        id: uuid::Uuid::now_v7().to_string(),
        org,
        kind: "campaign.overlap".into(),
        payload: serde_json::json!({"organization": org}),
        created_at: clearinghouse_domain::time::now(),
    }
}

#[tokio::test]
async fn campaign_decisions_commit_only_on_the_generation_they_were_read_at() {
    for db in clearinghouse_testkit::databases().await {
        eprintln!("engine: {}", db.engine);
        let store: Arc<dyn Store> = clearinghouse_store::open(&db.location)
            .await
            .expect("opens");
        let operator = org(&*store, "Water", OrgKind::Operator, Some(Sector::Dams)).await;
        let (a, b) = (
            org(&*store, "Finder A", OrgKind::AiDeveloper, None).await,
            org(&*store, "Finder B", OrgKind::AiDeveloper, None).await,
        );

        let g0 = store.campaign_generation().await.expect("generation");
        let range = NetworkRange {
            id: NetworkRangeId::generate(),
            org: operator,
            target: net("10.1.0.0/16"),
            asset: None,
            label: Some("plant".into()),
            created_by: "system".into(),
            created_at: clearinghouse_domain::time::now(),
        };
        store
            .create_network_range(&range, &audit("network_range.create"))
            .await
            .expect("range");
        assert_eq!(
            store.network_range(range.id).await.expect("read"),
            Some(range.clone())
        );
        let duplicate = NetworkRange {
            id: NetworkRangeId::generate(),
            ..range.clone()
        };
        assert!(matches!(
            store
                .create_network_range(&duplicate, &audit("network_range.create"))
                .await,
            Err(clearinghouse_store::Error::Conflict(_))
        ));
        let mut authorizations = Vec::new();
        for finder in [a, b] {
            let authorization = ScanAuthorization {
                id: ScanAuthorizationId::generate(),
                operator,
                finder,
                scope: vec![net("10.1.0.0/16")],
                window: Window::new(hours(-1), hours(24)).expect("window"),
                techniques: vec![Technique::NetworkScan],
                max_rate: 10,
                note: Some("call first".into()),
                created_by: "system".into(),
                created_at: clearinghouse_domain::time::now(),
                revoked_at: None,
                revoked_by: None,
            };
            store
                .create_scan_authorization(&authorization, &audit("scan_authorization.create"))
                .await
                .expect("authorization");
            authorizations.push(authorization);
        }
        assert_eq!(
            store
                .scan_authorization(authorizations[0].id)
                .await
                .expect("read"),
            Some(authorizations[0].clone())
        );
        assert_eq!(
            store
                .scan_authorizations(AuthorizationParty::Finder(a))
                .await
                .expect("list")
                .len(),
            1
        );
        let g1 = store.campaign_generation().await.expect("generation");
        assert_eq!(g1, g0 + 3, "each write moves the generation");

        // A decision made at g1 commits; one made at g1 again is stale and stores nothing.
        let first = campaign(a, operator, authorizations[0].id);
        assert!(
            store
                .create_campaign(&first, &[], &[], g1, &audit("campaign.create"))
                .await
                .expect("create")
                .is_some()
        );
        assert_eq!(
            store.campaign(first.id).await.expect("read"),
            Some(first.clone())
        );
        let second = campaign(b, operator, authorizations[1].id);
        let log_size = store.log_size().await.expect("size");
        assert!(
            store
                .create_campaign(&second, &[], &[], g1, &audit("campaign.create"))
                .await
                .expect("stale")
                .is_none()
        );
        assert_eq!(store.campaign(second.id).await.expect("read"), None);
        assert_eq!(
            store.log_size().await.expect("size"),
            log_size,
            "nothing logged"
        );

        // Decided again on fresh state: the overlap and both finders' events land with it.
        let g2 = store.campaign_generation().await.expect("generation");
        let live = store
            .live_campaigns(clearinghouse_domain::time::now())
            .await
            .expect("live");
        let overlaps = detect_overlaps(&second, &live, clearinghouse_domain::time::now());
        assert_eq!(overlaps.len(), 1);
        let events = vec![event(a), event(b)];
        store
            .create_campaign(&second, &overlaps, &events, g2, &audit("campaign.create"))
            .await
            .expect("create")
            .expect("fresh");
        let stored = store
            .overlap(overlaps[0].id)
            .await
            .expect("read")
            .expect("stored");
        assert_eq!(stored, overlaps[0]);
        assert_eq!(store.overlaps_of(&[first.id]).await.expect("of"), overlaps);
        let pending: Vec<String> = store
            .undispatched_events(100)
            .await
            .expect("events")
            .into_iter()
            .filter(|e| e.kind == "campaign.overlap")
            .map(|e| e.id)
            .collect();
        assert_eq!(
            pending,
            events.iter().map(|e| e.id.clone()).collect::<Vec<_>>()
        );

        // Visibility lists: the operator sees both campaigns, a finder its own, one id one.
        let page = PageRequest::new(None, None);
        let listed = |scope: CampaignScope| {
            let store = Arc::clone(&store);
            let page = page.clone();
            async move {
                store
                    .campaigns(&scope, None, &page)
                    .await
                    .expect("list")
                    .items
                    .into_iter()
                    .map(|c| c.id)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            listed(CampaignScope::Orgs(vec![operator])).await,
            vec![first.id, second.id]
        );
        assert_eq!(listed(CampaignScope::Orgs(vec![b])).await, vec![second.id]);
        assert_eq!(listed(CampaignScope::One(first.id)).await, vec![first.id]);
        assert!(listed(CampaignScope::Orgs(vec![])).await.is_empty());
        let later = Window::new(hours(10), hours(20)).expect("window");
        assert!(
            store
                .campaigns(&CampaignScope::All, Some(later), &page)
                .await
                .expect("list")
                .items
                .is_empty(),
            "no campaign meets a later window"
        );

        // Resolving: stale refused, fresh stored with the moved campaign.
        let mut resolved = stored.clone();
        let mut moved = second.clone();
        moved.window = Window::new(hours(5), hours(9)).expect("window");
        resolved
            .decide(
                "person:analyst",
                ResolutionKind::Stagger,
                None,
                None,
                hours(0),
            )
            .expect("decided");
        assert!(
            store
                .update_overlap(
                    &resolved,
                    Some(&moved),
                    &[],
                    &[],
                    g2,
                    &audit("overlap.resolve")
                )
                .await
                .expect("stale")
                .is_none()
        );
        let g3 = store.campaign_generation().await.expect("generation");
        store
            .update_overlap(
                &resolved,
                Some(&moved),
                &[],
                &[],
                g3,
                &audit("overlap.resolve"),
            )
            .await
            .expect("update")
            .expect("fresh");
        assert_eq!(
            store.overlap(resolved.id).await.expect("read"),
            Some(resolved)
        );
        assert_eq!(
            store
                .campaign(second.id)
                .await
                .expect("read")
                .map(|c| c.window),
            Some(moved.window)
        );

        // Revocations and cancellations happen once, and move the generation.
        let now = clearinghouse_domain::time::now();
        let id = authorizations[0].id;
        assert!(
            store
                .revoke_scan_authorization(id, now, "system", &audit("scan_authorization.revoke"))
                .await
                .expect("revoke")
                .is_some()
        );
        assert!(
            store
                .revoke_scan_authorization(id, now, "system", &audit("scan_authorization.revoke"))
                .await
                .expect("revoke")
                .is_none()
        );
        assert_eq!(
            store
                .scan_authorization(id)
                .await
                .expect("read")
                .and_then(|a| a.revoked_at),
            Some(now)
        );
        assert!(
            store
                .cancel_campaign(first.id, now, "system", &audit("campaign.cancel"))
                .await
                .expect("cancel")
                .is_some()
        );
        assert!(
            store
                .cancel_campaign(first.id, now, "system", &audit("campaign.cancel"))
                .await
                .expect("cancel")
                .is_none()
        );
        let live: Vec<CampaignId> = store
            .live_campaigns(now)
            .await
            .expect("live")
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(live, vec![second.id]);
        assert!(store.campaign_generation().await.expect("generation") > g3);
        assert!(
            store
                .delete_network_range(range.id, &audit("network_range.delete"))
                .await
                .expect("delete")
                .is_some()
        );
        assert!(
            store
                .network_ranges(Some(operator))
                .await
                .expect("list")
                .is_empty()
        );
    }
}
