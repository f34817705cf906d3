//! RFC 6962 Merkle tree hashing and proofs, and C2SP signed-note checkpoints.
#![deny(missing_docs)]
