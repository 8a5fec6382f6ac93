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


def outliers_against_history(con: duckdb.DuckDBPyConnection, values: pd.DataFrame, threshold: float,
                             min_history: int) -> pd.DataFrame:
    """Incoming values of flow measures whose modified z-score against the facility's own last
    24 months (0.6745·|x−median|/MAD) exceeds the threshold.

    When MAD is 0 the mean absolute deviation stands in (z = |x−median| / (1.2533·MeanAD)); when
    that is 0 too, any change counts. Counts that vary by chance are left alone (macro
    `beyond_noise`: a median below quality.outlier_min_median is not judged; a change within
    max(3, half the median, quality.outlier_noise_sd·√median) is never an outlier): small counts
    (births, lectures, referrals) are Poisson noise and would flag on every move. Stock measures drift by design (populations, people under management), so a z-score
    against their own past flags every growing series; their month-to-month jumps are a
    consistency check of the data-quality page instead."""
    incoming = values.loc[values["value"].notna(), ["facility_code", "period", "measure", "value"]]
    if incoming.empty:
        return incoming.assign(median=[], z=[])
    con.register("outlier_incoming", incoming)
    try:
        # each incoming value's past as a list: median and MAD without joining the past twice
        return con.execute("""
            WITH i AS (
                SELECT facility_code, CAST(period AS DATE) AS period, measure, CAST(value AS DOUBLE) AS x
                FROM outlier_incoming
            ), history AS (
                -- bounded by the incoming months first, so the scan skips the older row groups
                SELECT m.facility_code, m.period, m.measure, m.value FROM monthly_measure m
                JOIN measure_registry r ON r.measure = m.measure AND r.kind = 'flow'
                WHERE m.period >= CAST($first AS DATE) - INTERVAL 24 MONTH AND m.period < CAST($last AS DATE)
            ), past AS (
                SELECT i.facility_code, i.period, i.measure, any_value(i.x) AS x, list(m.value) AS past
                FROM i JOIN history m
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
            SELECT facility_code, period, measure, x AS value, median, z FROM scored
            WHERE z > $threshold AND beyond_noise(x, median)
            ORDER BY facility_code, period, measure
        """, {"min_history": min_history, "threshold": threshold,
              "first": incoming["period"].min().date(), "last": incoming["period"].max().date()}).df()
    finally:
        con.unregister("outlier_incoming")
