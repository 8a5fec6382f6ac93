"""Data-quality checks find every planted problem and flag nothing clean; rollback; uploads through
the browser's code path equal CLI loads; uploads stay inside the uploader's districts."""
import duckdb
import pytest

from warehouse.actions import confirm_flags
from warehouse.ingest import RollbackRefused
from warehouse.queries import areas, quality
from warehouse.scope import Scope
from warehouse.store import current_version_file

from factory import FACILITY_HEADER, account, load, monthly_file, query, snapshot, tiny_city, write_csv

EVERYTHING = Scope.everything()


def month(year, m):
    return f"{year}-{m:02d}"


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("dq")
    db = tiny_city(tmp_path)
    load(db, write_csv(tmp_path / "late.csv", FACILITY_HEADER, [
        ["F_NEW", "新站", "CHS", "F_CHC1", "110101001", "政府办", 116.41, 39.90, 160, "旧城改造区", "2026-08-01", ""]]))
    rows = []
    for year in (2022, 2023, 2024, 2025, 2026):
        for m in range(1, 13):
            if (year, m) > (2026, 10):
                continue
            period = month(year, m)
            clean = {"facility_code": "F_CHC2", "period": period, "submitted_on": f"{period}-28",
                     "outpatient_visits": 1000 + 10 * (m % 3), "births": 10, "newborn_visits": 9, "htn_managed": 300}
            rows.append(clean)
            planted_row = {"facility_code": "F_CHC1", "period": period, "submitted_on": f"{period}-28",
                           "outpatient_visits": 1000 + 10 * (m % 3), "births": 10, "newborn_visits": 9,
                           "htn_managed": 300, "edu_lectures": 100 if year == 2026 else 50}
            if period == "2026-09":
                planted_row["outpatient_visits"] = 9000          # outlier
            if period == "2026-07":
                planted_row["newborn_visits"] = 14              # more newborn visits than births
            if period >= "2026-05":
                planted_row["htn_managed"] = 900                # stock jumps 300 -> 900 in May
            rows.append(planted_row)
    rows = [r for r in rows if not (r["facility_code"] == "F_CHC1" and r["period"] == "2026-06")]   # missing June
    for r in rows:
        if r["facility_code"] == "F_CHC1" and r["period"] == "2026-08":
            r["submitted_on"] = "2026-09-20"                                                     # late August
    load(db, monthly_file(tmp_path / "m.csv", rows))
    load(db, monthly_file(tmp_path / "new.csv", [{"facility_code": "F_NEW", "period": "2026-09", "births": 1,
                                                  "submitted_on": "2026-10-05"}]))
    return db


def flags(db, kind):
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    try:
        if kind == "outliers":
            return quality.outliers(con, EVERYTHING, areas.CITY)
        return quality.consistency(con, EVERYTHING, areas.CITY)
    finally:
        con.close()


def test_the_planted_outlier_is_found_and_the_clean_facility_is_not_flagged(planted):
    found = flags(planted, "outliers")
    assert ("F_CHC1", "outpatient_visits", "2026-09") in set(zip(found["facility_code"], found["measure"], found["period"]))
    assert "F_CHC2" not in set(found["facility_code"])


def test_consistency_finds_each_planted_problem_and_nothing_clean(planted):
    found = flags(planted, "consistency")
    keys = set(found["flag_key"])
    assert "above_denominator:F_CHC1:newborn_visits:2026-07" in keys
    assert "pair:F_CHC1:newborn_visits:2026-07" in keys
    assert "stock_jump:F_CHC1:htn_managed:2026-05" in keys
    assert "year_change:F_CHC1:edu_lectures:2026" in keys
    assert "F_CHC2" not in set(found["facility_code"])


def test_reporting_grid_states(planted):
    con = duckdb.connect(str(current_version_file(planted)), read_only=True)
    grid = quality.reporting_grid(con, EVERYTHING, areas.CITY, "2026-05", "2026-10")
    state = {(r.facility_code, r.period): r.state for r in grid.itertuples()}
    assert state["F_CHC1", "2026-05"] == "on_time"
    assert state["F_CHC1", "2026-06"] == "missing"
    assert state["F_CHC1", "2026-08"] == "late"
    assert state["F_NEW", "2026-07"] == "not_expected"          # opened in August
    assert state["F_NEW", "2026-09"] == "on_time"
    rates = quality.reporting_rates(con, EVERYTHING, areas.CITY, "2026-05", "2026-10").set_index("code")
    # 甲街道: F_CHC1 5/6 received, 4/6 on time; F_CHS1 expected every month, never sent; F_NEW 2 expected, 1 received
    assert rates.loc["110101001", ["expected", "received", "timely"]].tolist() == [6 + 6 + 3, 5 + 0 + 1, 4 + 0 + 1]
    con.close()


