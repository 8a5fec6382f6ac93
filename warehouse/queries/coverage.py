"""Coverage map (覆盖地图): the 15-minute service circle, township metrics and next-site suggestions."""
from __future__ import annotations

import heapq
import json
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from warehouse.cache import per_version
from warehouse.geometry import (
    DEFAULT_RADIUS_M,
    DISPLAY_TOLERANCE_DEGREES,
    MAX_RADIUS_M,
    OVERVIEW_TOLERANCE_DEGREES,
    simplify_geometry,
)
from warehouse.queries.areas import Area, setting
from warehouse.scope import Scope


def _radius(radius_m: float) -> float:
    """community_facility_distance (views.sql) holds the distances up to MAX_RADIUS_M: a larger
    radius asked for is read as that."""
    return min(float(radius_m), MAX_RADIUS_M)


@per_version()
def communities(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, radius_m: float) -> pd.DataFrame:
    """Each community/village point of the area: population, urban or rural, covered or not."""
    radius_m = _radius(radius_m)
    condition, params = scope.sql("t.district_code")
    return con.execute(f"""
        SELECT c.code, c.name, c.level, c.township_code, t.township_name, t.district_code, t.district_name,
               c.population, c.lon, c.lat, c.urban, c.covered, c.nearest_m
        FROM community_coverage(?) c JOIN township t USING (township_code)
        WHERE in_area(t.township_code, t.district_code, ?) AND {condition}
        ORDER BY c.code
    """, [radius_m, area.code, *params]).df()


@per_version()
def coverage_table(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, radius_m: float) -> pd.DataFrame:
    """Covered residents of the area and of each of its parts, urban and rural apart."""
    radius_m = _radius(radius_m)
    condition, params = scope.sql("t.district_code")
    part, part_name = {"city": ("district_code", "district_name"), "district": ("township_code", "township_name"),
                       "township": ("township_code", "township_name")}[area.level]
    return con.execute(f"""
        WITH c AS (
            SELECT c.*, t.district_code, t.district_name, t.township_name
            FROM community_coverage(?) c JOIN township t USING (township_code)
            WHERE in_area(t.township_code, t.district_code, ?) AND {condition}
        ), parts AS (
            SELECT {part} AS code, {part_name} AS name, 1 AS sort_order,
                   population, covered, urban FROM c
            UNION ALL
            SELECT ? AS code, ? AS name, 0, population, covered, urban FROM c
        )
        SELECT code, any_value(name) AS name, min(sort_order) = 0 AS is_total,
               sum(population) AS population,
               coalesce(sum(population) FILTER (WHERE covered), 0) AS covered_population,
               coalesce(sum(population) FILTER (WHERE covered), 0) / nullif(sum(population), 0) AS covered_share,
               coalesce(sum(population) FILTER (WHERE urban), 0) AS urban_population,
               coalesce(sum(population) FILTER (WHERE urban AND covered), 0)
                   / nullif(sum(population) FILTER (WHERE urban), 0) AS urban_share,
               coalesce(sum(population) FILTER (WHERE NOT urban), 0) AS rural_population,
               coalesce(sum(population) FILTER (WHERE NOT urban AND covered), 0)
                   / nullif(sum(population) FILTER (WHERE NOT urban), 0) AS rural_share,
               count(*) FILTER (WHERE NOT covered) AS uncovered_communities
        FROM parts GROUP BY code, sort_order = 0
        ORDER BY min(sort_order), code
    """, [radius_m, area.code, *params, area.code, area.name]).df()


def default_radius_m(con: duckdb.DuckDBPyConnection) -> float:
    """The service circle's radius of the settings (coverage.radius_m)."""
    return float(setting(con, "coverage.radius_m") or DEFAULT_RADIUS_M)


