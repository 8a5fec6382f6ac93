"""The 15-minute circle and the next-site suggestion on fixtures small enough to check by hand."""
import math

import duckdb
import pytest

from warehouse.queries import coverage
from warehouse.queries.areas import CITY, resolve_area
from warehouse.scope import Scope
from warehouse.store import current_version_file

from factory import TODAY, load, tiny_city, write_csv
from warehouse_test_helpers import haversine_m

EVERYTHING = Scope.everything()
KM_LON = 1 / (111.195 * math.cos(math.radians(40.0)))     # one kilometre east at latitude 40


@pytest.fixture()
def line_district(tmp_path):
    """A district with no facility and four villages on a line: A (1,000) at 0 km, B (3,000) at
    1 km, C (2,500) at 2 km, D (4,000) at 3.5 km."""
    db = tiny_city(tmp_path)
    villages = [("A", 1000, 0.0), ("B", 3000, 1.0), ("C", 2500, 2.0), ("D", 4000, 3.5)]
    rows = [["120101", "北区", "区", "", 10500, "", ""], ["120101001", "北镇", "镇", "120101", 10500, "", ""]]
    rows += [[f"12010100100{n}", f"{name}村", "村", "120101001", pop, 117.0 + km * KM_LON, 40.0]
             for n, (name, pop, km) in enumerate(villages, start=1)]
    load(db, write_csv(tmp_path / "north.csv", ["区划代码", "名称", "级别", "上级代码", "常住人口", "经度", "纬度"], rows))
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    yield con
    con.close()


def test_the_fixture_distances_are_what_the_test_assumes(line_district):
    points = dict(line_district.execute("SELECT name, lon FROM admin_unit WHERE level = 'village' AND parent_code = '120101001'").fetchall())
    assert round(haversine_m(points["A村"], 40, points["B村"], 40)) == 1000
    assert round(haversine_m(points["C村"], 40, points["D村"], 40)) == 1500


def test_greedy_picks_the_site_covering_most_then_updates_what_remains(line_district):
    sites = coverage.suggest_sites(line_district, EVERYTHING, "120101", 1200, 5)
    # B covers A+B+C (6,500); then only D is left: D itself covers it (4,000); then nothing remains.
    assert sites[["rank", "name", "residents_gained", "communities_gained", "cumulative_gained"]].values.tolist() == [
        [1, "B村", 6500, 3, 6500], [2, "D村", 4000, 1, 10500]]


def test_greedy_with_a_wider_radius_needs_fewer_sites(line_district):
    sites = coverage.suggest_sites(line_district, EVERYTHING, "120101", 2200, 5)
    # C reaches A (2 km), B, C and D (1.5 km): everything in one pick (B misses D at 2.5 km).
    assert sites[["name", "residents_gained"]].values.tolist() == [["C村", 10500]]


def test_coverage_table_splits_urban_and_rural(line_district):
    table = coverage.coverage_table(line_district, EVERYTHING, CITY, 1200).set_index("code")
    # tiny city: 一社区 12,000 and 丙社区 10,000 urban covered, 二社区 8,000 urban not; 三村 5,000 rural covered;
    # the line district's 10,500 rural residents are not covered.
    assert table.loc["all", ["population", "covered_population"]].tolist() == [45500, 27000]
    assert table.loc["all", "urban_share"] == pytest.approx(22000 / 30000)
    assert table.loc["all", "rural_share"] == pytest.approx(5000 / 15500)
    assert table.loc["120101", "uncovered_communities"] == 4


def test_scope_hides_other_districts(line_district):
    only_north = Scope(frozenset({"120101"}))
    assert resolve_area(line_district, only_north, "110101") is None
    assert coverage.suggest_sites(line_district, only_north, "110101", 1200, 3).empty
    table = coverage.coverage_table(line_district, only_north, CITY, 1200)
    assert table.set_index("code").loc["all", "population"] == 10500


def test_the_overview_tile_of_the_15_minute_circle_states_shares_targets_and_its_state(tmp_path):
    """The tiny city at 1,200 m: 一社区 (12,000) and 丙社区 (10,000) covered, 二社区 (8,000) not,
    三村 (5,000) covered: urban 22,000 / 30,000 against 95 %, rural 5,000 / 5,000 against 85 %."""
    from warehouse.queries import overview
    con = duckdb.connect(str(current_version_file(tiny_city(tmp_path))), read_only=True)
    circle = overview.service_circle(con, EVERYTHING, CITY)
    assert circle["radius_m"] == 1200 and circle["share"] == pytest.approx(27000 / 35000)
    assert circle["urban"] == {"share": pytest.approx(22000 / 30000), "target": 0.95}
    assert circle["rural"] == {"share": 1.0, "target": 0.85}
    assert circle["ok"] is False
    west = overview.service_circle(con, EVERYTHING, resolve_area(con, EVERYTHING, "110102"))
    assert (west["share"], west["rural"], west["ok"]) == (1.0, None, True)     # no rural residents: not judged
    con.close()


