"""Data quality (数据质量), after DHIS2's data quality app and the WHO Data Quality Review:
completeness and timeliness, outliers, internal consistency. Every flag has a stable key so that
someone can confirm it as correct (then it stops counting against the facility)."""
from __future__ import annotations


import duckdb
import pandas as pd

from warehouse.queries.areas import Area, setting
from warehouse.scope import Scope

FLAG_COLUMNS = ["flag_key", "check", "facility_code", "name", "township_name", "measure", "period", "value",
                "reference", "score", "confirmed", "note"]


def _facilities(scope: Scope, area: Area) -> tuple[str, list]:
    condition, params = scope.sql("district_code")
    return (f"SELECT * FROM v_facility WHERE in_area(township_code, district_code, ?) AND {condition}",
            [area.code, *params])


def reporting_grid(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, first: str, last: str) -> pd.DataFrame:
    """Facility × month from `first` to `last` ('YYYY-MM'): on_time | late | missing | not_expected."""
    sql, params = _facilities(scope, area)
    return con.execute(f"""
        WITH f AS ({sql}),
        months AS (SELECT DISTINCT period FROM v_submission_status WHERE period BETWEEN ? AND ?),
        expected_types AS (
            SELECT unnest(CAST(json((SELECT value FROM setting WHERE key = 'reporting.expected_types')) AS VARCHAR[]))
                AS type)
        SELECT f.facility_code, f.name, f.type, f.township_name, m.period,
               CASE WHEN s.facility_code IS NULL THEN 'not_expected'
                    WHEN s.timely THEN 'on_time' WHEN s.received THEN 'late' ELSE 'missing' END AS state
        FROM f CROSS JOIN months m
        LEFT JOIN v_submission_status s ON s.facility_code = f.facility_code AND s.period = m.period
        WHERE f.type IN (SELECT type FROM expected_types)
        ORDER BY f.district_code, f.township_code, f.facility_code, m.period
    """, [*params, first, last]).df()


def reporting_rates(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, first: str, last: str) -> pd.DataFrame:
    """Completeness (received / expected) and timeliness (on time / expected) by township and district."""
    sql, params = _facilities(scope, area)
    return con.execute(f"""
        WITH s AS (
            SELECT f.township_code, f.township_name, f.district_code, f.district_name, s.received, s.timely
            FROM v_submission_status s JOIN ({sql}) f USING (facility_code)
            WHERE s.period BETWEEN ? AND ?
        ), parts AS (
            SELECT 'district' AS level, district_code AS code, district_name AS name, received, timely FROM s
            UNION ALL SELECT 'township', township_code, township_name, received, timely FROM s
        )
        SELECT level, code, any_value(name) AS name, count(*) AS expected,
               count(*) FILTER (WHERE received) AS received, count(*) FILTER (WHERE timely) AS timely,
               count(*) FILTER (WHERE received) / count(*) AS completeness,
               count(*) FILTER (WHERE timely) / count(*) AS timeliness
        FROM parts GROUP BY level, code ORDER BY level, code
    """, [*params, first, last]).df()


def _with_confirmations(con, frame: pd.DataFrame) -> pd.DataFrame:
    confirmed = con.execute("SELECT flag_key, note FROM dq_confirmation").df()
    frame = frame.merge(confirmed, on="flag_key", how="left")
    frame["confirmed"] = frame["note"].notna() | frame["flag_key"].isin(confirmed["flag_key"])
    return frame.reindex(columns=FLAG_COLUMNS)


