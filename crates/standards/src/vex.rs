//! VEX statements: what a CSAF VEX document or a CycloneDX VEX (standalone, or embedded in an SBOM)
//! says about whether a vulnerability affects which versions of which package.
//!
//! A statement names its package the way the knowledge base looks packages up (ecosystem key and
//! normalized name, or CPE `vendor:product`, see [`crate::knowledge::component_keys`]) and its
//! versions as a [`Condition`], so a store can keep it and apply it to inventory components later.
//!
//! CSAF statements come from [`crate::knowledge::from_csaf`]: `known_affected` is affected,
//! `known_not_affected` and `fixed` are not affected. CycloneDX maps `analysis.state` as the
//! CycloneDX VEX guide does: `not_affected`, `false_positive`, `resolved` and
//! `resolved_with_pedigree` say not affected; `exploitable` says affected; `in_triage` says
//! nothing yet. A version's own `status` (`affected`, `unaffected`, `unknown`) overrides the state.
//!
//! CycloneDX names a product by reference (`affects[].ref`): a `bom-ref` of the same document, or
//! a BOM-Link (`urn:cdx:serial/version#bom-ref`) into another one. References resolved inside the
//! document (or whose `bom-ref` is itself a package URL, a common convention) become statements;
//! the others are returned as [`Unresolved`], for a caller that holds the referenced BOM (an
//! operator's uploaded inventory) to resolve with [`Unresolved::resolve`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::cyclonedx::{self, Bom};
use crate::knowledge::{self, ComponentKey, Condition, normalized_ids};
use crate::sbom::Component;

/// What a statement says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexState {
    /// The vulnerability affects these versions.
    Affected,
    /// It does not (with a justification).
    NotAffected,
}

impl VexState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            VexState::Affected => "affected",
            VexState::NotAffected => "not_affected",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "affected" => Some(VexState::Affected),
            "not_affected" => Some(VexState::NotAffected),
            _ => None,
        }
    }
}

/// One statement about one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// The vulnerability's ids, normalized, preferred first.
    pub ids: Vec<String>,
    /// Affected or not.
    pub state: VexState,
    /// Lookup ecosystem (OSV ecosystem key or `cpe`).
    pub ecosystem: String,
    /// Normalized name or `vendor:product`.
    pub name_key: String,
    /// Which versions.
    pub condition: Condition,
    /// The versions as people read them.
    pub range: String,
    /// Why: the VEX justification (`code_not_reachable`, `vulnerable_code_not_present`, `fixed`,
    /// …) for not affected, the state (`exploitable`, `known_affected`) for affected.
    pub justification: String,
    /// Where in the document the statement is (JSON path).
    pub path: String,
}

/// A CycloneDX statement whose product is a reference the document itself does not resolve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unresolved {
    /// Where it is (`$.vulnerabilities[0].affects[1]`).
    pub path: String,
    /// The `bom-ref` it names (the fragment of a BOM-Link).
    pub reference: String,
    /// The vulnerability's ids.
    pub ids: Vec<String>,
    /// What it says per version: state, condition (`None`: the referenced component's own
    /// version), the range text and the justification.
    claims: Vec<Claim>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Claim {
    state: VexState,
    condition: Option<(Condition, String)>,
    justification: String,
}

/// A part of a document that says nothing this system can use, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ignored {
    /// Where.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// Everything a VEX document says.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extracted {
    /// Statements about packages.
    pub statements: Vec<Statement>,
    /// Statements whose product must be resolved by the caller.
    pub unresolved: Vec<Unresolved>,
    /// Entries that say nothing usable (in triage, no id, unknown status, malformed).
    pub ignored: Vec<Ignored>,
}

impl Unresolved {
    /// The statements this makes about a component, given the keys it is looked up under (see
    /// [`knowledge::component_keys`]).
    pub fn resolve(&self, keys: &[ComponentKey]) -> Vec<Statement> {
        let mut out = Vec::new();
        for key in keys {
            for claim in &self.claims {
                out.push(statement_for(&self.ids, key, claim, &self.path));
            }
        }
        out
    }
}

