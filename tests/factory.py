"""Small submission files for tests, written the way bureaus write them.

The tiny city: 东城区 (110101) with 甲街道 (two communities) and 乙镇 (one village), 西城区 (110102)
with 丙街道 (one community). Distances are chosen so coverage can be checked by hand:
一社区 is 556 m from its CHC, 二社区 1,668 m from its station, 三村 556 m from its THC, 丙社区
0 m from its CHC.
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import openpyxl

from etl.loader import load_paths
from warehouse.store import current_version_file

TODAY = date(2026, 11, 25)

ADMIN_HEADER = ["区划代码", "名称", "级别", "上级代码", "常住人口", "经度", "纬度"]
ADMIN_ROWS = [
    ["110101", "东城区", "区", "", 25000, "", ""],
    ["110101001", "甲街道", "街道", "110101", 20000, "", ""],
    ["110101002", "乙镇", "镇", "110101", 5000, "", ""],
    ["110101001001", "一社区", "社区", "110101001", 12000, 116.400, 39.900],
    ["110101001002", "二社区", "社区", "110101001", 8000, 116.420, 39.900],
    ["110101002001", "三村", "村", "110101002", 5000, 116.500, 39.950],
    ["110102", "西城区", "区", "", 10000, "", ""],
    ["110102001", "丙街道", "街道", "110102", 10000, "", ""],
    ["110102001001", "丙社区", "社区", "110102001", 10000, 116.300, 39.900],
]
FACILITY_HEADER = ["机构代码", "机构名称", "机构类型", "所属中心代码", "街道乡镇代码", "举办方式", "经度", "纬度",
                   "业务用房面积", "区域类型", "开业日期", "停业日期"]
FACILITY_ROWS = [
    ["F_CHC1", "甲街道社区卫生服务中心", "社区卫生服务中心", "", "110101001", "政府办", 116.400, 39.905,
     2500, "旧城改造区", "2010-01-01", ""],
    ["F_CHS1", "二社区卫生服务站", "社区卫生服务站", "F_CHC1", "110101001", "社会办", 116.420, 39.915,
     160, "旧城改造区", "2012-05-01", ""],
    ["F_THC1", "乙镇卫生院", "乡镇卫生院", "", "110101002", "政府办", 116.500, 39.955,
     1800, "农村", "2000-01-01", ""],
    ["F_CHC2", "丙街道社区卫生服务中心", "社区卫生服务中心", "", "110102001", "政府办", 116.300, 39.900,
     3100, "新建城区", "2015-03-01", ""],
]


def write_csv(path: Path, header: list, rows: list[list], encoding: str = "utf-8", preamble=()) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        for line in preamble:
            writer.writerow(line)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list, rows: list[list], title: str | None = None,
               extra_sheets: dict[str, list[list]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for row in rows:
        ws.append(row)
    for name, sheet_rows in (extra_sheets or {}).items():
        extra = wb.create_sheet(name)
        for row in sheet_rows:
            extra.append(row)
    wb.save(path)
    return path


def registry_files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_xlsx(folder / "admin.xlsx", ADMIN_HEADER, ADMIN_ROWS, title="行政区划"),
            write_csv(folder / "facilities.csv", FACILITY_HEADER, FACILITY_ROWS)]


def monthly_file(path: Path, rows: list[dict], encoding: str = "utf-8") -> Path:
    """rows: dicts with facility_code, period, optional submitted_on, and measure codes."""
    measures = list(dict.fromkeys(k for r in rows for k in r
                                  if k not in ("facility_code", "period", "submitted_on")))
    header = ["机构代码", "统计月份", "上报日期"] + measures
    body = [[r["facility_code"], r["period"], r.get("submitted_on", "")] + [r.get(m, "") for m in measures]
            for r in rows]
    return write_csv(path, header, body, encoding=encoding)


def load(db: Path, *paths: Path, **kwargs):
    kwargs.setdefault("today", TODAY)
    return load_paths(list(paths), db=db, **kwargs)


def account(db: Path, user):
    """The user stored in the account store beside the warehouse (a browser upload is loaded on
    behalf of a stored account: `etl load --as-user`); returns the user."""
    from warehouse.accounts import Accounts, accounts_path
    store = Accounts(accounts_path(db))
    if store.get(user.username) is None:
        store.add_user(user.username, "correct horse battery", user.role, list(user.districts), user.display_name)
    return user


def tiny_city(tmp_path: Path) -> Path:
    db = tmp_path / "wh.duckdb"
    results = load(db, *registry_files(tmp_path / "registry"))
    assert [r.status for r in results] == ["accepted", "accepted"], [r.problems for r in results]
    return db


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


DATA_TABLES = ("admin_unit", "township_boundary", "facility", "standardization_assessment",
               "monthly_report", "monthly_measure", "staffing", "inspection", "load_batch",
               "load_warning", "monthly_measure_history", "facility_history")


def snapshot(db: Path) -> dict:
    """Everything a load could change: the published file and every table's rows."""
    current = current_version_file(db)
    if current is None:
        return {}
    state = {"version": current.name}
    for table in DATA_TABLES:
        state[table] = sorted(map(repr, query(db, f"SELECT * FROM {table}")))
    return state
