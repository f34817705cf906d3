//! Checking a document against the hash file its publisher put beside it (CSAF 2.0, section
//! 7.1.18: `<document>.sha512` or `.sha256`, in `sha512sum` output format).

use sha2::{Digest, Sha256, Sha512};

/// A hash algorithm a CSAF publisher may use for its hash files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256, file extension `.sha256`.
    Sha256,
    /// SHA-512, file extension `.sha512` (the one CSAF providers publish in practice).
    Sha512,
}

impl HashAlgorithm {
    /// The lowercase name, which is also the hash file's extension without the dot.
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    /// The hash file's suffix, to append to a document's name.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => ".sha256",
            HashAlgorithm::Sha512 => ".sha512",
        }
    }

    /// The algorithm a hash file's name announces (`a.json.sha512`), if one we know.
    pub(crate) fn from_file_name(name: &str) -> Option<HashAlgorithm> {
        let extension = name.rsplit_once('.')?.1;
        [HashAlgorithm::Sha512, HashAlgorithm::Sha256]
            .into_iter()
            .find(|algorithm| algorithm.as_str().eq_ignore_ascii_case(extension))
    }

    /// Hex digits in a digest.
    fn hex_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 64,
            HashAlgorithm::Sha512 => 128,
        }
    }

    /// The digest of `bytes` in lowercase hex.
    fn hex_digest(self, bytes: &[u8]) -> String {
        match self {
            HashAlgorithm::Sha256 => hex::encode(Sha256::digest(bytes)),
            HashAlgorithm::Sha512 => hex::encode(Sha512::digest(bytes)),
        }
    }
}

impl std::fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Checks `document` against a hash file's contents: a hex digest, optionally followed by
/// whitespace and a file name. The algorithm is the one the file's name announced or, when it
/// announced none, the one the digest's length implies. The error is the rejection reason.
pub(crate) fn verify(
    announced: Option<HashAlgorithm>,
    hash_file: &[u8],
    document: &[u8],
) -> Result<HashAlgorithm, String> {
    let text = String::from_utf8_lossy(hash_file);
    let published = text.split_whitespace().next().unwrap_or("");
    let algorithm = announced
        .or_else(|| {
            [HashAlgorithm::Sha512, HashAlgorithm::Sha256]
                .into_iter()
                .find(|algorithm| algorithm.hex_len() == published.len())
        })
        .ok_or_else(|| {
            format!("hash file does not hold a SHA-256 or SHA-512 digest: {published:?}")
        })?;
    if published.len() != algorithm.hex_len()
        || !published.bytes().all(|byte| byte.is_ascii_hexdigit())
    {
        return Err(format!(
            "hash file does not hold a {algorithm} digest: {published:?}"
        ));
    }
    let computed = algorithm.hex_digest(document);
    if computed.eq_ignore_ascii_case(published) {
        Ok(algorithm)
    } else {
        Err(format!(
            "{algorithm} mismatch: published {published}, computed {computed}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const ABC_SHA512: &str = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                              2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    #[test]
    fn sha512sum_output_verifies() {
        let file = format!("{ABC_SHA512}  abc.json\n");
        assert_eq!(
            verify(Some(HashAlgorithm::Sha512), file.as_bytes(), b"abc"),
            Ok(HashAlgorithm::Sha512)
        );
        assert_eq!(
            verify(None, ABC_SHA256.to_uppercase().as_bytes(), b"abc"),
            Ok(HashAlgorithm::Sha256)
        );
    }

    #[test]
    fn a_changed_document_is_a_mismatch() {
        let reason =
            verify(Some(HashAlgorithm::Sha512), ABC_SHA512.as_bytes(), b"abd").unwrap_err();
        assert!(
            reason.starts_with("sha512 mismatch: published ddaf35"),
            "{reason}"
        );
    }

    #[test]
    fn a_hash_file_without_a_digest_is_an_error() {
        assert!(verify(Some(HashAlgorithm::Sha512), ABC_SHA256.as_bytes(), b"abc").is_err());
        assert!(verify(None, b"<html>not found</html>", b"abc").is_err());
        assert!(verify(None, b"", b"abc").is_err());
    }

    #[test]
    fn algorithms_from_file_names() {
        assert_eq!(
            HashAlgorithm::from_file_name("a.json.sha512"),
            Some(HashAlgorithm::Sha512)
        );
        assert_eq!(
            HashAlgorithm::from_file_name("a.json.SHA256"),
            Some(HashAlgorithm::Sha256)
        );
        assert_eq!(HashAlgorithm::from_file_name("a.json.sha3-512"), None);
    }
}