def circle_status(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, radius_m: float) -> dict | None:
    """The area's covered residents at the radius, as its tiles state them: the total row of
    `coverage_table` (shares, residents, uncovered communities), the urban and the rural share
    each with its target (settings coverage.urban_target, rural_target; None where the area has
    no such residents: nothing to judge there), `urban_ok`/`rural_ok` (None: not judged), and
    `ok`: every part judged meets its target.
    None when the area has no resident points."""
    table = coverage_table(con, scope, area, radius_m)
    if table.empty:
        return None
    total = table[table["is_total"]].iloc[0]
    parts, judged = {}, {}
    for part in ("urban", "rural"):
        share = total[f"{part}_share"]
        parts[part] = None if pd.isna(share) else {"share": float(share),
                                                   "target": float(setting(con, f"coverage.{part}_target"))}
        judged[f"{part}_ok"] = None if parts[part] is None else parts[part]["share"] >= parts[part]["target"]
    return {"radius_m": _radius(radius_m), "share": total["covered_share"], "population": int(total["population"]),
            "covered_population": int(total["covered_population"]),
            "uncovered_communities": int(total["uncovered_communities"]), **parts, **judged,
            "ok": all(ok for ok in judged.values() if ok is not None)}


def neediest_district(con: duckdb.DuckDBPyConnection, scope: Scope, radius_m: float) -> str | None:
    """The district of the scope with the most residents outside the circle at the radius (ties:
    the lower code): where site suggestions start when the whole city is shown."""
    from warehouse.queries.areas import CITY
    table = coverage_table(con, scope, CITY, radius_m)
    parts = table[~table["is_total"]].assign(uncovered=lambda f: f["population"] - f["covered_population"])
    best = parts.sort_values(["uncovered", "code"], ascending=[False, True])["code"].head(1).tolist()
    return best[0] if best else None


@per_version()
def township_metrics(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, radius_m: float,
                     as_of: date) -> pd.DataFrame:
    """What the choropleth can show per township: covered share, facilities and GPs per 10,000
    residents, residents per CHC/THC, share of CHCs/THCs counted as standardized."""
    radius_m = _radius(radius_m)
    condition, params = scope.sql("t.district_code")
    return con.execute(f"""
        WITH t AS (
            SELECT * FROM township t WHERE in_area(t.township_code, t.district_code, ?) AND {condition}
        ), cov AS (
            SELECT township_code, sum(population) AS grid_population,
                   coalesce(sum(population) FILTER (WHERE covered), 0) AS covered_population,
                   count(*) FILTER (WHERE NOT covered) AS uncovered_communities,
                   avg(lon) AS lon, avg(lat) AS lat     -- where a township without a boundary is drawn
            FROM community_coverage(?) GROUP BY township_code
        ), fac AS (
            SELECT f.township_code, count(*) AS facilities,
                   count(*) FILTER (WHERE f.type IN ('CHC', 'THC')) AS centers
            FROM facility f WHERE operating_on(f.opened_on, f.closed_on, ?) GROUP BY f.township_code
        ), gps AS (
            SELECT f.township_code, sum(s.gps) AS gps FROM facility f
            JOIN (SELECT * FROM staffing
                  QUALIFY row_number() OVER (PARTITION BY facility_code ORDER BY as_of DESC) = 1) s
              USING (facility_code)
            WHERE operating_on(f.opened_on, f.closed_on, ?) GROUP BY f.township_code
        ), std AS (
            -- each centre's latest assessment: its state at the data horizon, which is never before
            -- an assessment (v_standardization_status at its last month end, without building
            -- every facility's months first: 0.7 s → 0.02 s at 10 × the province)
            SELECT f.township_code, count(*) AS assessed_centers,
                   count(*) FILTER (WHERE s.gov_premises AND s.gov_equipment AND s.standardized) AS standardized_centers
            FROM facility f JOIN (SELECT * FROM standardization_assessment
                                  QUALIFY row_number() OVER (PARTITION BY facility_code ORDER BY assessed_on DESC) = 1) s
              USING (facility_code)
            WHERE f.type IN ('CHC', 'THC') AND operating_on(f.opened_on, f.closed_on, ?)
            GROUP BY f.township_code
        )
        SELECT t.township_code, t.township_name, t.township_level, t.district_code, t.district_name,
               t.population, coalesce(cov.covered_population, 0) AS covered_population,
               cov.covered_population / nullif(cov.grid_population, 0) AS covered_share,
               coalesce(cov.uncovered_communities, 0) AS uncovered_communities, cov.lon, cov.lat,
               coalesce(fac.facilities, 0) AS facilities,
               coalesce(fac.facilities, 0) * 10000.0 / nullif(t.population, 0) AS facilities_per_10k,
               coalesce(fac.centers, 0) AS centers,
               t.population / nullif(fac.centers, 0) AS residents_per_center,
               coalesce(gps.gps, 0) AS gps,
               coalesce(gps.gps, 0) * 10000.0 / nullif(t.population, 0) AS gps_per_10k,
               coalesce(std.standardized_centers, 0) AS standardized_centers,
               std.standardized_centers / nullif(fac.centers, 0) AS standardized_share
        FROM t
        LEFT JOIN cov USING (township_code)
        LEFT JOIN fac USING (township_code)
        LEFT JOIN gps USING (township_code)
        LEFT JOIN std USING (township_code)
        ORDER BY t.township_code
    """, [area.code, *params, radius_m, as_of, as_of, as_of]).df()


