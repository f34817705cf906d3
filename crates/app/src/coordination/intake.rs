//! Findings in: validation with located errors, idempotency keys, deduplication (exact duplicates
//! join the existing case; near duplicates open a case with a merge proposal), flagging of known
//! public vulnerabilities through the package index, and SARIF logs turned into findings.

use std::collections::{BTreeMap, BTreeSet};

use clearinghouse_domain::audit::{AuditRecord, canonical_json};
use clearinghouse_domain::authz::{Action, Actor, authorize};
use clearinghouse_domain::coordination::state::DEFAULT_EMBARGO;
use clearinghouse_domain::coordination::{
    AffectedVersions, Attachment, AttachmentKind, Case, CaseMember, CaseRelation, CaseState,
    CvssScore, Finding, FindingStatus, Location, MergeProposal, NamedPerson, Product,
    ProposalStatus, Provenance, SectorCount, Tlp,
};
use clearinghouse_domain::{AttachmentId, CampaignId, CaseId, FindingId, OrgId, Role};
use clearinghouse_standards::cvss::{CvssVector, CvssVersion, Severity};
use clearinghouse_standards::knowledge::{ExploitationValue, component_keys, key_ecosystem};
use clearinghouse_standards::range::VersSpec;
use clearinghouse_standards::sbom::Component;
use clearinghouse_store::{CaseChange, CaseWrite, IdempotencyRecord, NewFindingRow};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::priority::{self, Exploitation};
use crate::App;
use crate::dedup::{self, NEAR_DUPLICATE_PERMILLE};
use crate::error::{Error, Result};

/// The largest attachment accepted, in bytes (the request body limit usually bites first).
pub const MAX_ATTACHMENT_BYTES: usize = 8 * 1024 * 1024;
/// Attachments per finding.
const MAX_ATTACHMENTS: usize = 10;
/// Known ids per finding.
const MAX_KNOWN_IDS: usize = 20;
/// Near-duplicate candidates compared per finding (same product, same place).
const MAX_CANDIDATES: u32 = 200;
/// Merge proposals opened per finding.
const MAX_PROPOSALS: usize = 3;
/// Attempts when a concurrent change touched the same case.
const ATTEMPTS: usize = 4;

/// A file to attach.
#[derive(Clone, Debug)]
pub struct AttachmentUpload {
    /// What it is.
    pub kind: AttachmentKind,
    /// Its name.
    pub filename: String,
    /// Its media type.
    pub media_type: String,
    /// Its content.
    pub content: Vec<u8>,
}

/// A finding as submitted. Field names follow the JSON API, so errors point at the request.
#[derive(Clone, Debug, Default)]
pub struct FindingRequest {
    /// The organization it is submitted for; by default the actor's only finder organization.
    pub org: Option<OrgId>,
    /// One line.
    pub title: String,
    /// What it is and how it works.
    pub description: String,
    /// A package URL or CPE 2.3 name.
    pub product: String,
    /// Affected versions as a `vers:` range.
    pub versions_range: Option<String>,
    /// Affected versions as a list.
    pub versions: Vec<String>,
    /// The CWE.
    pub cwe: String,
    /// A CVSS 3.1 or 4.0 vector.
    pub cvss: Option<String>,
    /// Where.
    pub location: Location,
    /// Model or tool name.
    pub tool: String,
    /// Its version.
    pub tool_version: Option<String>,
    /// The campaign it was found under: one the submitting organization declared.
    pub campaign: Option<CampaignId>,
    /// CVE, GHSA or other ids the finder knows.
    pub known_ids: Vec<String>,
    /// The TLP mark asked for (AMBER by default).
    pub tlp: Option<Tlp>,
    /// Whether the finder may be named beyond the case's members.
    pub credit_public: bool,
    /// Files to attach.
    pub attachments: Vec<AttachmentUpload>,
    /// SARIF `fingerprints` and `partialFingerprints` (SARIF intake).
    pub sarif_fingerprints: BTreeMap<String, String>,
}

/// What happened to a submitted finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// A new case was opened for it.
    NewCase,
    /// It is an exact duplicate and joined the existing case.
    Duplicate,
    /// A new case was opened and proposed for merging with similar cases.
    NearDuplicate,
    /// Its organization already reported exactly this; nothing was stored.
    AlreadyReported,
}

/// A merge proposal opened by an intake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalRef {
    /// The proposal.
    pub id: uuid::Uuid,
    /// The case the finding may join.
    pub target_case: CaseId,
    /// Estimated similarity, thousandths.
    pub similarity_permille: u32,
}

/// The response to a submitted finding (remembered for its idempotency key).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntakeOutcome {
    /// The finding (for `already_reported`, the earlier one).
    pub finding: FindingId,
    /// Its case.
    pub case_id: CaseId,
    /// What happened.
    pub disposition: Disposition,
    /// The earlier finding it duplicates.
    pub duplicate_of: Option<FindingId>,
    /// Merge proposals opened.
    pub proposals: Vec<ProposalRef>,
    /// Whether its organization is the case's first finder.
    pub first_finder: bool,
    /// Knowledge-base vulnerabilities it may already be.
    pub known_vulnerabilities: Vec<String>,
    /// Attachments stored.
    pub attachments: Vec<AttachmentId>,
    /// Whether this response replays the first one for the same idempotency key.
    #[serde(default)]
    pub replayed: bool,
}

