"""The 通报 page through the server, as each role sends it: the preview, making a bulletin (kept
with its record), the history and downloading a kept one — only within the user's districts."""
import base64
import json
import shutil
import time

import pytest

from benchmarks.callbacks import input_entry, outputs_of
from dashboard import bulletin_jobs, data
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


def make(client, values: dict, trigger: str = "bulletin-docx-button.n_clicks") -> dict:
    """Click make, then poll the job as the page does until it answers with something other than
    "still making"; the last response. The click itself never carries the file."""
    answer = call(client, "bulletin-download.data", values, trigger)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    started = answer.get_json()["response"]
    assert "bulletin-download" not in started
    token = started.get("bulletin-job-store", {}).get("data")
    if token is None:                       # refused at the click: no job
        return started
    assert "正在生成通报" in json.dumps(started, ensure_ascii=False)
    deadline = time.monotonic() + 120
    while True:
        polled = call(client, "bulletin-download.data", {**values, ("bulletin-job-store", "data"): token},
                      "bulletin-poll-interval.n_intervals").get_json()["response"]
        if "正在生成通报" not in json.dumps(polled, ensure_ascii=False) or time.monotonic() > deadline:
            return polled
        time.sleep(0.05)


def values(area, period, extra=None):
    return {("shell-area-dropdown", "value"): area, ("shell-period-dropdown", "value"): period,
            ("shell-lang-store", "data"): "zh", ("bulletin-number-input", "value"): "12",
            ("bulletin-docx-button", "n_clicks"): 1, ("bulletin-pdf-button", "n_clicks"): None,
            ("bulletin-made-store", "data"): None, ("bulletin-history-docx-button", "n_clicks"): 1,
            ("bulletin-history-pdf-button", "n_clicks"): None, ("bulletin-job-store", "data"): None,
            ("bulletin-poll-interval", "n_intervals"): 1, **(extra or {})}


def test_a_bureau_user_makes_their_districts_bulletin_and_gets_the_kept_file_back(app):
    east = login(app.server.test_client(), "east")
    preview = call(east, "bulletin-preview-div.children", values(EAST, "2026Q3"), "shell-area-dropdown.value")
    assert preview.status_code == 200, preview.get_data(as_text=True)[:300]
    text = json.dumps(preview.get_json(), ensure_ascii=False)
    assert "关于2026年第3季度基层医疗卫生机构工作情况的通报" in text and "完整率99.4%" in text
    made = make(east, values(EAST, "2026Q3"))
    download = made["bulletin-download"]["data"]
    assert download["filename"] == f"通报_{EAST}_2026Q3.docx"
    docx = base64.b64decode(download["content"])
    bulletin_id = made["bulletin-made-store"]["data"]
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
    made = make(root, values(OTHER, "2026-09"))
    other_id = made["bulletin-made-store"]["data"]
    east = login(app.server.test_client(), "east")
    history = call(east, "bulletin-history-table.rowData", values(EAST, "2026Q3"), "bulletin-made-store.data")
    assert other_id not in history.get_data(as_text=True)
    refused = call(east, "bulletin-download.data", values(EAST, "2026Q3", {
        ("bulletin-history-dropdown", "value"): other_id}), "bulletin-history-docx-button.n_clicks").get_json()
    assert "bulletin-download" not in refused["response"]
    assert "没有这份通报" in json.dumps(refused["response"], ensure_ascii=False)
    # a forged area of another district is not east's bulletin to make: the area falls back to theirs,
    # named as theirs (城东区), never 全市
    forged = make(east, values(OTHER, "2026-09"))
    assert forged["bulletin-download"]["data"]["filename"] == "通报_all_2026-09.docx"
    [mine] = [r for r in bulletins.history(data.warehouse_path(), Scope(frozenset({EAST})))
              if r["id"] == forged["bulletin-made-store"]["data"]]
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
        made = make(east, values(area, period))
        assert "bulletin-download" not in made
        assert words in json.dumps(made, ensure_ascii=False)