def has_boundaries(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area) -> bool:
    """Whether the area has any township boundary (then the map has its choropleth)."""
    condition, params = scope.sql("t.district_code")
    return con.execute(f"""
        SELECT count(*) > 0 FROM township_boundary b JOIN township t ON t.township_code = b.code
        WHERE in_area(t.township_code, t.district_code, ?) AND {condition}
    """, [area.code, *params]).fetchall()[0][0]


@dataclass(frozen=True)
class MapLayers:
    """What the coverage map draws for an area. Past `map.max_points` facilities and uncovered
    points the map is drawn by township only (their counts are in `metrics`, shown on hover; a
    township without a boundary as a point at its communities' mean position) with coarser
    outlines, so a province's or the country's map stays light: `facilities` and `uncovered` are
    then None."""
    boundaries: dict
    metrics: pd.DataFrame
    facilities: pd.DataFrame | None
    uncovered: pd.DataFrame | None
    max_points: int

    @property
    def by_township(self) -> bool:
        return self.facilities is None


def map_layers(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, radius_m: float,
               as_of: date) -> MapLayers:
    """The coverage map's layers at the level of detail its size allows (`MapLayers`)."""
    metrics = township_metrics(con, scope, area, radius_m, as_of)
    max_points = int(setting(con, "map.max_points"))
    points = int(metrics["facilities"].sum() + metrics["uncovered_communities"].sum()) if not metrics.empty else 0
    if points > max_points:
        return MapLayers(boundaries(con, scope, area, OVERVIEW_TOLERANCE_DEGREES), metrics, None, None, max_points)
    nearby = communities(con, scope, area, radius_m)
    return MapLayers(boundaries(con, scope, area), metrics, facility_points(con, scope, area, as_of),
                     nearby[~nearby["covered"]], max_points)


@per_version()
def boundaries(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area,
               tolerance: float = DISPLAY_TOLERANCE_DEGREES) -> dict:
    """The area's township boundaries as a GeoJSON FeatureCollection (feature id = township code),
    simplified for display (warehouse.geometry) within `tolerance` degrees."""
    condition, params = scope.sql("t.district_code")
    rows = con.execute(f"""
        SELECT b.code, b.geometry FROM township_boundary b JOIN township t ON t.township_code = b.code
        WHERE in_area(t.township_code, t.district_code, ?) AND {condition}
        ORDER BY b.code
    """, [area.code, *params]).fetchall()
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "id": code, "properties": {"code": code},
                          "geometry": simplify_geometry(json.loads(geometry), tolerance)} for code, geometry in rows]}


