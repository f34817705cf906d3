//! Attachments encrypted at rest: XChaCha20-Poly1305 under the attachment key (a file in the data
//! directory, never in the database), a random 24-byte nonce per sealing, and associated data that
//! binds the ciphertext to its attachment id and case id, so a ciphertext copied onto another row
//! or case does not open. When a finding moves to another case its attachments are re-sealed.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use clearinghouse_domain::coordination::SealedContent;
use clearinghouse_domain::{AttachmentId, CaseId};

use crate::KeyRing;
use crate::error::{Error, Result};

/// The nonce length of XChaCha20-Poly1305.
const NONCE_BYTES: usize = 24;

fn associated_data(attachment: AttachmentId, case: CaseId) -> Vec<u8> {
    format!("clearinghouse attachment v1\n{attachment}\n{case}").into_bytes()
}

fn cipher(keys: &KeyRing) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(keys.attachment_key().into())
}

/// Encrypts an attachment's content for one attachment id and case.
pub fn seal(
    keys: &KeyRing,
    attachment: AttachmentId,
    case: CaseId,
    plaintext: &[u8],
) -> Result<SealedContent> {
    let nonce_bytes: [u8; NONCE_BYTES] = crate::secrets::random_bytes()[..NONCE_BYTES]
        .try_into()
        .map_err(|_| sealing_failed("nonce"))?;
    let nonce = XNonce::from(nonce_bytes);
    let aad = associated_data(attachment, case);
    let ciphertext = cipher(keys)
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| sealing_failed("encryption"))?;
    Ok(SealedContent {
        nonce: nonce_bytes.to_vec(),
        ciphertext,
    })
}

/// Decrypts an attachment's content; fails if the key, the ids or the bytes do not match.
pub fn open(
    keys: &KeyRing,
    attachment: AttachmentId,
    case: CaseId,
    sealed: &SealedContent,
) -> Result<Vec<u8>> {
    let nonce_bytes: [u8; NONCE_BYTES] = sealed
        .nonce
        .as_slice()
        .try_into()
        .map_err(|_| sealing_failed("stored nonce length"))?;
    let aad = associated_data(attachment, case);
    cipher(keys)
        .decrypt(
            &XNonce::from(nonce_bytes),
            Payload {
                msg: &sealed.ciphertext,
                aad: &aad,
            },
        )
        .map_err(|_| {
            sealing_failed(
                "authentication (wrong key, or content not sealed for this attachment and case)",
            )
        })
}

fn sealing_failed(what: &str) -> Error {
    Error::Key {
        path: "attachment key".into(),
        problem: format!("attachment sealing failed: {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_content_opens_only_for_its_attachment_and_case() {
        let keys = KeyRing::ephemeral("test.example/log").expect("keys");
        let (attachment, case) = (AttachmentId::generate(), CaseId::generate());
        let secret = b"curl -X POST /login --data 'user=admin%27--'";
        let sealed = seal(&keys, attachment, case, secret).expect("seals");
        assert_eq!(sealed.nonce.len(), 24);
        assert_eq!(sealed.ciphertext.len(), secret.len() + 16);
        assert!(
            !sealed
                .ciphertext
                .windows(10)
                .any(|w| secret.windows(10).any(|s| s == w)),
            "no plaintext run survives"
        );
        assert_eq!(
            open(&keys, attachment, case, &sealed).expect("opens"),
            secret
        );
        assert!(open(&keys, attachment, CaseId::generate(), &sealed).is_err());
        assert!(open(&keys, AttachmentId::generate(), case, &sealed).is_err());
        let other_keys = KeyRing::ephemeral("test.example/log").expect("keys");
        assert!(open(&other_keys, attachment, case, &sealed).is_err());
        let again = seal(&keys, attachment, case, secret).expect("seals");
        assert_ne!(again.nonce, sealed.nonce, "a fresh nonce every time");
    }
}
