//! C2SP tlog checkpoints (<https://c2sp.org/tlog-checkpoint>): the signed statement of a log's size and root.
//!
//! The body is the origin line (the log's unique name), the tree size in decimal, the root hash in
//! base64, then optional extension lines, each ending in `\n`. It is signed as a [`crate::note`].

use crate::hash::{Hash, hash_from_base64, hash_to_base64};
use crate::note::{NoteError, NoteSigner, NoteVerifier};

/// Why a checkpoint body or signed checkpoint was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The note around the checkpoint does not verify.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The body has fewer than three lines or does not end in a newline.
    #[error(
        "checkpoint body must be origin, size and root hash lines each ending in a newline, got {0:?}"
    )]
    Truncated(String),
    /// The origin line is empty.
    #[error("checkpoint origin line is empty")]
    EmptyOrigin,
    /// The size line is not a canonical decimal number.
    #[error("checkpoint size {0:?} is not a decimal number without leading zeros")]
    BadSize(String),
    /// The root hash line is not 32 bytes of canonical base64.
    #[error("checkpoint root hash {0:?} is not 32 bytes of standard base64")]
    BadRootHash(String),
    /// An extension line is empty (a blank line would end the note text).
    #[error("checkpoint extension line {0} is empty")]
    EmptyExtension(usize),
    /// A line contains a control character.
    #[error("checkpoint line {0:?} contains a control character")]
    ControlCharacter(String),
}

