"""The reading phase of the province load, old reader against new in the same run: every
workbook of the province read with openpyxl as the loader did before python-calamine (read-only,
values, plus the scan for uncalculated formulas), and with etl.readers.read_workbook (calamine,
after its bounded pre-checks); the CSVs with etl.readers.read_csv for the whole picture."""
from __future__ import annotations

import re
import statistics
import time
import zipfile
from pathlib import Path

import openpyxl

from etl.readers import read_csv, read_workbook

# what the previous reader looked for to know a workbook held formulas
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def openpyxl_rows(path: Path) -> int:
    """The previous reader's work: every sheet's values, and the formula scan of the archive."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                _FORMULA_TAG.search(archive.read(name))
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for sheet in workbook.worksheets for _ in sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def calamine_rows(path: Path) -> int:
    return sum(len(sheet.rows) for sheet in read_workbook(path))


def best_of(function, path: Path, repeats: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        rows = function(path)
        times.append(time.perf_counter() - started)
    return statistics.median(times), rows


def report(data: Path, repeats: int = 3) -> None:
    print(f"\n0. reading the province's files (median of {repeats}; seconds)")
    print(f"   {'file':<28} {'rows':>8} {'openpyxl':>9} {'calamine':>9} {'faster':>7}")
    old_total = new_total = 0.0
    for path in sorted(data.glob("*.xlsx")):
        old, rows = best_of(openpyxl_rows, path, repeats)
        new, _ = best_of(calamine_rows, path, repeats)
        old_total, new_total = old_total + old, new_total + new
        print(f"   {path.name:<28} {rows:>8,} {old:>9.3f} {new:>9.3f} {old / new:>6.1f}×")
    print(f"   {'all workbooks':<28} {'':>8} {old_total:>9.3f} {new_total:>9.3f} {old_total / new_total:>6.1f}×")
    csv_total = 0.0
    for path in sorted(data.glob("*.csv")):
        seconds, _ = best_of(lambda p: len(read_csv(p)[0].rows), path, 1)
        csv_total += seconds
    print(f"   {'all CSVs (csv module)':<28} {'':>8} {'':>9} {csv_total:>9.3f}")
