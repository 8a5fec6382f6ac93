"""Workbooks the dashboard hands out (exports, briefs, validation reports)."""
from __future__ import annotations

import io

import pandas as pd
import xlsxwriter


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
