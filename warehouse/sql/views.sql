-- Derived views, recreated on every load (CREATE OR REPLACE). The v_* views are the stable public
-- face of docs/data.md; the others are their building blocks. Rules: docs/domain.md sections 3-7.

CREATE OR REPLACE MACRO setting_num(k) AS (SELECT CAST(value AS DOUBLE) FROM setting WHERE key = k);

-- Great-circle distance in metres.
CREATE OR REPLACE MACRO haversine_m(lon1, lat1, lon2, lat2) AS
    2 * 6371008.8 * asin(sqrt(
        pow(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * pow(sin(radians(lon2 - lon1) / 2), 2)));

-- Is a facility operating on a date?
CREATE OR REPLACE MACRO operating_on(opened, closed, d) AS
    (opened IS NULL OR opened <= d) AND (closed IS NULL OR closed > d);

-- The latest month with a service report: "now" for reporting, standardization and milestones.
CREATE OR REPLACE VIEW data_horizon AS
SELECT
    max(period) AS latest_period,
    last_day(greatest(max(period), (SELECT max(assessed_on) FROM standardization_assessment))) AS horizon_date
FROM monthly_report;

CREATE OR REPLACE VIEW township AS
SELECT t.code AS township_code, t.name AS township_name, t.level AS township_level,
       d.code AS district_code, d.name AS district_name, t.population
FROM admin_unit t
LEFT JOIN admin_unit d ON d.code = t.parent_code AND d.level = 'district'
WHERE t.level IN ('street', 'town');

CREATE OR REPLACE VIEW v_facility AS
SELECT f.facility_code, f.name, f.type, f.parent_code, f.township_code, t.township_name,
       t.district_code, t.district_name, f.ownership, f.lon, f.lat, f.building_area_m2,
       f.area_kind, f.opened_on, f.closed_on
FROM facility f
LEFT JOIN township t USING (township_code);

-- The areas each facility counts in: its township, its district and the whole city.
CREATE OR REPLACE VIEW facility_area AS
SELECT facility_code, township_code AS area_code, 'township' AS area_level FROM v_facility
UNION ALL
SELECT facility_code, district_code, 'district' FROM v_facility WHERE district_code IS NOT NULL
UNION ALL
SELECT facility_code, 'all', 'city' FROM v_facility;

-- Target of an indicator for a kind of period: counts have a target per year (or per target_per).
CREATE OR REPLACE VIEW indicator_target AS
SELECT i.indicator_code, k.period_kind,
       CASE
           WHEN i.denominator IS NOT NULL OR i.target IS NULL THEN i.target
           ELSE i.target
                * (CASE k.period_kind WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 ELSE 12 END)
                / (CASE coalesce(i.target_per, 'year') WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 ELSE 12 END)
       END AS target,
       i.direction
FROM indicator_registry i
CROSS JOIN (VALUES ('month'), ('quarter'), ('year')) k(period_kind);

CREATE OR REPLACE MACRO rate_value(num, den, has_den) AS
    CASE WHEN NOT has_den THEN num WHEN den > 0 THEN num / den END;

-- A rate above 100% (numerator above denominator) is stored and flagged on load, and is never
-- judged against its target: NULL, like a value without a target (docs/data.md, rate_above_100).
-- An area's target: a rate's is the indicator's own; a count's target is set per facility, so an
-- area's is that target times its facilities that reported the count in the period (an area meets
-- it when its reporting facilities average at least the target; none reporting: no target to
-- judge; docs/indicators.md).
CREATE OR REPLACE MACRO area_target(target, is_rate, reporting) AS
    CASE WHEN is_rate THEN target WHEN reporting > 0 THEN target * reporting END;

CREATE OR REPLACE MACRO meets(value, target, direction, is_rate) AS
    CASE WHEN direction = 'watch' OR target IS NULL OR value IS NULL THEN NULL
         WHEN is_rate AND value > 1 + 1e-9 THEN NULL
         WHEN direction = 'lower' THEN value <= target + 1e-9
         ELSE value >= target - 1e-9 END;

-- What the writer session about to publish changed in the derived tables' inputs (recorded by
-- warehouse/ingest.py; warehouse/derived.py recomputes only what these touch).
CREATE OR REPLACE VIEW changed_facility_month AS
SELECT DISTINCT code AS facility_code, period AS month FROM derived_change WHERE input = 'measure';

CREATE OR REPLACE VIEW changed_measure_facility AS SELECT DISTINCT facility_code FROM changed_facility_month;

CREATE OR REPLACE VIEW changed_facility_year AS
SELECT DISTINCT facility_code, CAST(year(month) AS VARCHAR) AS year FROM changed_facility_month;

