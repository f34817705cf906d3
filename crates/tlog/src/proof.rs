//! Offline verification of inclusion and consistency proofs (RFC 9162 sections 2.1.3.2 and 2.1.4.2).
//!
//! These functions need nothing but hashes: a client holding a checkpoint checks a proof it was handed
//! without trusting the log. Proof lengths are checked up front so a wrong proof says what was expected.

use crate::hash::{Hash, hash_to_hex as hex, node_hash};
use crate::tree::NodeId;

/// Why a proof could not be planned or assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is out of range for a tree of size {tree_size}")]
    IndexOutOfRange {
        /// The requested leaf index.
        index: u64,
        /// The size of the tree.
        tree_size: u64,
    },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("no consistency proof from tree size {from} to the smaller size {to}")]
    ShrinkingTree {
        /// The older tree size.
        from: u64,
        /// The newer tree size.
        to: u64,
    },
    /// Fetched hashes do not line up with the plan's nodes.
    #[error("plan needs {expected} node hashes, got {actual}")]
    FetchedCount {
        /// Nodes in the plan.
        expected: usize,
        /// Hashes given.
        actual: usize,
    },
    /// The lookup did not return a node the plan needs.
    #[error("node at level {} index {} (leaves {}..{}) is missing", .0.level, .0.index, .0.start(), .0.end())]
    MissingNode(NodeId),
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is out of range for a tree of size {tree_size}")]
    IndexOutOfRange {
        /// The claimed leaf index.
        index: u64,
        /// The claimed tree size.
        tree_size: u64,
    },
    /// The inclusion proof has the wrong number of hashes for its index and tree size.
    #[error(
        "inclusion proof has {actual} hashes, expected {expected} for index {index} in a tree of size {tree_size}"
    )]
    InclusionProofLength {
        /// Hashes received.
        actual: usize,
        /// Hashes an RFC 9162 proof has for this index and size.
        expected: usize,
        /// The claimed leaf index.
        index: u64,
        /// The claimed tree size.
        tree_size: u64,
    },
    /// The consistency proof has the wrong number of hashes for its tree sizes.
    #[error(
        "consistency proof has {actual} hashes, expected {expected} from tree size {from} to {to}"
    )]
    ConsistencyProofLength {
        /// Hashes received.
        actual: usize,
        /// Hashes an RFC 9162 proof has for these sizes.
        expected: usize,
        /// The older tree size.
        from: u64,
        /// The newer tree size.
        to: u64,
    },
    /// The newer tree is smaller than the older one.
    #[error("tree size went backwards from {from} to {to}")]
    ShrinkingTree {
        /// The older tree size.
        from: u64,
        /// The newer tree size.
        to: u64,
    },
    /// Hashing the leaf up the audit path did not give the expected root.
    #[error(
        "inclusion proof for index {index} in a tree of size {tree_size} leads to root {}, expected {}",
        hex(.computed),
        hex(.expected)
    )]
    InclusionRootMismatch {
        /// The claimed leaf index.
        index: u64,
        /// The claimed tree size.
        tree_size: u64,
        /// The root the proof leads to.
        computed: Hash,
        /// The root it should lead to.
        expected: Hash,
    },
    /// The consistency proof does not reproduce the older root.
    #[error("consistency proof from {from} to {to} rebuilds old root {}, expected {}", hex(.computed), hex(.expected))]
    OldRootMismatch {
        /// The older tree size.
        from: u64,
        /// The newer tree size.
        to: u64,
        /// The old root the proof rebuilds.
        computed: Hash,
        /// The old root it should rebuild.
        expected: Hash,
    },
    /// The consistency proof does not reproduce the newer root.
    #[error("consistency proof from {from} to {to} rebuilds new root {}, expected {}", hex(.computed), hex(.expected))]
    NewRootMismatch {
        /// The older tree size.
        from: u64,
        /// The newer tree size.
        to: u64,
        /// The new root the proof rebuilds.
        computed: Hash,
        /// The new root it should rebuild.
        expected: Hash,
    },
}

