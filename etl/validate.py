"""Validation: raw sheet rows become typed rows, with every problem and warning listed."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from etl import normalize as n
from etl.coordinates import to_wgs84
from etl.problems import Findings, Problem
from etl.templates import Column, Template
from warehouse.settings import Settings

TOTALS_WORDS = {"合计", "总计", "小计", "合计:", "total", "totals", "sum"}
TOWNSHIP_LEVELS = ("street", "town")
CODE_LENGTHS = {"district": 6, "street": 9, "town": 9, "community": 12, "village": 12}
PARENT_LEVELS = {"street": ("district",), "town": ("district",),
                 "community": TOWNSHIP_LEVELS, "village": TOWNSHIP_LEVELS}


@dataclass
class Reference:
    """What the warehouse (and earlier sheets of the same file) already knows, and which districts
    the person loading may write to (None: all of them)."""
    areas: dict[str, str] = field(default_factory=dict)        # code -> level
    facilities: dict[str, str] = field(default_factory=dict)   # code -> type
    area_districts: dict[str, str] = field(default_factory=dict)
    facility_districts: dict[str, str] = field(default_factory=dict)
    allowed_districts: frozenset[str] | None = None
    facility_dates: dict[str, tuple] = field(default_factory=dict)   # code -> (opened_on, closed_on)
    _unpadded: dict | None = None

    def without_leading_zeros(self, code: str) -> list[str]:
        """Known facility codes that read as `code` once Excel drops their leading zeros."""
        if self._unpadded is None:
            self._unpadded = {}
            for known in self.facilities:
                if known.startswith("0"):
                    self._unpadded.setdefault(known.lstrip("0"), []).append(known)
        return sorted(self._unpadded.get(code.lstrip("0"), []))

    def allows_area(self, code: str | None) -> bool:
        if self.allowed_districts is None or code is None:
            return True
        district = self.area_districts.get(code, code if len(code) == 6 else None)
        return district in self.allowed_districts

    def allows_facility(self, code: str | None) -> bool:
        if self.allowed_districts is None or code is None:
            return True
        return self.facility_districts.get(code) in self.allowed_districts


@dataclass
class Dataset:
    """The validated rows of one sheet, ready for the warehouse."""
    kind: str
    sheet: str | None
    rows: list[dict] | pd.DataFrame      # monthly_services: a frame (see measure_values)
    reports: list[dict] = field(default_factory=list)   # monthly_services: one per facility-month
    # monthly_services: facility_code, period (first of the month), row: where each month was in the file
    row_numbers: pd.DataFrame | None = None
    headers: dict = field(default_factory=dict)         # field -> header as written in the file
    source_rows: int = 0


@dataclass
class SheetContext:
    file: str
    sheet: str | None
    template: Template
    columns: dict[int, Column]
    header_row: int
    headers: list
    settings: Settings
    reference: Reference
    today: date
    findings: Findings
    by_field: dict = field(default_factory=dict)    # every parsed column as a list, row order
    not_reported: frozenset = frozenset()          # cells read as blank (settings: reading.not_reported)
    footer_words: tuple = ()

    def problem(self, code, row=None, column: Column | None = None, value=None, detail="", **extra):
        self.findings.problems.append(self.make_problem(code, row, column, value, detail, **extra))

    def make_problem(self, code, row=None, column: Column | None = None, value=None, detail="",
                     **extra) -> Problem:
        return Problem(code, self.file, self.sheet, row, self._header(column), _show(value), str(detail),
                       **extra)

    def warning(self, code, row=None, column: Column | None = None, value=None, detail="", **extra):
        self.findings.warnings.append(Problem(
            code, self.file, self.sheet, row, self._header(column), _show(value), str(detail), **extra))

    def _header(self, column: Column | None) -> str | None:
        if column is None:
            return None
        for index, col in self.columns.items():
            if col is column:
                return n.clean_text(self.headers[index])
        return column.zh


def _show(value) -> str | None:
    if value is None:
        return None
    return n.clean_text(value)[:80]


def is_totals_row(cells: list) -> bool:
    # only text can say 合计: numbers and dates are not looked at, nor text starting with a digit
    # (a code: most first cells of most rows), which no totals word does
    return any(c.__class__ is str and not c[:1].isdigit() and n.header_key(c) in TOTALS_WORDS for c in cells[:4])


PARSERS = {
    "code": n.parse_code, "text": n.clean_text, "count": n.parse_count, "number": n.parse_number,
    "bool": n.parse_bool, "date": n.parse_date, "period": n.parse_period, "measure": n.parse_count,
}


_BLANK = object()


def _parse_cell(column: Column, raw, not_reported: frozenset = frozenset()):
    """The cell's value, `_BLANK`, or the BadValue it raised. A not-reported marker (—, /, 无 …)
    is blank, never zero; in a yes/no column 无 means no and stays a value."""
    if n.is_blank(raw):
        return _BLANK
    if column.type != "bool" and raw.__class__ is str and n.clean_text(raw) in not_reported:
        return _BLANK
    try:
        if column.type == "choice":
            return n.parse_choice(raw, column.choices)
        return PARSERS[column.type](raw)
    except n.BadValue as bad:
        return bad


def _fast_cell(column_type: str, raw):
    """The common cells parsed without the general parsers (same results), else None."""
    if raw.__class__ is str:
        if raw.isascii():
            if column_type in ("count", "measure") and raw.isdigit() and len(raw) <= 15:
                return int(raw)
            if column_type == "code" and raw.isalnum():
                return raw
    elif raw.__class__ is int and column_type in ("count", "measure") and 0 <= raw < 10 ** 15:
        return raw
    return None


def _whole_column_of_counts(raws, blanks_allowed: bool) -> list[int | None] | None:
    """A column of plain non-negative whole numbers converted at once (int() in C), empty cells
    being None where the column may be blank, or None when any cell needs the general parser
    (a blank in a required column, 1,234, 12.5, -3, 1_000, a not-reported mark ...)."""
    if set(map(type, raws)) != {str}:
        return None
    try:
        values = list(map(int, raws))
    except ValueError:
        if not blanks_allowed:
            return None
        try:
            values = [int(raw) if raw else None for raw in raws]
        except ValueError:
            return None
    present = [v for v in values if v is not None] if None in values else values
    if not values or (present and (min(present) < 0 or max(present) >= 10 ** 15)) or "_" in "".join(raws):
        return None
    return values


def parse_column(ctx: SheetContext, column: Column, numbers: list[int], raws: list,
                 problems: list) -> list:
    """Typed values of one column. Text cells are parsed once per distinct spelling (periods,
    dates and codes repeat down a sheet); a bad cell's problem is collected as (row, problem)
    and its value is None, so the other checks still run and every problem is listed at once."""
    if column.type in ("count", "measure"):
        values = _whole_column_of_counts(raws, not column.required)
        if values is not None:
            return values
    values = []
    parsed_text: dict[str, object] = {}
    column_type = column.type
    for number, raw in zip(numbers, raws):
        if raw.__class__ is str:
            value = parsed_text.get(raw)
            if value is None:
                value = _fast_cell(column_type, raw)
                if value is None:
                    value = _parse_cell(column, raw, ctx.not_reported)
                parsed_text[raw] = value
        else:
            value = _fast_cell(column_type, raw)
            if value is None:
                value = _parse_cell(column, raw, ctx.not_reported)
        if value.__class__ is object or value.__class__ is n.BadValue:
            if value is _BLANK:
                if column.required:
                    problems.append((number, ctx.make_problem("required_blank", number, column, raw)))
                value = None
            else:
                detail = "/".join(dict.fromkeys(column.choices)) if value.reason == "bad_choice" else ""
                if value.reason == "code_scientific":
                    detail = scientific_hint(raw, ctx.reference)
                problems.append((number, ctx.make_problem(value.reason, number, column, raw, detail)))
                value = None
        values.append(value)
    return values


def parse_rows(ctx: SheetContext, rows: list[tuple[int, list]]) -> list[tuple[int, dict]]:
    """Every data row's typed values by field, parsed column by column; problems are listed in
    the order of the sheet (row by row, left to right)."""
    numbers = [number for number, _ in rows]
    width = max(ctx.columns, default=-1) + 1
    padded = [cells if len(cells) == width else cells[:width] if len(cells) > width
              else list(cells) + [None] * (width - len(cells)) for _, cells in rows]
    by_index = list(zip(*padded)) if padded else [()] * width
    by_field: dict[str, list] = {}
    problems: list[tuple[int, Problem]] = []
    for index, column in ctx.columns.items():
        by_field[column.field] = parse_column(ctx, column, numbers, by_index[index], problems)
    problems.sort(key=lambda item: item[0])
    ctx.findings.problems.extend(problem for _, problem in problems)
    ctx.by_field = by_field
    fields = list(by_field)
    return [(number, dict(zip(fields, values)))
            for number, values in zip(numbers, zip(*by_field.values()))]


def scientific_hint(raw, reference: Reference) -> str:
    """「…」 naming the one known code a number in scientific notation (3.70902E+11) rounds from."""
    mantissa, _, exponent = n.clean_text(raw).upper().partition("E")
    digits = mantissa.replace(".", "").lstrip("+")
    try:
        places = int(exponent) - (len(mantissa.split(".")[1]) if "." in mantissa else 0)
        low, high = (int(digits) * 10 - 5) * 10 ** places // 10, (int(digits) * 10 + 5) * 10 ** places // 10
    except ValueError:
        return ""
    width = int(exponent) + 1
    matches = [code for code in (*reference.facilities, *reference.areas)
               if len(code) == width and code.isdigit() and low <= int(code) < high]
    if len(matches) == 1:
        return f"：是否应为「{matches[0]}」？ / did you mean \"{matches[0]}\"?"
    return ""


def data_rows(ctx: SheetContext, sheet_rows: list[tuple[int, list]]):
    footer = footer_rows(ctx, sheet_rows)
    for number, cells in sheet_rows:
        if number <= ctx.header_row or number in footer or all(n.is_blank(c) for c in cells):
            continue
        if is_totals_row(cells):
            continue
        yield number, cells


def footer_rows(ctx: SheetContext, sheet_rows: list[tuple[int, list]]) -> set[int]:
    """The lines under the table that are its footer (填表人：… 审核人：… 单位（盖章） 填报日期：…, or a
    free note alone on its line), from the bottom up to the last data row; each is listed as
    skipped. A line whose key cell holds a code is data, never footer."""
    key_index = min((i for i, c in ctx.columns.items() if c.required and c.type == "code"), default=0)
    footer: dict[int, str] = {}
    for number, cells in reversed(sheet_rows):
        if number <= ctx.header_row:
            break
        filled = [n.clean_text(c) for c in cells if not n.is_blank(c)]
        if not filled:
            continue
        if not _is_footer_line(filled, cells, key_index, ctx.footer_words):
            break
        footer[number] = " ".join(filled)
    for number in sorted(footer):
        ctx.warning("footer_skipped", number, None, footer[number])
    return set(footer)


def _is_footer_line(filled: list[str], cells: list, key_index: int, words: tuple) -> bool:
    key = n.clean_text(cells[key_index]) if key_index < len(cells) else ""
    if key and key != filled[0]:
        return False        # something before the key column, or a key with more after it
    first = filled[0].replace(" ", "")
    for word in words:
        if first.startswith(word):
            rest = first[len(word):]
            if len(word) >= 3 or not rest or rest[0] in ":：(（":
                return True
    # a free note: one text alone on its line, which no code looks like
    return len(filled) == 1 and not _looks_like_code(filled[0])


def _looks_like_code(text: str) -> bool:
    try:
        n.parse_code(text)
        return True
    except n.BadValue:
        return False


def check_unique(ctx: SheetContext, key_fields: tuple[str, ...], parsed: list[tuple[int, dict]]):
    seen: dict[tuple, int] = {}
    key_column = next(c for c in ctx.columns.values() if c.field == key_fields[0])
    for number, row in parsed:
        key = tuple(row[f] for f in key_fields)
        if None in key:
            continue
        if key in seen:
            ctx.problem("duplicate_key", number, key_column, row[key_fields[0]], seen[key])
        else:
            seen[key] = number


def column(ctx: SheetContext, field_name: str) -> Column | None:
    return next((c for c in ctx.columns.values() if c.field == field_name), None)


def check_not_future(ctx, number, row, field_name, code="future_date"):
    value = row.get(field_name)
    if value is not None and value > ctx.today:
        ctx.problem(code, number, column(ctx, field_name), value)
        return False
    return True


def check_facility(ctx, number, row) -> bool:
    code = row["facility_code"]
    if code is not None and code not in ctx.reference.facilities:
        padded = ctx.reference.without_leading_zeros(code)
        if padded:
            ctx.problem("unknown_facility_zero", number, column(ctx, "facility_code"), code, " / ".join(padded))
        else:
            ctx.problem("unknown_facility", number, column(ctx, "facility_code"), code)
        return False
    if not ctx.reference.allows_facility(code):
        ctx.problem("out_of_scope", number, column(ctx, "facility_code"), code)
        return False
    return True


# --- one validator per template ---------------------------------------------------------------

def validate_admin_units(ctx: SheetContext, parsed: list[tuple[int, dict]]) -> Dataset:
    check_unique(ctx, ("code",), parsed)
    in_file = {row["code"]: row["level"] for _, row in parsed if row["code"] and row["level"]}
    known = {**ctx.reference.areas, **in_file}
    rows = []
    for number, row in parsed:
        level, code = row["level"], row["code"]
        if code and level and (not code.isdigit() or len(code) != CODE_LENGTHS[level]):
            ctx.problem("bad_code_length", number, column(ctx, "code"), code,
                        f"{level} = {CODE_LENGTHS[level]}")
        parent = row.get("parent_code")
        if level in PARENT_LEVELS:
            if not parent:
                ctx.problem("required_blank", number, column(ctx, "parent_code"), parent)
            elif parent not in known:
                ctx.problem("unknown_area", number, column(ctx, "parent_code"), parent)
            elif known[parent] not in PARENT_LEVELS[level]:
                ctx.problem("wrong_parent_level", number, column(ctx, "parent_code"), parent,
                            f"{known[parent]} → {level}")
        for axis, low, high in (("lon", 73, 136), ("lat", 3, 54)):
            if row.get(axis) is not None and not low <= row[axis] <= high:
                ctx.problem("bad_coordinate", number, column(ctx, axis), row[axis])
        if ctx.reference.allowed_districts is not None and code:
            district = code if level == "district" else (parent if level in ("street", "town") else
                                                         ctx.reference.area_districts.get(parent or "", (parent or "")[:6]))
            if district not in ctx.reference.allowed_districts:
                ctx.problem("out_of_scope", number, column(ctx, "code"), code)
        rows.append({k: row.get(k) for k in ("code", "name", "level", "parent_code", "population",
                                             "urban_population", "area_km2", "lon", "lat")})
    ctx.reference.areas.update(in_file)
    return Dataset("admin_units", ctx.sheet, rows)


def validate_facilities(ctx: SheetContext, parsed: list[tuple[int, dict]]) -> Dataset:
    check_unique(ctx, ("facility_code",), parsed)
    in_file = {row["facility_code"]: row["type"] for _, row in parsed if row["facility_code"] and row["type"]}
    known = {**ctx.reference.facilities, **in_file}
    default_crs = ctx.settings.section("coordinates")["default_crs"]
    rows = []
    for number, row in parsed:
        township = row["township_code"]
        if township is None:
            pass
        elif township not in ctx.reference.areas:
            ctx.problem("unknown_area", number, column(ctx, "township_code"), township)
        elif ctx.reference.areas[township] not in TOWNSHIP_LEVELS:
            ctx.problem("not_a_township", number, column(ctx, "township_code"), township)
        elif not ctx.reference.allows_area(township):
            ctx.problem("out_of_scope", number, column(ctx, "township_code"), township)
        parent = row.get("parent_code")
        if row["type"] == "CHS" and not parent:
            ctx.problem("parent_required", number, column(ctx, "parent_code") or column(ctx, "type"), parent)
        if parent:
            if parent not in known:
                ctx.problem("unknown_facility", number, column(ctx, "parent_code"), parent)
            elif known[parent] != "CHC":
                ctx.problem("parent_not_chc", number, column(ctx, "parent_code"), parent)
        lon, lat = row["lon"], row["lat"]
        crs = row.get("crs") or default_crs
        if lon is None or lat is None:
            pass
        elif not (73 <= lon <= 136):
            ctx.problem("bad_coordinate", number, column(ctx, "lon"), lon)
        elif not (3 <= lat <= 54):
            ctx.problem("bad_coordinate", number, column(ctx, "lat"), lat)
        else:
            lon, lat = to_wgs84(lon, lat, crs)
        if row.get("opened_on") and row.get("closed_on") and row["closed_on"] < row["opened_on"]:
            ctx.problem("closed_before_opened", number, column(ctx, "closed_on"), row["closed_on"])
        if row["facility_code"]:
            ctx.reference.facility_dates[row["facility_code"]] = (row.get("opened_on"), row.get("closed_on"))
        check_not_future(ctx, number, row, "closed_on")
        rows.append({
            "facility_code": row["facility_code"], "name": row["name"], "type": row["type"],
            "parent_code": parent, "township_code": township, "ownership": row["ownership"],
            "lon": lon, "lat": lat, "source_crs": crs, "building_area_m2": row.get("building_area_m2"),
            "area_kind": row.get("area_kind"), "opened_on": row.get("opened_on"),
            "closed_on": row.get("closed_on"),
        })
    ctx.reference.facilities.update(in_file)
    return Dataset("facilities", ctx.sheet, rows)


def validate_standardization(ctx: SheetContext, parsed: list[tuple[int, dict]]) -> Dataset:
    check_unique(ctx, ("facility_code", "assessed_on"), parsed)
    rows = []
    for number, row in parsed:
        check_facility(ctx, number, row)
        check_not_future(ctx, number, row, "assessed_on")
        star = row.get("star_rating")
        if star is not None and not 1 <= star <= 5:
            ctx.problem("bad_star", number, column(ctx, "star_rating"), star)
        rows.append({k: row.get(k) for k in ("facility_code", "assessed_on", "gov_premises",
                                             "gov_equipment", "standardized", "star_rating",
                                             "quality_demo", "note")})
    return Dataset("standardization", ctx.sheet, rows)


def validate_staffing(ctx: SheetContext, parsed: list[tuple[int, dict]]) -> Dataset:
    check_unique(ctx, ("facility_code", "as_of"), parsed)
    rows = []
    for number, row in parsed:
        check_facility(ctx, number, row)
        check_not_future(ctx, number, row, "as_of")
        for part in ("gps", "tcm_physicians"):
            if row.get(part) is not None and row.get("physicians") is not None and row[part] > row["physicians"]:
                ctx.warning("more_than_physicians", number, column(ctx, part), row[part],
                            column(ctx, part).zh, facility_code=row["facility_code"])
        rows.append({k: row.get(k) for k in ("facility_code", "as_of", "physicians", "gps",
                                             "tcm_physicians", "nurses", "public_health_staff",
                                             "total_staff")})
    return Dataset("staffing", ctx.sheet, rows)


def validate_inspections(ctx: SheetContext, parsed: list[tuple[int, dict]]) -> Dataset:
    check_unique(ctx, ("facility_code", "visit_date"), parsed)
    rows = []
    for number, row in parsed:
        check_facility(ctx, number, row)
        check_not_future(ctx, number, row, "visit_date")
        check_not_future(ctx, number, row, "rectified_on")
        if row["score"] is not None and not 0 <= row["score"] <= 100:
            ctx.problem("bad_score", number, column(ctx, "score"), row["score"])
        if row.get("rectify_by") and row["visit_date"] and row["rectify_by"] < row["visit_date"]:
            ctx.problem("rectify_before_visit", number, column(ctx, "rectify_by"), row["rectify_by"])
        rows.append({k: row.get(k) for k in ("facility_code", "visit_date", "inspector", "kind",
                                             "score", "findings", "rectify_by", "rectified_on")})
    return Dataset("inspections", ctx.sheet, rows)


def validate_monthly_services(ctx: SheetContext, parsed: list[tuple[int, dict]]) -> Dataset:
    check_unique(ctx, ("facility_code", "period"), parsed)
    measures = [c.field for c in ctx.columns.values() if c.type == "measure"]
    indicators = [i for i in ctx.settings.indicators if i.denominator]
    this_month = ctx.today.replace(day=1)
    reports = []
    for number, row in parsed:
        if check_facility(ctx, number, row):
            check_operating(ctx, number, row)
        if row["period"] is not None and row["period"] > this_month:
            ctx.problem("future_period", number, column(ctx, "period"), row["period"].strftime("%Y-%m"))
        check_not_future(ctx, number, row, "submitted_on")
        reports.append({"facility_code": row["facility_code"], "period": row["period"],
                        "submitted_on": row.get("submitted_on") or ctx.today})
    warn_rates_above_100(ctx, parsed, indicators)
    return Dataset("monthly_services", ctx.sheet, measure_values(ctx.by_field, measures), reports,
                   row_numbers=pd.DataFrame({"facility_code": ctx.by_field["facility_code"],
                                             "period": pd.to_datetime(list(ctx.by_field["period"])),
                                             "row": np.array([number for number, _ in parsed], dtype=np.int32)}),
                   headers={m: ctx._header(column(ctx, m)) for m in measures})


def check_operating(ctx: SheetContext, number: int, row: dict) -> None:
    """A month's report must fall within the facility's opening and closing: a station that closed
    cannot report, and its numbers would still drive its township's rates."""
    period = row["period"]
    opened, closed = ctx.reference.facility_dates.get(row["facility_code"], (None, None))
    if period is None:
        return
    if closed is not None and period > closed.replace(day=1):
        ctx.problem("after_closing", number, column(ctx, "period"), period.strftime("%Y-%m"), closed.isoformat())
    elif opened is not None and period < opened.replace(day=1):
        ctx.problem("before_opening", number, column(ctx, "period"), period.strftime("%Y-%m"), opened.isoformat())


