"""Standardization progress (标准化建设进度): milestones, who is behind, what each center lacks.

A CHC counts toward the milestone when the government provides its premises AND its equipment AND
it meets the standardization requirements (docs/domain.md section 3); the share is counted CHCs over
operating CHCs. "Now" is the data horizon: the end of the latest loaded month (or assessment).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from warehouse.cache import per_version
from warehouse.queries.areas import Area, setting
from warehouse.scope import Scope

PART = {"city": ("district_code", "district_name"), "district": ("township_code", "township_name"),
        "township": ("township_code", "township_name")}


def _chcs(scope: Scope, area: Area) -> tuple[str, list]:
    condition, params = scope.sql("district_code")
    return (f"SELECT * FROM v_facility WHERE type = 'CHC' AND in_area(township_code, district_code, ?) AND {condition}",
            [area.code, *params])


def horizon(con: duckdb.DuckDBPyConnection) -> date | None:
    value = con.execute("SELECT horizon_date FROM data_horizon").fetchall()[0][0]
    return value


def counted_on(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, day: date) -> pd.DataFrame:
    """Each operating CHC of the area on a day, with its parts, and whether it counts."""
    sql, params = _chcs(scope, area)
    return con.execute(f"""
        WITH latest AS (
            SELECT a.*, row_number() OVER (PARTITION BY a.facility_code ORDER BY a.assessed_on DESC) AS n
            FROM standardization_assessment a WHERE a.assessed_on <= ?
        )
        SELECT c.facility_code, c.name, c.township_code, c.township_name, c.district_code, c.district_name,
               coalesce(l.gov_premises AND l.gov_equipment AND l.standardized, false) AS counted,
               l.gov_premises, l.gov_equipment, l.standardized, l.quality_demo, l.assessed_on
        FROM ({sql}) c
        LEFT JOIN latest l ON l.facility_code = c.facility_code AND l.n = 1
        WHERE operating_on(c.opened_on, c.closed_on, ?)
        ORDER BY c.facility_code
    """, [day, *params, day]).df()


@per_version()
def milestones(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> pd.DataFrame:
    """Every milestone of the schedule: counted / operating CHCs at its year end (or now, for a
    year not over), the target, and how many more centers it needs."""
    now = horizon(con)
    rows = []
    for year, target in con.execute("SELECT year, target_share FROM milestone_schedule ORDER BY year").fetchall():
        year_end = date(year, 12, 31)
        rows.append(milestone_on(con, scope, area, year, target, min(year_end, now) if now else year_end))
    return pd.DataFrame(rows, columns=["year", "as_of", "over", "target_share", "counted", "total", "share", "met",
                                       "needed"])


def milestone_on(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, year: int, target: float,
                 day: date) -> dict:
    """A year's milestone as it stood on `day`: counted / operating CHCs, the target, whether it is
    met, how many more centers it needs, and `over`: the year had ended by then."""
    chcs = counted_on(con, scope, area, day)
    total, counted = len(chcs), int(chcs["counted"].sum()) if len(chcs) else 0
    share = counted / total if total else None
    return {"year": year, "as_of": day, "over": day >= date(year, 12, 31), "target_share": target,
            "counted": counted, "total": total, "share": share, "met": share is not None and share >= target - 1e-9,
            "needed": max(0, math.ceil(target * total - 1e-9) - counted) if total else 0}


def current_milestone(frame: pd.DataFrame, now: date | None) -> dict | None:
    """The first milestone whose year is not over yet, else the last one."""
    if frame.empty:
        return None
    open_years = frame[~frame["over"]]
    return (open_years.iloc[0] if not open_years.empty else frame.iloc[-1]).to_dict()


@dataclass(frozen=True)
class Projection:
    code: str
    name: str
    counted: int
    total: int
    counted_year_ago: int
    pace_per_year: float          # centers that became counted over the last 12 months (net)
    target_year: int
    target_share: float
    needed: int                   # more centers needed for that milestone
    reached_on: date | None       # when the pace reaches it; None: never at this pace
    deadline: date
    final_share: float
    final_needed: int
    final_reached_on: date | None
    final_deadline: date

    @property
    def quarters_late(self) -> int | None:
        return _quarters_between(self.deadline, self.reached_on)

    @property
    def final_quarters_late(self) -> int | None:
        return _quarters_between(self.final_deadline, self.final_reached_on)


def _quarters_between(deadline: date, reached: date | None) -> int | None:
    if reached is None:
        return None
    return ((reached.year - deadline.year) * 12 + reached.month - deadline.month) // 3 if reached > deadline else 0


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _reach(now: date, needed: int, pace_per_year: float) -> date | None:
    if needed <= 0:
        return now
    if pace_per_year <= 0:
        return None
    return _add_months(now, math.ceil(needed / pace_per_year * 12))


def projections(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> list[Projection]:
    """For each part of the area (districts of the city, townships of a district): at the pace
    of the last 12 months, when does it reach the next milestone and the final one?"""
    now = horizon(con)
    schedule = con.execute("SELECT year, target_share FROM milestone_schedule ORDER BY year").fetchall()
    if now is None or not schedule:
        return []
    upcoming = [(y, s) for y, s in schedule if date(y, 12, 31) >= now] or [schedule[-1]]
    (year, share), (final_year, final_share) = upcoming[0], schedule[-1]
    year_ago = _add_months(date(now.year - 1, now.month, 1), 1) - timedelta(days=1)   # that month end, a year before
    key, name = PART[area.level]
    current = counted_on(con, scope, area, now)
    before = counted_on(con, scope, area, year_ago)
    result = []
    for code, group in current.groupby(key, sort=True):
        total, counted = len(group), int(group["counted"].sum())
        earlier = int(before[before[key] == code]["counted"].sum())
        pace = float(counted - earlier)
        needed = max(0, math.ceil(share * total - 1e-9) - counted)
        final_needed = max(0, math.ceil(final_share * total - 1e-9) - counted)
        result.append(Projection(
            code, group[name].iloc[0], counted, total, earlier, pace, year, share, needed,
            _reach(now, needed, pace), date(year, 12, 31), final_share, final_needed,
            _reach(now, final_needed, pace), date(final_year, 12, 31)))
    return result


def comparison(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, target_share: float) -> pd.DataFrame:
    """Each part of the area now: counted vs operating CHCs, the share, and the centers still
    needed for the current milestone's target."""
    key, name = PART[area.level]
    current = counted_on(con, scope, area, horizon(con) or date.today())
    if current.empty:
        return pd.DataFrame(columns=["code", "name", "counted", "total", "share", "target_share", "needed"])
    parts = current.groupby(key).agg(name=(name, "first"), counted=("counted", "sum"), total=("counted", "size"))
    parts = parts.reset_index().rename(columns={key: "code"})
    parts["share"] = parts["counted"] / parts["total"]
    parts["target_share"] = target_share
    parts["needed"] = [max(0, math.ceil(target_share * t - 1e-9) - c) for c, t in zip(parts["counted"], parts["total"])]
    return parts.sort_values(["share", "code"]).reset_index(drop=True)


