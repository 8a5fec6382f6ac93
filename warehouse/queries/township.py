"""Township profile (街道/乡镇档案): one street or town, as planners compare them.

Every function takes the caller's scope: a township outside it is treated as not existing. The
profile's figures are the other pages' own query functions asked for the township (coverage,
standardization, reporting, indicators); this module adds what only a profile asks: the
township's facts, its facilities with their state, each indicator's rank among its peers and
the findings still open.
"""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from warehouse.periods import Period
from warehouse.queries import comparison
from warehouse.queries.areas import CITY, Area, resolve_area
from warehouse.scope import Scope


def facts(con: duckdb.DuckDBPyConnection, scope: Scope, code: str) -> dict | None:
    """The township's name, level (street or town), district and residents, with its community
    and village points and their residents (the urban and rural residents of docs/domain.md
    section 6). None when the code is no township of the scope."""
    area = resolve_area(con, scope, code)
    if area is None or area.level != "township":
        return None
    condition, params = scope.sql("t.district_code")
    row = con.execute(f"""
        SELECT t.township_code, t.township_name, t.township_level, t.district_code, t.district_name, t.population,
               count(c.code) FILTER (WHERE c.level = 'community') AS communities,
               count(c.code) FILTER (WHERE c.level = 'village') AS villages,
               coalesce(sum(c.population) FILTER (WHERE c.level = 'community'), 0) AS urban_population,
               coalesce(sum(c.population) FILTER (WHERE c.level = 'village'), 0) AS rural_population
        FROM township t LEFT JOIN admin_unit c ON c.parent_code = t.township_code AND c.level IN ('community', 'village')
        WHERE t.township_code = ? AND {condition}
        GROUP BY ALL
    """, [code, *params]).fetchall()
    if not row:
        return None
    names = ("township_code", "township_name", "township_level", "district_code", "district_name", "population",
             "communities", "villages", "urban_population", "rural_population")
    return {**dict(zip(names, row[0])), "area": area}


def facilities(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, today: date) -> pd.DataFrame:
    """Every facility of the township in the registry, with its state today: operating, closed
    (its closing date passed) or planned (its opening date is after today)."""
    condition, params = scope.sql("f.district_code")
    return con.execute(f"""
        SELECT f.facility_code, f.name, f.type, f.ownership, f.opened_on, f.closed_on,
               CASE WHEN operating_on(f.opened_on, f.closed_on, ?) THEN 'operating'
                    WHEN f.opened_on > ? THEN 'planned' ELSE 'closed' END AS state
        FROM v_facility f
        WHERE f.township_code = ? AND {condition}
        ORDER BY CASE f.type WHEN 'CHC' THEN 1 WHEN 'THC' THEN 2 WHEN 'CHS' THEN 3 ELSE 4 END, f.facility_code
    """, [today, today, area.code, *params]).df()


