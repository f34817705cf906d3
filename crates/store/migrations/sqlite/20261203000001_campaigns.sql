-- Scan campaigns, operators' network ranges, scan authorizations, blackouts and overlaps (SQLite).
-- Same conventions as before: microsecond times, UUID v7 text ids, 0/1 INTEGER flags. Targets are
-- stored as JSON in their normalized client form ({"cidr": "10.0.0.0/24"}).

-- A campaign token is an API token bound to one campaign.
ALTER TABLE api_tokens ADD COLUMN campaign_id TEXT;

-- Every write that can change a campaign decision (ranges, authorizations, blackouts, campaigns,
-- overlaps) bumps the generation; a decision is committed only if the generation it read is still
-- current, so concurrent writers never commit decisions made on stale state.
CREATE TABLE campaign_head (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  INTEGER NOT NULL
) STRICT;
INSERT INTO campaign_head (id, generation) VALUES (1, 0);

CREATE TABLE network_ranges (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    target      TEXT NOT NULL,
    target_key  TEXT NOT NULL,
    asset_id    TEXT REFERENCES assets(id),
    label       TEXT,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (org_id, target_key)
) STRICT;

CREATE TABLE scan_authorizations (
    id           TEXT PRIMARY KEY,
    operator_id  TEXT NOT NULL REFERENCES organizations(id),
    finder_id    TEXT NOT NULL REFERENCES organizations(id),
    scope        TEXT NOT NULL,
    techniques   TEXT NOT NULL,
    max_rate     INTEGER NOT NULL,
    note         TEXT,
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    revoked_by   TEXT
) STRICT;
CREATE INDEX scan_authorizations_by_operator ON scan_authorizations (operator_id, id);
CREATE INDEX scan_authorizations_by_finder ON scan_authorizations (finder_id, id);

CREATE TABLE blackouts (
    id           TEXT PRIMARY KEY,
    operator_id  TEXT NOT NULL REFERENCES organizations(id),
    scope        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    revoked_by   TEXT
) STRICT;
CREATE INDEX blackouts_by_operator ON blackouts (operator_id, id);

CREATE TABLE campaigns (
    id            TEXT PRIMARY KEY,
    finder_id     TEXT NOT NULL REFERENCES organizations(id),
    name          TEXT NOT NULL,
    targets       TEXT NOT NULL,
    technique     TEXT NOT NULL,
    tool_name     TEXT NOT NULL,
    tool_version  TEXT NOT NULL,
    starts_at     INTEGER NOT NULL,
    ends_at       INTEGER NOT NULL,
    rate_limit    INTEGER NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    cancelled_at  INTEGER,
    cancelled_by  TEXT
) STRICT;
CREATE INDEX campaigns_by_finder ON campaigns (finder_id, id);
CREATE INDEX campaigns_live ON campaigns (ends_at);

-- Which operators' ranges a campaign targets (they may read it).
CREATE TABLE campaign_operators (
    campaign_id  TEXT NOT NULL REFERENCES campaigns(id),
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    PRIMARY KEY (campaign_id, org_id)
) STRICT;
CREATE INDEX campaign_operators_by_org ON campaign_operators (org_id, campaign_id);

-- One row per overlapping pair; `body` holds shared targets, window, proposal, resolution and steps.
CREATE TABLE campaign_overlaps (
    id                  TEXT PRIMARY KEY,
    first_campaign_id   TEXT NOT NULL REFERENCES campaigns(id),
    second_campaign_id  TEXT NOT NULL REFERENCES campaigns(id),
    first_finder_id     TEXT NOT NULL,
    second_finder_id    TEXT NOT NULL,
    body                TEXT NOT NULL,
    detected_at         INTEGER NOT NULL,
    resolved            INTEGER NOT NULL,
    UNIQUE (first_campaign_id, second_campaign_id)
) STRICT;
CREATE INDEX campaign_overlaps_by_second ON campaign_overlaps (second_campaign_id);