def test_the_profiles_calendar_states_are_the_data_quality_pages(planted):
    """F_CHC1: May on time, June missing, August late (submitted 2026-09-20)."""
    from warehouse.queries import facility
    con = duckdb.connect(str(current_version_file(planted)), read_only=True)
    calendar = facility.submission_calendar(con, EVERYTHING, "F_CHC1").set_index("period")["state"]
    con.close()
    assert [calendar[m] for m in ("2026-05", "2026-06", "2026-08")] == ["on_time", "missing", "late"]


def test_reporting_rates_are_judged_against_the_settings_targets(planted):
    """Completeness 90 % and timeliness 75 % (the shipped settings): 甲街道 received 6 of 15 reports
    and falls short; 丙街道's one centre sent all 6 on time."""
    con = duckdb.connect(str(current_version_file(planted)), read_only=True)
    rates = quality.reporting_rates(con, EVERYTHING, areas.CITY, "2026-05", "2026-10").set_index("code")
    con.close()
    assert rates.loc["110101001", ["completeness_target", "timeliness_target", "meets"]].tolist() == [0.9, 0.75, False]
    assert rates.loc["110102001", ["expected", "received", "timely", "meets"]].tolist() == [6, 6, 6, True]


def test_a_confirmed_flag_is_marked_and_stays_confirmed(planted):
    from warehouse.accounts import User
    key = "outlier:F_CHC1:outpatient_visits:2026-09"
    assert confirm_flags(planted, [key], "已电话核实：义诊活动", User("root", "root", "admin", (), False)) == 1
    found = flags(planted, "outliers").set_index("flag_key")
    assert bool(found.loc[key, "confirmed"]) and found.loc[key, "note"] == "已电话核实：义诊活动"


def test_only_roles_that_may_confirm_and_only_existing_flags_of_their_districts(planted):
    from warehouse.accounts import User
    from warehouse.store import current_version_file as current
    key = "outlier:F_CHC1:outpatient_visits:2026-09"            # F_CHC1 is in 东城区 110101
    version = current(planted).name
    for role in ("planner", "inspector"):
        with pytest.raises(PermissionError):
            confirm_flags(planted, [key], "x", User("p", "p", role, ("110101",), False))
    west = User("w", "w", "bureau", ("110102",), False)
    made_up = ["outlier:F_CHC1:births:2020-01", "nocolon", 42, None, ["a"], "x" * 5000]
    assert confirm_flags(planted, [key, *made_up], "x", west) == 0
    assert current(planted).name == version                       # nothing was published
    east = User("e", "e", "bureau", ("110101",), False)
    assert confirm_flags(planted, made_up, "x", east) == 0 and current(planted).name == version
    assert confirm_flags(planted, [key], "y" * 2000, east) == 1
    assert query(planted, "SELECT length(note), confirmed_by FROM dq_confirmation WHERE flag_key = ?", [key]) == \
        [(500, "e")]


def test_rollback_restores_the_previous_values(tmp_path):
    from etl.loader import rollback
    db = tiny_city(tmp_path)
    [first] = load(db, monthly_file(tmp_path / "a.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 9}]))
    before = snapshot(db)
    [second] = load(db, monthly_file(tmp_path / "b.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 12,
                                                          "newborn_visits": 11}]))
    with pytest.raises(RollbackRefused, match="superseded"):
        rollback(db, first.batch_id)
    rollback(db, second.batch_id, by="root")
    after = snapshot(db)
    for table in ("monthly_measure", "monthly_report", "monthly_measure_history", "load_warning"):
        assert after[table] == before[table], table
    assert query(db, "SELECT status FROM load_batch WHERE batch_id = ?", [second.batch_id]) == [("rolled_back",)]
    with pytest.raises(RollbackRefused, match="already_rolled_back"):
        rollback(db, second.batch_id)
    rollback(db, first.batch_id)
    assert query(db, "SELECT count(*) FROM monthly_measure") == [(0,)]
    assert query(db, "SELECT count(*) FROM monthly_report") == [(0,)]


def test_an_upload_through_the_browser_path_equals_a_cli_load(tmp_path):
    import base64

    from dashboard import uploads
    from warehouse.accounts import User
    path = monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 9,
                                              "submitted_on": "2026-04-02"}], encoding="gbk")
    by_cli = tiny_city(tmp_path / "cli")
    load(by_cli, path)
    by_browser = tiny_city(tmp_path / "web")
    admin = account(by_browser, User("root", "root", "admin", (), False))
    content = "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode()
    token = uploads.receive(by_browser, admin, ["C:\\\\Users\\\\me\\\\m.csv"], [content], 20)
    assert [r.status for r in uploads.run(by_browser, admin, token, dry_run=True)] == ["accepted"]
    assert [r.status for r in uploads.run(by_browser, admin, token, dry_run=False)] == ["accepted"]
    for table in ("monthly_measure", "monthly_report"):
        assert sorted(query(by_cli, f"SELECT * EXCLUDE (batch_id) FROM {table}")) == \
            sorted(query(by_browser, f"SELECT * EXCLUDE (batch_id) FROM {table}"))
    assert uploads.files_of(by_browser, User("eve", "eve", "admin", (), False), token) == []   # not eve's upload