def indicator_ranks(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period) -> pd.DataFrame:
    """Every indicator of the township for the period, judged as on the township scorecard
    (`comparison.township_indicators`: value, target, met, previous value), with its rank among
    the townships of its district and of the whole city (the scope's): 1 is the best value in
    the indicator's direction, ties share the better rank, townships without a value are not
    ranked, and watched indicators (no direction to be better in) are not ranked at all."""
    cells = comparison.township_indicators(con, scope, CITY, period)
    mine = cells[cells["township_code"] == area.code]
    if mine.empty:
        return mine.assign(district_rank=pd.Series(dtype="Int64"), district_of=pd.Series(dtype="Int64"),
                           city_rank=pd.Series(dtype="Int64"), city_of=pd.Series(dtype="Int64"))
    ranked = cells[cells["direction"] == "higher"].dropna(subset=["value"])
    district = ranked[ranked["district_code"] == area.district_code]

    def rank_in(peers: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        rank = peers.groupby("indicator_code")["value"].rank(method="min", ascending=False)
        of = peers.groupby("indicator_code")["value"].transform("size")
        here = peers["township_code"] == area.code
        return (rank[here].set_axis(peers.loc[here, "indicator_code"]).astype("Int64"),
                of[here].set_axis(peers.loc[here, "indicator_code"]).astype("Int64"))

    district_rank, district_of = rank_in(district)
    city_rank, city_of = rank_in(ranked)
    codes = mine["indicator_code"]
    return mine.assign(district_rank=codes.map(district_rank).astype("Int64").values,
                       district_of=codes.map(district_of).astype("Int64").values,
                       city_rank=codes.map(city_rank).astype("Int64").values,
                       city_of=codes.map(city_of).astype("Int64").values).reset_index(drop=True)


def scorecard_ranks(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period) -> dict:
    """The township's score and rank on the township scorecard (`comparison.township_scorecard`)
    among its district's townships and among the city's (the scope's); None where not scored."""
    result = {}
    for peers, name in ((resolve_area(con, scope, area.district_code), "district"), (CITY, "city")):
        _, townships = comparison.township_scorecard(con, scope, peers, period)
        row = townships[townships["township_code"] == area.code]
        result[name] = None if row.empty or pd.isna(row["rank"].iloc[0]) else {
            "rank": int(row["rank"].iloc[0]), "of": int(townships["rank"].notna().sum()),
            "score": float(row["score"].iloc[0])}
    return result


def open_findings(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, today: date) -> pd.DataFrame:
    """Rectifications still open in the township: inspection findings with a rectification
    deadline and no rectification date (docs/domain.md section 7), the overdue ones (deadline
    passed, as on the overview) first, with their days overdue (0 while the deadline is ahead)."""
    condition, params = scope.sql("f.district_code")
    return con.execute(f"""
        SELECT f.facility_code, f.name, f.type, i.visit_date, i.score, i.findings, i.rectify_by,
               i.rectify_by < ? AS overdue,
               greatest(datediff('day', i.rectify_by, ?::DATE), 0) AS days_overdue
        FROM inspection i JOIN v_facility f USING (facility_code)
        WHERE f.township_code = ? AND {condition} AND i.rectified_on IS NULL AND i.rectify_by IS NOT NULL
        ORDER BY overdue DESC, days_overdue DESC, i.rectify_by, f.facility_code
    """, [today, today, area.code, *params]).df()


def indicator_series(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, indicator: str) -> pd.DataFrame:
    """The township's monthly values of one indicator, with its district's value each month:
    Σnumerator / Σdenominator from the township rollup (township_indicator_parts_table), the rule
    of `v_area_indicator_value` (a test holds them equal), without summing every facility."""
    condition, params = scope.sql("t.district_code")
    return con.execute(f"""
        WITH me AS (SELECT * FROM township t WHERE t.township_code = ? AND {condition}),
        parts AS (
            SELECT x.period, x.township_code = (SELECT township_code FROM me) AS mine,
                   x.numerator, x.denominator, x.reporting
            FROM township_indicator_parts_table x JOIN township t USING (township_code)
            WHERE t.district_code = (SELECT district_code FROM me) AND x.period_kind = 'month'
              AND x.indicator_code = ?
        ), summed AS (
            SELECT period, sum(numerator) FILTER (WHERE mine) AS numerator,
                   sum(denominator) FILTER (WHERE mine) AS denominator,
                   sum(reporting) FILTER (WHERE mine) AS reporting, bool_or(mine) AS has_mine,
                   sum(numerator) AS district_numerator, sum(denominator) AS district_denominator
            FROM parts GROUP BY period
        )
        SELECT s.period, s.numerator, s.denominator,
               rate_value(s.numerator, s.denominator, i.denominator IS NOT NULL) AS value,
               area_target(g.target, i.denominator IS NOT NULL, s.reporting) AS target,
               rate_value(s.district_numerator, s.district_denominator, i.denominator IS NOT NULL) AS district_value,
               true AS received, false AS flagged
        FROM summed s
        JOIN indicator_registry i ON i.indicator_code = ?
        JOIN indicator_target g ON g.indicator_code = i.indicator_code AND g.period_kind = 'month'
        WHERE s.has_mine
        ORDER BY s.period
    """, [area.code, *params, indicator, indicator]).df()
