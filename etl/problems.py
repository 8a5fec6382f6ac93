"""Problems (reasons to reject a file) and warnings (load, but show), each in Chinese and English."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# code: (中文, English). {value}/{detail} are filled in per problem.
MESSAGES: dict[str, tuple[str, str]] = {
    "unreadable_file": ("无法读取文件：{detail}", "The file cannot be read: {detail}"),
    "bad_encoding": ("无法识别文件编码（请另存为 UTF-8 或 GBK 编码的 CSV）",
                     "Unknown text encoding (save the CSV as UTF-8 or GBK)"),
    "unsupported_type": ("不支持的文件类型（只接受 .csv、.xlsx、.xls、.geojson）",
                         "Unsupported file type (only .csv, .xlsx, .xls and .geojson are accepted)"),
    "file_too_large": ("文件太大：{detail}", "The file is too large: {detail}"),
    "too_many_rows": ("行数超过上限：{detail}", "More rows than allowed: {detail}"),
    "too_many_columns": ("列数超过上限：{detail}", "More columns than allowed: {detail}"),
    "too_many_cells": ("单元格数超过上限（工作表范围过大）：{detail}",
                       "More cells than allowed (the sheet's range is too large): {detail}"),
    "uncompressed_too_large": ("解压后的大小超过上限：{detail}", "Larger than allowed once unpacked: {detail}"),
    "zip_bomb": ("压缩比异常（疑似压缩炸弹），拒绝读取：{detail}",
                 "Abnormal compression ratio (a zip bomb?), not read: {detail}"),
    "xml_doctype": ("工作簿含有 DTD/实体声明（正常的 Excel 文件没有），拒绝读取：{detail}",
                    "The workbook declares a DTD or entities (real Excel files do not), not read: {detail}"),
    "field_too_large": ("单元格内容超过长度上限：{detail}", "A cell is longer than allowed: {detail}"),
    "too_deep": ("GeoJSON 嵌套层数超过上限：{detail}", "The GeoJSON nests deeper than allowed: {detail}"),
    "unknown_column": ("无法识别的列「{value}」（不是本模板的列，也不在可忽略的列中）",
                       "Unrecognized column \"{value}\" (not a column of this template, nor one to ignore)"),
    "unknown_column_suggest": ("无法识别的列「{value}」，最接近的已知列是「{detail}」",
                               "Unrecognized column \"{value}\": the closest known column is \"{detail}\""),
    "wrong_unit": ("列「{value}」的单位不适用：{detail}", "Column \"{value}\" has a unit that does not fit: {detail}"),
    "unnamed_column": ("这一列没有表头但有数据（第 {detail} 列），无法判断含义",
                       "A column without a header holds values (column {detail}): its meaning is unknown"),
    "header_rows_hint": ("表头可能分两行（上行分组、下行明细），请检查合并单元格是否完整：{detail}",
                         "The header may span two rows (a group row above the details): check its merged cells: {detail}"),
    "extra_sheet": ("工作表「{detail}」也有内容：请把全部候选位置放在第一个工作表里",
                    "Sheet \"{detail}\" holds values too: put every candidate site on the first sheet"),
    "no_template": ("未找到可识别的表头，无法判断报表类型（请使用标准模板）",
                    "No recognizable header row: the template cannot be told (use a standard template)"),
    "empty_file": ("文件中没有数据行", "The file has no data rows"),
    "missing_column": ("缺少必填列「{detail}」", "Missing required column \"{detail}\""),
    "duplicate_column": ("列「{detail}」出现了不止一次", "Column \"{detail}\" appears more than once"),
    "required_blank": ("必填项为空", "A required value is blank"),
    "bad_code": ("代码格式不正确（只能包含数字和字母）", "Malformed code (digits and letters only)"),
    "bad_code_length": ("区划代码位数不对：{detail}", "Area code has the wrong number of digits: {detail}"),
    "bad_number": ("不是有效的数字", "Not a valid number"),
    "not_whole": ("人数、次数必须是整数", "Counts must be whole numbers"),
    "negative": ("数值不能为负数", "A count cannot be negative"),
    "bad_bool": ("应填写 是/否", "Expected yes/no (是/否)"),
    "bad_date": ("不是有效的日期（如 2024-03-15）", "Not a valid date (e.g. 2024-03-15)"),
    "bad_period": ("不是有效的统计月份（如 2024-03）", "Not a valid month (e.g. 2024-03)"),
    "bad_choice": ("取值不在允许范围内：{detail}", "Not one of the allowed values: {detail}"),
    "future_period": ("统计月份在未来", "The month is in the future"),
    "future_date": ("日期在未来", "The date is in the future"),
    "duplicate_key": ("与本文件第 {detail} 行重复", "Duplicates row {detail} of this file"),
    "unknown_facility": ("机构代码不存在（请先上报机构名录）",
                         "Unknown facility code (load the facility registry first)"),
    "unknown_facility_zero": ("机构代码不存在：Excel 可能去掉了开头的 0，是否应为「{detail}」？",
                              "Unknown facility code: Excel may have dropped a leading zero: did you mean \"{detail}\"?"),
    "code_scientific": ("代码被 Excel 写成了科学计数法，位数已丢失（请把该列设为文本重新填写）{detail}",
                        "Excel turned the code into scientific notation and lost digits (set the column to text and re-enter it){detail}"),
    "after_closing": ("该机构已于 {detail} 停业，不能有此后月份的报表",
                      "The facility closed on {detail}: no reports for later months"),
    "before_opening": ("该机构 {detail} 才开业，不能有此前月份的报表",
                       "The facility opened on {detail}: no reports for earlier months"),
    "unknown_area": ("区划代码不存在（请先上报行政区划）",
                     "Unknown area code (load the admin units first)"),
    "kind_not_allowed": ("您的角色不能上报这类报表：{detail}", "Your role may not load this kind of file: {detail}"),
    "out_of_scope": ("不在您负责的区县内，无权上报", "Outside your districts: you may not load it"),
    "wrong_parent_level": ("上级代码的级别不对：{detail}", "The parent has the wrong level: {detail}"),
    "not_a_township": ("不是街道或乡镇代码", "Not a street or township code"),
    "parent_not_chc": ("所属中心不是社区卫生服务中心", "The parent facility is not a CHC"),
    "parent_required": ("社区卫生服务站必须填写所属中心代码", "A CHS needs the code of its parent CHC"),
    "bad_star": ("星级必须是 1-5 的整数", "A star rating must be a whole number from 1 to 5"),
    "bad_score": ("得分必须在 0-100 之间", "A score must be between 0 and 100"),
    "bad_coordinate": ("坐标超出范围（经度 73-136，纬度 3-54）",
                       "Coordinate out of range (longitude 73-136, latitude 3-54)"),
    "closed_before_opened": ("停业日期早于开业日期", "Closed before it opened"),
    "rectify_before_visit": ("整改期限早于检查日期", "Rectification deadline before the visit"),
    "bad_geojson": ("不是有效的 GeoJSON：{detail}", "Not valid GeoJSON: {detail}"),
    "bad_geometry": ("边界必须是 Polygon 或 MultiPolygon", "A boundary must be a Polygon or MultiPolygon"),
    "no_measures": ("没有任何服务指标列", "No measure columns"),
    # warnings
    "footer_skipped": ("表尾说明行已跳过（未入库）", "Footer line skipped (not loaded)"),
    "rate_above_100": ("{detail} 超过 100%（分子大于分母），请核实", "{detail} above 100% (numerator > denominator): please check"),
    "outlier": ("与本机构近 24 个月的数据相比异常（中位数 {detail}）",
                "Unusual against this facility's last 24 months (median {detail})"),
    "more_than_physicians": ("{detail} 多于执业医师数", "{detail} exceeds the number of physicians"),
}


def message_head(code: str, lang: str) -> str:
    """A reason's message without its particulars: the label of a count by reason."""
    return MESSAGES[code][1 if lang == "en" else 0].format(detail="…", value="…")


