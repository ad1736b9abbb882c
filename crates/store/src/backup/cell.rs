//! One value of one column, in a form neither engine owns: what a backup file holds. A backup of
//! either engine restores into either engine, so a value is read by its source column's type and
//! written by its target column's type (`into_value`); a pairing that is not a lossless
//! conversion is refused, never guessed.

use sea_query::Value;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::StoreError;

/// What kind of value a column holds, engine-neutral: the column types Rampart's two schemas use.
/// SQLite's storage classes map to the first four; PostgreSQL's richer types to all eight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Integer,
    Real,
    Text,
    Bytes,
    Bool,
    Uuid,
    Time,
    Json,
}

/// A column's exact type in one engine: what it is read and bound as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqlType {
    SqliteInteger,
    SqliteReal,
    SqliteText,
    SqliteBlob,
    Int2,
    Int4,
    Int8,
    Float8,
    Text,
    Bytea,
    Bool,
    Uuid,
    Timestamptz,
    Json,
}

impl SqlType {
    /// From the catalog's name (SQLite's declared type, PostgreSQL's `udt_name`). An unknown
    /// type is an error: a backup must not drop a column it cannot read.
    pub(crate) fn parse(engine: crate::Engine, name: &str) -> Result<Self, StoreError> {
        use crate::Engine;
        Ok(match (engine, name.to_ascii_lowercase().as_str()) {
            (Engine::Sqlite, "integer") => Self::SqliteInteger,
            (Engine::Sqlite, "real") => Self::SqliteReal,
            (Engine::Sqlite, "text") => Self::SqliteText,
            (Engine::Sqlite, "blob") => Self::SqliteBlob,
            (Engine::Postgres, "int2") => Self::Int2,
            (Engine::Postgres, "int4") => Self::Int4,
            (Engine::Postgres, "int8") => Self::Int8,
            (Engine::Postgres, "float8") => Self::Float8,
            (Engine::Postgres, "text" | "varchar") => Self::Text,
            (Engine::Postgres, "bytea") => Self::Bytea,
            (Engine::Postgres, "bool") => Self::Bool,
            (Engine::Postgres, "uuid") => Self::Uuid,
            (Engine::Postgres, "timestamptz") => Self::Timestamptz,
            (Engine::Postgres, "json" | "jsonb") => Self::Json,
            _ => return Err(StoreError::Invalid("a column has a type backups do not know")),
        })
    }

    pub(crate) fn kind(self) -> ColumnKind {
        match self {
            Self::SqliteInteger | Self::Int2 | Self::Int4 | Self::Int8 => ColumnKind::Integer,
            Self::SqliteReal | Self::Float8 => ColumnKind::Real,
            Self::SqliteText | Self::Text => ColumnKind::Text,
            Self::SqliteBlob | Self::Bytea => ColumnKind::Bytes,
            Self::Bool => ColumnKind::Bool,
            Self::Uuid => ColumnKind::Uuid,
            Self::Timestamptz => ColumnKind::Time,
            Self::Json => ColumnKind::Json,
        }
    }
}

/// A column as the catalog of one database describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub(crate) sql_type: SqlType,
}

impl Column {
    pub fn kind(&self) -> ColumnKind {
        self.sql_type.kind()
    }
}

/// One stored value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
    Uuid(Uuid),
    Time(OffsetDateTime),
    /// JSON text.
    Json(String),
}

const BAD_CELL: StoreError = StoreError::Invalid("a backup value does not match its column");

impl Cell {
    /// The value as one JSON value of a backup line. Bytes are base64; times RFC 3339; JSON
    /// stays text so that what was stored is what comes back.
    pub fn to_json(&self) -> serde_json::Value {
        use base64::Engine as _;
        use serde_json::Value as J;
        match self {
            Self::Null => J::Null,
            Self::Integer(value) => J::from(*value),
            Self::Real(value) => J::from(*value),
            Self::Text(value) | Self::Json(value) => J::String(value.clone()),
            Self::Bytes(value) => {
                J::String(base64::engine::general_purpose::STANDARD.encode(value))
            }
            Self::Bool(value) => J::Bool(*value),
            Self::Uuid(value) => J::String(value.to_string()),
            Self::Time(value) => J::String(value.format(&Rfc3339).unwrap_or_default()),
        }
    }

    /// Reads back what [`Cell::to_json`] wrote for a column of `kind`.
    pub fn from_json(kind: ColumnKind, json: serde_json::Value) -> Result<Self, StoreError> {
        use base64::Engine as _;
        use serde_json::Value as J;
        Ok(match (kind, json) {
            (_, J::Null) => Self::Null,
            (ColumnKind::Integer, J::Number(n)) => Self::Integer(n.as_i64().ok_or(BAD_CELL)?),
            (ColumnKind::Real, J::Number(n)) => Self::Real(n.as_f64().ok_or(BAD_CELL)?),
            (ColumnKind::Text, J::String(s)) => Self::Text(s),
            (ColumnKind::Json, J::String(s)) => Self::Json(s),
            (ColumnKind::Bytes, J::String(s)) => Self::Bytes(
                base64::engine::general_purpose::STANDARD.decode(s).map_err(|_| BAD_CELL)?,
            ),
            (ColumnKind::Bool, J::Bool(b)) => Self::Bool(b),
            (ColumnKind::Uuid, J::String(s)) => Self::Uuid(s.parse().map_err(|_| BAD_CELL)?),
            (ColumnKind::Time, J::String(s)) => {
                Self::Time(OffsetDateTime::parse(&s, &Rfc3339).map_err(|_| BAD_CELL)?)
            }
            _ => return Err(BAD_CELL),
        })
    }