def warn_rates_above_100(ctx: SheetContext, parsed: list[tuple[int, dict]], indicators) -> None:
    """A numerator above its denominator is a warning (row by row, indicators in registry order);
    compared a column at a time, since a year of a province's reports has 36,000 rows."""
    fields = {c.field for c in ctx.columns.values()}
    flagged = []
    for order, indicator in enumerate(indicators):
        if indicator.numerator not in fields or indicator.denominator not in fields:
            continue
        numerators = np.array(ctx.by_field[indicator.numerator], dtype=float)
        denominators = np.array(ctx.by_field[indicator.denominator], dtype=float)
        flagged += [(index, order, indicator) for index in np.flatnonzero(numerators > denominators)]
    for index, _, indicator in sorted(flagged, key=lambda item: item[:2]):
        number, row = parsed[index]
        ctx.warning("rate_above_100", number, column(ctx, indicator.numerator), row[indicator.numerator],
                    f"{indicator.zh} ({indicator.code})", facility_code=row["facility_code"],
                    period=row["period"], measure=indicator.numerator)


def measure_values(by_field: dict, measures: list[str]) -> pd.DataFrame:
    """One row per facility, month and measure (a blank value is NaN: it removes the stored one),
    built from the parsed columns because a year of a province's reports holds a million values."""
    rows = len(by_field["facility_code"])
    return pd.DataFrame({
        "facility_code": np.repeat(np.array(by_field["facility_code"], dtype=object), len(measures)),
        "period": np.repeat(pd.to_datetime(list(by_field["period"])).to_numpy(), len(measures)),
        "measure": np.tile(np.array(measures, dtype=object), rows),
        "value": np.column_stack([np.array(by_field[m], dtype=float) for m in measures]).reshape(-1)
                 if rows and measures else np.array([], dtype=float),
    })


