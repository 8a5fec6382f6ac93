"""The 通报 page through the server, as each role sends it: the preview, making a bulletin (kept
with its record), the history and downloading a kept one — only within the user's districts."""
import base64
import json
import shutil

import pytest

from benchmarks.callbacks import input_entry, outputs_of
from dashboard import data
from warehouse import bulletins
from warehouse.scope import Scope
from warehouse.store import current_version_file

from conftest import login

EAST = "990102"        # 城东区: the bureau user "east"'s district
OTHER = "990104"       # 新城区


@pytest.fixture(scope="module")
def app(sample_db, sample_users, tmp_path_factory):
    """A copy of the sample warehouse: the bulletins made here are kept beside it."""
    from dashboard.app import app
    copy = tmp_path_factory.mktemp("bulletin_page") / "sample"
    shutil.copytree(sample_db.parent, copy, symlinks=True)
    data.configure(copy / sample_db.name)
    yield app
    data.configure(sample_db)


def call(client, output: str, values: dict, trigger: str):
    """The callback whose outputs include `output`, sent as the browser would with `values`."""
    [dep] = [d for d in client.get("/_dash-dependencies").get_json()
             if output in d["output"] and trigger.split(".")[0] in json.dumps(d["inputs"])]
    outputs = outputs_of(dep["output"])
    body = {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "changedPropIds": [trigger],
            "inputs": [input_entry(i, values, {}) for i in dep["inputs"]],
            "state": [input_entry(s, values, {}) for s in dep["state"]]}
    return client.post("/_dash-update-component", json=body)


def values(area, period, extra=None):
    return {("shell-area-dropdown", "value"): area, ("shell-period-dropdown", "value"): period,
            ("shell-lang-store", "data"): "zh", ("bulletin-number-input", "value"): "12",
            ("bulletin-docx-button", "n_clicks"): 1, ("bulletin-pdf-button", "n_clicks"): None,
            ("bulletin-made-store", "data"): None, ("bulletin-history-docx-button", "n_clicks"): 1,
            ("bulletin-history-pdf-button", "n_clicks"): None, **(extra or {})}


def test_a_bureau_user_makes_their_districts_bulletin_and_gets_the_kept_file_back(app):
    east = login(app.server.test_client(), "east")
    preview = call(east, "bulletin-preview-div.children", values(EAST, "2026Q3"), "shell-area-dropdown.value")
    assert preview.status_code == 200, preview.get_data(as_text=True)[:300]
    text = json.dumps(preview.get_json(), ensure_ascii=False)
    assert "关于2026年第3季度基层医疗卫生机构工作情况的通报" in text and "完整率99.4%" in text
    made = call(east, "bulletin-download.data", values(EAST, "2026Q3"), "bulletin-docx-button.n_clicks").get_json()
    download = made["response"]["bulletin-download"]["data"]
    assert download["filename"] == f"通报_{EAST}_2026Q3.docx"
    docx = base64.b64decode(download["content"])
    bulletin_id = made["response"]["bulletin-made-store"]["data"]
    [record] = [r for r in bulletins.history(data.warehouse_path(), Scope(frozenset({EAST}))) if r["id"] == bulletin_id]
    assert (record["area"], record["period"], record["number"], record["made_by"], record["districts"]) == (
        EAST, "2026Q3", "12", "east", [EAST])
    assert record["warehouse_version"].endswith(".duckdb") and "完整率99.4%" in record["text"]
    assert len(record["rules_digest"]) == 64
    # the history lists it, and hands back the very file kept then
    history = call(east, "bulletin-history-table.rowData", values(EAST, "2026Q3"), "bulletin-made-store.data").get_json()
    assert bulletin_id in json.dumps(history)
    again = call(east, "bulletin-download.data", values(EAST, "2026Q3", {
        ("bulletin-history-dropdown", "value"): bulletin_id}), "bulletin-history-docx-button.n_clicks").get_json()
    assert base64.b64decode(again["response"]["bulletin-download"]["data"]["content"]) == docx


