-- Incidents (issue: incident response): opened, updated and closed by incident managers.
-- Status: open (being handled), contained (harm stopped, clean-up going on), closed (final).
-- Only the incident and its manual notes are stored: the timeline is derived from these notes,
-- the alerts raised and the audit trail's containment events between opened_at and closed_at
-- (server/src/incident/timeline.rs), so it cannot disagree with the tamper-evident trail.
CREATE TABLE incidents (
    id UUID PRIMARY KEY,
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    summary TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'contained', 'closed')),
    opened_at TIMESTAMPTZ NOT NULL,
    opened_by UUID,
    updated_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX incidents_by_opened_at ON incidents (opened_at);

-- The manual updates of an incident (what was found, decided or done outside Rampart).
CREATE TABLE incident_notes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id UUID NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at TIMESTAMPTZ NOT NULL,
    author UUID,
    note TEXT NOT NULL
);
CREATE INDEX incident_notes_by_incident ON incident_notes (incident_id, id);
