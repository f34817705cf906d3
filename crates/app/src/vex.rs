//! Operators' own VEX: an operator states which vulnerabilities do (or do not) affect what it runs,
//! as a CSAF VEX document or a CycloneDX VEX (standalone, or embedded in an uploaded SBOM). The
//! statements apply to that operator's matches only; a vendor's VEX, imported into the knowledge
//! base, applies to everyone.
//!
//! Statements name packages the way the package index does; a CycloneDX statement that names a
//! component by `bom-ref` of another document is resolved against the operator's current
//! inventory (the SBOM it points into). Vulnerabilities must be known to the knowledge base: an
//! operator's document never creates one. Storing or withdrawing statements marks the records of
//! their vulnerabilities for matching in the same transaction, and they are matched at once.

use std::collections::HashMap;

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::{Action, Actor, authorize};
use clearinghouse_domain::inventory::{MatchStatus, VexFormat, VexSubmission};
use clearinghouse_domain::{AssetId, OrgId, UploadId, VexSubmissionId, VulnerabilityId};
use clearinghouse_standards::knowledge::ComponentKey;
use clearinghouse_standards::vex::{self, Extracted, Statement, VexState};
use clearinghouse_standards::{csaf, cyclonedx};
use clearinghouse_store::{MatchOutcome, NewVexStatement, OperatorVex};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::App;
use crate::error::{Error, Result};

/// The most statements one document may make.
pub const MAX_STATEMENTS: usize = 100_000;

/// A part of a VEX document that was not applied, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Where in the document (JSON path).
    pub path: String,
    /// Why.
    pub reason: String,
}

/// One statement as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedStatement {
    /// The vulnerability id the document used.
    pub vulnerability: String,
    /// Lookup ecosystem (or `cpe`) and name.
    pub package: String,
    /// Which versions.
    pub range: String,
    /// Affected or not affected.
    pub status: MatchStatus,
    /// Why.
    pub justification: String,
}

/// What submitting a VEX document did.
#[derive(Clone, Debug)]
pub struct VexOutcome {
    /// The stored submission.
    pub submission: VexSubmission,
    /// The statements stored.
    pub statements: Vec<AppliedStatement>,
    /// What was not applied, and why.
    pub skipped: Vec<Skipped>,
    /// How the operator's matches changed.
    pub matching: MatchOutcome,
}

/// Statements ready to store, with what was left out.
pub(crate) struct Prepared {
    pub(crate) statements: Vec<NewVexStatement>,
    pub(crate) applied: Vec<AppliedStatement>,
    pub(crate) skipped: Vec<Skipped>,
}

/// A JSON path (`$.vulnerabilities[0].affects[1]`) as a JSON pointer fragment
/// (`#/vulnerabilities/0/affects/1`).
fn json_pointer(path: &str) -> String {
    let mut pointer = String::from("#");
    for part in path
        .trim_start_matches('$')
        .split(['.', '['])
        .filter(|p| !p.is_empty())
    {
        pointer.push('/');
        pointer.push_str(part.trim_end_matches(']'));
    }
    pointer
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Reads a VEX document: CycloneDX (a BOM with `vulnerabilities[]`) or CSAF 2.0.
pub fn parse_vex(bytes: &[u8]) -> Result<(VexFormat, Option<String>, Extracted)> {
    let invalid = |problem: String| Error::Invalid {
        field: "body".into(),
        problem,
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        invalid(format!(
            "a VEX document is CSAF or CycloneDX JSON; this is not JSON: {e}"
        ))
    })?;
    if value.get("bomFormat").is_some() {
        let bom = cyclonedx::from_value(value).map_err(|e| invalid(e.to_string()))?;
        let document_id = bom.serial_number.clone();
        return Ok((VexFormat::CycloneDx, document_id, vex::from_cyclonedx(&bom)));
    }
    if value.get("document").is_some() {
        let csaf = csaf::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
        let document_id = Some(csaf.document.tracking.id.clone()).filter(|id| !id.is_empty());
        return Ok((VexFormat::Csaf, document_id, vex::from_csaf(&csaf)));
    }
    Err(invalid(
        "neither CycloneDX (bomFormat) nor CSAF (document): a VEX document is one of them".into(),
    ))
}

