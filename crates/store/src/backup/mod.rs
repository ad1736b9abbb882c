//! Whole-database copies for backups and restores, on either engine and across them.
//!
//! A backup reads every table of [`tables::TABLES`] inside one snapshot ([`Snapshot`]) while the
//! server keeps writing; a restore ([`Restore`]) writes the rows into a fresh, migrated database
//! of either engine in one transaction, so a restore that fails leaves nothing behind. Values
//! travel as engine-neutral [`Cell`]s (`cell.rs`). The file format, the encryption and the
//! manifest are the server's (`rampart_core::backup`).

pub mod cell;
pub mod tables;

use futures_util::stream::BoxStream;
use sea_query::{Alias, Expr, ExprTrait, Query};

pub use cell::{Cell, Column, ColumnKind};
pub use tables::{TABLES, check_tables};

use crate::db::{RawTransaction, Run};
use crate::{Db, StoreError};

/// A table and its columns, as one database's catalog describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableShape {
    pub name: String,
    pub columns: Vec<Column>,
}

/// Every table a backup holds, in restore order, after checking the database has exactly those.
pub async fn table_shapes(db: &Db) -> Result<Vec<TableShape>, StoreError> {
    check_tables(db).await?;
    let mut shapes = Vec::with_capacity(TABLES.len());
    for name in TABLES {
        let columns = db.table_columns(name).await?;
        shapes.push(TableShape { name: (*name).to_owned(), columns });
    }
    Ok(shapes)
}

/// The applied schema's version (the newest migration): a backup restores into the same.
pub async fn schema_version(db: &Db) -> Result<i64, StoreError> {
    db.schema_version().await
}

/// One consistent view of the whole database, read table by table.
#[derive(Debug)]
pub struct Snapshot {
    transaction: RawTransaction,
}

impl Snapshot {
    pub async fn begin(db: &Db) -> Result<Self, StoreError> {
        Ok(Self { transaction: db.begin_snapshot().await? })
    }

    /// The rows of one table, streamed.
    pub fn rows<'s>(
        &'s mut self,
        shape: &'s TableShape,
    ) -> BoxStream<'s, Result<Vec<Cell>, StoreError>> {
        let select = Query::select()
            .columns(shape.columns.iter().map(|column| Alias::new(&column.name)))
            .from(Alias::new(&shape.name))
            .to_owned();
        self.transaction.stream_cells(&select, &shape.columns)
    }

    /// Ends the read transaction (nothing was written).
    pub async fn finish(self) -> Result<(), StoreError> {
        self.transaction.commit().await
    }
}

/// Rows bound for one target table: which target column each source column is, and the batch
/// not yet written.
#[derive(Debug)]
struct TableInProgress {
    shape: TableShape,
    /// For each source column, in source order, its index in `shape.columns`.
    positions: Vec<usize>,
    batch: Vec<Vec<sea_query::Value>>,
    batch_rows: usize,
}

/// Writing a backup's rows into a fresh database: one transaction, committed by
/// [`Restore::finish`]; dropped before that, nothing is kept.
#[derive(Debug)]
pub struct Restore {
    transaction: RawTransaction,
    shapes: Vec<TableShape>,
    current: Option<TableInProgress>,
    rows: u64,
}

/// SQLite allows 32,766 bound values per statement, PostgreSQL 65,535.
const VALUES_PER_STATEMENT: usize = 30_000;
const MAX_BATCH_ROWS: usize = 1_000;
/// SQLite's page cache during a restore: enough for the indexes of a million records.
const RESTORE_PAGE_CACHE_MIB: u32 = 256;

impl Restore {
    /// Starts a restore into `db`, which must be migrated and hold no installation. The rows the
    /// migrations seed (the audit head, the lockdown switch) are cleared first: the backup
    /// brings its own.
    pub async fn begin(db: &Db) -> Result<Self, StoreError> {
        let installations = db
            .count(
                &Query::select()
                    .expr(Expr::col(sea_query::Asterisk).count())
                    .from(Alias::new("installation"))
                    .to_owned(),
            )
            .await?;
        if installations > 0 {
            return Err(StoreError::Conflict(
                "the target database already holds an installation; restore into a fresh one",
            ));
        }
        Self::begin_replacing(db).await
    }

