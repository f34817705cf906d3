//! Node ids of perfect subtrees, and [`Plan`]s: which stored nodes answer a question and how to combine them.
//!
//! A database-backed log stores every completed perfect subtree hash under its [`NodeId`]. Any tree head,
//! audit path or consistency proof is a list of Merkle tree hashes of ranges `[start, end)` of leaves, and
//! each such range (as the RFC 9162 recursion produces them) splits into perfect subtrees of strictly
//! decreasing size. A `Plan` records that split so a caller fetches all nodes in one query and then calls
//! [`Plan::assemble`], which hashes them together without knowing where they came from.

use crate::hash::{Hash, empty_root, node_hash};
use crate::proof::ProofError;

/// A perfect, aligned subtree: leaves `[index * 2^level, (index + 1) * 2^level)`. Level 0 is a leaf hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height above the leaves: the subtree covers `2^level` leaves.
    pub level: u8,
    /// Position among the subtrees of this level, counted from the left.
    pub index: u64,
}

impl NodeId {
    /// The node id of leaf `index`.
    pub fn leaf(index: u64) -> Self {
        NodeId { level: 0, index }
    }

    /// The first leaf this subtree covers.
    pub fn start(&self) -> u64 {
        self.index << self.level
    }

    /// One past the last leaf this subtree covers (saturating at `u64::MAX`).
    pub fn end(&self) -> u64 {
        let end = (u128::from(self.index) + 1) << self.level;
        u64::try_from(end).unwrap_or(u64::MAX)
    }

    /// The number of leaves this subtree covers.
    pub fn width(&self) -> u64 {
        1u64 << self.level
    }
}

/// What a database must fetch to answer a question: perfect subtree node ids, and how to combine them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// One entry per output hash: positions in `nodes` of the perfect subtrees (left to right) whose
    /// Merkle tree hash it is.
    outputs: Vec<Vec<usize>>,
    /// Every node of `outputs`, deduplicated, in first-use order.
    nodes: Vec<NodeId>,
}

impl Plan {
    /// The tree head: the Merkle tree hash of the first `tree_size` leaves (the empty root for size 0).
    ///
    /// Its nodes are the perfect subtrees making up the tree, left to right (largest first).
    pub fn root(tree_size: u64) -> Plan {
        Plan::from_ranges(&[(0, tree_size)])
    }

    /// The audit path of leaf `index` in a tree of `tree_size` leaves (RFC 9162 section 2.1.3.1), leaf to root.
    pub fn inclusion(index: u64, tree_size: u64) -> Result<Plan, ProofError> {
        if index >= tree_size {
            return Err(ProofError::IndexOutOfRange { index, tree_size });
        }
        let mut ranges = Vec::new();
        inclusion_ranges(index, 0, tree_size, &mut ranges);
        Ok(Plan::from_ranges(&ranges))
    }

    /// The consistency proof between trees of `from` and `to` leaves (RFC 9162 section 2.1.4.1).
    ///
    /// The proof is empty when `from == to` or `from == 0`: any tree extends itself and the empty tree.
    pub fn consistency(from: u64, to: u64) -> Result<Plan, ProofError> {
        if from > to {
            return Err(ProofError::ShrinkingTree { from, to });
        }
        let mut ranges = Vec::new();
        if from > 0 && from < to {
            consistency_ranges(from, 0, to, true, &mut ranges);
        }
        Ok(Plan::from_ranges(&ranges))
    }

    /// Every node to fetch, deduplicated, in first-use order (for [`Plan::root`]: left to right).
    pub fn nodes(&self) -> &[NodeId] {
        &self.nodes
    }

    /// How many hashes [`Plan::assemble`] returns.
    pub fn output_len(&self) -> usize {
        self.outputs.len()
    }

