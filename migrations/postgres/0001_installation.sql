-- One row that identifies this installation; written by the first start.
CREATE TABLE installation (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    installation_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
