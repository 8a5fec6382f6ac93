-- Derived tables refreshed in every writer session just before it publishes (warehouse.store),
-- so each published version carries aggregates that match its own rows.
CREATE OR REPLACE TABLE facility_indicator_parts_table AS
SELECT * FROM facility_indicator_parts_compute;
CREATE OR REPLACE TABLE dq_outlier_table AS SELECT * FROM dq_outlier_compute;
CREATE OR REPLACE TABLE dq_consistency_table AS SELECT * FROM dq_consistency_compute;
CREATE OR REPLACE TABLE community_facility_distance AS SELECT * FROM community_facility_distance_compute;
