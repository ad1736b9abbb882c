//! The cost of the per-request cryptography: encrypting and decrypting one 100-byte field, and
//! one blind-index digest. `scripts/bench` runs it; later issues compare their per-request cost
//! against these figures.

#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_crypto::{DataKey, FieldContext, Keyring, OsRandom, Purpose};

fn keyring() -> Keyring {
    let mut keyring = Keyring::new();
    for purpose in [Purpose::Fields, Purpose::BlindIndex] {
        keyring.insert(purpose, 1, DataKey::generate(&OsRandom).unwrap());
    }
    keyring
}

fn field_encryption(c: &mut Criterion) {
    let keyring = keyring();
    let place = FieldContext {
        table: "customers",
        row_id: "018f6b2e-0000-7000-8000-000000000001",
        field: "notes",
    };
    let value = [b'x'; 100];
    let sealed = keyring.encrypt_field(&place, &value, &OsRandom).unwrap();

    c.bench_function("encrypt 100-byte field", |b| {
        b.iter(|| keyring.encrypt_field(black_box(&place), black_box(&value), &OsRandom).unwrap())
    });
    c.bench_function("decrypt 100-byte field", |b| {
        b.iter(|| keyring.decrypt_field(black_box(&place), black_box(&sealed)).unwrap())
    });
    c.bench_function("encrypt+decrypt 100-byte field", |b| {
        b.iter(|| {
            let sealed =
                keyring.encrypt_field(black_box(&place), black_box(&value), &OsRandom).unwrap();
            keyring.decrypt_field(&place, &sealed).unwrap()
        })
    });
}

fn blind_index(c: &mut Criterion) {
    let keyring = keyring();
    c.bench_function("blind index of an e-mail", |b| {
        b.iter(|| {
            keyring
                .blind_index(black_box("users.email"), black_box(b"ada.lovelace@example.com"))
                .unwrap()
        })
    });
}

/// A yardstick measured in the same run, so figures can be reported as ratios: one SHA-256 of
/// 100 bytes (the cheapest cryptographic operation a request performs anyway).
fn reference(c: &mut Criterion) {
    use sha2::Digest;
    let value = [b'x'; 100];
    c.bench_function("reference: sha-256 of 100 bytes", |b| {
        b.iter(|| sha2::Sha256::digest(black_box(&value)))
    });
}

criterion_group!(benches, reference, field_encryption, blind_index);
criterion_main!(benches);