def test_uploads_refuse_other_types_and_paths(tmp_path):
    import base64

    from dashboard import uploads
    from warehouse.accounts import User
    user = User("root", "root", "admin", (), False)
    with pytest.raises(uploads.UploadRefused, match="type"):
        uploads.receive(tmp_path / "wh.duckdb", user, ["evil.exe"], ["data:;base64," + base64.b64encode(b"x").decode()], 20)
    with pytest.raises(uploads.UploadRefused, match="size"):
        uploads.receive(tmp_path / "wh.duckdb", user, ["big.csv"], ["data:;base64," + base64.b64encode(b"x" * 2048).decode()],
                        0.001)
    assert uploads.safe_name("../../etc/passwd.csv") == "passwd.csv"
    assert uploads.safe_name("..\\\\..\\\\x.csv") == "x.csv"


def test_a_bureau_user_may_only_load_their_own_districts(tmp_path):
    db = tiny_city(tmp_path)
    before = snapshot(db)
    path = monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHC2", "period": "2026-03", "births": 9}])
    [result] = load(db, path, allowed_districts=frozenset({"110101"}))
    assert result.status == "rejected" and [p.code for p in result.problems] == ["out_of_scope"]
    assert snapshot(db) == before
    [ok] = load(db, path, allowed_districts=frozenset({"110102"}))
    assert ok.status == "accepted"


def test_uploads_older_than_a_day_are_removed(tmp_path):
    import base64
    import os
    import time

    from dashboard import uploads
    from warehouse.accounts import User
    user = User("root", "root", "admin", (), False)
    warehouse = tmp_path / "wh.duckdb"
    content = "data:;base64," + base64.b64encode(b"a,b\n").decode()
    old = uploads.receive(warehouse, user, ["old.csv"], [content], 20)
    folder = uploads.uploads_root(warehouse) / old
    two_days_ago = time.time() - 2 * 86400
    os.utime(folder, (two_days_ago, two_days_ago))
    fresh = uploads.receive(warehouse, user, ["new.csv"], [content], 20)
    assert not folder.exists() and (uploads.uploads_root(warehouse) / fresh).exists()


def test_an_inspector_uploads_inspections_but_nothing_else(tmp_path):
    import base64

    from dashboard import uploads
    from warehouse.accounts import User

    from factory import write_csv
    db = tiny_city(tmp_path)
    inspector = account(db, User("wang", "王", "inspector", ("110101",), False))
    visits = write_csv(tmp_path / "v.csv", ["机构代码", "检查日期", "得分"], [["F_CHC1", "2026-05-01", 88]])
    months = monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 9}])
    encoded = ["data:;base64," + base64.b64encode(p.read_bytes()).decode() for p in (visits, months)]
    token = uploads.receive(db, inspector, ["v.csv", "m.csv"], encoded, 20)
    results = {r.path.name: r for r in uploads.run(db, inspector, token, dry_run=False)}
    assert results["v.csv"].status == "accepted"
    assert [p.code for p in results["m.csv"].problems] == ["kind_not_allowed"]
    assert query(db, "SELECT count(*) FROM monthly_measure") == [(0,)]


def test_the_reporting_grid_keeps_facilities_that_share_a_name_apart():
    """Three stations called 新村站: two in 甲街道 (told apart by code), one in 乙镇 (by its
    township). Each keeps its own row and state; none is merged into another."""
    import pandas as pd

    from dashboard.figures.quality import facility_grid
    frame = pd.DataFrame([
        {"facility_code": "A1", "name": "新村站", "type": "CHS", "township_name": "甲街道", "period": "2026-05", "state": "late"},
        {"facility_code": "B1", "name": "新村站", "type": "CHS", "township_name": "乙镇", "period": "2026-05",
         "state": "missing"},
        {"facility_code": "C1", "name": "新村站", "type": "CHS", "township_name": "甲街道", "period": "2026-05",
         "state": "on_time"},
        {"facility_code": "D1", "name": "丙站", "type": "CHS", "township_name": "丙街道", "period": "2026-05",
         "state": "missing"}])
    heatmap = facility_grid(frame, "zh", "").data[0]
    assert list(heatmap.y) == ["新村站（甲街道 · A1）", "新村站（乙镇）", "新村站（甲街道 · C1）", "丙站"]
    assert [row[0] for row in heatmap.z] == [1, 2, 0, 2]           # late, missing, on time, missing


