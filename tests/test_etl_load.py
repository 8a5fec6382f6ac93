"""Loading submissions: accepted forms, every rejection reason, idempotency, history."""
import json
from datetime import date

import pytest

from factory import (
    ADMIN_HEADER,
    ADMIN_ROWS,
    FACILITY_HEADER,
    FACILITY_ROWS,
    load,
    monthly_file,
    query,
    registry_files,
    snapshot,
    tiny_city,
    write_csv,
    write_xlsx,
)

MONTH = {"facility_code": "F_CHC1", "period": "2026-03", "submitted_on": "2026-04-05",
         "resident_population": "12,000", "records_total": 10800, "births": 9, "newborn_visits": 8}


def values(db, facility="F_CHC1"):
    return dict(query(db, "SELECT measure, value FROM monthly_measure WHERE facility_code = ?", [facility]))


# --- accepted forms -----------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_monthly_csv_in_every_encoding_bureaus_use(tmp_path, encoding):
    db = tiny_city(tmp_path)
    [result] = load(db, monthly_file(tmp_path / "m.csv", [MONTH], encoding=encoding))
    assert result.status == "accepted", [p.line() for p in result.problems]
    assert values(db) == {"resident_population": 12000, "records_total": 10800, "births": 9, "newborn_visits": 8}


def test_title_rows_blank_rows_and_totals_row_are_skipped(tmp_path):
    db = tiny_city(tmp_path)
    header = ["机构代码", "统计月份", "上报日期", "建档人数"]
    rows = [["F_CHC1", "2026年3月", "2026/4/5", "1 234"], [], ["", "", "", ""],
            ["F_CHS1", "202603", "2026年4月6日", "１２３"], ["合计", "", "", "1357"]]
    path = write_csv(tmp_path / "m.csv", header, rows, preamble=[["某区2026年3月月报"], []])
    [result] = load(db, path)
    assert result.status == "accepted", [p.line() for p in result.problems]
    assert result.rows == 2
    assert query(db, "SELECT facility_code, value FROM monthly_measure ORDER BY 1") == [
        ("F_CHC1", 1234.0), ("F_CHS1", 123.0)]


def test_english_headers_in_any_case_and_width(tmp_path):
    db = tiny_city(tmp_path)
    path = write_csv(tmp_path / "m.csv", [" Facility_Code ", "PERIOD", "ｂｉｒｔｈｓ"], [["F_CHC1", "2026-03", 7]])
    [result] = load(db, path)
    assert result.status == "accepted"
    assert values(db) == {"births": 7}


def test_xlsx_every_matching_sheet_loads_and_other_sheets_are_ignored(tmp_path):
    db = tiny_city(tmp_path)
    path = write_xlsx(tmp_path / "m.xlsx", ["机构代码", "统计月份", "活产数", "新生儿访视人数"],
                      [["F_CHC1", "2026-03", 9, 8]], title="三月",
                      extra_sheets={"四月": [["机构代码", "统计月份", "活产数"], ["F_CHC1", "2026-04", 5]],
                                    "填表说明": [["说明"], ["活产数：本月活产数"]]})
    [result] = load(db, path)
    assert result.status == "accepted", [p.line() for p in result.problems]
    assert query(db, "SELECT strftime(period, '%Y-%m'), measure, value FROM monthly_measure ORDER BY 1, 2") == [
        ("2026-03", "births", 9.0), ("2026-03", "newborn_visits", 8.0), ("2026-04", "births", 5.0)]


def test_excel_dates_and_numeric_codes(tmp_path):
    from datetime import datetime
    db = tiny_city(tmp_path)
    path = write_xlsx(tmp_path / "staff.xlsx", ["机构代码", "统计日期", "执业医师", "全科医生", "中医类别医师", "执业护士"],
                      [["F_CHC1", datetime(2025, 12, 31), 20, 8, 4, 22]])
    [result] = load(db, path)
    assert result.status == "accepted"
    assert query(db, "SELECT as_of, physicians, tcm_physicians FROM staffing") == [(date(2025, 12, 31), 20, 4)]


def test_blank_measure_means_not_reported_not_zero(tmp_path):
    db = tiny_city(tmp_path)
    load(db, monthly_file(tmp_path / "m.csv", [{**MONTH, "births": ""}]))
    assert "births" not in values(db)
    assert query(db, "SELECT count(*) FROM monthly_report") == [(1,)]


