//! The keys that must never be in the database: the log's Ed25519 signing key (C2SP note key),
//! the digest key that turns secrets into keyed digests before they reach the log, and the
//! attachment key that encrypts proofs of concept and other attachments at rest.
//!
//! Both live as files in the data directory (mode 0600), created at first start. A server fleet on
//! PostgreSQL shares them by pointing every process at the same files.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clearinghouse_tlog::{NoteSigner, NoteVerifier};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::secrets::random_bytes;

/// The default origin line of checkpoints: it names the log, and is the note key's name.
pub const DEFAULT_LOG_ORIGIN: &str = "clearinghouse.example/log";

/// The log key and the digest key.
pub struct KeyRing {
    signer: NoteSigner,
    digest_key: [u8; 32],
    attachment_key: [u8; 32],
}

/// Where the key files are.
#[derive(Clone, Debug)]
pub struct KeyPaths {
    /// The C2SP signer key (`PRIVATE+KEY+…`).
    pub log_key: PathBuf,
    /// 32 bytes, hex.
    pub digest_key: PathBuf,
    /// 32 bytes, hex: the XChaCha20-Poly1305 key of attachments.
    pub attachment_key: PathBuf,
}

impl KeyPaths {
    /// The default files inside a data directory.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            log_key: dir.join("log-signing.key"),
            digest_key: dir.join("digest.key"),
            attachment_key: dir.join("attachment.key"),
        }
    }
}

impl KeyRing {
    /// Loads the keys, creating any that do not exist yet. `origin` names a new log key.
    pub fn load_or_create(paths: &KeyPaths, origin: &str) -> Result<Self> {
        let signer = match read_key_file(&paths.log_key)? {
            Some(text) => {
                NoteSigner::from_skey(text.trim()).map_err(|e| key_error(&paths.log_key, e))?
            }
            None => {
                let signer = NoteSigner::from_seed(origin, &random_bytes())
                    .map_err(|e| key_error(&paths.log_key, e))?;
                write_key_file(&paths.log_key, &signer.to_skey())?;
                tracing::info!(path = %paths.log_key.display(), origin, "created the log signing key");
                signer
            }
        };
        Ok(Self {
            signer,
            digest_key: load_or_create_secret(&paths.digest_key)?,
            attachment_key: load_or_create_secret(&paths.attachment_key)?,
        })
    }

    /// Keys for tests and benchmarks: random, never written anywhere.
    pub fn ephemeral(origin: &str) -> Result<Self> {
        let signer = NoteSigner::from_seed(origin, &random_bytes()).map_err(|e| Error::Key {
            path: "(memory)".into(),
            problem: e.to_string(),
        })?;
        Ok(Self {
            signer,
            digest_key: random_bytes(),
            attachment_key: random_bytes(),
        })
    }

    /// The log's signer.
    pub fn log_signer(&self) -> &NoteSigner {
        &self.signer
    }

    /// The log's public verifier key.
    pub fn log_verifier(&self) -> NoteVerifier {
        self.signer.verifier()
    }

    /// The keyed digest (HMAC-SHA-256, hex) that stands for a secret in log payloads: it lets an
    /// auditor holding the secret confirm it, and tells everyone else nothing.
    pub fn keyed_digest(&self, secret: &[u8]) -> String {
        // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
        let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(&self.digest_key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        };
        mac.update(secret);
        hex::encode(mac.finalize().into_bytes())
    }

    /// The attachment key, for `sealing` only.
    pub(crate) fn attachment_key(&self) -> &[u8; 32] {
        &self.attachment_key
    }
}

/// A 32-byte secret kept as hex in a file, created random when missing.
fn load_or_create_secret(path: &Path) -> Result<[u8; 32]> {
    match read_key_file(path)? {
        Some(text) => {
            let bytes = hex::decode(text.trim()).map_err(|e| key_error(path, e))?;
            bytes
                .try_into()
                .map_err(|_| key_error(path, "expected 32 bytes of hex"))
        }
        None => {
            let key = random_bytes();
            write_key_file(path, &hex::encode(key))?;
            Ok(key)
        }
    }
}

fn read_key_file(path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(key_error(path, e)),
    }
}

fn write_key_file(path: &Path, contents: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| key_error(path, e))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| key_error(path, e))?;
    file.write_all(contents.as_bytes())
        .map_err(|e| key_error(path, e))?;
    file.write_all(b"\n").map_err(|e| key_error(path, e))?;
    file.sync_all().map_err(|e| key_error(path, e))
}

fn key_error(path: &Path, problem: impl std::fmt::Display) -> Error {
    Error::Key {
        path: path.display().to_string(),
        problem: problem.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_created_once_and_reloaded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = KeyPaths::in_dir(dir.path());
        let first = KeyRing::load_or_create(&paths, "test.example/log").expect("creates");
        let second = KeyRing::load_or_create(&paths, "ignored.example/log").expect("reloads");
        assert_eq!(
            first.log_verifier().to_vkey(),
            second.log_verifier().to_vkey()
        );
        assert_eq!(
            first.keyed_digest(b"secret"),
            second.keyed_digest(b"secret")
        );
        assert_ne!(first.keyed_digest(b"secret"), first.keyed_digest(b"other"));
        assert_eq!(first.attachment_key(), second.attachment_key());
        assert_ne!(first.attachment_key(), &first.digest_key);
    }
}