CREATE OR REPLACE MACRO period_label(period_kind, period_start) AS
    CASE period_kind WHEN 'month' THEN strftime(period_start, '%Y-%m')
                     WHEN 'quarter' THEN CAST(year(period_start) AS VARCHAR) || 'Q' || CAST(quarter(period_start) AS VARCHAR)
                     ELSE CAST(year(period_start) AS VARCHAR) END;

-- The facility-periods (every kind) a changed month falls in: what their parts are recomputed for.
CREATE OR REPLACE VIEW changed_facility_period AS
SELECT DISTINCT facility_code, k.period_kind,
       period_label(k.period_kind, CASE k.period_kind WHEN 'month' THEN month
                                                      WHEN 'quarter' THEN date_trunc('quarter', month)
                                                      ELSE date_trunc('year', month) END) AS period
FROM changed_facility_month CROSS JOIN (VALUES ('month'), ('quarter'), ('year')) k(period_kind);

-- Every indicator's numerator and denominator per facility and period (stock: the last reported
-- month's value; flow: the sum). Months come from the values, each measure joined to the
-- indicators it feeds (an equi-join); quarters from the stored months and years from the stored
-- quarters (facility_indicator_quarters_of, facility_indicator_years_of), so the millions of
-- values of a province go through one aggregation, not three. `only_changed`: the facility-months
-- of changed_facility_month.
CREATE OR REPLACE MACRO facility_indicator_months_of(only_changed) AS TABLE
WITH parts AS (
    SELECT indicator_code, numerator AS measure, true AS is_numerator,
           denominator IS NOT NULL AS has_denominator
    FROM indicator_registry
    UNION ALL
    SELECT indicator_code, denominator, false, true FROM indicator_registry WHERE denominator IS NOT NULL
), values_in_scope AS (
    SELECT m.* FROM monthly_measure m WHERE NOT only_changed
    UNION ALL
    SELECT m.* FROM monthly_measure m SEMI JOIN changed_facility_month c
        ON c.facility_code = m.facility_code AND c.month = m.period
    WHERE only_changed
)
SELECT p.indicator_code, m.facility_code, 'month' AS period_kind, strftime(m.period, '%Y-%m') AS period,
       sum(m.value) FILTER (p.is_numerator) AS numerator,
       sum(m.value) FILTER (NOT p.is_numerator) AS denominator,
       any_value(p.has_denominator) AS has_denominator
FROM values_in_scope m JOIN parts p USING (measure)
GROUP BY p.indicator_code, m.facility_code, m.period;

-- Filled as each version is published (warehouse/derived.py) instead of computed on every query:
-- the pages and every v_*indicator view read this.
CREATE OR REPLACE TABLE facility_indicator_parts_table AS
SELECT * FROM facility_indicator_months_of(false) WITH NO DATA;

-- Whether each indicator's numerator and denominator are stocks (the last month with a value
-- stands for a longer period) or flows (summed).
CREATE OR REPLACE VIEW indicator_part_kinds AS
SELECT i.indicator_code, n.kind = 'stock' AS numerator_is_stock, d.kind = 'stock' AS denominator_is_stock
FROM indicator_registry i
LEFT JOIN measure_registry n ON n.measure = i.numerator
LEFT JOIN measure_registry d ON d.measure = i.denominator;

-- One part (numerator or denominator) of a longer period from its shorter ones, `ordered_by`
-- ordering them: a stock's last one with a value, a flow's sum. Used in an aggregate.
CREATE OR REPLACE MACRO part_over_period(value, ordered_by, is_stock) AS
    CASE WHEN any_value(is_stock) THEN arg_max(value, ordered_by) FILTER (value IS NOT NULL) ELSE sum(value) END;

CREATE OR REPLACE MACRO quarter_of_month(month_label) AS
    left(month_label, 4) || 'Q' || CAST((CAST(substr(month_label, 6, 2) AS INTEGER) + 2) // 3 AS VARCHAR);

-- Quarters from the months already in facility_indicator_parts_table, then years from the
-- quarters (facility_indicator_years_of, the next step): the last of a year's quarters with a
-- value is the quarter of its last month with one, and a flow's quarter sums add up to its year,
-- so a new month reads its quarter's months and its year's four quarters, not the year's months.
-- Labels are cut from the month's 'YYYY-MM' (which sorts as the months do, as 'YYYYQn' sorts the
-- quarters). `only_changed`: the periods of changed_facility_period.
CREATE OR REPLACE MACRO facility_indicator_quarters_of(only_changed) AS TABLE
WITH months AS (
    SELECT x.*, quarter_of_month(x.period) AS quarter FROM facility_indicator_parts_table x
    WHERE x.period_kind = 'month' AND NOT only_changed
    UNION ALL
    SELECT x.*, quarter_of_month(x.period) FROM facility_indicator_parts_table x SEMI JOIN changed_facility_period c
        ON c.facility_code = x.facility_code AND c.period_kind = 'quarter' AND c.period = quarter_of_month(x.period)
    WHERE x.period_kind = 'month' AND only_changed
      -- the changed years' months only: a bound on the column itself skips the other row groups
      -- (the table is written in period order, warehouse/derived.py)
      AND x.period BETWEEN (SELECT min(year) FROM changed_facility_year) || '-01'
                       AND (SELECT max(year) FROM changed_facility_year) || '-12'
)
SELECT m.indicator_code, m.facility_code, 'quarter' AS period_kind, m.quarter AS period,
       part_over_period(m.numerator, m.period, k.numerator_is_stock) AS numerator,
       part_over_period(m.denominator, m.period, k.denominator_is_stock) AS denominator,
       any_value(m.has_denominator) AS has_denominator