@per_version()
def facility_points(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, as_of: date) -> pd.DataFrame:
    """Operating facilities with their latest standardization state and star rating."""
    condition, params = scope.sql("f.district_code")
    return con.execute(f"""
        WITH latest AS (
            SELECT * FROM standardization_assessment
            QUALIFY row_number() OVER (PARTITION BY facility_code ORDER BY assessed_on DESC) = 1
        ), stars AS (
            SELECT facility_code, star_rating FROM standardization_assessment WHERE star_rating IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY facility_code ORDER BY assessed_on DESC) = 1
        )
        SELECT f.facility_code, f.name, f.type, f.ownership, f.township_name, f.district_name, f.lon, f.lat,
               l.gov_premises AND l.gov_equipment AND l.standardized AS standardized, l.assessed_on,
               s.star_rating
        FROM v_facility f
        LEFT JOIN latest l USING (facility_code)
        LEFT JOIN stars s USING (facility_code)
        WHERE in_area(f.township_code, f.district_code, ?) AND {condition}
          AND operating_on(f.opened_on, f.closed_on, ?) AND f.lon IS NOT NULL
        ORDER BY f.facility_code
    """, [area.code, *params, as_of]).df()


# -- site planning (docs/domain.md §6, "Planning new sites") ---------------------------------------

AREA_KINDS = ("all", "urban", "rural")          # whose coverage a plan raises
SITE_CANDIDATES = ("points", "clinics", "file")  # where its sites may be (file: a planner's named list)
MAX_SITES = 20

# The points each area kind counts: urban residents live at community points, rural at villages.
_KIND_LEVELS = {"all": ["community", "village"], "urban": ["community"], "rural": ["village"]}

_SITE_COLUMNS = ["rank", "code", "name", "township_name", "lon", "lat", "residents_gained", "communities_gained",
                 "cumulative_gained", "urban_share", "rural_share"]


def _greedy_order(reach: dict[str, list[str]], weight: dict[str, int]):
    """Greedy maximum coverage: yields (site, points it newly covers), each pick the site whose
    points not yet covered weigh the most (ties: the lower code), until no site adds weight.
    A site's gain only shrinks as others cover its points, so it is recounted only when it comes
    to the top of the heap (lazy greedy): a stale gain goes back in, a current one is the largest."""
    covered: set[str] = set()
    heap = [(-sum(weight[p] for p in points), site) for site, points in reach.items()]
    heapq.heapify(heap)
    while heap:
        listed, site = heapq.heappop(heap)
        gain = sum(weight[p] for p in reach[site] if p not in covered)
        if gain <= 0:
            continue
        if gain != -listed:
            heapq.heappush(heap, (-gain, site))
            continue
        newly = [p for p in reach[site] if p not in covered]
        covered.update(newly)
        yield site, newly


