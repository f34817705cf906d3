//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 keys, compatible with Go's
//! `golang.org/x/mod/sumdb/note`.
//!
//! A note is UTF-8 text ending in a newline, a blank line, then signature lines
//! `— <key name> base64(key id || signature)`. The key id is the first four bytes of
//! `SHA-256(name || "\n" || 0x01 || public key)`, so a verifier picks its signature by name and id and
//! ignores signatures from keys it does not know (witnesses add theirs to the same note).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::hash::sha256;

/// The signature type byte of Ed25519 keys in signed notes.
const ALG_ED25519: u8 = 0x01;
/// The prefix of a signature line: U+2014 EM DASH and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// Go's verifier refuses notes with more signature lines than this; we match it.
const MAX_SIGNATURES: usize = 100;

/// What is wrong with a key, a note or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Key names must be non-empty, contain no whitespace and no `+`.
    #[error("invalid key name {0:?}: it must be non-empty, without spaces or '+'")]
    InvalidName(String),
    /// A verifier key string is not `name+hexid+base64key`.
    #[error("malformed verifier key {0:?}: expected name+<8 hex digits>+<base64 key>")]
    MalformedVerifierKey(String),
    /// A signer key string is not `PRIVATE+KEY+name+hexid+base64key`.
    #[error(
        "malformed signer key for name {0:?}: expected PRIVATE+KEY+name+<8 hex digits>+<base64 key>"
    )]
    MalformedSignerKey(String),
    /// The key is not an Ed25519 key.
    #[error(
        "key {name:?} uses signature algorithm {algorithm:#04x}, only Ed25519 (0x01) is supported"
    )]
    UnsupportedAlgorithm {
        /// The key name.
        name: String,
        /// The algorithm byte found.
        algorithm: u8,
    },
    /// The operating system could not provide randomness for a new key.
    #[error("no randomness for a new key: {0}")]
    NoRandomness(String),
    /// The key bytes are not a valid Ed25519 key.
    #[error("key {0:?} is not a valid Ed25519 key")]
    InvalidKey(String),
    /// The key id written in a key string does not match the key.
    #[error("key {name:?} claims key id {claimed:08x}, but its key hashes to {actual:08x}")]
    KeyIdMismatch {
        /// The key name.
        name: String,
        /// The id in the key string.
        claimed: u32,
        /// The id computed from name and key.
        actual: u32,
    },
    /// Text to sign must be non-empty, end in a newline and contain no blank lines or control characters.
    #[error("text cannot be signed: {0}")]
    InvalidText(&'static str),
    /// The note does not have the signed-note shape.
    #[error("malformed note: {0}")]
    Malformed(String),
    /// A signature line of our key does not verify.
    #[error("signature by {name:?} (key id {key_id:08x}) does not verify")]
    BadSignature {
        /// The key name.
        name: String,
        /// The key id.
        key_id: u32,
    },
    /// No signature line of our key is on the note.
    #[error("note has no signature by {name:?} (key id {key_id:08x}); it is signed by: {signers}")]
    NotSignedByKey {
        /// The key name expected.
        name: String,
        /// The key id expected.
        key_id: u32,
        /// The names and ids of the signatures found, for diagnosis.
        signers: String,
    },
}

/// A signed-note signing key: a key name and an Ed25519 private key.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key_id: u32,
    signing_key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        formatter
            .debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

/// A signed-note verifier key: a key name and an Ed25519 public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    verifying_key: VerifyingKey,
}

/// The signed-note key id: the first four bytes, big-endian, of `SHA-256(name || "\n" || 0x01 || public key)`.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let digest = sha256(&[name.as_bytes(), b"\n", &[ALG_ED25519], public_key]);
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(NoteError::InvalidName(name.to_owned()));
    }
    Ok(())
}

/// Parse `hexid+base64(0x01 || key)` as it appears at the end of both key formats.
fn parse_key_parts(
    name: &str,
    hex_id: &str,
    encoded_key: &str,
    malformed: impl Fn() -> NoteError,
) -> Result<(u32, [u8; 32]), NoteError> {
    check_name(name)?;
    // Go's key ids are exactly eight hex digits (`from_str_radix` alone would accept a sign).
    if hex_id.len() != 8 || !hex_id.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(malformed());
    }
    let claimed = u32::from_str_radix(hex_id, 16).map_err(|_| malformed())?;
    let bytes = BASE64.decode(encoded_key).map_err(|_| malformed())?;
    let (&algorithm, key) = bytes.split_first().ok_or_else(&malformed)?;
    if algorithm != ALG_ED25519 {
        return Err(NoteError::UnsupportedAlgorithm {
            name: name.to_owned(),
            algorithm,
        });
    }
    let key: [u8; 32] = key
        .try_into()
        .map_err(|_| NoteError::InvalidKey(name.to_owned()))?;
    Ok((claimed, key))
}

