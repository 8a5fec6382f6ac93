"""Problems (reasons to reject a file) and warnings (load, but show), each in Chinese and English."""
from __future__ import annotations

from dataclasses import dataclass, field

# code: (中文, English). {value}/{detail} are filled in per problem.
MESSAGES: dict[str, tuple[str, str]] = {
    "unreadable_file": ("无法读取文件：{detail}", "The file cannot be read: {detail}"),
    "bad_encoding": ("无法识别文件编码（请另存为 UTF-8 或 GBK 编码的 CSV）",
                     "Unknown text encoding (save the CSV as UTF-8 or GBK)"),
    "unsupported_type": ("不支持的文件类型（只接受 .csv、.xlsx、.geojson）",
                         "Unsupported file type (only .csv, .xlsx and .geojson are accepted)"),
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
    "rate_above_100": ("{detail} 超过 100%（分子大于分母），请核实", "{detail} above 100% (numerator > denominator): please check"),
    "outlier": ("与本机构近 24 个月的数据相比异常（中位数 {detail}）",
                "Unusual against this facility's last 24 months (median {detail})"),
    "more_than_physicians": ("{detail} 多于执业医师数", "{detail} exceeds the number of physicians"),
}


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


@dataclass
class Findings:
    """What validating one file found: problems reject the file; warnings load with it."""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
