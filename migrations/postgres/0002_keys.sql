-- Data keys, one row per purpose and version, wrapped under the master key (see docs/crypto.md).
CREATE TABLE keys (
    purpose TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version > 0),
    wrapped BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (purpose, version)
);
