-- Data keys, one row per purpose and version, wrapped under the master key (see docs/crypto.md).
CREATE TABLE keys (
    purpose TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    wrapped BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (purpose, version)
) STRICT;
