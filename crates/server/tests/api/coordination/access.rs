//! The access test: every read route × every TLP mark × before and after the embargo × every kind
//! of participant. Outsiders get 404 (never 403) and nothing in lists, search, the queue or
//! exports; insiders get exactly the view the rule promises. The table of read routes must name
//! every GET route of the `coordination` tag, so a new read route cannot ship without a row.

use std::collections::BTreeSet;

use clearinghouse_domain::coordination::Tlp;
use serde_json::json;

use super::{Participant, World, base64, finding};
use crate::support::{TestApp, spawn_apps};

/// What a participant should see, as the module documentation of `visibility` promises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum View {
    None,
    OpenForValidation,
    Limited,
    Full,
}

impl View {
    fn wire(self) -> &'static str {
        match self {
            View::None => "none",
            View::OpenForValidation => "open_for_validation",
            View::Limited => "limited",
            View::Full => "full",
        }
    }
}

/// Who is asking.
#[derive(Clone, Copy, Debug)]
enum Who {
    Analyst,
    Finder,
    Vendor,
    VendorColleague,
    ClaimedValidator,
    UnclaimedValidator,
    PreNotifiedOperator,
    OutsiderOperator,
    OutsiderFinder,
    OtherVendor,
    Admin,
    Auditor,
}

const EVERYONE: [Who; 12] = [
    Who::Analyst,
    Who::Finder,
    Who::Vendor,
    Who::VendorColleague,
    Who::ClaimedValidator,
    Who::UnclaimedValidator,
    Who::PreNotifiedOperator,
    Who::OutsiderOperator,
    Who::OutsiderFinder,
    Who::OtherVendor,
    Who::Admin,
    Who::Auditor,
];

/// The expected view of a case open for validation, by mark and embargo.
fn expected(who: Who, tlp: Tlp, embargo_over: bool) -> View {
    let public = embargo_over && matches!(tlp, Tlp::Clear | Tlp::Green);
    let outsider = if public { View::Limited } else { View::None };
    match who {
        Who::Analyst | Who::Finder | Who::Vendor | Who::ClaimedValidator => View::Full,
        Who::VendorColleague if tlp == Tlp::Red => View::None,
        Who::VendorColleague => View::Full,
        Who::UnclaimedValidator if public => View::Limited,
        Who::UnclaimedValidator if matches!(tlp, Tlp::Red | Tlp::AmberStrict) => View::None,
        Who::UnclaimedValidator => View::OpenForValidation,
        Who::PreNotifiedOperator if matches!(tlp, Tlp::Clear | Tlp::Green | Tlp::Amber) => {
            View::Limited
        }
        Who::PreNotifiedOperator => View::None,
        Who::OutsiderOperator
        | Who::OutsiderFinder
        | Who::OtherVendor
        | Who::Admin
        | Who::Auditor => outsider,
    }
}

/// Who may read the proof of concept: the uploader's organization, analysts, the case's
/// validators and vendors, and only with the full view.
fn reads_attachments(who: Who, view: View) -> bool {
    view == View::Full
        && matches!(
            who,
            Who::Analyst | Who::Finder | Who::Vendor | Who::VendorColleague | Who::ClaimedValidator
        )
}

struct Fixture {
    case: String,
    finding: String,
    attachment: String,
    title_word: &'static str,
}

/// A read route and the view it needs (`None` for the routes with their own rule, checked below).
struct ReadRoute {
    template: &'static str,
    needs: Option<View>,
    path: fn(&Fixture) -> String,
}

