//! The audit trail's tamper evidence: a hash chain over events and Ed25519-signed checkpoints.
//!
//! `h_i = SHA-256(h_{i-1} || canonical(event_i))`, with `h_0` = 32 zero bytes. The canonical form
//! is a length-framed list of the event's fields (see [`ChainedEvent::canonical`]), so no two
//! different events share it. A checkpoint signs `(tree size, head hash, time)` with the keyring's
//! `audit` key (its 32 bytes are the Ed25519 seed): someone who can write to the database can
//! recompute the chain, but not sign a checkpoint for the result.
//!
//! Formats: `docs/crypto.md` ("Audit chain").

mod bundle;
mod verify;

use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use sha2::{Digest, Sha256};

pub use bundle::{bundle_signature_is_valid, sha256_hex};
pub use verify::{ChainBreak, ChainSummary, ChainVerifier, Finding, LinkedRow, Lookup};

use crate::aead::framed;
use crate::{CryptoError, Keyring, Purpose};

/// The hash before the first event.
pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// Domain separation of the two things this module hashes or signs.
const EVENT_FORMAT: &[u8] = b"rampart-audit-event-v1";
const CHECKPOINT_FORMAT: &[u8] = b"rampart-audit-checkpoint-v1";
const SEGMENT_FORMAT: &[u8] = b"rampart-audit-segment-v1";

/// One audit event as the chain sees it: every stored field, in stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEvent<'a> {
    /// Microseconds since the Unix epoch, UTC (what both engines store exactly).
    pub at_micros: i64,
    pub action: &'a str,
    pub outcome: &'a str,
    pub actor: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub session_hash: Option<&'a str>,
    pub target: Option<&'a str>,
    /// The JSON object exactly as stored.
    pub details: &'a str,
}

impl ChainedEvent<'_> {
    /// The bytes the chain hashes: each field length-prefixed; an absent field and an empty one
    /// differ (a marker byte).
    pub fn canonical(&self) -> Vec<u8> {
        let optional = |value: Option<&str>| match value {
            None => vec![0u8],
            Some(text) => [&[1u8][..], text.as_bytes()].concat(),
        };
        let fields = [
            optional(self.actor),
            optional(self.ip),
            optional(self.user_agent),
            optional(self.session_hash),
            optional(self.target),
        ];
        framed(&[
            EVENT_FORMAT,
            &self.at_micros.to_be_bytes(),
            self.action.as_bytes(),
            self.outcome.as_bytes(),
            &fields[0],
            &fields[1],
            &fields[2],
            &fields[3],
            &fields[4],
            self.details.as_bytes(),
        ])
    }

    /// The hash of this event following `previous`.
    pub fn link(&self, previous: &[u8]) -> [u8; 32] {
        link_hash(previous, &self.canonical())
    }
}

/// `SHA-256(previous || canonical)`.
pub fn link_hash(previous: &[u8], canonical: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(canonical);
    hasher.finalize().into()
}

/// What a checkpoint signs.
pub(crate) fn checkpoint_message(tree_size: i64, head_hash: &[u8], at_micros: i64) -> Vec<u8> {
    framed(&[CHECKPOINT_FORMAT, &tree_size.to_be_bytes(), head_hash, &at_micros.to_be_bytes()])
}

/// The start of a new segment of the chain, after an operator acknowledged a break in the one
/// before (`rampart audit new-segment`). Signed like a checkpoint, so that only the holder of the
/// audit key can close a broken segment; the new segment's first entry links from
/// [`SegmentStart::anchor`], which commits to the number and to the last stored hash of the
/// broken segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentStart<'a> {
    /// 2 for the first segment started this way (the original chain is segment 1).
    pub segment: i64,
    /// The `seq` of the new segment's first entry.
    pub first_seq: i64,
    /// The hash of the broken segment's last stored entry (or its head's, when it has none).
    pub previous_head: &'a [u8],
    /// Where verification found the broken segment broken.
    pub broken_seq: i64,
    pub at_micros: i64,
}

impl SegmentStart<'_> {
    /// The hash the new segment's first entry follows (its genesis).
    pub fn anchor(&self) -> [u8; 32] {
        Sha256::digest(framed(&[
            SEGMENT_FORMAT,
            &self.segment.to_be_bytes(),
            &self.first_seq.to_be_bytes(),
            self.previous_head,
        ]))
        .into()
    }

    fn message(&self) -> Vec<u8> {
        framed(&[
            SEGMENT_FORMAT,
            &self.segment.to_be_bytes(),
            &self.first_seq.to_be_bytes(),
            self.previous_head,
            &self.broken_seq.to_be_bytes(),
            &self.at_micros.to_be_bytes(),
        ])
    }

    /// Whether `signature` is `public_key`'s signature of this segment start.
    pub fn signature_is_valid(&self, public_key: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, public_key).verify(&self.message(), signature).is_ok()
    }
}

/// Signs checkpoints with the newest `audit` key.
pub struct CheckpointSigner {
    version: u32,
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckpointSigner").field("version", &self.version).finish_non_exhaustive()
    }
}

impl CheckpointSigner {
    pub fn version(&self) -> u32 {
        self.version
    }

    pub fn sign(&self, tree_size: i64, head_hash: &[u8], at_micros: i64) -> Vec<u8> {
        self.pair.sign(&checkpoint_message(tree_size, head_hash, at_micros)).as_ref().to_vec()
    }

