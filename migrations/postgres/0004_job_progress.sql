-- Where a long-running job (key re-encryption) stopped, so that it resumes after a crash.
CREATE TABLE job_progress (
    name TEXT PRIMARY KEY,
    cursor TEXT NOT NULL,
    checked BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