/// Product and provenance for a SARIF upload (a log names neither).
#[derive(Clone, Debug, Default)]
pub struct SarifContext {
    /// The organization; by default the actor's only finder organization.
    pub org: Option<OrgId>,
    /// The scanned product (purl or CPE; its version, if any, is the affected version).
    pub product: String,
    /// Affected versions as a `vers:` range.
    pub versions_range: Option<String>,
    /// Affected versions as a list.
    pub versions: Vec<String>,
    /// The campaign.
    pub campaign: Option<CampaignId>,
    /// The TLP mark asked for.
    pub tlp: Option<Tlp>,
    /// Whether the finder may be named beyond the case's members.
    pub credit_public: bool,
}

/// What happened to one SARIF result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SarifOutcome {
    /// The result's JSON pointer in the log (`#/runs/0/results/3`).
    pub path: String,
    /// Its rule.
    pub rule_id: Option<String>,
    /// `accepted`, `merged` or `rejected`.
    pub status: String,
    /// The intake outcome, when not rejected.
    pub outcome: Option<IntakeOutcome>,
    /// Why it was rejected (the field at fault, then the problem).
    pub problem: Option<String>,
}

/// The report of a SARIF upload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SarifReport {
    /// Results that opened a case.
    pub accepted: u64,
    /// Results that joined an existing case (or were already reported).
    pub merged: u64,
    /// Results refused.
    pub rejected: u64,
    /// One line per result, in log order.
    pub results: Vec<SarifOutcome>,
    /// Whether this response replays the first one for the same idempotency key.
    #[serde(default)]
    pub replayed: bool,
}

/// A finding after validation.
struct Parsed {
    org: OrgId,
    title: String,
    description: String,
    product: Product,
    versions: AffectedVersions,
    probe_versions: Vec<String>,
    cwe: String,
    cvss: Option<(CvssScore, CvssVector)>,
    location: Location,
    provenance: Provenance,
    known_ids: Vec<String>,
    tlp: Tlp,
    credit_public: bool,
    attachments: Vec<AttachmentUpload>,
    sarif_fingerprints: BTreeMap<String, String>,
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Error {
    Error::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// Trimmed text of 1 to `max` characters without control characters (new lines allowed where
/// `multiline`).
pub(crate) fn text(field: &str, value: &str, max: usize, multiline: bool) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(invalid(field, format!("longer than {max} characters")));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(invalid(field, "contains control characters"));
    }
    Ok(value.to_owned())
}

fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| text(field, v, max, false))
        .transpose()
}

/// Reads a package URL or CPE name into the product and the version it names, if any.
pub(crate) fn parse_product(value: &str) -> std::result::Result<(Product, Option<String>), String> {
    let value = value.trim();
    let component = |purl: Option<String>, cpes: Vec<String>| Component {
        reference: String::new(),
        name: String::new(),
        group: None,
        version: None,
        purl,
        cpes,
        hashes: Vec::new(),
        supplier: None,
    };
    if value.starts_with("pkg:") {
        let purl = clearinghouse_standards::purl::Purl::parse(value).map_err(|e| e.to_string())?;
        let key = component_keys(&component(Some(value.to_owned()), Vec::new()))
            .into_iter()
            .next();
        let (ecosystem, name_key) = match key {
            Some(key) => (key.ecosystem, key.name_key),
            // A purl type without an OSV ecosystem still deduplicates by its parsed parts.
            None => (format!("purl:{}", purl.ty()), purl.package_key()),
        };
        Ok((
            Product {
                identifier: purl.without_version().to_canonical_string(),
                ecosystem,
                name_key,
            },
            purl.version().map(str::to_owned),
        ))
    } else if value.to_ascii_lowercase().starts_with("cpe:") {
        let cpe = clearinghouse_standards::cpe::Cpe::parse(value).map_err(|e| e.to_string())?;
        let named = |v: Option<&str>| v.is_some_and(|v| !v.is_empty() && v != "*" && v != "-");
        if !named(cpe.vendor()) || !named(cpe.product()) {
            return Err("a CPE name must give a vendor and a product".into());
        }
        let key = component_keys(&component(None, vec![value.to_owned()]))
            .into_iter()
            .next()
            .ok_or_else(|| "the CPE name has no vendor:product key".to_owned())?;
        let version = cpe.version().filter(|v| named(Some(v))).map(str::to_owned);
        Ok((
            Product {
                identifier: cpe.to_formatted_string(),
                ecosystem: key.ecosystem,
                name_key: key.name_key,
            },
            version,
        ))
    } else {
        Err("expected a package URL (pkg:type/namespace/name) or a CPE 2.3 name (cpe:2.3:a:vendor:product:…)".into())
    }
}

/// The versions a `vers:` range names that it also contains: what the knowledge base is asked
/// about (a range cannot be intersected with an advisory's ranges, but its bounds can be tested).
fn vers_probes(spec: &VersSpec, text: &str) -> Vec<String> {
    let Some((_, constraints)) = text.split_once('/') else {
        return Vec::new();
    };
    constraints
        .split('|')
        .map(|c| c.trim().trim_start_matches(['<', '>', '=', '!']).trim())
        .filter(|v| !v.is_empty() && *v != "*")
        .filter(|v| spec.contains(v).unwrap_or(false))
        .map(str::to_owned)
        .collect()
}