def outliers(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, latest: str, z_limit: float,
             months: int = 24) -> pd.DataFrame:
    """Values of the facility's last `months` months whose modified z-score (0.6745·|x−median|/MAD)
    exceeds the limit, or that lie beyond 3 standard deviations of the mean. MAD = 0: the mean
    absolute deviation stands in (|x−median| / (1.2533·MeanAD)); when that is 0 too the series is
    flat and nothing in it is an outlier. A value within max(3, 10% of the median) of the median is
    never flagged: small counts (TB patients, lectures) move by one or two all the time."""
    sql, params = _facilities(scope, area)
    frame = con.execute(f"""
        WITH f AS ({sql}),
        window_values AS (
            SELECT m.facility_code, m.measure, m.period, m.value
            FROM monthly_measure m JOIN f USING (facility_code)
            WHERE m.period > strptime(?, '%Y-%m')::DATE - to_months(?) AND m.period <= strptime(?, '%Y-%m')::DATE
        ), med AS (
            SELECT facility_code, measure, median(value) AS median, avg(value) AS mean, stddev_samp(value) AS sd,
                   count(*) AS n
            FROM window_values GROUP BY ALL
        ), dev AS (
            SELECT w.facility_code, w.measure, median(abs(w.value - m.median)) AS mad,
                   avg(abs(w.value - m.median)) AS mean_ad
            FROM window_values w JOIN med m USING (facility_code, measure) GROUP BY ALL
        ), scored AS (
            SELECT w.*, m.median, m.mean, m.sd, m.n,
                   CASE WHEN d.mad > 0 THEN 0.6745 * abs(w.value - m.median) / d.mad
                        WHEN d.mean_ad > 0 THEN abs(w.value - m.median) / (1.253314 * d.mean_ad)
                        ELSE 0 END AS z,
                   m.sd > 0 AND abs(w.value - m.mean) > 3 * m.sd AS extreme
            FROM window_values w JOIN med m USING (facility_code, measure) JOIN dev d USING (facility_code, measure)
            WHERE m.n >= 6
        )
        SELECT 'outlier:' || s.facility_code || ':' || s.measure || ':' || strftime(s.period, '%Y-%m') AS flag_key,
               CASE WHEN s.z > ? THEN 'outlier' ELSE 'extreme' END AS "check",
               s.facility_code, f.name, f.township_name, s.measure, strftime(s.period, '%Y-%m') AS period,
               s.value, s.median AS reference, s.z AS score
        FROM scored s JOIN f USING (facility_code)
        WHERE (s.z > ? OR s.extreme) AND abs(s.value - s.median) >= greatest(3, 0.1 * abs(s.median))
        ORDER BY s.z DESC, s.facility_code, s.measure, s.period
    """, [*params, latest, months - 1, latest, z_limit, z_limit]).df()
    return _with_confirmations(con, frame)


