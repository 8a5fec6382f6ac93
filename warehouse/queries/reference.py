"""What validation needs to know about the warehouse: known codes and each facility's history."""
from __future__ import annotations

import duckdb
import pandas as pd


def known_areas(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT code, level FROM admin_unit").fetchall())


def known_facilities(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT facility_code, type FROM facility").fetchall())


def facility_dates(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """Each facility's opening and closing dates (None where not known)."""
    return {code: (opened, closed) for code, opened, closed
            in con.execute("SELECT facility_code, opened_on, closed_on FROM facility").fetchall()}


def facility_districts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT facility_code, district_code FROM v_facility").fetchall())


def area_districts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every admin unit's district: itself for a district, its parent's (or grandparent's) below."""
    return dict(con.execute("""
        SELECT a.code, CASE a.level WHEN 'district' THEN a.code
                                    WHEN 'street' THEN a.parent_code WHEN 'town' THEN a.parent_code
                                    ELSE p.parent_code END
        FROM admin_unit a LEFT JOIN admin_unit p ON p.code = a.parent_code
    """).fetchall())


# The outlier candidates of a load spanning a few months: every value it wrote (scored directly).
_EVERY_VALUE = """
    candidates AS (SELECT * FROM written)"""

# Of a load spanning many months, the values whose past 24 months could make them outliers, found
# with one sliding window per series instead of joining each value to its past: the window's
# median is the list's (the same values), and `beyond_noise` is a condition of every outlier. The
# window holds the 24 preceding months of the series as rows; where a gap in the series lets it
# reach further back than 24 months it is not the past of the definition, and the value is scored
# anyway.
_WINDOWED = """
    series AS (
        SELECT m.facility_code, m.period, m.measure, m.value, m.batch_id,
               year(m.period) * 12 + month(m.period) AS month_index
        FROM monthly_measure m JOIN measure_registry r ON r.measure = m.measure AND r.kind = 'flow'
        WHERE m.period >= CAST($first AS DATE) - INTERVAL 24 MONTH AND m.period <= CAST($last AS DATE)
          AND m.facility_code IN (SELECT facility_code FROM written)
    ), windowed AS (
        SELECT *, median(value) OVER past AS median, count(*) OVER past AS n, min(month_index) OVER past AS earliest
        FROM series
        WINDOW past AS (PARTITION BY facility_code, measure ORDER BY month_index
                        ROWS BETWEEN 24 PRECEDING AND 1 PRECEDING)
    ), candidates AS (
        SELECT facility_code, period, measure, value AS x, batch_id FROM windowed
        WHERE list_contains($batches, batch_id)
          AND (earliest < month_index - 24 OR (n >= $min_history AND beyond_noise(value, median)))
    )"""

# Above this many months a load's candidates come from the window (a month's file: scored directly,
# cheaper than sorting every touched series).
WINDOWED_ABOVE_MONTHS = 2


def outliers_of_batches(con: duckdb.DuckDBPyConnection, batches: list[int], first, last, threshold: float,
                        min_history: int) -> pd.DataFrame:
    """The values of flow measures that these batches wrote (and no later file replaced), between
    the months `first` and `last`, whose modified z-score against the facility's own 24 months
    before exceeds the threshold: batch_id, facility_code, period, measure, value, median, z.

    When MAD is 0 the mean absolute deviation stands in (z = |x−median| / (1.2533·MeanAD)); when
    that is 0 too, any change counts. Counts that vary by chance are left alone (macro
    `beyond_noise`: a median below quality.outlier_min_median is not judged; a change within
    max(3, half the median, quality.outlier_noise_sd·√median) is never an outlier): small counts
    (births, lectures, referrals) are Poisson noise and would flag on every move. Stock measures
    drift by design (populations, people under management), so a z-score against their own past
    flags every growing series; their month-to-month jumps are a consistency check of the
    data-quality page instead. Judged once the load's files are all written, so a value's past
    holds every month the load brought, whatever the order of its files."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    candidates = _WINDOWED if months > WINDOWED_ABOVE_MONTHS else _EVERY_VALUE
    return con.execute(f"""
        WITH written AS (
            SELECT m.facility_code, m.period, m.measure, CAST(m.value AS DOUBLE) AS x, m.batch_id
            FROM monthly_measure m JOIN measure_registry r ON r.measure = m.measure AND r.kind = 'flow'
            WHERE m.period BETWEEN CAST($first AS DATE) AND CAST($last AS DATE)
              AND list_contains($batches, m.batch_id)
        ), {candidates}, history AS (
            -- bounded by the months first, so the scan skips the older row groups
            SELECT m.facility_code, m.period, m.measure, m.value FROM monthly_measure m
            JOIN measure_registry r ON r.measure = m.measure AND r.kind = 'flow'
            WHERE m.period >= CAST($first AS DATE) - INTERVAL 24 MONTH AND m.period < CAST($last AS DATE)
              AND m.facility_code IN (SELECT facility_code FROM candidates)
        ), past AS (
            -- each value's past as a list: median and MAD without joining the past twice
            SELECT i.batch_id, i.facility_code, i.period, i.measure, any_value(i.x) AS x, list(m.value) AS past
            FROM candidates i JOIN history m
              ON m.facility_code = i.facility_code AND m.measure = i.measure
             AND m.period < i.period AND m.period >= i.period - INTERVAL 24 MONTH
            GROUP BY ALL
            HAVING count(*) >= $min_history
        ), med AS (
            SELECT *, list_median(past) AS median FROM past
        ), spread AS (
            SELECT *, list_median(list_transform(past, lambda v: abs(v - median))) AS mad,
                   list_avg(list_transform(past, lambda v: abs(v - median))) AS mean_ad
            FROM med
        ), scored AS (
            -- against a flat past any change counts (z = inf); the macro is in views.sql
            SELECT *, coalesce(modified_z(x, median, mad, mean_ad),
                               CASE WHEN abs(x - median) > 0 THEN 'inf'::DOUBLE ELSE 0 END) AS z
            FROM spread
        )
        SELECT batch_id, facility_code, period, measure, x AS value, median, z FROM scored
        WHERE z > $threshold AND beyond_noise(x, median)
        ORDER BY batch_id, facility_code, period, measure
    """, {"batches": batches, "first": first, "last": last, "min_history": min_history,
          "threshold": threshold}).df()