fn parse_cvss(value: &str) -> Result<(CvssScore, CvssVector)> {
    let vector = CvssVector::parse(value.trim()).map_err(|e| invalid("cvss", e.to_string()))?;
    if !matches!(vector.version(), CvssVersion::V3_1 | CvssVersion::V4_0) {
        return Err(invalid(
            "cvss",
            format!(
                "CVSS {} vectors are not accepted; give a CVSS 3.1 or 4.0 vector",
                vector.version()
            ),
        ));
    }
    let score = vector.base_score();
    Ok((
        CvssScore {
            vector: vector.as_str().to_owned(),
            score,
            severity: Severity::from_score(vector.version(), score)
                .as_str()
                .to_owned(),
        },
        vector,
    ))
}

/// The digest an idempotency key is bound to: the canonical request, attachments by their hash.
fn request_digest(request: &FindingRequest, org: OrgId) -> String {
    let attachments: Vec<serde_json::Value> = request
        .attachments
        .iter()
        .map(|a| {
            json!({"kind": a.kind, "filename": a.filename, "media_type": a.media_type,
                   "sha256": hex::encode(Sha256::digest(&a.content))})
        })
        .collect();
    let value = json!({
        "org": org, "title": request.title, "description": request.description, "product": request.product,
        "versions_range": request.versions_range, "versions": request.versions, "cwe": request.cwe,
        "cvss": request.cvss, "location": request.location, "tool": request.tool, "tool_version": request.tool_version,
        "campaign": request.campaign, "known_ids": request.known_ids, "tlp": request.tlp,
        "credit_public": request.credit_public, "attachments": attachments, "sarif": request.sarif_fingerprints,
    });
    hex::encode(Sha256::digest(canonical_json(&value)))
}

fn check_idempotency_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
    {
        return Err(invalid(
            "#/header/Idempotency-Key",
            "an idempotency key is 1 to 255 printable ASCII characters",
        ));
    }
    Ok(())
}

fn key_reused() -> Error {
    invalid(
        "#/header/Idempotency-Key",
        "this key was already used with a different request; use a new key for a new request",
    )
}

/// A timestamp strictly after `previous`, so every update changes `updated_at` (the optimistic
/// lock).
pub(crate) fn after(previous: Timestamp) -> Timestamp {
    let now = clearinghouse_domain::time::now();
    if now > previous {
        now
    } else {
        previous + jiff::SignedDuration::from_micros(1)
    }
}

impl App {
    /// The organization a finding is submitted for.
    fn submitting_org(&self, actor: &Actor, requested: Option<OrgId>) -> Result<OrgId> {
        let org = match requested {
            Some(org) => org,
            None => {
                let mut orgs: Vec<OrgId> = actor
                    .grants()
                    .iter()
                    .filter(|g| g.role == Role::Finder)
                    .map(|g| g.org)
                    .collect();
                orgs.sort();
                orgs.dedup();
                match orgs.as_slice() {
                    [org] => *org,
                    [] => {
                        return Err(Error::Denied(clearinghouse_domain::authz::Denied(
                            "only finders may submit findings",
                        )));
                    }
                    _ => {
                        return Err(invalid(
                            "org_id",
                            "you are a finder in several organizations; say which one submits",
                        ));
                    }
                }
            }
        };
        authorize(actor, &Action::FindingSubmit(org))?;
        Ok(org)
    }

