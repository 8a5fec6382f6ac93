"""Readers: a file becomes sheets of raw rows (row number as the user sees it, list of cells).

Every read is bounded (docs/data.md, "Limits"): what a file declares or packs is checked against
`ReadLimits` before memory is spent on it, and every way a reader can fail becomes a ReadError,
never a traceback. Workbooks (.xlsx and .xls) are read with calamine (Rust)."""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import charset_normalizer
import olefile
import python_calamine

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".xls", ".geojson", ".json")
WORKBOOK_SUFFIXES = (".xlsx", ".xls")


class ReadError(Exception):
    """The file as a whole cannot be read; `code` is a message code of etl.problems."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class ReadLimits:
    """How much one file may hold; `settings.toml` [reading] sets them (docs/settings.md)."""
    max_file_mb: float = 50
    max_rows: int = 1_048_576
    max_columns: int = 1_000
    max_cells: int = 2_000_000
    max_uncompressed_mb: float = 400
    max_compression_ratio: float = 100
    max_field_chars: int = 32_767          # Excel's own limit for one cell
    max_json_depth: int = 64

    @classmethod
    def from_section(cls, section: dict) -> ReadLimits:
        known = {name: section[name] for name in cls.__dataclass_fields__ if name in section}
        return cls(**known)


@dataclass
class Sheet:
    name: str | None                   # None for a CSV
    rows: list[tuple[int, list]]       # (1-based row number, cells)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # 0-based


def check_file_size(path: Path, limits: ReadLimits) -> None:
    size = path.stat().st_size
    if size > limits.max_file_mb * 2 ** 20:
        raise ReadError("file_too_large", f"{size / 2 ** 20:.1f} MB > {limits.max_file_mb:g} MB")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), then GB18030 (a superset of GBK), then a detector's best guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise ReadError("bad_encoding") from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data[:1 << 20]).best()
    if best is None or best.encoding is None:
        raise ReadError("bad_encoding")
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        raise ReadError("bad_encoding") from None


# --- CSV ------------------------------------------------------------------------------------------

def read_csv(path: Path, max_rows: int | None = None, limits: ReadLimits = ReadLimits()) -> list[Sheet]:
    check_file_size(path, limits)
    text = decode_text(path.read_bytes())
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    _check_line_widths(text, dialect.delimiter, limits, max_rows)
    # The limit is the csv module's global; every reader of this process wants the same one.
    csv.field_size_limit(limits.max_field_chars)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list]] = []
    cells = 0
    try:
        for number, row in enumerate(itertools.islice(reader, max_rows), start=1):
            if not any(row):
                continue        # blank lines (",,,") are neither kept nor counted against the limits
            if len(rows) >= limits.max_rows:
                raise ReadError("too_many_rows", f"> {limits.max_rows:,}")
            if len(row) > limits.max_columns:
                raise ReadError("too_many_columns", f"第{number}行/row {number}: {len(row):,} > {limits.max_columns:,}")
            cells += len(row)
            if cells > limits.max_cells:
                raise ReadError("too_many_cells", f"> {limits.max_cells:,}")
            rows.append((number, row))
    except csv.Error as exc:
        line = reader.line_num
        if "field larger than field limit" in str(exc):
            raise ReadError("field_too_large", f"第{line}行/row {line}: > {limits.max_field_chars:,}") from None
        raise ReadError("unreadable_file", f"CSV {line}: {exc}") from None
    return [Sheet(None, rows)]


def _check_line_widths(text: str, delimiter: str, limits: ReadLimits, max_rows: int | None) -> None:
    """Refuse a line with more delimiters than columns allowed before the csv module builds it
    (one 50 MB line of commas would become millions of strings). Counted on the text in place;
    a delimiter inside quotes counts too, which only a line of a thousand quoted commas notices."""
    start, number = 0, 0
    length = len(text)
    while start < length and (max_rows is None or number < max_rows):
        end = text.find("\n", start)
        end = length if end < 0 else end
        number += 1
        if end - start > limits.max_columns and text.count(delimiter, start, end) >= limits.max_columns:
            raise ReadError("too_many_columns", f"第{number}行/row {number}: > {limits.max_columns:,}")
        start = end + 1


# --- workbooks --------------------------------------------------------------------------------------

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
# References of rows (<row r="12">) and cells (<c r="B12">); only these elements carry r="…".
# Row tags give a lower bound only (cells are what readers place), so the common unprefixed
# spelling is enough; the literal start keeps this a fast scan.
_ROW_TAG = re.compile(rb'<row\b[^>]*? r="(\d{1,9})"')
_MULTI_LETTER = re.compile(rb' r="[A-Z]{2}')
_MULTI_LETTER_COLUMN = re.compile(rb' r="([A-Z]{2,3})\d')
_SINGLE_LETTER_COLUMN = re.compile(rb' r="([A-Z])\d')
_FORMULA_OPENINGS = (b"<f>", b"<f ", b":f>", b":f ")      # <f>, <f t="shared" …>, <x:f>
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SCAN_CHUNK = 1 << 20


def column_number(letters: bytes | str) -> int:
    """A → 1, Z → 26, AA → 27."""
    number = 0
    for letter in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(letter) - 64
    return number


@dataclass
class PartScan:
    """What streaming through one worksheet's XML found, without building it."""
    sheet: str = ""                            # the sheet's name in the workbook
    declared: tuple[int, int] | None = None    # rows, columns of <dimension>
    max_row: int = 0
    max_column: int = 0
    cells: int = 0
    has_formulas: bool = False