@per_version(maxsize=32)
def _site_plan_steps(con: duckdb.DuckDBPyConnection, scope: Scope, district_code: str, radius_m: float,
                     area_kind: str, candidates: str, named: tuple = ()) -> tuple[pd.DataFrame, tuple]:
    """Every greedy pick (`_SITE_COLUMNS`) until no candidate site covers one more resident of the
    kind, and the district's (urban residents, covered, rural residents, covered) before the plan.
    A pick's gain counts the kind's residents only, but its shares after count every point it
    covers: a station covers its neighbours whatever their kind."""
    if area_kind not in AREA_KINDS or candidates not in SITE_CANDIDATES:
        raise ValueError(f"unknown site plan option: {area_kind}, {candidates}")
    radius_m = _radius(radius_m)
    levels = _KIND_LEVELS[area_kind]
    condition, params = scope.sql("t.district_code")
    points = f"""pts AS (
            SELECT c.code, c.name, c.level, coalesce(c.population, 0) AS population, c.lon, c.lat, c.covered,
                   t.township_name
            FROM community_coverage(?) c JOIN township t USING (township_code)
            WHERE t.district_code = ? AND {condition}
        )"""
    points_params = [radius_m, district_code, *params]
    if candidates == "clinics":
        # an operating village clinic, upgraded to a station where it stands; operating today, as
        # community_coverage counts facilities
        clinic_condition, clinic_params = scope.sql("f.district_code")
        sites = f"""
            SELECT f.facility_code AS code, f.name, f.township_name, f.lon, f.lat FROM v_facility f
            WHERE f.district_code = ? AND {clinic_condition} AND f.type = 'VC'
              AND operating_on(f.opened_on, f.closed_on, current_date) AND f.lon IS NOT NULL AND f.lat IS NOT NULL"""
        sites_params = [district_code, *clinic_params]
    elif candidates == "file":
        # the planner's named sites (name, lon, lat; WGS-84), numbered in the list's order; each
        # named for the township of the district's nearest community or village
        sites = """
            SELECT n.code, n.name, arg_min(p.township_name, haversine_m(n.lon, n.lat, p.lon, p.lat)) AS township_name,
                   n.lon, n.lat
            FROM (SELECT printf('#%03d', generate_subscripts(?::VARCHAR[], 1)) AS code, unnest(?::VARCHAR[]) AS name,
                         unnest(?::DOUBLE[]) AS lon, unnest(?::DOUBLE[]) AS lat) n, pts p
            GROUP BY n.code, n.name, n.lon, n.lat"""
        names = [site[0] for site in named]
        sites_params = [names, names, [float(site[1]) for site in named], [float(site[2]) for site in named]]
    else:
        sites, sites_params = "SELECT code, name, township_name, lon, lat FROM pts WHERE list_contains(?, level)", [levels]
    # the lat/lon box keeps haversine_m to the pairs that can be within the radius: 110 km per
    # degree of latitude is less than the true 111 km, and a degree of longitude is measured at
    # a latitude 0.1° (11 km) further from the equator, where it is shorter: the box is never too small
    pairs = con.execute(f"""
        WITH {points}, sites AS ({sites})
        SELECT s.code AS site, s.name, s.township_name, s.lon, s.lat, p.code AS point, p.population, p.level
        FROM sites s JOIN pts p
          ON NOT p.covered
         AND p.lat BETWEEN s.lat - ? / 110000.0 AND s.lat + ? / 110000.0
         AND abs(p.lon - s.lon) <= ? / (110000.0 * cos(radians(least(89, abs(s.lat) + 0.1))))
         AND haversine_m(s.lon, s.lat, p.lon, p.lat) <= ?
        ORDER BY site, point
    """, [*points_params, *sites_params, radius_m, radius_m, radius_m, radius_m]).df()
    before = con.execute(f"""
        WITH {points}
        SELECT coalesce(sum(population) FILTER (WHERE level = 'community'), 0),
               coalesce(sum(population) FILTER (WHERE level = 'community' AND covered), 0),
               coalesce(sum(population) FILTER (WHERE level = 'village'), 0),
               coalesce(sum(population) FILTER (WHERE level = 'village' AND covered), 0)
        FROM pts
    """, points_params).fetchall()[0]
    population = dict(zip(pairs["point"], pairs["population"].astype(int)))
    urban = set(pairs.loc[pairs["level"] == "community", "point"])
    of_kind = set(pairs.loc[pairs["level"].isin(levels), "point"])
    weight = {p: population[p] if p in of_kind else 0 for p in population}
    reach = {site: group["point"].tolist() for site, group in pairs.groupby("site", sort=True)}
    urban_population, urban_covered, rural_population, rural_covered = map(int, before)
    rows = []
    for rank, (site, newly) in enumerate(_greedy_order(reach, weight), start=1):
        urban_covered += sum(population[p] for p in newly if p in urban)
        rural_covered += sum(population[p] for p in newly if p not in urban)
        rows.append({"rank": rank, "code": site, "residents_gained": sum(weight[p] for p in newly),
                     "communities_gained": sum(p in of_kind for p in newly),
                     "urban_share": urban_covered / urban_population if urban_population else None,
                     "rural_share": rural_covered / rural_population if rural_population else None})
    places = pairs[["site", "name", "township_name", "lon", "lat"]].drop_duplicates("site").rename(columns={"site": "code"})
    steps = pd.DataFrame(rows, columns=["rank", "code", "residents_gained", "communities_gained", "urban_share",
                                        "rural_share"]).merge(places, on="code", how="left")
    steps["cumulative_gained"] = steps["residents_gained"].cumsum()
    return steps[_SITE_COLUMNS], (urban_population, int(before[1]), rural_population, int(before[3]))


