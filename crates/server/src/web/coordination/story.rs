//! The coordination pages' story through the real router, on every configured engine: two AI
//! companies submit the same bug through the form (one case, both credited, the earlier first),
//! a third a near duplicate that an analyst merges; the analyst triages, a validator claims,
//! attaches evidence and reproduces, the analyst adds a vendor, the vendor records the fix.
//! Along the way: inline form errors, idempotent resubmission, downloads through the logged
//! read, and an outsider who gets the same 404 as for a case that does not exist.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clearinghouse_app::participants::PersonRequest;
use clearinghouse_app::{App, KeyRing};
use clearinghouse_domain::authz::Actor;
use clearinghouse_domain::{NewOrganization, NewPerson, OrgKind, Organization, Role, Sector};

use super::super::inventory::story::{Browser, Page, browser};
use crate::{AppState, ServerConfig};

const PASSWORD: &str = "correct horse battery staple";
const VECTOR: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";

/// A multipart body of text fields and one optional file under `file`.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----clearinghouse-casework-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((filename, content)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: text/plain\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    who: &Browser,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Page {
    let (content_type, body) = multipart(fields, file);
    who.send(
        Request::post(path)
            .header(header::COOKIE, &who.cookie)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("request"),
    )
    .await
}

/// The fields of the submission form for the story's bug, as `finder` would fill them.
fn finding_fields<'a>(
    csrf: &'a str,
    key: &'a str,
    title: &'a str,
    description: &'a str,
    function: &'a str,
    cvss: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("idempotency_key", key),
        ("title", title),
        ("description", description),
        ("product", "pkg:pypi/storypkg@1.2.0"),
        ("versions_range", ""),
        ("versions", ""),
        ("cwe", "CWE-787"),
        ("cvss", cvss),
        ("file_path", "src/storypkg/parser.py"),
        ("function", function),
        ("line", "120"),
        ("tool", "model-x"),
        ("tool_version", "2026-11"),
        ("tlp", "AMBER"),
        ("credit_public", "on"),
    ]
}

/// The idempotency key a freshly shown submission form carries.
fn form_key(html: &str) -> String {
    html.split("name=\"idempotency_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries an idempotency key")
        .to_owned()
}

/// The case id a redirect to a case page names.
fn case_of(location: &str) -> String {
    location
        .strip_prefix("/cases/")
        .and_then(|rest| rest.split('?').next())
        .unwrap_or_else(|| panic!("not a case page: {location}"))
        .to_owned()
}

/// The `<main>` of a page, without the frame (which names the signed-in person).
fn main_of(html: &str) -> &str {
    html.split("<main id=\"main\">")
        .nth(1)
        .and_then(|rest| rest.split("</main>").next())
        .unwrap_or(html)
}

struct World {
    app: App,
    router: axum::Router,
    vendor: Organization,
}

async fn person(app: &App, org: &Organization, email: &str, name: &str, role: Role) {
    app.create_person(
        &Actor::system(),
        PersonRequest {
            person: NewPerson::parse(email, name).expect("person"),
            org: org.id,
            role,
            password: Some(PASSWORD.into()),
        },
    )
    .await
    .expect("person created");
}

async fn org(app: &App, name: &str, kind: OrgKind, sector: Option<Sector>) -> Organization {
    app.create_org(
        &Actor::system(),
        NewOrganization::parse(name, kind, sector).expect("org"),
    )
    .await
    .expect("org created")
}