    /// Like [`Restore::begin`] but over whatever `db` holds, which is all deleted: only for
    /// putting a fresh database's own rows back after a restore into it was refused.
    pub async fn begin_replacing(db: &Db) -> Result<Self, StoreError> {
        let shapes = table_shapes(db).await?;
        let mut transaction = db.begin_raw().await?;
        for shape in shapes.iter().rev() {
            let delete = Query::delete().from_table(Alias::new(&shape.name)).to_owned();
            transaction.execute(&delete).await?;
        }
        transaction.enlarge_page_cache(RESTORE_PAGE_CACHE_MIB).await?;
        Ok(Self { transaction, shapes, current: None, rows: 0 })
    }

    /// The rows that follow belong to `table`, whose columns (by name) the backup lists in
    /// `columns` order. The names must be exactly the target table's.
    pub async fn start_table(&mut self, table: &str, columns: &[String]) -> Result<(), StoreError> {
        self.flush().await?;
        let shape = self
            .shapes
            .iter()
            .find(|shape| shape.name == table)
            .ok_or(StoreError::Invalid("the backup holds a table this schema does not have"))?
            .clone();
        let mut positions = Vec::with_capacity(columns.len());
        for name in columns {
            let position = shape.columns.iter().position(|column| &column.name == name).ok_or(
                StoreError::Invalid("the backup holds a column this schema does not have"),
            )?;
            if positions.contains(&position) {
                return Err(StoreError::Invalid("the backup names a column twice"));
            }
            positions.push(position);
        }
        if positions.len() != shape.columns.len() {
            return Err(StoreError::Invalid("the backup lacks a column this schema has"));
        }
        let batch_rows =
            (VALUES_PER_STATEMENT / shape.columns.len().max(1)).clamp(1, MAX_BATCH_ROWS);
        self.current = Some(TableInProgress { shape, positions, batch: Vec::new(), batch_rows });
        Ok(())
    }

    /// One row of the current table, its cells in the order `start_table` was given.
    pub async fn push_row(&mut self, cells: Vec<Cell>) -> Result<(), StoreError> {
        let table = self
            .current
            .as_mut()
            .ok_or(StoreError::Invalid("a backup row comes before its table"))?;
        if cells.len() != table.positions.len() {
            return Err(StoreError::Invalid("a backup row has the wrong number of values"));
        }
        let mut values = vec![sea_query::Value::Bool(None); table.shape.columns.len()];
        for (cell, &position) in cells.into_iter().zip(&table.positions) {
            values[position] = cell.into_value(table.shape.columns[position].sql_type)?;
        }
        table.batch.push(values);
        self.rows += 1;
        if table.batch.len() >= table.batch_rows {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), StoreError> {
        let Some(table) = self.current.as_mut() else { return Ok(()) };
        if table.batch.is_empty() {
            return Ok(());
        }
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(&table.shape.name))
            .columns(table.shape.columns.iter().map(|column| Alias::new(&column.name)));
        for row in table.batch.drain(..) {
            insert
                .values(row.into_iter().map(Expr::val))
                .map_err(|_| StoreError::Invalid("a backup row has the wrong number of values"))?;
        }
        self.transaction.execute(&insert).await?;
        Ok(())
    }

    /// Writes what is left, moves identity sequences past the restored ids and commits.
    /// Returns the number of rows written.
    pub async fn finish(mut self) -> Result<u64, StoreError> {
        self.flush().await?;
        self.transaction.reset_identity_sequences().await?;
        self.transaction.reset_page_cache().await?;
        self.transaction.commit().await?;
        Ok(self.rows)
    }
}
