"""Overview (总览): where an area stands in a period. Every figure of the page comes from here."""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

import duckdb
import pandas as pd

from warehouse.cache import per_version
from warehouse.periods import Period
from warehouse.queries.areas import Area, townships_in
from warehouse.scope import Scope

# Facilities of an area the scope allows: `{facilities}` is spliced as a subquery.
FACILITIES_IN_AREA = """
    SELECT * FROM v_facility
    WHERE in_area(township_code, district_code, ?) AND {scope}
"""


def _facilities(scope: Scope, area: Area) -> tuple[str, list]:
    condition, params = scope.sql("district_code")
    return FACILITIES_IN_AREA.format(scope=condition), [area.code, *params]


def facility_counts(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, as_of: date) -> pd.DataFrame:
    """Operating facilities by type on a date (government-run and private)."""
    sql, params = _facilities(scope, area)
    return con.execute(f"""
        SELECT t.type, count(f.facility_code) AS operating,
               count(f.facility_code) FILTER (WHERE f.ownership = 'government') AS government
        FROM (VALUES ('CHC', 1), ('CHS', 2), ('THC', 3), ('VC', 4)) t(type, sort_order)
        LEFT JOIN ({sql}) f ON f.type = t.type AND operating_on(f.opened_on, f.closed_on, ?)
        GROUP BY t.type, t.sort_order ORDER BY t.sort_order
    """, [*params, as_of]).df()


