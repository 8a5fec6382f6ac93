-- What a writer session changed in the inputs of the derived tables (written by warehouse/ingest.py,
-- emptied when the session publishes), so that publishing recomputes only what the change touches:
--   input 'measure': a facility's month (code = facility_code, period = the month)
--   input 'facility': a facility's registry row (code = facility_code)
--   input 'point': an administrative unit's row (code = its code; community and village points
--                  are what the distances use)
CREATE TABLE derived_change (
    input VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    period DATE
);
-- What the derived tables of this version were computed with: the rules (registry, settings and
-- SQL) and the data horizon the data-quality flags are judged at.
CREATE TABLE derived_state (
    rules VARCHAR NOT NULL,
    horizon DATE
);
DROP TABLE IF EXISTS aggregate_state;   -- what decided recomputing before derived_state