def inspect_xlsx(path: Path, limits: ReadLimits) -> dict[str, PartScan]:
    """Check an .xlsx before any reader builds it: the archive's packed sizes and ratios, no DTD in
    any XML part (entity tricks), and each worksheet's declared and real extent, found by streaming
    through its XML with a byte budget. Returns each worksheet part's scan."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError("unreadable_file", type(exc).__name__) from exc
    budget = limits.max_uncompressed_mb * 2 ** 20
    with archive:
        infos = archive.infolist()
        declared_total = sum(info.file_size for info in infos)
        if declared_total > budget:
            raise ReadError("uncompressed_too_large", f"{declared_total / 2 ** 20:,.0f} MB > {limits.max_uncompressed_mb:g} MB")
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 2 ** 20 and ratio > limits.max_compression_ratio:
                raise ReadError("zip_bomb", f"{info.filename}: {ratio:,.0f} : 1 > {limits.max_compression_ratio:g} : 1")
        scans: dict[str, PartScan] = {}
        spent = 0
        for info in infos:
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            scan, used = _scan_part(archive, info, budget - spent, is_sheet, limits)
            spent += used
            if is_sheet:
                scans[info.filename] = scan
        names = _sheet_names_by_part(archive)      # every part is free of DTDs by now
        for part, scan in scans.items():
            scan.sheet = names.get(part) or part.rsplit("/", 1)[-1]
            _check_extent(scan.sheet, scan, limits)
        return scans


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: float, is_sheet: bool,
               limits: ReadLimits) -> tuple[PartScan, int]:
    scan = PartScan()
    used = 0
    tail = b""
    try:
        with archive.open(info) as entry:
            first = True
            while chunk := entry.read(_SCAN_CHUNK):
                used += len(chunk)
                if used > budget:       # the archive lied about its sizes
                    raise ReadError("zip_bomb", f"{info.filename}: more than declared")
                window = tail + chunk
                if first:
                    if _DOCTYPE.search(window[:4096]):
                        raise ReadError("xml_doctype", info.filename)
                    first = False
                if not is_sheet:
                    if used > 1 << 16 and b"<!" not in window:
                        break       # a DTD can only come before the root element
                    tail = chunk[-64:]
                    continue
                if scan.declared is None and (match := _DIMENSION.search(window)):
                    scan.declared = _dimension_size(match)
                _scan_cells(scan, window, tail, limits)
                tail = chunk[-64:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        raise ReadError("unreadable_file", f"{info.filename}: {type(exc).__name__}") from exc
    return scan, used


def _scan_cells(scan: PartScan, window: bytes, tail: bytes, limits: ReadLimits) -> None:
    """The extent of the cells in one chunk of sheet XML (the tail of the previous chunk is
    repeated so a tag cut in two is still seen; counting subtracts it again). A handful of passes
    over the bytes, none per cell: a cell further down than its row says is looked for by its
    number of digits, and read exactly only when that could take the sheet past a limit."""
    rows = _ROW_TAG.findall(window)
    if rows:
        scan.max_row = max(scan.max_row, max(map(int, rows)))
    scan.max_column = max(scan.max_column, _widest_column(window, scan.max_column))
    digits = len(str(scan.max_row))
    longer = re.findall(rb' r="[A-Z]{1,3}(\d{%d,9})"' % (digits + 1), window)
    if longer:
        scan.max_row = max(scan.max_row, max(map(int, longer)))
    else:
        bound = 10 ** digits - 1       # no cell of this chunk is further down than this
        if bound > scan.max_row and (bound > limits.max_rows or bound * max(scan.max_column, 1) > limits.max_cells):
            same = re.findall(rb' r="[A-Z]{1,3}(\d{%d})"' % digits, window)
            scan.max_row = max([scan.max_row, *map(int, same)])
    scan.cells += window.count(b"<c ") - tail.count(b"<c ")
    scan.has_formulas = scan.has_formulas or any(tag in window for tag in _FORMULA_OPENINGS)


def _widest_column(window: bytes, widest_so_far: int) -> int:
    if _MULTI_LETTER.search(window):
        return max(column_number(c) for c in set(_MULTI_LETTER_COLUMN.findall(window)))
    if widest_so_far >= 26:
        return 0
    beyond = re.compile(rb' r="[%c-Z]\d' % (65 + widest_so_far))   # a letter right of the widest
    if not beyond.search(window):
        return 0
    return max(column_number(c) for c in set(_SINGLE_LETTER_COLUMN.findall(window)))


def _dimension_size(match: re.Match) -> tuple[int, int] | None:
    first_col, first_row, last_col, last_row = match.groups()
    if last_col is None:
        return (int(first_row or 1), column_number(first_col or b"A"))
    return (int(last_row) - int(first_row or 1) + 1, column_number(last_col) - column_number(first_col or b"A") + 1)


def _check_extent(sheet: str, scan: PartScan, limits: ReadLimits) -> None:
    for rows, columns, how in ((*(scan.declared or (0, 0)), "declared"), (scan.max_row, scan.max_column, "used")):
        if rows > limits.max_rows:
            raise ReadError("too_many_rows", f"{sheet} ({how}): {rows:,} > {limits.max_rows:,}")
        if columns > limits.max_columns:
            raise ReadError("too_many_columns", f"{sheet} ({how}): {columns:,} > {limits.max_columns:,}")
        # Readers build the rectangle from A1 to the last used cell, however sparse it is.
        if rows * columns > limits.max_cells:
            raise ReadError("too_many_cells", f"{sheet} ({how}): {rows:,} × {columns:,} > {limits.max_cells:,}")
    if scan.cells > limits.max_cells:
        raise ReadError("too_many_cells", f"{sheet}: {scan.cells:,} > {limits.max_cells:,}")


# BIFF records (Excel 97-2003) that place a cell: row and column lead their body; MULRK and
# MULBLANK span columns up to the one their body ends with.
_BIFF_BOF, _BIFF_EOF, _BIFF_WORKSHEET, _BIFF_BOUNDSHEET = 0x0809, 0x000A, 0x0010, 0x0085
_BIFF_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0201, 0x0205, 0x0204, 0x00D6, 0x00BD, 0x00BE}
_BIFF_SPANS = {0x00BD, 0x00BE}


def inspect_xls(path: Path, limits: ReadLimits) -> list[PartScan]:
    """Check an .xls before calamine builds it: calamine lays every sheet out as the rectangle
    from A1 to its last cell when it opens the file, so one cell at IV65536 costs a gigabyte.
    Walks the workbook stream's records (a few bytes each) for each sheet's real extent."""
    try:
        if not olefile.isOleFile(str(path)):
            raise ReadError("unreadable_file", "not an Excel 97-2003 workbook")
        with olefile.OleFileIO(str(path)) as ole:
            stream = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
            if stream is None:
                raise ReadError("unreadable_file", "no workbook stream")
            size = ole.get_size(stream)
            if size > limits.max_uncompressed_mb * 2 ** 20:
                raise ReadError("uncompressed_too_large", f"{size / 2 ** 20:,.0f} MB > {limits.max_uncompressed_mb:g} MB")
            data = ole.openstream(stream).read()
    except ReadError:
        raise
    except Exception as exc:      # noqa: BLE001 - olefile raises many kinds on a broken container
        raise ReadError("unreadable_file", type(exc).__name__) from None
    scans: list[PartScan] = []
    names: list[str] = []
    sheet: PartScan | None = None
    position = 0
    while position + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, position)
        body, position = position + 4, position + 4 + length
        if kind == _BIFF_BOUNDSHEET and length >= 8 and position <= len(data) and data[body + 5] == 0:
            names.append(_biff_sheet_name(data[body + 6:position]))
        elif kind == _BIFF_BOF and length >= 4:
            substream = struct.unpack_from("<H", data, body + 2)[0]
            sheet = PartScan() if substream == _BIFF_WORKSHEET else None
            if sheet is not None:
                scans.append(sheet)
        elif kind == _BIFF_EOF:
            sheet = None
        elif sheet is not None and kind in _BIFF_CELLS and length >= 4 and position <= len(data):
            row, column = struct.unpack_from("<HH", data, body)
            last = struct.unpack_from("<H", data, body + length - 2)[0] if kind in _BIFF_SPANS and length >= 6 else column
            sheet.max_row = max(sheet.max_row, row + 1)
            sheet.max_column = max(sheet.max_column, last + 1)
            sheet.cells += last - column + 1
    for number, scan in enumerate(scans):
        _check_extent(names[number] if number < len(names) else f"#{number + 1}", scan, limits)
    return scans


def _biff_sheet_name(field: bytes) -> str:
    """A BOUNDSHEET record's name: a length, a flag (bit 0: two bytes a character), the text."""
    if len(field) < 2:
        return "?"
    count, wide = field[0], field[1] & 1
    text = field[2:2 + count * (2 if wide else 1)]
    return text.decode("utf-16-le" if wide else "latin-1", "replace")


