//! CVE JSON 5 records (the CVE Program's record format, as in CISA's vulnrichment repository).
//!
//! Read leniently: only the parts the clearinghouse uses are typed (metadata, the CNA and ADP
//! containers' affected products, metrics, problem types and descriptions); helpers pull out the
//! CISA-ADP enrichment (SSVC decision points, KEV marker, CVSS vectors, CWE ids).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::schema::{self, DocumentError};

/// One CVE record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// `CVE_RECORD`.
    #[serde(default)]
    pub data_type: String,
    /// `5.0`, `5.1`, …
    #[serde(default)]
    pub data_version: String,
    /// Id, state, dates.
    pub cve_metadata: Metadata,
    /// CNA and ADP containers.
    #[serde(default)]
    pub containers: Containers,
}

/// `cveMetadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// `CVE-YYYY-N`.
    pub cve_id: String,
    /// `PUBLISHED` or `REJECTED`.
    #[serde(default)]
    pub state: String,
    /// Assigning CNA.
    #[serde(default)]
    pub assigner_short_name: Option<String>,
    /// Publication time.
    #[serde(default)]
    pub date_published: Option<String>,
    /// Last update.
    #[serde(default)]
    pub date_updated: Option<String>,
}

/// `containers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Containers {
    /// The CNA's container.
    #[serde(default)]
    pub cna: Container,
    /// Authorized data publishers' containers (CISA-ADP, CVE Program).
    #[serde(default)]
    pub adp: Vec<Container>,
}

/// A CNA or ADP container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Title (ADP containers name themselves here).
    #[serde(default)]
    pub title: Option<String>,
    /// Who wrote it.
    #[serde(default)]
    pub provider_metadata: Option<Value>,
    /// Affected products.
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// Descriptions.
    #[serde(default)]
    pub descriptions: Vec<Description>,
    /// Metrics (CVSS of several versions, `other` for SSVC and KEV).
    #[serde(default)]
    pub metrics: Vec<Value>,
    /// Problem types (CWE).
    #[serde(default)]
    pub problem_types: Vec<Value>,
    /// References, kept raw.
    #[serde(default)]
    pub references: Vec<Value>,
}

/// `affected[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Affected {
    /// Vendor.
    #[serde(default)]
    pub vendor: Option<String>,
    /// Product.
    #[serde(default)]
    pub product: Option<String>,
    /// Package name (with `collectionURL`).
    #[serde(default)]
    pub package_name: Option<String>,
    /// Package collection, e.g. `https://pypi.org`.
    #[serde(default, rename = "collectionURL")]
    pub collection_url: Option<String>,
    /// CPEs.
    #[serde(default)]
    pub cpes: Vec<String>,
    /// Status for versions not listed.
    #[serde(default)]
    pub default_status: Option<String>,
    /// Versions and ranges.
    #[serde(default)]
    pub versions: Vec<Version>,
}

/// `affected[].versions[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    /// Version (or range start).
    #[serde(default)]
    pub version: String,
    /// `affected`, `unaffected`, `unknown`.
    #[serde(default)]
    pub status: String,
    /// Version scheme (`semver`, `custom`, …).
    #[serde(default)]
    pub version_type: Option<String>,
    /// Exclusive range end.
    #[serde(default)]
    pub less_than: Option<String>,
    /// Inclusive range end.
    #[serde(default)]
    pub less_than_or_equal: Option<String>,
}

/// `descriptions[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Description {
    /// Language.
    #[serde(default)]
    pub lang: String,
    /// Text.
    #[serde(default)]
    pub value: String,
}

impl Record {
    /// All containers, CNA first.
    pub fn containers(&self) -> impl Iterator<Item = &Container> {
        std::iter::once(&self.containers.cna).chain(&self.containers.adp)
    }

    /// `other` metrics of a type (`ssvc`, `kev`), from every container.
    pub fn other_metrics<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.containers()
            .flat_map(|c| &c.metrics)
            .filter_map(move |metric| {
                let other = metric.get("other")?;
                (other.get("type")?.as_str()? == kind)
                    .then(|| other.get("content"))
                    .flatten()
            })
    }

    /// SSVC decision points as (name, value) pairs, e.g. `("Exploitation", "active")`.
    pub fn ssvc_options(&self) -> Vec<(String, String)> {
        self.other_metrics("ssvc")
            .filter_map(|content| content.get("options")?.as_array())
            .flatten()
            .filter_map(Value::as_object)
            .flat_map(|option| {
                option
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
            })
            .collect()
    }

    /// Whether some container marks the CVE as in CISA's KEV catalog.
    pub fn in_kev(&self) -> bool {
        self.other_metrics("kev").next().is_some()
    }

    /// CVSS vector strings of every version, from every container.
    pub fn cvss_vectors(&self) -> Vec<String> {
        self.containers()
            .flat_map(|c| &c.metrics)
            .filter_map(Value::as_object)
            .flat_map(|metric| metric.iter().filter(|(key, _)| key.starts_with("cvssV")))
            .filter_map(|(_, body)| Some(body.get("vectorString")?.as_str()?.to_owned()))
            .collect()
    }

    /// CWE ids from every container's problem types, deduplicated in order.
    pub fn cwe_ids(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let found = self
            .containers()
            .flat_map(|c| &c.problem_types)
            .filter_map(|problem| problem.get("descriptions")?.as_array())
            .flatten()
            .filter_map(|description| description.get("cweId")?.as_str());
        for id in found {
            if !out.iter().any(|known| known == id) {
                out.push(id.to_owned());
            }
        }
        out
    }
}

/// Reads a CVE JSON 5 record.
pub fn from_slice(bytes: &[u8]) -> Result<Record, DocumentError> {
    schema::decode_json_slice("CVE JSON 5", bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulls_out_adp_enrichment() {
        let record = from_slice(include_bytes!("../tests/fixtures/cve5-sample.json")).unwrap();
        assert_eq!(record.cve_metadata.cve_id, "CVE-2024-24919");
        assert!(record.in_kev());
        assert_eq!(
            record.ssvc_options(),
            [
                ("Exploitation".into(), "active".into()),
                ("Automatable".into(), "yes".into()),
                ("Technical Impact".into(), "partial".into())
            ]
        );
        assert_eq!(
            record.cvss_vectors(),
            ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"]
        );
        assert_eq!(record.cwe_ids(), ["CWE-200"]);
        assert_eq!(record.containers.adp[0].affected[0].cpes.len(), 1);
    }
}
