//! The right edge of the tree: what an appender needs to extend the log without reading it.
//!
//! A tree of `size` leaves is a row of perfect subtrees, one per set bit of `size`, largest first. Appending
//! a leaf adds a level-0 subtree and merges equal-sized neighbours, which yields exactly the perfect nodes
//! that became complete: a database stores those and never rewrites a node.

use crate::hash::{Hash, empty_root, node_hash};
use crate::tree::{NodeId, Plan};

/// Why a frontier could not be rebuilt from stored nodes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontierError {
    /// The number of hashes does not match the number of perfect subtrees of the tree size.
    #[error(
        "a tree of size {size} has {expected} perfect subtrees on its right edge, got {actual} hashes"
    )]
    WrongNodeCount {
        /// The tree size.
        size: u64,
        /// Perfect subtrees in a tree of that size (its number of set bits).
        expected: usize,
        /// Hashes received.
        actual: usize,
    },
    /// The tree is full: `u64::MAX` leaves.
    #[error("the tree cannot grow past {size} leaves")]
    Full {
        /// The tree size.
        size: u64,
    },
}

/// The right edge of the tree: the perfect subtrees that make up the first `size` leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// Perfect subtrees, left to right, strictly decreasing in level.
    nodes: Vec<(NodeId, Hash)>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn empty() -> Self {
        Frontier {
            size: 0,
            nodes: Vec::new(),
        }
    }

    /// Rebuild a frontier from the hashes of the perfect subtrees of a tree of `size` leaves, left to right
    /// (the order of `Plan::root(size).nodes()`).
    pub fn from_nodes(size: u64, hashes: &[Hash]) -> Result<Self, FrontierError> {
        let ids = Plan::root(size).nodes().to_vec();
        if ids.len() != hashes.len() {
            return Err(FrontierError::WrongNodeCount {
                size,
                expected: ids.len(),
                actual: hashes.len(),
            });
        }
        Ok(Frontier {
            size,
            nodes: ids.into_iter().zip(hashes.iter().copied()).collect(),
        })
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect subtrees making up the tree, left to right.
    pub fn nodes(&self) -> Vec<(NodeId, Hash)> {
        self.nodes.clone()
    }

    /// Append a leaf; returns the newly completed perfect nodes, the level-0 leaf node first, then upwards.
    ///
    /// A tree cannot hold more than `u64::MAX` leaves; past that this returns nothing and changes
    /// nothing. Callers that could get there use [`Frontier::try_push`].
    pub fn push(&mut self, leaf_hash: Hash) -> Vec<(NodeId, Hash)> {
        self.try_push(leaf_hash).unwrap_or_default()
    }

    /// Append a leaf, refusing to grow past `u64::MAX` leaves.
    pub fn try_push(&mut self, leaf_hash: Hash) -> Result<Vec<(NodeId, Hash)>, FrontierError> {
        let new_size = self
            .size
            .checked_add(1)
            .ok_or(FrontierError::Full { size: self.size })?;
        let mut completed = Vec::with_capacity(1 + new_size.trailing_zeros() as usize);
        let mut node = (NodeId::leaf(self.size), leaf_hash);
        completed.push(node);
        while let Some(&(left_id, left_hash)) = self.nodes.last() {
            if left_id.level != node.0.level {
                break;
            }
            self.nodes.pop();
            let parent = NodeId {
                level: left_id.level + 1,
                index: left_id.index >> 1,
            };
            node = (parent, node_hash(&left_hash, &node.1));
            completed.push(node);
        }
        self.nodes.push(node);
        self.size = new_size;
        Ok(completed)
    }

    /// The tree head: the Merkle tree hash of all leaves.
    pub fn root(&self) -> Hash {
        let mut hashes = self.nodes.iter().rev().map(|(_, hash)| *hash);
        match hashes.next() {
            None => empty_root(),
            Some(rightmost) => hashes.fold(rightmost, |right, left| node_hash(&left, &right)),
        }
    }
}

impl Default for Frontier {
    fn default() -> Self {
        Frontier::empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn push_reports_every_completed_node_bottom_up() {
        let mut frontier = Frontier::empty();
        let leaves: Vec<Hash> = (0u8..4).map(|byte| leaf_hash(&[byte])).collect();
        assert_eq!(frontier.push(leaves[0]), vec![(NodeId::leaf(0), leaves[0])]);
        let pair = node_hash(&leaves[0], &leaves[1]);
        assert_eq!(
            frontier.push(leaves[1]),
            vec![
                (NodeId::leaf(1), leaves[1]),
                (NodeId { level: 1, index: 0 }, pair)
            ]
        );
        assert_eq!(frontier.push(leaves[2]).len(), 1);
        let completed = frontier.push(leaves[3]);
        let right_pair = node_hash(&leaves[2], &leaves[3]);
        assert_eq!(
            completed,
            vec![
                (NodeId::leaf(3), leaves[3]),
                (NodeId { level: 1, index: 1 }, right_pair),
                (NodeId { level: 2, index: 0 }, node_hash(&pair, &right_pair)),
            ]
        );
        assert_eq!(frontier.size(), 4);
        assert_eq!(
            frontier.nodes(),
            vec![(NodeId { level: 2, index: 0 }, node_hash(&pair, &right_pair))]
        );
    }

    #[test]
    fn root_of_ragged_tree_folds_from_the_right() {
        let mut frontier = Frontier::empty();
        assert_eq!(frontier.root(), empty_root());
        let leaves: Vec<Hash> = (0u8..3).map(|byte| leaf_hash(&[byte])).collect();
        for leaf in &leaves {
            frontier.push(*leaf);
        }
        assert_eq!(
            frontier.root(),
            node_hash(&node_hash(&leaves[0], &leaves[1]), &leaves[2])
        );
        assert_eq!(frontier.nodes().len(), 2);
    }

    #[test]
    fn from_nodes_checks_the_count() {
        assert_eq!(
            Frontier::from_nodes(7, &[empty_root(); 2]),
            Err(FrontierError::WrongNodeCount {
                size: 7,
                expected: 3,
                actual: 2
            })
        );
        assert_eq!(Frontier::from_nodes(0, &[]), Ok(Frontier::empty()));
        let frontier = Frontier::from_nodes(6, &[[1; 32], [2; 32]]).expect("two subtrees");
        assert_eq!(
            frontier.nodes(),
            vec![
                (NodeId { level: 2, index: 0 }, [1; 32]),
                (NodeId { level: 1, index: 2 }, [2; 32])
            ]
        );
    }

    #[test]
    fn a_full_tree_refuses_more_leaves() {
        let ones: Vec<Hash> = vec![[0; 32]; 64];
        let mut full = Frontier::from_nodes(u64::MAX, &ones).expect("64 subtrees");
        assert_eq!(
            full.try_push([0; 32]),
            Err(FrontierError::Full { size: u64::MAX })
        );
        assert_eq!(full.push([0; 32]), vec![]);
        assert_eq!(full.size(), u64::MAX);
    }
}