fn read_routes() -> Vec<ReadRoute> {
    vec![
        ReadRoute {
            template: "/api/v1/cases/{id}",
            needs: Some(View::OpenForValidation),
            path: |f| format!("/api/v1/cases/{}", f.case),
        },
        ReadRoute {
            template: "/api/v1/cases/{id}/export",
            needs: Some(View::OpenForValidation),
            path: |f| format!("/api/v1/cases/{}/export", f.case),
        },
        ReadRoute {
            template: "/api/v1/cases/{id}/vendor-statuses",
            needs: Some(View::Limited),
            path: |f| format!("/api/v1/cases/{}/vendor-statuses", f.case),
        },
        ReadRoute {
            template: "/api/v1/cases/{id}/findings",
            needs: Some(View::Full),
            path: |f| format!("/api/v1/cases/{}/findings", f.case),
        },
        ReadRoute {
            template: "/api/v1/findings/{id}",
            needs: Some(View::Full),
            path: |f| format!("/api/v1/findings/{}", f.finding),
        },
        ReadRoute {
            template: "/api/v1/cases/{id}/members",
            needs: Some(View::Full),
            path: |f| format!("/api/v1/cases/{}/members", f.case),
        },
        ReadRoute {
            template: "/api/v1/cases/{id}/validations",
            needs: Some(View::Full),
            path: |f| format!("/api/v1/cases/{}/validations", f.case),
        },
        ReadRoute {
            template: "/api/v1/cases/{id}/comments",
            needs: Some(View::Full),
            path: |f| format!("/api/v1/cases/{}/comments", f.case),
        },
        ReadRoute {
            template: "/api/v1/cases/{id}/attachments",
            needs: Some(View::Full),
            path: |f| format!("/api/v1/cases/{}/attachments", f.case),
        },
        // Own rules: the attachment rule; list and search; the analysts' queue and proposals.
        ReadRoute {
            template: "/api/v1/attachments/{id}/content",
            needs: None,
            path: |f| format!("/api/v1/attachments/{}/content", f.attachment),
        },
        ReadRoute {
            template: "/api/v1/cases",
            needs: None,
            path: |f| format!("/api/v1/cases?q={}&limit=500", f.title_word),
        },
        ReadRoute {
            template: "/api/v1/cases/queue",
            needs: None,
            path: |_| "/api/v1/cases/queue?limit=500".into(),
        },
        ReadRoute {
            template: "/api/v1/merge-proposals",
            needs: None,
            path: |_| "/api/v1/merge-proposals".into(),
        },
    ]
}

fn who_token<'a>(t: &'a TestApp, w: &'a World, who: Who) -> &'a str {
    let p: &Participant = match who {
        Who::Analyst => &w.analyst,
        Who::Finder => &w.finder_a,
        Who::Vendor => &w.vendor,
        Who::VendorColleague => &w.vendor_colleague,
        Who::ClaimedValidator => &w.validator_1,
        Who::UnclaimedValidator => &w.validator_2,
        Who::PreNotifiedOperator => &w.operator,
        Who::OutsiderOperator => &w.outsider_operator,
        Who::OutsiderFinder => &w.finder_b,
        Who::OtherVendor => &w.other_vendor,
        Who::Admin => return &t.admin_token,
        Who::Auditor => &w.auditor,
    };
    &p.token
}

