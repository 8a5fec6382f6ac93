"""A planner's own candidate sites for the site plan (docs/domain.md section 6): the file is read
with every problem listed and refused whole on any; an accepted list is kept under its digest and
named in the page's address; the greedy picks among its sites, on a district checked by hand."""
import base64
import json

import pytest
from test_site_planning import east, south_district  # noqa: F401  (a fixture)

from benchmarks.callbacks import input_entry, outputs_of
from dashboard import data
from etl.candidates import read_candidate_sites
from etl.coordinates import from_wgs84
from warehouse import candidate_sites
from warehouse.queries import coverage
from warehouse.scope import Scope

from conftest import login
from factory import write_csv, write_xlsx

EVERYTHING = Scope.everything()
HEADER = ["名称", "经度", "纬度"]


def test_a_list_is_read_and_coordinates_of_a_map_app_are_converted(tmp_path):
    gcj_lon, gcj_lat = from_wgs84(117.0, 36.7, "GCJ02")
    path = write_xlsx(tmp_path / "候选.xlsx", ["候选位置名称", "经度（°）", "纬度", "坐标系"],
                      [["地块甲", 117.02, 36.71, ""], ["地块乙", gcj_lon, gcj_lat, "高德"]], title="拟建站点")
    found = read_candidate_sites(path, "候选.xlsx")
    assert found.accepted and [name for name, _, _ in found.sites] == ["地块甲", "地块乙"]
    assert found.sites[0][1:] == (117.02, 36.71)
    assert found.sites[1][1] == pytest.approx(117.0, abs=1e-5) and found.sites[1][2] == pytest.approx(36.7, abs=1e-5)


def test_a_list_with_problems_is_refused_whole_with_every_problem_named(tmp_path):
    path = write_csv(tmp_path / "bad.csv", HEADER + ["坐标系"], [
        ["好地块", 117.0, 36.7, ""], ["", 117.0, 36.7, ""], ["地块二", "东经117", 36.7, ""],
        ["地块三", 117.0, 95, ""], ["好地块", 117.1, 36.8, ""], ["地块五", 117.0, 36.7, "火星"]])
    found = read_candidate_sites(path, "bad.csv")
    assert not found.accepted and found.sites == ()
    assert [(p.code, p.row, p.column, p.value) for p in found.problems] == [
        ("required_blank", 3, "名称", None), ("bad_number", 4, "经度", "东经117"), ("bad_coordinate", 5, "纬度", "95"),
        ("duplicate_key", 6, "名称", "好地块"), ("bad_choice", 7, "坐标系", "火星")]
    assert "与本文件第 2 行重复" in found.problems[3].zh and "Duplicates row 2" in found.problems[3].en


def test_a_file_without_the_columns_or_rows_or_too_long_is_refused(tmp_path):
    no_columns = read_candidate_sites(write_csv(tmp_path / "a.csv", ["地点", "X", "Y"], [["甲", 1, 2]]), "a.csv")
    assert [(p.code, p.detail) for p in no_columns.problems] == [
        ("missing_column", "名称 / name"), ("missing_column", "经度 / lon"), ("missing_column", "纬度 / lat")]
    empty = read_candidate_sites(write_csv(tmp_path / "b.csv", HEADER, []), "b.csv")
    assert [p.code for p in empty.problems] == ["empty_file"]
    many = read_candidate_sites(write_csv(tmp_path / "c.csv", HEADER, [[f"地块{n}", 117.0, 36.7] for n in range(600)]),
                                "c.csv")
    assert not many.accepted and "too_many_rows" in many.problems.by_code
    # a column the list does not know would be dropped unseen: refused, as is a value under no header
    noted = read_candidate_sites(write_csv(tmp_path / "d.csv", HEADER + ["备注", ""],
                                           [["甲", 117.0, 36.7, "村委会旁", ""], ["乙", 117.1, 36.8, "", "空地"]]), "d.csv")
    assert not noted.accepted and [(p.code, p.row, p.value, p.detail) for p in noted.problems] == [
        ("unknown_column", 1, "备注", ""), ("unnamed_column", None, None, "5")]
    # a list split over two sheets would lose the second: refused, naming it (an empty sheet is fine)
    split = read_candidate_sites(write_xlsx(tmp_path / "e.xlsx", HEADER, [["甲", 117.0, 36.7]], extra_sheets={
        "空白": [], "第二批": [["乙", 117.1, 36.8]]}), "e.xlsx")
    assert not split.accepted and [(p.code, p.sheet, p.detail) for p in split.problems] == [
        ("extra_sheet", "第二批", "第二批")]
    assert "工作表「第二批」也有内容" in split.problems[0].zh and 'Sheet "第二批" holds values too' in split.problems[0].en


