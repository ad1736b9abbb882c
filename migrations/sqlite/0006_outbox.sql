-- Outgoing e-mail waiting for delivery (server/src/mail). The whole message (recipient, subject,
-- body) is one ciphertext bound to its row, so no address or reset link is stored in clear. A row
-- is claimed by one instance at a time (claimed_until), retried with backoff (attempts,
-- next_attempt_at) and deleted once delivered or given up. last_error is a short error kind,
-- never the server's text. Times are whole seconds in UTC, so that they compare as text.
CREATE TABLE outbox (
    id BLOB PRIMARY KEY,
    message_ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    last_error TEXT
) STRICT;

CREATE INDEX outbox_due ON outbox (next_attempt_at);
