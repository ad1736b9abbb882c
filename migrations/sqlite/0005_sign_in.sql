-- Sign-in, sessions and their protections (issue: accounts, sessions and sign-in protection).
-- Times are RFC 3339 UTC text (sqlx's encoding); comparisons in SQL are only ever coarse
-- (expiry, windows of minutes), exact checks happen in Rust.

ALTER TABLE users ADD COLUMN email_verified_at TEXT;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;

-- Built-in role names for now; the roles issue adds custom roles and department scopes.
CREATE TABLE user_roles (
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
) STRICT;

-- Only the SHA-256 of a session token is stored.
CREATE TABLE sessions (
    id BLOB PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    authenticated_at TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Consecutive failed sign-ins per address tried (a blind index of it, so unknown addresses are
-- throttled like known ones and nothing here names an address).
CREATE TABLE sign_in_failures_by_address (
    address_index BLOB PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL
) STRICT;

-- Failed sign-ins per client address, for the spraying limit; rows older than the window go.
CREATE TABLE sign_in_failures_by_ip (
    id BLOB PRIMARY KEY,
    ip TEXT NOT NULL,
    failed_at TEXT NOT NULL
) STRICT;
CREATE INDEX sign_in_failures_by_ip_ip ON sign_in_failures_by_ip (ip, failed_at);

CREATE TABLE blocked_ips (
    ip TEXT PRIMARY KEY,
    blocked_until TEXT NOT NULL
) STRICT;

-- Single-use links (first owner, e-mail verification, password reset); only their hash is kept.
CREATE TABLE one_time_tokens (
    token_hash BLOB PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('bootstrap', 'verify_email', 'password_reset')),
    user_id BLOB REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
) STRICT;

-- Devices a user has signed in from: a keyed hash of (browser family, /24 or /48 network).
CREATE TABLE known_devices (
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_hash BLOB NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (user_id, device_hash)
) STRICT;

-- API keys: only their hash is stored; permissions and CIDRs are space-separated lists.
CREATE TABLE api_keys (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    permissions TEXT NOT NULL,
    allowed_cidrs TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
) STRICT;
CREATE INDEX api_keys_by_user ON api_keys (user_id);

-- The audit trail until the audit issue adds its hash chain and signed checkpoints: every call
-- site already goes through one function (server/src/audit.rs).
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    actor_user_id BLOB,
    ip TEXT,
    user_agent TEXT,
    session_hash TEXT,
    target TEXT,
    details TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_by_action ON audit_events (action, at);