def test_a_kept_list_is_found_by_its_key_and_nothing_else_is(tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    sites = (("地块甲", 117.02, 36.71), ("地块乙", 117.0, 36.7))
    key = candidate_sites.keep(warehouse, sites, "候选.xlsx")
    assert candidate_sites.keep(warehouse, sites, "again.csv") == key        # the same list is one file
    assert candidate_sites.load(warehouse, key) == ("候选.xlsx", sites)
    for odd in (None, "", "../../etc/passwd", key.upper(), key + "0", 12345):
        assert candidate_sites.load(warehouse, odd) is None
    (candidate_sites.folder(warehouse) / f"{key}.json").write_text("{broken", encoding="utf-8")
    assert candidate_sites.load(warehouse, key) is None
    with pytest.raises(ValueError):
        candidate_sites.keep(warehouse, (("x", float("nan"), 1.0),), "nan.csv")


NAMED = (("地块甲", east(2.5, 40.0), 40.0), ("地块乙", east(4.5, 40.1), 40.1), ("远处", 120.0, 45.0))


def test_the_plan_picks_among_the_planners_sites(south_district):  # noqa: F811
    """南区 at 1,200 m: 地块甲 (南街道, 2.5 km) reaches 南社区 2,000, 西社区 3,000 and 六村 600;
    地块乙 (南镇, 4.5 km) reaches 三村 2,500 and 四村 2,000; 远处 reaches no one."""
    everyone = coverage.suggest_sites(south_district, EVERYTHING, "130101", 1200, 5, "all", "file", NAMED)
    assert everyone[["code", "name", "township_name", "residents_gained", "cumulative_gained"]].values.tolist() == [
        ["#001", "地块甲", "南街道", 5600, 5600], ["#002", "地块乙", "南镇", 4500, 10100]]
    rural = coverage.suggest_sites(south_district, EVERYTHING, "130101", 1200, 5, "rural", "file", NAMED)
    assert rural[["name", "residents_gained"]].values.tolist() == [["地块乙", 4500], ["地块甲", 600]]
    plan = coverage.site_plan(south_district, EVERYTHING, "130101", 1200, 2, "all", "file", NAMED)
    assert plan["urban"]["after"] == 1.0 and plan["rural"]["after"] == pytest.approx(7600 / 8400)
    # urban 11,000 / 11,000 ≥ 95 %, rural 7,600 / 8,400 = 90.5 % ≥ 85 %: both targets need both sites
    assert plan["urban"]["met"] and plan["rural"]["met"] and plan["needed"] == 2
    assert coverage.suggest_sites(south_district, EVERYTHING, "130101", 1200, 5, "all", "file", ()).empty


@pytest.fixture(scope="module")
def app(sample_db, sample_users):
    from dashboard.app import app
    data.configure(sample_db)
    return app


def upload_request(client, name: str, content: bytes):
    dependency = next(d for d in client.get("/_dash-dependencies").get_json()
                      if d["inputs"][0]["id"] == "coverage-site-file-upload")
    values = {("coverage-site-file-upload", "contents"): "data:text/csv;base64," + base64.b64encode(content).decode(),
              ("coverage-site-file-upload", "filename"): name, ("shell-lang-store", "data"): "en"}
    body = {"output": dependency["output"], "outputs": outputs_of(dependency["output"]),
            "inputs": [input_entry(i, values, {}) for i in dependency["inputs"]],
            "state": [input_entry(s, values, {}) for s in dependency["state"]],
            "changedPropIds": ["coverage-site-file-upload.contents"]}
    return client.post("/_dash-update-component", json=body)


def sites_summary(client, key):
    dependency = next(d for d in client.get("/_dash-dependencies").get_json() if "coverage-sites-summary" in d["output"])
    values = {("shell-area-dropdown", "value"): "990104", ("shell-period-dropdown", "value"): "2026Q3",
              ("shell-lang-store", "data"): "en"}
    params = {"metric": "covered_share", "radius": 1200, "site_district": None, "sites": 3, "site_kind": "all", "site_candidates": "file",
              "site_file": key}
    body = {"output": dependency["output"], "outputs": outputs_of(dependency["output"]),
            "inputs": [input_entry(i, values, params) for i in dependency["inputs"]],
            "state": [input_entry(s, values, params) for s in dependency["state"]],
            "changedPropIds": ['{"name":"site_file","type":"param"}.value']}
    return client.post("/_dash-update-component", json=body).get_json()["response"]


def test_a_planner_sends_a_list_and_its_link_opens_the_plan(app):
    """新城区: 花园社区's own point (116.974519, 36.747716) as a candidate covers 12,290 residents."""
    planner = login(app.server.test_client(), "planner")
    csv = "名称,经度,纬度\n花园地块,116.974519,36.747716\n远处地块,118.5,37.5\n".encode("utf-8")
    response = upload_request(planner, "候选.csv", csv)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()["response"]
    key = next(v["value"] for k, v in answer.items() if "site_file" in k)
    assert candidate_sites.load(data.warehouse_path(), key)[1][0][0] == "花园地块"
    assert "Candidate list: 候选.csv (2 sites)" in json.dumps(answer, ensure_ascii=False)
    # anyone of the district opening the plan's link sees the same plan
    text = json.dumps(sites_summary(login(app.server.test_client(), "root"), key), ensure_ascii=False)
    assert "1 new sites would cover 12,290 more residents" in text or "1 new site would cover 12,290" in text
    assert "花园地块" in text and "远处地块" not in text
    # a link naming no kept list says so, and plans nothing
    assert "is not here" in json.dumps(sites_summary(planner, "0123456789abcdef"), ensure_ascii=False)


def test_a_bad_list_is_refused_with_its_problems_and_an_inspector_may_not_send_one(app):
    planner = login(app.server.test_client(), "planner")
    answer = upload_request(planner, "bad.csv", "名称,经度,纬度\n,116.9,36.7\n甲,abc,36.7\n".encode("utf-8")
                            ).get_json()["response"]
    text = json.dumps(answer, ensure_ascii=False)
    assert not any("site_file" in k for k in answer)                        # no list is named
    assert "2 problems" in text and "row 2" in text and "A required value is blank" in text
    assert "Not a valid number" in text and "abc" in text
    inspector = login(app.server.test_client(), "inspector")
    answer = upload_request(inspector, "ok.csv", "名称,经度,纬度\n甲,116.9,36.7\n".encode("utf-8")).get_json()["response"]
    assert "may not send candidate lists" in json.dumps(answer) and not any("site_file" in k for k in answer)
    too_big = upload_request(planner, "big.csv", b"x" * 1_200_000)
    assert too_big.status_code == 200 and "too large" in json.dumps(too_big.get_json())