    fn parse_finding(&self, org: OrgId, request: &FindingRequest) -> Result<Parsed> {
        let title = text("title", &request.title, 300, false)?;
        let description = text("description", &request.description, 20_000, true)?;
        let (product, product_version) =
            parse_product(&request.product).map_err(|p| invalid("product", p))?;
        let ecosystem = key_ecosystem(&product.ecosystem);
        let (versions, probe_versions) = match (
            &request.versions_range,
            request.versions.as_slice(),
        ) {
            (Some(_), [_, ..]) => {
                return Err(invalid(
                    "versions",
                    "give either a vers: range or a list of versions, not both",
                ));
            }
            (Some(range), []) => {
                let spec = VersSpec::parse(range.trim())
                    .map_err(|e| invalid("versions/vers", e.to_string()))?;
                let probes = vers_probes(&spec, range.trim());
                (
                    AffectedVersions::Range {
                        vers: range.trim().to_owned(),
                    },
                    probes,
                )
            }
            (None, []) => match product_version {
                Some(version) => (
                    AffectedVersions::List {
                        versions: vec![version.clone()],
                    },
                    vec![version],
                ),
                None => {
                    return Err(invalid(
                        "versions",
                        "say which versions are affected: a vers: range, a list, or a version in the product's purl or CPE",
                    ));
                }
            },
            (None, list) => {
                let mut versions = Vec::with_capacity(list.len());
                for (i, version) in list.iter().enumerate() {
                    let field = format!("versions/list/{i}");
                    let version = text(&field, version, 200, false)?;
                    if ecosystem.parse(&version).is_err() {
                        return Err(invalid(
                            field,
                            format!("{version:?} is not a {} version", ecosystem.osv_name()),
                        ));
                    }
                    versions.push(version);
                }
                (
                    AffectedVersions::List {
                        versions: versions.clone(),
                    },
                    versions,
                )
            }
        };
        let cwe = clearinghouse_standards::cwe::Cwe::parse(&request.cwe)
            .map_err(|e| invalid("cwe", e.to_string()))?
            .to_string();
        let cvss = request
            .cvss
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .map(parse_cvss)
            .transpose()?;
        let location = Location {
            file: optional_text("location/file", request.location.file.as_deref(), 1000)?,
            function: optional_text(
                "location/function",
                request.location.function.as_deref(),
                500,
            )?,
            line: request.location.line,
            url: optional_text("location/url", request.location.url.as_deref(), 2000)?,
            endpoint: optional_text(
                "location/endpoint",
                request.location.endpoint.as_deref(),
                1000,
            )?,
        };
        if let Some(url) = &location.url {
            url::Url::parse(url).map_err(|e| invalid("location/url", format!("not a URL: {e}")))?;
        }
        if location.file.is_none()
            && location.function.is_none()
            && location.url.is_none()
            && location.endpoint.is_none()
        {
            return Err(invalid(
                "location",
                "say where the weakness is: a file (and function, line), a URL or an endpoint",
            ));
        }
        let provenance = Provenance {
            tool: text("provenance/tool", &request.tool, 200, false)?,
            tool_version: optional_text(
                "provenance/tool_version",
                request.tool_version.as_deref(),
                100,
            )?,
            campaign: request.campaign,
        };
        if request.known_ids.len() > MAX_KNOWN_IDS {
            return Err(invalid("known_ids", format!("at most {MAX_KNOWN_IDS} ids")));
        }
        let mut known_ids = Vec::new();
        for (i, id) in request.known_ids.iter().enumerate() {
            let parsed = clearinghouse_standards::vulnid::VulnId::parse(id)
                .map_err(|e| invalid(format!("known_ids/{i}"), e.to_string()))?;
            known_ids.push(parsed.as_str().to_owned());
        }
        if request.attachments.len() > MAX_ATTACHMENTS {
            return Err(invalid(
                "attachments",
                format!("at most {MAX_ATTACHMENTS} attachments per finding"),
            ));
        }
        let mut attachments = Vec::with_capacity(request.attachments.len());
        for (i, a) in request.attachments.iter().enumerate() {
            attachments.push(check_attachment(&format!("attachments/{i}"), a)?);
        }
        Ok(Parsed {
            org,
            title,
            description,
            product,
            versions,
            probe_versions,
            cwe,
            cvss,
            location,
            provenance,
            known_ids,
            tlp: request.tlp.unwrap_or(Tlp::Amber),
            credit_public: request.credit_public,
            attachments,
            sarif_fingerprints: request.sarif_fingerprints.clone(),
        })
    }

    /// Knowledge-base vulnerabilities a finding may already be: records whose package index
    /// entry for the product affects one of its versions and that name the same CWE, and the
    /// vulnerabilities behind the ids the finder gave. Returns their display ids and the
    /// exploitation they imply.
    async fn known_public(&self, parsed: &Parsed) -> Result<(Vec<String>, Exploitation)> {
        let key = (
            parsed.product.ecosystem.clone(),
            parsed.product.name_key.clone(),
        );
        let rows = self
            .store
            .packages_by_keys(std::slice::from_ref(&key))
            .await?;
        let ecosystem = key_ecosystem(&parsed.product.ecosystem);
        let parsed_versions: Vec<(Option<clearinghouse_standards::version::Version>, &str)> =
            parsed
                .probe_versions
                .iter()
                .map(|v| (ecosystem.parse(v).ok(), v.as_str()))
                .collect();
        let mut candidates: Vec<clearinghouse_domain::VulnerabilityId> = rows
            .iter()
            .filter(|row| {
                let condition = row.condition.compile(&ecosystem);
                parsed_versions
                    .iter()
                    .any(|(version, text)| condition.affects(version.as_ref(), text))
            })
            .map(|row| row.vulnerability)
            .collect();
        candidates.sort();
        candidates.dedup();
        let same_cwe = |cwes: &[String]| {
            cwes.iter().any(|c| {
                clearinghouse_standards::cwe::Cwe::parse(c)
                    .is_ok_and(|c| c.to_string() == parsed.cwe)
            })
        };
        let mut found: BTreeSet<String> = BTreeSet::new();
        let mut exploitation = Exploitation::None;
        let mut consider = |facts: &clearinghouse_standards::knowledge::Facts| {
            exploitation = exploitation.max(match facts.exploitation() {
                ExploitationValue::Active => Exploitation::Active,
                ExploitationValue::Poc => Exploitation::Poc,
                ExploitationValue::None => Exploitation::None,
            });
        };
        for record in self.store.vulnerabilities(&candidates).await?.values() {
            if same_cwe(&record.facts.cwes) {
                consider(&record.facts);
                found.insert(record.display_id.clone());
            }
        }
        for id in &parsed.known_ids {
            if let Some(record) = self.store.vulnerability_by_alias(id).await? {
                consider(&record.facts);
                found.insert(record.display_id);
            }
        }
        Ok((found.into_iter().collect(), exploitation))
    }

