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
    /// Panics never; a tree of `u64::MAX` leaves is refused by [`Frontier::try_push`], while this method
    /// (used where sizes are far below that) leaves the frontier unchanged and returns nothing.
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
