-- Multi-factor sign-in (issue 5). A session is either waiting for its second factor
-- (`mfa_pending`: short-lived, good only for POST /api/auth/login/mfa) or `full`; `assurance`
-- records how its holder proved who they are; `mfa_failures` counts wrong codes against it.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full'
    CHECK (stage IN ('mfa_pending', 'full'));
ALTER TABLE sessions ADD COLUMN assurance TEXT NOT NULL DEFAULT 'password';
ALTER TABLE sessions ADD COLUMN mfa_failures INTEGER NOT NULL DEFAULT 0;

-- One TOTP authenticator per user. The secret is ciphertext bound to (totp_factors, user id,
-- secret). `confirmed_at` is NULL while enrolment waits for its first code. `last_used_step` is
-- the newest 30-second step accepted: a code is accepted only by the conditional UPDATE that
-- raises it, so one step counts once, however many requests race with it.
CREATE TABLE totp_factors (
    user_id BLOB PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_ciphertext BLOB NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    last_used_step INTEGER
) STRICT;

-- Recovery codes: only the SHA-256 of each (128 random bits) is kept; a code is used by the
-- conditional UPDATE that sets used_at.
CREATE TABLE recovery_codes (
    code_hash BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    used_at TEXT
) STRICT;
CREATE INDEX recovery_codes_by_user ON recovery_codes (user_id);

-- Passkeys (WebAuthn): several per user, each with a name. `passkey` is webauthn-rs's JSON of
-- the credential (public key, counter, flags): nothing secret.
CREATE TABLE passkeys (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    credential_id BLOB NOT NULL UNIQUE,
    passkey TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT
) STRICT;
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- WebAuthn ceremonies in progress (shared by every instance): the server-side state of one
-- challenge, single use (deleted when finished), 5 minutes.
CREATE TABLE webauthn_challenges (
    id BLOB PRIMARY KEY,
    user_id BLOB REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('register', 'second_factor', 'passwordless')),
    state TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