def check_unnamed_columns(ctx: SheetContext, rows: list[tuple[int, list]]) -> None:
    """Values under a blank header belong to no column: the file is rejected, not trimmed."""
    width = len(ctx.headers)
    unnamed = [i for i, cell in enumerate(ctx.headers) if n.is_blank(cell)]
    reported = set()
    for number, cells in rows:
        # only the cells under a blank header or past the last one are looked at
        beyond = range(width, len(cells)) if len(cells) > width else ()
        for index in (*unnamed, *beyond):
            if index < len(cells) and index not in reported and not n.is_blank(cells[index]):
                reported.add(index)
                ctx.problem("unnamed_column", number, None, cells[index], _column_letter(index))


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


VALIDATORS = {
    "admin_units": validate_admin_units,
    "facilities": validate_facilities,
    "standardization": validate_standardization,
    "staffing": validate_staffing,
    "inspections": validate_inspections,
    "monthly_services": validate_monthly_services,
}


def validate_sheet(ctx: SheetContext, sheet_rows: list[tuple[int, list]]) -> Dataset | None:
    fields = [c.field for c in ctx.columns.values()]
    for duplicate in {f for f in fields if fields.count(f) > 1}:
        header = next(c for c in ctx.columns.values() if c.field == duplicate)
        ctx.problem("duplicate_column", ctx.header_row, None, None, header.zh)
    rows = list(data_rows(ctx, sheet_rows))
    check_unnamed_columns(ctx, rows)
    source_rows = len(rows)
    parsed = parse_rows(ctx, rows)
    if source_rows == 0:
        ctx.problem("empty_file")
        return None
    dataset = VALIDATORS[ctx.template.kind](ctx, parsed)
    dataset.source_rows = source_rows
    return dataset