impl App {
    /// Turns extracted statements into storable ones: references into other documents are
    /// resolved against the operator's current inventory, vulnerability ids against the knowledge
    /// base; what cannot be resolved is skipped with its reason.
    pub(crate) async fn prepare_vex(&self, org: OrgId, extracted: Extracted) -> Result<Prepared> {
        let mut skipped: Vec<Skipped> = extracted
            .ignored
            .into_iter()
            .map(|i| Skipped {
                path: i.path,
                reason: i.reason,
            })
            .collect();
        let mut statements: Vec<Statement> = extracted.statements;
        if !extracted.unresolved.is_empty() {
            let mut references: Vec<String> = extracted
                .unresolved
                .iter()
                .map(|u| u.reference.clone())
                .collect();
            references.sort();
            references.dedup();
            let mut keys: HashMap<String, Vec<ComponentKey>> = HashMap::new();
            for component in self.store.components_by_reference(org, &references).await? {
                let (Some(reference), false) = (component.reference, component.name_key.is_empty())
                else {
                    continue;
                };
                let key = ComponentKey {
                    ecosystem: component.ecosystem,
                    name_key: component.name_key,
                    version: component.match_version,
                };
                let found = keys.entry(reference).or_default();
                if !found.contains(&key) {
                    found.push(key);
                }
            }
            for unresolved in extracted.unresolved {
                match keys.get(&unresolved.reference) {
                    Some(keys) => statements.extend(unresolved.resolve(keys)),
                    None => skipped.push(Skipped {
                        path: format!("{}.ref", unresolved.path),
                        reason: format!(
                            "{:?} names no component of this document nor of your current inventory",
                            unresolved.reference
                        ),
                    }),
                }
            }
        }
        if statements.len() > MAX_STATEMENTS {
            return Err(Error::Invalid {
                field: "body".into(),
                problem: format!(
                    "{} statements; one document may make at most {MAX_STATEMENTS}",
                    statements.len()
                ),
            });
        }
        let mut ids: Vec<String> = statements.iter().flat_map(|s| s.ids.clone()).collect();
        ids.sort();
        ids.dedup();
        let known: HashMap<String, VulnerabilityId> = self.store.resolve_aliases(&ids).await?;
        let mut out = Vec::with_capacity(statements.len());
        let mut applied = Vec::with_capacity(statements.len());
        for statement in statements {
            let Some(vulnerability) = statement.ids.iter().find_map(|id| known.get(id)) else {
                skipped.push(Skipped {
                    path: statement.path,
                    reason: format!(
                        "{} is not in the knowledge base; a statement about it can be made once an advisory about it is imported",
                        statement.ids.join(", ")
                    ),
                });
                continue;
            };
            let status = match statement.state {
                VexState::Affected => MatchStatus::Affected,
                VexState::NotAffected => MatchStatus::NotAffected,
            };
            applied.push(AppliedStatement {
                vulnerability: statement.ids[0].clone(),
                package: format!("{}/{}", statement.ecosystem, statement.name_key),
                range: statement.range.clone(),
                status,
                justification: statement.justification.clone(),
            });
            out.push(NewVexStatement {
                vulnerability: *vulnerability,
                ecosystem: statement.ecosystem,
                name_key: statement.name_key,
                condition: statement.condition,
                range: statement.range,
                status,
                justification: statement.justification,
            });
        }
        Ok(Prepared {
            statements: out,
            applied,
            skipped,
        })
    }

    /// A submission record for statements an operator makes.
    pub(crate) fn vex_submission(
        actor: &Actor,
        org: OrgId,
        embedded_in: Option<(AssetId, UploadId)>,
        format: VexFormat,
        document_id: Option<String>,
        bytes: &[u8],
        statements: usize,
    ) -> VexSubmission {
        VexSubmission {
            id: VexSubmissionId::generate(),
            org,
            asset: embedded_in.map(|(asset, _)| asset),
            upload: embedded_in.map(|(_, upload)| upload),
            format,
            document_id,
            digest: sha256_hex(bytes),
            statements: statements as u32,
            submitted_by: actor.label(),
            created_at: clearinghouse_domain::time::now(),
            withdrawn_at: None,
        }
    }

