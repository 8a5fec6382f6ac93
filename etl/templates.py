"""The submission templates of docs/data.md: columns, their spellings and their types."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from etl.normalize import header_key, split_unit
from warehouse.settings import Settings

LEVELS = {"区": "district", "县": "district", "县级市": "district", "district": "district",
          "county": "district", "街道": "street", "street": "street", "镇": "town", "乡": "town",
          "town": "town", "township": "town", "社区": "community", "community": "community",
          "村": "village", "行政村": "village", "village": "village"}
FACILITY_TYPES = {"社区卫生服务中心": "CHC", "chc": "CHC", "社区卫生服务站": "CHS", "chs": "CHS",
                  "乡镇卫生院": "THC", "卫生院": "THC", "thc": "THC", "村卫生室": "VC", "vc": "VC"}
OWNERSHIP = {"政府办": "government", "公办": "government", "government": "government",
             "public": "government", "社会办": "private", "民营": "private", "private": "private"}
AREA_KINDS = {"新建城区": "new_urban", "new_urban": "new_urban", "旧城改造区": "old_town",
              "old_town": "old_town", "农村": "rural", "rural": "rural"}
CRS = {"wgs84": "WGS84", "wgs-84": "WGS84", "gps": "WGS84", "gcj02": "GCJ02", "gcj-02": "GCJ02",
       "高德": "GCJ02", "火星坐标": "GCJ02", "bd09": "BD09", "bd-09": "BD09", "百度": "BD09"}
INSPECTION_KINDS = {"常规督导": "routine", "routine": "routine", "专项检查": "special",
                    "special": "special", "飞行检查": "unannounced", "unannounced": "unannounced"}


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    type: str            # code | text | count | number | bool | date | period | choice | measure
    required: bool = True
    choices: dict | None = None
    aliases: tuple[str, ...] = ()
    units: tuple[str, ...] = ()      # units its header may name: 建档人数（人）

    def spellings(self) -> set[str]:
        return {header_key(s) for s in (self.zh, self.en, self.field, *self.aliases)}

    def unit_keys(self) -> set[str]:
        return {header_key(u) for u in self.units}


@dataclass(frozen=True)
class Template:
    kind: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    _by_key: dict = field(default=None, compare=False, repr=False)
    _by_cell: dict = field(default_factory=dict, compare=False, repr=False)

    def column_for(self, cell) -> Column | None:
        """The column a header cell names, with or without a unit it accepts. Kept per spelling:
        finding a header asks it of every cell of the first rows for every template, and a
        folder's files repeat the same headers."""
        key = (cell.__class__, cell)         # 1, 1.0 and True are equal keys, but not equal headers
        try:
            return self._by_cell[key]
        except KeyError:
            if len(self._by_cell) > 10_000:     # a long-lived process's memory stays bounded
                self._by_cell.clear()
            found = self._by_cell[key] = self._column_for(cell)
            return found
        except TypeError:           # an unhashable cell
            return self._column_for(cell)

    def _column_for(self, cell) -> Column | None:
        key = header_key(cell)
        if not key:
            return None
        if key in self._lookup():
            return self._lookup()[key]
        column, fits = self._named_with_unit(cell)
        return column if fits else None

    def wrong_unit(self, cell) -> Column | None:
        """The column a header names with a unit that column does not take (面积(平方米) for km²)."""
        column, fits = self._named_with_unit(cell)
        return None if fits else column

    def _named_with_unit(self, cell) -> tuple[Column | None, bool]:
        """The column a header's name part names when it carries a unit, and whether the unit fits."""
        name, unit = split_unit(cell)
        column = self._lookup().get(header_key(name)) if unit else None
        return column, column is not None and header_key(unit) in column.unit_keys()

    def closest(self, cell) -> Column | None:
        """The column whose Chinese name is most like an unrecognized header, if any is close."""
        names = {c.zh: c for c in self.columns}
        name = split_unit(cell)[0]
        best = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
        return names[best[0]] if best else None

    def _lookup(self) -> dict[str, Column]:
        if self._by_key is None:
            by_key = {}
            for column in self.columns:
                for key in column.spellings():
                    by_key.setdefault(key, column)
            object.__setattr__(self, "_by_key", by_key)
        return self._by_key

    def match(self, header_cells: list) -> dict[int, Column]:
        """Which column of the sheet holds which field; measure columns included."""
        found: dict[int, Column] = {}
        for index, cell in enumerate(header_cells):
            column = self.column_for(cell)
            if column is not None:
                found[index] = column
        return found


AREA_KM2_UNITS = ("km2", "平方公里", "平方千米")
AREA_M2_UNITS = ("m2", "平方米")
DEGREE_UNITS = ("°", "度")
SCORE_UNITS = ("分",)


def templates(settings: Settings) -> dict[str, Template]:
    key = (settings.sha256, id(settings))
    if _TEMPLATES_CACHE.get("key") != key:
        _TEMPLATES_CACHE.update(key=key, value=_build_templates(settings))
    return dict(_TEMPLATES_CACHE["value"])


_TEMPLATES_CACHE: dict = {}