    /// The value to bind for a `target` column. Conversions are only the lossless ones between
    /// the two schemas: SQLite keeps booleans as 0/1, UUIDs as 16 bytes, times as RFC 3339 text
    /// and JSON as text, which is exactly how sqlx binds them there.
    pub(crate) fn into_value(self, target: SqlType) -> Result<Value, StoreError> {
        use SqlType as T;
        Ok(match (target, self) {
            (T::SqliteInteger | T::Int8, Self::Null) => Option::<i64>::None.into(),
            (T::Int4, Self::Null) => Option::<i32>::None.into(),
            (T::Int2, Self::Null) => Option::<i16>::None.into(),
            (T::SqliteReal | T::Float8, Self::Null) => Option::<f64>::None.into(),
            (T::SqliteText | T::Text, Self::Null) => Option::<String>::None.into(),
            (T::SqliteBlob | T::Bytea, Self::Null) => Option::<Vec<u8>>::None.into(),
            (T::Bool, Self::Null) => Option::<bool>::None.into(),
            (T::Uuid, Self::Null) => Option::<Uuid>::None.into(),
            (T::Timestamptz, Self::Null) => Option::<OffsetDateTime>::None.into(),
            (T::Json, Self::Null) => Option::<serde_json::Value>::None.into(),

            (T::SqliteInteger | T::Int8, Self::Integer(v)) => v.into(),
            (T::Int4, Self::Integer(v)) => i32::try_from(v).map_err(|_| BAD_CELL)?.into(),
            (T::Int2, Self::Integer(v)) => i16::try_from(v).map_err(|_| BAD_CELL)?.into(),
            (T::SqliteInteger, Self::Bool(v)) => i64::from(v).into(),
            (T::Bool, Self::Bool(v)) => v.into(),
            (T::Bool, Self::Integer(v @ (0 | 1))) => (v == 1).into(),
            (T::SqliteReal | T::Float8, Self::Real(v)) => v.into(),
            (T::SqliteText | T::Text, Self::Text(v)) => v.into(),
            (T::SqliteText, Self::Json(v)) => v.into(),
            (T::SqliteText, Self::Time(v)) => v.into(),
            (T::Timestamptz, Self::Time(v)) => v.into(),
            (T::Timestamptz, Self::Text(v)) => {
                OffsetDateTime::parse(&v, &Rfc3339).map_err(|_| BAD_CELL)?.into()
            }
            (T::SqliteBlob | T::Bytea, Self::Bytes(v)) => v.into(),
            (T::SqliteBlob, Self::Uuid(v)) => v.into(),
            (T::Uuid, Self::Uuid(v)) => v.into(),
            (T::Uuid, Self::Bytes(v)) => Uuid::from_slice(&v).map_err(|_| BAD_CELL)?.into(),
            (T::Json, Self::Json(v) | Self::Text(v)) => {
                serde_json::from_str::<serde_json::Value>(&v).map_err(|_| BAD_CELL)?.into()
            }
            _ => return Err(BAD_CELL),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_survives_its_json_form() {
        let cells = [
            (ColumnKind::Integer, Cell::Integer(-7)),
            (ColumnKind::Real, Cell::Real(1.5)),
            (ColumnKind::Text, Cell::Text("x\ny".into())),
            (ColumnKind::Bytes, Cell::Bytes(vec![0, 255, 7])),
            (ColumnKind::Bool, Cell::Bool(true)),
            (ColumnKind::Uuid, Cell::Uuid(Uuid::from_u128(42))),
            (ColumnKind::Time, Cell::Time(OffsetDateTime::UNIX_EPOCH)),
            (ColumnKind::Json, Cell::Json(r#"{"b":1,"a":2}"#.into())),
            (ColumnKind::Text, Cell::Null),
        ];
        for (kind, cell) in cells {
            assert_eq!(Cell::from_json(kind, cell.to_json()).unwrap(), cell);
        }
    }

    #[test]
    fn a_value_that_does_not_fit_its_column_is_refused() {
        assert!(Cell::from_json(ColumnKind::Integer, serde_json::json!("7")).is_err());
        assert!(Cell::from_json(ColumnKind::Bytes, serde_json::json!("not base64!")).is_err());
        assert!(Cell::Integer(2).into_value(SqlType::Bool).is_err());
        assert!(Cell::Integer(1 << 40).into_value(SqlType::Int4).is_err());
        assert!(Cell::Bytes(vec![1, 2, 3]).into_value(SqlType::Uuid).is_err());
        assert!(Cell::Text("yesterday".into()).into_value(SqlType::Timestamptz).is_err());
        assert!(Cell::Uuid(Uuid::nil()).into_value(SqlType::Text).is_err());
    }

    #[test]
    fn sqlite_forms_become_postgres_types() {
        assert_eq!(Cell::Integer(1).into_value(SqlType::Bool).unwrap(), Value::from(true));
        let id = Uuid::from_u128(9);
        assert_eq!(
            Cell::Bytes(id.as_bytes().to_vec()).into_value(SqlType::Uuid).unwrap(),
            Value::from(id)
        );
        assert_eq!(
            Cell::Text("1970-01-01T00:00:00Z".into()).into_value(SqlType::Timestamptz).unwrap(),
            Value::from(OffsetDateTime::UNIX_EPOCH)
        );
    }
}
