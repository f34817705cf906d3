//! Roots, audit paths and consistency proofs built from [`Plan`]s over nodes stored by [`Frontier::push`],
//! checked against the RFC 6962 test vectors and against an independent implementation (`ct-merkle`).

use std::collections::HashMap;

use clearinghouse_tlog::proof::{consistency_proof_len, inclusion_proof_len};
use clearinghouse_tlog::{
    Frontier, Hash, NodeId, Plan, ProofError, VerifyError, empty_root, leaf_hash,
    verify_consistency, verify_inclusion,
};
use ct_merkle::mem_backed_tree::MemoryBackedTree;
use proptest::prelude::*;

/// A log kept the way a database would keep it: every completed perfect node, by id.
struct NodeStore {
    frontier: Frontier,
    nodes: HashMap<NodeId, Hash>,
}

impl NodeStore {
    fn new() -> Self {
        NodeStore {
            frontier: Frontier::empty(),
            nodes: HashMap::new(),
        }
    }

    fn with_leaves<T: AsRef<[u8]>>(leaves: impl IntoIterator<Item = T>) -> Self {
        let mut store = NodeStore::new();
        for leaf in leaves {
            store.append(leaf.as_ref());
        }
        store
    }

    fn append(&mut self, leaf: &[u8]) {
        for (id, hash) in self.frontier.push(leaf_hash(leaf)) {
            assert!(
                self.nodes.insert(id, hash).is_none(),
                "node {id:?} completed twice"
            );
        }
    }

    fn run(&self, plan: &Plan) -> Vec<Hash> {
        plan.assemble(|id| self.nodes.get(&id).copied())
            .expect("every planned node is stored")
    }

    fn root(&self, size: u64) -> Hash {
        let hashes = self.run(&Plan::root(size));
        assert_eq!(hashes.len(), 1);
        hashes[0]
    }

    fn inclusion(&self, index: u64, size: u64) -> Vec<Hash> {
        self.run(&Plan::inclusion(index, size).expect("index inside the tree"))
    }

