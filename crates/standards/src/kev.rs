//! CISA's Known Exploited Vulnerabilities catalog (JSON feed).
//!
//! Only membership and the dates matter for prioritization; every field is read leniently (an
//! entry missing a field still counts), and `cwes`, added to the feed in 2024, is optional.

use serde::{Deserialize, Serialize};

use crate::schema::{self, DocumentError};

/// The whole catalog.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Version, e.g. `2025.08.25`.
    #[serde(default)]
    pub catalog_version: String,
    /// Release time.
    #[serde(default)]
    pub date_released: String,
    /// Entry count as stated by CISA.
    #[serde(default)]
    pub count: usize,
    /// Entries.
    #[serde(default)]
    pub vulnerabilities: Vec<Entry>,
}

/// One known exploited vulnerability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// CVE id.
    #[serde(rename = "cveID")]
    pub cve_id: String,
    /// Vendor.
    #[serde(default)]
    pub vendor_project: String,
    /// Product.
    #[serde(default)]
    pub product: String,
    /// Name.
    #[serde(default)]
    pub vulnerability_name: String,
    /// Date added (YYYY-MM-DD).
    #[serde(default)]
    pub date_added: String,
    /// Description.
    #[serde(default)]
    pub short_description: String,
    /// What agencies must do.
    #[serde(default)]
    pub required_action: String,
    /// Deadline for federal agencies (YYYY-MM-DD).
    #[serde(default)]
    pub due_date: String,
    /// `Known` or `Unknown`.
    #[serde(default)]
    pub known_ransomware_campaign_use: String,
    /// Notes and links.
    #[serde(default)]
    pub notes: String,
    /// CWE ids.
    #[serde(default)]
    pub cwes: Vec<String>,
}

impl Entry {
    /// Whether CISA knows of ransomware campaigns using it.
    pub fn used_by_ransomware(&self) -> bool {
        self.known_ransomware_campaign_use
            .eq_ignore_ascii_case("known")
    }
}

impl Catalog {
    /// The entry for a CVE id, if listed (ids compare case-insensitively).
    pub fn get(&self, cve: &str) -> Option<&Entry> {
        self.vulnerabilities
            .iter()
            .find(|entry| entry.cve_id.eq_ignore_ascii_case(cve))
    }
}

/// Reads the catalog JSON.
pub fn from_slice(bytes: &[u8]) -> Result<Catalog, DocumentError> {
    schema::decode_json_slice("KEV", bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries() {
        let catalog = from_slice(br#"{"title":"t","catalogVersion":"2025.08.25","count":1,"vulnerabilities":[{"cveID":"CVE-2025-48384","vendorProject":"Git","product":"Git","dateAdded":"2025-08-25","dueDate":"2025-09-15","knownRansomwareCampaignUse":"Known","cwes":["CWE-59"]}]}"#).unwrap();
        let entry = catalog.get("cve-2025-48384").unwrap();
        assert!(entry.used_by_ransomware());
        assert_eq!(entry.cwes, ["CWE-59"]);
        assert!(catalog.get("CVE-1999-0001").is_none());
    }

    #[test]
    fn missing_cve_id_names_path() {
        let err =
            from_slice(br#"{"vulnerabilities":[{"cveID":"CVE-1"},{"product":"x"}]}"#).unwrap_err();
        assert_eq!(err.path(), "$.vulnerabilities[1]");
    }
}
