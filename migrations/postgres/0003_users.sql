-- Accounts. The e-mail address is stored only encrypted (bound to the row and field) and as a
-- blind index for lookups and uniqueness; see docs/crypto.md.
CREATE TABLE users (
    id UUID PRIMARY KEY,
    email_ciphertext BYTEA NOT NULL,
    email_index BYTEA NOT NULL UNIQUE,
    email_index_version BIGINT NOT NULL,
    password_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at TIMESTAMPTZ NOT NULL
);