async fn world(db: &clearinghouse_testkit::TestDb) -> World {
    let store = clearinghouse_store::open(&db.location)
        .await
        .expect("store");
    let app = App::new(
        store,
        Arc::new(KeyRing::ephemeral("test.example/log").expect("keys")),
    );
    app.check_log_key().await.expect("log key");
    app.bootstrap_if_empty().await.expect("bootstrap");
    let house = org(&app, "Clearinghouse Ops", OrgKind::Government, None).await;
    person(&app, &house, "ana@house.test", "Ana Analyst", Role::Analyst).await;
    let alpha = org(&app, "Alpha AI", OrgKind::AiDeveloper, None).await;
    person(
        &app,
        &alpha,
        "finder@alpha.test",
        "Alpha Finder",
        Role::Finder,
    )
    .await;
    let beta = org(&app, "Beta Labs", OrgKind::AiDeveloper, None).await;
    person(&app, &beta, "finder@beta.test", "Beta Finder", Role::Finder).await;
    let gamma = org(&app, "Gamma Research", OrgKind::AiDeveloper, None).await;
    person(
        &app,
        &gamma,
        "finder@gamma.test",
        "Gamma Finder",
        Role::Finder,
    )
    .await;
    let checkers = org(&app, "Independent Checkers", OrgKind::Validator, None).await;
    person(
        &app,
        &checkers,
        "val@check.test",
        "Val Validator",
        Role::Validator,
    )
    .await;
    let vendor = org(&app, "Storypkg Maintainers", OrgKind::Vendor, None).await;
    person(
        &app,
        &vendor,
        "sec@storypkg.test",
        "Vic Vendor",
        Role::VendorContact,
    )
    .await;
    let outsider = org(
        &app,
        "Unrelated Water",
        OrgKind::Operator,
        Some(Sector::WaterAndWastewaterSystems),
    )
    .await;
    person(
        &app,
        &outsider,
        "ops@water.test",
        "Olive Outsider",
        Role::OperatorContact,
    )
    .await;
    let router = crate::router(AppState::new(app.clone(), ServerConfig::default()));
    World {
        app,
        router,
        vendor,
    }
}

impl World {
    async fn browser(&self, email: &str) -> Browser {
        let session = self
            .app
            .sign_in_with_password(email, PASSWORD)
            .await
            .expect("sign in");
        browser(&self.router, session)
    }
}

