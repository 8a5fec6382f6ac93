"""Data quality (数据质量), after DHIS2's data quality app and the WHO Data Quality Review:
completeness and timeliness, outliers, internal consistency. Every flag has a stable key so that
someone can confirm it as correct (then it stops counting against the facility)."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from warehouse.cache import per_version
from warehouse.queries.areas import Area, setting
from warehouse.scope import Scope

FLAG_COLUMNS = ["flag_key", "check", "facility_code", "name", "township_code", "township_name", "measure", "measure_zh", "measure_en",
                "period", "value", "reference", "score", "confirmed", "note"]


def _facilities(scope: Scope, area: Area) -> tuple[str, list]:
    condition, params = scope.sql("district_code")
    return (f"SELECT * FROM v_facility WHERE in_area(township_code, district_code, ?) AND {condition}",
            [area.code, *params])


# a facility of a type that reports monthly (settings: reporting.expected_types)
EXPECTED_TYPE = ("list_contains(CAST(json((SELECT value FROM setting WHERE key = 'reporting.expected_types')) "
                 "AS VARCHAR[]), f.type)")


def _grid_cells(scope: Scope, area: Area, first: str, last: str) -> tuple[str, list]:
    """Every facility of a type that reports (reporting.expected_types) × every month from `first`
    to `last` ('YYYY-MM'), each judged on_time | late | missing | not_expected: the one rule both
    the facility rows and the township and district rows of the grid count."""
    sql, params = _facilities(scope, area)
    return f"""
        WITH f AS ({sql}),
        months AS (SELECT DISTINCT period FROM v_submission_status WHERE period BETWEEN ? AND ?)
        SELECT f.*, m.period,
               CASE WHEN s.facility_code IS NULL THEN 'not_expected'
                    WHEN s.timely THEN 'on_time' WHEN s.received THEN 'late' ELSE 'missing' END AS state
        FROM f CROSS JOIN months m
        LEFT JOIN v_submission_status s ON s.facility_code = f.facility_code AND s.period = m.period
        WHERE {EXPECTED_TYPE}
    """, [*params, first, last]


@per_version()
def reporting_grid(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, first: str, last: str) -> pd.DataFrame:
    """Facility × month from `first` to `last` ('YYYY-MM'): on_time | late | missing | not_expected."""
    cells, params = _grid_cells(scope, area, first, last)
    return con.execute(f"""
        SELECT facility_code, name, type, township_name, period, state FROM ({cells})
        ORDER BY district_code, township_code, facility_code, period
    """, params).df()


GRID_LEVELS = {"township": ("township_code", "township_name"), "district": ("district_code", "district_name")}


@dataclass(frozen=True)
class ReportingGrid:
    """The reporting grid at the finest level whose rows fit `quality.grid_max_rows`: a row per
    facility (`cells` as `reporting_grid`), else per township or district (`cells`: code, name,
    district_name, period, expected, on_time, late, missing; a month with nothing expected has
    expected = 0)."""
    level: str
    cells: pd.DataFrame
    max_rows: int


def reporting_grid_at_detail(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, first: str,
                             last: str) -> ReportingGrid:
    max_rows = int(setting(con, "quality.grid_max_rows"))
    sql, params = _facilities(scope, area)
    counts = con.execute(f"""
        SELECT count(*), count(DISTINCT township_code), count(DISTINCT district_code) FROM ({sql}) f
        WHERE {EXPECTED_TYPE}
    """, params).fetchall()[0]
    if counts[0] <= max_rows:
        return ReportingGrid("facility", reporting_grid(con, scope, area, first, last), max_rows)
    level = "township" if counts[1] <= max_rows else "district"
    return ReportingGrid(level, reporting_grid_by(con, scope, area, first, last, level), max_rows)


@per_version()
def reporting_grid_by(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, first: str, last: str,
                      level: str) -> pd.DataFrame:
    """Township or district × month: the reports expected of its facilities, and how many came on
    time, late or not at all (each judged as `reporting_grid` judges it)."""
    code, name = GRID_LEVELS[level]
    cells, params = _grid_cells(scope, area, first, last)
    return con.execute(f"""
        SELECT {code} AS code, any_value({name}) AS name, any_value(district_name) AS district_name, period,
               count(*) FILTER (WHERE state <> 'not_expected') AS expected,
               count(*) FILTER (WHERE state = 'on_time') AS on_time,
               count(*) FILTER (WHERE state = 'late') AS late,
               count(*) FILTER (WHERE state = 'missing') AS missing
        FROM ({cells})
        GROUP BY {code}, period
        ORDER BY min(district_code), {code}, period
    """, params).df()


@per_version()
def reporting_rates(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, first: str, last: str) -> pd.DataFrame:
    """Completeness (received / expected) and timeliness (on time / expected) by township and
    district, each against the settings' targets (reporting.completeness_target,
    timeliness_target): `meets` when both are reached."""
    sql, params = _facilities(scope, area)
    return con.execute(f"""
        WITH s AS (
            SELECT f.township_code, f.township_name, f.district_code, f.district_name, s.received, s.timely
            FROM v_submission_status s JOIN ({sql}) f USING (facility_code)
            WHERE s.period BETWEEN ? AND ?
        ), parts AS (
            SELECT 'district' AS level, district_code AS code, district_name AS name, received, timely FROM s
            UNION ALL SELECT 'township', township_code, township_name, received, timely FROM s
        ), rates AS (
            SELECT level, code, any_value(name) AS name, count(*) AS expected,
                   count(*) FILTER (WHERE received) AS received, count(*) FILTER (WHERE timely) AS timely,
                   count(*) FILTER (WHERE received) / count(*) AS completeness,
                   count(*) FILTER (WHERE timely) / count(*) AS timeliness
            FROM parts GROUP BY level, code
        )
        SELECT r.*, setting_num('reporting.completeness_target') AS completeness_target,
               setting_num('reporting.timeliness_target') AS timeliness_target,
               r.completeness >= setting_num('reporting.completeness_target')
                   AND r.timeliness >= setting_num('reporting.timeliness_target') AS meets
        FROM rates r ORDER BY level, code
    """, [*params, first, last]).df()


def _with_confirmations(con, frame: pd.DataFrame) -> pd.DataFrame:
    confirmed = con.execute("SELECT flag_key, note FROM dq_confirmation").df()
    frame = frame.merge(confirmed, on="flag_key", how="left")
    frame["confirmed"] = frame["note"].notna() | frame["flag_key"].isin(confirmed["flag_key"])
    return frame.reindex(columns=FLAG_COLUMNS)


def _flags(con: duckdb.DuckDBPyConnection, table: str, scope: Scope, area: Area, order: str) -> pd.DataFrame:
    sql, params = _facilities(scope, area)
    frame = con.execute(f"""
        WITH f AS ({sql})
        SELECT x.flag_key, x."check", x.facility_code, f.name, f.township_code, f.township_name, x.measure,
               coalesce(m.name_zh, x.measure) AS measure_zh, coalesce(m.name_en, x.measure) AS measure_en,
               x.period, x.value, x.reference, x.score
        FROM {table} x JOIN f USING (facility_code) LEFT JOIN measure_registry m ON m.measure = x.measure
        ORDER BY {order}
    """, params).df()
    return _with_confirmations(con, frame)


def outliers(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> pd.DataFrame:
    """Values of a facility's last 24 months (to the data horizon) whose modified z-score
    (0.6745·|x−median|/MAD) exceeds quality.outlier_z, or that lie beyond 3 standard deviations of
    the mean, among series of 6 months or more. MAD = 0: the mean absolute deviation stands in
    (|x−median| / (1.2533·MeanAD)); when that is 0 too the series is flat and nothing in it is an
    outlier. Counts that vary by chance are never flagged (macro beyond_noise: a series whose median
    is below quality.outlier_min_median, a value within max(3, half the median,
    quality.outlier_noise_sd·√median) of it). Computed when a load publishes (macro dq_outlier_of),
    most severe first."""
    return _flags(con, "dq_outlier_table", scope, area, "x.score DESC, x.facility_code, x.measure, x.period")


def consistency(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> pd.DataFrame:
    """Internal consistency in the last 12 months to the data horizon: numerators above their
    denominators, related pairs that must hold (settings quality.pairs), stock measures jumping
    more than quality.stock_jump_share month to month (and by 5 or more), and this year's months
    against the mean of the same months of the three years before (when that mean is 30 or more:
    small counts swing by chance). Computed when a load publishes (macro dq_consistency_of)."""
    return _flags(con, "dq_consistency_table", scope, area, 'x."check", x.facility_code, x.measure, x.period')


def measure_series(con: duckdb.DuckDBPyConnection, scope: Scope, facility_code: str, measure: str) -> pd.DataFrame:
    condition, params = scope.sql("f.district_code")
    return con.execute(f"""
        SELECT strftime(m.period, '%Y-%m') AS period, m.value FROM monthly_measure m JOIN v_facility f USING (facility_code)
        WHERE m.facility_code = ? AND m.measure = ? AND {condition} ORDER BY m.period
    """, [facility_code, measure, *params]).df()


def outlier_threshold(con: duckdb.DuckDBPyConnection) -> float:
    """The modified z-score above which a value is an outlier, as the warehouse's flags were
    computed with it (quality.outlier_z): for the page's title."""
    return float(setting(con, "quality.outlier_z"))