def test_a_kept_bulletin_outlives_a_resubmission(app, tmp_path):
    """Made, then a September report of 城东区 resubmitted (a new warehouse version): the kept
    bulletin's file is handed back unchanged, and its record names the version it was made from."""
    from factory import load, monthly_file
    east = login(app.server.test_client(), "east")
    made = make(east, values(EAST, "2026-09"))
    bulletin_id = made["bulletin-made-store"]["data"]
    kept = base64.b64decode(made["bulletin-download"]["data"]["content"])
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


def test_the_click_answers_at_once_and_only_its_maker_follows_the_job(app):
    """The click starts a job and says so (the file comes with a poll); another user's poll of that
    job, or a token that names no job, gets nothing."""
    east = login(app.server.test_client(), "east")
    started = call(east, "bulletin-download.data", values(EAST, "2026-09"), "bulletin-pdf-button.n_clicks")
    response = started.get_json()["response"]
    token = response["bulletin-job-store"]["data"]
    assert "bulletin-download" not in response
    assert response["bulletin-poll-interval"]["disabled"] is False
    assert response["bulletin-docx-button"]["disabled"] is True and response["bulletin-pdf-button"]["disabled"] is True
    root = login(app.server.test_client(), "root")
    for forged in (token, "0" * 32, "BULLETIN"):
        polled = call(root, "bulletin-download.data", values(EAST, "2026-09", {("bulletin-job-store", "data"): forged}),
                      "bulletin-poll-interval.n_intervals")
        assert polled.status_code == 200
        assert "bulletin-download" not in polled.get_json()["response"]
    path_like = call(root, "bulletin-download.data", values(EAST, "2026-09", {
        ("bulletin-job-store", "data"): "../" * 4 + "etc"}), "bulletin-poll-interval.n_intervals")
    assert path_like.status_code == 400                                    # malformed: refused before any callback
    bulletin_jobs.wait(data.warehouse_path(), "east", token)
    done = call(east, "bulletin-download.data", values(EAST, "2026-09", {("bulletin-job-store", "data"): token}),
                "bulletin-poll-interval.n_intervals").get_json()["response"]
    assert done["bulletin-download"]["data"]["filename"] == f"通报_{EAST}_2026-09.pdf"
    assert base64.b64decode(done["bulletin-download"]["data"]["content"]).startswith(b"%PDF")
    assert done["bulletin-poll-interval"]["disabled"] is True and done["bulletin-docx-button"]["disabled"] is False
    # the job wrote the audit entry as its maker, from where the click came, within their districts
    from dashboard.auth import accounts
    [entry] = [e for e in accounts().audit_entries(username="east", action="bulletin")
               if e["detail"].startswith(done["bulletin-made-store"]["data"])]
    assert entry["detail"].endswith(f"{EAST} 2026-09") and entry["scope"] == EAST
    assert entry["remote_addr"] == "127.0.0.1"


def test_a_bulletin_that_fails_to_be_made_is_said_in_words_and_nothing_is_kept(app, monkeypatch, caplog):
    from dashboard import bulletin

    def broken(parts):
        raise RuntimeError("the font cache is damaged")
    monkeypatch.setattr(bulletin, "documents", broken)
    east = login(app.server.test_client(), "east")
    kept_before = len(bulletins.history(data.warehouse_path(), Scope(frozenset({EAST}))))
    with caplog.at_level("ERROR"):
        answer = make(east, values(EAST, "2026-09"))
    text = json.dumps(answer, ensure_ascii=False)
    assert "通报未能生成" in text and "font cache" not in text and "Traceback" not in text
    assert "bulletin-download" not in answer and answer["bulletin-docx-button"]["disabled"] is False
    assert "the font cache is damaged" in caplog.text                # the server's log has why
    assert len(bulletins.history(data.warehouse_path(), Scope(frozenset({EAST})))) == kept_before
