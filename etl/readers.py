"""Readers: a file becomes sheets of raw rows (row number as the user sees it, list of cells)."""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import openpyxl

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".geojson", ".json")


class ReadError(Exception):
    """The file as a whole cannot be read; `code` is a message code of etl.problems."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


@dataclass
class Sheet:
    name: str | None                   # None for a CSV
    rows: list[tuple[int, list]]       # (1-based row number, cells)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), then GB18030 (a superset of GBK), then a detector's best guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ReadError("bad_encoding")
    return str(best)


def read_csv(path: Path, max_rows: int | None = None) -> list[Sheet]:
    text = decode_text(path.read_bytes())
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = enumerate(itertools.islice(reader, max_rows), start=1)
    return [Sheet(None, [(number, row) for number, row in rows])]


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (an <f> element)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and _stream_has(archive, name, _FORMULA_TAG):
                    return True
            return False
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError) as exc:
        raise ReadError("unreadable_file", type(exc).__name__) from exc


def _stream_has(archive: zipfile.ZipFile, name: str, pattern: re.Pattern) -> bool:
    tail = b""
    with archive.open(name) as entry:
        while chunk := entry.read(1 << 20):
            if pattern.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def read_xlsx(path: Path, max_rows: int | None = None) -> list[Sheet]:
    """Cell values as Excel last calculated them. A formula Excel never calculated (a workbook
    written by another program) has no value: its formula text stands in, so validation rejects
    it as not a number instead of reading it as blank. Workbooks without formulas (most) are
    read once, and only values when just the first `max_rows` rows are wanted."""
    formulas = None
    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        if max_rows is None and has_formulas(path):
            formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError("unreadable_file", type(exc).__name__) from exc
    try:
        sheets = []
        for index, ws_values in enumerate(values.worksheets):
            if formulas is None:
                rows = [(number, list(row)) for number, row
                        in enumerate(ws_values.iter_rows(max_row=max_rows, values_only=True), 1)]
            else:
                rows = []
                raw_rows = formulas.worksheets[index].iter_rows(values_only=True)
                for number, (row, raw) in enumerate(zip(ws_values.iter_rows(values_only=True), raw_rows), 1):
                    rows.append((number, [v if v is not None or not (isinstance(f, str) and f.startswith("="))
                                          else f for v, f in zip(row, raw)]))
            sheets.append(Sheet(ws_values.title, rows))
        return sheets
    finally:
        values.close()
        if formulas is not None:
            formulas.close()


def read_geojson(path: Path) -> dict:
    try:
        return json.loads(decode_text(path.read_bytes()))
    except json.JSONDecodeError as exc:
        raise ReadError("bad_geojson", f"{exc.msg} (line {exc.lineno})") from exc


def read_sheets(path: Path, max_rows: int | None = None) -> list[Sheet]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, max_rows)
    if suffix == ".xlsx":
        return read_xlsx(path, max_rows)
    raise ReadError("unsupported_type")