impl NoteSigner {
    /// A signer for key `name` from a 32-byte Ed25519 seed (the RFC 8032 private key).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        check_name(name)?;
        let signing_key = SigningKey::from_bytes(seed);
        let key_id = key_id(name, signing_key.verifying_key().as_bytes());
        Ok(NoteSigner {
            name: name.to_owned(),
            key_id,
            signing_key,
        })
    }

    /// A signer for key `name` with a fresh random key from the operating system.
    ///
    /// # Panics
    ///
    /// If `name` is invalid or the operating system has no randomness; [`NoteSigner::try_generate`]
    /// reports those instead.
    pub fn generate(name: &str) -> Self {
        match Self::try_generate(name) {
            Ok(signer) => signer,
            Err(error) => panic!("cannot generate a note signer: {error}"),
        }
    }

    /// A signer for key `name` with a fresh random key, reporting an invalid name or missing randomness.
    pub fn try_generate(name: &str) -> Result<Self, NoteError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|error| NoteError::NoRandomness(error.to_string()))?;
        Self::from_seed(name, &seed)
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The matching verifier.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            verifying_key: self.signing_key.verifying_key(),
        }
    }

    /// Sign `text` (non-empty, ending in `\n`): returns `text + "\n" + "— name base64(keyid || sig)\n"`.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_text(text)?;
        let signature = self.signing_key.sign(text.as_bytes());
        let mut payload = Vec::with_capacity(4 + 64);
        payload.extend_from_slice(&self.key_id.to_be_bytes());
        payload.extend_from_slice(&signature.to_bytes());
        Ok(format!(
            "{text}\n{SIGNATURE_PREFIX}{} {}\n",
            self.name,
            BASE64.encode(payload)
        ))
    }

    /// The private key in Go's format: `PRIVATE+KEY+name+hexkeyid+base64(0x01 || seed)`. Keep it secret.
    pub fn to_skey(&self) -> String {
        let mut key = vec![ALG_ED25519];
        key.extend_from_slice(self.signing_key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id,
            BASE64.encode(key)
        )
    }

    /// Parse a private key in Go's format, checking that its key id matches.
    pub fn from_skey(skey: &str) -> Result<Self, NoteError> {
        // The base64 key may itself contain '+', so split off only the first fields (as Go's `chop` does).
        let mut parts = skey
            .strip_prefix("PRIVATE+KEY+")
            .unwrap_or_default()
            .splitn(3, '+');
        let (Some(name), Some(hex_id), Some(encoded)) = (parts.next(), parts.next(), parts.next())
        else {
            // Only the name is echoed, never key material.
            let name = skey.split('+').nth(2).unwrap_or_default().to_owned();
            return Err(NoteError::MalformedSignerKey(name));
        };
        let (claimed, seed) = parse_key_parts(name, hex_id, encoded, || {
            NoteError::MalformedSignerKey(name.to_owned())
        })?;
        let signer = Self::from_seed(name, &seed)?;
        if signer.key_id != claimed {
            return Err(NoteError::KeyIdMismatch {
                name: name.to_owned(),
                claimed,
                actual: signer.key_id,
            });
        }
        Ok(signer)
    }
}

impl NoteVerifier {
    /// Parse a verifier key `name+hexkeyid+base64(0x01 || public key)`, checking that its key id matches.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let malformed = || NoteError::MalformedVerifierKey(vkey.to_owned());
        // The base64 key may itself contain '+', so split off only the first two fields.
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(hex_id), Some(encoded)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        let (claimed, public_key) = parse_key_parts(name, hex_id, encoded, malformed)?;
        let actual = key_id(name, &public_key);
        if actual != claimed {
            return Err(NoteError::KeyIdMismatch {
                name: name.to_owned(),
                claimed,
                actual,
            });
        }
        let verifying_key = VerifyingKey::from_bytes(&public_key)
            .map_err(|_| NoteError::InvalidKey(name.to_owned()))?;
        Ok(NoteVerifier {
            name: name.to_owned(),
            key_id: actual,
            verifying_key,
        })
    }

    /// The verifier key string `name+hexkeyid+base64(0x01 || public key)`.
    pub fn to_vkey(&self) -> String {
        let mut key = vec![ALG_ED25519];
        key.extend_from_slice(self.verifying_key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.key_id, BASE64.encode(key))
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Check a signed note and return its text (ending in `\n`) if this key signed it.
    ///
    /// Signatures by other keys are ignored. The first signature line with our name and key id must
    /// verify; repeats of it are ignored, as Go's `note.Open` does.
    pub fn open(&self, note: &str) -> Result<String, NoteError> {
        let parsed = parse_note(note)?;
        // Like Go's `note.Open`, only the first line of our key counts; later duplicates are ignored.
        let mut verified = false;
        for line in &parsed.signatures {
            if verified || line.name != self.name || line.key_id != self.key_id {
                continue;
            }
            let signature_bytes: [u8; 64] =
                line.signature
                    .as_slice()
                    .try_into()
                    .map_err(|_| NoteError::BadSignature {
                        name: line.name.clone(),
                        key_id: line.key_id,
                    })?;
            let signature = Signature::from_bytes(&signature_bytes);
            self.verifying_key
                .verify_strict(parsed.text.as_bytes(), &signature)
                .map_err(|_| NoteError::BadSignature {
                    name: line.name.clone(),
                    key_id: line.key_id,
                })?;
            verified = true;
        }
        if !verified {
            let signers = parsed
                .signatures
                .iter()
                .map(|line| format!("{} ({:08x})", line.name, line.key_id))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(NoteError::NotSignedByKey {
                name: self.name.clone(),
                key_id: self.key_id,
                signers,
            });
        }
        Ok(parsed.text.to_owned())
    }
}

