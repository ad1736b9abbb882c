//! A backup's encryption: the age format (<https://age-encryption.org/v1>) to X25519 recipients,
//! so the `age` command-line tool decrypts a backup without Rampart. Only the public recipient
//! is configured on the server; the identity (private key) that decrypts stays offline and is
//! handed to `restore`, `backup verify` and drills when they run.

use std::io::{Read, Write};

/// Who can read the backups: one or more `age1…` public keys.
#[derive(Debug, Clone)]
pub struct BackupRecipients(Vec<age::x25519::Recipient>);

/// The private keys that decrypt backups, from an age identity file (`AGE-SECRET-KEY-1…` lines;
/// `#` comments allowed). Never printed.
pub struct BackupIdentities(Vec<age::x25519::Identity>);

impl std::fmt::Debug for BackupIdentities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BackupIdentities({} keys, redacted)", self.0.len())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackupCryptoError {
    #[error("no backup recipient is configured (backup.recipients: age1… public keys)")]
    NoRecipients,
    #[error("backup recipient {0} is not an age X25519 public key (age1…)")]
    BadRecipient(usize),
    #[error("the identity file holds no age X25519 private key (AGE-SECRET-KEY-1…)")]
    NoIdentity,
    #[error("line {0} of the identity file is not an age X25519 private key")]
    BadIdentity(usize),
    #[error("the backup is not an age file, or its header is damaged")]
    NotAgeFile,
    #[error("none of the given identities can decrypt this backup")]
    WrongIdentity,
    #[error("the backup could not be encrypted: {0}")]
    Encrypt(String),
}

impl BackupRecipients {
    pub fn parse(keys: &[String]) -> Result<Self, BackupCryptoError> {
        if keys.is_empty() {
            return Err(BackupCryptoError::NoRecipients);
        }
        keys.iter()
            .enumerate()
            .map(|(i, key)| key.trim().parse().map_err(|_| BackupCryptoError::BadRecipient(i + 1)))
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Wraps `output`: what is written to the result is encrypted; `finish()` it to write the
    /// last chunk (a file without it is refused as truncated).
    pub fn encrypt<W: Write>(
        &self,
        output: W,
    ) -> Result<age::stream::StreamWriter<W>, BackupCryptoError> {
        let encryptor = age::Encryptor::with_recipients(
            self.0.iter().map(|recipient| recipient as &dyn age::Recipient),
        )
        .map_err(|error| BackupCryptoError::Encrypt(error.to_string()))?;
        encryptor.wrap_output(output).map_err(|error| BackupCryptoError::Encrypt(error.to_string()))
    }
}

impl BackupIdentities {
    /// Reads an identity file's text.
    pub fn parse(text: &str) -> Result<Self, BackupCryptoError> {
        let mut identities = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            identities.push(line.parse().map_err(|_| BackupCryptoError::BadIdentity(i + 1))?);
        }
        if identities.is_empty() {
            return Err(BackupCryptoError::NoIdentity);
        }
        Ok(Self(identities))
    }

    /// A new key pair, for tests and for `rampart backup keygen`: the identity file's text and
    /// the recipient to configure.
    pub fn generate() -> (String, String) {
        use age::secrecy::ExposeSecret;
        let identity = age::x25519::Identity::generate();
        let recipient = identity.to_public().to_string();
        (identity.to_string().expose_secret().to_owned(), recipient)
    }

    /// Opens an encrypted backup: reading the result yields the plaintext, and fails on any
    /// altered or missing byte (age authenticates every 64 KiB chunk and the end).
    pub fn decrypt<R: Read>(
        &self,
        input: R,
    ) -> Result<age::stream::StreamReader<R>, BackupCryptoError> {
        let decryptor = age::Decryptor::new(input).map_err(|_| BackupCryptoError::NotAgeFile)?;
        decryptor.decrypt(self.0.iter().map(|identity| identity as &dyn age::Identity)).map_err(
            |error| match error {
                age::DecryptError::NoMatchingKeys => BackupCryptoError::WrongIdentity,
                _ => BackupCryptoError::NotAgeFile,
            },
        )
    }
}

