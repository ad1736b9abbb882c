-- Outgoing e-mail waiting for delivery (server/src/mail). The whole message (recipient, subject,
-- body) is one ciphertext bound to its row, so no address or reset link is stored in clear. A row
-- is claimed by one instance at a time (claimed_until), retried with backoff (attempts,
-- next_attempt_at) and deleted once delivered or given up. last_error is a short error kind,
-- never the server's text.
CREATE TABLE outbox (
    id UUID PRIMARY KEY,
    message_ciphertext BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    last_error TEXT
);

CREATE INDEX outbox_due ON outbox (next_attempt_at);
