"""The monthly bulletin (月度通报): every figure it states, for an area and a month or quarter.

Each figure comes from the same query the pages use (the overview's tiles, the standardization
milestone and projections, the data-quality reports, the supervision's overdue rectifications),
so a number in the bulletin equals the one on screen for the same area and period. What only the
bulletin has is the ranking of facilities: the township scorecard's rule (`comparison.scorecard`,
settings `comparison.*`) applied to each facility instead of each township, with the previous
period's ranks for the change, the best and the worst `bulletin.praise_count`/`name_count`, and
the facilities in the worst of the ranking for `bulletin.consecutive_periods` periods running.
docs/bulletin.md states every rule."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from warehouse.cache import per_version
from warehouse.periods import Period
from warehouse.queries import comparison, overview
from warehouse.queries.areas import Area, setting
from warehouse.scope import Scope

# Facility types a bulletin ranks: the centers, and the stations when `bulletin.rank_stations`.
CENTERS = ("CHC", "THC")
STATIONS = ("CHS",)


def ranked_types(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    return CENTERS + (STATIONS if setting(con, "bulletin.rank_stations") else ())


def facility_indicators(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period,
                        types: tuple[str, ...]) -> pd.DataFrame:
    """One row per facility × indicator, judged as the township scorecard's cells
    (`comparison.judged_cells_sql`), for the operating facilities of the given types at the
    period's end. A count's target is the facility's own (reported: 1, else 0)."""
    sql, params = overview._facilities(scope, area)
    previous = period.previous()
    return con.execute(f"""
        WITH units AS (
            SELECT * FROM ({sql}) f
            WHERE f.type IN (SELECT unnest(?::VARCHAR[])) AND operating_on(f.opened_on, f.closed_on, ?)
        ),
        parts AS (
            SELECT x.facility_code, x.indicator_code, x.period, x.numerator, x.denominator
            FROM facility_indicator_parts x
            WHERE x.period_kind = ? AND x.period IN (?, ?) AND x.facility_code IN (SELECT facility_code FROM units)
        )
        SELECT u.facility_code, u.name, u.type, u.township_name, u.district_code, u.district_name,
               {comparison.judged_cells_sql("facility_code", "CASE WHEN cur.numerator IS NULL THEN 0 ELSE 1 END")}
        ORDER BY u.district_code, u.township_code, u.facility_code, i.sort_order
    """, [*params, list(types), period.end, period.kind, period.label, previous.label, period.kind,
          period.label, previous.label]).df()


def facility_ranking(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period,
                     types: tuple[str, ...], reasons: bool = True) -> pd.DataFrame:
    """The facilities ranked by the township scorecard's rule (`comparison.scorecard` by facility):
    name, type, township, score, rank (1 = best), indicators met of those judged, and, with
    `reasons`, the indicators below their target (names, worst first; the earlier periods of a
    bulletin need only the ranks)."""
    cells = facility_indicators(con, scope, area, period, types)
    if cells.empty:
        return pd.DataFrame(columns=["facility_code", "name", "type", "township_name", "score", "rank", "met",
                                     "judged", "below_zh", "below_en"])
    judged, totals = comparison.scorecard(cells, setting(con, "comparison.amber_points"),
                                          setting(con, "comparison.steady_points"), comparison.weights_setting(con),
                                          comparison.score_method(con), key="facility_code")
    who = cells.drop_duplicates("facility_code")[["facility_code", "name", "type", "township_name", "district_name"]]
    if not reasons:
        return who.merge(totals, on="facility_code", how="inner").sort_values(["rank", "facility_code"]) \
            .reset_index(drop=True)
    below = judged[judged["state"].isin(["near", "far"])].assign(
        short=lambda f: (f["target"] - f["value"]) / f["target"].where(f["is_count"].astype(bool), 1.0))
    below = below.sort_values(["facility_code", "short"], ascending=[True, False])
    names = below.groupby("facility_code").agg(below_zh=("indicator_zh", list), below_en=("indicator_en", list))
    frame = who.merge(totals, on="facility_code", how="inner").merge(names, on="facility_code", how="left")
    for column in ("below_zh", "below_en"):
        frame[column] = frame[column].map(lambda v: v if isinstance(v, list) else [])
    return frame.sort_values(["rank", "facility_code"]).reset_index(drop=True)