@pytest.mark.parametrize("max_rows, level, expected, shares", [
    (4, "facility", None, None),
    (3, "township", [("甲街道", 2, 1, 1, 0), ("乙镇", 1, 0, 0, 1), ("丙街道", 1, 1, 0, 0)], [0.5, 0.0, 1.0]),
    (2, "district", [("东城区", 3, 1, 1, 1), ("西城区", 1, 1, 0, 0)], [0.3333, 1.0]),
])
def test_the_reporting_grid_has_a_row_per_facility_while_they_fit_then_per_area(tmp_path, max_rows, level, expected,
                                                                                  shares):
    """The tiny city's four facilities in 2026-03 (deadline the 10th): F_CHC1 on time, F_CHS1 late,
    F_THC1 missing, F_CHC2 on time."""
    from dashboard.figures.quality import reporting_grid
    db = tiny_city(tmp_path)
    load(db, monthly_file(tmp_path / "m.csv", [
        {"facility_code": "F_CHC1", "period": "2026-03", "submitted_on": "2026-04-05", "births": 3},
        {"facility_code": "F_CHS1", "period": "2026-03", "submitted_on": "2026-04-25", "births": 1},
        {"facility_code": "F_CHC2", "period": "2026-03", "submitted_on": "2026-04-03", "births": 2}]))
    con = duckdb.connect(str(current_version_file(db)))
    con.execute("UPDATE setting SET value = ? WHERE key = 'quality.grid_max_rows'", [str(max_rows)])
    grid = quality.reporting_grid_at_detail(con, EVERYTHING, areas.CITY, "2026-03", "2026-03")
    assert grid.level == level
    if expected is None:
        assert grid.cells[["facility_code", "state"]].values.tolist() == [
            ["F_CHC1", "on_time"], ["F_CHS1", "late"], ["F_THC1", "missing"], ["F_CHC2", "on_time"]]
        return
    assert [tuple(r) for r in grid.cells[["name", "expected", "on_time", "late", "missing"]].values.tolist()] == expected
    heatmap = reporting_grid(grid, "en", "").data[0]
    assert [row[0] for row in heatmap.z] == shares
    assert heatmap.text[0][0].endswith(f"{expected[0][2]} of {expected[0][1]} on time, {expected[0][3]} late, "
                                       f"{expected[0][4]} missing")


def test_a_measure_paired_twice_keeps_the_comparison_it_fails_worst(tmp_path, monkeypatch):
    """quality.pairs naming newborn_visits against births and against postpartum_visits: 9 visits
    over 5 births (1.8 ×) and over 3 postpartum visits (3 ×) are one flag, the second, on every run."""
    from warehouse.settings import load_settings
    text = load_settings().path.read_text(encoding="utf-8")
    paired = 'pairs = [["newborn_visits", "postpartum_visits"], ["newborn_visits", "births"], '
    assert text.count("pairs = [") == 1
    settings = tmp_path / "settings.toml"
    settings.write_text(text.replace("pairs = [", paired), encoding="utf-8")
    monkeypatch.setenv("JICENG_SETTINGS", str(settings))
    db = tiny_city(tmp_path)
    load(db, monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 5,
                                                  "newborn_visits": 9, "postpartum_visits": 3}]))
    assert query(db, "SELECT flag_key, reference, score FROM dq_consistency_table WHERE \"check\" = 'pair'") == [
        ("pair:F_CHC1:newborn_visits:2026-03", 3.0, 3.0)]


def test_a_change_of_exactly_half_the_median_is_the_smallest_outlier(tmp_path):
    """A year at 400 visits and one month at 600: 200 is half the median, the least the noise rule
    lets through (6·√400 = 120 is less), so it is flagged; 599 is not. Series whose spread cannot
    reach half their median are left out before medians are taken (views.sql, dq_outlier_of): this
    is the series on that edge."""
    db = tiny_city(tmp_path)
    months = [month(2025, 11), month(2025, 12)] + [month(2026, m) for m in range(1, 11)]
    # the same jump in a series of six months (the fewest judged), and of five (not judged)
    series = (("F_CHC1", 600, months), ("F_CHC2", 599, months), ("F_THC1", 600, months[-6:]),
              ("F_CHS1", 600, months[-5:]))
    rows = [{"facility_code": code, "period": p, "submitted_on": f"{p}-28",
             "outpatient_visits": jump if p == "2026-07" else 400} for code, jump, span in series for p in span]
    load(db, monthly_file(tmp_path / "m.csv", rows))
    found = flags(db, "outliers")
    assert list(zip(found["facility_code"], found["period"], found["value"], found["reference"])) == [
        ("F_CHC1", "2026-07", 600.0, 400.0), ("F_THC1", "2026-07", 600.0, 400.0)]
