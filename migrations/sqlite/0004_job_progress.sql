-- Where a long-running job (key re-encryption) stopped, so that it resumes after a crash.
CREATE TABLE job_progress (
    name TEXT PRIMARY KEY,
    cursor TEXT NOT NULL,
    checked INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