def test_a_column_of_counts_with_blanks_keeps_each_value_and_each_blank(tmp_path):
    db = tiny_city(tmp_path)
    rows = [{**MONTH, "births": "", "newborn_visits": "0"}, {**MONTH, "facility_code": "F_CHC2", "births": "7"},
            {**MONTH, "facility_code": "F_THC1", "births": " 12 ", "newborn_visits": ""}]
    [result] = load(db, monthly_file(tmp_path / "m.csv", rows))
    assert result.status == "accepted", [p.line() for p in result.problems]
    assert query(db, "SELECT facility_code, measure, value FROM monthly_measure "
                     "WHERE measure IN ('births', 'newborn_visits') ORDER BY ALL") == [
        ("F_CHC1", "newborn_visits", 0.0), ("F_CHC2", "births", 7.0), ("F_CHC2", "newborn_visits", 8.0),
        ("F_THC1", "births", 12.0)]


def test_gcj02_coordinates_are_stored_as_wgs84(tmp_path):
    db = tiny_city(tmp_path)
    from etl.coordinates import from_wgs84
    lon, lat = from_wgs84(116.41, 39.91, "GCJ02")
    header = FACILITY_HEADER[:8] + ["坐标系"]
    path = write_csv(tmp_path / "f.csv", header, [["F_NEW", "新站", "CHS", "F_CHC1", "110101001", "政府办",
                                                   lon, lat, "GCJ-02"]])
    [result] = load(db, path)
    assert result.status == "accepted", [p.line() for p in result.problems]
    [(stored_lon, stored_lat, crs)] = query(db, "SELECT lon, lat, source_crs FROM facility WHERE facility_code='F_NEW'")
    assert crs == "GCJ02"
    assert abs(stored_lon - 116.41) < 1e-5 and abs(stored_lat - 39.91) < 1e-5


def test_folder_loads_in_dependency_order_whatever_the_names(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    monthly_file(folder / "a_monthly.csv", [MONTH])
    write_csv(folder / "b_facilities.csv", FACILITY_HEADER, FACILITY_ROWS)
    write_xlsx(folder / "c_admin.xlsx", ADMIN_HEADER, ADMIN_ROWS)
    results = load(tmp_path / "wh.duckdb", folder)
    assert [r.kinds for r in results] == [["admin_units"], ["facilities"], ["monthly_services"]]
    assert all(r.status == "accepted" for r in results)


# --- idempotency and resubmission ---------------------------------------------------------------

def test_loading_the_same_file_twice_changes_nothing(tmp_path):
    db = tiny_city(tmp_path)
    path = monthly_file(tmp_path / "m.csv", [MONTH])
    load(db, path)
    before = snapshot(db)
    [again] = load(db, path)
    assert again.status == "unchanged" and again.batch_id is None
    assert snapshot(db) == before


def test_resubmission_replaces_values_and_keeps_the_old_ones_in_history(tmp_path):
    db = tiny_city(tmp_path)
    [first] = load(db, monthly_file(tmp_path / "m1.csv", [MONTH]))
    corrected = {**MONTH, "births": 10, "newborn_visits": "", "submitted_on": "2026-04-20"}
    [second] = load(db, monthly_file(tmp_path / "m2.csv", [corrected]))
    assert second.status == "accepted"
    assert values(db) == {"resident_population": 12000, "records_total": 10800, "births": 10}
    history = query(db, "SELECT measure, value, batch_id, replaced_by_batch FROM monthly_measure_history ORDER BY 1")
    assert history == [("births", 9.0, first.batch_id, second.batch_id),
                       ("newborn_visits", 8.0, first.batch_id, second.batch_id)]
    # the first submission's date still decides timeliness
    assert query(db, "SELECT submitted_on FROM monthly_report") == [(date(2026, 4, 5),)]
    assert query(db, "SELECT batch_id, status FROM v_load_batch ORDER BY 1")[-2:] == [
        (first.batch_id, "accepted"), (second.batch_id, "accepted")]


def test_a_partial_file_only_touches_its_own_columns(tmp_path):
    db = tiny_city(tmp_path)
    load(db, monthly_file(tmp_path / "m1.csv", [MONTH]))
    load(db, monthly_file(tmp_path / "m2.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "htn_managed": 300}]))
    assert values(db)["births"] == 9 and values(db)["htn_managed"] == 300


def test_dry_run_reports_but_writes_nothing(tmp_path):
    db = tiny_city(tmp_path)
    before = snapshot(db)
    [result] = load(db, monthly_file(tmp_path / "m.csv", [MONTH]), dry_run=True)
    assert result.status == "accepted" and result.changed == 4 + 1
    assert snapshot(db) == before


# --- warnings load, and are recorded ------------------------------------------------------------

def test_rate_above_100_percent_loads_with_a_warning(tmp_path):
    db = tiny_city(tmp_path)
    [result] = load(db, monthly_file(tmp_path / "m.csv", [{**MONTH, "newborn_visits": 12}]))
    assert result.status == "accepted"
    assert [(w.code, w.row, w.column) for w in result.warnings] == [("rate_above_100", 2, "newborn_visits")]
    assert query(db, "SELECT code, facility_code, measure, message_en LIKE '%above 100%%' FROM load_warning") == [
        ("rate_above_100", "F_CHC1", "newborn_visits", True)]


def test_outlier_against_the_facilitys_own_history_is_a_warning(tmp_path):
    db = tiny_city(tmp_path)
    history = [{"facility_code": "F_CHC1", "period": f"2025-{m:02d}", "outpatient_visits": 1000 + 10 * (m % 3)}
               for m in range(1, 13)]
    load(db, monthly_file(tmp_path / "h.csv", history))
    [result] = load(db, monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHC1", "period": "2026-01",
                                                           "outpatient_visits": 9000}]))
    assert result.status == "accepted"
    assert [(w.code, w.measure, w.row) for w in result.warnings] == [("outlier", "outpatient_visits", 2)]


