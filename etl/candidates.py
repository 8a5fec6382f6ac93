"""Candidate sites a planner names for the coverage page's site plan (docs/domain.md section 6):
a small table of 名称, 经度, 纬度 and, if the coordinates are not GPS ones, 坐标系. Read with the
bounded readers; every problem is listed (file, row, column, value, reason in Chinese and
English) and a file with any problem is refused whole: no plan is made from half a list.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl.coordinates import to_wgs84
from etl.normalize import BadValue, clean_text, header_key, is_blank, parse_choice, parse_number, split_unit
from etl.problems import Problem, ProblemList
from etl.readers import ReadError, ReadLimits, read_sheets
from etl.templates import CRS

MAX_SITES = 500
MAX_NAME_CHARS = 60
LIMITS = ReadLimits(max_file_mb=1, max_rows=MAX_SITES + 20, max_columns=30, max_cells=20_000, max_field_chars=500)
# each column's accepted headers (compared as header keys)
HEADERS = {
    "name": ("名称", "候选位置", "候选位置名称", "站点名称", "地点", "name", "site"),
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "crs": ("坐标系", "crs"),
}
LABELS = {"name": "名称", "lon": "经度", "lat": "纬度", "crs": "坐标系"}


@dataclass(frozen=True)
class CandidateSites:
    sites: tuple[tuple[str, float, float], ...]      # (name, lon, lat) in WGS-84, in the file's order
    problems: ProblemList

    @property
    def accepted(self) -> bool:
        return not self.problems.total and bool(self.sites)


def _header(cells: list) -> dict[str, int] | None:
    """The columns of a header row, when it names a site, a longitude and a latitude."""
    keys = {field: {header_key(h) for h in spellings} for field, spellings in HEADERS.items()}
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = header_key(split_unit(cell)[0]) if not is_blank(cell) else ""      # 经度（°） is 经度
        for field, spellings in keys.items():
            if key in spellings and field not in found:
                found[field] = index
    return found if {"name", "lon", "lat"} <= found.keys() else None


def read_candidate_sites(path: Path, shown_name: str) -> CandidateSites:
    """The sites of the file at `path` (`shown_name`: the name the user knows it by)."""
    problems = ProblemList()
    try:
        sheets = read_sheets(path, MAX_SITES + 20, LIMITS)
    except ReadError as error:
        problems.append(Problem(error.code, shown_name, detail=error.detail))
        return CandidateSites((), problems)
    sheet = sheets[0] if sheets else None
    # only the first sheet is a list: sites on another would be left out unseen
    for extra in sheets[1:]:
        if any(not is_blank(cell) for _, cells in extra.rows for cell in cells):
            problems.append(Problem("extra_sheet", shown_name, extra.name, detail=extra.name))
    header_at = next(((n, columns) for n, (_, cells) in enumerate(sheet.rows[:10])
                      if (columns := _header(cells))), None) if sheet else None
    if header_at is None:
        for field in ("name", "lon", "lat"):
            problems.append(Problem("missing_column", shown_name, sheet.name if sheet else None,
                                    detail=f"{LABELS[field]} / {field}"))
        return CandidateSites((), problems)
    start, columns = header_at
    # every column must be one of the list's: another (a note, a second name) would be dropped unseen
    header_number, header_cells = sheet.rows[start]
    used = set(columns.values())
    for index, cell in enumerate(header_cells):
        if index not in used and not is_blank(cell):
            problems.append(Problem("unknown_column", shown_name, sheet.name, header_number, value=clean_text(cell)))
    unnamed = sorted({index + 1 for _, cells in sheet.rows[start + 1:] for index, cell in enumerate(cells)
                      if index not in used and not is_blank(cell)
                      and (index >= len(header_cells) or is_blank(header_cells[index]))})
    for column_number in unnamed:
        problems.append(Problem("unnamed_column", shown_name, sheet.name, detail=str(column_number)))
    sites, seen = [], {}
    for number, cells in sheet.rows[start + 1:]:
        value = {field: cells[index] if index < len(cells) else None for field, index in columns.items()}
        if all(is_blank(v) for v in value.values()):
            continue
        where = {"file": shown_name, "sheet": sheet.name, "row": number}
        row_problems = []
        name = clean_text(value["name"])
        if not name:
            row_problems.append(Problem("required_blank", column=LABELS["name"], **where))
        elif len(name) > MAX_NAME_CHARS:
            row_problems.append(Problem("field_too_large", column=LABELS["name"], value=name[:MAX_NAME_CHARS] + "…",
                                        detail=f"≤ {MAX_NAME_CHARS}", **where))
        elif name in seen:
            row_problems.append(Problem("duplicate_key", column=LABELS["name"], value=name, detail=str(seen[name]),
                                        **where))
        coordinates = {}
        for field, low, high in (("lon", 73, 136), ("lat", 3, 54)):
            if is_blank(value[field]):
                row_problems.append(Problem("required_blank", column=LABELS[field], **where))
                continue
            try:
                number_value = parse_number(value[field])
            except BadValue as bad:
                row_problems.append(Problem(str(bad), column=LABELS[field], value=clean_text(value[field]), **where))
                continue
            if not low <= number_value <= high:
                row_problems.append(Problem("bad_coordinate", column=LABELS[field], value=clean_text(value[field]),
                                            **where))
                continue
            coordinates[field] = number_value
        crs = "WGS84"
        if "crs" in columns and not is_blank(value["crs"]):
            try:
                crs = parse_choice(value["crs"], CRS)
            except BadValue:
                row_problems.append(Problem("bad_choice", column=LABELS["crs"], value=clean_text(value["crs"]),
                                            detail="WGS84 / GCJ02 / BD09", **where))
        problems.extend(row_problems)
        if name and name not in seen:
            seen[name] = number
        if not row_problems:
            sites.append((name, *to_wgs84(coordinates["lon"], coordinates["lat"], crs)))
    if len(seen) > MAX_SITES:
        problems.append(Problem("too_many_rows", shown_name, sheet.name, detail=f"> {MAX_SITES}"))
    if not sites and not problems.total:
        problems.append(Problem("empty_file", shown_name, sheet.name))
    return CandidateSites(tuple(sites) if not problems.total else (), problems)