def test_another_districts_bulletin_is_neither_listed_nor_handed_out(app):
    root = login(app.server.test_client(), "root")
    made = call(root, "bulletin-download.data", values(OTHER, "2026-09"), "bulletin-docx-button.n_clicks").get_json()
    other_id = made["response"]["bulletin-made-store"]["data"]
    east = login(app.server.test_client(), "east")
    history = call(east, "bulletin-history-table.rowData", values(EAST, "2026Q3"), "bulletin-made-store.data")
    assert other_id not in history.get_data(as_text=True)
    refused = call(east, "bulletin-download.data", values(EAST, "2026Q3", {
        ("bulletin-history-dropdown", "value"): other_id}), "bulletin-history-docx-button.n_clicks").get_json()
    assert "bulletin-download" not in refused["response"]
    assert "没有这份通报" in json.dumps(refused["response"], ensure_ascii=False)
    # a forged area of another district is not east's bulletin to make: the area falls back to theirs,
    # named as theirs (城东区), never 全市
    forged = call(east, "bulletin-download.data", values(OTHER, "2026-09"), "bulletin-docx-button.n_clicks").get_json()
    assert forged["response"]["bulletin-download"]["data"]["filename"] == "通报_all_2026-09.docx"
    [mine] = [r for r in bulletins.history(data.warehouse_path(), Scope(frozenset({EAST})))
              if r["id"] == forged["response"]["bulletin-made-store"]["data"]]
    assert mine["area_name"] == "城东区" and "城东区运行中的社区卫生服务中心9个" in mine["text"]
    assert "全市" not in mine["text"]


def test_roles_without_the_permission_get_nothing(app):
    planner = login(app.server.test_client(), "planner")
    assert planner.get("/bulletin").status_code == 200               # the page says so, in words
    made = call(planner, "bulletin-download.data", values("990103", "2026-09"), "bulletin-docx-button.n_clicks")
    response = made.get_json()["response"]
    assert "bulletin-download" not in response and "无权" in json.dumps(response, ensure_ascii=False)


def test_a_township_or_a_year_gets_a_plain_refusal_not_a_bulletin(app):
    east = login(app.server.test_client(), "east")
    for area, period, words in ((f"{EAST}001", "2026Q3", "请在上方选择区县"), (EAST, "2026", "请在上方选择月或季度")):
        made = call(east, "bulletin-download.data", values(area, period), "bulletin-docx-button.n_clicks").get_json()
        assert "bulletin-download" not in made["response"]
        assert words in json.dumps(made["response"], ensure_ascii=False)


def test_a_kept_bulletin_outlives_a_resubmission(app, tmp_path):
    """Made, then a September report of 城东区 resubmitted (a new warehouse version): the kept
    bulletin's file is handed back unchanged, and its record names the version it was made from."""
    from factory import load, monthly_file
    east = login(app.server.test_client(), "east")
    made = call(east, "bulletin-download.data", values(EAST, "2026-09"), "bulletin-docx-button.n_clicks").get_json()
    bulletin_id = made["response"]["bulletin-made-store"]["data"]
    kept = base64.b64decode(made["response"]["bulletin-download"]["data"]["content"])
    before = call(east, "bulletin-preview-div.children", values(EAST, "2026-09"), "shell-area-dropdown.value")
    assert "2026年9月月报应报54份，已报54份" in before.get_data(as_text=True)
    results = load(data.warehouse_path(), monthly_file(tmp_path / "resubmitted.csv", [
        {"facility_code": "990102001C1", "period": "2026-09", "submitted_on": "2026-11-20", "edu_lectures": 99}]))
    assert [r.status for r in results] == ["accepted"], [r.problems for r in results]
    again = call(east, "bulletin-download.data", values(EAST, "2026-09", {
        ("bulletin-history-dropdown", "value"): bulletin_id}), "bulletin-history-docx-button.n_clicks").get_json()
    assert base64.b64decode(again["response"]["bulletin-download"]["data"]["content"]) == kept
    [record] = [r for r in bulletins.history(data.warehouse_path(), Scope(frozenset({EAST}))) if r["id"] == bulletin_id]
    assert record["warehouse_version"] != current_version_file(data.warehouse_path()).name


def test_a_long_ranking_shows_its_first_and_last_rows_and_says_the_files_hold_the_rest(app):
    """A province's ranking of 340 centers sent a 662 KB preview: the page shows rows 1–15 and
    326–340, and a row saying the 310 between are in the Word and PDF files."""
    from dashboard.bulletin import Block
    from dashboard.callbacks.bulletin import preview
    ranking = Block("table", header=["名次", "机构"], rows=[[str(n), f"机构{n}"] for n in range(1, 341)])
    table = preview([Block("heading", "二、排名"), ranking], "zh")[1]
    body = table.children[1].children
    assert len(body) == 31
    assert [row.children[0].children for row in body[:2]] == ["1", "2"]
    assert body[15].children.children == "…… 其间 310 行见下载的 Word / PDF 文件 ……"
    assert [row.children[0].children for row in body[-2:]] == ["339", "340"]
    short = preview([Block("table", header=["名次"], rows=[["1"], ["2"]])], "en")[0]
    assert len(short.children[1].children) == 2