def _build_templates(settings: Settings) -> dict[str, Template]:
    counts = tuple(settings.section("reading").get("count_units", ()))
    measure_columns = tuple(
        Column(m.code, m.zh, m.en, "measure", required=False, units=counts) for m in settings.measures)

    def count(field_name, zh, required=True):
        return Column(field_name, zh, field_name, "count", required=required, units=counts)

    return {t.kind: t for t in (
        Template("admin_units", "行政区划", "Admin units", (
            Column("code", "区划代码", "code", "code"),
            Column("name", "名称", "name", "text", aliases=("区划名称",)),
            Column("level", "级别", "level", "choice", choices=LEVELS),
            Column("parent_code", "上级代码", "parent_code", "code", required=False),
            count("population", "常住人口", required=False),
            count("urban_population", "城镇人口", required=False),
            Column("area_km2", "面积", "area_km2", "number", required=False, aliases=("面积km2", "面积平方公里"),
                   units=AREA_KM2_UNITS),
            Column("lon", "经度", "lon", "number", required=False, aliases=("longitude",), units=DEGREE_UNITS),
            Column("lat", "纬度", "lat", "number", required=False, aliases=("latitude",), units=DEGREE_UNITS),
        )),
        Template("facilities", "机构名录", "Facilities", (
            Column("facility_code", "机构代码", "facility_code", "code"),
            Column("name", "机构名称", "name", "text"),
            Column("type", "机构类型", "type", "choice", choices=FACILITY_TYPES),
            Column("parent_code", "所属中心代码", "parent_code", "code", required=False),
            Column("township_code", "街道乡镇代码", "township_code", "code"),
            Column("ownership", "举办方式", "ownership", "choice", choices=OWNERSHIP),
            Column("lon", "经度", "lon", "number", aliases=("longitude",), units=DEGREE_UNITS),
            Column("lat", "纬度", "lat", "number", aliases=("latitude",), units=DEGREE_UNITS),
            Column("crs", "坐标系", "crs", "choice", required=False, choices=CRS),
            Column("building_area_m2", "业务用房面积", "building_area_m2", "number", required=False,
                   units=AREA_M2_UNITS),
            Column("area_kind", "区域类型", "area_kind", "choice", required=False, choices=AREA_KINDS),
            Column("opened_on", "开业日期", "opened_on", "date", required=False),
            Column("closed_on", "停业日期", "closed_on", "date", required=False),
        )),
        Template("standardization", "标准化建设", "Standardization", (
            Column("facility_code", "机构代码", "facility_code", "code"),
            Column("assessed_on", "评估日期", "assessed_on", "date"),
            Column("gov_premises", "政府提供业务用房", "gov_premises", "bool"),
            Column("gov_equipment", "政府配置设备", "gov_equipment", "bool"),
            Column("standardized", "达到标准化建设要求", "standardized", "bool"),
            Column("star_rating", "星级", "star_rating", "count", required=False, units=("星",)),
            Column("quality_demo", "优质服务示范", "quality_demo", "bool", required=False),
            Column("note", "备注", "note", "text", required=False),
        )),
        Template("monthly_services", "月度服务报表", "Monthly services", (
            Column("facility_code", "机构代码", "facility_code", "code"),
            Column("period", "统计月份", "period", "period", aliases=("月份", "month")),
            Column("submitted_on", "上报日期", "submitted_on", "date", required=False),
            *measure_columns,
        )),
        Template("staffing", "人员配置", "Staffing", (
            Column("facility_code", "机构代码", "facility_code", "code"),
            Column("as_of", "统计日期", "as_of", "date"),
            count("physicians", "执业医师"),
            count("gps", "全科医生"),
            count("tcm_physicians", "中医类别医师"),
            count("nurses", "执业护士"),
            count("public_health_staff", "公共卫生人员", required=False),
            count("total_staff", "在岗职工", required=False),
        )),
        Template("inspections", "督导检查", "Inspections", (
            Column("facility_code", "机构代码", "facility_code", "code"),
            Column("visit_date", "检查日期", "visit_date", "date"),
            Column("inspector", "检查人", "inspector", "text", required=False),
            Column("kind", "检查类型", "kind", "choice", required=False, choices=INSPECTION_KINDS),
            Column("score", "得分", "score", "number", units=SCORE_UNITS),
            Column("findings", "发现问题", "findings", "text", required=False),
            Column("rectify_by", "整改期限", "rectify_by", "date", required=False),
            Column("rectified_on", "整改完成日期", "rectified_on", "date", required=False),
        )),
    )}


# Folders load in this order so that what a file refers to is there before it.
LOAD_ORDER = ("admin_units", "boundaries", "facilities", "standardization", "staffing",
              "inspections", "monthly_services")


def recognize(header_cells: list, all_templates: dict[str, Template]) -> tuple[Template, dict[int, Column]] | None:
    """The template whose required columns the header holds, best match first."""
    best = None
    for template in all_templates.values():
        found = template.match(header_cells)
        fields = {c.field for c in found.values()}
        required = {c.field for c in template.columns if c.required}
        if not required <= fields:
            continue
        if template.kind == "monthly_services" and not any(c.type == "measure" for c in found.values()):
            continue
        score = len(found)
        if best is None or score > best[0]:
            best = (score, template, found)
    return (best[1], best[2]) if best else None


def near_miss(header_cells: list, all_templates: dict[str, Template]) -> tuple[Template, list[Column]] | None:
    """The template a header row was probably meant to be, and the required columns it lacks."""
    best = None
    for template in all_templates.values():
        found = template.match(header_cells)
        fields = {c.field for c in found.values()}
        missing = [c for c in template.columns if c.required and c.field not in fields]
        required_hits = sum(1 for c in template.columns if c.required and c.field in fields)
        if len(found) >= 2 and required_hits >= 1 and (best is None or len(found) > best[0]):
            best = (len(found), template, missing)
    return (best[1], best[2]) if best else None