# --- boundaries (GeoJSON) -----------------------------------------------------------------------

def is_polygonal(geometry) -> bool:
    """A Polygon or MultiPolygon whose coordinates nest as GeoJSON says: rings of at least four
    positions of two or three numbers (anything else would break the maps later)."""
    if not isinstance(geometry, dict):
        return False
    coordinates = geometry.get("coordinates")
    if geometry.get("type") == "Polygon":
        polygons = [coordinates]
    elif geometry.get("type") == "MultiPolygon" and isinstance(coordinates, list):
        polygons = coordinates
    else:
        return False
    return bool(polygons) and all(
        isinstance(polygon, list) and polygon and all(_is_ring(ring) for ring in polygon) for polygon in polygons)


def _is_ring(ring) -> bool:
    return isinstance(ring, list) and len(ring) >= 4 and all(
        isinstance(point, list) and 2 <= len(point) <= 3
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in point)
        for point in ring)


def validate_boundaries(file: str, document, reference: Reference, findings: Findings) -> Dataset | None:
    def problem(code, row=None, value=None, detail=""):
        findings.problems.append(Problem(code, file, None, row, "code" if row else None,
                                         _show(value), detail))

    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        problem("bad_geojson", detail="not a FeatureCollection")
        return None
    features = document.get("features") or []
    if not isinstance(features, list):
        problem("bad_geojson", detail="features is not a list")
        return None
    if not features:
        problem("empty_file")
        return None
    rows, seen = [], {}
    for number, feature in enumerate(features, start=1):
        feature = feature if isinstance(feature, dict) else {}
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        raw = props.get("code", props.get("区划代码"))
        try:
            code = n.parse_code(raw)
        except n.BadValue:
            problem("required_blank" if n.is_blank(raw) else "bad_code", number, raw)
            continue
        if code in seen:
            problem("duplicate_key", number, code, seen[code])
            continue
        seen[code] = number
        if reference.areas.get(code) not in TOWNSHIP_LEVELS:
            problem("unknown_area" if code not in reference.areas else "not_a_township", number, code)
        elif not reference.allows_area(code):
            problem("out_of_scope", number, code)
        geometry = feature.get("geometry") or {}
        if not is_polygonal(geometry):
            problem("bad_geometry", number, code)
            continue
        rows.append({"code": code, "geometry": json.dumps(geometry, separators=(",", ":"))})
    return Dataset("boundaries", None, rows, source_rows=len(features))
