//! Signed notes and checkpoints against Go's `golang.org/x/mod/sumdb/note` vectors and against an
//! independent Rust implementation (Cloudflare's `signed_note`).

use clearinghouse_tlog::note::parse_note;
use clearinghouse_tlog::{Checkpoint, NoteError, NoteSigner, NoteVerifier, leaf_hash};
use proptest::prelude::*;
use signed_note::{Note, StandardSigner, StandardVerifier, VerifierList};

// From golang.org/x/mod/sumdb/note `note_test.go` (TestNewVerifier, TestNewSigner, TestSign, TestOpen)
// and the package documentation.
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const GO_ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const GO_ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

#[test]
fn go_keys_parse_and_round_trip() {
    let signer = NoteSigner::from_skey(GO_SKEY).expect("Go signer key");
    assert_eq!(signer.name(), "PeterNeumann");
    assert_eq!(signer.key_id(), 0xc74f20a3);
    assert_eq!(signer.to_skey(), GO_SKEY);
    assert_eq!(signer.verifier().to_vkey(), GO_VKEY);
    let verifier = NoteVerifier::parse(GO_VKEY).expect("Go verifier key");
    assert_eq!(verifier, signer.verifier());
    assert_eq!(verifier.name(), "PeterNeumann");
    assert_eq!(verifier.key_id(), 0xc74f20a3);
}

/// Ed25519 is deterministic, so signing Go's text with Go's key must give Go's note byte for byte.
#[test]
fn signing_reproduces_go_note_exactly() {
    let signer = NoteSigner::from_skey(GO_SKEY).expect("Go signer key");
    let note = signer.sign(GO_TEXT).expect("valid text");
    assert_eq!(note, format!("{GO_TEXT}\n{GO_PETER_SIG}"));
}

#[test]
fn go_note_opens_with_either_key_and_ignores_the_other() {
    let note = format!("{GO_TEXT}\n{GO_PETER_SIG}{GO_ENOCH_SIG}");
    let peter = NoteVerifier::parse(GO_VKEY).expect("vkey");
    let enoch = NoteVerifier::parse(GO_ENOCH_VKEY).expect("vkey");
    assert_eq!(peter.open(&note).expect("Peter signed"), GO_TEXT);
    assert_eq!(enoch.open(&note).expect("Enoch signed"), GO_TEXT);
    let only_enoch = format!("{GO_TEXT}\n{GO_ENOCH_SIG}");
    assert!(matches!(
        peter.open(&only_enoch),
        Err(NoteError::NotSignedByKey { .. })
    ));
    // Repeated signature lines are tolerated, as in Go's TestOpen.
    let repeated = format!("{GO_TEXT}\n{GO_PETER_SIG}{GO_PETER_SIG}{GO_ENOCH_SIG}{GO_ENOCH_SIG}");
    assert_eq!(peter.open(&repeated).expect("Peter signed"), GO_TEXT);
}

#[test]
fn go_malformed_notes_are_rejected() {
    let peter = NoteVerifier::parse(GO_VKEY).expect("vkey");
    let bad_notes = [
        GO_TEXT.to_owned(),
        format!("{GO_TEXT}\n"),
        format!("{GO_TEXT}\n{}", &GO_PETER_SIG[..GO_PETER_SIG.len() - 1]),
        format!("\u{1}{GO_TEXT}\n{GO_PETER_SIG}"),
        format!(
            "{GO_TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
        ),
        format!("{GO_TEXT}\n{GO_PETER_SIG}Unexpected line.\n"),
        format!("{GO_TEXT}\n{}", GO_PETER_SIG.repeat(101)),
    ];
    for note in bad_notes {
        assert!(
            matches!(peter.open(&note), Err(NoteError::Malformed(_))),
            "accepted {note:?}"
        );
    }
    // Go's "invalid signature" case: four characters inserted into the signature.
    let tampered = format!(
        "{GO_TEXT}\n{}ABCD{}",
        &GO_PETER_SIG[..60],
        &GO_PETER_SIG[60..]
    );
    assert_eq!(
        peter.open(&tampered),
        Err(NoteError::BadSignature {
            name: "PeterNeumann".into(),
            key_id: 0xc74f20a3
        })
    );
}

#[test]
fn tampered_text_or_signature_is_rejected() {
    let peter = NoteVerifier::parse(GO_VKEY).expect("vkey");
    let note = format!("{GO_TEXT}\n{GO_PETER_SIG}");
    let changed_text = note.replacen("problem", "pr0blem", 1);
    assert!(matches!(
        peter.open(&changed_text),
        Err(NoteError::BadSignature { .. })
    ));
    // Flip each character of the base64 signature (after the key id) to another base64 character.
    let signature_start = note.rfind(' ').expect("space") + 1 + 8;
    for position in signature_start..note.len() - 2 {
        let mut bytes = note.clone().into_bytes();
        bytes[position] = if bytes[position] == b'A' { b'B' } else { b'A' };
        let Ok(mangled) = String::from_utf8(bytes) else {
            continue;
        };
        if mangled == note {
            continue;
        }
        assert!(
            peter.open(&mangled).is_err(),
            "mangled at {position} accepted"
        );
    }
}

