//! What a state-changing action records in the tamper-evident log.
//!
//! The log stores a digest of the payload, never the payload, so nothing secret is in it; fields
//! holding secrets or exploit material are additionally replaced by keyed digests before hashing,
//! so even a guessable secret cannot be confirmed from the log without the digest key.

use serde::Serialize;

/// One state-changing action, ready to be appended.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditRecord {
    /// `person:<id>`, `token:<id>` or `system`.
    pub actor: String,
    /// A dotted verb, e.g. `org.create`, `token.revoke`.
    pub action: String,
    /// `type:id` of the object acted on, e.g. `org:0190…`.
    pub object: String,
    /// The canonical payload, secrets already replaced by keyed digests.
    pub payload: serde_json::Value,
}

impl AuditRecord {
    /// Builds a record.
    pub fn new(actor: String, action: &str, object: String, payload: serde_json::Value) -> Self {
        Self {
            actor,
            action: action.to_owned(),
            object,
            payload,
        }
    }
}

/// The version of the leaf format below; bumped only with a new leaf shape, never silently.
pub const LEAF_FORMAT_VERSION: u64 = 1;

impl AuditRecord {
    /// SHA-256 of the canonical payload, as hex.
    pub fn payload_sha256(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(canonical_json(&self.payload)))
    }

    /// The exact bytes the Merkle leaf hashes: canonical JSON (sorted keys, no white space) of
    /// `{action, actor, index, object, payload_sha256, time, v}`. The index is inside the leaf so
    /// that an entry cannot be replayed at another position; the time is RFC 3339 UTC.
    pub fn leaf_bytes(&self, index: u64, time: jiff::Timestamp) -> Vec<u8> {
        let leaf = serde_json::json!({
            "action": self.action,
            "actor": self.actor,
            "index": index,
            "object": self.object,
            "payload_sha256": self.payload_sha256(),
            "time": time.to_string(),
            "v": LEAF_FORMAT_VERSION,
        });
        canonical_json(&leaf)
    }
}

/// The decoded content of a leaf, as auditors and the log viewer read it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, Serialize, utoipa::ToSchema)]
pub struct LeafContent {
    /// The dotted verb.
    pub action: String,
    /// Who acted.
    pub actor: String,
    /// The position in the log.
    pub index: u64,
    /// `type:id` of the object.
    pub object: String,
    /// SHA-256 of the canonical payload, hex.
    pub payload_sha256: String,
    /// RFC 3339 UTC time.
    pub time: String,
    /// Leaf format version.
    pub v: u64,
}

impl LeafContent {
    /// Decodes leaf bytes; `None` when they are not a leaf of a known format.
    pub fn decode(leaf: &[u8]) -> Option<Self> {
        serde_json::from_slice(leaf).ok()
    }
}

/// Serializes JSON canonically: object keys sorted by their UTF-8 bytes, no insignificant white
/// space, strings escaped as serde_json does. Payloads contain no floating-point numbers, so this
/// agrees with RFC 8785 on everything we hash.
pub fn canonical_json(value: &serde_json::Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut Vec<u8>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(&Value::String(key.clone()), out);
                out.push(b':');
                if let Some(v) = map.get(key) {
                    write_canonical(v, out);
                }
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => out.extend_from_slice(scalar.to_string().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_strips_space() {
        let value = serde_json::json!({"b": [1, {"z": null, "a": "x"}], "a": true});
        assert_eq!(
            canonical_json(&value),
            br#"{"a":true,"b":[1,{"a":"x","z":null}]}"#
        );
    }

    #[test]
    fn leaf_bytes_are_stable_and_decodable() {
        let record = AuditRecord::new(
            "system".into(),
            "org.create",
            "org:1".into(),
            serde_json::json!({"name": "A"}),
        );
        let time = jiff::Timestamp::from_second(1_700_000_000).expect("valid");
        let leaf = record.leaf_bytes(7, time);
        let text = String::from_utf8(leaf.clone()).expect("utf-8");
        assert!(
            text.starts_with(r#"{"action":"org.create","actor":"system","index":7,"#),
            "{text}"
        );
        let decoded = LeafContent::decode(&leaf).expect("decodes");
        assert_eq!(decoded.index, 7);
        assert_eq!(decoded.time, "2023-11-14T22:13:20Z");
        assert_eq!(decoded.payload_sha256, record.payload_sha256());
    }
}
