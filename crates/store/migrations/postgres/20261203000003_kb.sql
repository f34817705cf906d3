-- Operators' own VEX, who said a match is not affected, and the index fan-out needs (#4, PostgreSQL).

-- A VEX statement says affected or not affected (vendors' documents only store "not affected";
-- operators may say either), who said so, and for operators' statements which submission they
-- came from and, for VEX embedded in an SBOM, the one asset they are limited to.
ALTER TABLE vex_statements ADD COLUMN status TEXT NOT NULL DEFAULT 'not_affected';
ALTER TABLE vex_statements ADD COLUMN statement_by TEXT NOT NULL DEFAULT '';
ALTER TABLE vex_statements ADD COLUMN range_text TEXT NOT NULL DEFAULT '';
ALTER TABLE vex_statements ADD COLUMN submission_id TEXT;
ALTER TABLE vex_statements ADD COLUMN asset_id TEXT;
CREATE INDEX vex_statements_by_submission ON vex_statements (submission_id);

-- VEX documents operators submitted (or embedded in an SBOM upload), kept as received.
CREATE TABLE vex_submissions (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations(id),
    asset_id      TEXT,
    upload_id     TEXT,
    format        TEXT NOT NULL,
    document_id   TEXT,
    digest        TEXT NOT NULL,
    statements    BIGINT NOT NULL,
    submitted_by  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    withdrawn_at  BIGINT,
    document      BYTEA NOT NULL
);
CREATE INDEX vex_submissions_by_org ON vex_submissions (org_id, id);
CREATE INDEX vex_submissions_by_asset ON vex_submissions (asset_id);

-- Bumped whenever a record is marked for matching (a new version of it, or a VEX statement about
-- its vulnerability): matches computed for an older generation do not clear the mark, so a VEX
-- statement arriving while the record is being matched is never lost. Replaces `updated_at` in that
-- role, which only a new version of the record changes.
ALTER TABLE advisories ADD COLUMN match_generation BIGINT NOT NULL DEFAULT 0;

-- Who said a match is not affected, shown beside the justification.
ALTER TABLE matches ADD COLUMN vex_by TEXT;
-- The earlier-sighting lookup of record_matches asks by (asset, vulnerability).
CREATE INDEX matches_by_asset_vulnerability ON matches (asset_id, vulnerability_id);

-- A component's own reference in its SBOM (bom-ref, SPDXID), which VEX documents name it by.
ALTER TABLE inventory_components ADD COLUMN reference TEXT;
CREATE INDEX inventory_components_by_reference ON inventory_components (org_id, reference) WHERE current = 1;

-- Distribution records were keyed by their whole ecosystem ("Debian:12") and never met a package
-- URL; packages are now keyed by the ecosystem without its release.
UPDATE advisory_packages SET ecosystem = trim(split_part(ecosystem, ':', 1))
 WHERE position(':' in ecosystem) > 0;
UPDATE vex_statements SET ecosystem = trim(split_part(ecosystem, ':', 1))
 WHERE position(':' in ecosystem) > 0;
