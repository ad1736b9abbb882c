-- Lockdown (issue: incident response): one row, read by every instance on every signed-in
-- request, so switching it on is in force everywhere at once.
CREATE TABLE lockdown (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    active BOOLEAN NOT NULL,
    reason TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    changed_by UUID
);
INSERT INTO lockdown (id, active, reason, changed_at) VALUES (1, FALSE, '', '1970-01-01T00:00:00Z');
