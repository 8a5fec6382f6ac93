"""Supervision preparation (督导准备): which facilities to visit first, what to ask, in what order.

The risk score is a weighted sum of explainable parts (weights in settings [supervision.weights]);
each part is returned so the page can say why a facility ranks where it does.
"""
from __future__ import annotations

import math
from datetime import date

import duckdb
import pandas as pd

from warehouse.cache import per_version
from warehouse.periods import Period
from warehouse.queries.areas import Area, setting
from warehouse.scope import Scope

PARTS = ("below_target", "shortfall", "worsening", "data_quality", "open_rectifications", "overdue_rectifications",
         "low_score", "months_since_visit", "standardization")


@per_version()
def risk_parts(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period, today: date) -> pd.DataFrame:
    """One row per operating CHC, CHS and THC of the area, with every part of its risk."""
    condition, params = scope.sql("f.district_code")
    low_score = float(setting(con, "supervision.low_score"))
    interval = int(setting(con, "supervision.visit_interval_months"))
    return con.execute(f"""
        WITH f AS (
            SELECT * FROM v_facility f
            WHERE f.type IN ('CHC', 'CHS', 'THC') AND in_area(f.township_code, f.district_code, ?) AND {condition}
              AND operating_on(f.opened_on, f.closed_on, ?)
        ), latest AS (SELECT max(period) AS month FROM monthly_report),
        below AS (
            SELECT v.facility_code, count(*) FILTER (WHERE NOT v.meets_target) AS below_target,
                   coalesce(sum(v.target - v.value) FILTER (WHERE NOT v.meets_target AND v.denominator IS NOT NULL), 0)
                       AS shortfall
            FROM v_indicator_value v JOIN f USING (facility_code)
            WHERE v.period_kind = ? AND v.period = ?
            GROUP BY v.facility_code
        ), monthly AS (
            SELECT v.facility_code, v.indicator_code, strptime(v.period, '%Y-%m')::DATE AS month, v.value
            FROM v_indicator_value v JOIN f USING (facility_code)
            JOIN indicator_registry i USING (indicator_code), latest l
            WHERE v.period_kind = 'month' AND v.period > strftime(l.month - INTERVAL 6 MONTH, '%Y-%m')
              AND i.denominator IS NOT NULL AND i.direction = 'higher' AND v.value IS NOT NULL
        ), halves AS (
            SELECT m.facility_code, m.indicator_code,
                   avg(m.value) FILTER (WHERE m.month > l.month - INTERVAL 3 MONTH) AS recent,
                   avg(m.value) FILTER (WHERE m.month <= l.month - INTERVAL 3 MONTH
                                          AND m.month > l.month - INTERVAL 6 MONTH) AS before
            FROM monthly m, latest l GROUP BY ALL
        ), worse AS (
            SELECT facility_code, count(*) FILTER (WHERE recent < before - 0.02) AS worsening FROM halves GROUP BY ALL
        ), reports AS (
            SELECT s.facility_code, count(*) FILTER (WHERE NOT s.timely) AS late_or_missing
            FROM v_submission_status s JOIN f USING (facility_code), latest l
            WHERE strptime(s.period, '%Y-%m')::DATE > l.month - INTERVAL 6 MONTH
            GROUP BY ALL
        ), confirmed AS (
            SELECT split_part(flag_key, ':', 2) AS facility_code, split_part(flag_key, ':', 3) AS measure,
                   split_part(flag_key, ':', 4) AS period
            FROM dq_confirmation
        ), warnings AS (
            SELECT w.facility_code, count(*) AS warnings
            FROM load_warning w JOIN f USING (facility_code), latest l
            WHERE w.period > l.month - INTERVAL 6 MONTH
              AND NOT EXISTS (SELECT 1 FROM confirmed c WHERE c.facility_code = w.facility_code
                              AND c.measure = w.measure AND c.period = strftime(w.period, '%Y-%m'))
            GROUP BY ALL
        ), rect AS (
            SELECT i.facility_code,
                   count(*) FILTER (WHERE i.rectify_by >= ? AND i.rectified_on IS NULL) AS open_rectifications,
                   count(*) FILTER (WHERE i.rectify_by < ? AND i.rectified_on IS NULL) AS overdue_rectifications
            FROM inspection i JOIN f USING (facility_code) GROUP BY ALL
        ), last_visit AS (
            SELECT facility_code, max(visit_date) AS last_visit, arg_max(score, visit_date) AS last_score
            FROM inspection GROUP BY ALL
        ), std_now AS (
            SELECT a.facility_code, arg_max(a.gov_premises AND a.gov_equipment AND a.standardized, a.assessed_on) AS counted
            FROM standardization_assessment a WHERE a.assessed_on <= ? GROUP BY ALL
        ), std_before AS (
            SELECT a.facility_code, arg_max(a.gov_premises AND a.gov_equipment AND a.standardized, a.assessed_on) AS counted
            FROM standardization_assessment a WHERE a.assessed_on <= ?::DATE - INTERVAL 12 MONTH GROUP BY ALL
        )
        SELECT f.facility_code, f.name, f.type, f.township_code, f.township_name, f.district_name, f.lon, f.lat,
               coalesce(b.below_target, 0) AS below_target, coalesce(b.shortfall, 0) AS shortfall,
               coalesce(w.worsening, 0) AS worsening,
               coalesce(r.late_or_missing, 0) + coalesce(wa.warnings, 0) AS data_quality,
               coalesce(r.late_or_missing, 0) AS late_or_missing, coalesce(wa.warnings, 0) AS warnings,
               coalesce(x.open_rectifications, 0) AS open_rectifications,
               coalesce(x.overdue_rectifications, 0) AS overdue_rectifications,
               v.last_visit, v.last_score,
               greatest(0, coalesce(? - v.last_score, 0)) AS low_score,
               CASE WHEN v.last_visit IS NULL THEN ?
                    ELSE greatest(0, datediff('month', v.last_visit, ?::DATE) - ?) END AS months_since_visit,
               CASE WHEN f.type = 'CHC' AND (NOT coalesce(sn.counted, false)
                                             OR (coalesce(sb.counted, false) AND NOT coalesce(sn.counted, false)))
                    THEN 1 ELSE 0 END AS standardization,
               coalesce(sb.counted, false) AND NOT coalesce(sn.counted, false) AS lost_standardization
        FROM f
        LEFT JOIN below b USING (facility_code) LEFT JOIN worse w USING (facility_code)
        LEFT JOIN reports r USING (facility_code) LEFT JOIN warnings wa USING (facility_code)
        LEFT JOIN rect x USING (facility_code) LEFT JOIN last_visit v USING (facility_code)
        LEFT JOIN std_now sn USING (facility_code) LEFT JOIN std_before sb USING (facility_code)
        ORDER BY f.facility_code
    """, [area.code, *params, today, period.kind, period.label, today, today, today, today,
          low_score, interval, today, interval]).df()


