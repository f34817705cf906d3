-- Participants, access, and the tamper-evident log (SQLite).
-- Times are microseconds since the Unix epoch; ids are UUID v7 text, so they sort by creation time.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,   -- lower-cased name: names are unique regardless of case
    kind        TEXT NOT NULL,
    sector      TEXT,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE people (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE memberships (
    person_id   TEXT NOT NULL REFERENCES people(id),
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    role        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (person_id, org_id, role)
) STRICT;
CREATE INDEX memberships_by_org ON memberships (org_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    person_id    TEXT REFERENCES people(id),
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    secret_hash  BLOB NOT NULL UNIQUE,   -- SHA-256 of the secret; the secret itself is never stored
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX api_tokens_by_org ON api_tokens (org_id, id);

CREATE TABLE sessions (
    secret_hash BLOB PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people(id),
    csrf_token  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE signin_links (
    secret_hash BLOB PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) STRICT;

-- The log: leaves in order, every completed perfect subtree hash (key = level << 56 | index),
-- and one head row whose lock serializes appenders.
CREATE TABLE log_entries (
    idx        INTEGER PRIMARY KEY,
    leaf       BLOB NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX log_entries_by_object ON log_entries (object);

CREATE TABLE log_nodes (
    node_key INTEGER PRIMARY KEY,
    hash     BLOB NOT NULL
) STRICT;

CREATE TABLE log_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL,
    verifier_key TEXT          -- the log key this database was first signed with
) STRICT;
INSERT INTO log_head (id, size) VALUES (1, 0);
