"""Township comparison (乡镇/街道对比): a scorecard of townships × indicators, resources, trends.

Every rate is Σnumerator / Σdenominator over the township's facilities. The scorecard's colours,
arrows and score follow the [comparison] settings.
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd

from warehouse.cache import per_version
from warehouse.periods import Period
from warehouse.queries.areas import Area, setting, townships_in
from warehouse.scope import Scope

# Townships compared side by side at most (the page's picker, its URL and its export).
MAX_COMPARED = 6

def judged_cells_sql(key: str, reporting: str = "cur.reporting") -> str:
    """The select list and joins that judge every unit × indicator of a scorecard: numerator,
    denominator, value, target (`area_target`, `reporting`: how many of the unit's facilities
    reported), whether it meets it (`meets()`) and the previous period's value. It reads two CTEs:
    `units` (one row per `key`) and `parts` (key, indicator_code, period, numerator, denominator,
    reporting), and takes three parameters: the period's kind, its label, the previous label."""
    return f"""
               i.indicator_code, i.name_zh AS indicator_zh, i.name_en AS indicator_en, i.direction,
               i.denominator IS NULL AS is_count,
               area_target(g.target, i.denominator IS NOT NULL, {reporting}) AS target,
               cur.numerator, cur.denominator,
               rate_value(cur.numerator, cur.denominator, i.denominator IS NOT NULL) AS value,
               meets(rate_value(cur.numerator, cur.denominator, i.denominator IS NOT NULL),
                     area_target(g.target, i.denominator IS NOT NULL, {reporting}), g.direction,
                     i.denominator IS NOT NULL) AS meets_target,
               rate_value(prev.numerator, prev.denominator, i.denominator IS NOT NULL) AS previous_value
        FROM units u
        CROSS JOIN indicator_registry i
        JOIN indicator_target g ON g.indicator_code = i.indicator_code AND g.period_kind = ?
        LEFT JOIN parts cur ON cur.{key} = u.{key} AND cur.indicator_code = i.indicator_code AND cur.period = ?
        LEFT JOIN parts prev ON prev.{key} = u.{key} AND prev.indicator_code = i.indicator_code
             AND prev.period = ?"""


@per_version()
def township_indicators(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period) -> pd.DataFrame:
    """One row per township × indicator: numerator, denominator, value, target, whether it meets
    the target (`meets()`), and the value of the previous period (for the arrows)."""
    sql, params = townships_in(scope, area)
    previous = period.previous()
    return con.execute(f"""
        WITH units AS ({sql}),
        parts AS (      -- the township rollup (township_indicator_parts_table), not every facility's parts
            SELECT x.township_code, x.indicator_code, x.period, x.numerator, x.denominator, x.reporting
            FROM township_indicator_parts_table x
            WHERE x.period_kind = ? AND x.period IN (?, ?) AND x.township_code IN (SELECT township_code FROM units)
        )
        SELECT u.township_code, u.township_name, u.district_code, u.district_name, {judged_cells_sql("township_code")}
        ORDER BY u.district_code, u.township_code, i.sort_order
    """, [*params, period.kind, period.label, previous.label, period.kind, period.label, previous.label]).df()


SCORE_METHODS = ("percentile", "attainment")


def scorecard(frame: pd.DataFrame, amber_points: float, steady_points: float, weights: dict,
              method: str = "attainment", key: str = "township_code") -> pd.DataFrame:
    """Colour, arrow and attainment of every cell, then each township's (or, by `key`, each
    facility's: the monthly bulletin's ranking) weighted score and rank.

    state: met | near (below target by at most `amber_points`, or that share of a count target)
    | far | none (no value) | watch (no target) | implausible (a rate above 100%). arrow: up | down | steady | none.
    The score, over the township's indicators with a value and a target (weight: `weights`, 1 when
    not listed), by `method`:
    - percentile: each indicator's percentile among the townships compared (0 = the worst value,
      100 = the best, in the indicator's direction; equal values share their mean rank; one township
      alone is 100); score = Σ weight·percentile / Σ weight. It separates townships that all meet
      their targets.
    - attainment: value / target capped at 1; score = 100 × Σ weight·attainment / Σ weight.
    rank 1 = highest score."""
    cells = frame.copy()
    is_count = cells["is_count"].astype(bool)
    value, target, previous = (cells[c].astype(float) for c in ("value", "target", "previous_value"))
    gap = (target - value) / target.where(is_count, 1.0)
    # A rate above 100% (numerator above denominator) is flagged on load and never met: it is
    # neither coloured nor scored (docs/data.md, "rate_above_100").
    cells["state"] = np.select(
        [(cells["direction"] == "watch") | target.isna(), value.isna(), ~is_count & (value > 1 + 1e-9),
         gap <= 1e-9, gap <= amber_points + 1e-9],
        ["watch", "none", "implausible", "met", "near"], "far")
    change = value - previous
    threshold = steady_points * previous.where(is_count, 1.0)
    cells["arrow"] = np.select([value.isna() | previous.isna(), change > threshold, change < -threshold],
                               ["none", "up", "down"], "steady")
    judged = cells["state"].isin(["met", "near", "far"])
    cells["attainment"] = (cells["value"] / cells["target"]).clip(upper=1.0).where(judged)
    cells["percentile"] = _percentiles(cells.assign(value=value.where(judged)))
    cells["weight"] = cells["indicator_code"].map(lambda code: float(weights.get(code, 1.0))).astype(float)
    part = "percentile" if method == "percentile" else "attainment"
    scale = 1.0 if method == "percentile" else 100.0
    scored = cells[judged].assign(weighted=lambda f: f[part] * f["weight"], met=lambda f: f["state"] == "met")
    totals = scored.groupby(key).agg(weighted=("weighted", "sum"), weights=("weight", "sum"),
                                                 met=("met", "sum"), judged=("state", "size"))
    totals["score"] = scale * totals["weighted"] / totals["weights"]
    totals["rank"] = totals["score"].rank(ascending=False, method="min").astype("Int64")
    return cells, totals[["score", "rank", "met", "judged"]].reset_index()