def residents(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> int:
    """Resident population of the area's townships (as registered in the admin units)."""
    condition, params = scope.sql("district_code")
    return int(con.execute(f"""
        SELECT coalesce(sum(population), 0) FROM township
        WHERE in_area(township_code, district_code, ?) AND {condition}
    """, [area.code, *params]).fetchall()[0][0])


def residents_per_center(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, as_of: date) -> dict:
    """The area's residents (`residents`), its CHCs and THCs operating on `as_of`, and residents per
    such center (None without one)."""
    residents_count = residents(con, scope, area)
    operating = facility_counts(con, scope, area, as_of).set_index("type")["operating"]
    centers = int(operating.get("CHC", 0) + operating.get("THC", 0))
    return {"residents": residents_count, "centers": centers,
            "per_center": residents_count / centers if centers else None}


def street_coverage(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, as_of: date) -> dict:
    """Streets and towns with an operating government-run CHC (a THC for towns; docs/domain.md
    section 6): how many are covered, of how many, the share, and `ok` when every one is."""
    condition, params = scope.sql("t.district_code")
    covered, total = con.execute(f"""
        SELECT count(*) FILTER (WHERE has_center), count(*) FROM (
            SELECT t.township_code, bool_or(f.facility_code IS NOT NULL) AS has_center
            FROM township t
            LEFT JOIN facility f ON f.township_code = t.township_code AND f.ownership = 'government'
                 AND f.type = CASE WHEN t.township_level = 'town' THEN 'THC' ELSE 'CHC' END
                 AND operating_on(f.opened_on, f.closed_on, ?)
            WHERE in_area(t.township_code, t.district_code, ?) AND {condition}
            GROUP BY t.township_code)
    """, [as_of, area.code, *params]).fetchall()[0]
    return {"covered": covered, "total": total, "share": covered / total if total else None,
            "ok": bool(total) and covered == total}


@per_version()
def area_indicator_values(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area,
                          period: Period) -> pd.DataFrame:
    """Every registry indicator for the area and period: Σnumerator / Σdenominator over its
    facilities, against the area's target (`area_target`: a count's target times its facilities
    that reported the count). Summed from the township rollup (township_indicator_parts_table):
    a city reads a row per township, not per facility."""
    sql, params = townships_in(scope, area)
    return con.execute(f"""
        WITH parts AS (
            SELECT x.indicator_code, sum(x.numerator) AS numerator, sum(x.denominator) AS denominator,
                   sum(x.facilities) AS facilities, sum(x.reporting) AS reporting
            FROM township_indicator_parts_table x
            WHERE x.period_kind = ? AND x.period = ? AND x.township_code IN (SELECT township_code FROM ({sql}))
            GROUP BY x.indicator_code
        )
        SELECT i.indicator_code, i.name_zh, i.name_en, i.category, c.name_zh AS category_zh,
               c.name_en AS category_en, i.direction,
               area_target(t.target, i.denominator IS NOT NULL, p.reporting) AS target,
               p.numerator, p.denominator,
               rate_value(p.numerator, p.denominator, i.denominator IS NOT NULL) AS value,
               meets(rate_value(p.numerator, p.denominator, i.denominator IS NOT NULL),
                     area_target(t.target, i.denominator IS NOT NULL, p.reporting), t.direction,
                     i.denominator IS NOT NULL)
                   AS meets_target,
               coalesce(p.facilities, 0) AS facilities
        FROM indicator_registry i
        JOIN category_registry c USING (category)
        JOIN indicator_target t ON t.indicator_code = i.indicator_code AND t.period_kind = ?
        LEFT JOIN parts p ON p.indicator_code = i.indicator_code
        ORDER BY c.sort_order, i.sort_order
    """, [period.kind, period.label, *params, period.kind]).df()


def judged_indicators(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period) -> pd.DataFrame:
    """`area_indicator_values` of the indicators with a direction (not only watched), each with
    its gap to target (value − target), that gap relative to the target, and `is_count`; the
    furthest below target first."""
    frame = area_indicator_values(con, scope, area, period)
    frame = frame[frame["direction"] != "watch"].copy()
    frame["gap"] = frame["value"] - frame["target"]
    frame["relative_gap"] = frame["gap"] / frame["target"]
    frame["is_count"] = frame["denominator"].isna() & frame["numerator"].notna()
    return frame.sort_values(["relative_gap", "indicator_code"], na_position="last")


class IndicatorRanking(NamedTuple):
    indicator: dict          # indicator_code, name_zh, name_en, is_rate, target, and the whole area's value
    parts: pd.DataFrame      # the parts ranked (each with value, target and meets_target)


def indicator_of_area(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period,
                      indicator_code: str) -> dict | None:
    """An indicator's names, whether it is a rate (it has a denominator), its target for the
    period and the whole area's value; None for a code the registry does not have."""
    from warehouse.queries.registry import indicators
    spec = indicators(con).set_index("indicator_code")
    if indicator_code not in spec.index:
        return None
    whole = area_indicator_values(con, scope, area, period).set_index("indicator_code")
    target = whole.loc[indicator_code, "target"] if indicator_code in whole.index else None
    value = whole.loc[indicator_code, "value"] if indicator_code in whole.index else None
    return {"indicator_code": indicator_code, "name_zh": spec.loc[indicator_code, "name_zh"],
            "name_en": spec.loc[indicator_code, "name_en"],
            "is_rate": bool(pd.notna(spec.loc[indicator_code, "denominator"])),
            "target": None if pd.isna(target) else float(target), "value": None if pd.isna(value) else float(value)}


def indicator_ranking(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period,
                      indicator_code: str) -> IndicatorRanking | None:
    """The overview's ranking: one indicator for each part of the area (`subarea_indicator`),
    with the indicator's names, whether it is a rate, its target and the whole area's value.
    None for an indicator the registry does not have."""
    indicator = indicator_of_area(con, scope, area, period, indicator_code)
    if indicator is None:
        return None
    return IndicatorRanking(indicator, subarea_indicator(con, scope, area, period, indicator_code))


def subarea_indicator(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period,
                      indicator_code: str) -> pd.DataFrame:
    """One indicator for each part of the area: districts of the city, townships of a district,
    facilities of a township; Σnumerator / Σdenominator, best first, each judged by `meets()`
    (direction; a rate above 100 % is never met; NULL: nothing to judge)."""
    sql, params = _facilities(scope, area)
    key, name = {"city": ("district_code", "district_name"), "district": ("township_code", "township_name"),
                 "township": ("facility_code", "name")}[area.level]
    return con.execute(f"""
        SELECT f.{key} AS code, any_value(f.{name}) AS name, sum(x.numerator) AS numerator,
               sum(x.denominator) AS denominator,
               rate_value(sum(x.numerator), sum(x.denominator), any_value(i.denominator) IS NOT NULL) AS value,
               area_target(any_value(t.target), any_value(i.denominator) IS NOT NULL,
                           count(DISTINCT x.facility_code) FILTER (WHERE x.numerator IS NOT NULL)) AS target,
               meets(rate_value(sum(x.numerator), sum(x.denominator), any_value(i.denominator) IS NOT NULL),
                     area_target(any_value(t.target), any_value(i.denominator) IS NOT NULL,
                                 count(DISTINCT x.facility_code) FILTER (WHERE x.numerator IS NOT NULL)),
                     any_value(t.direction), any_value(i.denominator) IS NOT NULL) AS meets_target
        FROM facility_indicator_parts x
        JOIN ({sql}) f USING (facility_code)
        JOIN indicator_registry i USING (indicator_code)
        JOIN indicator_target t ON t.indicator_code = x.indicator_code AND t.period_kind = x.period_kind
        WHERE x.indicator_code = ? AND x.period_kind = ? AND x.period = ?
        GROUP BY f.{key}
        ORDER BY value DESC NULLS LAST, code
    """, [*params, indicator_code, period.kind, period.label]).df()


@per_version()
def milestone_trend(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> pd.DataFrame:
    """At every month end: operating CHCs of the area, and those counted toward the milestone."""
    sql, params = _facilities(scope, area)
    return con.execute(f"""
        WITH chc AS (SELECT * FROM ({sql}) WHERE type = 'CHC'),
        months AS (SELECT DISTINCT as_of FROM v_standardization_status)
        SELECT m.as_of, count(*) FILTER (WHERE s.counts_for_milestone) AS counted, count(*) AS total,
               count(*) FILTER (WHERE s.counts_for_milestone) / count(*) AS share
        FROM months m
        JOIN chc c ON operating_on(c.opened_on, c.closed_on, m.as_of)
        LEFT JOIN v_standardization_status s ON s.facility_code = c.facility_code AND s.as_of = m.as_of
        GROUP BY m.as_of ORDER BY m.as_of
    """, params).df()


class MilestoneTrend(NamedTuple):
    months: pd.DataFrame      # as_of, counted, total, share: every month end (`milestone_trend`)
    marks: pd.DataFrame       # year, target_share, then the last month end of that year with data: as_of, share, met


def milestone_trend_marked(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> MilestoneTrend:
    """`milestone_trend` with the milestone schedule: each scheduled year's target, and the share
    at the last month end of that year (or before) with data, `met` when it reaches the target
    (NULL where no month of the year or before has data)."""
    from warehouse.queries.registry import milestones
    months = milestone_trend(con, scope, area)
    steps = milestones(con).sort_values("year")
    ends = pd.to_datetime(months["as_of"])
    marks = []
    for year, target in zip(steps["year"], steps["target_share"]):
        known = months[ends <= pd.Timestamp(int(year), 12, 31)]
        last = known.iloc[-1] if not known.empty else None
        marks.append({"year": int(year), "target_share": float(target),
                      "as_of": None if last is None else last["as_of"], "share": None if last is None else last["share"],
                      "met": None if last is None else bool(last["share"] >= target - 1e-9)})
    return MilestoneTrend(months, pd.DataFrame(marks, columns=["year", "target_share", "as_of", "share", "met"]))


def indicators_met(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period) -> dict:
    """How many of the area's indicators with a target and a value meet it in the period (a rate
    above 100 % is not judged), and `ok` when all do."""
    values = area_indicator_values(con, scope, area, period)
    judged = values[values["meets_target"].notna()]
    met = int(judged["meets_target"].sum())
    return {"met": met, "judged": len(judged), "ok": bool(len(judged)) and met == len(judged)}


def milestone_status(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, year: int) -> dict | None:
    """The milestone of a year (counted / operating CHCs at its end, or now for a year not over),
    as the standardization page computes it."""
    from warehouse.queries.standardization import milestones
    frame = milestones(con, scope, area)
    row = frame[frame["year"] == year]
    if row.empty:
        return None
    status = row.iloc[0].to_dict()
    status["on_track"] = bool(status["met"])
    return status


def milestone_year(con: duckdb.DuckDBPyConnection, period: Period) -> int | None:
    """The milestone a period is judged against: the first scheduled year not before the period's
    end, else the last one (None without a schedule)."""
    from warehouse.queries.registry import milestones
    years = list(milestones(con)["year"])
    upcoming = [y for y in years if y >= period.end.year]
    return min(upcoming) if upcoming else (max(years) if years else None)


def milestone_for_period(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period) -> dict | None:
    """The period's milestone (`milestone_year`) as it stood at the period's end (or at the data
    horizon, when the period runs past it): counted / operating CHCs then, its target, `met`,
    `needed`, `over` (the milestone's year had ended by then), `on_track` and `as_of`."""
    from warehouse.queries.registry import milestones
    from warehouse.queries.standardization import horizon, milestone_on
    year = milestone_year(con, period)
    if year is None:
        return None
    target = float(milestones(con).set_index("year").loc[year, "target_share"])
    now = horizon(con)
    status = milestone_on(con, scope, area, year, target, min(period.end, now) if now else period.end)
    return {**status, "on_track": bool(status["met"])}


def service_circle(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> dict | None:
    """The 15-minute service circle of the area (docs/domain.md section 6) at the settings' radius:
    `coverage.circle_status`."""
    from warehouse.queries.coverage import circle_status, default_radius_m
    return circle_status(con, scope, area, default_radius_m(con))


def reporting_status(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, month_label: str) -> dict:
    """Reports expected, received and received on time for one month, with the targets of the
    settings (`reporting.completeness_target`, `timeliness_target`) and `ok`: both are met."""
    from warehouse.queries.areas import setting
    sql, params = _facilities(scope, area)
    expected, received, timely = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE s.received), count(*) FILTER (WHERE s.timely)
        FROM v_submission_status s JOIN ({sql}) f USING (facility_code)
        WHERE s.period = ?
    """, [*params, month_label]).fetchall()[0]
    completeness = received / expected if expected else None
    timeliness = timely / expected if expected else None
    targets = (float(setting(con, "reporting.completeness_target")), float(setting(con, "reporting.timeliness_target")))
    return {"expected": expected, "received": received, "timely": timely,
            "completeness": completeness, "timeliness": timeliness,
            "completeness_target": targets[0], "timeliness_target": targets[1],
            "ok": (completeness or 0) >= targets[0] and (timeliness or 0) >= targets[1]}


def missing_reports(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, month_label: str) -> pd.DataFrame:
    sql, params = _facilities(scope, area)
    return con.execute(f"""
        SELECT f.facility_code, f.name, f.type, f.township_code, f.township_name, f.district_name
        FROM v_submission_status s JOIN ({sql}) f USING (facility_code)
        WHERE s.period = ? AND NOT s.received
        ORDER BY f.district_code, f.township_code, f.facility_code
    """, [*params, month_label]).df()


def overdue_rectifications(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, today: date) -> pd.DataFrame:
    """Inspection findings whose rectification deadline has passed and that are not rectified."""
    sql, params = _facilities(scope, area)
    return con.execute(f"""
        SELECT f.facility_code, f.name, f.type, f.township_code, f.township_name, i.visit_date, i.score, i.findings,
               i.rectify_by, datediff('day', i.rectify_by, ?::DATE) AS days_overdue
        FROM inspection i JOIN ({sql}) f USING (facility_code)
        WHERE i.rectify_by < ? AND i.rectified_on IS NULL
        ORDER BY days_overdue DESC, f.facility_code
    """, [today, *params, today]).df()


def overdue_status(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, today: date) -> dict:
    """How many rectifications are overdue (`overdue_rectifications`); `ok` only when none is."""
    overdue = len(overdue_rectifications(con, scope, area, today))
    return {"overdue": overdue, "ok": overdue == 0}
