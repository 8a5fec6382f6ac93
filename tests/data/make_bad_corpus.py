"""Writes tests/data/bad/: broken and hostile submissions, each with the outcome it must get
(manifest.json). Run `python tests/data/make_bad_corpus.py` to rebuild; the very large cases are
made by the tests themselves instead of being committed."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent / "bad"
MONTHLY = ["机构代码", "统计月份", "上报日期", "活产数", "新生儿访视人数"]
GOOD = ["F_CHC1", "2026-03", "2026-04-05", "10", "9"]
FACILITY = ["机构代码", "机构名称", "机构类型", "所属中心代码", "街道乡镇代码", "举办方式", "经度", "纬度"]
CASES: dict[str, dict] = {}


def csv_text(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def case(name: str, content: bytes | str, outcome: str, codes: list[str], why: str):
    path = HERE / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    CASES[name] = {"outcome": outcome, "codes": codes, "why": why}


def xlsx(rows, formulas=False) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def build():
    HERE.mkdir(exist_ok=True)
    for old in HERE.iterdir():
        old.unlink()
    header_utf8 = csv_text([MONTHLY]).encode("utf-8")
    row_gbk = csv_text([["F_CHC1", "2026年3月", "2026-04-05", "10", "9"]]).encode("gbk")
    case("mixed_encodings.csv", header_utf8 + row_gbk, "rejected", ["bad_encoding"],
         "UTF-8 header and GBK rows in one file: no one encoding reads it")
    case("truncated.xlsx", xlsx([MONTHLY, GOOD])[:600], "rejected", ["unreadable_file"], "an xlsx cut short")
    case("html_as_csv.csv", "<html><body><table><tr><td>机构代码</td></tr></table></body></html>", "rejected",
         ["no_template"], "a web page saved with a .csv name")
    case("html_as_xlsx.xlsx", "<html><body>not a workbook</body></html>", "rejected", ["unreadable_file"],
         "a web page saved with a .xlsx name")
    case("formulas.xlsx", xlsx([MONTHLY, ["F_CHC1", "2026-03", "2026-04-05", "=5+5", "9"]]), "rejected", ["bad_number"],
         "a formula never calculated by Excel has no value to read")
    case("header_repeated.csv", csv_text([MONTHLY, GOOD, MONTHLY, ["F_CHC2", "2026-03", "2026-04-05", "5", "5"]]),
         "rejected", ["bad_code", "bad_period", "bad_date", "bad_number"], "a header row pasted again mid-file")
    case("duplicate_keys.csv", csv_text([MONTHLY, GOOD, GOOD]), "rejected", ["duplicate_key"], "the same month twice")
    case("duplicate_keys_other_spelling.csv", csv_text([MONTHLY, GOOD, ["F_CHC1", "2026年3月", "", "1", "1"]]),
         "rejected", ["duplicate_key"], "the same month twice, spelled differently")
    case("lost_leading_zeros.csv", csv_text([["区划代码", "名称", "级别", "上级代码", "常住人口"],
                                             ["10101", "东城区", "区", "", "100"]]),
         "rejected", ["bad_code_length"], "a district code that lost its leading zero in Excel")
    case("future_period.csv", csv_text([MONTHLY, ["F_CHC1", "2031-01", "", "1", "1"]]), "rejected", ["future_period"],
         "a month that has not happened")
    case("future_date.csv", csv_text([MONTHLY, ["F_CHC1", "2026-03", "2031-01-01", "1", "1"]]), "rejected",
         ["future_date"], "submitted in the future")
    case("negative_count.csv", csv_text([MONTHLY, ["F_CHC1", "2026-03", "", "-1", "1"]]), "rejected", ["negative"],
         "a negative count")
    case("fraction_count.csv", csv_text([MONTHLY, ["F_CHC1", "2026-03", "", "1.5", "1"]]), "rejected", ["not_whole"],
         "half a birth")
    case("totals_row_unlabelled.csv", csv_text([MONTHLY, GOOD, ["", "", "", "10", "9"]]), "rejected",
         ["required_blank"], "a totals row that does not say 合计")
    case("totals_row_labelled.csv", csv_text([MONTHLY, GOOD, ["合计", "", "", "10", "9"]]), "accepted", [],
         "a totals row that says 合计 is skipped")
    case("blank_rows_everywhere.csv", csv_text([[], ["报表"], [], MONTHLY, [], GOOD, [], [], []]), "accepted", [],
         "blank rows and a title above the header")
    case("html_in_names.csv", csv_text([FACILITY + ["业务用房面积"],
                                        ["F_X1", "<script>alert('x')</script>站", "CHS", "F_CHC1", "110101001", "政府办",
                                         "116.4", "39.9", "100"]]), "accepted", [],
         "markup in a name is data: stored as text, shown escaped")
    case("sql_in_code.csv", csv_text([MONTHLY, ["F_CHC1'; DROP TABLE facility; --", "2026-03", "", "1", "1"]]),
         "rejected", ["bad_code"], "SQL in a code is a malformed code")
    case("unknown_facility.csv", csv_text([MONTHLY, ["F_NOPE", "2026-03", "", "1", "1"]]), "rejected",
         ["unknown_facility"], "a facility not in the registry")
    case("empty.csv", b"", "rejected", ["empty_file"], "zero bytes")
    case("header_only.csv", csv_text([MONTHLY]), "rejected", ["empty_file"], "a header and nothing else")
    case("binary_garbage.csv", bytes(range(256)) * 20, "rejected", ["bad_encoding"], "random bytes")
    case("utf16.csv", csv_text([MONTHLY, GOOD]).encode("utf-16"), "accepted", [],
         "UTF-16 with its BOM (Excel's 'Unicode text') is recognized and read")
    case("missing_period_column.csv", csv_text([["机构代码", "活产数"], ["F_CHC1", "1"]]), "rejected", ["missing_column"],
         "the month column is gone")
    case("no_measure_columns.csv", csv_text([["机构代码", "统计月份"], ["F_CHC1", "2026-03"]]), "rejected",
         ["no_measures"], "a monthly file with no measure")
    case("bad_month.csv", csv_text([MONTHLY, ["F_CHC1", "2026-13", "", "1", "1"]]), "rejected", ["bad_period"],
         "month 13")
    case("text_in_number.csv", csv_text([MONTHLY, ["F_CHC1", "2026-03", "", "十", "1"]]), "rejected", ["bad_number"],
         "a number written in characters")
    case("star_rating_out_of_range.csv", csv_text([["机构代码", "评估日期", "政府提供业务用房", "政府配置设备",
                                                    "达到标准化建设要求", "星级"],
                                                   ["F_CHS1", "2026-06-30", "是", "是", "是", "7"]]),
         "rejected", ["bad_star"], "seven stars")
    case("yes_no_unclear.csv", csv_text([["机构代码", "评估日期", "政府提供业务用房", "政府配置设备", "达到标准化建设要求"],
                                         ["F_CHC1", "2026-06-30", "大概", "是", "是"]]), "rejected", ["bad_bool"],
         "'probably' is not yes or no")
    case("score_out_of_range.csv", csv_text([["机构代码", "检查日期", "得分"], ["F_CHC1", "2026-05-01", "130"]]),
         "rejected", ["bad_score"], "a score of 130")
    case("parent_not_chc.csv", csv_text([FACILITY, ["F_X2", "某站", "CHS", "F_THC1", "110101001", "政府办", "116.4", "39.9"]]),
         "rejected", ["parent_not_chc"], "a station under a township health center")
    case("coordinates_swapped.csv", csv_text([FACILITY, ["F_X3", "某站", "CHS", "F_CHC1", "110101001", "政府办", "39.9", "116.4"]]),
         "rejected", ["bad_coordinate"], "latitude and longitude swapped")
    case("unknown_township.csv", csv_text([FACILITY, ["F_X4", "某中心", "CHC", "", "999999999", "政府办", "116.4", "39.9"]]),
         "rejected", ["unknown_area"], "a township that does not exist")
    case("closed_before_opened.csv", csv_text([FACILITY + ["开业日期", "停业日期"],
                                               ["F_X5", "某站", "CHS", "F_CHC1", "110101001", "政府办", "116.4", "39.9",
                                                "2020-01-01", "2019-01-01"]]), "rejected", ["closed_before_opened"],
         "closed before it opened")
    case("geojson_not_collection.geojson", json.dumps({"type": "Feature"}), "rejected", ["bad_geojson"],
         "a single feature instead of a collection")
    case("geojson_broken.geojson", '{"type": "FeatureCollection", "features": [', "rejected", ["bad_geojson"],
         "JSON cut short")
    case("geojson_points.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "110101001"}, "geometry": {"type": "Point", "coordinates": [116, 39]}}]}),
         "rejected", ["bad_geometry"], "a township drawn as a point")
    case("unsupported.txt", "机构代码,统计月份\n", "rejected", ["unsupported_type"], "a .txt file")
    case("rate_above_100.csv", csv_text([MONTHLY, ["F_CHC1", "2026-03", "", "5", "9"]]), "accepted", ["rate_above_100"],
         "more newborn visits than births: loads, with a warning")
    case("zip_bomb_like.xlsx", _zip_with_huge_entry(), "rejected", ["zip_bomb"],
         "a part packed far tighter than any workbook's: refused before it is unpacked")
    (HERE / "manifest.json").write_text(json.dumps(CASES, ensure_ascii=False, indent=1), encoding="utf-8")


def _zip_with_huge_entry() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("junk.bin", b"\\0" * 5_000_000)
    return buffer.getvalue()


if __name__ == "__main__":
    build()
    print(f"{len(CASES)} files in {HERE}")