FROM months m JOIN indicator_part_kinds k USING (indicator_code)
GROUP BY m.indicator_code, m.facility_code, m.quarter;

CREATE OR REPLACE MACRO facility_indicator_years_of(only_changed) AS TABLE
WITH quarters AS (
    SELECT x.* FROM facility_indicator_parts_table x WHERE x.period_kind = 'quarter' AND NOT only_changed
    UNION ALL
    SELECT x.* FROM facility_indicator_parts_table x SEMI JOIN changed_facility_year c
        ON c.facility_code = x.facility_code AND c.year = left(x.period, 4)
    WHERE x.period_kind = 'quarter' AND only_changed
      AND x.period BETWEEN (SELECT min(year) FROM changed_facility_year) || 'Q1'
                       AND (SELECT max(year) FROM changed_facility_year) || 'Q4'
)
SELECT q.indicator_code, q.facility_code, 'year' AS period_kind, left(q.period, 4) AS period,
       part_over_period(q.numerator, q.period, k.numerator_is_stock) AS numerator,
       part_over_period(q.denominator, q.period, k.denominator_is_stock) AS denominator,
       any_value(q.has_denominator) AS has_denominator
FROM quarters q JOIN indicator_part_kinds k USING (indicator_code)
GROUP BY q.indicator_code, q.facility_code, left(q.period, 4);

CREATE OR REPLACE VIEW facility_indicator_parts AS SELECT * FROM facility_indicator_parts_table;

CREATE OR REPLACE VIEW v_indicator_value AS
SELECT x.indicator_code, x.facility_code, x.period_kind, x.period, x.numerator,
       x.denominator,
       rate_value(x.numerator, x.denominator, x.has_denominator) AS value,
       t.target,
       meets(rate_value(x.numerator, x.denominator, x.has_denominator), t.target, t.direction,
             x.has_denominator) AS meets_target
FROM facility_indicator_parts x
JOIN indicator_target t USING (indicator_code, period_kind);

-- Areas: numerators and denominators summed over facilities first, then divided.
CREATE OR REPLACE VIEW v_area_indicator_value AS
WITH summed AS (
    SELECT x.indicator_code, a.area_code, a.area_level, x.period_kind, x.period,
           sum(x.numerator) AS numerator, sum(x.denominator) AS denominator,
           bool_or(x.has_denominator) AS has_denominator,
           count(DISTINCT x.facility_code) FILTER (WHERE x.numerator IS NOT NULL) AS reporting
    FROM facility_indicator_parts x
    JOIN facility_area a USING (facility_code)
    GROUP BY ALL
)
SELECT s.indicator_code, s.area_code, s.area_level, s.period_kind, s.period, s.numerator,
       s.denominator,
       rate_value(s.numerator, s.denominator, s.has_denominator) AS value,
       area_target(t.target, s.has_denominator, s.reporting) AS target,
       meets(rate_value(s.numerator, s.denominator, s.has_denominator),
             area_target(t.target, s.has_denominator, s.reporting), t.direction, s.has_denominator) AS meets_target
FROM summed s
JOIN indicator_target t USING (indicator_code, period_kind);

-- Standardization state at every month end from a facility's first assessment to the horizon.
CREATE OR REPLACE VIEW v_standardization_status AS
WITH months AS (
    SELECT a.facility_code,
           last_day(CAST(unnest(generate_series(
               date_trunc('month', min(a.assessed_on)),
               date_trunc('month', (SELECT horizon_date FROM data_horizon)),
               INTERVAL 1 MONTH)) AS DATE)) AS as_of
    FROM standardization_assessment a
    GROUP BY a.facility_code
)
SELECT m.facility_code, m.as_of, s.gov_premises, s.gov_equipment, s.standardized,
       (s.gov_premises AND s.gov_equipment AND s.standardized) AS counts_for_milestone,
       s.star_rating, s.quality_demo
