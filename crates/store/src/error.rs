/// Everything that can go wrong in the store. Messages never contain a database URL, a
/// credential or a stored value.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database.url is not a valid sqlite: or postgres: URL ({0})")]
    BadUrl(&'static str),
    /// Unreachable, busy, locked, read-only or shutting down: nothing was done; try later.
    #[error("the database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error("the database schema could not be migrated")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// A unique value (such as an e-mail address's index) is already taken.
    #[error("that value is already taken")]
    Duplicate,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A value handed to the store that cannot be what the caller meant (a forged cursor).
    #[error("invalid: {0}")]
    Invalid(&'static str),
    /// The disk (or the PostgreSQL server's) is full: nothing more can be written until space
    /// is freed. Nothing that failed this way was committed.
    #[error("the database's disk is full")]
    Full(#[source] sqlx::Error),
    /// The audit chain is broken (verification found it, or an append collided with rows that
    /// are not where the head says): nothing that must be audited can be done until an operator
    /// starts a new segment (`rampart audit new-segment`). Nothing was committed.
    #[error("the audit trail cannot take an event")]
    AuditChainBroken(#[source] AuditHalted),
    #[error("a database query failed")]
    Query(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::Database(ref database) if database.is_unique_violation() => {
                Self::Duplicate
            }
            _ => match driver_fault(&error) {
                Some(Fault::Full) => Self::Full(error),
                Some(Fault::Unavailable) => Self::Unavailable(error),
                // The driver never reports the audit trail's state.
                Some(Fault::AuditUnavailable) | None => Self::Query(error),
            },
        }
    }
}

/// Why [`StoreError::AuditChainBroken`] happened, as its source: an error that wraps a
/// `StoreError` transparently forwards `source()` past it, so this is what [`database_fault`]
/// finds in any chain of errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the audit trail is broken: nothing can be recorded until an operator starts a new segment"
)]
pub struct AuditHalted;

/// A database error that says something about the database rather than the statement: the
/// answer is "try again later", not "this request is wrong" nor "a bug".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The disk is full.
    Full,
    /// Unreachable, busy, locked, read-only, shutting down, out of connections.
    Unavailable,
    /// The audit trail cannot take an event: actions that must be audited are refused.
    AuditUnavailable,
}

/// The database fault behind `error`, wherever it sits in the chain of sources (a use case's
/// error wrapping a [`StoreError`], or the driver's error itself): how the edges tell a full
/// disk (507) and an unavailable database (503) from a failure that is a bug (500).
pub fn database_fault(error: &(dyn std::error::Error + 'static)) -> Option<Fault> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(store) = error.downcast_ref::<StoreError>() {
            match store {
                StoreError::Full(_) => return Some(Fault::Full),
                StoreError::Unavailable(_) => return Some(Fault::Unavailable),
                StoreError::AuditChainBroken(_) => return Some(Fault::AuditUnavailable),
                _ => {}
            }
        }
        if error.is::<AuditHalted>() {
            return Some(Fault::AuditUnavailable);
        }
        if let Some(fault) = error.downcast_ref::<sqlx::Error>().and_then(driver_fault) {
            return Some(fault);
        }
        current = error.source();
    }
    None
}

/// What the driver's error says of the database.
fn driver_fault(error: &sqlx::Error) -> Option<Fault> {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Some(Fault::Unavailable),
        sqlx::Error::Database(database) => fault_of(database.code().as_deref()),
        _ => None,
    }
}

/// What an engine's error code says. PostgreSQL reports a five-character SQLSTATE; SQLite its
/// (extended) result code as a number of at most four digits: the two never collide.
fn fault_of(code: Option<&str>) -> Option<Fault> {
    let code = code?;
    if code.len() < 5
        && let Ok(sqlite) = code.parse::<i32>()
    {
        // The primary code is the low byte of an extended one (SQLITE_IOERR_WRITE = 778 → 10).
        return match sqlite & 0xff {
            13 => Some(Fault::Full),                    // SQLITE_FULL
            5 | 6 | 8 | 10 => Some(Fault::Unavailable), // BUSY, LOCKED, READONLY, IOERR
            _ => None,
        };
    }
    match code {
        "53100" => Some(Fault::Full), // disk_full
        // insufficient_resources, out_of_memory, too_many_connections, read_only_sql_transaction,
        // admin/crash shutdown, cannot_connect_now, and every connection exception (08…).
        "53000" | "53200" | "53300" | "25006" | "57P01" | "57P02" | "57P03" => {
            Some(Fault::Unavailable)
        }
        _ if code.starts_with("08") => Some(Fault::Unavailable),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{AuditHalted, Fault, StoreError, database_fault, fault_of};

    /// A use case's error that wraps the store's transparently, as most do.
    #[derive(Debug, thiserror::Error)]
    enum UseCaseError {
        #[error(transparent)]
        Store(#[from] StoreError),
    }

    #[test]
    fn a_broken_audit_trail_is_found_behind_a_transparent_wrapper() {
        let bare = StoreError::AuditChainBroken(AuditHalted);
        assert_eq!(database_fault(&bare), Some(Fault::AuditUnavailable));
        let wrapped = UseCaseError::from(StoreError::AuditChainBroken(AuditHalted));
        assert_eq!(database_fault(&wrapped), Some(Fault::AuditUnavailable));
        assert_eq!(database_fault(&UseCaseError::from(StoreError::Duplicate)), None);
    }

    #[test]
    fn engine_codes_that_speak_of_the_database_are_told_apart_from_failed_statements() {
        assert_eq!(fault_of(Some("13")), Some(Fault::Full));
        assert_eq!(fault_of(Some("53100")), Some(Fault::Full));
        assert_eq!(fault_of(Some("5")), Some(Fault::Unavailable));
        assert_eq!(fault_of(Some("778")), Some(Fault::Unavailable), "SQLITE_IOERR_WRITE");
        assert_eq!(fault_of(Some("08006")), Some(Fault::Unavailable));
        assert_eq!(fault_of(Some("25006")), Some(Fault::Unavailable));
        assert_eq!(fault_of(Some("1")), None, "SQLITE_ERROR: the statement's own fault");
        assert_eq!(fault_of(Some("23503")), None, "a foreign key: the statement's own fault");
        assert_eq!(fault_of(Some("2067")), None, "SQLITE_CONSTRAINT_UNIQUE is handled before");
        assert_eq!(fault_of(Some("53300")), Some(Fault::Unavailable), "too many connections");
        assert_eq!(fault_of(None), None);
    }
}
