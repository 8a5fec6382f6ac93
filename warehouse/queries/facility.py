"""Facility profile (机构档案): one facility, everything the warehouse knows of it.

Every function takes the caller's scope: a facility outside it is treated as not existing.
"""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from warehouse.cache import per_version
from warehouse.periods import Period
from warehouse.scope import Scope


def _in_scope(scope: Scope) -> tuple[str, list]:
    return scope.sql("f.district_code")


def search(con: duckdb.DuckDBPyConnection, scope: Scope, text: str, limit: int = 20) -> pd.DataFrame:
    """Facilities whose name or code contains the text (Chinese fragments work), best match first."""
    text = (text or "").strip()
    if not text:
        return pd.DataFrame(columns=["facility_code", "name", "type", "township_name", "district_name"])
    condition, params = _in_scope(scope)
    return con.execute(f"""
        SELECT f.facility_code, f.name, f.type, f.township_name, f.district_name
        FROM v_facility f
        WHERE (f.name ILIKE '%' || ? || '%' OR f.facility_code ILIKE ? || '%') AND {condition}
        ORDER BY NOT starts_with(f.name, ?), length(f.name), f.facility_code
        LIMIT ?
    """, [text, text, *params, text, limit]).df()


def header(con: duckdb.DuckDBPyConnection, scope: Scope, code: str) -> dict | None:
    """Who the facility is: registry row, parent, latest standardization and staffing, judged
    against the standards of the settings: the building area its type and area kind require
    (`area_standard`, `meets_area_standard`: NULL when the area is not known), the TCM physicians'
    share and its norm (standards.tcm_share_min), a station's minimum staff (docs/domain.md §3, §5)."""
    condition, params = _in_scope(scope)
    rows = con.execute(f"""
        WITH latest AS (
            SELECT * FROM standardization_assessment WHERE facility_code = ?
            ORDER BY assessed_on DESC LIMIT 1
        ), stars AS (
            SELECT star_rating FROM standardization_assessment
            WHERE facility_code = ? AND star_rating IS NOT NULL ORDER BY assessed_on DESC LIMIT 1
        ), staff AS (
            SELECT * FROM staffing WHERE facility_code = ? ORDER BY as_of DESC LIMIT 1
        )
        SELECT f.*, p.name AS parent_name, t.township_level,
               l.assessed_on, l.gov_premises, l.gov_equipment, l.standardized,
               l.gov_premises AND l.gov_equipment AND l.standardized AS counts_for_milestone, l.quality_demo,
               (SELECT star_rating FROM stars) AS star_rating,
               s.as_of AS staffing_as_of, s.physicians, s.gps, s.tcm_physicians, s.nurses,
               s.public_health_staff, s.total_staff,
               a.area_standard, f.building_area_m2 >= a.area_standard AS meets_area_standard,
               s.tcm_physicians / nullif(s.physicians, 0) AS tcm_share,
               setting_num('standards.tcm_share_min') AS tcm_norm,
               setting_num('standards.chs_min_physicians') AS chs_min_physicians,
               setting_num('standards.chs_min_nurses') AS chs_min_nurses
        FROM v_facility f
        CROSS JOIN LATERAL (SELECT CASE
            WHEN f.type = 'CHS' THEN setting_num('standards.chs_area_m2')
            WHEN f.type = 'CHC' AND f.area_kind = 'new_urban' THEN setting_num('standards.chc_area_new_urban_m2')
            WHEN f.type = 'CHC' AND f.area_kind = 'old_town' THEN setting_num('standards.chc_area_old_town_m2')
            END AS area_standard) a
        LEFT JOIN facility p ON p.facility_code = f.parent_code
        LEFT JOIN township t ON t.township_code = f.township_code
        LEFT JOIN latest l ON true
        LEFT JOIN staff s ON true
        WHERE f.facility_code = ? AND {condition}
    """, [code, code, code, code, *params]).df()
    if rows.empty:
        return None
    record = rows.iloc[0].to_dict()
    return {k: (None if (not isinstance(v, (list, dict)) and pd.isna(v)) else v) for k, v in record.items()}


def stations(con: duckdb.DuckDBPyConnection, scope: Scope, code: str) -> pd.DataFrame:
    condition, params = _in_scope(scope)
    return con.execute(f"""
        SELECT f.facility_code, f.name, f.opened_on, f.closed_on FROM v_facility f
        WHERE f.parent_code = ? AND {condition} ORDER BY f.facility_code
    """, [code, *params]).df()


def standardization_history(con: duckdb.DuckDBPyConnection, scope: Scope, code: str) -> pd.DataFrame:
    condition, params = _in_scope(scope)
    return con.execute(f"""
        SELECT a.assessed_on, a.gov_premises, a.gov_equipment, a.standardized,
               a.gov_premises AND a.gov_equipment AND a.standardized AS counts_for_milestone,
               a.star_rating, a.quality_demo, a.note
        FROM standardization_assessment a JOIN v_facility f USING (facility_code)
        WHERE a.facility_code = ? AND {condition}
        ORDER BY a.assessed_on
    """, [code, *params]).df()


