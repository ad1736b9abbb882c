-- A broken audit chain, and the way back (issue: faults and outside testing, item 9).
--
-- `audit_head.broken_seq`: set when verification finds the chain broken (the first bad entry).
-- While it is set nothing is appended: every action that must be audited is refused (503
-- `audit_unavailable`) until an operator runs `rampart audit new-segment`, which starts a new
-- segment of the chain. The broken rows are kept as they are, for the investigation.
ALTER TABLE audit_head ADD COLUMN broken_seq BIGINT;

-- One row per segment started after a break: the new segment's first entry links from
-- `anchor_hash` = SHA-256(format, segment, first_seq, previous_head_hash); the row is signed with
-- the audit key (`key_version`) over (segment, first_seq, previous_head_hash, broken_seq, at), so
-- only the key's holder can close a broken segment (crates/crypto/src/audit_chain.rs).
CREATE TABLE audit_segments (
    segment BIGINT PRIMARY KEY,
    first_seq BIGINT NOT NULL UNIQUE,
    previous_head_hash BYTEA NOT NULL,
    anchor_hash BYTEA NOT NULL,
    broken_seq BIGINT NOT NULL,
    finding TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    key_version INTEGER NOT NULL,
    signature BYTEA NOT NULL
);
