-- The knowledge base, operators' inventories, matches and notifications (SQLite).
-- Same conventions as the foundation: microsecond times, UUID v7 text ids; flags are 0/1 INTEGER so
-- both engines share row types.

-- One row per alias group; `facts` is the merge of every source's facts (JSON).
CREATE TABLE vulnerabilities (
    id          TEXT PRIMARY KEY,
    display_id  TEXT NOT NULL,
    facts       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX vulnerabilities_by_display_id ON vulnerabilities (display_id);

CREATE TABLE vulnerability_aliases (
    alias             TEXT PRIMARY KEY,
    vulnerability_id  TEXT NOT NULL REFERENCES vulnerabilities(id)
);
CREATE INDEX vulnerability_aliases_by_vulnerability ON vulnerability_aliases (vulnerability_id);

-- When two alias groups turn out to be one, the younger id points at the survivor.
CREATE TABLE vulnerability_redirects (
    old_id  TEXT PRIMARY KEY,
    new_id  TEXT NOT NULL
);

-- Every source's record, as received (`document`) and as understood (`record`, JSON).
CREATE TABLE advisories (
    id             TEXT PRIMARY KEY,
    source         TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    digest         TEXT NOT NULL,
    location       TEXT NOT NULL,
    title          TEXT,
    modified       TEXT,
    withdrawn      INTEGER NOT NULL,
    record         TEXT NOT NULL,
    document       BLOB NOT NULL,
    imported_at    INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    match_pending  INTEGER NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX advisories_by_digest ON advisories (digest);
CREATE INDEX advisories_pending ON advisories (match_pending, id);

CREATE TABLE advisory_vulnerabilities (
    advisory_id       TEXT NOT NULL REFERENCES advisories(id),
    vulnerability_id  TEXT NOT NULL REFERENCES vulnerabilities(id),
    PRIMARY KEY (advisory_id, vulnerability_id)
);
CREATE INDEX advisory_vulnerabilities_by_vulnerability ON advisory_vulnerabilities (vulnerability_id);

-- The package index: which records mark which (ecosystem, name) affected, under what condition.
CREATE TABLE advisory_packages (
    advisory_id       TEXT NOT NULL REFERENCES advisories(id),
    seq               INTEGER NOT NULL,
    vulnerability_id  TEXT NOT NULL,
    ecosystem         TEXT NOT NULL,
    name_key          TEXT NOT NULL,
    condition         TEXT NOT NULL,
    range_text        TEXT NOT NULL,
    PRIMARY KEY (advisory_id, seq)
);
CREATE INDEX advisory_packages_by_key ON advisory_packages (name_key, ecosystem);

-- VEX not-affected statements: from a vendor's document (advisory_id) or an operator (org_id,
-- applying to that operator only).
CREATE TABLE vex_statements (
    id                TEXT PRIMARY KEY,
    advisory_id       TEXT,
    org_id            TEXT,
    vulnerability_id  TEXT NOT NULL,
    ecosystem         TEXT NOT NULL,
    name_key          TEXT NOT NULL,
    condition         TEXT NOT NULL,
    justification     TEXT NOT NULL,
    created_at        INTEGER NOT NULL
);
CREATE INDEX vex_statements_by_vulnerability ON vex_statements (vulnerability_id);
CREATE INDEX vex_statements_by_advisory ON vex_statements (advisory_id);

CREATE TABLE epss_scores (
    cve         TEXT PRIMARY KEY,
    score       REAL NOT NULL,
    percentile  REAL NOT NULL
);

-- Whole-file sources (KEV catalog, EPSS file): the digest last imported, to skip unchanged files.
CREATE TABLE kb_feeds (
    kind        TEXT NOT NULL,
    location    TEXT NOT NULL,
    digest      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, location)
);

CREATE TABLE assets (
    id                    TEXT PRIMARY KEY,
    org_id                TEXT NOT NULL REFERENCES organizations(id),
    name                  TEXT NOT NULL,
    name_key              TEXT NOT NULL,
    mission_impact        TEXT NOT NULL,
    safety_impact         TEXT NOT NULL,
    exposure              TEXT NOT NULL,
    owner                 TEXT,
    shared_with_analysts  INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    UNIQUE (org_id, name_key)
);

CREATE TABLE inventory_uploads (
    id               TEXT PRIMARY KEY,
    asset_id         TEXT NOT NULL REFERENCES assets(id),
    org_id           TEXT NOT NULL,
    format           TEXT NOT NULL,
    digest           TEXT NOT NULL,
    component_count  INTEGER NOT NULL,
    uploaded_by      TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    superseded_at    INTEGER,
    match_pending    INTEGER NOT NULL
);
CREATE INDEX inventory_uploads_by_asset ON inventory_uploads (asset_id, id);
CREATE INDEX inventory_uploads_pending ON inventory_uploads (match_pending, id);

-- One row per lookup key of a component (its purl, each CPE); `current` is 1 while the upload is
-- the asset's newest.
CREATE TABLE inventory_components (
    upload_id      TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    key_no         INTEGER NOT NULL,
    org_id         TEXT NOT NULL,
    asset_id       TEXT NOT NULL,
    current        INTEGER NOT NULL,
    name           TEXT NOT NULL,
    version        TEXT,
    purl           TEXT,
    ecosystem      TEXT NOT NULL,
    name_key       TEXT NOT NULL,
    match_version  TEXT,
    PRIMARY KEY (upload_id, seq, key_no)
);
CREATE INDEX inventory_components_by_key ON inventory_components (name_key, ecosystem) WHERE current = 1;

CREATE TABLE matches (
    upload_id          TEXT NOT NULL,
    component_seq      INTEGER NOT NULL,
    advisory_id        TEXT NOT NULL,
    package_seq        INTEGER NOT NULL,
    org_id             TEXT NOT NULL,
    asset_id           TEXT NOT NULL,
    vulnerability_id   TEXT NOT NULL,
    component_name     TEXT NOT NULL,
    component_version  TEXT,
    purl               TEXT,
    range_text         TEXT NOT NULL,
    matched_by         TEXT NOT NULL,
    status             TEXT NOT NULL,
    justification      TEXT,
    current            INTEGER NOT NULL,
    first_seen         INTEGER NOT NULL,
    PRIMARY KEY (upload_id, component_seq, advisory_id, package_seq)
);
CREATE INDEX matches_by_org ON matches (org_id, current);
CREATE INDEX matches_by_vulnerability ON matches (vulnerability_id, current);
CREATE INDEX matches_by_advisory ON matches (advisory_id);

-- When a person last looked at an organization's dashboard ("what changed since my last visit").
CREATE TABLE dashboard_visits (
    viewer      TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (viewer, org_id)
);

CREATE TABLE subscriptions (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    channel     TEXT NOT NULL,
    target      TEXT NOT NULL,
    secret      TEXT,
    decisions   TEXT NOT NULL,
    mode        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    active      INTEGER NOT NULL
);
CREATE INDEX subscriptions_by_org ON subscriptions (org_id);

-- The transactional outbox: events are written in the same transaction as the change that
-- caused them; a dispatcher turns each into deliveries per matching subscription.
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    dispatched  INTEGER NOT NULL
);
CREATE INDEX events_pending ON events (dispatched, id);

CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY,
    subscription_id  TEXT NOT NULL,
    org_id           TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    lease_until      INTEGER NOT NULL,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_org ON deliveries (org_id, id);