# A series with a gap: a year at 3,000, nothing for a year and a half, six months near 1,000, then
# 3,000 again. January 2025's past (the 24 months before) is the six months near 1,000, so its 3,000
# is an outlier, though its 24 preceding reports are mostly 3,000s; the first two months near 1,000
# are outliers against the 3,000s still in their past.
GAP_SERIES = ([("2022-%02d" % m, 3000) for m in range(1, 13)]
              + [("2024-%02d" % m, 1000 + 10 * (m % 3)) for m in range(7, 13)] + [("2025-01", 3000)])


def _visits(months) -> list[dict]:
    return [{"facility_code": "F_CHC1", "period": p, "outpatient_visits": v} for p, v in months]


def test_outliers_of_many_months_at_once_are_judged_against_each_months_own_past(tmp_path):
    """One file of 19 months (judged with one sliding window over each series): a gap in the
    series does not stretch a month's past beyond its 24 months."""
    db = tiny_city(tmp_path)
    [result] = load(db, monthly_file(tmp_path / "m.csv", _visits(GAP_SERIES)))
    assert result.status == "accepted"
    assert [(w.code, w.period.strftime("%Y-%m"), w.row, w.value, w.detail) for w in result.warnings] == [
        ("outlier", "2024-07", 14, "1010", "3000"), ("outlier", "2024-08", 15, "1020", "3000"),
        ("outlier", "2025-01", 20, "3000", "1010")]
    assert query(db, "SELECT strftime(period, '%Y-%m'), row_number FROM load_warning ORDER BY period") == [
        ("2024-07", 14), ("2024-08", 15), ("2025-01", 20)]


def test_the_same_outliers_when_the_months_come_one_file_at_a_time(tmp_path):
    """The gap series sent as its history, then January 2025 alone (each value scored directly)."""
    db = tiny_city(tmp_path)
    [history] = load(db, monthly_file(tmp_path / "h.csv", _visits(GAP_SERIES[:-1])))
    [month] = load(db, monthly_file(tmp_path / "m.csv", _visits(GAP_SERIES[-1:])))
    assert [(w.period.strftime("%Y-%m"), w.row) for w in history.warnings] == [("2024-07", 14), ("2024-08", 15)]
    assert [(w.period.strftime("%Y-%m"), w.row, w.value, w.detail) for w in month.warnings] == [
        ("2025-01", 2, "3000", "1010")]


def test_outliers_of_a_folder_are_judged_once_its_files_are_all_in(tmp_path):
    """Two files of one load, the later months first in the folder's order: each month's past
    holds the other file's months all the same, and each warning names its own file and row."""
    db = tiny_city(tmp_path)
    folder = tmp_path / "folder"
    folder.mkdir()
    monthly_file(folder / "a_2025.csv", _visits(GAP_SERIES[-1:]))
    monthly_file(folder / "b_earlier.csv", _visits(GAP_SERIES[:-1]))
    results = load(db, folder)
    assert [(r.path.name, [(w.period.strftime("%Y-%m"), w.row) for w in r.warnings]) for r in results] == [
        ("a_2025.csv", [("2025-01", 2)]), ("b_earlier.csv", [("2024-07", 14), ("2024-08", 15)])]


