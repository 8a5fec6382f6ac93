"""Workbooks the dashboard hands out (exports, briefs, validation reports)."""
from __future__ import annotations

import io

import pandas as pd
import xlsxwriter

# A text cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralized(value):
    """Text a spreadsheet would run as a formula, made plain text by a leading apostrophe (which
    Excel and LibreOffice show as nothing); numbers, dates and other text unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV for Excel (a BOM so Windows reads UTF-8), every text cell and header safe
    to open: the same promise xlsx_bytes keeps by writing text as text."""
    safe = frame.rename(columns=lambda c: neutralized(str(c)))
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]) and not pd.api.types.is_datetime64_any_dtype(safe[column]):
            safe[column] = safe[column].map(neutralized)
    return safe.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Sheets as one .xlsx: a bold header row, then the values (numbers stay numbers, dates
    dates). Written row by row with XlsxWriter, several times faster than through pandas and
    openpyxl for a province's tables; text stays text, so a name typed as "=HYPERLINK(...)" is
    not a formula."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd",
                                        "nan_inf_to_errors": True})
    bold = book.add_format({"bold": True})
    for name, frame in sheets.items():
        sheet = book.add_worksheet(name[:31].replace("/", "-"))
        sheet.write_row(0, 0, [str(c) for c in frame.columns], bold)
        values = frame.astype(object).where(frame.notna(), None)
        for number, row in enumerate(values.itertuples(index=False, name=None), start=1):
            sheet.write_row(number, 0, row)
    book.close()
    return buffer.getvalue()
