//! Throughput of the log's hot paths: appending through the frontier, planning and assembling proofs
//! against a stored tree of 1,000,000 leaves (a `HashMap` stands in for the database), verifying proofs,
//! and signing and opening checkpoint notes.

use std::collections::HashMap;
use std::hint::black_box;

use clearinghouse_tlog::{
    Checkpoint, Frontier, Hash, NodeId, NoteSigner, Plan, leaf_hash, verify_consistency,
    verify_inclusion,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ct_merkle::mem_backed_tree::MemoryBackedTree;

const TREE_SIZE: u64 = 1_000_000;

/// Every completed node of a tree of `size` leaves, as a log database would hold them.
fn stored_tree(size: u64) -> (Frontier, HashMap<NodeId, Hash>) {
    let mut frontier = Frontier::empty();
    let mut nodes = HashMap::with_capacity(2 * size as usize);
    for position in 0..size {
        nodes.extend(frontier.push(leaf_hash(&position.to_be_bytes())));
    }
    (frontier, nodes)
}

/// Deterministic spread of indices over the tree (a simple LCG, no extra dependency).
fn spread(count: usize, modulus: u64) -> Vec<u64> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) % modulus
        })
        .collect()
}

fn frontier_appends(c: &mut Criterion) {
    let leaf = leaf_hash(b"benchmark entry");
    let mut group = c.benchmark_group("frontier");
    group.throughput(Throughput::Elements(1));
    let mut frontier = Frontier::empty();
    group.bench_function("push (leaf hash given)", |b| {
        b.iter(|| black_box(frontier.push(black_box(leaf))))
    });
    let mut frontier = Frontier::empty();
    group.bench_function("leaf_hash + push", |b| {
        b.iter(|| {
            black_box(frontier.push(leaf_hash(black_box(b"{\"action\":\"publish\",\"id\":42}"))))
        })
    });
    group.finish();
}

fn proofs_at_one_million(c: &mut Criterion) {
    let (frontier, nodes) = stored_tree(TREE_SIZE);
    let root = frontier.root();
    let lookup = |id: NodeId| nodes.get(&id).copied();
    let indices = spread(1024, TREE_SIZE);
    let old_sizes: Vec<u64> = spread(1024, TREE_SIZE - 1)
        .into_iter()
        .map(|size| size + 1)
        .collect();
    let old_roots: Vec<Hash> = old_sizes
        .iter()
        .map(|&size| Plan::root(size).assemble(lookup).expect("stored")[0])
        .collect();

    let mut group = c.benchmark_group("tree of 1,000,000");
    let mut next = 0usize;
    group.bench_function("root plan + assemble", |b| {
        b.iter(|| {
            next = (next + 1) % old_sizes.len();
            black_box(Plan::root(old_sizes[next]).assemble(lookup))
        })
    });
    group.bench_function("inclusion plan + assemble", |b| {
        b.iter(|| {
            next = (next + 1) % indices.len();
            let plan = Plan::inclusion(indices[next], TREE_SIZE).expect("in range");
            black_box(plan.assemble(lookup))
        })
    });
    group.bench_function("consistency plan + assemble", |b| {
        b.iter(|| {
            next = (next + 1) % old_sizes.len();
            let plan = Plan::consistency(old_sizes[next], TREE_SIZE).expect("growing");
            black_box(plan.assemble(lookup))
        })
    });

    let inclusion_cases: Vec<(u64, Hash, Vec<Hash>)> = indices
        .iter()
        .map(|&index| {
            let proof = Plan::inclusion(index, TREE_SIZE)
                .expect("in range")
                .assemble(lookup)
                .expect("stored");
            (index, leaf_hash(&index.to_be_bytes()), proof)
        })
        .collect();
    group.bench_function("verify_inclusion", |b| {
        b.iter(|| {
            next = (next + 1) % inclusion_cases.len();
            let (index, leaf, proof) = &inclusion_cases[next];
            black_box(verify_inclusion(leaf, *index, TREE_SIZE, proof, &root)).expect("valid")
        })
    });
    let consistency_cases: Vec<(u64, Hash, Vec<Hash>)> = old_sizes
        .iter()
        .zip(&old_roots)
        .map(|(&size, old_root)| {
            let proof = Plan::consistency(size, TREE_SIZE)
                .expect("growing")
                .assemble(lookup)
                .expect("stored");
            (size, *old_root, proof)
        })
        .collect();
    group.bench_function("verify_consistency", |b| {
        b.iter(|| {
            next = (next + 1) % consistency_cases.len();
            let (size, old_root, proof) = &consistency_cases[next];
            black_box(verify_consistency(*size, TREE_SIZE, old_root, &root, proof)).expect("valid")
        })
    });
    group.finish();
}

fn checkpoint_notes(c: &mut Criterion) {
    let signer = NoteSigner::from_seed("clearinghouse.example/log", &[7; 32]).expect("valid name");
    let verifier = signer.verifier();
    let checkpoint = Checkpoint {
        origin: "clearinghouse.example/log".into(),
        size: TREE_SIZE,
        root: leaf_hash(b"root"),
        extensions: vec![],
    };
    let note = checkpoint.sign(&signer).expect("sign");
    let mut group = c.benchmark_group("checkpoint");
    group.bench_function("sign", |b| b.iter(|| black_box(checkpoint.sign(&signer))));
    group.bench_function("open (verify + parse)", |b| {
        b.iter(|| black_box(Checkpoint::open(&note, &verifier)))
    });
    group.finish();
}

/// The same questions answered by ct-merkle 0.3, an in-memory implementation, in the same run.
fn peer_ct_merkle(c: &mut Criterion) {
    let mut tree: MemoryBackedTree<sha2::Sha256, [u8; 8]> = MemoryBackedTree::new();
    for position in 0..TREE_SIZE {
        tree.push(position.to_be_bytes());
    }
    let root = tree.root();
    let indices = spread(1024, TREE_SIZE);
    let proofs: Vec<_> = indices
        .iter()
        .map(|&index| (index, tree.prove_inclusion(index as usize)))
        .collect();
    let mut group = c.benchmark_group("peer ct-merkle 0.3, tree of 1,000,000");
    let mut next = 0usize;
    group.bench_function("prove_inclusion (in memory)", |b| {
        b.iter(|| {
            next = (next + 1) % indices.len();
            black_box(tree.prove_inclusion(indices[next] as usize))
        })
    });
    group.bench_function("verify_inclusion", |b| {
        b.iter(|| {
            next = (next + 1) % proofs.len();
            let (index, proof) = &proofs[next];
            black_box(root.verify_inclusion(&index.to_be_bytes(), *index, proof)).expect("valid")
        })
    });
    group.finish();
    let mut group = c.benchmark_group("peer ct-merkle 0.3");
    group.throughput(Throughput::Elements(1));
    let mut growing: MemoryBackedTree<sha2::Sha256, [u8; 8]> = MemoryBackedTree::new();
    let mut position = 0u64;
    group.bench_function("push (hashes the leaf)", |b| {
        b.iter(|| {
            position += 1;
            growing.push(black_box(position.to_be_bytes()))
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    frontier_appends,
    proofs_at_one_million,
    checkpoint_notes,
    peer_ct_merkle
);
criterion_main!(benches);