fn statement_for(ids: &[String], key: &ComponentKey, claim: &Claim, path: &str) -> Statement {
    let (condition, range) = match &claim.condition {
        Some((condition, range)) => (condition.clone(), range.clone()),
        None => match &key.version {
            Some(version) => (
                Condition::Exact {
                    version: Some(version.clone()),
                },
                format!("={version}"),
            ),
            None => (Condition::Exact { version: None }, "any version".to_owned()),
        },
    };
    Statement {
        ids: ids.to_vec(),
        state: claim.state,
        ecosystem: key.ecosystem.clone(),
        name_key: key.name_key.clone(),
        condition,
        range,
        justification: claim.justification.clone(),
        path: path.to_owned(),
    }
}

/// The statements of a CSAF document (its product status lists).
pub fn from_csaf(csaf: &crate::csaf::Csaf) -> Extracted {
    let record = knowledge::from_csaf(csaf);
    let mut out = Extracted::default();
    for (index, part) in record.vulnerabilities.iter().enumerate() {
        let path = format!("$.vulnerabilities[{index}]");
        for package in &part.packages {
            out.statements.push(Statement {
                ids: part.ids.clone(),
                state: VexState::Affected,
                ecosystem: package.ecosystem.clone(),
                name_key: package.name_key.clone(),
                condition: package.condition.clone(),
                range: package.range.clone(),
                justification: "known_affected".to_owned(),
                path: path.clone(),
            });
        }
        for statement in &part.not_affected {
            out.statements.push(Statement {
                ids: part.ids.clone(),
                state: VexState::NotAffected,
                ecosystem: statement.ecosystem.clone(),
                name_key: statement.name_key.clone(),
                condition: statement.condition.clone(),
                range: describe(&statement.condition),
                justification: statement.justification.clone(),
                path: path.clone(),
            });
        }
    }
    for (index, vulnerability) in csaf.vulnerabilities.iter().enumerate() {
        if vulnerability.all_ids().next().is_none() {
            out.ignored.push(Ignored {
                path: format!("$.vulnerabilities[{index}]"),
                reason: "the vulnerability has neither a cve nor ids".into(),
            });
        }
    }
    out
}

/// A condition for people.
pub fn describe(condition: &Condition) -> String {
    match condition {
        Condition::Osv { ranges, versions } => ranges
            .iter()
            .map(|range| crate::matching::describe_osv_range(range, versions))
            .collect::<Vec<_>>()
            .join("; "),
        Condition::Vers { spec } => spec.clone(),
        Condition::Exact {
            version: Some(version),
        } => format!("={version}"),
        Condition::Exact { version: None } | Condition::CpeStream { version: None } => {
            "any version".to_owned()
        }
        Condition::CpeStream {
            version: Some(stream),
        } => format!("{stream}.*"),
    }
}

/// What a CycloneDX `analysis.state` says when no version status overrides it.
fn state_of(analysis: Option<&cyclonedx::Analysis>) -> Option<(VexState, String)> {
    let analysis = analysis?;
    let state = analysis.state.as_deref()?;
    match state {
        "exploitable" => Some((VexState::Affected, state.to_owned())),
        "not_affected" => Some((
            VexState::NotAffected,
            analysis
                .justification
                .clone()
                .filter(|j| !j.trim().is_empty())
                .unwrap_or_else(|| state.to_owned()),
        )),
        "false_positive" | "resolved" | "resolved_with_pedigree" => {
            Some((VexState::NotAffected, state.to_owned()))
        }
        _ => None,
    }
}

