"""The analysis page (数据分析): relative periods, the query against v_area_indicator_value, scope,
the cell cap, the pivot and its exports, the view in the URL, and favourites. The expected numbers
are the sample city's (data_samples/), looked up once by hand in v_area_indicator_value."""
import io
import json
from datetime import date
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import duckdb
import pandas as pd
import pytest

from benchmarks.callbacks import input_entry, outputs_of
from dashboard import data
from dashboard.analysis_view import View, href, query_string, read_query, read_view
from dashboard.tables import analysis as shapes
from dashboard.tables import to_file
from warehouse.accounts import MAX_FAVOURITE_NAME, MAX_FAVOURITES, AccountError, Accounts
from warehouse.queries import analysis
from warehouse.queries.analysis import MAX_CELLS, Answer, Selection, relative_periods
from warehouse.scope import Scope
from warehouse.store import current_version_file

from conftest import PASSWORD, login

EVERYTHING = Scope.everything()
EAST = Scope(frozenset({"990102"}))                                  # the 'east' bureau user's district
EAST_TOWNSHIPS = tuple(f"99010200{n}" for n in range(1, 9))         # 解放路街道 … 胜利街道
TWO = ("records_rate", "health_lectures")                           # a rate and a count


# --- relative periods ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, horizon, expected", [
    ("last_12_months", date(2026, 10, 1), ("month", ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04",
                                                    "2026-05", "2026-06", "2026-07", "2026-08", "2026-09",
                                                    "2026-10"])),
    ("this_year_quarters", date(2026, 10, 1), ("quarter", ["2026Q1", "2026Q2", "2026Q3", "2026Q4"])),
    ("this_year_quarters", date(2026, 5, 1), ("quarter", ["2026Q1", "2026Q2"])),
    ("this_year_months", date(2026, 3, 1), ("month", ["2026-01", "2026-02", "2026-03"])),
    ("this_year_months", date(2026, 1, 1), ("month", ["2026-01"])),
    # "last N": complete periods only (2026Q4 has October alone; 2026 is not over)
    ("last_4_quarters", date(2026, 10, 1), ("quarter", ["2025Q4", "2026Q1", "2026Q2", "2026Q3"])),
    ("last_4_quarters", date(2026, 12, 1), ("quarter", ["2026Q1", "2026Q2", "2026Q3", "2026Q4"])),
    ("last_4_quarters", date(2026, 2, 1), ("quarter", ["2025Q1", "2025Q2", "2025Q3", "2025Q4"])),
    ("last_3_years", date(2026, 10, 1), ("year", ["2023", "2024", "2025"])),
    ("last_3_years", date(2026, 12, 1), ("year", ["2024", "2025", "2026"])),
    ("last_12_months", date(2026, 1, 1), ("month", ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07",
                                                   "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
                                                   "2026-01"])),
])
def test_relative_periods_resolve_against_the_data_horizon(name, horizon, expected):
    assert relative_periods(name, horizon) == expected


def test_an_unknown_relative_period_is_refused():
    with pytest.raises(KeyError):
        relative_periods("last_100_years", date(2026, 10, 1))


# --- the query ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def con(sample_db):
    connection = duckdb.connect(str(current_version_file(sample_db)), read_only=True)
    yield connection
    connection.close()


VIEW_SQL = """SELECT indicator_code, area_code, area_level, period_kind, period, numerator, denominator, value,
                     target, meets_target
              FROM v_area_indicator_value
              WHERE area_level = ? AND period_kind = ? AND list_contains(?, period)
                AND list_contains(?, indicator_code) AND list_contains(?, area_code)"""
KEY = ["indicator_code", "area_code", "period"]
SAME = ["area_level", "period_kind", "numerator", "denominator", "value", "target", "meets_target"]


