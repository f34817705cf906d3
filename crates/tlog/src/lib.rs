//! RFC 6962 Merkle tree hashing and proofs, and C2SP signed-note checkpoints.
//!
//! This crate is pure: no I/O, no async, no database. A log service stores the perfect subtree hashes
//! that [`Frontier::push`] reports, fetches the nodes a [`Plan`] lists, and lets [`Plan::assemble`] turn
//! them into a root or proof. Anyone can then check proofs and checkpoints offline with [`proof`],
//! [`note`] and [`checkpoint`].
//!
//! # Example
//!
//! ```
//! use std::collections::HashMap;
//! use clearinghouse_tlog::{Checkpoint, Frontier, NoteSigner, NoteVerifier, Plan, leaf_hash, verify_inclusion};
//!
//! // Append: store every node the frontier reports (a database table keyed by NodeId in practice).
//! let mut frontier = Frontier::empty();
//! let mut nodes = HashMap::new();
//! for entry in ["first", "second", "third"] {
//!     nodes.extend(frontier.push(leaf_hash(entry.as_bytes())));
//! }
//!
//! // Sign a checkpoint of the current tree.
//! let signer = NoteSigner::from_seed("example.com/log", &[7; 32])?;
//! let checkpoint = Checkpoint {
//!     origin: "example.com/log".into(),
//!     size: frontier.size(),
//!     root: frontier.root(),
//!     extensions: vec![],
//! };
//! let note = checkpoint.sign(&signer)?;
//!
//! // Serve an inclusion proof: fetch the planned nodes, then assemble.
//! let plan = Plan::inclusion(1, frontier.size())?;
//! let proof = plan.assemble(|id| nodes.get(&id).copied())?;
//!
//! // Anyone holding the verifier key checks both offline.
//! let vkey = signer.verifier().to_vkey(); // published, e.g. "example.com/log+1a2b3c4d+AU..."
//! let verified = Checkpoint::open(&note, &NoteVerifier::parse(&vkey)?)?;
//! verify_inclusion(&leaf_hash(b"second"), 1, verified.size, &proof, &verified.root)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//!
//! - [`hash`]: leaf and node hashing (domain-separated SHA-256), hex and base64 forms of hashes.
//! - [`tree`]: [`NodeId`]s of perfect subtrees and [`Plan`]s for roots, audit paths and consistency proofs.
//! - [`frontier`]: the right edge of the tree, for appending without reading the tree.
//! - [`proof`]: offline verification of inclusion and consistency proofs.
//! - [`note`]: C2SP signed notes with Ed25519 keys (Go `sumdb/note` compatible).
//! - [`checkpoint`]: C2SP tlog checkpoints carried in signed notes.
//! - [`snapshot`]: one-call verification of a checkpoint, entries and an older checkpoint, for `log verify`.
#![deny(missing_docs)]

pub mod checkpoint;
pub mod frontier;
pub mod hash;
pub mod note;
pub mod proof;
pub mod snapshot;
pub mod tree;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use frontier::{Frontier, FrontierError};
pub use hash::{
    Hash, HashParseError, empty_root, hash_from_base64, hash_from_hex, hash_to_base64, hash_to_hex,
    leaf_hash, node_hash,
};
pub use note::{NoteError, NoteSigner, NoteVerifier};
pub use proof::{ProofError, VerifyError, verify_consistency, verify_inclusion};
pub use snapshot::{EntryProof, SnapshotError, SnapshotReport, verify_log_snapshot};
pub use tree::{NodeId, Plan};
