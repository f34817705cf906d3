-- The case list of a participant who is not an analyst starts from the cases it could see at all
-- (its memberships, cases open for validation, CLEAR and GREEN cases) instead of walking every
-- case; these two indexes serve the last two.
CREATE INDEX cases_by_state ON cases (state, id);
CREATE INDEX cases_by_tlp ON cases (tlp, id);
