//! One-call offline verification of what a log hands out: a signed checkpoint, entries with inclusion
//! proofs, and optionally an older checkpoint with a consistency proof. Backs the CLI's `log verify`.
//!
//! A bad checkpoint signature stops everything (nothing else can be trusted without it); a bad entry or
//! consistency proof is recorded in the report so the caller can show every failure at once.

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::hash::{Hash, leaf_hash};
use crate::note::NoteVerifier;
use crate::proof::{VerifyError, verify_consistency, verify_inclusion};

/// Why no report could be produced: one of the checkpoints did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// The current checkpoint is not validly signed by the log key, or does not parse.
    #[error("checkpoint: {0}")]
    Checkpoint(CheckpointError),
    /// The older checkpoint is not validly signed by the log key, or does not parse.
    #[error("older checkpoint: {0}")]
    OlderCheckpoint(CheckpointError),
    /// The two checkpoints name different logs.
    #[error("older checkpoint is for log {older:?}, the current one for {current:?}")]
    OriginMismatch {
        /// The current checkpoint's origin.
        current: String,
        /// The older checkpoint's origin.
        older: String,
    },
}

/// A log entry and its inclusion proof against the current checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryProof {
    /// The entry's leaf index.
    pub index: u64,
    /// The entry's leaf bytes (hashed here with [`leaf_hash`]).
    pub leaf: Vec<u8>,
    /// The audit path, leaf to root.
    pub proof: Vec<Hash>,
}

/// The result of checking one entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryReport {
    /// The entry's leaf index.
    pub index: u64,
    /// The entry's leaf hash.
    pub leaf_hash: Hash,
    /// `Ok` when the entry is in the checkpointed tree.
    pub outcome: Result<(), VerifyError>,
}

/// The result of checking the older checkpoint against the current one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsistencyReport {
    /// The older checkpoint (its signature verified).
    pub older: Checkpoint,
    /// `Ok` when the current tree extends the older one.
    pub outcome: Result<(), VerifyError>,
}

/// What was verified, item by item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotReport {
    /// The current checkpoint (its signature verified).
    pub checkpoint: Checkpoint,
    /// The name of the key that signed it.
    pub key_name: String,
    /// The id of the key that signed it.
    pub key_id: u32,
    /// One report per entry, in input order.
    pub entries: Vec<EntryReport>,
    /// The consistency check, when an older checkpoint was given.
    pub consistency: Option<ConsistencyReport>,
}

impl SnapshotReport {
    /// True when every entry and the consistency proof (if any) verified.
    pub fn all_verified(&self) -> bool {
        self.entries.iter().all(|entry| entry.outcome.is_ok())
            && self
                .consistency
                .as_ref()
                .is_none_or(|consistency| consistency.outcome.is_ok())
    }

    /// The number of entries whose inclusion proof failed.
    pub fn failed_entries(&self) -> usize {
        self.entries
            .iter()
            .filter(|entry| entry.outcome.is_err())
            .count()
    }
}