#[tokio::test]
async fn submit_deduplicate_validate_coordinate() {
    for db in clearinghouse_testkit::databases().await {
        let engine = db.engine;
        let w = world(&db).await;
        let alpha = w.browser("finder@alpha.test").await;
        let beta = w.browser("finder@beta.test").await;
        let gamma = w.browser("finder@gamma.test").await;
        let analyst = w.browser("ana@house.test").await;
        let validator = w.browser("val@check.test").await;
        let vendor = w.browser("sec@storypkg.test").await;
        let outsider = w.browser("ops@water.test").await;

        // Navigation offers each desk only to those who can use it.
        let home = alpha.get("/").await.html;
        assert!(
            home.contains("href=\"/findings\""),
            "{engine}: finders submit"
        );
        assert!(!home.contains("href=\"/cases/queue\""), "{engine}");
        assert!(!home.contains("href=\"/validate\""), "{engine}");
        let home = analyst.get("/").await.html;
        assert!(home.contains("href=\"/cases/queue\""), "{engine}");
        assert!(!home.contains("href=\"/findings\""), "{engine}");
        let home = outsider.get("/").await.html;
        assert!(home.contains("href=\"/cases\""), "{engine}");
        for desk in ["/cases/queue", "/findings", "/validate"] {
            assert!(
                !home.contains(&format!("href=\"{desk}\"")),
                "{engine}: {desk}"
            );
        }
        assert!(validator.get("/").await.html.contains("href=\"/validate\""));

        // A bad CVSS vector is refused beside its input, with what was typed kept.
        let form = alpha.get("/findings/new").await;
        assert_eq!(form.status, StatusCode::OK, "{engine}: {}", form.html);
        let key = form_key(&form.html);
        let description = "A crafted length field in the chunk header makes the parser copy past the end of its buffer, corrupting the heap; reachable from any uploaded archive.";
        let title = "Heap overflow in the storypkg chunk parser";
        let refused = post_multipart(
            &alpha,
            "/findings/new",
            &finding_fields(
                &alpha.csrf,
                &key,
                title,
                description,
                "read_chunk",
                "CVSS:3.1/AV:X",
            ),
            None,
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{engine}: {}",
            refused.html
        );
        assert!(
            refused.html.contains("id=\"e-cvss\""),
            "{engine}: {}",
            refused.html
        );
        assert!(refused.html.contains("role=\"alert\""));
        assert!(
            refused.html.contains(&format!("value=\"{title}\"")),
            "the title is kept"
        );
        assert_eq!(
            alpha
                .get("/findings")
                .await
                .html
                .matches("data-testid=\"my-finding\"")
                .count(),
            0,
            "{engine}: nothing was stored"
        );

        // Alpha submits with a proof of concept; the same form again is the same finding.
        let fields = finding_fields(&alpha.csrf, &key, title, description, "read_chunk", VECTOR);
        let poc: &[u8] = b"import storypkg\nstorypkg.parse(b'\\xff' * 70000)\n";
        let first = post_multipart(&alpha, "/findings/new", &fields, Some(("poc.py", poc))).await;
        assert_eq!(
            first.status,
            StatusCode::SEE_OTHER,
            "{engine}: {}",
            first.html
        );
        assert!(
            first.location.ends_with("?done=new_case"),
            "{}",
            first.location
        );
        let case_id = case_of(&first.location);
        let again = post_multipart(&alpha, "/findings/new", &fields, Some(("poc.py", poc))).await;
        assert_eq!(
            again.location, first.location,
            "{engine}: a resubmission replays"
        );

        // Beta reports the same bug, later: it joins the case and is credited second.
        let key_b = form_key(&beta.get("/findings/new").await.html);
        let second = post_multipart(
            &beta,
            "/findings/new",
            &finding_fields(
                &beta.csrf,
                &key_b,
                "Out-of-bounds write when parsing chunks",
                "The chunk parser trusts the declared length and writes beyond the allocation.",
                "read_chunk",
                VECTOR,
            ),
            None,
        )
        .await;
        assert_eq!(
            second.status,
            StatusCode::SEE_OTHER,
            "{engine}: {}",
            second.html
        );
        assert_eq!(case_of(&second.location), case_id, "{engine}: one case");
        assert!(second.location.ends_with("?done=duplicate"));

        let page = alpha.get(&format!("/cases/{case_id}?done=new_case")).await;
        assert_eq!(page.status, StatusCode::OK, "{engine}: {}", page.html);
        let html = &page.html;
        assert!(html.contains("Finding accepted: it opened this case."));
        assert!(html.contains("class=\"tlp-banner tlp-amber\""), "{html}");
        assert!(html.contains("<strong>TLP:AMBER</strong>"));
        assert!(html.contains("Embargoed until"), "{html}");
        assert!(html.contains("aria-current=\"step\">Submitted"), "{html}");
        let credits = html
            .split("data-testid=\"credits\"")
            .nth(1)
            .and_then(|c| c.split("</ol>").next())
            .expect("credits");
        let (a, b) = (
            credits.find("Alpha AI").expect("alpha credited"),
            credits.find("Beta Labs").expect("beta credited"),
        );
        assert!(a < b, "{engine}: the earlier finder first: {credits}");
        assert!(
            credits.contains("1st, first finder (priority)"),
            "{credits}"
        );
        assert_eq!(html.matches("data-testid=\"finding\"").count(), 2);
        assert!(
            !html.contains("action=\"/cases/{case_id}/transition\""),
            "finders do not move cases"
        );
        let status = alpha.get("/findings").await.html;
        assert!(status.contains("1st of 2"), "{engine}: {status}");
        assert!(beta.get("/findings").await.html.contains("2nd of 2"));

        // The proof of concept downloads for its finder, through the logged read.
        let poc_id = html
            .split("href=\"/attachments/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a download link for the finder that attached it")
            .to_owned();
        let log_before = w.app.store().log_size().await.expect("log");
        let download = alpha.get(&format!("/attachments/{poc_id}")).await;
        assert_eq!(download.status, StatusCode::OK, "{engine}");
        assert_eq!(download.html.as_bytes(), poc);
        assert_eq!(
            w.app.store().log_size().await.expect("log"),
            log_before + 1,
            "the read is logged"
        );
        let beta_page = beta.get(&format!("/cases/{case_id}")).await.html;
        assert!(
            beta_page.contains("poc.py <span class=\"hint\">(not for your role)</span>"),
            "{beta_page}"
        );
        assert_eq!(
            beta.get(&format!("/attachments/{poc_id}")).await.status,
            StatusCode::NOT_FOUND
        );

        // An outsider gets exactly the page of a case that does not exist.
        let hidden = outsider.get(&format!("/cases/{case_id}")).await;
        let missing_id = clearinghouse_domain::CaseId::generate().to_string();
        let missing = outsider.get(&format!("/cases/{missing_id}")).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{engine}");
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(
            main_of(&hidden.html).replace(&case_id, "ID"),
            main_of(&missing.html).replace(&missing_id, "ID"),
            "{engine}"
        );
        assert!(
            hidden.html.contains("aria-label=\"Main\""),
            "the error page keeps the navigation"
        );
        assert!(
            !outsider.get("/cases").await.html.contains(title),
            "{engine}"
        );
        assert_eq!(
            outsider.get(&format!("/attachments/{poc_id}")).await.status,
            StatusCode::NOT_FOUND
        );

        // Gamma reports a near duplicate at another function; the analyst merges it.
        let key_g = form_key(&gamma.get("/findings/new").await.html);
        let near = post_multipart(
            &gamma,
            "/findings/new",
            &finding_fields(
                &gamma.csrf,
                &key_g,
                title,
                description,
                "read_chunk_header",
                VECTOR,
            ),
            None,
        )
        .await;
        assert!(
            near.location.ends_with("?done=near_duplicate"),
            "{engine}: {}",
            near.location
        );
        let near_case = case_of(&near.location);
        assert_ne!(near_case, case_id);
        let proposals = analyst.get(&format!("/cases/{case_id}")).await.html;
        let proposal = proposals
            .split("action=\"/merge-proposals/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a merge proposal for the analyst")
            .to_owned();
        assert!(
            !alpha
                .get(&format!("/cases/{case_id}"))
                .await
                .html
                .contains("/merge-proposals/"),
            "only analysts decide merges"
        );
        let merged = analyst
            .post_form(
                &format!("/merge-proposals/{proposal}"),
                &[
                    ("csrf", &analyst.csrf),
                    ("decision", "merge"),
                    ("case", &case_id),
                ],
            )
            .await;
        assert_eq!(
            merged.status,
            StatusCode::SEE_OTHER,
            "{engine}: {}",
            merged.html
        );
        assert_eq!(merged.location, format!("/cases/{case_id}?done=merged"));
        let after_merge = analyst.get(&merged.location).await.html;
        assert!(
            after_merge.contains("Gamma Research"),
            "{engine}: merged with credit"
        );
        assert!(
            gamma.get("/findings").await.html.contains("3rd of 3"),
            "{engine}"
        );

        // The queue ranks the case; the analyst triages it and opens validation.
        let queue = analyst.get("/cases/queue").await;
        assert_eq!(queue.status, StatusCode::OK, "{engine}: {}", queue.html);
        assert!(queue.html.contains(title), "{engine}");
        assert!(queue.html.contains("<svg class=\"chart\""));
        assert!(
            queue.html.contains("Open cases by state: Submitted"),
            "{}",
            queue.html
        );
        let row = queue
            .html
            .split("data-testid=\"queue-row\"")
            .find(|r| r.contains(title))
            .expect("the case is queued");
        assert!(row.contains("class=\"badge ssvc-"), "{row}");
        assert!(row.contains("7.5 high"), "{row}");
        let triaged_only = analyst.get("/cases/queue?state=triaged&tlp=").await.html;
        assert!(
            !triaged_only.contains(title),
            "{engine}: the filter applies"
        );
        assert_eq!(
            alpha.get("/cases/queue").await.status,
            StatusCode::FORBIDDEN
        );

        let transition = format!("/cases/{case_id}/transition");
        let forged = analyst
            .post_form(&transition, &[("csrf", "forged"), ("to", "triaged")])
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let illegal = analyst
            .post_form(&transition, &[("csrf", &analyst.csrf), ("to", "published")])
            .await;
        assert_eq!(
            illegal.status,
            StatusCode::CONFLICT,
            "{engine}: {}",
            illegal.html
        );
        let transition_box = illegal
            .html
            .split("id=\"transition\"")
            .nth(1)
            .expect("the transition forms");
        assert!(
            transition_box.contains("role=\"alert\">a case cannot go from submitted to published"),
            "{transition_box}"
        );
        for to in ["triaged", "validating"] {
            let moved = analyst
                .post_form(&transition, &[("csrf", &analyst.csrf), ("to", to)])
                .await;
            assert_eq!(
                moved.status,
                StatusCode::SEE_OTHER,
                "{engine}: {to}: {}",
                moved.html
            );
        }

        // The validator claims from the workbench, attaches evidence, and reproduces.
        let bench = validator.get("/validate").await.html;
        assert!(
            bench.contains(&format!("action=\"/cases/{case_id}/claim\"")),
            "{engine}: {bench}"
        );
        let claimed = validator
            .post_form(
                &format!("/cases/{case_id}/claim"),
                &[("csrf", &validator.csrf), ("back", "validate")],
            )
            .await;
        assert_eq!(
            claimed.location, "/validate?done=claimed",
            "{engine}: {}",
            claimed.html
        );
        let bench = validator.get("/validate").await.html;
        assert!(bench.contains("0 of 1 reproduction needed"), "{bench}");
        let validation = bench
            .split("action=\"/validations/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .expect("a verdict form")
            .to_owned();
        let evidence = post_multipart(
            &validator,
            &format!("/cases/{case_id}/attachments"),
            &[
                ("csrf", &validator.csrf),
                ("back", "validate"),
                ("kind", "evidence"),
            ],
            Some(("repro.log", b"segfault at 0x41414141")),
        )
        .await;
        assert_eq!(
            evidence.location, "/validate?done=attached",
            "{engine}: {}",
            evidence.html
        );
        assert!(
            validator
                .get("/validate")
                .await
                .html
                .contains("Evidence attached: repro.log (22 bytes)."),
            "{engine}"
        );
        let verdict = validator
            .post_form(
                &format!("/validations/{validation}/verdict"),
                &[
                    ("csrf", &validator.csrf),
                    ("verdict", "reproduced"),
                    ("notes", "Crashed on the first try."),
                    ("back", "validate"),
                ],
            )
            .await;
        assert_eq!(
            verdict.location, "/validate?done=verdict",
            "{engine}: {}",
            verdict.html
        );
        let validated = analyst.get(&format!("/cases/{case_id}")).await.html;
        assert!(
            validated.contains("aria-current=\"step\">Validated"),
            "{engine}: {validated}"
        );

        // The analyst coordinates with the vendor.
        let moved = analyst
            .post_form(
                &transition,
                &[("csrf", &analyst.csrf), ("to", "coordinating")],
            )
            .await;
        assert_eq!(
            moved.status,
            StatusCode::SEE_OTHER,
            "{engine}: {}",
            moved.html
        );
        let vendor_id = w.vendor.id.to_string();
        let added = analyst
            .post_form(
                &format!("/cases/{case_id}/members"),
                &[
                    ("csrf", &analyst.csrf),
                    ("org", &vendor_id),
                    ("relation", "vendor"),
                ],
            )
            .await;
        assert_eq!(
            added.status,
            StatusCode::SEE_OTHER,
            "{engine}: {}",
            added.html
        );

        // The vendor records the fix: a fixed status needs its version, shown in the form.
        let status_path = format!("/cases/{case_id}/vendor-statuses");
        let incomplete = vendor
            .post_form(
                &status_path,
                &[
                    ("csrf", &vendor.csrf),
                    ("product", "pkg:pypi/storypkg"),
                    ("status", "fixed"),
                    ("fixed_version", ""),
                    ("note", "Upgrade now"),
                ],
            )
            .await;
        assert_eq!(
            incomplete.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{engine}: {}",
            incomplete.html
        );
        let status_form = incomplete
            .html
            .split("id=\"status\"")
            .nth(1)
            .expect("status form");
        assert!(
            status_form.contains("role=\"alert\">fixed_version:"),
            "{status_form}"
        );
        assert!(
            status_form.contains("value=\"Upgrade now\""),
            "the note is kept"
        );
        let recorded = vendor
            .post_form(
                &status_path,
                &[
                    ("csrf", &vendor.csrf),
                    ("product", "pkg:pypi/storypkg"),
                    ("status", "fixed"),
                    ("fixed_version", "1.2.1"),
                    ("note", "Upgrade now"),
                ],
            )
            .await;
        assert_eq!(
            recorded.status,
            StatusCode::SEE_OTHER,
            "{engine}: {}",
            recorded.html
        );
        let fixed = vendor
            .post_form(
                &transition,
                &[("csrf", &vendor.csrf), ("to", "fix_available")],
            )
            .await;
        assert_eq!(
            fixed.status,
            StatusCode::SEE_OTHER,
            "{engine}: {}",
            fixed.html
        );
        let final_page = vendor.get(&format!("/cases/{case_id}")).await.html;
        assert!(
            final_page.contains("aria-current=\"step\">Fix available"),
            "{engine}"
        );
        let status_row = final_page
            .split("data-testid=\"vendor-status\"")
            .nth(1)
            .expect("a status row");
        assert!(
            status_row.contains("Fixed") && status_row.contains("1.2.1"),
            "{status_row}"
        );
        assert!(
            final_page.contains("href=\"/attachments/"),
            "vendors read the proof of concept"
        );

        // The discussion: an empty message is refused in its form; a message is posted.
        let comments = format!("/cases/{case_id}/comments");
        let empty = vendor
            .post_form(&comments, &[("csrf", &vendor.csrf), ("body", "   ")])
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        assert!(
            empty.html.contains("id=\"comment-error\""),
            "{}",
            empty.html
        );
        let posted = vendor
            .post_form(
                &comments,
                &[("csrf", &vendor.csrf), ("body", "Fix released in 1.2.1")],
            )
            .await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER);
        let thread = alpha.get(&format!("/cases/{case_id}")).await.html;
        assert!(
            thread.contains("Fix released in 1.2.1"),
            "{engine}: members read the thread"
        );

        // Still nothing for the outsider.
        assert_eq!(
            outsider.get(&format!("/cases/{case_id}")).await.status,
            StatusCode::NOT_FOUND
        );

        // The analyst splits Gamma's merged finding back out (it was a different bug after all):
        // only analysts see the button; the finding opens a case of its own, Gamma credited there.
        let page = analyst.get(&format!("/cases/{case_id}")).await.html;
        let splits: Vec<String> = page
            .split("action=\"/findings/")
            .skip(1)
            .filter_map(|rest| rest.split_once("/split\"").map(|(id, _)| id.to_owned()))
            .collect();
        assert_eq!(
            splits.len(),
            3,
            "{engine}: one split button per active finding"
        );
        assert!(
            !alpha
                .get(&format!("/cases/{case_id}"))
                .await
                .html
                .contains("/split\""),
            "{engine}: only analysts split"
        );
        let split = analyst
            .post_form(
                &format!("/findings/{}/split", splits[2]),
                &[("csrf", &analyst.csrf)],
            )
            .await;
        assert_eq!(
            split.status,
            StatusCode::SEE_OTHER,
            "{engine}: {}",
            split.html
        );
        let split_case = case_of(&split.location);
        assert_ne!(split_case, case_id);
        assert!(
            split.location.ends_with("?done=split"),
            "{}",
            split.location
        );
        let new_page = analyst.get(&split.location).await.html;
        assert!(
            new_page.contains("Split: the finding now has this case"),
            "{new_page}"
        );
        assert!(new_page.contains("Gamma Research"), "{engine}: {new_page}");
        assert!(
            !new_page.contains("/split\""),
            "{engine}: a case's only finding cannot be split from it"
        );
        assert!(
            !analyst
                .get(&format!("/cases/{case_id}"))
                .await
                .html
                .contains(&format!("/findings/{}/split", splits[2])),
            "{engine}: the finding left the first case"
        );
    }
}