@pytest.mark.parametrize("chosen, codes", [
    (Selection(TWO, "township", EAST_TOWNSHIPS, "quarter", ("2026Q2", "2026Q3")), EAST_TOWNSHIPS),
    (Selection(("htn_control_rate", "health_lectures", "newborn_visit_rate"), "district", (), "month",
               ("2026-08", "2026-09", "2026-10")), ("990102", "990103", "990104", "990121")),
    (Selection(("records_rate",), "city", (), "year", ("2021", "2022", "2023", "2024", "2025", "2026")), ("all",)),
])
def test_every_cell_is_the_cell_of_v_area_indicator_value(con, chosen, codes):
    answer = analysis.values(con, EVERYTHING, chosen)
    view = con.execute(VIEW_SQL, [chosen.level, chosen.period_kind, list(chosen.periods), list(chosen.indicators),
                                  list(codes)]).df()
    assert not answer.refused and answer.cells == len(chosen.indicators) * len(codes) * len(chosen.periods)
    assert len(answer.values) == len(view) > 0
    mine = answer.values.set_index(KEY).sort_index()
    theirs = view.set_index(KEY).sort_index()
    assert list(mine.index) == list(theirs.index)
    for column in SAME:          # equal, not close: the values are the view's, read as they are
        assert mine[column].astype(object).where(mine[column].notna(), None).tolist() == \
            theirs[column].astype(object).where(theirs[column].notna(), None).tolist(), column


def test_a_few_cells_by_hand(con):
    answer = analysis.values(con, EVERYTHING, Selection(TWO, "township", EAST_TOWNSHIPS, "quarter", ("2026Q3",)))
    cells = answer.values.set_index(["indicator_code", "area_code"])
    jiefang = cells.loc[("records_rate", "990102001")]          # 解放路街道, 2026Q3
    assert (jiefang["area_name"], jiefang["numerator"], jiefang["denominator"]) == ("解放路街道", 48751, 53281)
    assert jiefang["value"] == pytest.approx(0.914979, abs=1e-6) and bool(jiefang["meets_target"])
    lectures = cells.loc[("health_lectures", "990102001")]     # a count: 14 lectures against 15
    assert (lectures["value"], lectures["target"], bool(lectures["meets_target"])) == (14, 15, False)
    assert pd.isna(lectures["denominator"]) and not lectures["is_rate"]
    assert cells.loc[("health_lectures", "990102008"), "value"] == 33                  # 胜利街道
    city = analysis.values(con, EVERYTHING, Selection(("records_rate",), "city", (), "year", ("2025",))).values
    assert (city["numerator"].item(), city["denominator"].item()) == (1604842, 1751942)
    assert city["value"].item() == pytest.approx(0.916036, abs=1e-6)
    district = analysis.values(con, EAST, Selection(("htn_control_rate",), "district", (), "month", ("2026-10",)))
    assert district.values[["area_code", "numerator", "denominator"]].values.tolist() == [["990102", 17027, 25815]]


def test_another_districts_areas_are_never_read(con):
    """A bureau user of 990102 asking for 新城区's townships (as a URL or a forged request would)
    gets nothing of them; the city, which holds every district, is not theirs either."""
    theirs = ("990104001", "990104002")
    answer = analysis.values(con, EAST, Selection(TWO, "township", theirs, "quarter", ("2026Q3",)))
    assert answer.cells == 0 and answer.values.empty
    mixed = analysis.values(con, EAST, Selection(TWO, "township", (*theirs, "990102001"), "quarter", ("2026Q3",)))
    assert set(mixed.values["area_code"]) == {"990102001"}
    assert set(analysis.values(con, EAST, Selection(("records_rate",), "township", (), "quarter", ("2026Q3",))
                               ).values["area_code"]) == set(EAST_TOWNSHIPS)
    assert analysis.values(con, EAST, Selection(("records_rate",), "city", (), "year", ("2025",))).values.empty
    assert list(analysis.area_choices(con, EAST, "district")["area_code"]) == ["990102"]
    assert analysis.area_choices(con, EAST, "city").empty
    assert list(analysis.area_choices(con, EVERYTHING, "city")["area_code"]) == ["all"]