def read_workbook(path: Path, max_rows: int | None = None, limits: ReadLimits = ReadLimits()) -> list[Sheet]:
    """Cell values as Excel last calculated them, every worksheet, row numbers as Excel shows them.
    A formula Excel never calculated (a workbook written by another program) has no value: its
    formula text stands in, so validation rejects it as not a number instead of reading it as
    blank."""
    check_file_size(path, limits)
    xlsx = path.suffix.lower() == ".xlsx"
    scans = inspect_xlsx(path, limits) if xlsx else {}
    if not xlsx:
        inspect_xls(path, limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    # calamine raises its own errors, and a panic in its Rust code arrives as pyo3's
    # PanicException, a BaseException: each means the workbook cannot be read.
    except BaseException as exc:     # noqa: BLE001
        raise ReadError("unreadable_file", _calamine_reason(exc)) from None
    formula_parts = _formula_parts(path, scans) if xlsx and max_rows is None else {}
    sheets = []
    try:
        for meta in workbook.sheets_metadata:
            if str(meta.typ).rsplit(".", 1)[-1] != "WorkSheet":
                continue
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
                values = sheet.to_python(skip_empty_area=False, nrows=max_rows)
                merged = list(sheet.merged_cell_ranges or [])
            except BaseException as exc:     # noqa: BLE001 - as above
                raise ReadError("unreadable_file", f"{meta.name}: {_calamine_reason(exc)}") from None
            rows = list(enumerate(values, start=1))      # calamine's rows are lists already
            for (row, column), formula in formula_parts.get(meta.name, {}).items():
                if row <= len(rows):
                    cells = rows[row - 1][1]
                    cells.extend([""] * (column - len(cells)))
                    if cells[column - 1] in ("", None):
                        cells[column - 1] = formula
            sheets.append(Sheet(meta.name, rows, merged))
    finally:
        workbook.close()
    return sheets


def _calamine_reason(exc: BaseException) -> str:
    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
        raise exc

    return f"{type(exc).__name__}: {str(exc)[:160]}"


_CELL_WITH_FORMULA = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})(\d+)"[^>]*?(?<!/)>((?:(?!</(?:\w+:)?c>).)*?)</(?:\w+:)?c>', re.S)
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f\b[^>]*>(.*?)</(?:\w+:)?f>", re.S)
_VALUE_TAG = re.compile(rb"<(?:\w+:)?v\b[^>/]*>[^<]")  # a value with content