def suggest_sites(con: duckdb.DuckDBPyConnection, scope: Scope, district_code: str, radius_m: float,
                  count: int, area_kind: str = "all", candidates: str = "points", named: tuple = ()) -> pd.DataFrame:
    """Greedy maximum coverage: the `count` sites of a district where a new station would cover
    the most residents of the area kind (all, urban: community points, rural: village points) not
    covered today, each pick removing what it covers. Candidate sites: the community/village
    points of the kind ('points'), the operating village clinics ('clinics'), or the planner's
    `named` sites ('file': (name, lon, lat) in WGS-84, numbered #001 … in their order). Each row:
    the kind's residents and points gained, their running sum, and the district's urban and rural
    covered shares after the pick."""
    steps, _ = _site_plan_steps(con, scope, district_code, float(radius_m), area_kind, candidates, tuple(named))
    return steps.head(max(int(count), 0)).reset_index(drop=True)


def site_plan(con: duckdb.DuckDBPyConnection, scope: Scope, district_code: str, radius_m: float,
              count: int, area_kind: str = "all", candidates: str = "points", named: tuple = ()) -> dict:
    """What the plan of `suggest_sites` (same arguments) reaches against the 15-minute circle's
    targets (coverage.urban_target, rural_target) in the district:
    - `sites`: the sites picked (at most `count`), `residents_gained`: the kind's residents they cover;
    - `urban`, `rural`: {before, after, target, met} (None: the district has no such residents);
    - `judged`: the parts whose target the plan is for (the kind's; both for 'all'), those with residents;
    - `needed`: the fewest greedy sites (the same order, continued past `count`) after which every
      judged part meets its target: 0 when met today, None when no number of these candidates
      reaches it (or nothing is judged); `reached`: each judged part's share after `needed` sites,
      or after every site that gains (not reachable)."""
    steps, (urban_population, urban_covered, rural_population, rural_covered) = _site_plan_steps(
        con, scope, district_code, float(radius_m), area_kind, candidates, tuple(named))
    before = {"urban": urban_covered / urban_population if urban_population else None,
              "rural": rural_covered / rural_population if rural_population else None}
    targets = {part: float(setting(con, f"coverage.{part}_target")) for part in ("urban", "rural")}

    def shares_after(sites: int) -> dict:
        return before if sites == 0 else {part: steps[f"{part}_share"].iloc[sites - 1] for part in ("urban", "rural")}

    planned = min(max(int(count), 0), len(steps))
    after = shares_after(planned)
    parts = {part: None if before[part] is None else {
        "before": before[part], "after": float(after[part]), "target": targets[part],
        "met": bool(after[part] >= targets[part])} for part in ("urban", "rural")}
    judged = tuple(part for part in (("urban", "rural") if area_kind == "all" else (area_kind,))
                   if before[part] is not None)
    needed = next((sites for sites in range(len(steps) + 1)
                   if all(shares_after(sites)[part] >= targets[part] for part in judged)), None) if judged else None
    final = shares_after(len(steps) if needed is None else needed)
    return {"sites": planned, "residents_gained": int(steps["residents_gained"].head(planned).sum()), **parts,
            "judged": judged, "needed": needed, "reached": {part: float(final[part]) for part in judged}}


# -- coverage over time ---------------------------------------------------------------------------
# Coverage changes only when a facility opens or closes, so each month's figures are running sums
# of openings and closings: a point (a community, a township, a center) counts from the first month
# whose reference day falls in one of its covered spans. A month's reference day is its last day,
# and today for the current month: a facility opening later this month is not operating yet.