@dataclass
class BulletinFacts:
    """Everything a bulletin states, as numbers and lists (the document words them)."""
    area: Area
    period: Period
    as_of: date                                   # the data horizon the figures stand at
    facilities: dict                              # operating facilities by type at the period's end
    reporting: dict                               # `reporting` of the period's months
    indicators: dict                              # overview.indicators_met
    milestone: dict | None                        # overview.milestone_for_period
    projections: list = field(default_factory=list)   # standardization.projections
    circle: dict | None = None                    # overview.service_circle
    overdue: pd.DataFrame | None = None           # overview.overdue_rectifications
    missing: pd.DataFrame | None = None           # reports of the period not received (`reports_not_on_time`)
    late: pd.DataFrame | None = None              # reports of the period received after the deadline
    ranking: pd.DataFrame | None = None           # facility_ranking, with `previous_rank` and `change`
    praised: pd.DataFrame | None = None           # the best bulletin.praise_count
    named: pd.DataFrame | None = None             # the worst bulletin.name_count
    lagging: pd.DataFrame | None = None           # among the worst for bulletin.consecutive_periods running
    falling: list = field(default_factory=list)   # indicators of the area falling bulletin.falling_months running
    indicator_values: list = field(default_factory=list)  # overview.area_indicator_values, with is_count
    types: tuple = CENTERS


def reporting(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period) -> dict:
    """Reports of the period's months: expected, received, on time, completeness and timeliness
    with their targets, as the data-quality page's rates (`quality.reporting_rates`, its district
    rows summed for the area)."""
    from warehouse.queries.quality import reporting_rates
    first, last = period.start.strftime("%Y-%m"), period.end.strftime("%Y-%m")
    rates = reporting_rates(con, scope, area, first, last)
    districts = rates[rates["level"] == "district"]
    expected, received, timely = (int(districts[c].sum()) for c in ("expected", "received", "timely"))
    return {"first": first, "last": last, "expected": expected, "received": received, "timely": timely,
            "completeness": received / expected if expected else None,
            "timeliness": timely / expected if expected else None,
            "completeness_target": float(setting(con, "reporting.completeness_target")),
            "timeliness_target": float(setting(con, "reporting.timeliness_target"))}


def reports_not_on_time(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period,
                        received: bool) -> pd.DataFrame:
    """Facilities whose report of a month of the period is missing (`received` False) or came
    after the deadline (True), each with those months (MM, in order)."""
    sql, params = overview._facilities(scope, area)
    return con.execute(f"""
        SELECT f.facility_code, f.name, f.type, f.township_name, f.district_name,
               list(s.period ORDER BY s.period) AS months
        FROM v_submission_status s JOIN ({sql}) f USING (facility_code)
        WHERE s.period BETWEEN ? AND ? AND s.received = ? AND NOT s.timely
        GROUP BY ALL ORDER BY any_value(f.district_code), any_value(f.township_code), f.facility_code
    """, [*params, period.start.strftime("%Y-%m"), period.end.strftime("%Y-%m"), received]).df()


def falling_indicators(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, month: Period,
                       months: int = 3) -> list[dict]:
    """The area's indicators whose monthly value fell in each of the last `months` months (so
    `months` + 1 values, each below the one before, in the indicator's direction)."""
    counts = _count_indicators(con)
    values = []
    current = month
    for _ in range(months + 1):
        values.append(overview.area_indicator_values(con, scope, area, current)[
            ["indicator_code", "name_zh", "name_en", "direction", "value"]].set_index("indicator_code"))
        current = current.previous()
    falling = []
    for code, row in values[0].iterrows():
        series = [frame.loc[code, "value"] if code in frame.index else None for frame in values]
        if any(v is None or pd.isna(v) for v in series) or row["direction"] == "watch":
            continue
        sign = -1 if row["direction"] == "lower" else 1
        if all(sign * (series[n] - series[n + 1]) < 0 for n in range(months)):
            falling.append({"indicator_code": code, "name_zh": row["name_zh"], "name_en": row["name_en"],
                            "from": float(series[-1]), "to": float(series[0]), "is_count": code in counts})
    return falling


