-- Backups and restore drills (issue: incident response). One row per attempt, successful or not:
-- the newest success says how old the last backup is (the `backup_stale` alert, the
-- `rampart_backup_age_seconds` gauge, `rampart doctor`), a failure raises `backup_failed`.
CREATE TABLE backup_runs (
    id BLOB PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    -- The file's name in backup.directory (no directory: the path is the operator's business).
    file_name TEXT,
    sha256 TEXT,
    size_bytes INTEGER,
    row_count INTEGER,
    error TEXT
) STRICT;
CREATE INDEX backup_runs_by_finished ON backup_runs (outcome, finished_at);

-- `rampart drill restore`: the newest backup restored into a scratch database and verified.
-- RTO: seconds the restore took; RPO: how old the restored data was (the backup's age).
CREATE TABLE restore_drills (
    id BLOB PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    backup_file TEXT,
    rto_seconds REAL,
    rpo_seconds REAL,
    error TEXT
) STRICT;
CREATE INDEX restore_drills_by_finished ON restore_drills (outcome, finished_at);