/// A signature line of a note, not yet verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key id.
    pub key_id: u32,
    /// The signature bytes after the key id.
    pub signature: Vec<u8>,
}

/// A note split into its text and signature lines, before any verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedNote<'a> {
    /// The signed text, ending in `\n`.
    pub text: &'a str,
    /// The signature lines, in order.
    pub signatures: Vec<NoteSignature>,
}

/// Split a note into text and signature lines, checking its shape (as Go's `note.Open` does).
pub fn parse_note(note: &str) -> Result<ParsedNote<'_>, NoteError> {
    if let Some(control) = note.chars().find(|&c| c < '\u{20}' && c != '\n') {
        return Err(NoteError::Malformed(format!(
            "control character {control:?} in note"
        )));
    }
    let split = note.rfind("\n\n").ok_or_else(|| {
        NoteError::Malformed("no blank line between text and signatures".to_owned())
    })?;
    let (text, signature_block) = (&note[..split + 1], &note[split + 2..]);
    if signature_block.is_empty() {
        return Err(NoteError::Malformed("no signature lines".to_owned()));
    }
    if !signature_block.ends_with('\n') {
        return Err(NoteError::Malformed(
            "signature block does not end with a newline".to_owned(),
        ));
    }
    let lines: Vec<&str> = signature_block[..signature_block.len() - 1]
        .split('\n')
        .collect();
    if lines.len() > MAX_SIGNATURES {
        return Err(NoteError::Malformed(format!(
            "{} signature lines, at most {MAX_SIGNATURES} allowed",
            lines.len()
        )));
    }
    let mut signatures = Vec::with_capacity(lines.len());
    for line in lines {
        let rest = line.strip_prefix(SIGNATURE_PREFIX).ok_or_else(|| {
            NoteError::Malformed(format!(
                "signature line {line:?} does not start with an em dash and a space"
            ))
        })?;
        let (name, encoded) = rest.split_once(' ').ok_or_else(|| {
            NoteError::Malformed(format!(
                "signature line {line:?} has no space between name and signature"
            ))
        })?;
        check_name(name).map_err(|_| {
            NoteError::Malformed(format!("signature line {line:?} has an invalid key name"))
        })?;
        let bytes = BASE64.decode(encoded).map_err(|_| {
            NoteError::Malformed(format!("signature line {line:?} is not valid base64"))
        })?;
        if bytes.len() < 5 {
            return Err(NoteError::Malformed(format!(
                "signature line {line:?} is too short"
            )));
        }
        signatures.push(NoteSignature {
            name: name.to_owned(),
            key_id: u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
            signature: bytes[4..].to_vec(),
        });
    }
    Ok(ParsedNote { text, signatures })
}