/// Go's TestNewVerifier and TestNewSigner: every proper substring and every single-byte change fails.
#[test]
fn go_key_manglings_are_rejected() {
    for key in [GO_VKEY, GO_SKEY] {
        let parse = |text: &str| {
            if key == GO_VKEY {
                NoteVerifier::parse(text).is_ok()
            } else {
                NoteSigner::from_skey(text).is_ok()
            }
        };
        assert!(parse(key));
        let bytes = key.as_bytes();
        for start in 0..=bytes.len() {
            for end in start + 1..=bytes.len() {
                if start == 0 && end == bytes.len() {
                    continue;
                }
                assert!(
                    !parse(&key[start..end]),
                    "accepted substring {:?}",
                    &key[start..end]
                );
            }
        }
        for position in 0..bytes.len() {
            let mut changed = bytes.to_vec();
            changed[position] += 1;
            let changed = String::from_utf8(changed).expect("ASCII stays ASCII");
            assert!(!parse(&changed), "accepted {changed:?}");
        }
    }
    // Wrong key length and unknown algorithm, each with a key id adjusted to match (from Go's test).
    assert!(
        NoteVerifier::parse(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        )
        .is_err()
    );
    assert!(matches!(
        NoteVerifier::parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
        Err(NoteError::UnsupportedAlgorithm {
            algorithm: 0x65,
            ..
        })
    ));
}

#[test]
fn signer_refuses_unsignable_text_and_names() {
    let signer = NoteSigner::from_skey(GO_SKEY).expect("Go signer key");
    assert!(matches!(signer.sign("abc"), Err(NoteError::InvalidText(_))));
    assert!(matches!(signer.sign(""), Err(NoteError::InvalidText(_))));
    assert!(matches!(
        signer.sign("a\n\nb\n"),
        Err(NoteError::InvalidText(_))
    ));
    assert!(matches!(
        signer.sign("a\tb\n"),
        Err(NoteError::InvalidText(_))
    ));
    for name in ["", "a+b", "a b", "tab\tname"] {
        assert_eq!(
            NoteSigner::from_seed(name, &[7; 32]).err(),
            Some(NoteError::InvalidName(name.to_owned()))
        );
    }
}