def test_counts_that_vary_by_chance_are_not_outliers(tmp_path):
    """A station's births (median 1) jump to 6, its referrals (median 25) to 45: Poisson noise
    (the median under 20 is not judged; 20 is within 6·√25 = 30 of 25), no warning. Its outpatient
    visits (median 1,000) jump to 3,000: a warning."""
    db = tiny_city(tmp_path)
    history = [{"facility_code": "F_CHS1", "period": f"2025-{m:02d}", "births": m % 2 + 1 - (m % 3 == 0),
                "referrals_up": 25 + (m % 3) - 1, "outpatient_visits": 1000 + 10 * (m % 3)} for m in range(1, 13)]
    load(db, monthly_file(tmp_path / "h.csv", history))
    [result] = load(db, monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHS1", "period": "2026-01",
                                                           "births": 6, "referrals_up": 45,
                                                           "outpatient_visits": 3000}]))
    assert result.status == "accepted"
    assert [(w.code, w.measure) for w in result.warnings] == [("outlier", "outpatient_visits")]


# --- every rejection reason: the whole file is rejected and nothing changes -----------------------

REJECTIONS = {
    "missing_column": (["机构代码", "活产数"], [["F_CHC1", 3]]),
    "unknown_facility": (["机构代码", "统计月份", "活产数"], [["F_NOPE", "2026-03", 3]]),
    "bad_number": (["机构代码", "统计月份", "活产数"], [["F_CHC1", "2026-03", "三"]]),
    "bad_period": (["机构代码", "统计月份", "活产数"], [["F_CHC1", "2026-13", 3]]),
    "negative": (["机构代码", "统计月份", "活产数"], [["F_CHC1", "2026-03", -3]]),
    "not_whole": (["机构代码", "统计月份", "活产数"], [["F_CHC1", "2026-03", 2.5]]),
    "duplicate_key": (["机构代码", "统计月份", "活产数"], [["F_CHC1", "2026-03", 3], ["F_CHC1", "2026/3", 4]]),
    "future_period": (["机构代码", "统计月份", "活产数"], [["F_CHC1", "2027-01", 3]]),
    "future_date": (["机构代码", "统计月份", "上报日期", "活产数"], [["F_CHC1", "2026-03", "2026-12-01", 3]]),
    "bad_date": (["机构代码", "统计月份", "上报日期", "活产数"], [["F_CHC1", "2026-03", "昨天", 3]]),
    "required_blank": (["机构代码", "统计月份", "活产数"], [["", "2026-03", 3]]),
    "bad_star": (["机构代码", "评估日期", "政府提供业务用房", "政府配置设备", "达到标准化建设要求", "星级"],
                 [["F_CHS1", "2026-06-30", "是", "是", "是", 6]]),
    "bad_bool": (["机构代码", "评估日期", "政府提供业务用房", "政府配置设备", "达到标准化建设要求"],
                 [["F_CHC1", "2026-06-30", "也许", "是", "是"]]),
    "parent_not_chc": (FACILITY_HEADER[:8], [["F_X", "某站", "CHS", "F_THC1", "110101001", "政府办", 116.4, 39.9]]),
    "parent_required": (FACILITY_HEADER[:8], [["F_X", "某站", "CHS", "", "110101001", "政府办", 116.4, 39.9]]),
    "unknown_area": (FACILITY_HEADER[:8], [["F_X", "某中心", "CHC", "", "110101009", "政府办", 116.4, 39.9]]),
    "not_a_township": (FACILITY_HEADER[:8], [["F_X", "某中心", "CHC", "", "110101001001", "政府办", 116.4, 39.9]]),
    "bad_choice": (FACILITY_HEADER[:8], [["F_X", "某中心", "医院", "", "110101001", "政府办", 116.4, 39.9]]),
    "bad_coordinate": (FACILITY_HEADER[:8], [["F_X", "某中心", "CHC", "", "110101001", "政府办", 16.4, 39.9]]),
    "bad_score": (["机构代码", "检查日期", "得分"], [["F_CHC1", "2026-05-01", 120]]),
    "bad_code_length": (ADMIN_HEADER, [["11010100", "某街道", "街道", "110101", 100, "", ""]]),
    "wrong_parent_level": (ADMIN_HEADER, [["110101001009", "某社区", "社区", "110101", 100, 116.4, 39.9]]),
}


@pytest.mark.parametrize("reason", sorted(REJECTIONS))
def test_rejection_lists_the_problem_and_leaves_the_warehouse_unchanged(tmp_path, reason):
    db = tiny_city(tmp_path)
    load(db, monthly_file(tmp_path / "ok.csv", [MONTH]))
    before = snapshot(db)
    header, rows = REJECTIONS[reason]
    good_row = ["F_CHC2", "2026-02", 5] if header == ["机构代码", "统计月份", "活产数"] else None
    path = write_csv(tmp_path / "bad.csv", header, ([good_row] if good_row else []) + rows)
    [result] = load(db, path)
    assert result.status == "rejected"
    assert reason in [p.code for p in result.problems], [p.line() for p in result.problems]
    problem = next(p for p in result.problems if p.code == reason)
    assert problem.file == "bad.csv" and problem.zh and problem.en
    if reason != "missing_column":
        assert problem.row is not None and problem.column
    assert snapshot(db) == before


