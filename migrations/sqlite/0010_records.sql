-- Departments, custom roles and department-scoped grants; collections and their records
-- (issue: role-based access by department, and the business records API).
-- Times are RFC 3339 UTC text, as everywhere on SQLite.

-- A department is named by a slug (`sales`, `hr`): records and grants refer to it by name, and a
-- department still in use cannot be deleted (the references are not cascaded away).
CREATE TABLE departments (
    name TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- Roles made of `resource:action` permissions; the built-in roles live in code
-- (rampart_domain::BuiltInRole) and their names cannot be taken here.
CREATE TABLE custom_roles (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    -- JSON array of permission names, checked against the vocabulary on every read.
    permissions TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- A grant is for all departments, or for the departments listed in user_role_departments.
ALTER TABLE user_roles ADD COLUMN all_departments INTEGER NOT NULL DEFAULT 1;
ALTER TABLE user_roles ADD COLUMN granted_by BLOB;
CREATE INDEX user_roles_by_role ON user_roles (role);

CREATE TABLE user_role_departments (
    user_id BLOB NOT NULL,
    role TEXT NOT NULL,
    department TEXT NOT NULL REFERENCES departments (name),
    PRIMARY KEY (user_id, role, department),
    FOREIGN KEY (user_id, role) REFERENCES user_roles (user_id, role) ON DELETE CASCADE
) STRICT;
CREATE INDEX user_role_departments_by_department ON user_role_departments (department);

-- A collection's definition. `fields` is the schema as JSON (rampart_domain::records::schema);
-- `departments` (JSON array) lists the departments whose staff may use it, empty for all;
-- `default_department` is where a record made through a public form or by a customer goes.
CREATE TABLE collections (
    name TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    fields TEXT NOT NULL,
    department_scoped INTEGER NOT NULL,
    departments TEXT NOT NULL,
    default_department TEXT REFERENCES departments (name),
    public_create INTEGER NOT NULL,
    customer_access INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Records are JSON documents in one fixed table, so that the running server never issues DDL.
-- `data` holds the fields that are not sensitive; `sealed` the sensitive ones, encrypted
-- together (XChaCha20-Poly1305, bound to the collection, the record and the field set).
CREATE TABLE records (
    id BLOB PRIMARY KEY,
    collection TEXT NOT NULL REFERENCES collections (name),
    department TEXT REFERENCES departments (name),
    owner_id BLOB,
    data TEXT NOT NULL,
    sealed BLOB,
    version INTEGER NOT NULL,
    created_by BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
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
    record_id BLOB NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    collection TEXT NOT NULL,
    digest BLOB NOT NULL,
    key_version INTEGER NOT NULL,
    is_unique INTEGER NOT NULL,
    PRIMARY KEY (record_id, field)
) STRICT;
CREATE INDEX record_lookup_find ON record_lookup (collection, field, digest);
CREATE UNIQUE INDEX record_lookup_unique ON record_lookup (collection, field, digest)
    WHERE is_unique = 1;

-- Public website forms: submissions per client address per hour, shared by every instance.
CREATE TABLE form_submissions (
    collection TEXT NOT NULL,
    ip TEXT NOT NULL,
    window_start TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (collection, ip, window_start)
) STRICT;