/// A case open for validation with a finder, a vendor (person named), a claimed validator, a
/// pre-notified operator, a proof of concept, a comment and a vendor status.
async fn fixture(t: &TestApp, w: &World) -> Fixture {
    let mut body = finding(
        "Quetzalcoatl overflow in firmware updater",
        "pkg:npm/fw-updater@2.1.0",
        "lib/update.js",
        Some("applyImage"),
        "CWE-787",
    );
    body["attachments"] = json!([{"kind": "proof_of_concept", "filename": "exploit.bin",
        "media_type": "application/octet-stream", "content_base64": base64(b"NOP NOP overflow payload")}]);
    let created = t.post("/api/v1/findings", &w.finder_a.token, body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let case = created.body["case_id"].as_str().expect("case").to_owned();
    let finding = created.body["finding"]
        .as_str()
        .expect("finding")
        .to_owned();
    let attachment = created.body["attachments"][0]
        .as_str()
        .expect("attachment")
        .to_owned();
    for to in ["triaged", "validating"] {
        let moved = t
            .post(
                &format!("/api/v1/cases/{case}/transition"),
                &w.analyst.token,
                json!({"to": to}),
            )
            .await;
        assert_eq!(moved.status, 200, "{}", moved.text);
    }
    let members = [
        json!({"org_id": w.vendor.org.id, "relation": "vendor", "people": [w.vendor.person]}),
        json!({"org_id": w.operator.org.id, "relation": "operator"}),
    ];
    for member in members {
        let added = t
            .post(
                &format!("/api/v1/cases/{case}/members"),
                &w.analyst.token,
                member,
            )
            .await;
        assert_eq!(added.status, 200, "{}", added.text);
    }
    let claim = t
        .post(
            &format!("/api/v1/cases/{case}/validations"),
            &w.validator_1.token,
            json!({}),
        )
        .await;
    assert_eq!(claim.status, 201, "{}", claim.text);
    let status = t
        .post(
            &format!("/api/v1/cases/{case}/vendor-statuses"),
            &w.vendor.token,
            json!({"product": "pkg:npm/fw-updater", "status": "under_investigation"}),
        )
        .await;
    assert_eq!(status.status, 200, "{}", status.text);
    let comment = t
        .post(
            &format!("/api/v1/cases/{case}/comments"),
            &w.finder_a.token,
            json!({"body": "The PoC needs a signed image header."}),
        )
        .await;
    assert_eq!(comment.status, 201, "{}", comment.text);
    Fixture {
        case,
        finding,
        attachment,
        title_word: "quetzalcoatl",
    }
}

#[tokio::test]
async fn outsiders_see_nothing_and_insiders_their_exact_view_on_every_read_route() {
    for t in spawn_apps().await {
        eprintln!("engine: {}", t.engine);
        let w = World::new(&t).await;
        let f = fixture(&t, &w).await;
        let routes = read_routes();
        let mut failures = Vec::new();
        let mut checked = 0;
        let mut attachment_reads = 0;
        let log_reads_before = super::log_actions(&t)
            .await
            .iter()
            .filter(|a| *a == "attachment.read")
            .count();
        let now = jiff::Timestamp::now();
        for tlp in Tlp::ALL {
            for embargo_over in [false, true] {
                let embargo_until = if embargo_over {
                    now - jiff::SignedDuration::from_hours(1)
                } else {
                    now + jiff::SignedDuration::from_hours(24 * 30)
                };
                let set = t
                    .request(
                        reqwest::Method::PUT,
                        &format!("/api/v1/cases/{}/disclosure", f.case),
                        Some(&w.analyst.token),
                        Some(json!({"tlp": tlp, "embargo_until": embargo_until.to_string()})),
                    )
                    .await;
                assert_eq!(set.status, 200, "{}", set.text);
                for who in EVERYONE {
                    let view = expected(who, tlp, embargo_over);
                    let token = who_token(&t, &w, who);
                    let context = format!("{who:?} under {tlp}, embargo over: {embargo_over}");
                    for route in &routes {
                        let path = (route.path)(&f);
                        let reply = t.get(&path, token).await;
                        checked += 1;
                        let mut fail = |what: String| {
                            failures.push(format!(
                                "{context}: GET {path}: {what} ({})",
                                reply.text.chars().take(200).collect::<String>()
                            ))
                        };
                        match route.needs {
                            Some(needs) => {
                                let status = if view >= needs { 200 } else { 404 };
                                if reply.status.as_u16() != status {
                                    fail(format!("expected {status}, got {}", reply.status));
                                } else if status == 404 && reply.text.contains("Quetzalcoatl") {
                                    fail("a 404 names the case".into());
                                }
                            }
                            None => match route.template {
                                "/api/v1/attachments/{id}/content" => {
                                    let allowed = reads_attachments(who, view);
                                    let status = if allowed { 200 } else { 404 };
                                    if reply.status.as_u16() != status {
                                        fail(format!("expected {status}, got {}", reply.status));
                                    } else if allowed {
                                        attachment_reads += 1;
                                        if reply.text.as_bytes() != b"NOP NOP overflow payload" {
                                            fail("wrong content".into());
                                        }
                                    }
                                }
                                "/api/v1/cases" => {
                                    let items =
                                        reply.body["items"].as_array().cloned().unwrap_or_default();
                                    let found: Vec<&serde_json::Value> = items
                                        .iter()
                                        .filter(|i| i["id"] == f.case.as_str())
                                        .collect();
                                    match (view, found.as_slice()) {
                                        (View::None, []) => {}
                                        (View::None, _) => fail("listed for an outsider".into()),
                                        (_, [item]) if item["view"] == view.wire() => {}
                                        (_, other) => fail(format!(
                                            "listed as {other:?}, expected {}",
                                            view.wire()
                                        )),
                                    }
                                }
                                "/api/v1/cases/queue" | "/api/v1/merge-proposals" => {
                                    let analyst = matches!(who, Who::Analyst);
                                    let status = if analyst { 200 } else { 403 };
                                    if reply.status.as_u16() != status {
                                        fail(format!("expected {status}, got {}", reply.status));
                                    }
                                    if !analyst && reply.text.contains(&f.case) {
                                        fail("a refusal names the case".into());
                                    }
                                    if analyst
                                        && route.template == "/api/v1/cases/queue"
                                        && !reply.text.contains(&f.case)
                                    {
                                        fail("the open case is not in the analysts' queue".into());
                                    }
                                }
                                other => fail(format!("no rule for {other}")),
                            },
                        }
                        // The shape of the case itself: exactly the view's fields.
                        if route.template == "/api/v1/cases/{id}" && reply.status == 200 {
                            let body = &reply.body;
                            if body["view"] != view.wire() {
                                fail(format!("view {} instead of {}", body["view"], view.wire()));
                            }
                            let full = !body["full"].is_null();
                            if full != (view == View::Full) {
                                fail(format!("full fields present: {full}"));
                            }
                            if view == View::Limited && !body["cwe"].is_null() {
                                fail("the limited view shows the weakness".into());
                            }
                            if view == View::Limited
                                && body["credits"].as_array().is_some_and(|c| !c.is_empty())
                            {
                                fail(
                                    "the limited view names a finder not credited publicly".into(),
                                );
                            }
                            if view == View::OpenForValidation && !body["embargo_until"].is_null() {
                                fail("the validators' summary shows more than a summary".into());
                            }
                        }
                        if route.template == "/api/v1/cases/{id}/export" && reply.status == 200 {
                            let has_findings = !reply.body["findings"].is_null();
                            if has_findings != (view == View::Full) {
                                fail(format!("export has findings: {has_findings}"));
                            }
                            if reply.text.contains("overflow payload") {
                                fail("an export carries attachment content".into());
                            }
                        }
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} access mismatches of {checked} checks:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert_eq!(checked, 5 * 2 * EVERYONE.len() * routes.len());
        let log_reads_after = super::log_actions(&t)
            .await
            .iter()
            .filter(|a| *a == "attachment.read")
            .count();
        assert!(attachment_reads > 0);
        assert_eq!(
            log_reads_after - log_reads_before,
            attachment_reads,
            "every attachment read, and only those, is in the log"
        );

        // The table names every read route of the coordination API.
        let doc = serde_json::to_value(clearinghouse_server::api::openapi_document()).expect("doc");
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            if let Some(get) = item.get("get")
                && get["tags"]
                    .as_array()
                    .is_some_and(|tags| tags.iter().any(|t| t == "coordination"))
            {
                documented.insert(path.clone());
            }
        }
        let covered: BTreeSet<String> = routes.iter().map(|r| r.template.to_owned()).collect();
        let missing: Vec<_> = documented.difference(&covered).collect();
        assert!(
            missing.is_empty(),
            "read routes without a row in the access table: {missing:?}"
        );
    }
}
