-- Which facilities each file wrote rows of (kept as the file is loaded, never deleted): a district
-- user's load history and rollbacks show the files whose every facility is in their districts.
-- Read from here, not by scanning every value ever loaded (61 million at national size) per request.
CREATE TABLE batch_facility (
    batch_id INTEGER NOT NULL,
    facility_code VARCHAR NOT NULL
);
INSERT INTO batch_facility
SELECT DISTINCT batch_id, facility_code FROM (
    SELECT batch_id, facility_code FROM monthly_measure
    UNION ALL SELECT batch_id, facility_code FROM monthly_measure_history
    UNION ALL SELECT replaced_by_batch, facility_code FROM monthly_measure_history
    UNION ALL SELECT batch_id, facility_code FROM standardization_assessment
    UNION ALL SELECT batch_id, facility_code FROM staffing
    UNION ALL SELECT batch_id, facility_code FROM inspection
    UNION ALL SELECT batch_id, facility_code FROM facility
);
