//! Signatures over forensics bundles (`rampart incident report`): the manifest's canonical bytes,
//! signed with the same `audit` key as checkpoints. The message is prefixed with its own format
//! name, so a bundle signature can never be passed off as a checkpoint signature or the other
//! way round (a checkpoint message starts with a length frame, never with this text).

use ring::signature::{ED25519, KeyPair, UnparsedPublicKey};
use sha2::{Digest, Sha256};

use super::CheckpointSigner;

/// Domain separation of bundle signatures.
const BUNDLE_FORMAT: &[u8] = b"rampart-forensics-bundle-v1\n";

fn bundle_message(manifest: &[u8]) -> Vec<u8> {
    [BUNDLE_FORMAT, manifest].concat()
}

impl CheckpointSigner {
    /// The Ed25519 public key of this signer: what a bundle's manifest names.
    pub fn public_key(&self) -> [u8; 32] {
        let mut public = [0u8; 32];
        public.copy_from_slice(self.pair.public_key().as_ref());
        public
    }

    /// Signs a bundle manifest's canonical bytes.
    pub fn sign_bundle(&self, manifest: &[u8]) -> Vec<u8> {
        self.pair.sign(&bundle_message(manifest)).as_ref().to_vec()
    }
}

/// Whether `signature` is `public_key`'s signature of the manifest bytes.
pub fn bundle_signature_is_valid(public_key: &[u8], manifest: &[u8], signature: &[u8]) -> bool {
    UnparsedPublicKey::new(&ED25519, public_key)
        .verify(&bundle_message(manifest), signature)
        .is_ok()
}

/// Lowercase hex SHA-256 of `bytes`: how a manifest names each file's contents.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit_chain::checkpoint_signature_is_valid;
    use crate::{DataKey, Keyring, OsRandom, Purpose};

    fn signer() -> CheckpointSigner {
        let mut keyring = Keyring::new();
        keyring.insert(Purpose::Audit, 1, DataKey::generate(&OsRandom).unwrap());
        keyring.checkpoint_signer().unwrap()
    }

    #[test]
    fn a_bundle_signature_verifies_only_with_its_key_and_bytes() {
        let signer = signer();
        let signature = signer.sign_bundle(b"{\"a\":1}");
        assert!(bundle_signature_is_valid(&signer.public_key(), b"{\"a\":1}", &signature));
        assert!(!bundle_signature_is_valid(&signer.public_key(), b"{\"a\":2}", &signature));
        assert!(!bundle_signature_is_valid(&self::signer().public_key(), b"{\"a\":1}", &signature));
    }

    #[test]
    fn a_checkpoint_signature_is_no_bundle_signature_and_the_reverse() {
        let signer = signer();
        let checkpoint = signer.sign(3, &[7u8; 32], 9);
        let message = super::super::checkpoint_message(3, &[7u8; 32], 9);
        assert!(!bundle_signature_is_valid(&signer.public_key(), &message, &checkpoint));
        let bundle = signer.sign_bundle(&message);
        assert!(!checkpoint_signature_is_valid(&signer.public_key(), 3, &[7u8; 32], 9, &bundle));
    }
}
