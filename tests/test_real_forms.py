"""Files as clerks really send them (docs/data.md, "Forms a file may take"): each form loads with
exact values, or is rejected with a reason a clerk can act on and the warehouse unchanged.
Every file is written here by a generator, none is edited by hand."""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
import xlwt

from factory import FACILITY_HEADER, FACILITY_ROWS, load, query, snapshot, tiny_city, write_csv

MONTHLY_KEYS = ["机构代码", "统计月份"]


@pytest.fixture()
def db(tmp_path):
    return tiny_city(tmp_path)


def stored(db: Path, facility: str, period: str) -> dict:
    return dict(query(db, "SELECT measure, value FROM monthly_measure WHERE facility_code = ? "
                          "AND strftime(period, '%Y-%m') = ? ORDER BY measure", [facility, period]))


def indicator(db: Path, code: str, facility: str, period: str) -> tuple:
    return query(db, "SELECT numerator, denominator, value, meets_target FROM v_indicator_value "
                     "WHERE indicator_code = ? AND facility_code = ? AND period_kind = 'month' AND period = ?",
                 [code, facility, period])[0]


def write_rows(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_workbook(path: Path, rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    wb.save(path)
    return path


# --- units in headers -------------------------------------------------------------------------------

def test_headers_with_units_in_parentheses_or_after_a_slash_load_every_value(db, tmp_path):
    path = write_rows(tmp_path / "units.csv", [
        MONTHLY_KEYS + ["辖区常住人口(人)", "建档人数（人）", "健康教育讲座次数(次)", "门诊人次/人次", "活产数 (例)"],
        ["F_CHC1", "2026-03", "12000", "9000", "4", "3100", "10"]])
    [result] = load(db, path)
    assert (result.status, result.problems) == ("accepted", [])
    assert stored(db, "F_CHC1", "2026-03") == {"births": 10.0, "edu_lectures": 4.0, "outpatient_visits": 3100.0,
                                               "records_total": 9000.0, "resident_population": 12000.0}
    assert indicator(db, "records_rate", "F_CHC1", "2026-03")[:3] == (9000.0, 12000.0, 0.75)


def test_a_unit_that_does_not_fit_the_column_is_rejected(db, tmp_path):
    before = snapshot(db)
    path = write_rows(tmp_path / "unit.csv", [MONTHLY_KEYS + ["门诊人次(%)", "活产数"], ["F_CHC1", "2026-03", "5", "1"]])
    [result] = load(db, path)
    assert [(p.code, p.row, p.column) for p in result.problems] == [("wrong_unit", 1, "门诊人次(%)")]
    assert "%" in result.problems[0].zh
    assert snapshot(db) == before


# --- two-row headers ---------------------------------------------------------------------------------

TWO_ROW_GROUPS = ["机构代码", "统计月份", "高血压", None, "糖尿病", None]
TWO_ROW_DETAILS = [None, None, "管理人数", "规范管理人数", "管理人数", "规范管理人数"]
TWO_ROW_DATA = [["F_CHC1", "2026-03", 50, 40, 20, 15], ["F_CHC2", "2026-03", 30, 30, 10, 9]]


def test_a_two_row_header_with_merged_groups_loads_every_grouped_measure(db, tmp_path):
    path = write_workbook(tmp_path / "merged.xlsx", [["2026年3月慢病管理报表"], TWO_ROW_GROUPS, TWO_ROW_DETAILS,
                                                     *TWO_ROW_DATA],
                          merges=("A1:F1", "A2:A3", "B2:B3", "C2:D2", "E2:F2"))
    [result] = load(db, path)
    assert (result.status, result.problems, result.rows) == ("accepted", [], 2)
    assert stored(db, "F_CHC1", "2026-03") == {"dm_managed": 20.0, "dm_standard": 15.0, "htn_managed": 50.0,
                                               "htn_standard": 40.0}
    assert stored(db, "F_CHC2", "2026-03") == {"dm_managed": 10.0, "dm_standard": 9.0, "htn_managed": 30.0,
                                               "htn_standard": 30.0}
    assert indicator(db, "htn_standard_rate", "F_CHC1", "2026-03")[:3] == (40.0, 50.0, 0.8)


def test_a_two_row_header_without_merges_loads_the_same(db, tmp_path):
    path = write_rows(tmp_path / "unmerged.csv", [
        [c or "" for c in TWO_ROW_GROUPS], [c or "" for c in TWO_ROW_DETAILS], *TWO_ROW_DATA])
    [result] = load(db, path)
    assert (result.status, result.problems) == ("accepted", [])
    assert stored(db, "F_CHC2", "2026-03") == {"dm_managed": 10.0, "dm_standard": 9.0, "htn_managed": 30.0,
                                               "htn_standard": 30.0}


def test_a_group_over_details_that_are_columns_on_their_own_is_dropped(db, tmp_path):
    path = write_workbook(tmp_path / "group.xlsx", [
        ["机构代码", "统计月份", "慢病管理", None], [None, None, "高血压管理人数", "糖尿病管理人数"],
        ["F_CHC1", "2026-03", 50, 20]], merges=("A1:A2", "B1:B2", "C1:D1"))
    [result] = load(db, path)
    assert (result.status, result.problems) == ("accepted", [])
    assert stored(db, "F_CHC1", "2026-03") == {"dm_managed": 20.0, "htn_managed": 50.0}


def test_a_units_row_under_the_header_is_read_as_the_units(db, tmp_path):
    path = write_rows(tmp_path / "units_row.csv", [MONTHLY_KEYS + ["辖区常住人口", "建档人数", "活产数"],
                                                   ["", "", "人", "人", "例"],
                                                   ["F_CHC1", "2026-03", "12000", "9000", "10"]])
    [result] = load(db, path)
    assert (result.status, result.problems, result.rows) == ("accepted", [], 1)
    assert stored(db, "F_CHC1", "2026-03") == {"births": 10.0, "records_total": 9000.0, "resident_population": 12000.0}


def test_a_two_row_header_with_an_unknown_detail_names_the_column_and_the_closest(db, tmp_path):
    before = snapshot(db)
    path = write_workbook(tmp_path / "typo.xlsx", [
        ["机构代码", "统计月份", "高血压", None], [None, None, "管理人数", "规范管理例数"], ["F_CHC1", "2026-03", 50, 40]],
        merges=("A1:A2", "B1:B2", "C1:D1"))
    [result] = load(db, path)
    assert [(p.code, p.row, p.column, p.detail) for p in result.problems] == [
        ("unknown_column_suggest", 2, "高血压规范管理例数", "高血压规范管理人数 / Hypertension patients managed to standard")]
    assert snapshot(db) == before


# --- every header is accounted for -------------------------------------------------------------------

def test_an_unknown_header_rejects_the_file_with_the_closest_known_column(db, tmp_path):
    before = snapshot(db)
    path = write_rows(tmp_path / "typo.csv", [MONTHLY_KEYS + ["活产数", "建挡人数", "本月亮点"],
                                              ["F_CHC1", "2026-03", "3", "9000", "无"],
                                              ["12345", "2026-03", "x", "", ""]])
    [result] = load(db, path)
    # the rows are checked too: every problem of the file at once
    assert [(p.code, p.row, p.column, p.detail) for p in result.problems] == [
        ("unknown_column_suggest", 1, "建挡人数", "建档人数 / Residents with a health record"),
        ("unknown_column", 1, "本月亮点", ""), ("bad_number", 3, "活产数", ""), ("unknown_facility", 3, "机构代码", "")]
    assert "无法识别的列「建挡人数」" in result.problems[0].zh and "closest known column" in result.problems[0].en
    assert snapshot(db) == before


def test_informative_columns_of_the_settings_are_ignored(db, tmp_path):
    path = write_rows(tmp_path / "info.csv", [["序号", "机构名称"] + MONTHLY_KEYS + ["活产数", "备注"],
                                              ["1", "甲街道社区卫生服务中心", "F_CHC1", "2026-03", "3", "按时上报"]])
    [result] = load(db, path)
    assert (result.status, result.problems) == ("accepted", [])
    assert stored(db, "F_CHC1", "2026-03") == {"births": 3.0}


def test_values_under_a_blank_header_reject_the_file(db, tmp_path):
    before = snapshot(db)
    path = write_rows(tmp_path / "unnamed.csv", [MONTHLY_KEYS + ["活产数", ""], ["F_CHC1", "2026-03", "3", "77"]])
    [result] = load(db, path)
    assert [(p.code, p.row, p.value, p.detail) for p in result.problems] == [("unnamed_column", 2, "77", "D")]
    assert snapshot(db) == before


# --- footers and markers -----------------------------------------------------------------------------

def test_a_footer_under_the_table_is_skipped_and_listed(db, tmp_path):
    path = write_rows(tmp_path / "footer.csv", [
        MONTHLY_KEYS + ["活产数", "新生儿访视人数"],
        ["F_CHC1", "2026-03", "10", "9"],
        ["F_CHC2", "2026-03", "4", "4"],
        ["合计", "", "14", "13"],
        [],
        ["填表人：王芳", "", "审核人：李明", ""],
        ["单位（盖章）", "", "", ""],
        ["填报日期：2026年4月5日"],
        ["注：本表由各中心于次月5日前报送"]])
    [result] = load(db, path)
    assert (result.status, result.problems, result.rows) == ("accepted", [], 2)
    assert [(w.code, w.row, w.value) for w in result.warnings] == [
        ("footer_skipped", 6, "填表人:王芳 审核人:李明"), ("footer_skipped", 7, "单位(盖章)"),
        ("footer_skipped", 8, "填报日期:2026年4月5日"), ("footer_skipped", 9, "注:本表由各中心于次月5日前报送")]
    assert stored(db, "F_CHC2", "2026-03") == {"births": 4.0, "newborn_visits": 4.0}


def test_a_last_line_holding_a_code_is_data_not_footer(db, tmp_path):
    before = snapshot(db)
    path = write_rows(tmp_path / "short.csv", [MONTHLY_KEYS + ["活产数"], ["F_CHC1", "2026-03", "10"], ["F_CHC2", "", ""]])
    [result] = load(db, path)
    assert [(p.code, p.row) for p in result.problems] == [("required_blank", 3)]
    assert snapshot(db) == before


@pytest.mark.parametrize("marker", ["—", "－", "-", "/", "无", "未报", "N/A"])
def test_not_reported_markers_are_blank_never_zero(db, tmp_path, marker):
    load(db, write_rows(tmp_path / "before.csv", [MONTHLY_KEYS + ["活产数", "新生儿访视人数"], ["F_CHC1", "2026-03", "10", "9"]]))
    [result] = load(db, write_rows(tmp_path / "marker.csv", [MONTHLY_KEYS + ["活产数", "新生儿访视人数"],
                                                              ["F_CHC1", "2026-03", "12", marker]]))
    assert (result.status, result.problems) == ("accepted", [])
    # not reported: the measure has no value this month (the earlier 9 is replaced by nothing, not 0)
    assert stored(db, "F_CHC1", "2026-03") == {"births": 12.0}
    assert indicator(db, "newborn_visit_rate", "F_CHC1", "2026-03")[:3] == (None, 12.0, None)


def test_a_marker_in_a_date_column_is_blank_and_in_a_yes_no_column_stays_no(db, tmp_path):
    rows = [r[:] for r in FACILITY_ROWS]
    rows[0][-1] = "无"          # 停业日期: not closed, as the registry already says
    [result] = load(db, write_csv(tmp_path / "f.csv", FACILITY_HEADER, rows))
    assert (result.status, result.problems) == ("unchanged", [])
    assert query(db, "SELECT closed_on FROM facility WHERE facility_code = 'F_CHC1'") == [(None,)]
    header = ["机构代码", "评估日期", "政府提供业务用房", "政府配置设备", "达到标准化建设要求", "优质服务示范"]
    [result] = load(db, write_csv(tmp_path / "s.csv", header, [["F_CHC1", "2026-06-30", "是", "是", "是", "无"]]))
    assert (result.status, result.problems) == ("accepted", [])
    assert query(db, "SELECT quality_demo FROM standardization_assessment WHERE facility_code = 'F_CHC1'") == [(False,)]


# --- .xls and folders ----------------------------------------------------------------------------------

def write_xls(path: Path, rows: list[list]) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("月报")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(path))
    return path


def test_an_xls_workbook_loads_like_an_xlsx(db, tmp_path):
    path = write_xls(tmp_path / "月报.xls", [["临江市月度服务报表"], MONTHLY_KEYS + ["活产数", "建档人数（人）"],
                                            ["F_CHC1", "2026年3月", 10, 9000], ["F_THC1", "2026-03", 2, 4000]])
    [result] = load(db, path)
    assert (result.status, result.problems, result.kinds) == ("accepted", [], ["monthly_services"])
    assert stored(db, "F_THC1", "2026-03") == {"births": 2.0, "records_total": 4000.0}


def test_a_folder_lists_every_file_and_fails_on_any_it_cannot_load(db, tmp_path, capsys):
    from etl.cli import main
    folder = tmp_path / "inbox"
    folder.mkdir()
    write_xls(folder / "a.xls", [MONTHLY_KEYS + ["活产数"], ["F_CHC1", "2026-03", 10]])
    (folder / "说明.txt").write_text("请查收", encoding="utf-8")
    (folder / "b.ods").write_bytes(b"PK\x03\x04")
    (folder / "~$a.xlsx").write_bytes(b"lock")
    code = main(["load", "--db", str(db), str(folder)])
    out = capsys.readouterr().out
    assert code == 1
    assert "✓ 已入库 accepted" in out and "a.xls" in out
    assert out.count("✗ 已拒绝 rejected") == 2 and "说明.txt" in out and "b.ods" in out
    assert "不支持的文件类型" in out and "· 已跳过 skipped" in out and "~$a.xlsx" in out
    assert "1 通过 ok, 2 拒绝 rejected, 1 跳过 skipped" in out
    assert stored(db, "F_CHC1", "2026-03") == {"births": 10.0}


def test_a_dry_run_says_would_be_loaded_never_stored(db, tmp_path, capsys):
    from etl.cli import main
    path = write_rows(tmp_path / "m.csv", [MONTHLY_KEYS + ["活产数"], ["F_CHC1", "2026-03", "10"]])
    assert main(["load", "--dry-run", "--db", str(db), str(path)]) == 0
    out = capsys.readouterr().out
    assert "可以入库 would be loaded (dry run: nothing written)" in out
    assert "已入库" not in out and "1 可以入库 would load" in out
    assert stored(db, "F_CHC1", "2026-03") == {}


# --- rules the data needs ----------------------------------------------------------------------------

def close_station(db: Path, tmp_path: Path) -> None:
    rows = [r[:] for r in FACILITY_ROWS]
    rows[1][-1] = "2024-12-31"      # F_CHS1 closes at the end of 2024
    [result] = load(db, write_csv(tmp_path / "closing.csv", FACILITY_HEADER, rows))
    assert result.status == "accepted", result.problems


def test_reports_after_a_closing_or_before_an_opening_are_rejected_with_the_dates(db, tmp_path):
    close_station(db, tmp_path)
    before = snapshot(db)
    path = write_rows(tmp_path / "late.csv", [MONTHLY_KEYS + ["活产数"], ["F_CHS1", "2024-12", "1"],
                                              ["F_CHS1", "2025-01", "1"], ["F_CHC2", "2015-02", "1"],
                                              ["F_CHC2", "2015-03", "1"]])
    [result] = load(db, path)
    assert [(p.code, p.row, p.value, p.detail) for p in result.problems] == [
        ("after_closing", 3, "2025-01", "2024-12-31"), ("before_opening", 4, "2015-02", "2015-03-01")]
    assert "已于 2024-12-31 停业" in result.problems[0].zh and "closed on 2024-12-31" in result.problems[0].en
    assert snapshot(db) == before


def test_a_rate_above_100_percent_is_stored_flagged_and_never_meets_its_target(db, tmp_path):
    path = write_rows(tmp_path / "typo.csv", [MONTHLY_KEYS + ["应种人次", "实种人次"], ["F_CHC1", "2026-03", "112", "1120"]])
    [result] = load(db, path)
    assert result.status == "accepted"
    assert [w.code for w in result.warnings] == ["rate_above_100"]
    assert indicator(db, "vaccination_rate", "F_CHC1", "2026-03") == (1120.0, 112.0, 10.0, None)
    assert query(db, "SELECT value, meets_target FROM v_area_indicator_value WHERE indicator_code = 'vaccination_rate' "
                     "AND area_code = '110101001' AND period_kind = 'month' AND period = '2026-03'") == [(10.0, None)]


def test_a_code_that_lost_its_leading_zero_says_which_code_was_meant(db, tmp_path):
    rows = FACILITY_ROWS + [["012345", "丁站", "社区卫生服务站", "F_CHC1", "110101001", "社会办", 116.41, 39.91,
                             150, "旧城改造区", "2020-01-01", ""]]
    load(db, write_csv(tmp_path / "f.csv", FACILITY_HEADER, rows))
    [result] = load(db, write_rows(tmp_path / "m.csv", [MONTHLY_KEYS + ["活产数"], ["12345", "2026-03", "1"]]))
    [problem] = result.problems
    assert (problem.code, problem.value, problem.detail) == ("unknown_facility_zero", "12345", "012345")
    assert "去掉了开头的 0" in problem.zh and "did you mean \"012345\"?" in problem.en


def test_a_code_in_scientific_notation_is_refused_and_the_one_it_rounds_from_named(db, tmp_path):
    rows = FACILITY_ROWS + [["370902123456", "戊站", "社区卫生服务站", "F_CHC1", "110101001", "社会办", 116.41, 39.91,
                             150, "旧城改造区", "2020-01-01", ""]]
    load(db, write_csv(tmp_path / "f.csv", FACILITY_HEADER, rows))
    [result] = load(db, write_rows(tmp_path / "m.csv", [MONTHLY_KEYS + ["活产数"], ["3.70902E+11", "2026-03", "1"],
                                                         ["1.1E+11", "2026-03", "1"]]))
    assert [(p.code, p.row, p.value) for p in result.problems] == [
        ("code_scientific", 2, "3.70902E+11"), ("code_scientific", 3, "1.1E+11")]
    assert "是否应为「370902123456」" in result.problems[0].zh
    assert "科学计数法" in result.problems[1].zh and "did you mean" not in result.problems[1].en


# --- many problems -------------------------------------------------------------------------------------

def test_a_file_with_hundreds_of_problems_lists_the_first_and_counts_the_rest(db, tmp_path, capsys):
    from etl.cli import main
    rows = [MONTHLY_KEYS + ["活产数"]] + [[f"F_NO{i:03d}", "2026-03", "1"] for i in range(250)] + \
           [["F_CHC1", f"2026-{m:02d}", "x"] for m in range(1, 11)]
    path = write_rows(tmp_path / "many.csv", rows)
    [result] = load(db, path)
    assert len(result.problems) == 200 and result.problem_total == 260
    assert dict(result.problems.unlisted()) == {"unknown_facility": 60}
    assert main(["load", "--db", str(db), str(path)]) == 1
    out = capsys.readouterr().out
    assert "问题 problems: 260" in out and "另有 60 个问题未列出 / 60 more problems not listed" in out
    assert "60 × 机构代码不存在" in out
