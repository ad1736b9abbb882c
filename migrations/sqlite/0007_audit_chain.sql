-- The tamper-evident audit trail (issue: audit trail, monitoring and alerts). Replaces the interim
-- `audit_events` table of the accounts work; Rampart had not been released, so no installation
-- holds interim events worth carrying over.
--
-- Each event is a link of a hash chain: hash = SHA-256(prev_hash || canonical(event)), with
-- prev_hash of the first event = 32 zero bytes (crates/crypto/src/audit_chain.rs). `seq` is the
-- position in the chain, from 1, without gaps. Times are RFC 3339 UTC text, truncated to the
-- microsecond so both engines store exactly what was hashed.
DROP TABLE audit_events;

CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    actor_user_id BLOB,
    ip TEXT,
    user_agent TEXT,
    session_hash TEXT,
    target TEXT,
    details TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
) STRICT;
CREATE INDEX audit_events_by_action ON audit_events (action, seq);
CREATE INDEX audit_events_by_actor ON audit_events (actor_user_id, seq);
CREATE INDEX audit_events_by_at ON audit_events (at);

-- The chain's head: one row. Appending updates it first, which serialises writers (SQLite's write
-- lock; PostgreSQL's row lock, across instances).
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash BLOB NOT NULL,
    checkpointed_seq INTEGER NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash, checkpointed_seq) VALUES (1, 0, zeroblob(32), 0);

-- Ed25519 signatures (the keyring's `audit` key, `key_version`) over (tree_size, head_hash, at).
-- Never deleted: the one at the end of a pruned prefix vouches for what was pruned.
CREATE TABLE audit_checkpoints (
    tree_size INTEGER PRIMARY KEY,
    head_hash BLOB NOT NULL,
    at TEXT NOT NULL,
    key_version INTEGER NOT NULL,
    signature BLOB NOT NULL
) STRICT;
