//! Secrets the clearinghouse hands out: API tokens, session cookies, sign-in links, and password
//! hashes.
//!
//! Tokens and links are 256 random bits, so a plain SHA-256 of them is a safe lookup key (no
//! dictionary to attack); passwords are human-chosen and get Argon2id.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The prefix of API tokens, so secret scanners can recognize a leaked one.
pub const TOKEN_PREFIX: &str = "chtok_";

/// 32 random bytes from the operating system.
pub fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    // The OS random source failing is unrecoverable; there is no safe fallback for key material.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    bytes
}

/// A fresh secret with a prefix, URL-safe.
pub fn new_secret(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes())
    )
}

/// The lookup key of a high-entropy secret.
pub fn secret_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 12 {
        return Err(Error::Invalid {
            field: "password".into(),
            problem: "must be at least 12 characters".into(),
        });
    }
    // The one-argument form draws a random salt from the operating system.
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Invalid {
            field: "password".into(),
            problem: e.to_string(),
        })
}

/// Checks a password against a stored Argon2 hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_password() {
        let hash = hash_password("correct horse battery").expect("hashes");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn secrets_are_unique_and_prefixed() {
        let (a, b) = (new_secret(TOKEN_PREFIX), new_secret(TOKEN_PREFIX));
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() > 40);
        assert_ne!(secret_hash(&a), secret_hash(&b));
    }
}