def _formula_parts(path: Path, scans: dict[str, PartScan]) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet name: the cells holding a formula without a calculated value, as "=formula"."""
    with_formulas = {part: scan.sheet for part, scan in scans.items() if scan.has_formulas}
    if not with_formulas:
        return {}
    try:
        with zipfile.ZipFile(path) as archive:
            found: dict[str, dict[tuple[int, int], str]] = {}
            for part, sheet in with_formulas.items():
                xml = archive.read(part)    # within the budget checked by inspect_xlsx
                cells = {}
                for letters, row, body in _CELL_WITH_FORMULA.findall(xml):
                    formula = _FORMULA_TEXT.search(body)
                    if formula and not _VALUE_TAG.search(body):
                        text = formula.group(1).decode("utf-8", "replace")
                        cells[(int(row), column_number(letters))] = "=" + text
                if cells:
                    found[sheet] = cells
            return found
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ReadError("unreadable_file", type(exc).__name__) from exc


def _sheet_names_by_part(archive: zipfile.ZipFile) -> dict[str, str]:
    """xl/worksheets/sheetN.xml → the sheet's name, through workbook.xml and its relationships
    (both checked free of DTDs by inspect_xlsx)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}       # the reader says what is wrong with such a workbook
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    names = {}
    for element in workbook.iter():
        if element.tag.endswith("}sheet"):
            rel_id = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rel_id, "").lstrip("/")
            part = target if target.startswith("xl/") else f"xl/{target}"
            names[part] = element.get("name")
    return names


# --- GeoJSON --------------------------------------------------------------------------------------

def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets nest deeper than `limit` (strings skipped), without parsing."""
    depth = 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > limit:
                return True
        elif mark in "]}":
            depth -= 1
    return False


def read_geojson(path: Path, limits: ReadLimits = ReadLimits()) -> dict:
    check_file_size(path, limits)
    text = decode_text(path.read_bytes())
    if json_depth_exceeds(text, limits.max_json_depth):
        raise ReadError("too_deep", f"> {limits.max_json_depth}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError("bad_geojson", f"{exc.msg} (line {exc.lineno})") from exc
    except (RecursionError, ValueError) as exc:
        raise ReadError("bad_geojson", type(exc).__name__) from exc


def read_sheets(path: Path, max_rows: int | None = None, limits: ReadLimits = ReadLimits()) -> list[Sheet]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, max_rows, limits)
    if suffix in WORKBOOK_SUFFIXES:
        return read_workbook(path, max_rows, limits)
    raise ReadError("unsupported_type")