def test_every_problem_of_a_file_is_listed_not_just_the_first(tmp_path):
    db = tiny_city(tmp_path)
    path = write_csv(tmp_path / "bad.csv", ["机构代码", "统计月份", "活产数", "新生儿访视人数"], [
        ["F_CHC1", "2026-03", "-1", "x"], ["F_NOPE", "2026-14", 3, 2], ["F_CHC2", "2027-01", 1, 1]])
    [result] = load(db, path)
    found = sorted((p.row, p.code) for p in result.problems)
    assert found == [(2, "bad_number"), (2, "negative"), (3, "bad_period"), (3, "unknown_facility"),
                     (4, "future_period")]
    lines = [p.line() for p in result.problems]
    assert any("第2行/row 2" in line and "「活产数」" in line and "不能为负数" in line and "negative" in line
               for line in lines)


def test_a_file_with_one_bad_row_loads_none_of_its_good_rows(tmp_path):
    db = tiny_city(tmp_path)
    path = monthly_file(tmp_path / "m.csv", [MONTH, {**MONTH, "facility_code": "F_NOPE"}])
    [result] = load(db, path)
    assert result.status == "rejected"
    assert values(db) == {}


def test_unreadable_and_unknown_files_are_rejected_with_a_reason(tmp_path):
    db = tiny_city(tmp_path)
    before = snapshot(db)
    (tmp_path / "fake.xlsx").write_bytes(b"<html>not a workbook</html>")
    write_csv(tmp_path / "other.csv", ["姓名", "电话"], [["张三", "123"]])
    (tmp_path / "empty.csv").write_text("机构代码,统计月份,活产数\n", encoding="utf-8")
    results = load(db, tmp_path / "fake.xlsx", tmp_path / "other.csv", tmp_path / "empty.csv")
    assert {r.path.name: [p.code for p in r.problems] for r in results} == {
        "fake.xlsx": ["unreadable_file"], "other.csv": ["no_template"], "empty.csv": ["empty_file"]}
    assert snapshot(db) == before


def test_cli_exit_code_is_zero_only_when_every_file_was_accepted(tmp_path, capsys):
    from etl.cli import main
    db = tmp_path / "wh.duckdb"
    files = [str(p) for p in registry_files(tmp_path / "r")]
    assert main(["load", "--db", str(db), *files]) == 0
    bad = write_csv(tmp_path / "bad.csv", ["机构代码", "统计月份", "活产数"], [["F_NOPE", "2020-01", 1]])
    assert main(["load", "--db", str(db), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "已拒绝 rejected" in out and "机构代码不存在" in out and "Unknown facility code" in out


def test_a_registry_file_in_a_load_names_codes_for_the_files_after_it_only_when_accepted(tmp_path):
    # the reference of known codes is read once per load and again after each registry file
    db = tiny_city(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    # a boundary file goes between the admin units and the facilities: it reads the reference first
    ring = [[116.39, 39.89], [116.43, 39.89], [116.43, 39.92], [116.39, 39.89]]
    (folder / "0_boundary.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "110101001"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    write_csv(folder / "a_new_station.csv", FACILITY_HEADER, [
        ["F_NEW", "新站", "社区卫生服务站", "F_CHC1", "110101001", "政府办", 116.41, 39.91, 120, "", "2020-01-01", ""]])
    write_csv(folder / "b_bad_station.csv", FACILITY_HEADER, [
        ["F_BAD", "坏站", "社区卫生服务站", "F_CHC1", "110101001", "政府办", 116.41, 39.91, 120, "", "2099-01-01",
         "2020-01-01"]])
    monthly_file(folder / "c_month.csv", [MONTH])
    monthly_file(folder / "d_new.csv", [{**MONTH, "facility_code": "F_NEW"}])
    monthly_file(folder / "e_bad.csv", [{**MONTH, "facility_code": "F_BAD"}])
    results = load(db, folder)
    assert [(r.path.name, r.status) for r in results] == [
        ("0_boundary.geojson", "accepted"), ("a_new_station.csv", "accepted"), ("b_bad_station.csv", "rejected"), ("c_month.csv", "accepted"),
        ("d_new.csv", "accepted"), ("e_bad.csv", "rejected")]
    assert [(p.code, p.value) for p in results[5].problems] == [("unknown_facility", "F_BAD")]
