-- Who was told of an incident (`rampart incident notify`): one row per record whose holder was
-- mailed, in a batch (the query that chose them: reader and window). The address is not kept,
-- only its blind index (the keyring's, under the users' e-mail context), so "was this person
-- told?" has an answer without an address in clear. The same address is mailed once a batch.
CREATE TABLE incident_notifications (
    batch_id TEXT NOT NULL,
    collection TEXT NOT NULL,
    record_id BLOB NOT NULL,
    email_index BLOB NOT NULL,
    email_index_version INTEGER NOT NULL,
    notified_at TEXT NOT NULL,
    PRIMARY KEY (batch_id, collection, record_id)
) STRICT;
CREATE INDEX incident_notifications_by_address ON incident_notifications (batch_id, email_index);
