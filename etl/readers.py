"""Readers: a file becomes sheets of raw rows (row number as the user sees it, list of cells)."""
from __future__ import annotations

import csv
import io
import json
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


def read_csv(path: Path) -> list[Sheet]:
    text = decode_text(path.read_bytes())
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    return [Sheet(None, [(number, row) for number, row in enumerate(reader, start=1)])]


def read_xlsx(path: Path) -> list[Sheet]:
    """Cell values as Excel last calculated them. A formula Excel never calculated (a workbook
    written by another program) has no value: its formula text stands in, so validation rejects
    it as not a number instead of reading it as blank."""
    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError("unreadable_file", type(exc).__name__) from exc
    try:
        sheets = []
        for ws_values, ws_formulas in zip(values.worksheets, formulas.worksheets):
            rows = []
            for number, (row, raw) in enumerate(zip(ws_values.iter_rows(values_only=True),
                                                    ws_formulas.iter_rows(values_only=True)), start=1):
                rows.append((number, [v if v is not None or not (isinstance(f, str) and f.startswith("="))
                                      else f for v, f in zip(row, raw)]))
            sheets.append(Sheet(ws_values.title, rows))
        return sheets
    finally:
        values.close()
        formulas.close()


def read_geojson(path: Path) -> dict:
    try:
        return json.loads(decode_text(path.read_bytes()))
    except json.JSONDecodeError as exc:
        raise ReadError("bad_geojson", f"{exc.msg} (line {exc.lineno})") from exc


def read_sheets(path: Path) -> list[Sheet]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix == ".xlsx":
        return read_xlsx(path)
    raise ReadError("unsupported_type")