def test_more_cells_than_the_cap_are_refused_before_reading(con):
    every = tuple(con.execute("SELECT indicator_code FROM indicator_registry ORDER BY sort_order").df()["indicator_code"])
    months = tuple(f"2025-{m:02d}" for m in range(1, 13))
    answer = analysis.values(con, EVERYTHING, Selection(every, "township", (), "month", months))
    assert (answer.cells, answer.refused, len(answer.values)) == (24 * 32 * 12, True, 0)
    assert MAX_CELLS == 5000
    fits = analysis.values(con, EVERYTHING, Selection(every[:13], "township", (), "month", months))
    assert (fits.cells, fits.refused) == (13 * 32 * 12, False)          # 4,992


# --- the pivot and its exports ------------------------------------------------------------------

def shaped(con, rows, cols, lang="zh", chosen=None):
    chosen = chosen or Selection(TWO, "township", EAST_TOWNSHIPS, "quarter", ("2026Q2", "2026Q3"))
    answer = analysis.values(con, EVERYTHING, chosen)
    return shapes.pivot(answer, SimpleNamespace(lang=lang, params={"rows": rows, "cols": cols}))


def test_the_pivot_places_the_views_values_rates_as_percent_and_counts_as_counts(con):
    one_quarter = Selection(TWO, "township", EAST_TOWNSHIPS, "quarter", ("2026Q3",))
    columns, frame = shaped(con, "area", "indicator", chosen=one_quarter)
    # the third dimension under the rows, even of one value: the table (and its file) names it
    # townships link to their profiles (kind "township", from each row's township_code)
    assert columns == [("area_label", "区域", "township"), ("period_label", "期间", "text"),
                       ("c0", "居民健康档案建档率", "pct"), ("c1", "健康教育讲座次数", "int")]
    assert list(frame["township_code"][:2]) == ["990102001", "990102002"]
    assert list(frame["area_label"]) == ["解放路街道", "和平街道", "文化路街道", "东关街道", "新华街道", "建设路街道",
                                         "人民路街道", "胜利街道"]
    assert set(frame["period_label"]) == {"2026年第3季度"}
    first = frame.iloc[0]
    assert first["c0"] == pytest.approx(48751 / 53281) and first["c1"] == 14
    columns, frame = shaped(con, "indicator", "period", lang="en")
    assert [c[1] for c in columns] == ["Indicator", "Area", "2026 Q2", "2026 Q3"]
    assert [c[2] for c in columns[2:]] == ["rate_or_count", "rate_or_count"]
    rows = frame.set_index(["indicator_code", "area_code"])
    assert rows.loc[("health_lectures", "990102008"), "c1"] == 33 and bool(rows.loc[("health_lectures", "990102008"),
                                                                                      "is_count"])
    assert not rows.loc[("records_rate", "990102001"), "is_count"]
    assert list(frame["indicator_label"])[:2] == ["Health record coverage", "Health record coverage"]
    assert len(frame) == 16


def test_the_pivot_exports_as_xlsx_and_csv_with_the_values_on_screen(con):
    columns, frame = shaped(con, "area", "period")
    csv = pd.read_csv(io.BytesIO(to_file(columns, frame, "csv")), encoding="utf-8-sig")
    xlsx = pd.read_excel(io.BytesIO(to_file(columns, frame, "xlsx")))
    assert list(csv.columns) == list(xlsx.columns) == ["区域", "指标", "2026年第2季度", "2026年第3季度"]
    first = csv.iloc[0].tolist()
    assert first[:2] == ["解放路街道", "居民健康档案建档率"] and first[3] == pytest.approx(0.914979, abs=1e-6)
    assert xlsx.iloc[1].tolist()[:2] == ["解放路街道", "健康教育讲座次数"] and xlsx.iloc[1].tolist()[3] == 14