def indicator_table(con: duckdb.DuckDBPyConnection, scope: Scope, code: str, period: Period) -> pd.DataFrame:
    """Every registry indicator for the facility and period, with the previous period, the same
    period a year before, and its percentile among facilities of the same type in its district
    and in the city (share of peers with a value at or below its own; higher is better)."""
    return indicator_tables(con, scope, [code], period).drop(columns="facility_code")


def indicator_tables(con: duckdb.DuckDBPyConnection, scope: Scope, codes: list[str], period: Period) -> pd.DataFrame:
    """indicator_table for several facilities at once (a visit brief): the peers are ranked once.
    One row per facility and indicator, with `facility_code`."""
    condition, params = _in_scope(scope)
    previous, last_year = period.previous(), period.same_last_year()
    return con.execute(f"""
        WITH me AS (SELECT * FROM v_facility f WHERE list_contains(?, f.facility_code) AND {condition}),
        peers AS (
            SELECT v.indicator_code, v.facility_code, v.value, f.district_code, f.type
            FROM v_indicator_value v JOIN v_facility f USING (facility_code)
            WHERE v.period_kind = ? AND v.period = ? AND v.value IS NOT NULL
              AND f.type IN (SELECT type FROM me)
        ), ranked AS (
            SELECT indicator_code, facility_code,
                   CASE WHEN count(*) OVER (PARTITION BY type, indicator_code, district_code) > 1 THEN
                       (count(*) OVER (PARTITION BY type, indicator_code, district_code ORDER BY value
                                       RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - 1)
                       / (count(*) OVER (PARTITION BY type, indicator_code, district_code) - 1) END
                       AS district_percentile,
                   count(*) OVER (PARTITION BY type, indicator_code, district_code) AS district_peers,
                   CASE WHEN count(*) OVER (PARTITION BY type, indicator_code) > 1 THEN
                       (count(*) OVER (PARTITION BY type, indicator_code ORDER BY value
                                       RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - 1)
                       / (count(*) OVER (PARTITION BY type, indicator_code) - 1) END AS city_percentile,
                   count(*) OVER (PARTITION BY type, indicator_code) AS city_peers
            FROM peers
        ), mine AS (
            SELECT v.* FROM v_indicator_value v
            WHERE v.facility_code IN (SELECT facility_code FROM me)
              AND (v.period_kind, v.period) IN ((?, ?), (?, ?), (?, ?))
        )
        SELECT me.facility_code, i.indicator_code, i.name_zh, i.name_en, i.category, c.name_zh AS category_zh,
               c.name_en AS category_en, i.denominator IS NULL AS is_count, i.direction,
               t.target, cur.numerator, cur.denominator, cur.value, cur.meets_target,
               prev.value AS previous_value, cur.value - prev.value AS change_previous,
               ly.value AS last_year_value, cur.value - ly.value AS change_last_year,
               r.district_percentile, r.district_peers, r.city_percentile, r.city_peers
        FROM me CROSS JOIN indicator_registry i
        JOIN category_registry c USING (category)
        JOIN indicator_target t ON t.indicator_code = i.indicator_code AND t.period_kind = ?
        LEFT JOIN mine cur ON cur.facility_code = me.facility_code AND cur.indicator_code = i.indicator_code
             AND cur.period_kind = ? AND cur.period = ?
        LEFT JOIN mine prev ON prev.facility_code = me.facility_code AND prev.indicator_code = i.indicator_code
             AND prev.period_kind = ? AND prev.period = ?
        LEFT JOIN mine ly ON ly.facility_code = me.facility_code AND ly.indicator_code = i.indicator_code
             AND ly.period_kind = ? AND ly.period = ?
        LEFT JOIN ranked r ON r.indicator_code = i.indicator_code AND r.facility_code = me.facility_code
        ORDER BY me.facility_code, c.sort_order, i.sort_order
    """, [list(codes), *params, period.kind, period.label,
          period.kind, period.label, previous.kind, previous.label, last_year.kind, last_year.label,
          period.kind, period.kind, period.label, previous.kind, previous.label, last_year.kind, last_year.label]).df()