/// A fixed seed gives a fixed key and fixed notes: this pins the key id and signature encoding.
#[test]
fn fixed_seed_note_verifies_with_independent_verifier() {
    let signer = NoteSigner::from_seed("clearinghouse.example/log", &[42; 32]).expect("valid name");
    let text = "clearinghouse.example/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    let note = signer.sign(text).expect("valid text");
    let independent =
        StandardVerifier::new(&signer.verifier().to_vkey()).expect("signed_note parses our vkey");
    let parsed = Note::from_bytes(note.as_bytes()).expect("signed_note parses our note");
    let (verified, unverified) = parsed
        .verify(&VerifierList::new(vec![Box::new(independent)]))
        .expect("signed_note verifies our note");
    assert_eq!((verified.len(), unverified.len()), (1, 0));
    assert_eq!(
        signer.verifier().open(&note).expect("we verify it too"),
        text
    );
    assert_eq!(
        parse_note(&note).expect("well formed").signatures[0].key_id,
        signer.key_id()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Keys and notes from random seeds and names interoperate both ways with `signed_note`.
    #[test]
    fn notes_interoperate_with_signed_note(
        seed in any::<[u8; 32]>(),
        name in "[a-zA-Z0-9./_-]{1,30}",
        lines in proptest::collection::vec("[ -~]{1,40}", 1..5),
    ) {
        let ours = NoteSigner::from_seed(&name, &seed).expect("valid name");
        let text: String = lines.iter().map(|line| format!("{line}\n")).collect();

        // Our note, their verifier.
        let note = ours.sign(&text).expect("valid text");
        let their_verifier = StandardVerifier::new(&ours.verifier().to_vkey()).expect("vkey");
        let parsed = Note::from_bytes(note.as_bytes()).expect("note");
        prop_assert!(parsed.verify(&VerifierList::new(vec![Box::new(their_verifier)])).is_ok());

        // Their note (signed with our exported private key), our verifier.
        let their_signer = StandardSigner::new(&ours.to_skey()).expect("skey");
        let mut theirs = Note::new(text.as_bytes(), &[]).expect("text");
        theirs.add_sigs(&[&their_signer]).expect("sign");
        let their_note = String::from_utf8(theirs.to_bytes()).expect("utf-8");
        prop_assert_eq!(&their_note, &note);
        prop_assert_eq!(ours.verifier().open(&their_note).expect("opens"), text);
    }

    /// Checkpoints survive signing and opening, and any other key is refused.
    #[test]
    fn checkpoints_round_trip_through_signed_notes(
        seed in any::<[u8; 32]>(),
        size in any::<u64>(),
        root_leaf in any::<Vec<u8>>(),
        extensions in proptest::collection::vec("[!-~][ -~]{0,30}", 0..3),
    ) {
        let signer = NoteSigner::from_seed("example.com/log", &seed).expect("name");
        let checkpoint = Checkpoint { origin: "example.com/log".into(), size, root: leaf_hash(&root_leaf), extensions };
        let note = checkpoint.sign(&signer).expect("sign");
        prop_assert_eq!(Checkpoint::open(&note, &signer.verifier()).expect("open"), checkpoint);
        let stranger = NoteSigner::from_seed("example.com/log", &[0xEE; 32]).expect("name");
        prop_assume!(stranger.verifier() != signer.verifier());
        prop_assert!(Checkpoint::open(&note, &stranger.verifier()).is_err());
    }
}

/// Base64 keys may contain '+', which must not be taken for a field separator.
#[test]
fn keys_with_plus_in_base64_round_trip() {
    let mut found = 0;
    for byte in 0..=255u8 {
        let signer = NoteSigner::from_seed("plus.example", &[byte; 32]).expect("name");
        let vkey = signer.verifier().to_vkey();
        let key_part = vkey.splitn(3, '+').nth(2).expect("three fields");
        if key_part.contains('+') {
            found += 1;
            assert_eq!(
                NoteVerifier::parse(&vkey).expect("parses"),
                signer.verifier()
            );
        }
        assert_eq!(
            NoteSigner::from_skey(&signer.to_skey())
                .expect("parses")
                .verifier(),
            signer.verifier()
        );
    }
    assert!(found > 0, "no seed produced a '+' in its public key");
}

proptest! {
    /// Parsers take hostile input: they may refuse it but never panic, and what they accept re-encodes.
    #[test]
    fn parsers_never_panic_on_arbitrary_text(text in "(?s).{0,200}", dashed in "[ -~\u{2014}\n]{0,120}") {
        let verifier = NoteVerifier::parse(GO_VKEY).expect("vkey");
        let _ = verifier.open(&text);
        let _ = verifier.open(&format!("{dashed}\n\n{dashed}"));
        let _ = NoteVerifier::parse(&text);
        let _ = NoteSigner::from_skey(&text);
        if let Ok(checkpoint) = Checkpoint::parse_body(&text) {
            prop_assert_eq!(checkpoint.to_body(), text);
        }
    }
}

/// The Go toolchain's pinned key for sum.golang.org (`cmd/go/internal/modfetch/key.go`). Its base64 part
/// contains '+'.
const SUM_GOLANG_ORG_VKEY: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/// Signed tree heads served by the production Go checksum database, as quoted in public repositories
/// (test fixtures and a blog post). Only sum.golang.org's private key can have produced them, so they
/// verifying is a known-good interoperability check of note parsing, key ids and Ed25519 verification.
const SUM_GOLANG_ORG_NOTES: [(&str, u64); 4] = [
    (
        "go.sum database tree\n31700353\nqINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=\n\n— sum.golang.org Az3grnmrIUEDFqHzAElIQCPNoRFRAAdFo47fooyWKMHb89k11GJh5zHIfNCOBmwn/C3YI8oW9/C8DJ87F61QqspBYwM=\n",
        31700353,
    ),
    (
        "go.sum database tree\n65209736\n5+uGFjx6xBZG8ip1+wi77v+grwbhhukIrxEUS8PXvRo=\n\n— sum.golang.org Az3grnbssgK7ubgFX36gVETtNv0U23qxyAhAMai2QUfeGa3nB/akvkMdlUErfcZz7l/R3cVtYspg3dxXABkGZZKdsQ8=\n",
        65209736,
    ),
    (
        "go.sum database tree\n52544510\n+TGlZfnTizQCJgyZR56QixD8+X4dd8Wefy8U1w6k0Ig=\n\n— sum.golang.org Az3grn6d1PSjcypDf9bfcFVU5fvJB7VkLc0MAbz8jqeQVnSbAj9pKcsB5dJt5VdswPDUtiFar5LPRBu+uEQAT1CDfAc=\n",
        52544510,
    ),
    (
        "go.sum database tree\n3784599\n7uvxIZ67TZygcq/AehTD8iHYt81Ih+Zl2Y7vXZbfszQ=\n\n— sum.golang.org Az3grn972wXskjQrsZhVGc93fTU2uOsmSTiId1Wn1lxDCup5z4ggl1/4gaUqOkMa6cMbYvjB7hn7yemNr7Zqanol/go=\n",
        3784599,
    ),
];

#[test]
fn production_sum_golang_org_checkpoints_verify() {
    let verifier = NoteVerifier::parse(SUM_GOLANG_ORG_VKEY).expect("pinned Go key");
    assert_eq!(verifier.key_id(), 0x033de0ae);
    for (note, size) in SUM_GOLANG_ORG_NOTES {
        let checkpoint = Checkpoint::open(note, &verifier).expect("signed by sum.golang.org");
        assert_eq!(checkpoint.origin, "go.sum database tree");
        assert_eq!(checkpoint.size, size);
        let forged = note.replacen(&size.to_string(), &(size + 1).to_string(), 1);
        assert!(
            Checkpoint::open(&forged, &verifier).is_err(),
            "forged size {size} accepted"
        );
    }
}