_FOREVER = date(9999, 12, 31)

# A community is covered while any facility within the radius operates (a township while any of
# its qualifying centers does): the operating spans [opened, closed) of `spans(key, start, end)`
# merged into disjoint covered spans (gaps and islands), so overlapping facilities count it once.
_MERGED_SPANS = """
    ordered AS (
        SELECT *, max("end") OVER (PARTITION BY key ORDER BY start, "end"
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached
        FROM spans
    ), islands AS (
        SELECT *, sum(CASE WHEN reached IS NULL OR start > reached THEN 1 ELSE 0 END)
                      OVER (PARTITION BY key ORDER BY start, "end" ROWS UNBOUNDED PRECEDING) AS island
        FROM ordered
    ), merged AS (
        SELECT key, min(start) AS start, max("end") AS "end" FROM islands GROUP BY key, island
    )"""


def _add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _reference_month(day: date, today: date) -> date:
    """The first month whose reference day is on or after `day`."""
    month = date(day.year, day.month, 1)
    return _add_months(month, 1) if (month.year, month.month) == (today.year, today.month) and day > today else month


class _Months:
    """The months of a trend, `first` to `last`, with their reference days up to `today`."""

    def __init__(self, first: date, last: date, today: date):
        self.first, self.today = first, today
        self.count = (last.year - first.year) * 12 + last.month - first.month + 1

    def index(self, day: date) -> int:
        """The first month (counted from `first`) whose reference day is on or after `day`."""
        if day >= _FOREVER:
            return self.count
        month = _reference_month(day, self.today)
        return max(0, (month.year - self.first.year) * 12 + month.month - self.first.month)

    def running_sum(self, spans: list[tuple]) -> list[float]:
        """Σ weight of the spans (start, end, weight) whose [start, end) holds each month's reference day."""
        change = [0.0] * (self.count + 1)
        for start, end, weight in spans:
            change[min(self.index(start), self.count)] += weight
            change[min(self.index(end), self.count)] -= weight
        totals, running = [], 0.0
        for step in change[:-1]:
            running += step
            totals.append(running)
        return totals