def _percentiles(cells: pd.DataFrame) -> pd.Series:
    """Each judged cell's percentile among the townships with a value for its indicator: 0 the
    worst, 100 the best in the indicator's direction, ties sharing their mean rank."""
    better_high = cells["direction"] != "lower"
    signed = cells["value"].astype(float).where(better_high, -cells["value"].astype(float))
    rank = signed.groupby(cells["indicator_code"]).rank(method="average")
    count = signed.notna().groupby(cells["indicator_code"]).transform("sum")
    return (100 * (rank - 1) / (count - 1)).where(count > 1, 100.0).where(signed.notna())


def weights_setting(con: duckdb.DuckDBPyConnection) -> dict:
    return setting(con, "comparison.weights") or {}


def score_method(con: duckdb.DuckDBPyConnection) -> str:
    """How the township score is computed (settings comparison.score: percentile or attainment)."""
    method = setting(con, "comparison.score") or "percentile"
    return method if method in SCORE_METHODS else "percentile"


def scorecard_rules(con: duckdb.DuckDBPyConnection) -> dict:
    """The rules the scorecard's cells are judged by, as the warehouse applies them (for the
    page's legend): amber_points, steady_points, weights, the score's method."""
    return {"amber_points": float(setting(con, "comparison.amber_points")),
            "steady_points": float(setting(con, "comparison.steady_points")), "weights": weights_setting(con),
            "score": score_method(con)}


