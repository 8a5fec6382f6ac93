-- monthly_measure holds millions of values at province scale. Its primary-key index made every
-- load rebuild an index as large as the table (a 6-million-value warehouse grew from 44 MB to
-- 630 MB, and each write copies the file). Keys stay unique without it: validation rejects a file
-- with a facility-month twice, and warehouse.ingest deletes a key before inserting it again.
CREATE TABLE monthly_measure_unindexed (
    facility_code VARCHAR NOT NULL,
    period DATE NOT NULL,
    measure VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    batch_id INTEGER NOT NULL
);
INSERT INTO monthly_measure_unindexed
SELECT facility_code, period, measure, value, batch_id FROM monthly_measure
ORDER BY period, facility_code, measure;
DROP TABLE monthly_measure;
ALTER TABLE monthly_measure_unindexed RENAME TO monthly_measure;
