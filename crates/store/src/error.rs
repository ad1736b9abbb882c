/// Everything that can go wrong in the store. Messages never contain a database URL, a
/// credential or a stored value.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database.url is not a valid sqlite: or postgres: URL ({0})")]
    BadUrl(&'static str),
    #[error("the database could not be reached")]
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
    #[error("a database query failed")]
    Query(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => Self::Unavailable(error),
            sqlx::Error::Database(ref database) if database.is_unique_violation() => {
                Self::Duplicate
            }
            other => Self::Query(other),
        }
    }
}
