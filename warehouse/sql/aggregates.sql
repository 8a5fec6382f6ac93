-- Derived tables refreshed in every writer session just before it publishes (warehouse.store),
-- so each published version carries aggregates that match its own rows.
CREATE OR REPLACE TABLE facility_indicator_parts_table AS
SELECT * FROM facility_indicator_parts_compute;
