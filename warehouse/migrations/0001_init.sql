-- Tables: registry, dimensions, facts, load batches and the history of replaced values.
-- Views live in warehouse/sql/views.sql and are recreated on every load.

CREATE TABLE setting (
    key VARCHAR PRIMARY KEY,
    value VARCHAR            -- JSON text of the value in the settings file
);

CREATE TABLE measure_registry (
    measure VARCHAR PRIMARY KEY,
    name_zh VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('stock', 'flow')),
    sort_order INTEGER NOT NULL
);

CREATE TABLE indicator_registry (
    indicator_code VARCHAR PRIMARY KEY,
    name_zh VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    numerator VARCHAR NOT NULL,
    denominator VARCHAR,
    target DOUBLE,
    target_per VARCHAR,
    direction VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE category_registry (
    category VARCHAR PRIMARY KEY,
    name_zh VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE milestone_schedule (
    year INTEGER PRIMARY KEY,
    target_share DOUBLE NOT NULL
);

CREATE SEQUENCE batch_id_seq START 1;

CREATE TABLE load_batch (
    batch_id INTEGER PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    loaded_by VARCHAR,
    rows_accepted INTEGER NOT NULL,
    rows_changed INTEGER NOT NULL,
    status VARCHAR NOT NULL,     -- accepted | rolled_back
    message VARCHAR
);

CREATE TABLE load_warning (
    batch_id INTEGER NOT NULL,
    sheet VARCHAR,
    row_number INTEGER,
    column_name VARCHAR,
    value VARCHAR,
    code VARCHAR NOT NULL,
    message_zh VARCHAR NOT NULL,
    message_en VARCHAR NOT NULL,
    facility_code VARCHAR,
    period DATE,
    measure VARCHAR
);

CREATE TABLE admin_unit (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    level VARCHAR NOT NULL,      -- district | street | town | community | village
    parent_code VARCHAR,
    population BIGINT,
    urban_population BIGINT,
    area_km2 DOUBLE,
    lon DOUBLE,
    lat DOUBLE,
    batch_id INTEGER NOT NULL
);

CREATE TABLE township_boundary (
    code VARCHAR PRIMARY KEY,
    geometry VARCHAR NOT NULL,   -- GeoJSON geometry, WGS-84
    batch_id INTEGER NOT NULL
);

CREATE TABLE facility (
    facility_code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    type VARCHAR NOT NULL,       -- CHC | CHS | THC | VC
    parent_code VARCHAR,
    township_code VARCHAR NOT NULL,
    ownership VARCHAR NOT NULL,  -- government | private
    lon DOUBLE,                  -- WGS-84, converted on load
    lat DOUBLE,
    source_crs VARCHAR,
    building_area_m2 DOUBLE,
    area_kind VARCHAR,           -- new_urban | old_town | rural
    opened_on DATE,
    closed_on DATE,
    batch_id INTEGER NOT NULL
);

CREATE TABLE standardization_assessment (
    facility_code VARCHAR NOT NULL,
    assessed_on DATE NOT NULL,
    gov_premises BOOLEAN NOT NULL,
    gov_equipment BOOLEAN NOT NULL,
    standardized BOOLEAN NOT NULL,
    star_rating INTEGER,
    quality_demo BOOLEAN,
    note VARCHAR,
    batch_id INTEGER NOT NULL,
    PRIMARY KEY (facility_code, assessed_on)
);

CREATE TABLE monthly_report (
    facility_code VARCHAR NOT NULL,
    period DATE NOT NULL,        -- first day of the month
    submitted_on DATE NOT NULL,  -- the first submission counts for timeliness
    batch_id INTEGER NOT NULL,
    PRIMARY KEY (facility_code, period)
);

CREATE TABLE monthly_measure (
    facility_code VARCHAR NOT NULL,
    period DATE NOT NULL,
    measure VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    batch_id INTEGER NOT NULL,
    PRIMARY KEY (facility_code, period, measure)
);

CREATE TABLE staffing (
    facility_code VARCHAR NOT NULL,
    as_of DATE NOT NULL,
    physicians INTEGER,
    gps INTEGER,
    tcm_physicians INTEGER,
    nurses INTEGER,
    public_health_staff INTEGER,
    total_staff INTEGER,
    batch_id INTEGER NOT NULL,
    PRIMARY KEY (facility_code, as_of)
);

CREATE TABLE inspection (
    facility_code VARCHAR NOT NULL,
    visit_date DATE NOT NULL,
    inspector VARCHAR,
    kind VARCHAR,                -- routine | special | unannounced
    score DOUBLE,
    findings VARCHAR,
    rectify_by DATE,
    rectified_on DATE,
    batch_id INTEGER NOT NULL,
    PRIMARY KEY (facility_code, visit_date)
);

-- What a later batch replaced or removed: the earlier version of a row, with who replaced it.
CREATE TABLE admin_unit_history AS SELECT *, 0 AS replaced_by_batch FROM admin_unit WITH NO DATA;
CREATE TABLE township_boundary_history AS SELECT *, 0 AS replaced_by_batch FROM township_boundary WITH NO DATA;
CREATE TABLE facility_history AS SELECT *, 0 AS replaced_by_batch FROM facility WITH NO DATA;
CREATE TABLE standardization_assessment_history AS SELECT *, 0 AS replaced_by_batch FROM standardization_assessment WITH NO DATA;
CREATE TABLE monthly_measure_history AS SELECT *, 0 AS replaced_by_batch FROM monthly_measure WITH NO DATA;
CREATE TABLE staffing_history AS SELECT *, 0 AS replaced_by_batch FROM staffing WITH NO DATA;
CREATE TABLE inspection_history AS SELECT *, 0 AS replaced_by_batch FROM inspection WITH NO DATA;
