"""What validation needs to know about the warehouse: known codes and each facility's history."""
from __future__ import annotations

import duckdb
import pandas as pd


def known_areas(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT code, level FROM admin_unit").fetchall())


def known_facilities(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT facility_code, type FROM facility").fetchall())


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


def outliers_against_history(con: duckdb.DuckDBPyConnection, rows: list[dict], threshold: float,
                             min_history: int) -> pd.DataFrame:
    """Incoming values of flow measures whose modified z-score against the facility's own last
    24 months (0.6745·|x−median|/MAD) exceeds the threshold.

    When MAD is 0 the mean absolute deviation stands in (z = |x−median| / (1.2533·MeanAD)); when
    that is 0 too, any change counts. A change smaller than max(3, half the median, 4·√median) is
    never an outlier: small counts (births, lectures) are Poisson noise and would flag on every
    move. Stock measures drift by design (populations, people under management), so a z-score
    against their own past flags every growing series; their month-to-month jumps are a
    consistency check of the data-quality page instead."""
    incoming = pd.DataFrame([r for r in rows if r["value"] is not None],
                            columns=["facility_code", "period", "measure", "value"]).astype(object)
    if incoming.empty:
        return incoming.assign(median=[], z=[])
    con.register("outlier_incoming", incoming)
    try:
        return con.execute("""
            WITH i AS (
                SELECT facility_code, CAST(period AS DATE) AS period, measure, CAST(value AS DOUBLE) AS value
                FROM outlier_incoming
            ), h AS (
                SELECT i.facility_code, i.period, i.measure, i.value AS x, m.value AS v
                FROM i JOIN measure_registry r ON r.measure = i.measure AND r.kind = 'flow'
                JOIN monthly_measure m
                  ON m.facility_code = i.facility_code AND m.measure = i.measure
                 AND m.period < i.period AND m.period >= i.period - INTERVAL 24 MONTH
            ), med AS (
                SELECT facility_code, period, measure, any_value(x) AS x, median(v) AS median, count(*) AS n
                FROM h GROUP BY ALL
            ), dev AS (
                SELECT h.facility_code, h.period, h.measure, any_value(med.x) AS x,
                       any_value(med.median) AS median, any_value(med.n) AS n,
                       median(abs(h.v - med.median)) AS mad, avg(abs(h.v - med.median)) AS mean_ad
                FROM h JOIN med USING (facility_code, period, measure)
                GROUP BY ALL
            ), scored AS (
                SELECT *, CASE
                    WHEN mad > 0 THEN 0.6745 * abs(x - median) / mad
                    WHEN mean_ad > 0 THEN abs(x - median) / (1.253314 * mean_ad)
                    WHEN abs(x - median) > 0 THEN 'inf'::DOUBLE
                    ELSE 0 END AS z
                FROM dev WHERE n >= ?
            )
            SELECT facility_code, period, measure, x AS value, median, z FROM scored
            WHERE z > ? AND abs(x - median) >= greatest(3, 0.5 * abs(median), 4 * sqrt(abs(median)))
            ORDER BY facility_code, period, measure
        """, [min_history, threshold]).df()
    finally:
        con.unregister("outlier_incoming")
