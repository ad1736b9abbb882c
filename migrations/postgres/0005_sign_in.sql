-- Sign-in, sessions and their protections (issue: accounts, sessions and sign-in protection).

ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMPTZ;

-- Built-in role names for now; the roles issue adds custom roles and department scopes.
CREATE TABLE user_roles (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Only the SHA-256 of a session token is stored.
CREATE TABLE sessions (
    id UUID PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    authenticated_at TIMESTAMPTZ NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Consecutive failed sign-ins per address tried (a blind index of it, so unknown addresses are
-- throttled like known ones and nothing here names an address).
CREATE TABLE sign_in_failures_by_address (
    address_index BYTEA PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL
);

-- Failed sign-ins per client address, for the spraying limit; rows older than the window go.
CREATE TABLE sign_in_failures_by_ip (
    id UUID PRIMARY KEY,
    ip TEXT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_failures_by_ip_ip ON sign_in_failures_by_ip (ip, failed_at);

CREATE TABLE blocked_ips (
    ip TEXT PRIMARY KEY,
    blocked_until TIMESTAMPTZ NOT NULL
);

-- Single-use links (first owner, e-mail verification, password reset); only their hash is kept.
CREATE TABLE one_time_tokens (
    token_hash BYTEA PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('bootstrap', 'verify_email', 'password_reset')),
    user_id UUID REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);

-- Devices a user has signed in from: a keyed hash of (browser family, /24 or /48 network).
CREATE TABLE known_devices (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_hash BYTEA NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, device_hash)
);

-- API keys: only their hash is stored; permissions and CIDRs are space-separated lists.
CREATE TABLE api_keys (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    permissions TEXT NOT NULL,
    allowed_cidrs TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_keys_by_user ON api_keys (user_id);

-- The audit trail until the audit issue adds its hash chain and signed checkpoints: every call
-- site already goes through one function (server/src/audit.rs).
CREATE TABLE audit_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    actor_user_id UUID,
    ip TEXT,
    user_agent TEXT,
    session_hash TEXT,
    target TEXT,
    details TEXT NOT NULL
);
CREATE INDEX audit_events_by_action ON audit_events (action, at);
