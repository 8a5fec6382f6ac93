"""The township profile (/township/<code>): its numbers are the views' and the other pages', its
ranks are literal, its scope is the user's. The sample city's figures are written as literals."""
import base64
import io
import json
from datetime import date

import duckdb
import pandas as pd
import pytest
from test_coverage_trend import changing_district  # noqa: F401  (a fixture)

from dashboard import data
from warehouse.periods import parse_period
from warehouse.queries import township
from warehouse.queries.areas import resolve_area
from warehouse.scope import Scope
from warehouse.store import current_version_file

from conftest import PASSWORD
from factory import TODAY

EVERYTHING = Scope.everything()
EAST_ONLY = Scope(frozenset({"990102"}))
BINHE = "990104002"               # 滨河街道, 新城区
Q3 = parse_period("2026Q3")
SAMPLE_TODAY = date(2026, 11, 26)


@pytest.fixture()
def con(sample_db):
    connection = duckdb.connect(str(current_version_file(sample_db)), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def app(sample_db, sample_users):
    from dashboard.app import app
    data.configure(sample_db)
    return app


def test_the_facts_of_a_street(con):
    facts = township.facts(con, EVERYTHING, BINHE)
    assert {k: facts[k] for k in ("township_name", "township_level", "district_name", "population", "communities",
                                  "villages", "urban_population", "rural_population")} == {
        "township_name": "滨河街道", "township_level": "street", "district_name": "新城区", "population": 64088,
        "communities": 12, "villages": 0, "urban_population": 64088, "rural_population": 0}


def test_a_township_outside_the_scope_or_no_township_at_all_does_not_exist(con):
    assert township.facts(con, EAST_ONLY, BINHE) is None
    assert township.facts(con, EVERYTHING, "990104") is None           # a district, not a township
    assert township.facts(con, EVERYTHING, "nowhere") is None


def test_each_indicator_ranks_among_the_districts_and_the_citys_townships(con):
    ranks = township.indicator_ranks(con, EVERYTHING, resolve_area(con, EVERYTHING, BINHE), Q3).set_index(
        "indicator_code")
    records = ranks.loc["records_rate"]
    assert (records["numerator"], records["denominator"]) == (72225, 77776)
    assert round(records["value"], 4) == 0.9286 and records["target"] == 0.9 and bool(records["meets_target"])
    assert [int(records[c]) for c in ("district_rank", "district_of", "city_rank", "city_of")] == [4, 6, 16, 32]
    # 1.000 is the best tb_regular_rate of the district (of 5 with a value) and of the city (of 28)
    assert [int(ranks.loc["tb_regular_rate", c]) for c in ("district_rank", "district_of", "city_rank", "city_of")] \
        == [1, 5, 1, 28]
    # a watched indicator is not ranked
    assert pd.isna(ranks.loc["referral_up_rate", "city_rank"])
    # and the scorecard's own rank: 4th of the district's 6, 24th of the city's 32
    assert township.scorecard_ranks(con, EVERYTHING, resolve_area(con, EVERYTHING, BINHE), Q3) == {
        "district": {"rank": 4, "of": 6, "score": pytest.approx(39.1304, abs=1e-4)},
        "city": {"rank": 24, "of": 32, "score": pytest.approx(34.7826, abs=1e-4)}}


def test_a_bureau_users_ranks_are_among_their_own_townships(con):
    east = resolve_area(con, EAST_ONLY, "990102002")
    ranks = township.indicator_ranks(con, EAST_ONLY, east, Q3).set_index("indicator_code")
    assert int(ranks.loc["records_rate", "city_of"]) == int(ranks.loc["records_rate", "district_of"])


def test_the_monthly_series_is_the_views_value(con):
    area = resolve_area(con, EVERYTHING, BINHE)
    for indicator in ("records_rate", "health_lectures"):
        series = township.indicator_series(con, EVERYTHING, area, indicator).set_index("period")
        view = con.execute("""
            SELECT x.period, x.value, x.target, d.value FROM v_area_indicator_value x
            JOIN v_area_indicator_value d ON d.area_code = '990104' AND d.period = x.period
                 AND d.period_kind = 'month' AND d.indicator_code = x.indicator_code
            WHERE x.area_code = ? AND x.period_kind = 'month' AND x.indicator_code = ? ORDER BY 1
        """, [BINHE, indicator]).fetchall()
        assert list(series.index) == [row[0] for row in view]
        for period, value, target, district in view:
            assert series.loc[period, "value"] == pytest.approx(value)
            assert series.loc[period, "target"] == pytest.approx(target)
            assert series.loc[period, "district_value"] == pytest.approx(district)
    assert round(township.indicator_series(con, EVERYTHING, area, "records_rate").set_index("period").loc[
        "2026-09", "value"], 4) == 0.9286


def test_open_rectifications_overdue_first(con):
    found = township.open_findings(con, EVERYTHING, resolve_area(con, EVERYTHING, BINHE), SAMPLE_TODAY)
    assert found[["facility_code", "rectify_by", "overdue", "days_overdue"]].astype(str).values.tolist() == [
        ["990104002S02", "2026-11-10", "True", "16"], ["990104002C1", "2026-11-11", "True", "15"],
        ["990104002S04", "2026-12-05", "False", "0"], ["990104002C2", "2026-12-09", "False", "0"]]


def test_facilities_say_whether_they_operate_closed_or_are_planned(changing_district):  # noqa: F811
    north = resolve_area(changing_district, EVERYTHING, "120101001")
    states = township.facilities(changing_district, EVERYTHING, north, TODAY)
    assert dict(zip(states["facility_code"], states["state"])) == {
        "N_THC_NEW": "planned", "N_THC_OLD": "closed", "N_VC_B": "operating"}


def test_the_pages_header_and_tiles(app):
    from dashboard.callbacks.township import update_header
    header, tiles = update_header("all", "2026Q3", "zh", BINHE)
    text = str(header) + str(tiles)
    for expected in ("滨河街道", "新城区", "区内第 4/6", "全市第 24/32", "64,088", "12 个社区 · 0 个村",
                     "中心 2 · 服务站 5", "每中心 32,044 人", "1/2", "其中逾期 2 项"):
        assert expected in text, expected
    header, tiles = update_header("all", "2026Q3", "en", "990104999")
    assert "No such street or town" in str(header) and tiles == []


def test_the_pages_tables_export_what_they_show(app, con):
    from dashboard import tables
    from dashboard.callbacks.township import TABLES
    filters = data.read_filters(con, "all", "2026Q3", "en", {"township": BINHE})
    columns, frame = TABLES["township-indicators"].build(con, filters)
    row = frame.set_index("indicator_code").loc["records_rate"]
    assert (row["district_rank_text"], row["city_rank_text"]) == ("4 / 6", "16 / 32")
    csv = pd.read_csv(io.BytesIO(tables.to_file(columns, frame, "csv")), encoding="utf-8-sig", dtype=str)
    assert list(csv.columns)[:2] == ["Indicator", "Value"] and len(csv) == 24
    columns, frame = TABLES["township-facilities"].build(con, filters)
    assert len(frame) == 7 and set(frame["state_name"]) == {"operating"}
    columns, frame = TABLES["township-gaps"].build(con, filters)
    assert frame["facility_code"].tolist() == ["990104002C2"]
    outside = data.read_filters(con, "all", "2026Q3", "en", {"township": "990104999"})
    assert all(TABLES[key].build(con, outside)[1].empty for key in TABLES if key != "township-coverage-trend")
    assert TABLES["township-coverage-trend"].build(con, outside)[1].empty


def login(client, username):
    client.post("/login", data={"username": username, "password": PASSWORD})
    return client


def test_another_districts_township_is_nothing_to_a_bureau_user_even_by_export(app):
    from benchmarks.callbacks import outputs_of
    east = login(app.server.test_client(), "east")
    [output] = [d["output"] for d in east.get("/_dash-dependencies").get_json()
                if "shell-export-download.data" in d["output"]]
    body = {"output": output, "outputs": outputs_of(output),
            "inputs": [[{"id": {"type": "export", "table": "township-indicators", "format": "csv"},
                         "property": "n_clicks", "value": 1}]],
            "state": [{"id": "shell-area-dropdown", "property": "value", "value": "all"},
                      {"id": "shell-period-dropdown", "property": "value", "value": "2026Q3"},
                      {"id": "shell-lang-store", "property": "data", "value": "zh"},
                      [{"id": {"type": "param", "name": "indicator_trend"}, "property": "value", "value": None}],
                      {"id": "shell-url-location", "property": "pathname", "value": f"/township/{BINHE}"}],
            "changedPropIds": ['{"format":"csv","table":"township-indicators","type":"export"}.n_clicks']}

    def exported(client):
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        content = response.get_json()["response"]["shell-export-download"]["data"]["content"]
        return base64.b64decode(content).decode("utf-8-sig")

    east_csv = exported(east)
    assert len(east_csv.strip().splitlines()) == 1             # the header only
    root_csv = exported(login(app.server.test_client(), "root"))
    assert "居民健康档案建档率" in root_csv and "4 / 6" in root_csv
    # the page's own callbacks answer the same: nothing of 滨河街道 for east
    header = east.post("/_dash-update-component", json={
        "output": "..township-header-div.children...township-tiles-row.children..",
        "outputs": [{"id": "township-header-div", "property": "children"},
                    {"id": "township-tiles-row", "property": "children"}],
        "inputs": [{"id": "shell-area-dropdown", "property": "value", "value": "all"},
                   {"id": "shell-period-dropdown", "property": "value", "value": "2026Q3"},
                   {"id": "shell-lang-store", "property": "data", "value": "zh"},
                   {"id": "township-code-store", "property": "data", "value": BINHE}],
        "changedPropIds": ["township-code-store.data"]})
    text = json.dumps(header.get_json(), ensure_ascii=False)
    assert "滨河街道" not in text and "64,088" not in text


def test_township_names_in_grids_link_to_their_profiles(app, con):
    """A column of kind 'township' carries the township's code for its link; its value (and the
    export's) stays the name."""
    from dashboard import tables
    from dashboard.callbacks.exports import TABLES
    from dashboard.components import column_defs
    filters = data.read_filters(con, "990104", "2026Q3", "zh", {"radius": "1200"})
    for key, field in (("coverage-uncovered", "township_name"), ("coverage-areas", "name"),
                       ("overview-overdue", "township_name"), ("standardization-gaps", "township_name")):
        columns, frame = TABLES[key].build(con, filters)
        defs = {d["field"]: d for d in column_defs(columns, frame)}
        assert defs[field]["cellRenderer"] == "TownshipLink", key
        rows = tables.grid_rows(columns, frame)
        linked = [r for r in rows if r.get("township_code")]
        assert linked and all(str(r["township_code"]).startswith("990104") for r in linked), key
        csv = tables.to_file(columns, frame, "csv").decode("utf-8-sig")
        assert "/township/" not in csv
    # the district's own row in the coverage table is no township
    columns, frame = TABLES["coverage-areas"].build(con, filters)
    rows = {r["code"]: r for r in tables.grid_rows(columns, frame)}
    assert rows["990104"].get("township_code") is None and rows[BINHE]["township_code"] == BINHE
