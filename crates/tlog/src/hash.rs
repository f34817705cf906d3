//! RFC 6962 / RFC 9162 hashing: domain-separated SHA-256 for leaves and interior nodes.
//!
//! The 0x00 / 0x01 prefixes stop a leaf from being passed off as an interior node (second-preimage attack).

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, an interior node hash or a tree head.
pub type Hash = [u8; 32];

/// The hash of a log entry: `SHA-256(0x00 || leaf)`.
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(leaf);
    hasher.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The tree head of a log with no entries: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest(b"").into()
}

/// Why a textual hash could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashParseError {
    /// Not 64 hex digits.
    #[error("hash {0:?} is not 64 hex digits")]
    Hex(String),
    /// Not 32 bytes of canonical standard base64.
    #[error("hash {0:?} is not 32 bytes of standard base64")]
    Base64(String),
}

/// Lower-case hex, as APIs and reports show hashes.
pub fn hash_to_hex(hash: &Hash) -> String {
    hash.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Parse 64 hex digits (either case).
pub fn hash_from_hex(text: &str) -> Result<Hash, HashParseError> {
    let error = || HashParseError::Hex(text.to_owned());
    if text.len() != 64 || !text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(error());
    }
    let mut hash = [0u8; 32];
    for (position, byte) in hash.iter_mut().enumerate() {
        *byte =
            u8::from_str_radix(&text[2 * position..2 * position + 2], 16).map_err(|_| error())?;
    }
    Ok(hash)
}

/// Standard base64, as checkpoints (and Go's tlog APIs) show hashes.
pub fn hash_to_base64(hash: &Hash) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(hash)
}

/// Parse canonical standard base64 of 32 bytes.
pub fn hash_from_base64(text: &str) -> Result<Hash, HashParseError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()
        .and_then(|bytes| Hash::try_from(bytes).ok())
        .filter(|hash| hash_to_base64(hash) == text)
        .ok_or_else(|| HashParseError::Base64(text.to_owned()))
}

/// SHA-256 of arbitrary bytes, used for signed-note key ids.
pub(crate) fn sha256(parts: &[&[u8]]) -> Hash {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            hash_to_hex(&empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn leaf_hash_of_empty_leaf_matches_rfc6962_vector() {
        // certificate-transparency merkle_tree tests: the hash of the empty leaf.
        assert_eq!(
            hash_to_hex(&leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn hashes_round_trip_through_hex_and_base64() {
        let hash = leaf_hash(b"hello world");
        assert_eq!(hash_from_hex(&hash_to_hex(&hash)), Ok(hash));
        assert_eq!(hash_from_hex(&hash_to_hex(&hash).to_uppercase()), Ok(hash));
        // golang.org/x/mod/sumdb/tlog note_test.go: RecordHash("hello world") in base64.
        assert_eq!(
            hash_to_base64(&hash),
            "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0="
        );
        assert_eq!(
            hash_from_base64("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0="),
            Ok(hash)
        );
        for bad in ["", "zz", &"0".repeat(63), &format!("+{}", "0".repeat(63))] {
            assert_eq!(hash_from_hex(bad), Err(HashParseError::Hex(bad.to_owned())));
        }
        for bad in ["", "AAAA", "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb1="] {
            assert_eq!(
                hash_from_base64(bad),
                Err(HashParseError::Base64(bad.to_owned()))
            );
        }
    }

    #[test]
    fn node_hash_is_domain_separated_from_leaf_hash() {
        let left = leaf_hash(b"a");
        let right = leaf_hash(b"b");
        let mut concatenated = Vec::new();
        concatenated.extend_from_slice(&left);
        concatenated.extend_from_slice(&right);
        assert_ne!(node_hash(&left, &right), leaf_hash(&concatenated));
        assert_eq!(node_hash(&left, &right), sha256(&[&[0x01], &left, &right]));
    }
}