@dataclass(frozen=True)
class Problem:
    code: str
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    detail: str = ""
    facility_code: str | None = None
    period: object = None
    measure: str | None = None

    @property
    def zh(self) -> str:
        return MESSAGES[self.code][0].format(detail=self.detail, value=self.value)

    @property
    def en(self) -> str:
        return MESSAGES[self.code][1].format(detail=self.detail, value=self.value)

    def where(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"[{self.sheet}]")
        if self.row:
            parts.append(f"第{self.row}行/row {self.row}")
        if self.column:
            parts.append(f"列/column「{self.column}」")
        return " ".join(parts)

    def line(self) -> str:
        value = f" 值/value「{self.value}」" if self.value not in (None, "") else ""
        return f"{self.where()}{value}: {self.zh} / {self.en}"


MAX_PROBLEMS_LISTED = 200


class ProblemList(list):
    """A file's problems: the first `limit` kept in full, every one counted by reason, so a file
    with millions of bad cells costs the memory of a few hundred."""

    def __init__(self, limit: int = MAX_PROBLEMS_LISTED):
        super().__init__()
        self.limit = limit
        self.by_code: Counter = Counter()

    def append(self, problem: Problem) -> None:
        self.by_code[problem.code] += 1
        if len(self) < self.limit:
            super().append(problem)

    def extend(self, problems) -> None:
        for problem in problems:
            self.append(problem)

    @property
    def total(self) -> int:
        return sum(self.by_code.values())

    def unlisted(self) -> Counter:
        """How many problems of each reason are counted but not listed."""
        return self.by_code - Counter(p.code for p in self)

    def __reduce__(self):
        # a file validated in a worker process comes back pickled: a list's own pickling would
        # append the kept problems through `append` before `by_code` exists, and count them twice
        return _problem_list, (self.limit, list(self), dict(self.by_code))


def _problem_list(limit: int, kept: list, by_code: dict) -> ProblemList:
    problems = ProblemList(limit)
    list.extend(problems, kept)
    problems.by_code.update(by_code)
    return problems


@dataclass
class Findings:
    """What validating one file found: problems reject the file; warnings load with it."""
    problems: ProblemList = field(default_factory=ProblemList)
    warnings: list[Problem] = field(default_factory=list)