def test_text_in_an_export_is_never_a_formula():
    """Area names come from uploaded files: one that reads as a formula stays text, in a cell and
    in a header."""
    frame = pd.DataFrame([{"indicator_code": "records_rate", "indicator_zh": "居民健康档案建档率", "indicator_en": "x",
                           "is_rate": True, "area_code": "990102001", "area_name": '=HYPERLINK("http://x","y")',
                           "area_level": "township", "period_kind": "quarter", "period": "2026Q3", "numerator": 1,
                           "denominator": 2, "value": 0.5, "target": 0.9, "meets_target": False}])
    answer = Answer(frame, 1, False)
    for rows, cols in (("area", "period"), ("period", "area")):
        columns, shaped_frame = shapes.pivot(answer, SimpleNamespace(lang="zh", params={"rows": rows, "cols": cols}))
        text = to_file(columns, shaped_frame, "csv").decode("utf-8-sig")
        assert "'=HYPERLINK" in text and ',=HYPERLINK' not in text and not text.startswith("=")


def test_two_areas_of_one_name_are_told_apart():
    frame = pd.DataFrame({"indicator_zh": ["率"] * 3, "indicator_en": ["rate"] * 3, "area_code": ["1", "2", "3"],
                          "area_name": ["城关镇", "城关镇", "北园街道"], "period": ["2026Q3"] * 3})
    assert list(shapes.labelled(frame, "zh")["area_label"]) == ["城关镇（1）", "城关镇（2）", "北园街道"]


# --- the view in the URL ------------------------------------------------------------------------

def test_a_view_reads_back_from_its_query_string():
    view = View(indicators=TWO, level="township", areas=EAST_TOWNSHIPS[:2], relative="fixed", kind="quarter",
                periods=("2026Q2", "2026Q3"), rows="indicator", cols="area", view="bar")
    query = query_string(view)
    assert query == ("indicators=records_rate,health_lectures&level=township&areas=990102001,990102002&relative=fixed"
                     "&kind=quarter&periods=2026Q2,2026Q3&rows=indicator&cols=area&view=bar")
    assert read_query(query) == read_query("?" + query) == view
    # relative periods are resolved when opened: chosen ones beside them are not kept
    assert query_string(read_view({"relative": "last_12_months", "periods": "2026Q3"})) == \
        "level=township&relative=last_12_months&kind=quarter&rows=area&cols=period&view=table"
    assert href(view, "en").endswith("&view=bar&lang=en")


@pytest.mark.parametrize("params", [
    {"indicators": "<script>alert(1)</script>,records_rate", "level": "moon", "areas": "990102001;DROP TABLE x",
     "relative": "forever", "kind": "week", "periods": "2026Q9,2026-13,abc", "rows": "x", "cols": "x", "view": "pie"},
    {"indicators": ["a", "b"], "level": ["township", "city"], "areas": [], "periods": None, "rows": 5, "cols": None},
    {"indicators": "x" * 10_000, "areas": ",".join(str(n) for n in range(5000)), "kind": "quarter",
     "periods": "2026-10,2026Q3", "rows": "period", "cols": "period"},
])
def test_a_malformed_link_is_clamped_to_the_views_forms(params):
    view = read_view(params)
    assert view.level in ("township", "district", "city") and view.relative in (
        "fixed", "last_12_months", "last_4_quarters", "this_year_months", "this_year_quarters", "last_3_years")
    assert view.kind in ("month", "quarter", "year") and all(p.count("Q") or p.count("-") or p.isdigit()
                                                             for p in view.periods)
    assert view.rows != view.cols and view.view in ("table", "line", "bar", "map")
    assert len(view.areas) <= 500 and all(len(c) <= 64 for c in view.indicators)
    assert read_query(query_string(view)) == view


def test_malformed_values_are_left_out_one_by_one():
    view = read_view({"indicators": "<script>,records_rate", "relative": "fixed", "kind": "quarter",
                      "periods": "2026Q9,2026-10,2026Q3",
                      "rows": "period", "cols": "period", "level": ["district", "township"]})
    assert (view.indicators, view.periods, view.rows, view.cols, view.level) == (
        ("records_rate",), ("2026Q3",), "period", "indicator", "township")