FROM months m
ASOF JOIN standardization_assessment s
    ON m.facility_code = s.facility_code AND m.as_of >= s.assessed_on;

-- Milestone progress at each milestone year end (or at the horizon, for a year not over yet).
CREATE OR REPLACE VIEW v_milestone_progress AS
WITH years AS (
    SELECT ms.year, ms.target_share,
           least(make_date(ms.year, 12, 31),
                 coalesce((SELECT horizon_date FROM data_horizon), make_date(ms.year, 12, 31))) AS as_of
    FROM milestone_schedule ms
), chc AS (
    SELECT y.year, y.target_share, f.facility_code,
           coalesce((SELECT bool_or(s.gov_premises AND s.gov_equipment AND s.standardized)
                     FROM standardization_assessment s
                     WHERE s.facility_code = f.facility_code
                       AND s.assessed_on = (SELECT max(s2.assessed_on) FROM standardization_assessment s2
                                            WHERE s2.facility_code = f.facility_code AND s2.assessed_on <= y.as_of)),
                    false) AS counted
    FROM years y
    JOIN facility f ON f.type = 'CHC' AND operating_on(f.opened_on, f.closed_on, y.as_of)
)
SELECT a.area_code, a.area_level, c.year,
       count(*) FILTER (WHERE c.counted) AS counted,
       count(*) AS total,
       count(*) FILTER (WHERE c.counted) / count(*) AS share,
       any_value(c.target_share) AS target_share,
       count(*) FILTER (WHERE c.counted) / count(*) >= any_value(c.target_share) - 1e-9 AS on_track
FROM chc c
JOIN facility_area a USING (facility_code)
GROUP BY a.area_code, a.area_level, c.year;

-- 15-minute service circle: each community/village point against operating facilities.
-- Every community/village point and every facility within 3 km of it (the coverage slider's
-- largest radius), with the distance: the join runs when a version is published (warehouse/
-- derived.py) instead of on every map, table and slider move. It is a grid join: every facility
-- falls in one cell at least 3 km on each side (east-west cells are sized at the data's highest
-- latitude, where a degree of longitude is shortest), and a point meets only the facilities of its
-- own and the eight cells around it, so the work grows with the pairs near each other, not with
-- points × facilities. `only_changed`: the pairs of a changed point or a changed facility.
CREATE OR REPLACE VIEW changed_point AS
SELECT DISTINCT code FROM derived_change WHERE input = 'point';

CREATE OR REPLACE VIEW changed_facility AS
SELECT DISTINCT code AS facility_code FROM derived_change WHERE input = 'facility';