def current_status(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> dict | None:
    """The milestone the area is working towards now (`current_milestone` of `milestones` at the
    data horizon): year, target, counted, total, share, needed, `met` and `over`. None without
    milestones."""
    return current_milestone(milestones(con, scope, area), horizon(con))


def comparison_to_milestone(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> pd.DataFrame:
    """`comparison` against the current milestone's target (`current_milestone`): the
    standardization page's table of districts or townships."""
    current = current_status(con, scope, area)
    return comparison(con, scope, area, current["target_share"] if current else 0.0)


def gap_list(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> pd.DataFrame:
    """Every operating CHC not counted now, with exactly what it lacks: government premises,
    government equipment, standardization acceptance, building area below its standard, TCM
    physicians below their share (`tcm_norm`, settings standards.tcm_share_min), quality-service
    demonstration."""
    sql, params = _chcs(scope, area)
    now = horizon(con) or date.today()
    return con.execute(f"""
        WITH latest AS (
            SELECT a.*, row_number() OVER (PARTITION BY a.facility_code ORDER BY a.assessed_on DESC) AS n
            FROM standardization_assessment a WHERE a.assessed_on <= ?
        ), staff AS (
            SELECT s.*, row_number() OVER (PARTITION BY s.facility_code ORDER BY s.as_of DESC) AS n
            FROM staffing s WHERE s.as_of <= ?
        ), norms AS (
            SELECT setting_num('standards.chc_area_new_urban_m2') AS new_urban,
                   setting_num('standards.chc_area_old_town_m2') AS old_town,
                   setting_num('standards.tcm_share_min') AS tcm_min
        )
        SELECT c.facility_code, c.name, c.township_code, c.township_name, c.district_name, l.assessed_on,
               NOT coalesce(l.gov_premises, false) AS lacks_premises,
               NOT coalesce(l.gov_equipment, false) AS lacks_equipment,
               NOT coalesce(l.standardized, false) AS lacks_standardization,
               c.building_area_m2,
               CASE c.area_kind WHEN 'new_urban' THEN n.new_urban WHEN 'old_town' THEN n.old_town END AS area_standard,
               coalesce(c.building_area_m2 < CASE c.area_kind WHEN 'new_urban' THEN n.new_urban
                                                              WHEN 'old_town' THEN n.old_town END, false) AS lacks_area,
               s.tcm_physicians / nullif(s.physicians, 0) AS tcm_share,
               coalesce(s.tcm_physicians / nullif(s.physicians, 0) < n.tcm_min, false) AS lacks_tcm,
               NOT coalesce(l.quality_demo, false) AS lacks_quality_demo, n.tcm_min AS tcm_norm
        FROM ({sql}) c
        CROSS JOIN norms n
        LEFT JOIN latest l ON l.facility_code = c.facility_code AND l.n = 1
        LEFT JOIN staff s ON s.facility_code = c.facility_code AND s.n = 1
        WHERE operating_on(c.opened_on, c.closed_on, ?)
          AND NOT coalesce(l.gov_premises AND l.gov_equipment AND l.standardized, false)
        ORDER BY c.district_code, c.township_code, c.facility_code
    """, [now, now, *params, now]).df()


def star_distribution(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> pd.DataFrame:
    """Operating stations by star rating at each year end (and now), from their latest rating."""
    condition, params = scope.sql("f.district_code")
    now = horizon(con)
    if now is None:
        return pd.DataFrame(columns=["as_of", "star_rating", "stations"])
    return con.execute(f"""
        WITH days AS (
            SELECT DISTINCT least(make_date(year(assessed_on), 12, 31), ?::DATE) AS as_of
            FROM standardization_assessment WHERE star_rating IS NOT NULL
        ), rated AS (
            SELECT d.as_of, f.facility_code,
                   (SELECT a.star_rating FROM standardization_assessment a
                    WHERE a.facility_code = f.facility_code AND a.star_rating IS NOT NULL AND a.assessed_on <= d.as_of
                    ORDER BY a.assessed_on DESC LIMIT 1) AS star_rating
            FROM days d JOIN v_facility f ON f.type = 'CHS' AND operating_on(f.opened_on, f.closed_on, d.as_of)
            WHERE in_area(f.township_code, f.district_code, ?) AND {condition}
        )
        SELECT as_of, star_rating, count(*) AS stations FROM rated WHERE star_rating IS NOT NULL
        GROUP BY ALL ORDER BY as_of, star_rating
    """, [now, area.code, *params]).df()


def lost_stars(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> pd.DataFrame:
    """Stations whose rating went down from one assessment to the next (摘星)."""
    condition, params = scope.sql("f.district_code")
    return con.execute(f"""
        WITH rated AS (
            SELECT a.facility_code, a.assessed_on, a.star_rating,
                   lag(a.star_rating) OVER (PARTITION BY a.facility_code ORDER BY a.assessed_on) AS previous
            FROM standardization_assessment a WHERE a.star_rating IS NOT NULL
        )
        SELECT f.facility_code, f.name, f.township_code, f.township_name, f.district_name, r.assessed_on, r.previous,
               r.star_rating
        FROM rated r JOIN v_facility f USING (facility_code)
        WHERE r.star_rating < r.previous AND in_area(f.township_code, f.district_code, ?) AND {condition}
        ORDER BY r.assessed_on DESC, f.facility_code
    """, [area.code, *params]).df()


def quality_demo(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> dict:
    """CHCs at the quality-service demonstration standard now, over operating CHCs."""
    current = counted_on(con, scope, area, horizon(con) or date.today())
    total = len(current)
    demo = int(current["quality_demo"].fillna(False).astype(bool).sum()) if total else 0
    return {"demo": demo, "total": total, "share": demo / total if total else None}


def quality_demo_status(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> dict:
    """`quality_demo` with its target (settings standards.quality_demo_share) and `ok`: reached."""
    found = quality_demo(con, scope, area)
    target = float(setting(con, "standards.quality_demo_share"))
    return {**found, "target": target, "ok": (found["share"] or 0) >= target}


def lost_stars_status(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> dict:
    """How many ratings went down (`lost_stars`); `ok` only when none did."""
    lost = len(lost_stars(con, scope, area))
    return {"lost": lost, "ok": lost == 0}