def township_scorecard(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area,
                       period: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard of the area's townships, its rules read from the settings here
    (`comparison.amber_points`, `steady_points`, `weights`): cells with state and arrow, and each
    township's score, rank and count met (`scorecard`)."""
    return scorecard(township_indicators(con, scope, area, period), setting(con, "comparison.amber_points"),
                     setting(con, "comparison.steady_points"), weights_setting(con), score_method(con))


@per_version()
def township_resources(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, as_of: date,
                       radius_m: float) -> pd.DataFrame:
    """Per township: residents, operating facilities, GPs and nurses (latest staffing), building
    area, 15-minute coverage and the share of CHCs/THCs counted as standardized."""
    from warehouse.queries.coverage import township_metrics
    metrics = township_metrics(con, scope, area, radius_m, as_of)
    sql, params = townships_in(scope, area)
    extra = con.execute(f"""
        WITH t AS ({sql}),
        staff AS (
            SELECT s.* FROM staffing s WHERE s.as_of <= ?
            QUALIFY row_number() OVER (PARTITION BY s.facility_code ORDER BY s.as_of DESC) = 1
        )
        SELECT t.township_code, coalesce(sum(s.nurses), 0) AS nurses, coalesce(sum(f.building_area_m2), 0) AS building_area
        FROM t
        LEFT JOIN facility f ON f.township_code = t.township_code AND operating_on(f.opened_on, f.closed_on, ?)
        LEFT JOIN staff s ON s.facility_code = f.facility_code
        GROUP BY t.township_code
    """, [*params, as_of, as_of]).df()
    frame = metrics.merge(extra, on="township_code", how="left")
    population = frame["population"].where(frame["population"] > 0)
    frame["residents_per_facility"] = population / frame["facilities"].where(frame["facilities"] > 0)
    frame["nurses_per_10k"] = frame["nurses"] * 10000 / population
    frame["area_per_resident"] = frame["building_area"] / population
    return frame


def township_ranking(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period,
                     indicator_code: str):
    """The township comparison's ranking: one indicator for every township of the area
    (`township_indicators`, each with `meets_target`), with the indicator's names, rate or count,
    target and the whole area's value (`overview.indicator_of_area`). None for an unknown code."""
    from warehouse.queries.overview import IndicatorRanking, indicator_of_area
    indicator = indicator_of_area(con, scope, area, period, indicator_code)
    if indicator is None:
        return None
    long = township_indicators(con, scope, area, period)
    return IndicatorRanking(indicator, long[long["indicator_code"] == indicator_code])


# Resources a planner may set against an outcome (columns of township_resources).
SCATTER_RESOURCES = ("gps_per_10k", "area_per_resident", "facilities_per_10k")


def resources_against_outcome(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period,
                              as_of: date, resource: str, indicator_code: str):
    """Per township: a resource (`SCATTER_RESOURCES`, from `township_resources` at the settings'
    radius) and an indicator's value for the period, with residents (the bubble size); the
    indicator's names and rate or count. None for an unknown resource or indicator."""
    from warehouse.queries.coverage import default_radius_m
    from warehouse.queries.overview import IndicatorRanking, indicator_of_area
    indicator = indicator_of_area(con, scope, area, period, indicator_code)
    if indicator is None or resource not in SCATTER_RESOURCES:
        return None
    resources = township_resources(con, scope, area, as_of, default_radius_m(con))
    long = township_indicators(con, scope, area, period)
    values = long[long["indicator_code"] == indicator_code][["township_code", "value"]]
    return IndicatorRanking(indicator, resources.merge(values, on="township_code"))


# The side-by-side table's resource rows, in order: (column of township_resources, is a count a
# planner may want per 10,000 residents, display kind).
SIDE_RESOURCES = (("population", False, "int"), ("facilities", True, "int"), ("residents_per_facility", False, "int"),
                  ("gps", True, "int"), ("nurses", True, "int"), ("covered_share", False, "pct"),
                  ("standardized_share", False, "pct"))


class SideBySide(NamedTuple):
    rows: pd.DataFrame          # key, source (resource | indicator), name_zh, name_en, kind, per10k, then a column per township
    townships: pd.DataFrame     # township_code, township_name, in the order asked


def side_by_side(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period, as_of: date,
                 radius_m: float, chosen: list[str], per10k: bool) -> SideBySide:
    """The chosen townships (at most MAX_COMPARED, unknown or out-of-scope ones dropped) next to
    each other: resources, then every indicator. With `per10k`, counts (facilities, staff, count
    indicators) are divided by the township's residents × 10,000, and such rows say so (`per10k`)."""
    chosen = list(dict.fromkeys(chosen))[:MAX_COMPARED]
    resources = township_resources(con, scope, area, as_of, radius_m)
    resources = resources[resources["township_code"].isin(chosen)].set_index("township_code")
    order = [c for c in chosen if c in resources.index]
    population = resources["population"].where(resources["population"] > 0)
    lines = []
    for key, countable, kind in SIDE_RESOURCES:
        values = resources[key].astype(float)
        scaled = per10k and countable
        if scaled:
            values = values * 10000 / population
        lines.append({"key": key, "source": "resource", "name_zh": None, "name_en": None,
                      "kind": "dec" if scaled else kind, "per10k": scaled, **values.reindex(order).to_dict()})
    indicators = township_indicators(con, scope, area, period)
    for code, part in indicators.groupby("indicator_code", sort=False):
        values = part[part["township_code"].isin(order)].set_index("township_code")["value"].astype(float)
        is_count = bool(part["is_count"].iloc[0])
        scaled = per10k and is_count
        if scaled:
            values = values * 10000 / population.reindex(values.index)
        lines.append({"key": code, "source": "indicator", "name_zh": part["indicator_zh"].iloc[0],
                      "name_en": part["indicator_en"].iloc[0], "kind": "dec" if scaled else "int" if is_count else "pct",
                      "per10k": scaled, **values.reindex(order).to_dict()})
    townships = resources.reindex(order)["township_name"].rename_axis("township_code").reset_index()
    return SideBySide(pd.DataFrame(lines), townships)


def township_series(con: duckdb.DuckDBPyConnection, scope: Scope, townships: list[str], months: int,
                    latest: date) -> pd.DataFrame:
    """Monthly Σnumerator/Σdenominator of every indicator for the chosen townships, over the last
    `months` months up to the latest loaded month."""
    condition, params = scope.sql("f.district_code")
    index = latest.year * 12 + latest.month - 1 - (months - 1)        # the first of the `months` months
    first = date(index // 12, index % 12 + 1, 1)
    return con.execute(f"""
        SELECT f.township_code, any_value(f.township_name) AS township_name, x.indicator_code, x.period,
               sum(x.numerator) AS numerator, sum(x.denominator) AS denominator,
               rate_value(sum(x.numerator), sum(x.denominator), bool_or(x.has_denominator)) AS value
        FROM facility_indicator_parts x JOIN v_facility f USING (facility_code)
        WHERE x.period_kind = 'month' AND x.period >= strftime(?::DATE, '%Y-%m')
          AND list_contains(?, f.township_code) AND {condition}
        GROUP BY f.township_code, x.indicator_code, x.period
        ORDER BY 1, 3, 4
    """, [first, list(townships), *params]).df()
