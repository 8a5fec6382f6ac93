"""Free analysis (数据分析): any indicators × any areas of one level × any periods of one kind, as
the long frame the page pivots. Every value is a cell of `v_area_indicator_value`, read as it is:
nothing here sums or divides again.

Periods are fixed (chosen) or relative to the data horizon, the latest loaded month
(`relative_periods`, a pure function): "last N" are the N latest complete periods, "this year"
runs from January to the horizon's month or quarter (the last one may be partial).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import duckdb
import pandas as pd

from warehouse.cache import per_version
from warehouse.periods import Period, latest_complete, period_containing
from warehouse.scope import Scope

# A request for more values than this is refused before anything is read: a grid or chart of
# more cells is unreadable, and the export of the whole warehouse is not this page's job.
MAX_CELLS = 5000
LEVELS = ("township", "district", "city")
RELATIVE = ("last_12_months", "last_4_quarters", "this_year_months", "this_year_quarters", "last_3_years")


def _ending_at(last: Period, count: int) -> list[str]:
    """`count` periods of `last`'s kind ending with it, oldest first."""
    found = [last]
    while len(found) < count:
        found.append(found[-1].previous())
    return [p.label for p in reversed(found)]


def relative_periods(name: str, latest_month: date) -> tuple[str, list[str]]:
    """A relative period's kind and labels, oldest first, at a data horizon (the latest loaded
    month): last_12_months: the 12 months up to the horizon's; last_4_quarters and last_3_years:
    the 4 quarters (3 years) up to the latest complete one; this_year_months / _quarters: January
    (Q1) of the horizon's year up to the horizon's month (quarter). KeyError for another name."""
    if name == "last_12_months":
        return "month", _ending_at(period_containing(latest_month, "month"), 12)
    if name == "last_4_quarters":
        return "quarter", _ending_at(latest_complete(latest_month, "quarter"), 4)
    if name == "last_3_years":
        return "year", _ending_at(latest_complete(latest_month, "year"), 3)
    if name == "this_year_months":
        return "month", _ending_at(period_containing(latest_month, "month"), latest_month.month)
    if name == "this_year_quarters":
        return "quarter", _ending_at(period_containing(latest_month, "quarter"), (latest_month.month - 1) // 3 + 1)
    raise KeyError(name)


@dataclass(frozen=True)
class Selection:
    """What the page asks for (already read from the URL or the controls; hashable for the cache)."""
    indicators: tuple[str, ...]
    level: str                      # township | district | city
    areas: tuple[str, ...]          # codes of that level; empty: every one the scope allows
    period_kind: str                # month | quarter | year
    periods: tuple[str, ...]        # labels of that kind ('2026-10', '2026Q3', '2026')


# the long frame `values` returns
COLUMNS = ["indicator_code", "indicator_zh", "indicator_en", "is_rate", "area_code", "area_name", "area_level",
           "period_kind", "period", "numerator", "denominator", "value", "target", "meets_target"]


class Answer(NamedTuple):
    values: pd.DataFrame    # the long frame: one row per cell the view holds (a missing cell has no row)
    cells: int              # indicators × areas × periods asked for
    refused: bool           # more than MAX_CELLS: nothing was read


# The areas of every level with their district, for the scope's condition. The city is one area
# ('all', as the view names it) and covers every district: only a caller who sees them all has it.
AREAS = """
    SELECT township_code AS area_code, township_name AS area_name, 'township' AS area_level, district_code
    FROM township
    UNION ALL
    SELECT DISTINCT district_code, district_name, 'district', district_code FROM township
    WHERE district_code IS NOT NULL
    UNION ALL
    SELECT 'all', NULL, 'city', NULL
"""


@per_version()
def area_choices(con: duckdb.DuckDBPyConnection, scope: Scope, level: str) -> pd.DataFrame:
    """The areas of a level the scope allows (area_code, area_name, district_code), in code order."""
    condition, params = scope.sql("district_code")
    return con.execute(f"""
        SELECT area_code, area_name, district_code FROM ({AREAS})
        WHERE area_level = ? AND {condition}
        ORDER BY area_code
    """, [level, *params]).df()


def values(con: duckdb.DuckDBPyConnection, scope: Scope, selection: Selection) -> Answer:
    """Each chosen indicator for each chosen area the scope allows (all of the level when none is
    chosen; others are left out, never shown) and each chosen period: indicator_code, its names,
    is_rate, area_code, area_name, area_level, period_kind, period, numerator, denominator, value,
    target, meets_target, straight from `v_area_indicator_value`. Refused (no rows) above MAX_CELLS."""
    allowed = area_choices(con, scope, selection.level)
    chosen = set(selection.areas)
    codes = tuple(c for c in allowed["area_code"] if not chosen or c in chosen)
    cells = len(selection.indicators) * len(codes) * len(selection.periods)
    if cells > MAX_CELLS:
        return Answer(pd.DataFrame(columns=COLUMNS), cells, True)
    return Answer(_cells(con, scope, selection, codes), cells, False)


@per_version()
def _cells(con: duckdb.DuckDBPyConnection, scope: Scope, selection: Selection, codes: tuple[str, ...]) -> pd.DataFrame:
    condition, params = scope.sql("a.district_code")
    return con.execute(f"""
        SELECT v.indicator_code, i.name_zh AS indicator_zh, i.name_en AS indicator_en,
               i.denominator IS NOT NULL AS is_rate, v.area_code, a.area_name, v.area_level, v.period_kind,
               v.period, v.numerator, v.denominator, v.value, v.target, v.meets_target
        FROM v_area_indicator_value v
        JOIN indicator_registry i USING (indicator_code)
        JOIN ({AREAS}) a ON a.area_code = v.area_code AND a.area_level = v.area_level
        WHERE v.area_level = ? AND v.period_kind = ? AND list_contains(?::VARCHAR[], v.period)
          AND list_contains(?::VARCHAR[], v.indicator_code) AND list_contains(?::VARCHAR[], v.area_code)
          AND {condition}
        ORDER BY i.sort_order, v.area_code, v.period
    """, [selection.level, selection.period_kind, list(selection.periods), list(selection.indicators), list(codes),
          *params]).df()


class TownshipMap(NamedTuple):
    answer: Answer
    boundaries: dict        # GeoJSON of the answer's townships (feature id = township code)


def township_map(con: duckdb.DuckDBPyConnection, scope: Scope, selection: Selection) -> TownshipMap:
    """`values` of a township selection and the outlines of its townships (the coverage map's,
    simplified for display)."""
    from warehouse.queries.areas import CITY
    from warehouse.queries.coverage import boundaries
    answer = values(con, scope, selection)
    shown = set(answer.values["area_code"]) if not answer.refused and len(answer.values) else set()
    outlines = boundaries(con, scope, CITY)
    return TownshipMap(answer, {**outlines, "features": [f for f in outlines["features"] if f["id"] in shown]})
