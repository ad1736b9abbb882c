-- Detection and alerts (issue: audit trail, monitoring and alerts).

-- Which address each failure from a client was for (its sign-in blind index), so that the
-- spraying rule counts the distinct accounts one address tried, and the stuffing rule the
-- distinct addresses and clients across the deployment.
ALTER TABLE sign_in_failures_by_ip ADD COLUMN address_index BLOB;
CREATE INDEX sign_in_failures_by_ip_at ON sign_in_failures_by_ip (failed_at);

-- One row per rule, subject and window: a rule fires once per window for the same subject.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    subject TEXT NOT NULL,
    window_start TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    details TEXT NOT NULL,
    UNIQUE (rule, subject, window_start)
) STRICT;
CREATE INDEX alerts_by_status ON alerts (status, id);

-- Each alert's delivery to each sink: retried with backoff, `dead` after the last attempt.
CREATE TABLE alert_deliveries (
    alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    sink TEXT NOT NULL CHECK (sink IN ('webhook', 'email')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    last_error TEXT,
    delivered_at TEXT,
    PRIMARY KEY (alert_id, sink)
) STRICT;
CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt_at);