    /// Combine fetched node hashes into the answer: one hash for a root plan, the proof for the others.
    pub fn assemble(
        &self,
        lookup: impl Fn(NodeId) -> Option<Hash>,
    ) -> Result<Vec<Hash>, ProofError> {
        let fetched = self
            .nodes
            .iter()
            .map(|&node| lookup(node).ok_or(ProofError::MissingNode(node)))
            .collect::<Result<Vec<Hash>, ProofError>>()?;
        self.assemble_fetched(&fetched)
    }

    /// Like [`Plan::assemble`], for hashes already fetched in the order of [`Plan::nodes`].
    pub fn assemble_fetched(&self, fetched: &[Hash]) -> Result<Vec<Hash>, ProofError> {
        if fetched.len() != self.nodes.len() {
            return Err(ProofError::FetchedCount {
                expected: self.nodes.len(),
                actual: fetched.len(),
            });
        }
        Ok(self
            .outputs
            .iter()
            .map(|positions| {
                let mut hashes = positions.iter().rev().map(|&position| fetched[position]);
                match hashes.next() {
                    None => empty_root(),
                    Some(rightmost) => {
                        hashes.fold(rightmost, |right, left| node_hash(&left, &right))
                    }
                }
            })
            .collect())
    }

    fn from_ranges(ranges: &[(u64, u64)]) -> Plan {
        let mut nodes: Vec<NodeId> = Vec::new();
        let outputs = ranges
            .iter()
            .map(|&(start, end)| {
                perfect_subtrees(start, end)
                    .into_iter()
                    .map(|node| match nodes.iter().position(|known| *known == node) {
                        Some(position) => position,
                        None => {
                            nodes.push(node);
                            nodes.len() - 1
                        }
                    })
                    .collect()
            })
            .collect();
        Plan { outputs, nodes }
    }
}

/// The perfect aligned subtrees that cover `[start, end)`, left to right, greedily as large as possible.
///
/// For the ranges RFC 9162 produces (`start` aligned to a power of two at least `end - start`) the sizes
/// strictly decrease, and folding the hashes from the right gives the range's Merkle tree hash.
pub(crate) fn perfect_subtrees(start: u64, end: u64) -> Vec<NodeId> {
    let mut nodes = Vec::new();
    let mut position = start;
    while position < end {
        let alignment = if position == 0 {
            63
        } else {
            position.trailing_zeros()
        };
        let fits = 63 - (end - position).leading_zeros();
        let level = alignment.min(fits);
        nodes.push(NodeId {
            level: level as u8,
            index: position >> level,
        });
        position += 1u64 << level;
    }
    nodes
}

/// The largest power of two strictly less than `n` (for `n >= 2`).
pub(crate) fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// RFC 9162 PATH(m, D[offset:offset+n]) as ranges of absolute leaf positions.
fn inclusion_ranges(m: u64, offset: u64, n: u64, out: &mut Vec<(u64, u64)>) {
    if n <= 1 {
        return;
    }
    let k = split_point(n);
    if m < k {
        inclusion_ranges(m, offset, k, out);
        out.push((offset + k, offset + n));
    } else {
        inclusion_ranges(m - k, offset + k, n - k, out);
        out.push((offset, offset + k));
    }
}