    /// A finding's campaign must exist and be its organization's (through the campaigns service,
    /// so a campaign the actor may not see is as absent as one that does not exist).
    async fn check_campaign(
        &self,
        actor: &Actor,
        campaign: CampaignId,
        org: OrgId,
        field: &str,
    ) -> Result<()> {
        match self.campaign_for_provenance(actor, campaign, org).await {
            Ok(_) => Ok(()),
            Err(Error::NotFound(_)) => Err(invalid(
                field,
                format!("no campaign {campaign} declared by the submitting organization"),
            )),
            Err(other) => Err(other),
        }
    }

    /// Operators running a product now, by sector.
    pub(crate) async fn product_exposure(&self, product: &Product) -> Result<Vec<SectorCount>> {
        let rows = self
            .store
            .operators_by_products(&[(product.ecosystem.clone(), product.name_key.clone())])
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| SectorCount {
                sector: row.sector,
                operators: row.operators,
            })
            .collect())
    }

    /// Accepts a finding: validated, deduplicated, flagged, stored with its sealed attachments in
    /// one transaction. With an idempotency key, a retry gets the first response; the same key
    /// with another request is refused.
    pub async fn submit_finding(
        &self,
        actor: &Actor,
        request: &FindingRequest,
        idempotency_key: Option<&str>,
    ) -> Result<IntakeOutcome> {
        let org = self.submitting_org(actor, request.org)?;
        let digest = request_digest(request, org);
        if let Some(key) = idempotency_key {
            check_idempotency_key(key)?;
        }
        let parsed = self.parse_finding(org, request)?;
        if let Some(campaign) = parsed.provenance.campaign {
            self.check_campaign(actor, campaign, org, "provenance/campaign_id")
                .await?;
        }
        for attempt in 1..=ATTEMPTS {
            if let Some(key) = idempotency_key
                && let Some(stored) = self.store.idempotency(org, key).await?
            {
                if stored.request_digest != digest {
                    return Err(key_reused());
                }
                let mut outcome: IntakeOutcome =
                    serde_json::from_value(stored.response).map_err(|e| {
                        Error::Store(clearinghouse_store::Error::Corrupt(e.to_string()))
                    })?;
                outcome.replayed = true;
                return Ok(outcome);
            }
            let idempotency = idempotency_key.map(|key| (key, digest.as_str()));
            match self.accept(actor, &parsed, idempotency).await {
                Err(Error::StateConflict(_)) if attempt < ATTEMPTS => continue,
                other => return other,
            }
        }
        Err(Error::StateConflict(
            "the case kept changing while the finding was being accepted; retry".into(),
        ))
    }

    async fn accept(
        &self,
        actor: &Actor,
        parsed: &Parsed,
        idempotency: Option<(&str, &str)>,
    ) -> Result<IntakeOutcome> {
        let now = clearinghouse_domain::time::now();
        let location_key = dedup::location_key(&parsed.location);
        let fingerprint = dedup::fingerprint(
            &parsed.product,
            &location_key,
            &parsed.cwe,
            &parsed.sarif_fingerprints,
        );
        let signature = dedup::signature(&format!("{}\n{}", parsed.title, parsed.description));
        let (known, known_exploitation) = self.known_public(parsed).await?;
        let exact = self.store.findings_by_fingerprint(&fingerprint).await?;
        if let Some(own) = exact.iter().find(|f| f.org == parsed.org) {
            // Its organization already reported exactly this bug: nothing new to store.
            let first = self.store.case_findings(own.case_id).await?;
            return Ok(IntakeOutcome {
                finding: own.id,
                case_id: own.case_id,
                disposition: Disposition::AlreadyReported,
                duplicate_of: Some(own.id),
                proposals: Vec::new(),
                first_finder: first
                    .iter()
                    .find(|f| f.status == FindingStatus::Active)
                    .is_some_and(|f| f.org == parsed.org),
                known_vulnerabilities: own.known_vulnerabilities.clone(),
                attachments: Vec::new(),
                replayed: false,
            });
        }
        let finding_id = FindingId::generate();
        let has_poc = parsed
            .attachments
            .iter()
            .any(|a| a.kind == AttachmentKind::ProofOfConcept);
        let mut exploitation = known_exploitation;
        if has_poc {
            exploitation = exploitation.max(Exploitation::Poc);
        }
        let mut change = CaseChange::default();
        let mut audits = Vec::new();
        let (case_id, disposition, duplicate_of, proposals, first_finder) = match exact.first() {
            Some(earlier) => {
                // An exact duplicate joins the earlier finding's case; the earlier keeps priority.
                let record = self
                    .store
                    .case(earlier.case_id)
                    .await?
                    .ok_or_else(|| Error::NotFound(format!("case {}", earlier.case_id)))?;
                let mut case = super::touched(&record);
                super::absorb_evidence(&mut case, &known, has_poc, exploitation);
                change.cases.push(super::rewrite(&record, case));
                (
                    record.case.id,
                    Disposition::Duplicate,
                    Some(earlier.id),
                    Vec::new(),
                    false,
                )
            }
            None => {
                let case_id = CaseId::generate();
                let exposure = self.product_exposure(&parsed.product).await?;
                let (automatable, total) =
                    priority::vector_inputs(parsed.cvss.as_ref().map(|c| &c.1));
                let cvss = parsed.cvss.as_ref().map(|c| c.0.clone());
                let priority = priority::rank(
                    exploitation,
                    automatable,
                    total,
                    exposure,
                    cvss.as_ref().map(|c| c.score),
                );
                let case = Case {
                    id: case_id,
                    title: parsed.title.clone(),
                    state: CaseState::Submitted,
                    reject_reason: None,
                    tlp: parsed.tlp,
                    embargo_until: now + DEFAULT_EMBARGO,
                    published_at: None,
                    product: parsed.product.clone(),
                    cwe: parsed.cwe.clone(),
                    cvss,
                    known_vulnerabilities: known.clone(),
                    has_poc,
                    priority,
                    state_entered_at: now,
                    due_at: CaseState::Submitted.due_within().map(|d| now + d),
                    created_at: now,
                    updated_at: now,
                    merged_into: None,
                };
                audits.push(AuditRecord::new(
                    actor.label(),
                    "case.open",
                    format!("case:{case_id}"),
                    json!({"product": case.product.identifier, "cwe": case.cwe, "tlp": case.tlp,
                           "embargo_until": case.embargo_until.to_string(), "due_at": case.due_at.map(|d| d.to_string())}),
                ));
                change.cases.push(CaseWrite {
                    case,
                    previous: None,
                });
                // Near duplicates: same product, same place or function, similar text.
                let candidates = self
                    .store
                    .dedup_candidates(
                        (&parsed.product.ecosystem, &parsed.product.name_key),
                        &location_key.area,
                        &location_key.function,
                        MAX_CANDIDATES,
                    )
                    .await?;
                let mut best: Vec<(CaseId, u32)> = Vec::new();
                for candidate in &candidates {
                    let similarity = dedup::similarity_permille(&signature, &candidate.signature);
                    if similarity < NEAR_DUPLICATE_PERMILLE {
                        continue;
                    }
                    match best.iter_mut().find(|(case, _)| *case == candidate.case_id) {
                        Some(slot) => slot.1 = slot.1.max(similarity),
                        None => best.push((candidate.case_id, similarity)),
                    }
                }
                best.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                best.truncate(MAX_PROPOSALS);
                let mut proposals = Vec::new();
                for (target, similarity) in best {
                    let proposal = MergeProposal {
                        id: uuid::Uuid::now_v7(),
                        target_case: target,
                        finding: finding_id,
                        source_case: case_id,
                        similarity_permille: similarity,
                        reason: format!(
                            "same product ({}) and {}; text similarity {}.{}",
                            parsed.product.identifier,
                            if location_key.area.is_empty() {
                                format!("function {}", location_key.function)
                            } else {
                                format!("place {}", location_key.area)
                            },
                            similarity / 10,
                            similarity % 10,
                        ),
                        status: ProposalStatus::Open,
                        created_at: now,
                        decided_by: None,
                        decided_at: None,
                    };
                    proposals.push(ProposalRef {
                        id: proposal.id,
                        target_case: target,
                        similarity_permille: similarity,
                    });
                    change.proposals.push(proposal);
                }
                let disposition = if proposals.is_empty() {
                    Disposition::NewCase
                } else {
                    Disposition::NearDuplicate
                };
                (case_id, disposition, None, proposals, true)
            }
        };
        let finding = Finding {
            id: finding_id,
            case_id,
            org: parsed.org,
            submitted_by: actor.label(),
            person: actor.person_id(),
            title: parsed.title.clone(),
            description: parsed.description.clone(),
            product: parsed.product.clone(),
            versions: parsed.versions.clone(),
            cwe: parsed.cwe.clone(),
            cvss: parsed.cvss.as_ref().map(|c| c.0.clone()),
            location: parsed.location.clone(),
            provenance: parsed.provenance.clone(),
            known_ids: parsed.known_ids.clone(),
            known_vulnerabilities: known.clone(),
            fingerprint: fingerprint.clone(),
            tlp_requested: parsed.tlp,
            credit_public: parsed.credit_public,
            status: FindingStatus::Active,
            accepted_at: now,
        };
        change.findings.push(NewFindingRow {
            finding,
            signature,
            location_area: location_key.area.clone(),
            location_function: location_key.function.clone(),
        });
        change.members.push((
            case_id,
            CaseMember {
                org: parsed.org,
                relation: CaseRelation::Finder,
                added_by: "system".into(),
                added_at: now,
            },
        ));
        if let Some(person) = actor.person_id() {
            change.named.push((
                case_id,
                NamedPerson {
                    person,
                    org: parsed.org,
                },
            ));
        }
        let mut attachment_ids = Vec::new();
        let mut attachment_log = Vec::new();
        for upload in &parsed.attachments {
            let (attachment, sealed) =
                self.seal_attachment(actor, case_id, Some(finding_id), parsed.org, upload, now)?;
            attachment_ids.push(attachment.id);
            attachment_log.push(json!({"id": attachment.id, "kind": attachment.kind,
                                       "size": attachment.size, "digest": attachment.digest}));
            change.attachments.push((attachment, sealed));
        }
        let outcome = IntakeOutcome {
            finding: finding_id,
            case_id,
            disposition,
            duplicate_of,
            proposals: proposals.clone(),
            first_finder,
            known_vulnerabilities: known.clone(),
            attachments: attachment_ids,
            replayed: false,
        };
        audits.push(AuditRecord::new(
            actor.label(),
            "finding.accept",
            format!("finding:{finding_id}"),
            json!({
                "case": case_id, "org": parsed.org, "product": parsed.product.identifier, "cwe": parsed.cwe,
                "fingerprint": fingerprint, "disposition": disposition, "duplicate_of": duplicate_of,
                "proposals": proposals, "known_vulnerabilities": known, "attachments": attachment_log,
                "campaign": parsed.provenance.campaign, "tool": parsed.provenance.tool,
            }),
        ));
        if let Some((key, digest)) = idempotency {
            change.idempotency = Some(IdempotencyRecord {
                org: parsed.org,
                key: key.to_owned(),
                request_digest: digest.to_owned(),
                response: serde_json::to_value(&outcome).map_err(|e| {
                    Error::Store(clearinghouse_store::Error::Corrupt(e.to_string()))
                })?,
            });
        }
        self.store.apply_case_change(&change, &audits).await?;
        tracing::info!(finding = %finding_id, case = %case_id, disposition = ?disposition, "finding accepted");
        Ok(outcome)
    }

    /// Seals an attachment for a case (the case id is part of the associated data).
    pub(crate) fn seal_attachment(
        &self,
        actor: &Actor,
        case_id: CaseId,
        finding: Option<FindingId>,
        org: OrgId,
        upload: &AttachmentUpload,
        now: Timestamp,
    ) -> Result<(
        Attachment,
        clearinghouse_domain::coordination::SealedContent,
    )> {
        let id = AttachmentId::generate();
        let sealed = crate::sealing::seal(&self.keys, id, case_id, &upload.content)?;
        Ok((
            Attachment {
                id,
                case_id,
                finding,
                org,
                kind: upload.kind,
                filename: upload.filename.clone(),
                media_type: upload.media_type.clone(),
                size: upload.content.len() as u64,
                digest: self.keys.keyed_digest(&upload.content),
                uploaded_by: actor.label(),
                created_at: now,
            },
            sealed,
        ))
    }

    /// Turns each result of a SARIF 2.1.0 log into a finding, reporting per result what happened
    /// (`accepted`, `merged`, `rejected` with the JSON path and the problem).
    pub async fn submit_sarif(
        &self,
        actor: &Actor,
        log: &[u8],
        context: &SarifContext,
        idempotency_key: Option<&str>,
    ) -> Result<SarifReport> {
        let org = self.submitting_org(actor, context.org)?;
        if let Some(key) = idempotency_key {
            check_idempotency_key(key)?;
        }
        let mut hasher = Sha256::new();
        hasher.update(log);
        hasher.update(
            canonical_json(&json!({"product": context.product, "versions": context.versions,
                "versions_range": context.versions_range, "campaign": context.campaign, "tlp": context.tlp,
                "credit_public": context.credit_public, "org": org}))
            .as_slice(),
        );
        let digest = hex::encode(hasher.finalize());
        if let Some(key) = idempotency_key
            && let Some(stored) = self.store.idempotency(org, key).await?
        {
            if stored.request_digest != digest {
                return Err(key_reused());
            }
            let mut report: SarifReport = serde_json::from_value(stored.response)
                .map_err(|e| Error::Store(clearinghouse_store::Error::Corrupt(e.to_string())))?;
            report.replayed = true;
            return Ok(report);
        }
        // The product and campaign are checked once, before any result: they are the upload's.
        parse_product(&context.product).map_err(|p| invalid("#/query/product", p))?;
        if let Some(campaign) = context.campaign {
            self.check_campaign(actor, campaign, org, "#/query/campaign_id")
                .await?;
        }
        let parsed = clearinghouse_standards::sarif::from_slice(log)
            .map_err(|e| invalid("#", e.to_string()))?;
        let findings = parsed.findings();
        let paths: Vec<String> = parsed
            .runs
            .iter()
            .enumerate()
            .flat_map(|(r, run)| {
                (0..run.results.len()).map(move |i| format!("#/runs/{r}/results/{i}"))
            })
            .collect();
        let mut report = SarifReport {
            accepted: 0,
            merged: 0,
            rejected: 0,
            results: Vec::with_capacity(findings.len()),
            replayed: false,
        };
        for (finding, path) in findings.into_iter().zip(paths) {
            let rule = finding.rule_id.clone();
            let rejected = |problem: String| SarifOutcome {
                path: path.clone(),
                rule_id: rule.clone(),
                status: "rejected".into(),
                outcome: None,
                problem: Some(problem),
            };
            let Some(cwe) = finding.cwes.first() else {
                report.rejected += 1;
                report.results.push(rejected(
                    "no CWE: the result's rule names none in its tags or properties (e.g. external/cwe/cwe-89)".into(),
                ));
                continue;
            };
            let message = finding.message.trim();
            let title = match (&finding.rule_id, message.lines().next()) {
                (Some(rule), Some(first)) => format!("{rule}: {first}"),
                (Some(rule), None) => rule.clone(),
                (None, Some(first)) => first.to_owned(),
                (None, None) => format!("{} result", finding.tool),
            };
            let request = FindingRequest {
                org: Some(org),
                title: title.chars().take(300).collect(),
                description: if message.is_empty() {
                    title.clone()
                } else {
                    message.to_owned()
                },
                product: context.product.clone(),
                versions_range: context.versions_range.clone(),
                versions: context.versions.clone(),
                cwe: cwe.clone(),
                cvss: None,
                location: Location {
                    file: finding.uri.clone(),
                    line: finding.line.and_then(|l| u32::try_from(l).ok()),
                    ..Location::default()
                },
                tool: if finding.tool.trim().is_empty() {
                    "SARIF".into()
                } else {
                    finding.tool.clone()
                },
                tool_version: None,
                campaign: context.campaign,
                known_ids: Vec::new(),
                tlp: context.tlp,
                credit_public: context.credit_public,
                attachments: Vec::new(),
                sarif_fingerprints: finding.fingerprints.clone(),
            };
            match self.submit_finding(actor, &request, None).await {
                Ok(outcome) => {
                    let status = match outcome.disposition {
                        Disposition::NewCase | Disposition::NearDuplicate => {
                            report.accepted += 1;
                            "accepted"
                        }
                        Disposition::Duplicate | Disposition::AlreadyReported => {
                            report.merged += 1;
                            "merged"
                        }
                    };
                    report.results.push(SarifOutcome {
                        path,
                        rule_id: rule,
                        status: status.into(),
                        outcome: Some(outcome),
                        problem: None,
                    });
                }
                Err(Error::Invalid { field, problem }) => {
                    report.rejected += 1;
                    report.results.push(rejected(format!("{field}: {problem}")));
                }
                Err(other) => return Err(other),
            }
        }
        let audit = AuditRecord::new(
            actor.label(),
            "finding.sarif",
            format!("org:{org}"),
            json!({"digest": digest, "results": report.results.len(), "accepted": report.accepted,
                   "merged": report.merged, "rejected": report.rejected, "product": context.product}),
        );
        let change = CaseChange {
            idempotency: match idempotency_key {
                Some(key) => Some(IdempotencyRecord {
                    org,
                    key: key.to_owned(),
                    request_digest: digest,
                    response: serde_json::to_value(&report).map_err(|e| {
                        Error::Store(clearinghouse_store::Error::Corrupt(e.to_string()))
                    })?,
                }),
                None => None,
            },
            ..CaseChange::default()
        };
        self.store.apply_case_change(&change, &[audit]).await?;
        Ok(report)
    }
}