def test_the_coverage_tiles_at_the_radius_asked_say_which_part_meets_its_target(tmp_path):
    """The tiny city at 1,200 m: 27,000 of 35,000 residents covered, 二社区 not; urban 22,000 / 30,000
    misses 95 %, rural 5,000 / 5,000 meets 85 %. A radius past the cap is read as the cap."""
    from warehouse.queries import coverage
    con = duckdb.connect(str(current_version_file(tiny_city(tmp_path))), read_only=True)
    circle = coverage.circle_status(con, EVERYTHING, CITY, 1200)
    assert [circle[k] for k in ("population", "covered_population", "uncovered_communities", "urban_ok", "rural_ok",
                                "ok")] == [35000, 27000, 1, False, True, False]
    assert coverage.circle_status(con, EVERYTHING, CITY, 99999)["radius_m"] == 3000
    assert coverage.default_radius_m(con) == 1200
    con.close()


def test_the_overview_residents_tile_and_where_site_suggestions_start(tmp_path):
    """35,000 residents (甲街道 20,000, 乙镇 5,000, 丙街道 10,000) and three centres (two CHCs, one
    THC): 11,667 per centre. At 1,200 m only 东城区 has residents outside the circle (二社区, 8,000)."""
    from datetime import date

    from warehouse.queries import coverage, overview
    con = duckdb.connect(str(current_version_file(tiny_city(tmp_path))), read_only=True)
    status = overview.residents_per_center(con, EVERYTHING, CITY, date(2026, 4, 30))
    assert (status["residents"], status["centers"], round(status["per_center"])) == (35000, 3, 11667)
    assert coverage.neediest_district(con, EVERYTHING, 1200) == "110101"
    con.close()


def _with_max_points(db, limit: int):
    con = duckdb.connect(str(current_version_file(db)))
    con.execute("UPDATE setting SET value = ? WHERE key = 'map.max_points'", [str(limit)])
    return con


def test_the_map_draws_each_point_up_to_the_limit(tmp_path):
    # the tiny city at 1,200 m: 4 facilities and one uncovered community (二社区, 1,668 m away)
    con = _with_max_points(tiny_city(tmp_path), 5)
    layers = coverage.map_layers(con, EVERYTHING, CITY, 1200, TODAY)
    assert not layers.by_township
    assert layers.facilities["facility_code"].tolist() == ["F_CHC1", "F_CHC2", "F_CHS1", "F_THC1"]
    assert layers.uncovered["name"].tolist() == ["二社区"]


def test_past_the_limit_the_map_is_drawn_by_township_with_the_counts(tmp_path):
    from dashboard.figures.coverage import coverage_map
    con = _with_max_points(tiny_city(tmp_path), 4)
    layers = coverage.map_layers(con, EVERYTHING, CITY, 1200, TODAY)
    assert layers.by_township and layers.facilities is None and layers.uncovered is None
    assert layers.metrics[["township_name", "facilities", "uncovered_communities"]].values.tolist() == [
        ["甲街道", 2, 1], ["乙镇", 1, 0], ["丙街道", 1, 0]]
    # no boundaries loaded: each township is one point at its communities' mean position
    assert layers.metrics[["lon", "lat"]].round(3).values.tolist() == [[116.41, 39.9], [116.5, 39.95], [116.3, 39.9]]
    figure = coverage_map(layers, "covered_share", coverage.suggest_sites(con, EVERYTHING, "110101", 1200, 0),
                          "zh", "无数据")
    assert [(trace.type, len(trace.lon)) for trace in figure.data] == [("scattergeo", 3)]        # SVG: no tiles
    assert [row[3:] for row in figure.data[0].customdata] == [[2, 1], [1, 0], [1, 0]]