# --- through the app, as each user -------------------------------------------------------------

@pytest.fixture(scope="module")
def app(sample_db, sample_users):
    from dashboard.app import app
    data.configure(sample_db)
    return app


def call(client, output: str, values: dict | None = None, named: dict | None = None, changed: str | None = None,
         exports: tuple = ()):
    """POST one callback the way the browser does: `output` picks it (a part of its outputs),
    `values` by (component, property), `named` the page's {"type": "param"} controls, `exports`
    the export buttons on the page."""
    dependencies = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in dependencies if output in d["output"] and not d.get("clientside_function"))
    values = {("shell-lang-store", "data"): "zh", **(values or {})}
    named = {**PAGE, **(named or {})}
    outputs = outputs_of(dep["output"])
    first = dep["inputs"][0]
    body = {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": [input_entry(i, values, named, exports) for i in dep["inputs"]],
            "state": [input_entry(s, values, named) for s in dep["state"]],
            "changedPropIds": [changed or f"{first['id']}.{first['property']}"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


PAGE = {"indicators": list(TWO), "level": "township", "areas": list(EAST_TOWNSHIPS), "relative": "fixed",
        "kind": "quarter", "periods": ["2026Q3"], "rows": "area", "cols": "indicator", "view": "table"}


def param(name: str) -> str:
    return json.dumps({"name": name, "type": "param"}, separators=(",", ":"))


def test_the_page_shows_the_pivot_of_the_view(app):
    east = login(app.server.test_client(), "east")
    answer = call(east, "analysis-header-div")
    assert "2 个指标 × 8 个区域 × 1 个期间" in json.dumps(answer["analysis-header-div"], ensure_ascii=False)
    rows = answer["analysis-pivot-table"]["rowData"]
    assert rows[0]["area_label"] == "解放路街道" and rows[0]["c0"] == pytest.approx(0.914979) and rows[0]["c1"] == 14
    assert [c["headerName"] for c in answer["analysis-pivot-table"]["columnDefs"]] == [
        "区域", "期间", "居民健康档案建档率", "健康教育讲座次数"]
    assert "2026年第3季度 · 数据截至 2026年10月" in answer["analysis-result-caption"]["children"]


def test_the_export_holds_the_pivot_on_screen(app):
    import base64
    east = login(app.server.test_client(), "east")
    button = {"format": "csv", "table": "analysis-pivot", "type": "export"}
    answer = call(east, "shell-export-download", exports=(button,),
                  changed=json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks")
    csv = pd.read_csv(io.BytesIO(base64.b64decode(answer["shell-export-download"]["data"]["content"])),
                      encoding="utf-8-sig")
    assert list(csv.columns) == ["区域", "期间", "居民健康档案建档率", "健康教育讲座次数"] and len(csv) == 8
    assert csv.iloc[0, :2].tolist() == ["解放路街道", "2026年第3季度"]
    assert csv.iloc[0, 2] == pytest.approx(0.914979, abs=1e-6) and csv.iloc[0, 3] == 14


def test_a_bureau_user_never_sees_another_districts_areas_even_by_url(app):
    east = login(app.server.test_client(), "east")
    theirs = {"level": "township", "areas": ["990104001", "990104002"]}
    text = json.dumps(call(east, "analysis-header-div", named=theirs), ensure_ascii=False)
    assert "高新街道" not in text and "滨河街道" not in text and "所选组合没有上报数据" in text
    controls = call(east, "analysis-initial-store", named=theirs,
                    values={("analysis-initial-store", "data"): {"areas": ["990104001"], "indicators": ["records_rate"]}})
    offered = {o["value"] for o in controls[param("areas")]["options"]}
    assert offered == set(EAST_TOWNSHIPS) and controls[param("areas")]["value"] == []
    city = json.dumps(call(east, "analysis-header-div", named={"level": "city", "areas": [], "periods": ["2025Q4"]}),
                      ensure_ascii=False)
    assert "城东区" in city and "新城区" not in city and "全市" not in city          # the city is read as their district
    page = call(east, "_pages_content", values={("_pages_location", "pathname"): "/analysis",
                                                 ("_pages_location", "search"): "?level=city&areas=990104001"})
    assert '"value": "city"' not in json.dumps(page, ensure_ascii=False)          # no city level offered to them


def test_more_cells_than_the_cap_is_a_message_in_the_pages_language(app):
    root = login(app.server.test_client(), "root")
    everything = {"indicators": [], "areas": [], "relative": "last_12_months"}
    every = call(root, "analysis-initial-store", named=everything,
                 values={("analysis-initial-store", "data"): {"indicators": []}})[param("indicators")]["options"]
    everything["indicators"] = [o["value"] for o in every]
    zh = json.dumps(call(root, "analysis-header-div", named=everything), ensure_ascii=False)
    assert "所选组合共 9,216 个数值，超过上限 5,000 个：请减少指标、区域或期间。" in zh
    en = json.dumps(call(root, "analysis-header-div", named=everything, values={("shell-lang-store", "data"): "en"}),
                    ensure_ascii=False)
    assert "This view asks for 9,216 values, more than the limit of 5,000" in en


@pytest.mark.parametrize("search", [
    "?indicators=%3Cscript%3E&level=moon&areas=%27%3B--&periods=2026Q9&kind=day&relative=x&rows=&cols=q&view=3d",
    "?indicators=records_rate&indicators=health_lectures&level=township&level=district&periods=2026Q3,2026-10",
    "?areas=" + ",".join(str(990102000 + n) for n in range(300)) + "&view=map&lang=fr",
])
def test_a_malformed_url_gives_the_page_not_an_error(app, search):
    root = login(app.server.test_client(), "root")
    assert root.get("/analysis" + search).status_code == 200
    page = call(root, "_pages_content", values={("_pages_location", "pathname"): "/analysis",
                                                 ("_pages_location", "search"): search})
    assert "analysis-header-div" in json.dumps(page)
    view = read_query(search)
    controls = {name: list(value) if isinstance(value, tuple) else value for name, value in vars(view).items()}
    call(root, "analysis-header-div", named=controls)          # answers (200), whatever the link held
    assert len(view.areas) <= 200


def test_a_link_longer_than_a_request_line_is_refused_not_an_error(app):
    root = login(app.server.test_client(), "root")
    too_long = "?areas=" + ",".join(str(990102000 + n) for n in range(500))
    dependencies = root.get("/_dash-dependencies").get_json()
    dep = next(d for d in dependencies if "_pages_content" in d["output"])
    body = {"output": dep["output"], "outputs": outputs_of(dep["output"]), "changedPropIds": ["_pages_location.search"],
            "inputs": [input_entry(i, {("_pages_location", "pathname"): "/analysis",
                                       ("_pages_location", "search"): too_long}, {}) for i in dep["inputs"]],
            "state": [input_entry(s, {}, {}) for s in dep["state"]]}
    response = root.post("/_dash-update-component", json=body)
    assert response.status_code == 400 and "longer than 4094" in response.get_json()["reason"]


def test_odd_control_values_get_an_answer(app):
    root = login(app.server.test_client(), "root")
    for odd in ({"level": "zzz", "rows": "-", "cols": "0", "view": ""}, {"relative": "zzz", "kind": "0", "periods": ["zzz"]},
                {"indicators": ["zzz"], "areas": ["zzz"], "view": "map"}, {"view": "line", "relative": "last_3_years"},
                {"view": "map", "level": "township", "areas": [], "indicators": ["records_rate"]}):
        call(root, "analysis-header-div", named=odd)


# --- favourites ---------------------------------------------------------------------------------

@pytest.fixture()
def store(tmp_path):
    accounts = Accounts(tmp_path / "auth.sqlite")
    users = {name: accounts.add_user(name, PASSWORD, role, districts)
             for name, role, districts in (("east", "bureau", ["990102"]), ("planner", "planner", ["990103"]))}
    return accounts, users


def test_favourites_are_saved_listed_replaced_and_deleted_per_user(store):
    accounts, users = store
    east, planner = users["east"], users["planner"]
    view = View(indicators=TWO, areas=EAST_TOWNSHIPS, relative="fixed", periods=("2026Q3",), cols="indicator")
    assert accounts.save_favourite(east, "  城东区  季度 ", query_string(view)) == "城东区 季度"
    accounts.save_favourite(east, "趋势", query_string(View(relative="last_12_months", view="line")))
    assert [f["name"] for f in accounts.list_favourites(east)] == ["城东区 季度", "趋势"]
    assert read_query(accounts.list_favourites(east)[0]["query"]) == view           # reopens the same view
    accounts.save_favourite(east, "趋势", query_string(View(relative="last_3_years")))   # same name: replaced
    assert read_query(accounts.list_favourites(east)[1]["query"]).relative == "last_3_years"
    assert accounts.list_favourites(planner) == []                                  # not another user's
    with pytest.raises(AccountError, match="no_such_favourite"):
        accounts.delete_favourite(planner, "趋势")                                   # nor can they delete it
    assert len(accounts.list_favourites(east)) == 2
    accounts.delete_favourite(east, "趋势")
    assert [f["name"] for f in accounts.list_favourites(east)] == ["城东区 季度"]


@pytest.mark.parametrize("name", ["", "   ", "x" * (MAX_FAVOURITE_NAME + 1), "a\x00b", "a\u202eb"])
def test_a_favourites_name_is_short_plain_text(store, name):
    accounts, users = store
    with pytest.raises(AccountError, match="favourite_name"):
        accounts.save_favourite(users["east"], name, "view=table")
    assert accounts.save_favourite(users["east"], "<b>" + "字" * (MAX_FAVOURITE_NAME - 3), "view=table")


def test_favourites_are_limited_and_need_a_user(store):
    accounts, users = store
    for n in range(MAX_FAVOURITES):
        accounts.save_favourite(users["east"], f"v{n:02d}", "view=table")
    with pytest.raises(AccountError, match="too_many_favourites"):
        accounts.save_favourite(users["east"], "one more", "view=table")
    accounts.save_favourite(users["east"], "v00", "view=bar")            # replacing one still may
    with pytest.raises(AccountError, match="favourite_query"):
        accounts.save_favourite(users["planner"], "x", "view=table&x=" + "a" * 5000)
    with pytest.raises(PermissionError):
        accounts.save_favourite(None, "x", "view=table")
    with pytest.raises(PermissionError):
        accounts.list_favourites(None)


def test_a_saved_favourite_opens_from_the_overview_as_the_same_view(app):
    """Saved on the analysis page by the session's user, listed on their overview as a link to the
    same view; another user sees none and cannot delete it; deleted, it is gone."""
    from dashboard import auth
    east, planner = login(app.server.test_client(), "east"), login(app.server.test_client(), "planner")
    save = {("analysis-favourite-name-input", "value"): "城东区 2026Q3"}
    try:
        saved = call(east, "analysis-favourites-div", values=save, changed="analysis-favourite-save-button.n_clicks")
        assert "已保存收藏“城东区 2026Q3”" in json.dumps(saved, ensure_ascii=False)
        links = call(east, "overview-favourites-div")["overview-favourites-div"]["children"]
        link = links["props"]["children"][0]["props"]["children"]["props"]
        assert link["children"] == "城东区 2026Q3"
        opened = urlparse(link["href"])
        assert opened.path == "/analysis" and read_query(opened.query) == read_view(PAGE)
        page = call(east, "_pages_content", values={("_pages_location", "pathname"): "/analysis",
                                                     ("_pages_location", "search"): "?" + opened.query})
        assert '"indicators": ["records_rate", "health_lectures"]' in json.dumps(page, ensure_ascii=False)
        other = json.dumps(call(planner, "overview-favourites-div"), ensure_ascii=False)
        assert "城东区 2026Q3" not in other and "还没有收藏" in other
        refused = call(planner, "analysis-favourites-div", values={("analysis-favourite-dropdown", "value"): "城东区 2026Q3"},
                       changed="analysis-favourite-delete-button.n_clicks")
        assert "没有这个收藏" in json.dumps(refused, ensure_ascii=False)
        assert [f["name"] for f in auth.accounts().list_favourites(auth.accounts().get("east"))] == ["城东区 2026Q3"]
        call(east, "analysis-favourites-div", values={("analysis-favourite-dropdown", "value"): "城东区 2026Q3"},
             changed="analysis-favourite-delete-button.n_clicks")
        assert auth.accounts().list_favourites(auth.accounts().get("east")) == []
        entries = auth.accounts().audit_entries(10, username="east")
        assert {"favourite_save", "favourite_delete"} <= {e["action"] for e in entries}
    finally:
        for favourite in auth.accounts().list_favourites(auth.accounts().get("east")):
            auth.accounts().delete_favourite(auth.accounts().get("east"), favourite["name"])


def test_a_stored_query_becomes_a_link_only_in_the_pages_own_spelling():
    from dashboard.callbacks.analysis import favourite_links
    links = favourite_links([{"name": "<img src=x>", "query": "javascript:alert(1)//&view=bar&lang=en"}], "zh")
    link = links.children[0].children
    assert link.children == "<img src=x>"                     # text, escaped by React when drawn
    assert link.href.startswith("/analysis?") and "javascript" not in link.href and "view=bar" in link.href
    assert parse_qs(urlparse(link.href).query)["view"] == ["bar"]


def test_a_file_too_large_for_an_answer_goes_by_a_link_for_its_user_only(app, monkeypatch):
    """Past what fits an answer of 1 MB, the export is kept on the server and the answer carries its
    link; the link gives the same file to the user it was made for, and nothing to anyone else."""
    from dashboard import downloads
    monkeypatch.setattr(downloads, "IN_ANSWER_BYTES", 100)
    east = login(app.server.test_client(), "east")
    button = {"format": "csv", "table": "analysis-pivot", "type": "export"}
    answer = call(east, "shell-export-download", exports=(button,),
                  changed=json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks")
    assert "shell-export-download" not in answer
    link = answer["shell-file-link-store"]["data"]["url"]
    assert link.startswith("/download/") and len(link) == len("/download/") + 32
    got = east.get(link)
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    assert "filename*=UTF-8''analysis-pivot_all_2026Q3.csv" in got.headers["Content-Disposition"]
    csv = pd.read_csv(io.BytesIO(got.get_data()), encoding="utf-8-sig")
    assert csv.iloc[0, :2].tolist() == ["解放路街道", "2026年第3季度"] and len(csv) == 8
    assert login(app.server.test_client(), "root").get(link).status_code == 404       # not theirs
    assert app.server.test_client().get(link).status_code != 200                      # nobody logged in
    assert east.get("/download/" + "0" * 32).status_code == 404
    # a path in place of a token is not this route's: the app's own page answers, no file
    assert "Content-Disposition" not in east.get("/download/..%2F..%2Fetc").headers
    monkeypatch.setattr(downloads, "KEEP_SECONDS", -1)                                # an hour later
    assert east.get(link).status_code == 404


def test_a_file_that_fits_an_answer_is_sent_in_it():
    from dash import no_update

    from dashboard import downloads
    sent, link = downloads.deliver("unused.duckdb", "east", b"a,b\n1,2\n", "small.csv")
    assert sent["filename"] == "small.csv" and sent["base64"] is True and link is no_update