    pub fn sign_segment(&self, start: &SegmentStart<'_>) -> Vec<u8> {
        self.pair.sign(&start.message()).as_ref().to_vec()
    }
}

fn key_pair(seed: &[u8]) -> Result<Ed25519KeyPair, CryptoError> {
    Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| CryptoError::Malformed)
}

impl Keyring {
    /// The signer for new checkpoints (the newest `audit` key).
    pub fn checkpoint_signer(&self) -> Result<CheckpointSigner, CryptoError> {
        let (version, key) = self.current(Purpose::Audit)?;
        Ok(CheckpointSigner { version, pair: key_pair(key.expose_bytes())? })
    }

    /// The Ed25519 public key of each `audit` key version, oldest first: what `rampart audit
    /// public-key` prints and what checkpoint signatures are checked against.
    pub fn audit_public_keys(&self) -> Result<Vec<(u32, [u8; 32])>, CryptoError> {
        self.versions(Purpose::Audit)
            .into_iter()
            .map(|version| {
                let pair = key_pair(self.key(Purpose::Audit, version)?.expose_bytes())?;
                let public: [u8; 32] =
                    pair.public_key().as_ref().try_into().map_err(|_| CryptoError::Malformed)?;
                Ok((version, public))
            })
            .collect()
    }
}

/// Whether `signature` is `public_key`'s signature of the checkpoint.
pub fn checkpoint_signature_is_valid(
    public_key: &[u8],
    tree_size: i64,
    head_hash: &[u8],
    at_micros: i64,
    signature: &[u8],
) -> bool {
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(&checkpoint_message(tree_size, head_hash, at_micros), signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DataKey, OsRandom};

    pub(super) fn event(details: &str) -> ChainedEvent<'_> {
        ChainedEvent {
            at_micros: 1_700_000_000_000_000,
            action: "authn_login_fail",
            outcome: "failure",
            actor: None,
            ip: Some("192.0.2.1"),
            user_agent: Some("curl"),
            session_hash: None,
            target: None,
            details,
        }
    }

    #[test]
    fn an_absent_field_and_an_empty_one_hash_differently() {
        let absent = event("{}");
        let empty = ChainedEvent { actor: Some(""), ..absent.clone() };
        assert_ne!(absent.link(&GENESIS_HASH), empty.link(&GENESIS_HASH));
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let one = ChainedEvent { ip: Some("ab"), user_agent: Some("c"), ..event("{}") };
        let other = ChainedEvent { ip: Some("a"), user_agent: Some("bc"), ..event("{}") };
        assert_ne!(one.link(&GENESIS_HASH), other.link(&GENESIS_HASH));
    }

    #[test]
    fn the_link_is_sha256_of_the_previous_hash_and_the_canonical_form() {
        let e = event("{\"a\":1}");
        let expected: [u8; 32] =
            Sha256::digest([&GENESIS_HASH[..], &e.canonical()].concat()).into();
        assert_eq!(e.link(&GENESIS_HASH), expected);
    }

    #[test]
    fn a_checkpoint_verifies_only_with_its_own_key_and_contents() {
        let mut keyring = Keyring::new();
        keyring.insert(Purpose::Audit, 1, DataKey::generate(&OsRandom).unwrap());
        let signer = keyring.checkpoint_signer().unwrap();
        let (_, public) = keyring.audit_public_keys().unwrap()[0];
        let head = [7u8; 32];
        let signature = signer.sign(10, &head, 5);

        assert!(checkpoint_signature_is_valid(&public, 10, &head, 5, &signature));
        assert!(!checkpoint_signature_is_valid(&public, 11, &head, 5, &signature));
        assert!(!checkpoint_signature_is_valid(&public, 10, &[8u8; 32], 5, &signature));
        assert!(!checkpoint_signature_is_valid(&public, 10, &head, 6, &signature));
        assert!(!checkpoint_signature_is_valid(&[1u8; 32], 10, &head, 5, &signature));
        assert!(!format!("{signer:?}").contains(&hex::encode(head)));
    }

    #[test]
    fn a_segment_start_verifies_only_with_its_own_contents_and_anchors_to_the_old_head() {
        let mut keyring = Keyring::new();
        keyring.insert(Purpose::Audit, 1, DataKey::generate(&OsRandom).unwrap());
        let signer = keyring.checkpoint_signer().unwrap();
        let (_, public) = keyring.audit_public_keys().unwrap()[0];
        let start = SegmentStart {
            segment: 2,
            first_seq: 12,
            previous_head: &[7; 32],
            broken_seq: 5,
            at_micros: 9,
        };
        let signature = signer.sign_segment(&start);
        assert!(start.signature_is_valid(&public, &signature));
        let moved = SegmentStart { broken_seq: 6, ..start.clone() };
        assert!(!moved.signature_is_valid(&public, &signature));
        assert_eq!(moved.anchor(), start.anchor(), "the anchor is the position and the old head");
        let other_head = SegmentStart { previous_head: &[8; 32], ..start.clone() };
        assert_ne!(other_head.anchor(), start.anchor());
        assert!(!checkpoint_signature_is_valid(&public, 12, &start.anchor(), 9, &signature));
    }
}