def test_a_map_drawn_by_township_with_boundaries_has_only_the_townships():
    import pandas as pd

    from dashboard.figures.coverage import coverage_map
    ring = [[116.39, 39.89], [116.43, 39.89], [116.43, 39.92], [116.39, 39.89]]
    geojson = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "110101001", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    metrics = pd.DataFrame([{"township_code": "110101001", "township_name": "甲街道", "population": 20000,
                             "facilities": 2, "uncovered_communities": 1, "covered_share": 0.6}])
    layers = coverage.MapLayers(geojson, metrics, None, None, 1)
    # no basemap: the townships are plain shapes (SVG), no WebGL map to start
    figure = coverage_map(layers, "covered_share", pd.DataFrame(), "en", "no data")
    assert [trace.type for trace in figure.data] == ["choropleth"]
    assert figure.data[0].locationmode == "geojson-id" and list(figure.data[0].locations) == ["110101001"]
    assert [list(row) for row in figure.data[0].customdata] == [["甲街道", "60.0%", 20000, 2, 1]]
    # drawn clockwise, as the SVG map reads a shape (GeoJSON's rule is anticlockwise)
    assert figure.data[0].geojson["features"][0]["geometry"]["coordinates"] == [
        [[116.39, 39.89], [116.43, 39.92], [116.43, 39.89], [116.39, 39.89]]]
    assert geojson["features"][0]["geometry"]["coordinates"] == [ring]            # the layer's own is left as it was
    # with the bureau's tile server as basemap: the web map, the shapes over the tiles
    tiles = {"style": "white-bg", "layers": [{"sourcetype": "raster", "source": ["https://tiles.example/{z}/{x}/{y}.png"]}]}
    figure = coverage_map(layers, "covered_share", pd.DataFrame(), "en", "no data", tiles=tiles)
    assert [trace.type for trace in figure.data] == ["choroplethmap"]


def test_clockwise_turns_outer_rings_clockwise_and_holes_anticlockwise():
    from dashboard.figures.coverage import clockwise
    outer_anticlockwise = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole_clockwise = [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]]
    shapes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a", "geometry": {"type": "Polygon", "coordinates": [outer_anticlockwise, hole_clockwise]}},
        {"type": "Feature", "id": "b", "geometry": {"type": "MultiPolygon", "coordinates": [
            [[[10, 10], [10, 12], [12, 12], [10, 10]]], [[[20, 20], [22, 20], [22, 22], [20, 20]]]]}}]}
    turned = clockwise(shapes)["features"]
    assert turned[0]["geometry"]["coordinates"] == [
        [[0, 0], [0, 4], [4, 4], [4, 0], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]]
    assert turned[1]["geometry"]["coordinates"] == [
        [[[10, 10], [10, 12], [12, 12], [10, 10]]], [[[20, 20], [22, 22], [22, 20], [20, 20]]]]
    assert [f["id"] for f in turned] == ["a", "b"]


def test_the_share_of_standardized_centres_per_township_is_each_centres_latest_assessment(sample_db):
    """The choropleth's 达标中心占比: CHCs/THCs operating whose latest assessment counts (three
    conditions met), per township; the sample's literal counts."""
    from datetime import date
    con = duckdb.connect(str(current_version_file(sample_db)), read_only=True)
    try:
        frame = coverage.township_metrics(con, EVERYTHING, CITY, 1000, date(2026, 10, 31)).set_index("township_name")
    finally:
        con.close()
    assert (frame["standardized_centers"].sum(), frame["centers"].sum()) == (28, 35)
    picked = frame.loc[["西关街道", "滨河街道", "高新街道", "解放路街道"], ["centers", "standardized_centers", "standardized_share"]]
    assert [tuple(r) for r in picked.itertuples(index=False)] == [(2, 1, 0.5), (2, 1, 0.5), (1, 0, 0.0), (1, 1, 1.0)]


def test_the_facility_map_is_svg_without_tiles_and_the_web_map_over_them():
    from dashboard.figures.coverage import basemap
    from dashboard.figures.facility import location
    outline = '{"type": "Polygon", "coordinates": [[[116.39, 39.89], [116.43, 39.89], [116.43, 39.92], [116.39, 39.89]]]}'
    plain = location(116.41, 39.9, "甲社区卫生服务中心", outline, basemap(None, None))
    assert [trace.type for trace in plain.data] == ["choropleth", "scattergeo"]
    assert (plain.layout.geo.fitbounds, plain.layout.geo.visible) == ("locations", False)
    tiled = location(116.41, 39.9, "甲社区卫生服务中心", outline, basemap("https://tiles.example/{z}/{x}/{y}.png", "©"))
    assert [trace.type for trace in tiled.data] == ["choroplethmap", "scattermap"]
    assert tiled.layout.map.layers[0].source == ("https://tiles.example/{z}/{x}/{y}.png",)
