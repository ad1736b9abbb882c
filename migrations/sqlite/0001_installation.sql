-- One row that identifies this installation; written by the first start.
CREATE TABLE installation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    installation_id BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