/// Text is signable if it is non-empty, ends in `\n`, has no blank line and no control characters.
fn check_text(text: &str) -> Result<(), NoteError> {
    if text.is_empty() {
        return Err(NoteError::InvalidText("it is empty"));
    }
    if !text.ends_with('\n') {
        return Err(NoteError::InvalidText("it does not end with a newline"));
    }
    if text.contains("\n\n") || text.starts_with('\n') {
        return Err(NoteError::InvalidText(
            "it contains a blank line, which would end the text early",
        ));
    }
    if text.chars().any(|c| c < '\u{20}' && c != '\n') {
        return Err(NoteError::InvalidText("it contains a control character"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_id_hashes_name_newline_algorithm_and_key() {
        let signer = NoteSigner::from_seed("example", &[1; 32]).expect("name");
        let public_key = signer.verifier().verifying_key.to_bytes();
        let digest = sha256(&[b"example\n\x01", &public_key]);
        assert_eq!(
            signer.key_id(),
            u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
        );
        assert_eq!(key_id("example", &public_key), signer.key_id());
    }

    #[test]
    fn key_id_must_be_eight_hex_digits() {
        let signer = NoteSigner::from_seed("example", &[2; 32]).expect("name");
        let vkey = signer.verifier().to_vkey();
        let key_part = vkey.splitn(3, '+').nth(2).expect("three fields");
        for bad_id in ["c74f20g3", "c74f20a", "0c74f20a3", "+c74f20a"] {
            let vkey = format!("example+{bad_id}+{key_part}");
            assert!(
                matches!(
                    NoteVerifier::parse(&vkey),
                    Err(NoteError::MalformedVerifierKey(_))
                ),
                "{vkey}"
            );
        }
        let upper = format!("example+{:08X}+{key_part}", signer.key_id());
        assert_eq!(
            NoteVerifier::parse(&upper).map(|verifier| verifier.key_id()),
            Ok(signer.key_id())
        );
    }

    #[test]
    fn debug_output_hides_the_private_key() {
        let signer = NoteSigner::from_seed("example", &[9; 32]).expect("name");
        let debug = format!("{signer:?}");
        let skey = signer.to_skey();
        let secret = skey.rsplit('+').next().expect("base64 part");
        assert!(!debug.contains(secret), "{debug}");
        assert!(debug.contains("example"));
    }

    #[test]
    fn generated_keys_differ_and_work() {
        let first = NoteSigner::generate("example");
        let second = NoteSigner::generate("example");
        assert_ne!(first.verifier(), second.verifier());
        let note = first.sign("hello\n").expect("text");
        assert_eq!(first.verifier().open(&note).expect("verifies"), "hello\n");
        assert!(second.verifier().open(&note).is_err());
        assert!(NoteSigner::try_generate("bad name").is_err());
    }

    #[test]
    fn parse_note_splits_text_and_signatures() {
        let signer = NoteSigner::from_seed("example", &[3; 32]).expect("name");
        let note = signer.sign("line one\nline two\n").expect("text");
        let parsed = parse_note(&note).expect("well formed");
        assert_eq!(parsed.text, "line one\nline two\n");
        assert_eq!(parsed.signatures.len(), 1);
        assert_eq!(parsed.signatures[0].name, "example");
        assert_eq!(parsed.signatures[0].signature.len(), 64);
    }

    #[test]
    fn note_without_our_signature_names_who_signed() {
        let ours = NoteSigner::from_seed("ours", &[3; 32]).expect("name");
        let theirs = NoteSigner::from_seed("theirs", &[4; 32]).expect("name");
        let note = theirs.sign("hello\n").expect("text");
        let error = ours.verifier().open(&note).expect_err("not ours");
        assert!(
            error
                .to_string()
                .contains(&format!("theirs ({:08x})", theirs.key_id())),
            "{error}"
        );
    }

    #[test]
    fn wrong_length_signature_of_our_key_is_bad() {
        let signer = NoteSigner::from_seed("example", &[5; 32]).expect("name");
        let mut payload = signer.key_id().to_be_bytes().to_vec();
        payload.extend_from_slice(&[0; 10]);
        let note = format!("hello\n\n— example {}\n", BASE64.encode(payload));
        assert_eq!(
            signer.verifier().open(&note),
            Err(NoteError::BadSignature {
                name: "example".into(),
                key_id: signer.key_id()
            })
        );
    }
}

#[cfg(test)]
mod base64_plus_regression {
    use super::*;

    /// Base64 key material may contain `+`; only the leading fields are separated by it (as in Go's
    /// `note.NewSigner`/`NewVerifier`). Found when a server's generated key failed to load.
    #[test]
    fn keys_whose_base64_contains_plus_round_trip() {
        let mut found = 0;
        for seed_byte in 0u8..=255 {
            let signer =
                NoteSigner::from_seed("example.com/log", &[seed_byte; 32]).expect("valid seed");
            let (skey, vkey) = (signer.to_skey(), signer.verifier().to_vkey());
            if skey.matches('+').count() > 4 || vkey.matches('+').count() > 2 {
                found += 1;
                assert_eq!(
                    NoteSigner::from_skey(&skey).expect("skey parses").to_skey(),
                    skey
                );
                assert_eq!(
                    NoteVerifier::parse(&vkey).expect("vkey parses").to_vkey(),
                    vkey
                );
            }
        }
        assert!(
            found > 0,
            "no seed produced a '+' in its base64; the test proves nothing"
        );
    }
}
