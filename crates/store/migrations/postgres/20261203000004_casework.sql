-- The finder's status page lists an organization's findings newest first: one index walk.
CREATE INDEX findings_by_org ON findings (org_id, id);
