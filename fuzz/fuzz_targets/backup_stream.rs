//! Any bytes as a backup: as an age file decrypted with a fixed identity (what `restore`,
//! `backup verify` and drills open), and as the JSON lines inside one. Nothing may panic; a
//! backup that reads to its end line must count the rows it holds, and written again by
//! `backup create`'s writer must read back the same.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rampart_http::fuzzing::{self, BackupIdentities, Cell, ColumnKind, Table};

/// The private key of the seed corpus's encrypted backup (a throwaway made for fuzzing;
/// `age1yy3faays865adah5wet3cmtl6x2qw3qdcrcsrsrw8wzqkh4jtaaq39ln8h` is its recipient).
const IDENTITY: &str = include_str!("../fuzz-identity.txt");

fn identities() -> &'static BackupIdentities {
    static IDENTITIES: OnceLock<BackupIdentities> = OnceLock::new();
    IDENTITIES.get_or_init(|| BackupIdentities::parse(IDENTITY).expect("the fuzz identity parses"))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(contents) = fuzzing::read_encrypted_backup(data, identities()) {
        check(&contents);
    }
    if let Ok(contents) = fuzzing::read_backup(data) {
        check(&contents);
    }
});

fn check(contents: &fuzzing::BackupContents) {
    assert_eq!(contents.counts.len(), contents.tables.len(), "a table counted twice or never");
    for table in &contents.tables {
        assert_eq!(contents.counts.get(&table.name), Some(&(table.rows.len() as u64)));
        assert!(table.rows.iter().all(|row| row.len() == table.columns.len()));
    }
    let tables: Vec<(Table, Vec<ColumnKind>)> =
        contents.tables.iter().map(|table| (table.clone(), kinds_of(table))).collect();
    let text =
        fuzzing::write_backup(&contents.header, &tables).expect("what was read can be written");
    let again = fuzzing::read_backup(&text).expect("what was written reads back");
    assert_eq!(&again, contents);
}

/// Each column's kind, from its first value that is not null (a column of nulls reads back
/// as any kind).
fn kinds_of(table: &Table) -> Vec<ColumnKind> {
    (0..table.columns.len())
        .map(|column| {
            table.rows.iter().map(|row| &row[column]).find_map(kind_of).unwrap_or(ColumnKind::Text)
        })
        .collect()
}

fn kind_of(cell: &Cell) -> Option<ColumnKind> {
    Some(match cell {
        Cell::Null => return None,
        Cell::Integer(_) => ColumnKind::Integer,
        Cell::Real(_) => ColumnKind::Real,
        Cell::Text(_) => ColumnKind::Text,
        Cell::Bytes(_) => ColumnKind::Bytes,
        Cell::Bool(_) => ColumnKind::Bool,
        Cell::Uuid(_) => ColumnKind::Uuid,
        Cell::Time(_) => ColumnKind::Time,
        Cell::Json(_) => ColumnKind::Json,
    })
}
