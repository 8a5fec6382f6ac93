-- Data-quality flags someone checked and confirmed as correct: they stop counting against the facility.
CREATE TABLE dq_confirmation (
    flag_key VARCHAR PRIMARY KEY,     -- check:facility:measure:period, as the data-quality page builds it
    facility_code VARCHAR NOT NULL,
    note VARCHAR,
    confirmed_by VARCHAR,
    confirmed_at TIMESTAMP NOT NULL
);