def consistency(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, latest: str) -> pd.DataFrame:
    """Internal consistency in the last 12 months: numerators above their denominators, related
    pairs that must hold (settings quality.pairs), stock measures jumping more than a share month
    to month (and by 5 or more), and this year's months against the mean of the same months of
    the three years before (when that mean is 30 or more: small counts swing by chance)."""
    sql, params = _facilities(scope, area)
    pairs = setting(con, "quality.pairs")
    jump = float(setting(con, "quality.stock_jump_share"))
    change = float(setting(con, "quality.year_change_share"))
    pair_list = [[a, b] for a, b in pairs]
    frame = con.execute(f"""
        WITH f AS ({sql}),
        recent AS (
            SELECT m.* FROM monthly_measure m JOIN f USING (facility_code)
            WHERE m.period > strptime(?, '%Y-%m')::DATE - INTERVAL 12 MONTH AND m.period <= strptime(?, '%Y-%m')::DATE
        ),
        checks AS (
            SELECT DISTINCT i.numerator AS lhs, i.denominator AS rhs, 'above_denominator' AS kind
            FROM indicator_registry i WHERE i.denominator IS NOT NULL
            UNION
            SELECT p[1], p[2], 'pair' FROM (SELECT unnest(?::VARCHAR[][]) AS p)
        ),
        over AS (
            SELECT c.kind AS "check", a.facility_code, a.measure, a.period, a.value, b.value AS reference,
                   a.value / nullif(b.value, 0) AS score
            FROM checks c
            JOIN recent a ON a.measure = c.lhs
            JOIN recent b ON b.facility_code = a.facility_code AND b.period = a.period AND b.measure = c.rhs
            WHERE a.value > b.value
        ),
        jumps AS (
            SELECT 'stock_jump' AS "check", facility_code, measure, period, value, previous AS reference,
                   abs(value - previous) / previous AS score
            FROM (
                SELECT m.facility_code, m.measure, m.period, m.value,
                       lag(m.value) OVER (PARTITION BY m.facility_code, m.measure ORDER BY m.period) AS previous,
                       lag(m.period) OVER (PARTITION BY m.facility_code, m.measure ORDER BY m.period) AS previous_period
                FROM monthly_measure m JOIN f USING (facility_code) JOIN measure_registry r USING (measure)
                WHERE r.kind = 'stock' AND m.period <= strptime(?, '%Y-%m')::DATE
            ) WHERE previous > 0 AND previous_period = period - INTERVAL 1 MONTH
              AND period > strptime(?, '%Y-%m')::DATE - INTERVAL 12 MONTH
              AND abs(value - previous) / previous > ? AND abs(value - previous) >= 5
        ),
        yearly AS (
            SELECT m.facility_code, m.measure, year(m.period) AS year, sum(m.value) AS total, count(*) AS months
            FROM monthly_measure m JOIN f USING (facility_code) JOIN measure_registry r USING (measure)
            WHERE r.kind = 'flow' AND month(m.period) <= month(strptime(?, '%Y-%m'))
              AND year(m.period) BETWEEN year(strptime(?, '%Y-%m')) - 3 AND year(strptime(?, '%Y-%m'))
            GROUP BY ALL
        ),
        years AS (
            SELECT 'year_change' AS "check", c.facility_code, c.measure,
                   make_date(c.year, 1, 1) AS period, c.total AS value, avg(p.total) AS reference,
                   c.total / nullif(avg(p.total), 0) - 1 AS score
            FROM yearly c JOIN yearly p ON p.facility_code = c.facility_code AND p.measure = c.measure
                 AND p.year BETWEEN c.year - 3 AND c.year - 1
            WHERE c.year = year(strptime(?, '%Y-%m'))
            GROUP BY c.facility_code, c.measure, c.year, c.total
            HAVING count(*) = 3 AND avg(p.total) >= 30 AND abs(c.total / avg(p.total) - 1) > ?
        ),
        flags AS (SELECT * FROM over UNION ALL SELECT * FROM jumps UNION ALL SELECT * FROM years)
        SELECT x."check" || ':' || x.facility_code || ':' || x.measure || ':' ||
                   CASE WHEN x."check" = 'year_change' THEN strftime(x.period, '%Y') ELSE strftime(x.period, '%Y-%m') END
                   AS flag_key,
               x."check", x.facility_code, f.name, f.township_name, x.measure,
               CASE WHEN x."check" = 'year_change' THEN strftime(x.period, '%Y') ELSE strftime(x.period, '%Y-%m') END
                   AS period, x.value, x.reference, x.score
        FROM flags x JOIN f USING (facility_code)
        ORDER BY x."check", x.facility_code, x.measure, x.period
    """, [*params, latest, latest, pair_list, latest, latest, jump, latest, latest, latest, latest, change]).df()
    return _with_confirmations(con, frame.drop_duplicates("flag_key"))


def measure_series(con: duckdb.DuckDBPyConnection, scope: Scope, facility_code: str, measure: str) -> pd.DataFrame:
    condition, params = scope.sql("f.district_code")
    return con.execute(f"""
        SELECT strftime(m.period, '%Y-%m') AS period, m.value FROM monthly_measure m JOIN v_facility f USING (facility_code)
        WHERE m.facility_code = ? AND m.measure = ? AND {condition} ORDER BY m.period
    """, [facility_code, measure, *params]).df()