@per_version()
def coverage_trend(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, radius_m: float,
                   today: date) -> pd.DataFrame:
    """The area's coverage month by month, from the month its first facility opened to today's
    month (`scenario` 'actual'), then on to the last planned opening (a facility whose opening date
    is after today) as `scenario` 'planned', whose first row repeats today's month: the 15-minute
    circle's covered residents and shares (total, urban, rural; as `coverage_table`), the streets
    and towns with an operating government-run CHC/THC (as `overview.street_coverage`) and the
    residents per operating CHC/THC (as `overview.residents_per_center`). A planned facility never
    counts in an actual month: it is not operating on the month's reference day."""
    radius_m = _radius(radius_m)
    condition, params = scope.sql("t.district_code")
    in_area = f"in_area(t.township_code, t.district_code, ?) AND {condition}"
    communities_spans = con.execute(f"""
        WITH pts AS (
            SELECT c.code, c.population, c.level = 'community' AS urban
            FROM admin_unit c JOIN township t ON t.township_code = c.parent_code
            WHERE c.level IN ('community', 'village') AND c.lon IS NOT NULL AND c.lat IS NOT NULL
              AND {in_area}
        ), spans AS (
            SELECT d.code AS key, coalesce(d.opened_on, DATE '0001-01-01') AS start,
                   coalesce(d.closed_on, DATE '9999-12-31') AS "end"
            FROM community_facility_distance d
            WHERE d.distance_m <= ? AND d.code IN (SELECT code FROM pts)
        ), {_MERGED_SPANS}
        SELECT m.start, m."end", p.population, p.urban FROM merged m JOIN pts p ON p.code = m.key
    """, [area.code, *params, radius_m]).fetchall()
    total, urban_total, rural_total = con.execute(f"""
        SELECT coalesce(sum(c.population), 0), coalesce(sum(c.population) FILTER (WHERE c.level = 'community'), 0),
               coalesce(sum(c.population) FILTER (WHERE c.level = 'village'), 0)
        FROM admin_unit c JOIN township t ON t.township_code = c.parent_code
        WHERE c.level IN ('community', 'village') AND c.lon IS NOT NULL AND c.lat IS NOT NULL AND {in_area}
    """, [area.code, *params]).fetchall()[0]
    townships_spans = con.execute(f"""
        WITH spans AS (
            SELECT t.township_code AS key, coalesce(f.opened_on, DATE '0001-01-01') AS start,
                   coalesce(f.closed_on, DATE '9999-12-31') AS "end"
            FROM township t JOIN facility f ON f.township_code = t.township_code AND f.ownership = 'government'
                 AND f.type = CASE WHEN t.township_level = 'town' THEN 'THC' ELSE 'CHC' END
            WHERE {in_area}
        ), {_MERGED_SPANS}
        SELECT start, "end", 1 FROM merged
    """, [area.code, *params]).fetchall()
    townships, residents = con.execute(f"SELECT count(*), coalesce(sum(population), 0) FROM township t WHERE {in_area}",
                                       [area.code, *params]).fetchall()[0]
    facilities = con.execute(f"""
        SELECT f.opened_on, coalesce(f.opened_on, DATE '0001-01-01'), coalesce(f.closed_on, DATE '9999-12-31'),
               f.type IN ('CHC', 'THC')
        FROM facility f JOIN township t USING (township_code) WHERE {in_area}
    """, [area.code, *params]).fetchall()
    columns = ["month", "scenario", "covered_population", "covered_share", "urban_share", "rural_share",
               "streets_covered", "streets", "street_share", "centers", "residents_per_center"]
    opened = [row[0] for row in facilities if row[0] is not None]
    if not opened:
        return pd.DataFrame(columns=columns)
    current = date(today.year, today.month, 1)
    first = min(date(min(opened).year, min(opened).month, 1), current)
    last = max([current, *(_reference_month(day, today) for day in opened if day > today)])
    months = _Months(first, last, today)
    covered = months.running_sum([(s, e, p) for s, e, p, _ in communities_spans])
    covered_urban = months.running_sum([(s, e, p) for s, e, p, urban in communities_spans if urban])
    covered_rural = months.running_sum([(s, e, p) for s, e, p, urban in communities_spans if not urban])
    streets = months.running_sum(townships_spans)
    centers = months.running_sum([(s, e, 1) for _, s, e, center in facilities if center])
    rows = []
    for index in range(months.count):
        month = _add_months(first, index)
        if month < current or last == current:
            scenarios = ["actual"]
        else:
            scenarios = ["actual", "planned"] if month == current else ["planned"]
        for scenario in scenarios:
            rows.append({
                "month": month, "scenario": scenario, "covered_population": int(covered[index]),
                "covered_share": covered[index] / total if total else None,
                "urban_share": covered_urban[index] / urban_total if urban_total else None,
                "rural_share": covered_rural[index] / rural_total if rural_total else None,
                "streets_covered": int(streets[index]), "streets": int(townships),
                "street_share": streets[index] / townships if townships else None,
                "centers": int(centers[index]),
                "residents_per_center": residents / centers[index] if centers[index] else None})
    return pd.DataFrame(rows, columns=columns)


def coverage_over_time(con: duckdb.DuckDBPyConnection, scope: Scope, area: Area, radius_m: float,
                       today: date) -> dict:
    """The coverage trend (`coverage_trend`) with the targets its lines are judged against
    (settings coverage.urban_target, rural_target)."""
    return {"months": coverage_trend(con, scope, area, radius_m, today),
            "urban_target": float(setting(con, "coverage.urban_target")),
            "rural_target": float(setting(con, "coverage.rural_target"))}