/// A log checkpoint: the tree of the first `size` entries of log `origin` has head `root`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's unique identity, conventionally a schema-less URL such as `example.com/log`.
    pub origin: String,
    /// The number of leaves.
    pub size: u64,
    /// The RFC 6962 tree head of those leaves.
    pub root: Hash,
    /// Optional extra lines, opaque to this crate.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note text: `origin\nsize\nbase64(root)\n` followed by one line per extension.
    pub fn to_body(&self) -> String {
        let mut body = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            hash_to_base64(&self.root)
        );
        for extension in &self.extensions {
            body.push_str(extension);
            body.push('\n');
        }
        body
    }

    /// Parse a checkpoint body (the text of a verified note).
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        let Some(without_last_newline) = text.strip_suffix('\n') else {
            return Err(CheckpointError::Truncated(text.to_owned()));
        };
        let mut lines = without_last_newline.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::Truncated(text.to_owned()));
        };
        for line in without_last_newline.split('\n') {
            if line.chars().any(char::is_control) {
                return Err(CheckpointError::ControlCharacter(line.to_owned()));
            }
        }
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        let canonical_size = !size.is_empty()
            && size.bytes().all(|b| b.is_ascii_digit())
            && (size == "0" || !size.starts_with('0'));
        let size_value = size
            .parse::<u64>()
            .ok()
            .filter(|_| canonical_size)
            .ok_or_else(|| CheckpointError::BadSize(size.to_owned()))?;
        let root_hash =
            hash_from_base64(root).map_err(|_| CheckpointError::BadRootHash(root.to_owned()))?;
        let mut extensions = Vec::new();
        for (position, line) in lines.enumerate() {
            if line.is_empty() {
                return Err(CheckpointError::EmptyExtension(position + 1));
            }
            extensions.push(line.to_owned());
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size: size_value,
            root: root_hash,
            extensions,
        })
    }

    /// Sign the checkpoint body as a note.
    pub fn sign(&self, signer: &NoteSigner) -> Result<String, NoteError> {
        signer.sign(&self.to_body())
    }

    /// Verify a signed checkpoint note with `verifier` and parse its body.
    ///
    /// The origin is not required to equal the key name: logs such as Go's checksum database use
    /// different ones. Callers that pin an origin compare it themselves.
    pub fn open(note: &str, verifier: &NoteVerifier) -> Result<Self, CheckpointError> {
        let text = verifier.open(note)?;
        Checkpoint::parse_body(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD as BASE64;

    fn example() -> Checkpoint {
        Checkpoint {
            origin: "example.com/log".into(),
            size: 12,
            root: leaf_hash(b"x"),
            extensions: vec![],
        }
    }

    #[test]
    fn body_has_origin_size_and_base64_root() {
        let body = example().to_body();
        assert_eq!(
            body,
            format!("example.com/log\n12\n{}\n", BASE64.encode(leaf_hash(b"x")))
        );
        assert_eq!(Checkpoint::parse_body(&body), Ok(example()));
        let mut with_extensions = example();
        with_extensions.extensions = vec!["— witness line".into(), "extra".into()];
        assert_eq!(
            Checkpoint::parse_body(&with_extensions.to_body()),
            Ok(with_extensions)
        );
    }

    #[test]
    fn go_sumdb_tree_body_parses() {
        // golang.org/x/mod/sumdb/tlog note_test.go, TestFormatTree / TestParseTree: the golden tree text,
        // whose hash is RecordHash("hello world") (an RFC 6962 leaf hash).
        let text =
            "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
        let checkpoint = Checkpoint::parse_body(text).expect("valid");
        assert_eq!(checkpoint.origin, "go.sum database tree");
        assert_eq!(checkpoint.size, 123456789012);
        assert_eq!(checkpoint.root, leaf_hash(b"hello world"));
        assert_eq!(checkpoint.to_body(), text);
    }

    #[test]
    fn malformed_bodies_are_rejected_with_the_reason() {
        let root = BASE64.encode([7u8; 32]);
        let cases = [
            (
                format!("o\n1\n{root}"),
                CheckpointError::Truncated(format!("o\n1\n{root}")),
            ),
            (
                "o\n1\n".to_owned(),
                CheckpointError::Truncated("o\n1\n".to_owned()),
            ),
            (format!("\n1\n{root}\n"), CheckpointError::EmptyOrigin),
            (
                format!("o\n01\n{root}\n"),
                CheckpointError::BadSize("01".into()),
            ),
            (
                format!("o\n+1\n{root}\n"),
                CheckpointError::BadSize("+1".into()),
            ),
            (
                format!("o\n\n{root}\n"),
                CheckpointError::BadSize(String::new()),
            ),
            (
                format!("o\n18446744073709551616\n{root}\n"),
                CheckpointError::BadSize("18446744073709551616".into()),
            ),
            (
                "o\n1\nAAAA\n".to_owned(),
                CheckpointError::BadRootHash("AAAA".into()),
            ),
            (
                format!("o\n1\n{root}\n\n"),
                CheckpointError::EmptyExtension(1),
            ),
            (
                format!("o\n1\n{root}\nx\r\n"),
                CheckpointError::ControlCharacter("x\r".into()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Checkpoint::parse_body(&text), Err(expected), "{text:?}");
        }
        // Non-canonical base64: the last character carries unused bits.
        let mut sloppy = root.clone().into_bytes();
        let last_data = sloppy.len() - 2;
        sloppy[last_data] = if sloppy[last_data] == b'c' {
            b'd'
        } else {
            b'c'
        };
        let sloppy = String::from_utf8(sloppy).expect("ascii");
        if sloppy != root {
            assert!(Checkpoint::parse_body(&format!("o\n1\n{sloppy}\n")).is_err());
        }
    }

    #[test]
    fn signed_checkpoint_opens_only_with_the_right_key() {
        let signer = NoteSigner::from_seed("example.com/log", &[1; 32]).expect("name");
        let note = example().sign(&signer).expect("sign");
        assert_eq!(Checkpoint::open(&note, &signer.verifier()), Ok(example()));
        let other = NoteSigner::from_seed("example.com/log", &[2; 32]).expect("name");
        assert!(matches!(
            Checkpoint::open(&note, &other.verifier()),
            Err(CheckpointError::Note(_))
        ));
        let forged = note.replacen("\n12\n", "\n13\n", 1);
        assert!(matches!(
            Checkpoint::open(&forged, &signer.verifier()),
            Err(CheckpointError::Note(NoteError::BadSignature { .. }))
        ));
    }
}