/// Checks an attachment's name, type and size.
pub(crate) fn check_attachment(field: &str, a: &AttachmentUpload) -> Result<AttachmentUpload> {
    let filename = text(&format!("{field}/filename"), &a.filename, 255, false)?;
    if filename.contains(['/', '\\']) {
        return Err(invalid(
            format!("{field}/filename"),
            "a file name, not a path",
        ));
    }
    let media_type = text(&format!("{field}/media_type"), &a.media_type, 127, false)?;
    if !media_type.contains('/') {
        return Err(invalid(
            format!("{field}/media_type"),
            "a media type such as text/plain or application/octet-stream",
        ));
    }
    if a.content.is_empty() {
        return Err(invalid(
            format!("{field}/content_base64"),
            "the attachment is empty",
        ));
    }
    if a.content.len() > MAX_ATTACHMENT_BYTES {
        return Err(invalid(
            format!("{field}/content_base64"),
            format!(
                "{} bytes; an attachment may hold at most {MAX_ATTACHMENT_BYTES}",
                a.content.len()
            ),
        ));
    }
    Ok(AttachmentUpload {
        kind: a.kind,
        filename,
        media_type,
        content: a.content.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_are_keyed_by_parsed_parts() {
        let (a, version) = parse_product("pkg:pypi/Flask_Login@0.6.2").expect("purl");
        let (b, _) = parse_product("pkg:pypi/flask-login").expect("purl");
        assert_eq!(
            (a.ecosystem.as_str(), a.name_key.as_str()),
            ("PyPI", "flask-login")
        );
        assert_eq!((&a.ecosystem, &a.name_key), (&b.ecosystem, &b.name_key));
        assert_eq!(version.as_deref(), Some("0.6.2"));
        assert!(!a.identifier.contains('@'), "{}", a.identifier);
        let (cpe, version) =
            parse_product("cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*").expect("cpe");
        assert_eq!(
            (cpe.ecosystem.as_str(), cpe.name_key.as_str()),
            ("cpe", "apache:http_server")
        );
        assert_eq!(version.as_deref(), Some("2.4.49"));
        let (generic, _) = parse_product("pkg:generic/openssl-fork@1.0").expect("generic");
        assert!(generic.ecosystem.starts_with("purl:") || !generic.ecosystem.is_empty());
        assert!(parse_product("flask-login").is_err());
        assert!(parse_product("cpe:2.3:a:*:*:*:*:*:*:*:*:*:*").is_err());
    }

    #[test]
    fn vers_ranges_are_probed_at_their_bounds() {
        let text = "vers:pypi/>=1.0|<1.4.2";
        let spec = VersSpec::parse(text).expect("vers");
        assert_eq!(vers_probes(&spec, text), ["1.0"]);
        let text = "vers:npm/1.2.3|1.2.4";
        let spec = VersSpec::parse(text).expect("vers");
        assert_eq!(vers_probes(&spec, text), ["1.2.3", "1.2.4"]);
    }

    #[test]
    fn only_cvss_31_and_40_are_accepted_and_errors_name_the_metric() {
        assert!(parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").is_ok());
        let err = parse_cvss("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").expect_err("3.0");
        assert!(err.to_string().contains("3.1 or 4.0"), "{err}");
        let err = parse_cvss("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").expect_err("bad AV");
        assert!(err.to_string().contains("AV"), "{err}");
    }
}
