-- Invitations (staff lifecycle): an administrator invites an address with roles × departments;
-- the invitee follows a single-use link, sets a password and has an account with exactly those
-- grants. The address is stored like an account's: ciphertext bound to the row and field, and a
-- blind index (the same context as `users.email_index`) for "is there a pending invitation or an
-- account for this address". Only the SHA-256 of the link's token is stored. `grants` is a JSON
-- array of {"role", "departments": null | [names]}, checked when read back.
-- Rows are deleted a week after they expire (`records/purge.rs`): the audit trail keeps the story.
CREATE TABLE invitations (
    id UUID PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE,
    email_ciphertext BYTEA NOT NULL,
    email_index BYTEA NOT NULL,
    email_index_version BIGINT NOT NULL,
    grants TEXT NOT NULL,
    invited_by UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
    closed_at TIMESTAMPTZ,
    user_id UUID,
    CHECK ((status = 'pending') = (closed_at IS NULL))
);
-- At most one pending invitation per address: a new one replaces the old in the same unit.
CREATE UNIQUE INDEX invitations_one_pending ON invitations (email_index) WHERE status = 'pending';
CREATE INDEX invitations_by_expiry ON invitations (expires_at);

-- A change of e-mail address asked for by the account's holder: the new address, stored as an
-- account's (ciphertext bound to this table, the user and the field; blind index), waits here
-- until the link mailed to it is used; only the SHA-256 of the link's token is stored. A newer
-- request makes older ones unusable. Rows go a week after they expire, with the invitations.
CREATE TABLE email_changes (
    token_hash BYTEA PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email_ciphertext BYTEA NOT NULL,
    email_index BYTEA NOT NULL,
    email_index_version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX email_changes_by_user ON email_changes (user_id);
CREATE INDEX email_changes_by_expiry ON email_changes (expires_at);