/// The number of hashes in the audit path of `index` in a tree of `tree_size` leaves (index < tree_size).
///
/// `inner` levels lie below the point where the path of `index` and of the last leaf diverge; above it,
/// one hash per left sibling on the right border (a set bit of `index >> inner`).
pub fn inclusion_proof_len(index: u64, tree_size: u64) -> usize {
    let (inner, border) = decompose_inclusion(index, tree_size);
    (inner + border) as usize
}

/// The number of hashes in the consistency proof from `from` to `to` leaves (`from <= to`).
pub fn consistency_proof_len(from: u64, to: u64) -> usize {
    if from == 0 || from >= to {
        return 0;
    }
    let (inner, border) = decompose_inclusion(from - 1, to);
    let shift = from.trailing_zeros();
    let seed = usize::from(!from.is_power_of_two());
    seed + (inner - shift) as usize + border as usize
}

fn decompose_inclusion(index: u64, tree_size: u64) -> (u32, u32) {
    let inner = 64 - (index ^ (tree_size - 1)).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner, border)
}

/// Check that `leaf_hash` is leaf `index` of the tree of `tree_size` leaves whose head is `root`.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    tree_size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    let computed = root_from_inclusion_proof(leaf_hash, index, tree_size, proof)?;
    if computed != *root {
        return Err(VerifyError::InclusionRootMismatch {
            index,
            tree_size,
            computed,
            expected: *root,
        });
    }
    Ok(())
}

/// The root implied by an inclusion proof (RFC 9162 section 2.1.3.2), after checking its length.
pub fn root_from_inclusion_proof(
    leaf_hash: &Hash,
    index: u64,
    tree_size: u64,
    proof: &[Hash],
) -> Result<Hash, VerifyError> {
    if index >= tree_size {
        return Err(VerifyError::IndexOutOfRange { index, tree_size });
    }
    let expected = inclusion_proof_len(index, tree_size);
    if proof.len() != expected {
        return Err(VerifyError::InclusionProofLength {
            actual: proof.len(),
            expected,
            index,
            tree_size,
        });
    }
    let mut position = index;
    let mut last = tree_size - 1;
    let mut hash = *leaf_hash;
    for sibling in proof {
        if position & 1 == 1 || position == last {
            hash = node_hash(sibling, &hash);
            if position & 1 == 0 {
                // A right-border node with no right sibling: climb until it is a right child.
                while position & 1 == 0 && position != 0 {
                    position >>= 1;
                    last >>= 1;
                }
            }
        } else {
            hash = node_hash(&hash, sibling);
        }
        position >>= 1;
        last >>= 1;
    }
    Ok(hash)
}