/// Verify a signed checkpoint, entries against it, and optionally an older signed checkpoint with a
/// consistency proof from it to the current one.
pub fn verify_log_snapshot(
    checkpoint_note: &str,
    verifier: &NoteVerifier,
    entries: &[EntryProof],
    older: Option<(&str, &[Hash])>,
) -> Result<SnapshotReport, SnapshotError> {
    let checkpoint =
        Checkpoint::open(checkpoint_note, verifier).map_err(SnapshotError::Checkpoint)?;
    let entry_reports = entries
        .iter()
        .map(|entry| {
            let hash = leaf_hash(&entry.leaf);
            EntryReport {
                index: entry.index,
                leaf_hash: hash,
                outcome: verify_inclusion(
                    &hash,
                    entry.index,
                    checkpoint.size,
                    &entry.proof,
                    &checkpoint.root,
                ),
            }
        })
        .collect();
    let consistency = match older {
        None => None,
        Some((older_note, proof)) => {
            let older =
                Checkpoint::open(older_note, verifier).map_err(SnapshotError::OlderCheckpoint)?;
            if older.origin != checkpoint.origin {
                return Err(SnapshotError::OriginMismatch {
                    current: checkpoint.origin.clone(),
                    older: older.origin,
                });
            }
            let outcome = verify_consistency(
                older.size,
                checkpoint.size,
                &older.root,
                &checkpoint.root,
                proof,
            );
            Some(ConsistencyReport { older, outcome })
        }
    };
    Ok(SnapshotReport {
        key_name: verifier.name().to_owned(),
        key_id: verifier.key_id(),
        checkpoint,
        entries: entry_reports,
        consistency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontier::Frontier;
    use crate::note::NoteSigner;
    use crate::tree::{NodeId, Plan};
    use std::collections::HashMap;

    struct Log {
        frontier: Frontier,
        nodes: HashMap<NodeId, Hash>,
        signer: NoteSigner,
    }

    impl Log {
        fn with_entries(count: u64) -> Self {
            let mut log = Log {
                frontier: Frontier::empty(),
                nodes: HashMap::new(),
                signer: NoteSigner::from_seed("example.com/log", &[8; 32]).expect("name"),
            };
            for position in 0..count {
                log.nodes
                    .extend(log.frontier.push(leaf_hash(&entry(position))));
            }
            log
        }

        fn checkpoint(&self, size: u64) -> String {
            let root = Plan::root(size)
                .assemble(|id| self.nodes.get(&id).copied())
                .expect("stored")[0];
            let checkpoint = Checkpoint {
                origin: "example.com/log".into(),
                size,
                root,
                extensions: vec![],
            };
            checkpoint.sign(&self.signer).expect("sign")
        }

        fn proof(&self, plan: Plan) -> Vec<Hash> {
            plan.assemble(|id| self.nodes.get(&id).copied())
                .expect("stored")
        }

        fn entry_proof(&self, index: u64, size: u64) -> EntryProof {
            let proof = self.proof(Plan::inclusion(index, size).expect("in range"));
            EntryProof {
                index,
                leaf: entry(index),
                proof,
            }
        }
    }

    fn entry(position: u64) -> Vec<u8> {
        format!("{{\"action\":\"publish\",\"n\":{position}}}").into_bytes()
    }

    #[test]
    fn a_good_snapshot_verifies_everything() {
        let log = Log::with_entries(21);
        let entries = [
            log.entry_proof(0, 21),
            log.entry_proof(20, 21),
            log.entry_proof(7, 21),
        ];
        let consistency = log.proof(Plan::consistency(13, 21).expect("ok"));
        let older = log.checkpoint(13);
        let report = verify_log_snapshot(
            &log.checkpoint(21),
            &log.signer.verifier(),
            &entries,
            Some((&older, &consistency)),
        )
        .expect("checkpoints verify");
        assert!(report.all_verified());
        assert_eq!(report.checkpoint.size, 21);
        assert_eq!(report.entries.len(), 3);
        assert_eq!(report.consistency.as_ref().map(|c| c.older.size), Some(13));
        assert_eq!(report.key_name, "example.com/log");
    }

    #[test]
    fn bad_entries_and_forks_are_reported_item_by_item() {
        let log = Log::with_entries(21);
        let mut wrong_leaf = log.entry_proof(3, 21);
        wrong_leaf.leaf = b"not what was logged".to_vec();
        let stale = log.entry_proof(4, 20);
        let entries = [log.entry_proof(2, 21), wrong_leaf, stale];
        let fork = Log::with_entries(0);
        let mut forked = Log {
            signer: log.signer.clone(),
            ..fork
        };
        for position in 0..13 {
            forked.nodes.extend(
                forked
                    .frontier
                    .push(leaf_hash(format!("forked {position}").as_bytes())),
            );
        }
        let consistency = log.proof(Plan::consistency(13, 21).expect("ok"));
        let report = verify_log_snapshot(
            &log.checkpoint(21),
            &log.signer.verifier(),
            &entries,
            Some((&forked.checkpoint(13), &consistency)),
        )
        .expect("checkpoints are validly signed");
        assert!(!report.all_verified());
        assert_eq!(report.failed_entries(), 2);
        assert!(report.entries[0].outcome.is_ok());
        assert!(matches!(
            report.entries[1].outcome,
            Err(VerifyError::InclusionRootMismatch { .. })
        ));
        assert!(matches!(
            report.consistency.map(|c| c.outcome),
            Some(Err(VerifyError::OldRootMismatch { .. }))
        ));
    }

    #[test]
    fn unsigned_or_foreign_checkpoints_stop_verification() {
        let log = Log::with_entries(5);
        let stranger = NoteSigner::from_seed("example.com/log", &[9; 32]).expect("name");
        let error = verify_log_snapshot(&log.checkpoint(5), &stranger.verifier(), &[], None)
            .expect_err("wrong key");
        assert!(matches!(error, SnapshotError::Checkpoint(_)));
        let other_log = Checkpoint {
            origin: "other.example/log".into(),
            size: 0,
            root: crate::hash::empty_root(),
            extensions: vec![],
        };
        let other_note = other_log.sign(&log.signer).expect("sign");
        let error = verify_log_snapshot(
            &log.checkpoint(5),
            &log.signer.verifier(),
            &[],
            Some((&other_note, &[])),
        )
        .expect_err("different origin");
        assert!(matches!(error, SnapshotError::OriginMismatch { .. }));
        let error = verify_log_snapshot(
            &log.checkpoint(5),
            &log.signer.verifier(),
            &[],
            Some(("garbage", &[])),
        )
        .expect_err("garbage");
        assert!(matches!(error, SnapshotError::OlderCheckpoint(_)));
    }
}