    /// Stores an operator's VEX document and re-marks its matches at once. A document that makes
    /// no statement this clearinghouse can apply is refused, with the reasons, and changes nothing.
    pub async fn submit_vex(&self, actor: &Actor, org: OrgId, bytes: &[u8]) -> Result<VexOutcome> {
        let organization = self.org(actor, org).await?;
        authorize(actor, &Action::InventoryWrite(org))?;
        let (format, document_id, extracted) = parse_vex(bytes)?;
        let prepared = self.prepare_vex(org, extracted).await?;
        if prepared.statements.is_empty() {
            let first = prepared.skipped.first().map_or_else(
                || "the document says nothing about any vulnerability".to_owned(),
                |s| format!("{}: {}", s.path, s.reason),
            );
            return Err(Error::Invalid {
                field: prepared
                    .skipped
                    .first()
                    .map_or_else(|| "body".to_owned(), |s| json_pointer(&s.path)),
                problem: format!(
                    "no statement could be applied ({} skipped); first: {first}",
                    prepared.skipped.len()
                ),
            });
        }
        let submission = Self::vex_submission(
            actor,
            org,
            None,
            format,
            document_id.clone(),
            bytes,
            prepared.statements.len(),
        );
        let statement_by = format!(
            "{} (own VEX{})",
            organization.name,
            document_id.map_or_else(String::new, |id| format!(" {id}"))
        );
        let audit = AuditRecord::new(
            actor.label(),
            "vex.submit",
            format!("vex:{}", submission.id),
            json!({"org": org, "format": format, "digest": submission.digest,
                   "statements": prepared.statements.len(), "skipped": prepared.skipped.len()}),
        );
        self.store
            .create_vex_submission(
                &OperatorVex {
                    submission: &submission,
                    statements: &prepared.statements,
                    document: bytes,
                    statement_by: &statement_by,
                },
                &audit,
            )
            .await?;
        let matching = self.match_pending_advisories().await?;
        Ok(VexOutcome {
            submission,
            statements: prepared.applied,
            skipped: prepared.skipped,
            matching,
        })
    }

    /// An operator's VEX submissions, newest first (embedded ones included).
    pub async fn vex_submissions(&self, actor: &Actor, org: OrgId) -> Result<Vec<VexSubmission>> {
        self.org(actor, org).await?;
        authorize(actor, &Action::InventoryRead { org, shared: false })?;
        Ok(self.store.vex_submissions(org).await?)
    }

    /// Withdraws an operator's VEX submission: its statements stop applying and the matches they
    /// marked are re-marked at once.
    pub async fn withdraw_vex(
        &self,
        actor: &Actor,
        org: OrgId,
        id: VexSubmissionId,
    ) -> Result<MatchOutcome> {
        self.org(actor, org).await?;
        authorize(actor, &Action::InventoryRead { org, shared: false })?;
        let submission = self
            .store
            .vex_submission(id)
            .await?
            .filter(|s| s.org == org)
            .ok_or_else(|| Error::NotFound(format!("VEX submission {id}")))?;
        authorize(actor, &Action::InventoryWrite(org))?;
        if submission.withdrawn_at.is_some() {
            return Err(Error::Conflict(format!(
                "a withdrawal of VEX submission {id}"
            )));
        }
        let audit = AuditRecord::new(
            actor.label(),
            "vex.withdraw",
            format!("vex:{id}"),
            json!({"org": org}),
        );
        let now = clearinghouse_domain::time::now();
        if self
            .store
            .withdraw_vex_submission(id, now, &audit)
            .await?
            .is_none()
        {
            return Err(Error::Conflict(format!(
                "a withdrawal of VEX submission {id}"
            )));
        }
        self.match_pending_advisories().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_that_are_neither_format_are_refused_with_the_reason() {
        let err = parse_vex(b"{\"hello\": 1}").unwrap_err();
        assert!(err.to_string().contains("neither CycloneDX"), "{err}");
        let err = parse_vex(b"not json").unwrap_err();
        assert!(err.to_string().contains("not JSON"), "{err}");
        let (format, id, extracted) = parse_vex(
            br#"{"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:1",
                 "vulnerabilities":[{"id":"CVE-2024-1","analysis":{"state":"not_affected","justification":"code_not_present"},
                                     "affects":[{"ref":"pkg:pypi/django@4.2.1"}]}]}"#,
        )
        .unwrap();
        assert_eq!(format, VexFormat::CycloneDx);
        assert_eq!(id.as_deref(), Some("urn:uuid:1"));
        assert_eq!(extracted.statements.len(), 1);
        assert_eq!(extracted.statements[0].name_key, "django");
        assert_eq!(
            json_pointer("$.vulnerabilities[0].affects[12].ref"),
            "#/vulnerabilities/0/affects/12/ref"
        );
    }
}
