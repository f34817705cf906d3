-- Vulnerability coordination: cases, findings, members, validations, vendor statuses, comments,
-- encrypted attachments, merge proposals and idempotency keys (PostgreSQL).
-- Same conventions as the foundation: microsecond times, UUID v7 text ids, flags 0/1 BIGINT;
-- structured values (product versions, locations, provenance, CVSS, priority inputs) are JSON text.

CREATE TABLE cases (
    id                     TEXT PRIMARY KEY,
    title                  TEXT NOT NULL,
    search_key             TEXT NOT NULL,   -- lower-cased title and product, for search
    state                  TEXT NOT NULL,
    reject_reason          TEXT,
    tlp                    TEXT NOT NULL,
    embargo_until          BIGINT NOT NULL,
    published_at           BIGINT,
    embargo_announced      BIGINT NOT NULL,   -- 1 once case.embargo_lifted went out
    product                TEXT NOT NULL,
    ecosystem              TEXT NOT NULL,
    name_key               TEXT NOT NULL,
    cwe                    TEXT NOT NULL,
    cvss                   TEXT,
    known_vulnerabilities  TEXT NOT NULL,
    has_poc                BIGINT NOT NULL,
    priority               TEXT NOT NULL,
    queue_rank             BIGINT NOT NULL,   -- minus the priority key: the queue sorts ascending
    is_open                BIGINT NOT NULL,
    exposure_checked_at    BIGINT NOT NULL,
    state_entered_at       BIGINT NOT NULL,
    due_at                 BIGINT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    merged_into            TEXT
);
-- The analysts' queue is one walk of this index: most urgent first, then oldest.
CREATE INDEX cases_queue ON cases (is_open, queue_rank, created_at, id);
CREATE INDEX cases_by_product ON cases (name_key, ecosystem);
CREATE INDEX cases_embargo ON cases (embargo_announced, embargo_until);
CREATE INDEX cases_exposure ON cases (is_open, exposure_checked_at);

CREATE TABLE case_members (
    case_id   TEXT NOT NULL REFERENCES cases(id),
    org_id    TEXT NOT NULL REFERENCES organizations(id),
    relation  TEXT NOT NULL,
    added_by  TEXT NOT NULL,
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (case_id, org_id, relation)
);
CREATE INDEX case_members_by_org ON case_members (org_id, case_id);

-- People named on a case for a member organization (TLP:RED).
CREATE TABLE case_people (
    case_id    TEXT NOT NULL REFERENCES cases(id),
    person_id  TEXT NOT NULL REFERENCES people(id),
    org_id     TEXT NOT NULL,
    PRIMARY KEY (case_id, person_id, org_id)
);

CREATE TABLE findings (
    id                     TEXT PRIMARY KEY,
    case_id                TEXT NOT NULL REFERENCES cases(id),
    org_id                 TEXT NOT NULL REFERENCES organizations(id),
    submitted_by           TEXT NOT NULL,
    person_id              TEXT,
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL,
    product                TEXT NOT NULL,
    ecosystem              TEXT NOT NULL,
    name_key               TEXT NOT NULL,
    versions               TEXT NOT NULL,
    cwe                    TEXT NOT NULL,
    cvss                   TEXT,
    location               TEXT NOT NULL,
    location_area          TEXT NOT NULL,   -- normalized file, endpoint or URL path ('' if none)
    location_function      TEXT NOT NULL,   -- normalized function ('' if none)
    provenance             TEXT NOT NULL,
    campaign_id            TEXT,
    known_ids              TEXT NOT NULL,
    known_vulnerabilities  TEXT NOT NULL,
    fingerprint            TEXT NOT NULL,
    signature              TEXT NOT NULL,   -- MinHash of the text's word shingles, for near duplicates
    tlp_requested          TEXT NOT NULL,
    credit_public          BIGINT NOT NULL,
    status                 TEXT NOT NULL,
    accepted_at            BIGINT NOT NULL
);
CREATE INDEX findings_by_fingerprint ON findings (fingerprint);
-- Near-duplicate candidates are looked up by product and place (or function), never by scanning.
CREATE INDEX findings_by_place ON findings (name_key, ecosystem, location_area);
CREATE INDEX findings_by_function ON findings (name_key, ecosystem, location_function);
CREATE INDEX findings_by_case ON findings (case_id, accepted_at);

-- Retries with the same Idempotency-Key (per organization) get the first response.
CREATE TABLE idempotency_keys (
    org_id          TEXT NOT NULL,
    idem_key        TEXT NOT NULL,
    request_digest  TEXT NOT NULL,
    response        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (org_id, idem_key)
);

CREATE TABLE merge_proposals (
    id           TEXT PRIMARY KEY,
    target_case  TEXT NOT NULL REFERENCES cases(id),
    finding_id   TEXT NOT NULL REFERENCES findings(id),
    source_case  TEXT NOT NULL REFERENCES cases(id),
    similarity   BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    decided_by   TEXT,
    decided_at   BIGINT
);
CREATE INDEX merge_proposals_by_status ON merge_proposals (status, id);
CREATE INDEX merge_proposals_by_target ON merge_proposals (target_case);
CREATE INDEX merge_proposals_by_source ON merge_proposals (source_case);

CREATE TABLE validations (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    claimed_by  TEXT NOT NULL,
    claimed_at  BIGINT NOT NULL,
    verdict     TEXT,
    notes       TEXT,
    decided_at  BIGINT,
    UNIQUE (case_id, org_id)
);

CREATE TABLE vendor_statuses (
    case_id        TEXT NOT NULL REFERENCES cases(id),
    org_id         TEXT NOT NULL REFERENCES organizations(id),
    product        TEXT NOT NULL,
    status         TEXT NOT NULL,
    fixed_version  TEXT,
    note           TEXT,
    updated_by     TEXT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (case_id, org_id, product)
);

CREATE TABLE case_comments (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    org_id      TEXT NOT NULL,
    author      TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX case_comments_by_case ON case_comments (case_id, id);

-- Content is XChaCha20-Poly1305 ciphertext under the attachment key (a file outside the
-- database); the associated data binds it to the attachment id and the case id.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    finding_id   TEXT,
    org_id       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    filename     TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size         BIGINT NOT NULL,
    digest       TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    nonce        BYTEA NOT NULL,
    ciphertext   BYTEA NOT NULL
);
CREATE INDEX attachments_by_case ON attachments (case_id, id);
CREATE INDEX attachments_by_finding ON attachments (finding_id);