def _count_indicators(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {code for (code,) in con.execute(
        "SELECT indicator_code FROM indicator_registry WHERE denominator IS NULL").fetchall()}


def indicator_values(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period) -> list[dict]:
    """The area's indicators (`overview.area_indicator_values`, the overview's table) as plain values."""
    counts = _count_indicators(con)
    frame = overview.area_indicator_values(con, scope, area, period)
    clean = lambda v: None if v is None or pd.isna(v) else v          # noqa: E731
    return [{"indicator_code": r.indicator_code, "name_zh": r.name_zh, "name_en": r.name_en,
             "value": clean(r.value), "target": clean(r.target),
             "meets_target": None if pd.isna(r.meets_target) else bool(r.meets_target),
             "is_count": r.indicator_code in counts} for r in frame.itertuples()]


@per_version(maxsize=16)
def facts(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, period: Period, today: date) -> BulletinFacts:
    """The bulletin of an area for a month or a quarter, as of `today` for rectifications. Ranks
    change against the same kind of period before; falling indicators end at its last month.
    Kept per version (the page previews it, then makes it): the object is shared, never changed."""
    from warehouse.periods import parse_period
    from warehouse.queries.standardization import horizon, projections
    types = ranked_types(con)
    name_count = int(setting(con, "bulletin.name_count"))
    praise_count = int(setting(con, "bulletin.praise_count"))
    # this period and the ones before it, as many as bulletin.consecutive_periods (the one before
    # at least: the change of rank)
    consecutive = max(int(setting(con, "bulletin.consecutive_periods")), 1)
    rankings = [facility_ranking(con, scope, area, period, types)]
    earlier = period
    for _ in range(max(consecutive, 2) - 1):
        earlier = earlier.previous()
        rankings.append(facility_ranking(con, scope, area, earlier, types, reasons=False))
    ranking = rankings[0].merge(rankings[1][["facility_code", "rank"]].rename(columns={"rank": "previous_rank"}),
                                on="facility_code", how="left")
    ranking["change"] = ranking["previous_rank"] - ranking["rank"]      # + climbed, − fell
    worst = _worst(ranking, name_count)
    lagging = set(worst).intersection(*(_worst(older, name_count) for older in rankings[1:consecutive]))
    now = horizon(con)
    return BulletinFacts(
        area=area, period=period, as_of=min(period.end, now) if now else period.end,
        facilities=overview.facility_counts(con, scope, area, period.end).set_index("type")["operating"].to_dict(),
        reporting=reporting(con, scope, area, period),
        indicators=overview.indicators_met(con, scope, area, period),
        milestone=overview.milestone_for_period(con, scope, area, period),
        projections=projections(con, scope, area), circle=overview.service_circle(con, scope, area),
        overdue=overview.overdue_rectifications(con, scope, area, today),
        missing=reports_not_on_time(con, scope, area, period, received=False),
        late=reports_not_on_time(con, scope, area, period, received=True),
        ranking=ranking, praised=ranking[ranking["rank"] <= praise_count],
        named=ranking[ranking["facility_code"].isin(worst)],
        lagging=ranking[ranking["facility_code"].isin(lagging)],
        falling=falling_indicators(con, scope, area, parse_period(period.end.strftime("%Y-%m")),
                                   int(setting(con, "bulletin.falling_months"))),
        indicator_values=indicator_values(con, scope, area, period), types=types)


def _worst(ranking: pd.DataFrame, count: int) -> list[str]:
    """The facilities ranked in the last `count` places (ties at the boundary included)."""
    if ranking.empty:
        return []
    ranks = ranking["rank"].astype(int)
    cut = sorted(ranks, reverse=True)[min(count, len(ranks)) - 1]
    return list(ranking.loc[ranks >= cut, "facility_code"])
