-- Participants, access, and the tamper-evident log (PostgreSQL).
-- Times are microseconds since the Unix epoch (as on SQLite, so both engines share row types);
-- ids are UUID v7 text, so they sort by creation time.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    sector      TEXT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE people (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT,
    created_at    BIGINT NOT NULL
);

CREATE TABLE memberships (
    person_id   TEXT NOT NULL REFERENCES people(id),
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    role        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (person_id, org_id, role)
);
CREATE INDEX memberships_by_org ON memberships (org_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    person_id    TEXT REFERENCES people(id),
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    secret_hash  BYTEA NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_by_org ON api_tokens (org_id, id);

CREATE TABLE sessions (
    secret_hash BYTEA PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people(id),
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE TABLE signin_links (
    secret_hash BYTEA PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

CREATE TABLE log_entries (
    idx        BIGINT PRIMARY KEY,
    leaf       BYTEA NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX log_entries_by_object ON log_entries (object);

CREATE TABLE log_nodes (
    node_key BIGINT PRIMARY KEY,
    hash     BYTEA NOT NULL
);

CREATE TABLE log_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL,
    verifier_key TEXT          -- the log key this database was first signed with
);
INSERT INTO log_head (id, size) VALUES (1, 0);