/// The statements of a CycloneDX BOM's `vulnerabilities[]`.
pub fn from_cyclonedx(bom: &Bom) -> Extracted {
    let components: Vec<Component> = bom.to_sbom().components;
    let by_ref: HashMap<&str, &Component> = components
        .iter()
        .map(|c| (c.reference.as_str(), c))
        .collect();
    let mut out = Extracted::default();
    for (index, entry) in bom.vulnerability_entries().into_iter().enumerate() {
        let path = format!("$.vulnerabilities[{index}]");
        let vulnerability = match entry {
            Ok(vulnerability) => vulnerability,
            Err(err) => {
                let path = match &err {
                    crate::schema::DocumentError::Shape { path, .. } => path.clone(),
                    _ => path,
                };
                out.ignored.push(Ignored {
                    path,
                    reason: err.to_string(),
                });
                continue;
            }
        };
        let ids = normalized_ids(
            std::iter::once(vulnerability.id.as_str())
                .chain(vulnerability.references.iter().map(|r| r.id.as_str())),
        );
        if ids.is_empty() {
            out.ignored.push(Ignored {
                path: format!("{path}.id"),
                reason: "a VEX statement needs the vulnerability's id".into(),
            });
            continue;
        }
        let default_state = state_of(vulnerability.analysis.as_ref());
        for (affect_index, affect) in vulnerability.affects.iter().enumerate() {
            let affect_path = format!("{path}.affects[{affect_index}]");
            let mut claims = Vec::new();
            if affect.versions.is_empty() {
                match &default_state {
                    Some((state, why)) => claims.push(Claim {
                        state: *state,
                        condition: None,
                        justification: why.clone(),
                    }),
                    None => out.ignored.push(Ignored {
                        path: format!("{path}.analysis.state"),
                        reason: format!(
                            "state {:?} says neither affected nor not affected",
                            vulnerability
                                .analysis
                                .as_ref()
                                .and_then(|a| a.state.clone())
                                .unwrap_or_default()
                        ),
                    }),
                }
            }
            for (version_index, version) in affect.versions.iter().enumerate() {
                let version_path = format!("{affect_path}.versions[{version_index}]");
                let state = match version.status.as_deref() {
                    Some("affected") => Some((VexState::Affected, "affected".to_owned())),
                    Some("unaffected") => Some((
                        VexState::NotAffected,
                        default_state
                            .as_ref()
                            .filter(|(s, _)| *s == VexState::NotAffected)
                            .map_or_else(|| "unaffected".to_owned(), |(_, why)| why.clone()),
                    )),
                    Some(_) => None,
                    None => default_state.clone(),
                };
                let Some((state, justification)) = state else {
                    out.ignored.push(Ignored {
                        path: format!("{version_path}.status"),
                        reason: "the status says neither affected nor unaffected".into(),
                    });
                    continue;
                };
                let condition = match (&version.version, &version.range) {
                    (Some(exact), _) => (
                        Condition::Exact {
                            version: Some(exact.clone()),
                        },
                        format!("={exact}"),
                    ),
                    (None, Some(range)) if range.starts_with("vers:") => (
                        Condition::Vers {
                            spec: range.clone(),
                        },
                        range.clone(),
                    ),
                    _ => {
                        out.ignored.push(Ignored {
                            path: version_path,
                            reason: "a version entry needs a version or a vers: range".into(),
                        });
                        continue;
                    }
                };
                claims.push(Claim {
                    state,
                    condition: Some(condition),
                    justification,
                });
            }
            if claims.is_empty() {
                continue;
            }
            let reference = affect
                .reference
                .rsplit_once('#')
                .filter(|_| affect.reference.starts_with("urn:cdx:"))
                .map_or(affect.reference.as_str(), |(_, fragment)| fragment);
            let component = by_ref.get(reference).map(|c| (*c).clone()).or_else(|| {
                // A bom-ref that is itself a package URL names its package.
                reference.starts_with("pkg:").then(|| Component {
                    reference: reference.to_owned(),
                    purl: Some(reference.to_owned()),
                    ..Component::default()
                })
            });
            let unresolved = Unresolved {
                path: affect_path.clone(),
                reference: reference.to_owned(),
                ids: ids.clone(),
                claims,
            };
            match component.map(|c| knowledge::component_keys(&c)) {
                Some(keys) if !keys.is_empty() => {
                    out.statements.extend(unresolved.resolve(&keys));
                }
                Some(_) => out.ignored.push(Ignored {
                    path: affect_path,
                    reason: format!(
                        "component {reference:?} has neither a package URL nor a CPE to look it up by"
                    ),
                }),
                None => out.unresolved.push(unresolved),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bom(json: &str) -> Bom {
        crate::cyclonedx::from_slice(json.as_bytes()).unwrap()
    }

    #[test]
    fn cyclonedx_states_and_version_statuses_map_to_statements() {
        let bom = bom(r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
          "components":[{"type":"library","bom-ref":"jd","name":"jackson-databind","version":"2.10.0",
                         "purl":"pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0"}],
          "vulnerabilities":[
            {"id":"CVE-2020-25649","references":[{"id":"GHSA-288c-cq4h-88gq"}],
             "analysis":{"state":"not_affected","justification":"code_not_reachable"},"affects":[{"ref":"jd"}]},
            {"id":"CVE-2021-0001","analysis":{"state":"exploitable"},
             "affects":[{"ref":"jd","versions":[{"range":"vers:maven/>=2.0|<2.11","status":"affected"},
                                               {"version":"2.11.1","status":"unaffected"},
                                               {"version":"9","status":"unknown"}]}]},
            {"id":"CVE-2021-0002","analysis":{"state":"in_triage"},"affects":[{"ref":"jd"}]},
            {"id":"CVE-2021-0003","analysis":{"state":"resolved"},"affects":[{"ref":"urn:cdx:abc/1#other"}]},
            {"id":"CVE-2021-0004","analysis":{"state":"false_positive"},
             "affects":[{"ref":"urn:cdx:abc/1#pkg:npm/lodash@4.17.20"}]},
            {"id":"","affects":[{"ref":"jd"}]},
            {"id":"CVE-2021-0005","cwes":"not a list"}
          ]}"#);
        let found = from_cyclonedx(&bom);
        let summary: Vec<_> = found
            .statements
            .iter()
            .map(|s| {
                (
                    s.ids[0].as_str(),
                    s.state,
                    s.name_key.as_str(),
                    s.range.as_str(),
                    s.justification.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "CVE-2020-25649",
                    VexState::NotAffected,
                    "com.fasterxml.jackson.core:jackson-databind",
                    "=2.10.0",
                    "code_not_reachable"
                ),
                (
                    "CVE-2021-0001",
                    VexState::Affected,
                    "com.fasterxml.jackson.core:jackson-databind",
                    "vers:maven/>=2.0|<2.11",
                    "affected"
                ),
                (
                    "CVE-2021-0001",
                    VexState::NotAffected,
                    "com.fasterxml.jackson.core:jackson-databind",
                    "=2.11.1",
                    "unaffected"
                ),
                (
                    "CVE-2021-0004",
                    VexState::NotAffected,
                    "lodash",
                    "=4.17.20",
                    "false_positive"
                ),
            ]
        );
        assert_eq!(found.statements[0].ids[1], "GHSA-288c-cq4h-88gq");
        assert_eq!(found.statements[0].path, "$.vulnerabilities[0].affects[0]");
        // The BOM-Link into another document waits for the caller.
        assert_eq!(found.unresolved.len(), 1);
        assert_eq!(found.unresolved[0].reference, "other");
        let keys = knowledge::component_keys(&Component {
            purl: Some("pkg:pypi/django@3.2".into()),
            ..Component::default()
        });
        let resolved = found.unresolved[0].resolve(&keys);
        assert_eq!(resolved.len(), 1);
        assert_eq!(
            (
                resolved[0].state,
                resolved[0].name_key.as_str(),
                resolved[0].range.as_str()
            ),
            (VexState::NotAffected, "django", "=3.2")
        );
        let ignored: Vec<&str> = found.ignored.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            ignored,
            [
                "$.vulnerabilities[1].affects[0].versions[2].status",
                "$.vulnerabilities[2].analysis.state",
                "$.vulnerabilities[5].id",
                "$.vulnerabilities[6].cwes"
            ]
        );
    }

    #[test]
    fn stream_conditions_cover_their_minor_versions_only() {
        let stream = Condition::CpeStream {
            version: Some("2".into()),
        }
        .compile(&crate::version::Ecosystem::Generic);
        for (version, covered) in [
            ("2", true),
            ("2.13", true),
            ("2.13.8", true),
            ("20", false),
            ("3.2", false),
            ("", false),
        ] {
            assert_eq!(stream.affects(None, version), covered, "{version}");
        }
        assert_eq!(
            describe(&Condition::CpeStream { version: None }),
            "any version"
        );
    }
}