/// Check that the tree of `to` leaves with head `to_root` extends the tree of `from` leaves with head `from_root`.
///
/// From the empty tree (`from == 0`) the proof must be empty and `from_root` must be the empty root.
pub fn verify_consistency(
    from: u64,
    to: u64,
    from_root: &Hash,
    to_root: &Hash,
    proof: &[Hash],
) -> Result<(), VerifyError> {
    if from > to {
        return Err(VerifyError::ShrinkingTree { from, to });
    }
    let expected = consistency_proof_len(from, to);
    if proof.len() != expected {
        return Err(VerifyError::ConsistencyProofLength {
            actual: proof.len(),
            expected,
            from,
            to,
        });
    }
    if from == 0 {
        let empty = crate::hash::empty_root();
        if *from_root != empty {
            return Err(VerifyError::OldRootMismatch {
                from,
                to,
                computed: empty,
                expected: *from_root,
            });
        }
        return Ok(());
    }
    if from == to {
        if from_root != to_root {
            return Err(VerifyError::NewRootMismatch {
                from,
                to,
                computed: *from_root,
                expected: *to_root,
            });
        }
        return Ok(());
    }
    // RFC 9162 section 2.1.4.2. When `from` is a power of two the old root is itself the first node.
    let mut path = proof.iter();
    let seed = if from.is_power_of_two() {
        *from_root
    } else {
        // The length check above guarantees a first element.
        match path.next() {
            Some(first) => *first,
            None => {
                return Err(VerifyError::ConsistencyProofLength {
                    actual: 0,
                    expected,
                    from,
                    to,
                });
            }
        }
    };
    let mut position = from - 1;
    let mut last = to - 1;
    while position & 1 == 1 {
        position >>= 1;
        last >>= 1;
    }
    let mut old_hash = seed;
    let mut new_hash = seed;
    for sibling in path {
        if position & 1 == 1 || position == last {
            old_hash = node_hash(sibling, &old_hash);
            new_hash = node_hash(sibling, &new_hash);
            if position & 1 == 0 {
                while position & 1 == 0 && position != 0 {
                    position >>= 1;
                    last >>= 1;
                }
            }
        } else {
            new_hash = node_hash(&new_hash, sibling);
        }
        position >>= 1;
        last >>= 1;
    }
    if old_hash != *from_root {
        return Err(VerifyError::OldRootMismatch {
            from,
            to,
            computed: old_hash,
            expected: *from_root,
        });
    }
    if new_hash != *to_root {
        return Err(VerifyError::NewRootMismatch {
            from,
            to,
            computed: new_hash,
            expected: *to_root,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{empty_root, leaf_hash};

    #[test]
    fn proof_lengths_follow_the_tree_shape() {
        assert_eq!(inclusion_proof_len(0, 1), 0);
        assert_eq!(inclusion_proof_len(0, 8), 3);
        assert_eq!(inclusion_proof_len(6, 7), 2);
        assert_eq!(inclusion_proof_len(4, 20), 5);
        assert_eq!(inclusion_proof_len(u64::MAX - 1, u64::MAX), 63);
        assert_eq!(consistency_proof_len(0, 5), 0);
        assert_eq!(consistency_proof_len(5, 5), 0);
        assert_eq!(consistency_proof_len(4, 8), 1);
        assert_eq!(consistency_proof_len(1, 8), 3);
        assert_eq!(consistency_proof_len(6, 8), 3);
    }

    #[test]
    fn single_leaf_tree_root_is_the_leaf_hash() {
        let leaf = leaf_hash(b"data");
        assert_eq!(verify_inclusion(&leaf, 0, 1, &[], &leaf), Ok(()));
        assert!(verify_inclusion(&leaf, 0, 1, &[], &empty_root()).is_err());
        assert_eq!(
            verify_inclusion(&leaf, 1, 1, &[], &leaf),
            Err(VerifyError::IndexOutOfRange {
                index: 1,
                tree_size: 1
            })
        );
        assert!(verify_inclusion(&leaf, 0, 0, &[], &leaf).is_err());
    }

    #[test]
    fn trivial_consistency_needs_matching_roots_and_no_proof() {
        let root = leaf_hash(b"x");
        assert_eq!(
            verify_consistency(0, 0, &empty_root(), &empty_root(), &[]),
            Ok(())
        );
        assert_eq!(verify_consistency(0, 5, &empty_root(), &root, &[]), Ok(()));
        assert!(verify_consistency(0, 5, &root, &root, &[]).is_err());
        assert_eq!(verify_consistency(3, 3, &root, &root, &[]), Ok(()));
        assert!(verify_consistency(3, 3, &root, &empty_root(), &[]).is_err());
        assert!(verify_consistency(3, 3, &root, &root, &[root]).is_err());
        assert!(verify_consistency(1, 2, &root, &root, &[]).is_err());
    }

    #[test]
    fn root_mismatch_messages_show_both_roots() {
        let leaf = leaf_hash(b"data");
        let error = verify_inclusion(&leaf, 0, 1, &[], &empty_root()).expect_err("wrong root");
        let message = error.to_string();
        assert!(
            message.contains(&hex(&leaf)) && message.contains(&hex(&empty_root())),
            "{message}"
        );
    }
}
