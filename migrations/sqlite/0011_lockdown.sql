-- Lockdown (issue: incident response): one row, read by every instance on every signed-in
-- request, so switching it on is in force everywhere at once.
CREATE TABLE lockdown (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    active INTEGER NOT NULL,
    reason TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by BLOB
) STRICT;
INSERT INTO lockdown (id, active, reason, changed_at) VALUES (1, 0, '', '1970-01-01T00:00:00Z');