@per_version()
def indicator_series(con: duckdb.DuckDBPyConnection, scope: Scope, code: str, indicator: str) -> pd.DataFrame:
    """The facility's monthly values of one indicator over its whole history, with its district's
    value that month, whether the month was reported, and whether a load warning touched it."""
    condition, params = _in_scope(scope)
    return con.execute(f"""
        WITH me AS (SELECT * FROM v_facility f WHERE f.facility_code = ? AND {condition}),
        months AS (
            SELECT s.period, s.received FROM v_submission_status s WHERE s.facility_code = (SELECT facility_code FROM me)
        ), mine AS (
            SELECT period, numerator, denominator, value, target FROM v_indicator_value
            WHERE facility_code = (SELECT facility_code FROM me) AND period_kind = 'month' AND indicator_code = ?
        ), district AS (
            -- v_area_indicator_value's rule (Σnumerator / Σdenominator) over the district's townships
            -- in the township rollup, not over every facility's parts (0.8 s → 0.07 s at 10 × the province)
            SELECT x.period, rate_value(sum(x.numerator), sum(x.denominator), any_value(i.denominator IS NOT NULL))
                       AS district_value
            FROM township_indicator_parts_table x JOIN township t USING (township_code)
            JOIN indicator_registry i ON i.indicator_code = x.indicator_code
            WHERE t.district_code = (SELECT district_code FROM me) AND x.period_kind = 'month' AND x.indicator_code = ?
            GROUP BY x.period
        ), flagged AS (
            SELECT DISTINCT strftime(w.period, '%Y-%m') AS period FROM load_warning w
            JOIN indicator_registry i ON w.measure IN (i.numerator, i.denominator)
            WHERE w.facility_code = (SELECT facility_code FROM me) AND i.indicator_code = ?
        )
        SELECT coalesce(m.period, x.period) AS period, x.numerator, x.denominator, x.value, x.target,
               d.district_value, coalesce(m.received, x.period IS NOT NULL) AS received,
               f.period IS NOT NULL AS flagged
        FROM months m
        FULL JOIN mine x USING (period)
        LEFT JOIN district d ON d.period = coalesce(m.period, x.period)
        LEFT JOIN flagged f ON f.period = coalesce(m.period, x.period)
        ORDER BY 1
    """, [code, *params, indicator, indicator, indicator]).df()


def submission_calendar(con: duckdb.DuckDBPyConnection, scope: Scope, code: str) -> pd.DataFrame:
    """Every month the facility was expected to report, with its state as the data-quality page
    judges it (`v_submission_status`): on_time | late | missing."""
    condition, params = _in_scope(scope)
    return con.execute(f"""
        SELECT s.period, s.received, s.submitted_on, s.timely,
               CASE WHEN s.timely THEN 'on_time' WHEN s.received THEN 'late' ELSE 'missing' END AS state
        FROM v_submission_status s JOIN v_facility f USING (facility_code)
        WHERE s.facility_code = ? AND {condition}
        ORDER BY s.period
    """, [code, *params]).df()


def warnings(con: duckdb.DuckDBPyConnection, scope: Scope, code: str) -> pd.DataFrame:
    condition, params = _in_scope(scope)
    return con.execute(f"""
        SELECT strftime(w.period, '%Y-%m') AS period, w.measure, m.name_zh AS measure_zh, m.name_en AS measure_en,
               w.value, w.code, w.message_zh, w.message_en, b.file_name, w.row_number
        FROM load_warning w
        JOIN v_facility f USING (facility_code)
        JOIN load_batch b USING (batch_id)
        LEFT JOIN measure_registry m ON m.measure = w.measure
        WHERE w.facility_code = ? AND {condition}
        ORDER BY w.period DESC NULLS LAST, w.measure
    """, [code, *params]).df()


def inspections(con: duckdb.DuckDBPyConnection, scope: Scope, code: str, today: date | None = None) -> pd.DataFrame:
    """The facility's supervision visits, newest first, each with its rectification `status` on
    `today`: rectified | overdue (the deadline passed) | open | NULL (nothing to rectify)."""
    condition, params = _in_scope(scope)
    return con.execute(f"""
        SELECT i.visit_date, i.inspector, i.kind, i.score, i.findings, i.rectify_by, i.rectified_on,
               CASE WHEN i.rectify_by IS NULL THEN NULL WHEN i.rectified_on IS NOT NULL THEN 'rectified'
                    WHEN i.rectify_by < ? THEN 'overdue' ELSE 'open' END AS status
        FROM inspection i JOIN v_facility f USING (facility_code)
        WHERE i.facility_code = ? AND {condition}
        ORDER BY i.visit_date DESC
    """, [today or date.today(), code, *params]).df()


def boundary(con: duckdb.DuckDBPyConnection, scope: Scope, code: str) -> str | None:
    """The GeoJSON geometry of the facility's township, for the small location map."""
    condition, params = _in_scope(scope)
    rows = con.execute(f"""
        SELECT b.geometry FROM township_boundary b JOIN v_facility f ON f.township_code = b.code
        WHERE f.facility_code = ? AND {condition}
    """, [code, *params]).fetchall()
    return rows[0][0] if rows else None
