//! The plaintext inside a backup's age encryption: JSON lines, readable with `age -d | head`.
//!
//! ```text
//! {"format":"rampart-backup","format_version":1,"rampart_version":…,"schema_version":12,…}
//! {"table":"users","columns":[["id","bytes"],["email_ciphertext","bytes"],…]}
//! ["3q2+7w==","…",…]                     one line per row, values in the columns' order
//! {"table":"user_roles",…}
//! …
//! {"end":{"users":3,"user_roles":4,…}}   rows per table: a file cut short is refused
//! ```
//!
//! Values are [`Cell::to_json`]: bytes in base64, times in RFC 3339, JSON as text.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};

use rampart_crypto::BackupIdentities;

use rampart_store::backup::{Cell, ColumnKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::BackupError;

pub(crate) const FORMAT: &str = "rampart-backup";
pub(crate) const FORMAT_VERSION: u32 = 1;

/// The first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub format_version: u32,
    pub rampart_version: String,
    /// The newest migration of the database it was made from.
    pub schema_version: i64,
    /// `sqlite` or `postgres`: where it came from (it restores into either).
    pub engine: String,
    /// When the snapshot was taken: the age of the data it holds.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Serialize, Deserialize)]
struct TableLine {
    table: String,
    columns: Vec<(String, ColumnKind)>,
}

#[derive(Debug, Serialize, Deserialize)]
struct EndLine {
    end: BTreeMap<String, u64>,
}

/// What a reader finds, line by line.
#[derive(Debug)]
pub(crate) enum Item {
    Table { name: String, columns: Vec<String> },
    Row(Vec<Cell>),
}

/// Writes the lines. `rows` are counted per table for the end line.
#[derive(Debug)]
pub(crate) struct Writer<W: Write> {
    out: W,
    counts: BTreeMap<String, u64>,
    current: Option<String>,
    line: Vec<u8>,
}

impl<W: Write> Writer<W> {
    pub(crate) fn start(mut out: W, header: &Header) -> Result<Self, BackupError> {
        serde_json::to_writer(&mut out, header).map_err(BackupError::encode)?;
        out.write_all(b"\n")?;
        Ok(Self { out, counts: BTreeMap::new(), current: None, line: Vec::with_capacity(4096) })
    }

    pub(crate) fn table(
        &mut self,
        name: &str,
        columns: Vec<(String, ColumnKind)>,
    ) -> Result<(), BackupError> {
        let line = TableLine { table: name.to_owned(), columns };
        serde_json::to_writer(&mut self.out, &line).map_err(BackupError::encode)?;
        self.out.write_all(b"\n")?;
        self.counts.insert(name.to_owned(), 0);
        self.current = Some(name.to_owned());
        Ok(())
    }

    pub(crate) fn row(&mut self, cells: &[Cell]) -> Result<(), BackupError> {
        let Some(table) = &self.current else {
            return Err(BackupError::Format("a row before its table"));
        };
        self.line.clear();
        let values: Vec<serde_json::Value> = cells.iter().map(Cell::to_json).collect();
        serde_json::to_writer(&mut self.line, &values).map_err(BackupError::encode)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;
        if let Some(count) = self.counts.get_mut(table) {
            *count += 1;
        }
        Ok(())
    }

    /// Writes the end line; returns the output and the rows per table.
    pub(crate) fn finish(mut self) -> Result<(W, BTreeMap<String, u64>), BackupError> {
        let end = EndLine { end: self.counts };
        serde_json::to_writer(&mut self.out, &end).map_err(BackupError::encode)?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok((self.out, end.end))
    }
}

/// Reads the lines back, checking the structure as it goes: rows only inside a table, with as
/// many values as the table has columns, and an end line whose counts match what was read.
#[derive(Debug)]
pub(crate) struct Reader<R: BufRead> {
    input: R,
    header: Header,
    kinds: Vec<ColumnKind>,
    counts: BTreeMap<String, u64>,
    current: Option<String>,
    ended: bool,
    line: String,
}

/// Decrypts `encrypted` (an age file) with `identities` and reads its header: how `backup verify`,
/// `restore` and drills open a backup.
pub(crate) fn open_encrypted<R: Read>(
    encrypted: R,
    identities: &BackupIdentities,
) -> Result<Reader<impl BufRead>, BackupError> {
    let decrypted = identities.decrypt(BufReader::with_capacity(1 << 20, encrypted))?;
    Reader::open(BufReader::with_capacity(1 << 20, decrypted))
}

impl<R: BufRead> Reader<R> {
    pub(crate) fn open(mut input: R) -> Result<Self, BackupError> {
        let mut line = String::new();
        input.read_line(&mut line)?;
        let header: Header = serde_json::from_str(&line)
            .map_err(|_| BackupError::Format("the first line is not a Rampart backup header"))?;
        if header.format != FORMAT {
            return Err(BackupError::Format("not a Rampart backup"));
        }
        if header.format_version != FORMAT_VERSION {
            return Err(BackupError::Format("a backup format version this Rampart cannot read"));
        }
        Ok(Self {
            input,
            header,
            kinds: Vec::new(),
            counts: BTreeMap::new(),
            current: None,
            ended: false,
            line,
        })
    }

    pub(crate) fn header(&self) -> &Header {
        &self.header
    }

    /// Rows read per table so far (all of them once `next` returned `None`).
    pub(crate) fn counts(&self) -> &BTreeMap<String, u64> {
        &self.counts
    }

    /// The next table or row; `None` after the end line (and nothing after it).
    pub(crate) fn next_item(&mut self) -> Result<Option<Item>, BackupError> {
        self.line.clear();
        if self.input.read_line(&mut self.line)? == 0 {
            return if self.ended {
                Ok(None)
            } else {
                Err(BackupError::Format("the backup ends early (no end line): it is truncated"))
            };
        }
        if self.ended {
            return Err(BackupError::Format("something follows the end line"));
        }
        if self.line.starts_with('[') {
            let table =
                self.current.as_ref().ok_or(BackupError::Format("a row before its table"))?;
            let values: Vec<serde_json::Value> = serde_json::from_str(&self.line)
                .map_err(|_| BackupError::Format("a row is not valid JSON"))?;
            if values.len() != self.kinds.len() {
                return Err(BackupError::Format("a row has the wrong number of values"));
            }
            let cells = values
                .into_iter()
                .zip(&self.kinds)
                .map(|(value, kind)| Cell::from_json(*kind, value))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(count) = self.counts.get_mut(table) {
                *count += 1;
            }
            return Ok(Some(Item::Row(cells)));
        }
        if let Ok(table) = serde_json::from_str::<TableLine>(&self.line) {
            if self.counts.contains_key(&table.table) {
                return Err(BackupError::Format("a table appears twice"));
            }
            self.counts.insert(table.table.clone(), 0);
            self.current = Some(table.table.clone());
            self.kinds = table.columns.iter().map(|(_, kind)| *kind).collect();
            let columns = table.columns.into_iter().map(|(name, _)| name).collect();
            return Ok(Some(Item::Table { name: table.table, columns }));
        }
        let end: EndLine = serde_json::from_str(&self.line)
            .map_err(|_| BackupError::Format("a line is neither a table, a row nor the end"))?;
        if end.end != self.counts {
            return Err(BackupError::Format("the row counts at the end do not match the rows"));
        }
        self.ended = true;
        self.next_item()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            rampart_version: "0.0.0".into(),
            schema_version: 12,
            engine: "sqlite".into(),
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn sample() -> Vec<u8> {
        let mut writer = Writer::start(Vec::new(), &header()).unwrap();
        writer
            .table("t", vec![("id".into(), ColumnKind::Integer), ("b".into(), ColumnKind::Bytes)])
            .unwrap();
        writer.row(&[Cell::Integer(1), Cell::Bytes(vec![1, 2])]).unwrap();
        writer.row(&[Cell::Integer(2), Cell::Null]).unwrap();
        writer.finish().unwrap().0
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<Item>, BackupError> {
        let mut reader = Reader::open(bytes)?;
        let mut items = Vec::new();
        while let Some(item) = reader.next_item()? {
            items.push(item);
        }
        Ok(items)
    }

    #[test]
    fn what_is_written_reads_back() {
        let items = read_all(&sample()).unwrap();
        assert_eq!(items.len(), 3);
        assert!(
            matches!(&items[0], Item::Table { name, columns } if name == "t" && columns.len() == 2)
        );
        assert!(matches!(&items[2], Item::Row(cells) if cells == &[Cell::Integer(2), Cell::Null]));
    }

    #[test]
    fn a_cut_or_doctored_file_is_refused() {
        let bytes = sample();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let without_end: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
        assert!(read_all(without_end.as_bytes()).is_err());
        let row_dropped = text.replace("[2,null]\n", "");
        assert!(read_all(row_dropped.as_bytes()).is_err());
        let extra = format!("{text}[3,null]\n");
        assert!(read_all(extra.as_bytes()).is_err());
        let wrong_arity = text.replace("[2,null]", "[2]");
        assert!(read_all(wrong_arity.as_bytes()).is_err());
        assert!(read_all(b"{\"format\":\"zip\"}\n").is_err());
    }
}