-- The rollup a district's or the city's indicators read (hundreds of rows, not every facility's):
-- per township, indicator and period, the sums of the facilities' numerators and denominators,
-- how many facilities have a row and how many reported the numerator. Additive, so any set of
-- townships sums to the same as its facilities do. `only_changed`: the changed periods, or every
-- period when a facility changed (it may have moved township). The changed periods are a semi
-- join on their few distinct keys (a month's load: 3), not a tuple IN against one row per
-- facility and period, which at 10 × the province took 3 s where this takes 0.2.
CREATE OR REPLACE MACRO township_indicator_parts_of(only_changed) AS TABLE
WITH in_scope AS (
    SELECT x.* FROM facility_indicator_parts_table x
    WHERE NOT only_changed OR EXISTS (SELECT 1 FROM changed_facility)
    UNION ALL
    SELECT x.* FROM facility_indicator_parts_table x
    SEMI JOIN (SELECT DISTINCT period_kind, period FROM changed_facility_period) c USING (period_kind, period)
    WHERE only_changed AND NOT EXISTS (SELECT 1 FROM changed_facility)
)
SELECT f.township_code, x.indicator_code, x.period_kind, x.period,
       sum(x.numerator) AS numerator, sum(x.denominator) AS denominator,
       count(*) AS facilities, count(*) FILTER (WHERE x.numerator IS NOT NULL) AS reporting
FROM in_scope x JOIN facility f USING (facility_code)
GROUP BY f.township_code, x.indicator_code, x.period_kind, x.period;

CREATE OR REPLACE TABLE township_indicator_parts_table AS
SELECT * FROM township_indicator_parts_of(false) WITH NO DATA;

CREATE OR REPLACE MACRO community_facility_distance_of(only_changed) AS TABLE
WITH pts AS (
    SELECT code, lon, lat, code IN (SELECT code FROM changed_point) AS changed FROM admin_unit
    WHERE level IN ('community', 'village') AND lon IS NOT NULL AND lat IS NOT NULL
), fac AS (
    SELECT facility_code, lon, lat, opened_on, closed_on,
           facility_code IN (SELECT facility_code FROM changed_facility) AS changed
    FROM facility WHERE lon IS NOT NULL AND lat IS NOT NULL
), cell AS (
    SELECT max_radius_m() / 110000.0 AS dlat,
           max_radius_m() / (110000.0 * cos(radians(least(89, 0.1 + greatest(
               coalesce((SELECT max(abs(lat)) FROM pts), 0), coalesce((SELECT max(abs(lat)) FROM fac), 0)))))) AS dlon
), fac_cells AS (
    SELECT f.*, CAST(floor(f.lat / c.dlat) AS BIGINT) AS cy, CAST(floor(f.lon / c.dlon) AS BIGINT) AS cx
    FROM fac f, cell c
), pt_cells AS (
    SELECT p.*, CAST(floor(p.lat / c.dlat) AS BIGINT) + dy AS cy, CAST(floor(p.lon / c.dlon) AS BIGINT) + dx AS cx
    FROM pts p, cell c, (VALUES (-1), (0), (1)) y(dy), (VALUES (-1), (0), (1)) x(dx)
), pairs AS (
    SELECT p.code, f.facility_code, f.opened_on, f.closed_on, haversine_m(p.lon, p.lat, f.lon, f.lat) AS distance_m
    FROM pt_cells p JOIN fac_cells f USING (cy, cx)
    WHERE NOT only_changed OR p.changed OR f.changed
)
SELECT * FROM pairs WHERE distance_m <= max_radius_m();

CREATE OR REPLACE TABLE community_facility_distance AS SELECT * FROM community_facility_distance_of(false) WITH NO DATA;

-- Each community/village point: covered when an operating facility is within radius_m (at most
-- 3 km, see above); nearest_m is the nearest operating facility's distance when within 3 km.
CREATE OR REPLACE MACRO community_coverage(radius_m) AS TABLE
WITH pts AS (
    SELECT c.code, c.name, c.level, c.parent_code AS township_code, c.population, c.lon, c.lat,
           c.level = 'community' AS urban
    FROM admin_unit c
    WHERE c.level IN ('community', 'village') AND c.lon IS NOT NULL AND c.lat IS NOT NULL
), near AS (
    SELECT code, min(distance_m) AS nearest_m FROM community_facility_distance
    WHERE operating_on(opened_on, closed_on, current_date)
    GROUP BY code
)
SELECT p.*, n.nearest_m, coalesce(n.nearest_m <= radius_m, false) AS covered
FROM pts p LEFT JOIN near n USING (code);

CREATE OR REPLACE MACRO area_coverage(radius_m) AS TABLE
WITH c AS (SELECT * FROM community_coverage(radius_m)),
placed AS (
    SELECT c.*, t.district_code FROM c LEFT JOIN township t USING (township_code)
), by_area AS (
    SELECT township_code AS area_code, 'township' AS area_level, population, covered, urban FROM placed
    UNION ALL
    SELECT district_code, 'district', population, covered, urban FROM placed WHERE district_code IS NOT NULL
    UNION ALL
    SELECT 'all', 'city', population, covered, urban FROM placed
), facilities AS (
    SELECT a.area_code, a.area_level, count(*) AS facilities
    FROM facility f JOIN facility_area a USING (facility_code)
    WHERE operating_on(f.opened_on, f.closed_on, current_date)
    GROUP BY ALL
)
SELECT b.area_code, b.area_level,
       sum(b.population) AS population,
       sum(b.population) FILTER (WHERE b.covered) AS covered_population,
       coalesce(sum(b.population) FILTER (WHERE b.covered), 0) / nullif(sum(b.population), 0) AS covered_share,
       sum(b.population) FILTER (WHERE b.urban) AS urban_population,
       coalesce(sum(b.population) FILTER (WHERE b.urban AND b.covered), 0) AS urban_covered_population,
       sum(b.population) FILTER (WHERE NOT b.urban) AS rural_population,
       coalesce(sum(b.population) FILTER (WHERE NOT b.urban AND b.covered), 0) AS rural_covered_population,
       coalesce(any_value(f.facilities), 0) AS facilities,
       radius_m AS radius_m
FROM by_area b
LEFT JOIN facilities f USING (area_code, area_level)
GROUP BY b.area_code, b.area_level;

CREATE OR REPLACE VIEW v_coverage AS
SELECT area_code, area_level, population, coalesce(covered_population, 0) AS covered_population,
       covered_share, facilities, radius_m
FROM area_coverage(setting_num('coverage.radius_m'));

-- Every operating facility of a reporting type and every month since it opened (or since the
-- first loaded month) up to the latest loaded month: was its report received, and by the deadline
-- day of the next month? Kept as a table at publish (warehouse/derived.py: in full when the first
-- loaded month moves or the latest moves back); `only_changed`: the facilities whose registry row
-- or reports changed, and with `horizon_moved` (the latest month moved forward) every facility's
-- months after the latest one of the table (derived_state.horizon): the months before it stay
-- as they were.
CREATE OR REPLACE MACRO submission_status_of(only_changed, horizon_moved := false) AS TABLE
WITH bounds AS (
    SELECT min(period) AS first_period, max(period) AS latest_period FROM monthly_report
), moved_only AS (
    -- when the horizon moved forward, a facility with no other change needs only the new months
    -- (the WHERE below keeps them); its series starts there instead of at its first month
    SELECT CAST((SELECT horizon FROM derived_state) + INTERVAL 1 MONTH AS DATE) AS first_new
    WHERE horizon_moved
), expected AS (
    SELECT f.facility_code,
           CAST(unnest(generate_series(
               greatest(date_trunc('month', coalesce(f.opened_on, b.first_period)), b.first_period,
                        CASE WHEN f.facility_code NOT IN (SELECT code FROM derived_change WHERE input IN ('facility', 'report'))
                             THEN (SELECT first_new FROM moved_only) END),
               least(b.latest_period,
                     CAST(date_trunc('month', coalesce(f.closed_on - INTERVAL 1 DAY, b.latest_period)) AS DATE)),
               INTERVAL 1 MONTH)) AS DATE) AS period
    FROM facility f, bounds b
    WHERE b.latest_period IS NOT NULL
      AND list_contains(CAST(json((SELECT value FROM setting WHERE key = 'reporting.expected_types')) AS VARCHAR[]), f.type)
      AND (NOT only_changed OR horizon_moved
           OR f.facility_code IN (SELECT code FROM derived_change WHERE input IN ('facility', 'report')))
)
SELECT e.facility_code, strftime(e.period, '%Y-%m') AS period,
       r.facility_code IS NOT NULL AS received,
       r.submitted_on,
       coalesce(r.submitted_on <= CAST(e.period + INTERVAL 1 MONTH
                    + (CAST(setting_num('reporting.deadline_day') AS INTEGER) - 1) * INTERVAL 1 DAY AS DATE), false) AS timely
FROM expected e
LEFT JOIN monthly_report r ON r.facility_code = e.facility_code AND r.period = e.period
WHERE NOT horizon_moved OR e.period > (SELECT horizon FROM derived_state)
   OR e.facility_code IN (SELECT code FROM derived_change WHERE input IN ('facility', 'report'));

CREATE OR REPLACE TABLE submission_status_table AS SELECT * FROM submission_status_of(false) WITH NO DATA;

CREATE OR REPLACE VIEW v_submission_status AS SELECT * FROM submission_status_table;

CREATE OR REPLACE VIEW v_load_batch AS
SELECT batch_id, file_name, sha256, kind, loaded_at, rows_accepted, status, message
FROM load_batch;

-- Is a facility (by its township and district) inside an area ('all', a district or a township)?
CREATE OR REPLACE MACRO in_area(township_code, district_code, area_code) AS
    area_code = 'all' OR township_code = area_code OR district_code = area_code;

-- Modified z-score of x against a series with this median, whose absolute deviations from it have
-- this median (mad) and mean (mean_ad): 0.6745·|x−median|/MAD; when the MAD is 0 the mean absolute
-- deviation stands in (|x−median| / (1.2533·MeanAD)); NULL when both are 0 (the caller says what a
-- flat series means).
-- Counts vary by chance, the more so the smaller they are (a Poisson count's standard deviation
-- is √median): a series whose median is below quality.outlier_min_median is not judged, and a value
-- within max(3, half the median, quality.outlier_noise_sd × √median) of its median is not unusual.
-- Used at load (warehouse/queries/reference.py) and for the data-quality page (dq_outlier_of).
CREATE OR REPLACE MACRO beyond_noise(x, median) AS
    median >= setting_num('quality.outlier_min_median')
    AND abs(x - median) >= greatest(3, 0.5 * abs(median), setting_num('quality.outlier_noise_sd') * sqrt(abs(median)));

CREATE OR REPLACE MACRO modified_z(x, median, mad, mean_ad) AS
    CASE WHEN mad > 0 THEN 0.6745 * abs(x - median) / mad
         WHEN mean_ad > 0 THEN abs(x - median) / (1.253314 * mean_ad) END;

-- The monthly values of the last `months` months up to the data horizon (`last`); `only_changed`:
-- of the facilities with a changed value only (changed_measure_facility).
CREATE OR REPLACE MACRO horizon_values(months, only_changed := false) AS TABLE
SELECT m.facility_code, m.measure, m.period, m.value, h.latest_period AS last
FROM monthly_measure m, data_horizon h
-- the bounds as dates (not timestamps) become a filter of the scan, which skips older row groups
WHERE m.period > CAST(h.latest_period - to_months(months) AS DATE) AND m.period <= h.latest_period
  AND (NOT only_changed OR m.facility_code IN (SELECT facility_code FROM changed_measure_facility));

-- Data-quality flags of every facility at the data horizon (warehouse/queries/quality.py has the
-- rules in words). They depend on the data and the settings only, so warehouse/derived.py stores them
-- when a load publishes; the page filters them by scope and area and adds confirmations.
CREATE OR REPLACE MACRO dq_outlier_of(only_changed) AS TABLE
WITH spread_enough AS (
    -- a flag needs a value at least half the median (and 3) from it, within the range of the
    -- window, and a median of at least outlier_min_median: a series whose range is smaller than
    -- half of max(its minimum, that median) cannot have one (7 of 8 series), and is left out
    -- before any median is taken
    SELECT facility_code, measure FROM horizon_values(24, only_changed := only_changed)
    GROUP BY ALL HAVING count(*) >= 6 AND max(value) >= setting_num('quality.outlier_min_median')
       AND max(value) - min(value) >= greatest(3, 0.5 * greatest(min(value), setting_num('quality.outlier_min_median')))
), series AS (
    -- each series' window as lists in month order: its statistics come from the lists (the same
    -- sums in the same order on every run, so a flag never flips between two computations), and
    -- its values are scored by unnesting them, without joining the window back to its statistics
    SELECT facility_code, measure, list(value ORDER BY period) AS vals, list(period ORDER BY period) AS periods
    FROM horizon_values(24, only_changed := only_changed)
    WHERE (facility_code, measure) IN (SELECT (facility_code, measure) FROM spread_enough)
    GROUP BY ALL
), center AS (
    SELECT *, list_median(vals) AS median, list_avg(vals) AS mean, list_aggregate(vals, 'stddev_samp') AS sd
    FROM series
), spread AS (
    SELECT *, list_median(list_transform(vals, lambda v: abs(v - median))) AS mad,
           list_avg(list_transform(vals, lambda v: abs(v - median))) AS mean_ad
    FROM center
), scored AS (
    SELECT facility_code, measure, median, unnest(vals) AS value, unnest(periods) AS period,
           mean, sd, mad, mean_ad
    FROM spread
), judged AS (
    -- a flat series (no deviation at all) has no outliers: z = 0
    SELECT *, coalesce(modified_z(value, median, mad, mean_ad), 0) AS z,
           sd > 0 AND abs(value - mean) > 3 * sd AS extreme
    FROM scored
)
SELECT 'outlier:' || facility_code || ':' || measure || ':' || strftime(period, '%Y-%m') AS flag_key,
       CASE WHEN z > setting_num('quality.outlier_z') THEN 'outlier' ELSE 'extreme' END AS "check",
       facility_code, measure, strftime(period, '%Y-%m') AS period, value, median AS reference, z AS score
FROM judged
WHERE (z > setting_num('quality.outlier_z') OR extreme) AND beyond_noise(value, median);

-- `only_changed`: the flags a write can change. A month's checks (numerator above denominator, the
-- pairs) read that month only and a stock jump that month and the one before, so they are judged
-- again for the changed facility-months (a jump also for the month after a changed one); the
-- year-to-date comparison for the changed facilities, or for every facility when `horizon_moved`
-- (the data horizon moved forward: its year-to-date is another one). What the move itself makes
-- stale (months leaving the 12-month window, last year-to-date's flags) warehouse/derived.py
-- deletes; a month entering it was loaded in the same write, so it is a changed month.
CREATE OR REPLACE MACRO dq_consistency_of(only_changed, horizon_moved := false) AS TABLE
WITH horizon AS (SELECT latest_period AS last FROM data_horizon),
checks AS (
    SELECT DISTINCT i.numerator AS lhs, i.denominator AS rhs, 'above_denominator' AS kind
    FROM indicator_registry i WHERE i.denominator IS NOT NULL
    UNION
    SELECT p[1], p[2], 'pair'
    FROM (SELECT unnest(CAST(json((SELECT value FROM setting WHERE key = 'quality.pairs')) AS VARCHAR[][])) AS p)
), near_changed AS (
    -- the changed months, and the month before and after each (a stock jump reads two months)
    SELECT DISTINCT c.facility_code, CAST(c.month + to_months(k.shift) AS DATE) AS month, k.shift
    FROM changed_facility_month c, (VALUES (-1), (0), (1)) k(shift)
), recent_all AS (
    -- the last 12 months of the measures some check compares
    SELECT facility_code, measure, period, value FROM horizon_values(12)
    WHERE measure IN (SELECT lhs FROM checks UNION SELECT rhs FROM checks)
), recent AS MATERIALIZED (
    SELECT * FROM recent_all WHERE NOT only_changed
    UNION ALL
    SELECT r.* FROM recent_all r SEMI JOIN changed_facility_month c
        ON c.facility_code = r.facility_code AND c.month = r.period
    WHERE only_changed
), over AS (
    SELECT c.kind AS "check", a.facility_code, a.measure, a.period, a.value, b.value AS reference,
           a.value / nullif(b.value, 0) AS score
    FROM checks c
    JOIN recent a ON a.measure = c.lhs
    JOIN recent b ON b.facility_code = a.facility_code AND b.period = a.period AND b.measure = c.rhs
    WHERE a.value > b.value
), stock_all AS (
    -- 12 months of stock values and the one before them
    SELECT m.facility_code, m.measure, m.period, m.value, m.last
    FROM horizon_values(13) m JOIN measure_registry r USING (measure)
    WHERE r.kind = 'stock'
), stock AS (
    SELECT * FROM stock_all WHERE NOT only_changed
    UNION ALL
    SELECT s.* FROM stock_all s SEMI JOIN (SELECT DISTINCT facility_code, month FROM near_changed) c
        ON c.facility_code = s.facility_code AND c.month = s.period
    WHERE only_changed
), jumps_all AS (
    SELECT 'stock_jump' AS "check", c.facility_code, c.measure, c.period, c.value, p.value AS reference,
           abs(c.value - p.value) / p.value AS score
    FROM stock c JOIN stock p
      ON p.facility_code = c.facility_code AND p.measure = c.measure AND p.period = c.period - INTERVAL 1 MONTH
    WHERE p.value > 0 AND c.period > c.last - INTERVAL 12 MONTH
      AND abs(c.value - p.value) / p.value > setting_num('quality.stock_jump_share') AND abs(c.value - p.value) >= 5
), jumps AS (
    SELECT * FROM jumps_all WHERE NOT only_changed
    UNION ALL
    SELECT j.* FROM jumps_all j SEMI JOIN near_changed c
        ON c.facility_code = j.facility_code AND c.month = j.period AND c.shift >= 0
    WHERE only_changed
), yearly AS (
    SELECT m.facility_code, m.measure, year(m.period) AS year, sum(m.value) AS total
    FROM monthly_measure m JOIN measure_registry r USING (measure), horizon h
    WHERE r.kind = 'flow' AND month(m.period) <= month(h.last)
      AND m.period >= make_date(year(h.last) - 3, 1, 1) AND m.period <= h.last
      AND (NOT only_changed OR horizon_moved
           OR m.facility_code IN (SELECT facility_code FROM changed_measure_facility))
    GROUP BY ALL
), years AS (
    SELECT 'year_change' AS "check", c.facility_code, c.measure,
           make_date(c.year, 1, 1) AS period, c.total AS value, avg(p.total) AS reference,
           c.total / nullif(avg(p.total), 0) - 1 AS score
    FROM yearly c JOIN yearly p ON p.facility_code = c.facility_code AND p.measure = c.measure
         AND p.year BETWEEN c.year - 3 AND c.year - 1
    WHERE c.year = (SELECT year(last) FROM horizon)
    GROUP BY c.facility_code, c.measure, c.year, c.total
    HAVING count(*) = 3 AND avg(p.total) >= 30
       AND abs(c.total / avg(p.total) - 1) > setting_num('quality.year_change_share')
), flags AS (SELECT * FROM over UNION ALL SELECT * FROM jumps UNION ALL SELECT * FROM years)
SELECT "check" || ':' || facility_code || ':' || measure || ':' ||
           CASE WHEN "check" = 'year_change' THEN strftime(period, '%Y') ELSE strftime(period, '%Y-%m') END AS flag_key,
       "check", facility_code, measure,
       CASE WHEN "check" = 'year_change' THEN strftime(period, '%Y') ELSE strftime(period, '%Y-%m') END AS period,
       value, reference, score
FROM flags
-- one flag per key: a measure checked against two others in the same month (settings quality.pairs
-- may name it twice) keeps the comparison it fails worst, the same one on every run
QUALIFY row_number() OVER (PARTITION BY flag_key ORDER BY score DESC, reference, value) = 1;


-- Filled as each version is published (warehouse/derived.py).
CREATE OR REPLACE TABLE dq_outlier_table AS SELECT * FROM dq_outlier_of(false) WITH NO DATA;
CREATE OR REPLACE TABLE dq_consistency_table AS SELECT * FROM dq_consistency_of(false) WITH NO DATA;
