-- Departments, custom roles and department-scoped grants; collections and their records
-- (issue: role-based access by department, and the business records API).

-- A department is named by a slug (`sales`, `hr`): records and grants refer to it by name, and a
-- department still in use cannot be deleted (the references are not cascaded away).
CREATE TABLE departments (
    name TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Roles made of `resource:action` permissions; the built-in roles live in code
-- (rampart_domain::BuiltInRole) and their names cannot be taken here.
CREATE TABLE custom_roles (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    -- JSON array of permission names, checked against the vocabulary on every read.
    permissions TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A grant is for all departments, or for the departments listed in user_role_departments.
ALTER TABLE user_roles ADD COLUMN all_departments BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE user_roles ADD COLUMN granted_by UUID;
CREATE INDEX user_roles_by_role ON user_roles (role);

CREATE TABLE user_role_departments (
    user_id UUID NOT NULL,
    role TEXT NOT NULL,
    department TEXT NOT NULL REFERENCES departments (name),
    PRIMARY KEY (user_id, role, department),
    FOREIGN KEY (user_id, role) REFERENCES user_roles (user_id, role) ON DELETE CASCADE
);
CREATE INDEX user_role_departments_by_department ON user_role_departments (department);

-- A collection's definition. `fields` is the schema as JSON (rampart_domain::records::schema);
-- `departments` (JSON array) lists the departments whose staff may use it, empty for all;
-- `default_department` is where a record made through a public form or by a customer goes.
CREATE TABLE collections (
    name TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    fields TEXT NOT NULL,
    department_scoped BOOLEAN NOT NULL,
    departments TEXT NOT NULL,
    default_department TEXT REFERENCES departments (name),
    public_create BOOLEAN NOT NULL,
    customer_access BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Records are JSON documents in one fixed table, so that the running server never issues DDL.
-- `data` holds the fields that are not sensitive; `sealed` the sensitive ones, encrypted
-- together (XChaCha20-Poly1305, bound to the collection, the record and the field set).
CREATE TABLE records (
    id UUID PRIMARY KEY,
    collection TEXT NOT NULL REFERENCES collections (name),
    department TEXT REFERENCES departments (name),
    owner_id UUID,
    data JSONB NOT NULL,
    sealed BYTEA,
    version BIGINT NOT NULL,
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ
);
-- Listing by department (staff), by owner (customers) or across the collection, newest first.
CREATE INDEX records_by_department ON records (collection, department, created_at, id)
    WHERE deleted_at IS NULL;
CREATE INDEX records_by_owner ON records (collection, owner_id, created_at, id)
    WHERE deleted_at IS NULL;
CREATE INDEX records_by_created ON records (collection, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX records_deleted ON records (deleted_at) WHERE deleted_at IS NOT NULL;

-- Equality lookups and uniqueness without the value: a blind index (HMAC) of each searchable
-- or unique field's canonical value.
CREATE TABLE record_lookup (
    record_id UUID NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    collection TEXT NOT NULL,
    digest BYTEA NOT NULL,
    key_version BIGINT NOT NULL,
    is_unique BOOLEAN NOT NULL,
    PRIMARY KEY (record_id, field)
);
CREATE INDEX record_lookup_find ON record_lookup (collection, field, digest);
CREATE UNIQUE INDEX record_lookup_unique ON record_lookup (collection, field, digest)
    WHERE is_unique;

-- Public website forms: submissions per client address per hour, shared by every instance.
CREATE TABLE form_submissions (
    collection TEXT NOT NULL,
    ip TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (collection, ip, window_start)
);
