"""Coverage map (覆盖地图): the 15-minute service circle, township metrics and next-site suggestions."""
from __future__ import annotations

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
            SELECT f.township_code, count(*) AS assessed_centers,
                   count(*) FILTER (WHERE s.counts_for_milestone) AS standardized_centers
            FROM facility f JOIN v_standardization_status s USING (facility_code)
            WHERE f.type IN ('CHC', 'THC') AND operating_on(f.opened_on, f.closed_on, ?)
              AND s.as_of = (SELECT max(as_of) FROM v_standardization_status)
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


def suggest_sites(con: duckdb.DuckDBPyConnection, scope: Scope, district_code: str, radius_m: float,
                  count: int) -> pd.DataFrame:
    """Greedy maximum coverage: the community points of a district where one new station would
    cover the most residents not covered today, each pick removing what it covers."""
    radius_m = _radius(radius_m)
    condition, params = scope.sql("t.district_code")
    pairs = con.execute(f"""
        WITH pts AS (
            SELECT c.* FROM community_coverage(?) c JOIN township t USING (township_code)
            WHERE t.district_code = ? AND {condition}
        ), uncovered AS (SELECT * FROM pts WHERE NOT covered)
        SELECT s.code AS site, u.code AS community, u.population
        FROM pts s JOIN uncovered u
          ON u.lat BETWEEN s.lat - ? / 110000.0 AND s.lat + ? / 110000.0
         AND haversine_m(s.lon, s.lat, u.lon, u.lat) <= ?
    """, [radius_m, district_code, *params, radius_m, radius_m, radius_m]).fetchall()
    reach: dict[str, dict[str, int]] = {}
    for site, community, population in pairs:
        reach.setdefault(site, {})[community] = population
    picks, covered = [], set()
    for _ in range(count):
        gains = {site: sum(p for c, p in reached.items() if c not in covered) for site, reached in reach.items()}
        best = max(sorted(gains), key=lambda s: gains[s], default=None)
        if best is None or gains[best] <= 0:
            break
        newly = [c for c in reach[best] if c not in covered]
        covered.update(newly)
        picks.append((len(picks) + 1, best, gains[best], len(newly)))
    columns = ["rank", "code", "name", "township_name", "lon", "lat", "residents_gained",
               "communities_gained", "cumulative_gained"]
    if not picks:
        return pd.DataFrame(columns=columns)
    chosen = pd.DataFrame(picks, columns=["rank", "code", "residents_gained", "communities_gained"])
    places = con.execute("""
        SELECT a.code, a.name, t.township_name, a.lon, a.lat
        FROM admin_unit a JOIN township t ON t.township_code = a.parent_code
        WHERE list_contains(?, a.code)
    """, [chosen["code"].tolist()]).df()
    result = chosen.merge(places, on="code")
    result["cumulative_gained"] = result["residents_gained"].cumsum()
    return result.sort_values("rank")[columns].reset_index(drop=True)