/// Counts and hashes (SHA-256) what passes through to `inner`: the manifest's digest of the
/// encrypted file is taken while it is written, and checked while it is read.
#[derive(Debug)]
pub struct Digesting<T> {
    inner: T,
    hasher: sha2::Sha256,
    bytes: u64,
}

impl<T> Digesting<T> {
    pub fn new(inner: T) -> Self {
        use sha2::Digest;
        Self { inner, hasher: sha2::Sha256::new(), bytes: 0 }
    }

    /// The inner value, the lowercase hex SHA-256 and the byte count of what passed.
    pub fn finish(self) -> (T, String, u64) {
        use sha2::Digest;
        (self.inner, hex::encode(self.hasher.finalize()), self.bytes)
    }
}

impl<W: Write> Write for Digesting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Digesting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let read = self.inner.read(buf)?;
        self.hasher.update(&buf[..read]);
        self.bytes += read as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(plain: &[u8], recipients: &BackupRecipients) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = recipients.encrypt(&mut out).unwrap();
        writer.write_all(plain).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn what_is_encrypted_to_a_recipient_opens_with_its_identity_only() {
        let (identity, recipient) = BackupIdentities::generate();
        let (other, _) = BackupIdentities::generate();
        let recipients = BackupRecipients::parse(&[recipient]).unwrap();
        let sealed = roundtrip(b"every row", &recipients);
        assert!(!sealed.windows(9).any(|w| w == b"every row"));

        let mut plain = Vec::new();
        let identities = BackupIdentities::parse(&format!("# key\n{identity}\n")).unwrap();
        identities.decrypt(&sealed[..]).unwrap().read_to_end(&mut plain).unwrap();
        assert_eq!(plain, b"every row");

        let wrong = BackupIdentities::parse(&other).unwrap();
        assert!(matches!(wrong.decrypt(&sealed[..]), Err(BackupCryptoError::WrongIdentity)));
    }

    #[test]
    fn a_truncated_or_altered_backup_does_not_read() {
        let (identity, recipient) = BackupIdentities::generate();
        let recipients = BackupRecipients::parse(&[recipient]).unwrap();
        let identities = BackupIdentities::parse(&identity).unwrap();
        let sealed = roundtrip(&vec![7u8; 200_000], &recipients);
        let mut cut = sealed.clone();
        cut.truncate(sealed.len() - 1000);
        let mut sink = Vec::new();
        assert!(identities.decrypt(&cut[..]).unwrap().read_to_end(&mut sink).is_err());
        let mut flipped = sealed.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 1;
        assert!(identities.decrypt(&flipped[..]).unwrap().read_to_end(&mut sink).is_err());
    }

    #[test]
    fn the_digest_is_of_exactly_the_bytes_that_passed() {
        let mut writer = Digesting::new(Vec::new());
        writer.write_all(b"abc").unwrap();
        let (inner, digest, bytes) = writer.finish();
        assert_eq!(inner, b"abc");
        assert_eq!(bytes, 3);
        assert_eq!(digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let mut reader = Digesting::new(&b"abc"[..]);
        std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
        assert_eq!(reader.finish().1, digest);
    }

    #[test]
    fn bad_keys_are_named_not_echoed() {
        let error = BackupRecipients::parse(&["age1nope".into()]).unwrap_err();
        assert_eq!(error.to_string(), "backup recipient 1 is not an age X25519 public key (age1…)");
        assert!(matches!(BackupRecipients::parse(&[]), Err(BackupCryptoError::NoRecipients)));
        let error = BackupIdentities::parse("AGE-SECRET-KEY-1SECRETSECRET").unwrap_err();
        assert!(!error.to_string().contains("SECRET"));
    }
}