/// RFC 9162 SUBPROOF(m, D[offset:offset+n], b) as ranges of absolute leaf positions.
fn consistency_ranges(
    m: u64,
    offset: u64,
    n: u64,
    whole_old_tree: bool,
    out: &mut Vec<(u64, u64)>,
) {
    if m == n {
        if !whole_old_tree {
            out.push((offset, offset + n));
        }
        return;
    }
    let k = split_point(n);
    if m <= k {
        consistency_ranges(m, offset, k, whole_old_tree, out);
        out.push((offset + k, offset + n));
    } else {
        consistency_ranges(m - k, offset + k, n - k, false, out);
        out.push((offset, offset + k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(level: u8, index: u64) -> NodeId {
        NodeId { level, index }
    }

    #[test]
    fn node_ids_cover_their_leaves() {
        assert_eq!((node(0, 5).start(), node(0, 5).end()), (5, 6));
        assert_eq!(
            (node(3, 2).start(), node(3, 2).end(), node(3, 2).width()),
            (16, 24, 8)
        );
        assert_eq!(node(63, 1).end(), u64::MAX);
    }

    #[test]
    fn ranges_split_into_decreasing_perfect_subtrees() {
        assert_eq!(perfect_subtrees(0, 0), vec![]);
        assert_eq!(
            perfect_subtrees(0, 13),
            vec![node(3, 0), node(2, 2), node(0, 12)]
        );
        assert_eq!(perfect_subtrees(8, 11), vec![node(1, 4), node(0, 10)]);
        assert_eq!(perfect_subtrees(4, 8), vec![node(2, 1)]);
        let huge = perfect_subtrees(0, u64::MAX);
        assert_eq!(huge.len(), 64);
        assert_eq!(huge[0], node(63, 0));
    }

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(8), 4);
        assert_eq!(split_point(9), 8);
        assert_eq!(split_point(u64::MAX), 1 << 63);
    }

    #[test]
    fn root_plan_lists_the_right_edge_left_to_right() {
        assert_eq!(Plan::root(0).nodes(), &[]);
        assert_eq!(Plan::root(0).assemble(|_| None), Ok(vec![empty_root()]));
        assert_eq!(Plan::root(6).nodes(), &[node(2, 0), node(1, 2)]);
        assert_eq!(Plan::root(6).output_len(), 1);
    }

    #[test]
    fn inclusion_plan_walks_leaf_to_root() {
        // Index 5 of 8: sibling leaf 4, then pair (6,7), then the left half.
        let plan = Plan::inclusion(5, 8).expect("in range");
        assert_eq!(plan.nodes(), &[node(0, 4), node(1, 3), node(2, 0)]);
        // Index 6 of 7: the last leaf has no sibling at level 0; the proof is the pair (4,5) and the left half.
        let plan = Plan::inclusion(6, 7).expect("in range");
        assert_eq!(plan.nodes(), &[node(1, 2), node(2, 0)]);
        assert_eq!(Plan::inclusion(0, 1).expect("in range").output_len(), 0);
    }

    #[test]
    fn inclusion_plan_combines_a_ragged_right_subtree() {
        // Index 0 of 7: the last output is MTH(D[4:7]) = node(1,2) combined with leaf 6.
        let plan = Plan::inclusion(0, 7).expect("in range");
        assert_eq!(
            plan.nodes(),
            &[node(0, 1), node(1, 1), node(1, 2), node(0, 6)]
        );
        let lookup = |id: NodeId| Some([id.level * 16 + id.index as u8; 32]);
        let proof = plan.assemble(lookup).expect("all present");
        assert_eq!(proof.len(), 3);
        assert_eq!(proof[2], node_hash(&[0x12; 32], &[0x06; 32]));
    }

    #[test]
    fn assemble_fetched_takes_hashes_in_node_order() {
        let plan = Plan::root(3);
        assert_eq!(
            plan.assemble_fetched(&[[1; 32]]),
            Err(ProofError::FetchedCount {
                expected: 2,
                actual: 1
            })
        );
        assert_eq!(
            plan.assemble_fetched(&[[1; 32], [2; 32]]),
            Ok(vec![node_hash(&[1; 32], &[2; 32])])
        );
    }

    #[test]
    fn consistency_plan_is_empty_for_trivial_questions() {
        assert_eq!(Plan::consistency(0, 9).expect("ok").output_len(), 0);
        assert_eq!(Plan::consistency(9, 9).expect("ok").output_len(), 0);
        // From a power of two the old root itself is not in the proof.
        assert_eq!(Plan::consistency(4, 8).expect("ok").nodes(), &[node(2, 1)]);
    }
}