def risk_ranking(parts: pd.DataFrame, weights: dict) -> pd.DataFrame:
    """Score = Σ weight × part; highest first (ties by code)."""
    frame = parts.copy()
    frame["score"] = sum(float(weights.get(part, 0)) * frame[part].astype(float) for part in PARTS)
    frame = frame.sort_values(["score", "facility_code"], ascending=[False, True]).reset_index(drop=True)
    frame["rank"] = range(1, len(frame) + 1)
    return frame


def weights(con) -> dict:
    return setting(con, "supervision.weights") or {}


# The facility types an inspector visits (village clinics are the townships' to supervise).
VISITED_TYPES = ("CHC", "CHS", "THC")


def ranked(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period, today: date,
           types: tuple[str, ...] | list[str] | None = None) -> pd.DataFrame:
    """The facilities of the area of the given types (all visited types by default) by visit
    priority, with the weights of the settings (`supervision.weights`): `risk_parts` scored by
    `risk_ranking`, so the ranks run 1, 2, 3 … over exactly the facilities asked for."""
    chosen = [t for t in (types or VISITED_TYPES) if t in VISITED_TYPES] or list(VISITED_TYPES)
    parts = risk_parts(con, scope, area, period, today)
    return risk_ranking(parts[parts["type"].isin(chosen)], weights(con))


def planned_route(con: duckdb.DuckDBPyConnection, scope: Scope, codes: list[str]) -> tuple[pd.DataFrame, list[float]]:
    """The chosen facilities of the user's districts that have a location, in visiting order from
    the bureau and back (`visiting_order`), with each leg's length (m): name, township and place
    only, what the route's map and table show."""
    condition, params = scope.sql("f.district_code")
    stops = con.execute(f"""
        SELECT f.facility_code, f.name, f.township_name, f.lon, f.lat FROM v_facility f
        WHERE list_contains(?, f.facility_code) AND f.lon IS NOT NULL AND {condition}
        ORDER BY list_position(?, f.facility_code)
    """, [codes, *params, codes]).df()
    if stops.empty:
        return stops, []
    order, legs = route_through(con, list(zip(stops["lon"], stops["lat"])))
    return stops.iloc[order].reset_index(drop=True), legs


def route_through(con: duckdb.DuckDBPyConnection, points: list[tuple[float, float]]) -> tuple[list[int], list[float]]:
    """The visiting order of the points from the bureau and back, and each leg's length (m)."""
    start = bureau(con)
    order = visiting_order(start, points)
    ends = [start] + [points[i] for i in order] + [start]
    return order, [distance_m(a, b) for a, b in zip(ends, ends[1:])]


def bureau(con) -> tuple[float, float]:
    return float(setting(con, "supervision.bureau_lon")), float(setting(con, "supervision.bureau_lat"))


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def tour_length(start: tuple[float, float], points: list[tuple[float, float]], order: list[int]) -> float:
    stops = [start] + [points[i] for i in order] + [start]
    return sum(distance_m(a, b) for a, b in zip(stops, stops[1:]))


# Facilities chosen for one round of visits at most (the ranking's selection, the brief, the route).
MAX_VISITS = 20
EXACT_UP_TO = 7     # a day's visits: every order is tried (7! = 5,040 tours)


def visiting_order(start: tuple[float, float], points: list[tuple[float, float]]) -> list[int]:
    """A day's round trip from the bureau: the shortest order outright for a few stops; for more,
    nearest neighbour then 2-opt until no swap shortens it."""
    if len(points) <= EXACT_UP_TO:
        from itertools import permutations
        return list(min(permutations(range(len(points))), key=lambda p: tour_length(start, points, list(p))))
    remaining, order, here = set(range(len(points))), [], start
    while remaining:
        nearest = min(sorted(remaining), key=lambda i: distance_m(here, points[i]))
        order.append(nearest)
        remaining.remove(nearest)
        here = points[nearest]
    improved = True
    while improved and len(order) > 2:
        improved = False
        for i in range(len(order) - 1):
            for j in range(i + 1, len(order)):
                candidate = order[:i] + order[i:j + 1][::-1] + order[j + 1:]
                if tour_length(start, points, candidate) < tour_length(start, points, order) - 1e-6:
                    order, improved = candidate, True
    return order
