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

    fn hex(hash: &Hash) -> String {
        hash.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            hex(&empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn leaf_hash_of_empty_leaf_matches_rfc6962_vector() {
        // certificate-transparency merkle_tree tests: the hash of the empty leaf.
        assert_eq!(
            hex(&leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
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