    fn consistency(&self, from: u64, to: u64) -> Vec<Hash> {
        self.run(&Plan::consistency(from, to).expect("from <= to"))
    }
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn h(text: &str) -> Hash {
    unhex(text).try_into().expect("32 bytes")
}

fn hashes(texts: &[&str]) -> Vec<Hash> {
    texts.iter().map(|text| h(text)).collect()
}

// RFC 6962 reference tree: the leaves and tree heads of certificate-transparency's merkle_tree tests, as
// carried in transparency-dev/merkle `proof/verify_test.go` (variables `leaves` and `roots`).
const RFC_LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];
const RFC_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// Published audit paths (transparency-dev/merkle `proof/verify_test.go`, `inclusionProofs`; that table
/// counts leaves from 1, these indices from 0).
fn rfc_inclusion_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (
            0,
            8,
            hashes(&[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]),
        ),
        (
            5,
            8,
            hashes(&[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        ),
        (
            2,
            3,
            hashes(&["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        ),
        (
            1,
            5,
            hashes(&[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]),
        ),
        (0, 1, Vec::new()),
    ]
}

/// Published consistency proofs (transparency-dev/merkle `proof/verify_test.go`, `consistencyProofs`).
fn rfc_consistency_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (1, 1, Vec::new()),
        (
            1,
            8,
            hashes(&[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]),
        ),
        (
            6,
            8,
            hashes(&[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        ),
        (
            2,
            5,
            hashes(&[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]),
        ),
        (
            6,
            7,
            hashes(&[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]),
        ),
    ]
}

fn rfc_store() -> NodeStore {
    NodeStore::with_leaves(RFC_LEAVES.iter().map(|leaf| unhex(leaf)))
}

#[test]
fn roots_match_rfc6962_vectors() {
    let store = rfc_store();
    assert_eq!(store.root(0), empty_root());
    for (size, expected) in (1..=8).zip(RFC_ROOTS) {
        assert_eq!(store.root(size), h(expected), "root of size {size}");
    }
    assert_eq!(store.frontier.root(), h(RFC_ROOTS[7]));
}

#[test]
fn inclusion_proofs_match_rfc6962_vectors() {
    let store = rfc_store();
    for (index, size, expected) in rfc_inclusion_vectors() {
        assert_eq!(
            store.inclusion(index, size),
            expected,
            "audit path of {index} in {size}"
        );
        let leaf = leaf_hash(&unhex(RFC_LEAVES[index as usize]));
        verify_inclusion(
            &leaf,
            index,
            size,
            &expected,
            &h(RFC_ROOTS[size as usize - 1]),
        )
        .expect("published proof verifies");
    }
}

#[test]
fn consistency_proofs_match_rfc6962_vectors() {
    let store = rfc_store();
    for (from, to, expected) in rfc_consistency_vectors() {
        assert_eq!(
            store.consistency(from, to),
            expected,
            "consistency {from} -> {to}"
        );
        let from_root = h(RFC_ROOTS[from as usize - 1]);
        let to_root = h(RFC_ROOTS[to as usize - 1]);
        verify_consistency(from, to, &from_root, &to_root, &expected)
            .expect("published proof verifies");
    }
}

/// Every way transparency-dev/merkle's `corruptInclusionProof` mangles a proof must be rejected.
#[test]
fn corrupted_rfc_inclusion_proofs_are_rejected() {
    let some_hash = h("abacaba000000000000000000000000000000000000000000060061e00123456");
    for (index, size, proof) in rfc_inclusion_vectors() {
        let leaf = leaf_hash(&unhex(RFC_LEAVES[index as usize]));
        let root = h(RFC_ROOTS[size as usize - 1]);
        let mut probes: Vec<(u64, u64, Hash, Hash, Vec<Hash>, String)> = vec![
            (
                index.wrapping_sub(1),
                size,
                leaf,
                root,
                proof.clone(),
                "index - 1".into(),
            ),
            (
                index + 1,
                size,
                leaf,
                root,
                proof.clone(),
                "index + 1".into(),
            ),
            (
                index ^ 2,
                size,
                leaf,
                root,
                proof.clone(),
                "index ^ 2".into(),
            ),
            (
                index,
                size * 2,
                leaf,
                root,
                proof.clone(),
                "size * 2".into(),
            ),
            (
                index,
                size / 2,
                leaf,
                root,
                proof.clone(),
                "size / 2".into(),
            ),
            (
                index,
                size,
                leaf_hash(b"WrongLeaf"),
                root,
                proof.clone(),
                "wrong leaf".into(),
            ),
            (
                index,
                size,
                leaf,
                empty_root(),
                proof.clone(),
                "empty root".into(),
            ),
            (
                index,
                size,
                leaf,
                some_hash,
                proof.clone(),
                "random root".into(),
            ),
            (
                index,
                size,
                leaf,
                root,
                [proof.clone(), vec![root]].concat(),
                "trailing root".into(),
            ),
            (
                index,
                size,
                leaf,
                root,
                [vec![root], proof.clone()].concat(),
                "preceding root".into(),
            ),
        ];
        for position in 0..proof.len() {
            let mut flipped = proof.clone();
            flipped[position][0] ^= 8;
            probes.push((
                index,
                size,
                leaf,
                root,
                flipped,
                format!("proof[{position}] bit 3"),
            ));
        }
        if !proof.is_empty() {
            probes.push((
                index,
                size,
                leaf,
                root,
                proof[..proof.len() - 1].to_vec(),
                "removed component".into(),
            ));
        }
        if proof.len() > 1 {
            let inserted = [vec![proof[0], some_hash], proof[1..].to_vec()].concat();
            probes.push((
                index,
                size,
                leaf,
                root,
                inserted,
                "inserted component".into(),
            ));
        }
        for (probe_index, probe_size, probe_leaf, probe_root, probe_proof, description) in probes {
            assert!(
                verify_inclusion(
                    &probe_leaf,
                    probe_index,
                    probe_size,
                    &probe_proof,
                    &probe_root
                )
                .is_err(),
                "{description} verified for index {index} size {size}"
            );
        }
    }
}

/// Every way transparency-dev/merkle's `corruptConsistencyProof` mangles a proof must be rejected.
#[test]
fn corrupted_rfc_consistency_proofs_are_rejected() {
    for (from, to, proof) in rfc_consistency_vectors() {
        if proof.is_empty() {
            continue;
        }
        let root1 = h(RFC_ROOTS[from as usize - 1]);
        let root2 = h(RFC_ROOTS[to as usize - 1]);
        let wrong = leaf_hash(b"WrongRoot");
        let mut probes: Vec<(u64, u64, Hash, Hash, Vec<Hash>, String)> = vec![
            (from - 1, to, root1, root2, proof.clone(), "from - 1".into()),
            (from + 1, to, root1, root2, proof.clone(), "from + 1".into()),
            (from ^ 2, to, root1, root2, proof.clone(), "from ^ 2".into()),
            (from, to * 2, root1, root2, proof.clone(), "to * 2".into()),
            (from, to / 2, root1, root2, proof.clone(), "to / 2".into()),
            (from, to, wrong, root2, proof.clone(), "wrong root1".into()),
            (from, to, root1, wrong, proof.clone(), "wrong root2".into()),
            (
                from,
                to,
                root2,
                root1,
                proof.clone(),
                "swapped roots".into(),
            ),
            (from, to, root1, root2, Vec::new(), "empty proof".into()),
            (
                from,
                to,
                root1,
                root2,
                [proof.clone(), vec![root1]].concat(),
                "trailing root1".into(),
            ),
            (
                from,
                to,
                root1,
                root2,
                [proof.clone(), vec![root2]].concat(),
                "trailing root2".into(),
            ),
            (
                from,
                to,
                root1,
                root2,
                [vec![root1], proof.clone()].concat(),
                "preceding root1".into(),
            ),
            (
                from,
                to,
                root1,
                root2,
                [vec![root2], proof.clone()].concat(),
                "preceding root2".into(),
            ),
            (
                from,
                to,
                root1,
                root2,
                [vec![proof[0]], proof.clone()].concat(),
                "preceding proof[0]".into(),
            ),
            (
                from,
                to,
                root1,
                root2,
                proof[..proof.len() - 1].to_vec(),
                "truncated proof".into(),
            ),
        ];
        for position in 0..proof.len() {
            let mut flipped = proof.clone();
            flipped[position][0] ^= 16;
            probes.push((
                from,
                to,
                root1,
                root2,
                flipped,
                format!("proof[{position}] bit 4"),
            ));
        }
        for (probe_from, probe_to, probe_root1, probe_root2, probe_proof, description) in probes {
            assert!(
                verify_consistency(
                    probe_from,
                    probe_to,
                    &probe_root1,
                    &probe_root2,
                    &probe_proof
                )
                .is_err(),
                "{description} verified for {from} -> {to}"
            );
        }
    }
}

fn ct_leaf(position: u64) -> Vec<u8> {
    format!("entry {position}").into_bytes()
}

/// Every root, every audit path and every consistency proof of every tree up to 64 leaves equals
/// ct-merkle's, and verifies.
#[test]
fn every_proof_up_to_size_64_matches_ct_merkle() {
    let mut reference: MemoryBackedTree<sha2::Sha256, Vec<u8>> = MemoryBackedTree::new();
    let mut store = NodeStore::new();
    let mut roots = vec![empty_root()];
    for size in 1..=64u64 {
        reference.push(ct_leaf(size - 1));
        store.append(&ct_leaf(size - 1));
        let root = store.root(size);
        assert_eq!(
            root.as_slice(),
            reference.root().as_bytes().as_slice(),
            "root of size {size}"
        );
        assert_eq!(store.frontier.root(), root);
        roots.push(root);
        for index in 0..size {
            let proof = store.inclusion(index, size);
            let expected = reference.prove_inclusion(index as usize);
            assert_eq!(
                proof.concat(),
                expected.as_bytes(),
                "audit path of {index} in {size}"
            );
            assert_eq!(proof.len(), inclusion_proof_len(index, size));
            verify_inclusion(&leaf_hash(&ct_leaf(index)), index, size, &proof, &root)
                .expect("inclusion verifies");
        }
        for from in 1..size {
            let proof = store.consistency(from, size);
            let expected = reference.prove_consistency((size - from) as usize);
            assert_eq!(
                proof.concat(),
                expected.as_bytes(),
                "consistency {from} -> {size}"
            );
            assert_eq!(proof.len(), consistency_proof_len(from, size));
            verify_consistency(from, size, &roots[from as usize], &root, &proof)
                .expect("consistency verifies");
            let wrong_from = if from > 1 { from - 1 } else { from + 1 };
            assert!(
                verify_consistency(wrong_from, size, &roots[from as usize], &root, &proof).is_err(),
                "consistency {from} -> {size} verified as {wrong_from} -> {size}"
            );
        }
        verify_consistency(0, size, &empty_root(), &root, &[])
            .expect("everything extends the empty tree");
        verify_consistency(size, size, &root, &root, &[]).expect("a tree extends itself");
    }
}

/// Plans ask only for nodes that are complete in the tree they describe, and never twice.
#[test]
fn plans_only_need_nodes_completed_by_then() {
    let store = NodeStore::with_leaves((0..40).map(ct_leaf));
    for size in 0..=40u64 {
        let complete = |id: &NodeId| id.end() <= size;
        assert!(Plan::root(size).nodes().iter().all(complete));
        for index in 0..size {
            let plan = Plan::inclusion(index, size).expect("in range");
            assert!(
                plan.nodes().iter().all(complete),
                "inclusion {index} in {size}"
            );
            let mut sorted = plan.nodes().to_vec();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), plan.nodes().len());
        }
        for from in 0..=size {
            assert!(
                Plan::consistency(from, size)
                    .expect("from <= size")
                    .nodes()
                    .iter()
                    .all(complete)
            );
        }
        let _ = store.root(size);
    }
}

#[test]
fn plans_refuse_impossible_questions() {
    assert_eq!(
        Plan::inclusion(5, 5),
        Err(ProofError::IndexOutOfRange {
            index: 5,
            tree_size: 5
        })
    );
    assert_eq!(
        Plan::inclusion(0, 0),
        Err(ProofError::IndexOutOfRange {
            index: 0,
            tree_size: 0
        })
    );
    assert_eq!(
        Plan::consistency(6, 5),
        Err(ProofError::ShrinkingTree { from: 6, to: 5 })
    );
    let missing = Plan::root(3)
        .assemble(|_| None)
        .expect_err("nothing stored");
    assert_eq!(
        missing,
        ProofError::MissingNode(NodeId { level: 1, index: 0 })
    );
    assert_eq!(
        missing.to_string(),
        "node at level 1 index 0 (leaves 0..2) is missing"
    );
}

#[test]
fn wrong_proof_length_names_what_was_expected() {
    let error = verify_inclusion(&empty_root(), 4, 20, &[empty_root(); 3], &empty_root())
        .expect_err("too short");
    assert_eq!(
        error.to_string(),
        "inclusion proof has 3 hashes, expected 5 for index 4 in a tree of size 20"
    );
    assert_eq!(
        verify_consistency(3, 2, &empty_root(), &empty_root(), &[]),
        Err(VerifyError::ShrinkingTree { from: 3, to: 2 })
    );
    let error =
        verify_consistency(3, 7, &empty_root(), &empty_root(), &[]).expect_err("empty proof");
    assert_eq!(
        error.to_string(),
        "consistency proof has 0 hashes, expected 4 from tree size 3 to 7"
    );
}

#[test]
fn frontier_rebuilt_from_stored_nodes_continues_identically() {
    let store = NodeStore::with_leaves((0..100).map(ct_leaf));
    for size in 0..100u64 {
        let plan = Plan::root(size);
        let stored: Vec<Hash> = plan.nodes().iter().map(|id| store.nodes[id]).collect();
        let mut rebuilt = Frontier::from_nodes(size, &stored).expect("right node count");
        assert_eq!(rebuilt.size(), size);
        assert_eq!(rebuilt.root(), store.root(size));
        let mut continued = NodeStore {
            frontier: rebuilt.clone(),
            nodes: store.nodes.clone(),
        };
        for position in size..100 {
            let completed = rebuilt.push(leaf_hash(&ct_leaf(position)));
            for (id, hash) in completed {
                assert_eq!(
                    store.nodes[&id], hash,
                    "node {id:?} after rebuilding at {size}"
                );
            }
            continued.frontier = rebuilt.clone();
        }
        assert_eq!(continued.frontier.root(), store.frontier.root());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Larger random trees: inclusion and consistency between random sizes equal ct-merkle's.
    #[test]
    fn random_larger_trees_match_ct_merkle(size in 65u64..1500, index_seed in any::<u64>(), from_seed in any::<u64>()) {
        let mut reference: MemoryBackedTree<sha2::Sha256, Vec<u8>> = MemoryBackedTree::new();
        let mut store = NodeStore::new();
        let mut roots = vec![empty_root()];
        for position in 0..size {
            reference.push(ct_leaf(position));
            store.append(&ct_leaf(position));
            roots.push(store.frontier.root());
        }
        let root = store.root(size);
        let reference_root = reference.root();
        prop_assert_eq!(root.as_slice(), reference_root.as_bytes().as_slice());
        let index = index_seed % size;
        let proof = store.inclusion(index, size);
        prop_assert_eq!(proof.concat(), reference.prove_inclusion(index as usize).as_bytes().to_vec());
        prop_assert!(verify_inclusion(&leaf_hash(&ct_leaf(index)), index, size, &proof, &root).is_ok());
        let from = 1 + from_seed % (size - 1);
        let proof = store.consistency(from, size);
        prop_assert_eq!(proof.concat(), reference.prove_consistency((size - from) as usize).as_bytes().to_vec());
        prop_assert!(verify_consistency(from, size, &roots[from as usize], &root, &proof).is_ok());
        // A proof for an older, smaller tree against a different old root must fail.
        prop_assert!(verify_consistency(from, size, &roots[from as usize - 1], &root, &proof).is_err());
    }

    /// Any single flipped bit anywhere in a valid inclusion proof is caught.
    #[test]
    fn flipped_bits_in_inclusion_proofs_are_caught(size in 2u64..300, index_seed in any::<u64>(), position_seed in any::<usize>(), bit in 0u8..8) {
        let store = NodeStore::with_leaves((0..size).map(ct_leaf));
        let index = index_seed % size;
        let mut proof = store.inclusion(index, size);
        prop_assume!(!proof.is_empty());
        let position = position_seed % proof.len();
        proof[position][position_seed % 32] ^= 1 << bit;
        let rejected = verify_inclusion(&leaf_hash(&ct_leaf(index)), index, size, &proof, &store.root(size)).is_err();
        prop_assert!(rejected);
    }

    /// Any single flipped bit anywhere in a valid consistency proof is caught.
    #[test]
    fn flipped_bits_in_consistency_proofs_are_caught(size in 3u64..300, from_seed in any::<u64>(), position_seed in any::<usize>(), bit in 0u8..8) {
        let store = NodeStore::with_leaves((0..size).map(ct_leaf));
        let from = 1 + from_seed % (size - 1);
        let mut proof = store.consistency(from, size);
        prop_assume!(!proof.is_empty());
        let position = position_seed % proof.len();
        proof[position][position_seed % 32] ^= 1 << bit;
        let rejected = verify_consistency(from, size, &store.root(from), &store.root(size), &proof).is_err();
        prop_assert!(rejected);
    }
}
