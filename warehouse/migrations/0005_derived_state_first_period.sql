-- The first loaded month, with the latest (derived_state.horizon): the submission status table
-- expects a report of every month between them, so either moving recomputes it in full.
ALTER TABLE derived_state ADD COLUMN first_period DATE;
-- derived_change gains an input: 'report', a facility's monthly report received, re-dated or
-- withdrawn (code = facility_code, period = the month).
