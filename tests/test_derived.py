"""Derived tables kept by recomputing only what a write changed equal a full rebuild, row for row
(warehouse/derived.py), through loads, resubmissions, registry changes, rollbacks and visits."""
import csv
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from warehouse.derived import TABLES, refresh
from warehouse.store import current_version_file

from conftest import SAMPLES
from factory import load, query

DQ_COLUMNS = 'flag_key, "check", facility_code, measure, period, value, round(reference, 9), round(score, 9)'
CHC = "990102001C1"             # 解放路社区卫生服务中心 (the sample's first centre)
STATION = "990121002S04"


def rows_of(workbook: Path) -> list[list]:
    sheet = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_index(0).to_python()
    return sheet[1:]                       # below the title row: the header, then the data


def write_rows(path: Path, header: list, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *rows])
    return path


def monthly_rows(year: int, month: str) -> tuple[list, list[list]]:
    with (SAMPLES / f"月度服务报表_{year}.csv").open(encoding="utf-8") as source:
        rows = list(csv.reader(source))
    return rows[0], [r for r in rows[1:] if r[1] == month]


def differences(db: Path, tmp_path: Path) -> dict[str, tuple[int, int]]:
    """Rows of each derived table missing from / extra to a full rebuild of the same version."""
    oracle = tmp_path / "oracle.duckdb"
    shutil.copyfile(current_version_file(db), oracle)
    con = duckdb.connect(str(oracle))
    try:
        assert refresh(con, full=True).full == list(TABLES)
        con.execute(f"ATTACH '{current_version_file(db)}' AS kept (READ_ONLY)")
        found = {}
        for table in TABLES:
            columns = DQ_COLUMNS if table.startswith("dq_") else "*"
            count = lambda a, b: con.execute(   # noqa: E731
                f"SELECT count(*) FROM (SELECT {columns} FROM {a} EXCEPT ALL SELECT {columns} FROM {b})").fetchall()[0][0]
            found[table] = (count(table, f"kept.{table}"), count(f"kept.{table}", table))
        return found
    finally:
        con.close()
        oracle.unlink()


NONE_DIFFERENT = {table: (0, 0) for table in TABLES}


def in_december(db: Path, *paths: Path):
    """Loaded on 2026-12-10, when November has been reported."""
    return load(db, *paths, today=date(2026, 12, 10))


@pytest.fixture
def db(sample_db, tmp_path):
    """A warehouse of its own, started from the loaded sample city."""
    copy = tmp_path / "wh.duckdb"
    shutil.copyfile(current_version_file(sample_db), copy)
    return copy


def test_incremental_derived_tables_equal_a_full_rebuild_after_every_kind_of_write(db, tmp_path):
    def derived_state():
        return query(db, "SELECT rules, horizon FROM derived_state")

    header, october = monthly_rows(2026, "2026.10")
    # 1. a resubmission of an old month for one centre: values changed, one blanked (removed)
    _, march = monthly_rows(2026, "2026.03")
    resubmitted = [list(r) for r in march if r[0] == CHC]
    resubmitted[0][10] = str(int(float(resubmitted[0][10])) * 4)     # 活产数 four times over
    resubmitted[0][7] = ""                                          # 健康教育讲座次数 withdrawn
    resubmitted[0][4] = str(int(float(resubmitted[0][4])) * 3)      # 建档人数 (a stock) three times over
    before = query(db, "SELECT count(*) FROM monthly_measure")[0][0]
    [result] = in_december(db, write_rows(tmp_path / "resubmission.csv", header, resubmitted))
    assert result.status == "accepted" and query(db, "SELECT count(*) FROM monthly_measure")[0][0] == before - 1
    assert derived_state()[0][1].isoformat() == "2026-10-01"
    # the stock jumps up in March and back down in April: April was not resubmitted, its flag is new
    assert query(db, "SELECT period FROM dq_consistency_table WHERE facility_code = ? AND measure = 'records_total' "
                     "AND \"check\" = 'stock_jump' ORDER BY period", [CHC]) == [("2026-03",), ("2026-04",)]
    assert differences(db, tmp_path) == NONE_DIFFERENT
    resubmission = result.batch_id

    # 1b. a station's October report, missed, arrives late: only its reporting status changes
    late_station = "990104003S05"
    assert query(db, "SELECT received FROM v_submission_status WHERE facility_code = ? AND period = '2026-10'",
                 [late_station]) == [(False,)]
    donor = next(r for r in october if "S" in r[0])
    [result] = in_december(db, write_rows(tmp_path / "late.csv", header, [[late_station, "2026.10", "2026-12-03",
                                                                            *donor[3:]]]))
    assert result.status == "accepted" and derived_state()[0][1].isoformat() == "2026-10-01"
    assert query(db, "SELECT received, timely, submitted_on FROM v_submission_status "
                     "WHERE facility_code = ? AND period = '2026-10'", [late_station]) == [(True, False, date(2026, 12, 3))]
    late = result.batch_id
    assert differences(db, tmp_path) == NONE_DIFFERENT

    # 2. a new month for three facilities: the horizon moves, every data-quality flag is judged again
    november = [[r[0], "2026.11", "2026-12-05", *r[3:]] for r in october[:3]]
    [result] = in_december(db, write_rows(tmp_path / "november.csv", header, november))
    assert result.status == "accepted" and derived_state()[0][1].isoformat() == "2026-11-01"
    assert differences(db, tmp_path) == NONE_DIFFERENT
    later_month = result.batch_id

    # 3. the registry: a centre moved 2 km east, a station closed, a community point moved
    facilities = rows_of(SAMPLES / "03_机构名录.xlsx")
    moved = [list(r) for r in facilities[1:] if r[0] in (CHC, STATION)]
    for row in moved:
        if row[0] == CHC:
            row[6] = round(row[6] + 0.0225, 6)
        else:
            row[12] = "2026-06-30"
    admin = rows_of(SAMPLES / "01_行政区划.xlsx")
    community = [list(r) for r in admin[1:] if r[2] == "社区"][:1]
    community[0][7] = round(community[0][7] + 0.02, 6)
    distance_before = query(db, "SELECT count(*), sum(distance_m) FROM community_facility_distance")
    results = in_december(db, write_rows(tmp_path / "facilities.csv", facilities[0], moved),
                   write_rows(tmp_path / "admin.csv", admin[0], community))
    assert [r.status for r in results] == ["accepted", "accepted"]
    assert query(db, "SELECT count(*), sum(distance_m) FROM community_facility_distance") != distance_before
    assert differences(db, tmp_path) == NONE_DIFFERENT

    # 4. the resubmission rolled back: March's values come back
    from etl.loader import rollback
    rollback(db, resubmission, by="test")
    added = query(db, "SELECT count(*) FROM monthly_measure WHERE period = DATE '2026-11-01'")[0][0]
    rollback(db, late, by="test")                 # and the late report: October missing again
    assert query(db, "SELECT count(*) FROM monthly_measure")[0][0] == before + added
    assert query(db, "SELECT received FROM v_submission_status WHERE facility_code = ? AND period = '2026-10'",
                 [late_station]) == [(False,)]
    assert differences(db, tmp_path) == NONE_DIFFERENT
    # 4b. the new month rolled back: the horizon moves back, the flags' windows with it
    rollback(db, later_month, by="test")
    assert derived_state()[0][1].isoformat() == "2026-10-01"
    assert query(db, "SELECT count(*) FROM v_submission_status WHERE period = '2026-11'") == [(0,)]
    assert differences(db, tmp_path) == NONE_DIFFERENT

    # 5. a supervision visit: no input of a derived table changes, nothing is recomputed
    parts_before = query(db, "SELECT count(*), sum(numerator) FROM facility_indicator_parts_table")
    state_before = derived_state()
    visits = rows_of(SAMPLES / "06_督导检查记录.xlsx")
    visit = [[CHC, "2026-11-20", "王芳", "常规督导", 88, "", "", ""]]
    [result] = in_december(db, write_rows(tmp_path / "visit.csv", visits[0], visit))
    assert result.status == "accepted"
    assert query(db, "SELECT count(*), sum(numerator) FROM facility_indicator_parts_table") == parts_before
    assert derived_state() == state_before
    assert differences(db, tmp_path) == NONE_DIFFERENT


def test_a_write_that_reaches_no_derived_table_recomputes_nothing(db):
    from warehouse.store import WriterSession
    with WriterSession(db) as session:
        session.con.execute("INSERT INTO dq_confirmation VALUES ('k', 'F_CHC1', 'ok', 'root', now())")
        session.publish()
        assert not session.refreshed.anything


def test_changed_rules_recompute_everything(db):
    from warehouse.store import WriterSession
    with WriterSession(db) as session:
        session.con.execute("UPDATE setting SET value = '2.5' WHERE key = 'quality.outlier_z'")
        session.publish()
        assert session.refreshed.full == list(TABLES)
    assert query(db, "SELECT count(*) FROM derived_change") == [(0,)]


def test_rebuild_recomputes_everything_and_changes_no_row(db, capsys):
    from etl.cli import main
    before = {t: sorted(query(db, f"SELECT * FROM {t}")) for t in ("facility_indicator_parts_table",
                                                                    "community_facility_distance")}
    assert main(["rebuild", "--db", str(db)]) == 0
    assert "derived tables recomputed in full" in capsys.readouterr().out
    assert {t: sorted(query(db, f"SELECT * FROM {t}")) for t in before} == before


def test_a_warehouse_from_an_older_version_is_brought_up_to_date_before_it_is_served(tmp_path):
    """As if made before the township rollup existed: no rollup table, its views' digest unknown
    and the derived tables' rules stale. `python -m dashboard` first applies this version
    (`bring_up_to_date`): the rollup is made and filled; the next start changes nothing."""
    from dashboard.__main__ import bring_up_to_date

    from factory import load, monthly_file, query, tiny_city
    db = tiny_city(tmp_path)
    load(db, monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHC1", "period": "2026-03",
                                                 "births": 10, "newborn_visits": 9}]))
    old = duckdb.connect(str(current_version_file(db)))        # the published file, aged by hand
    old.execute("DELETE FROM schema_state WHERE key = 'views.sha256'")
    old.execute("UPDATE derived_state SET rules = 'an older version'")
    old.execute("DROP TABLE township_indicator_parts_table")
    old.close()
    assert query(db, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'township_indicator_parts_table'") \
        == [(0,)]
    assert bring_up_to_date(db) is True
    assert query(db, "SELECT numerator, denominator FROM township_indicator_parts_table "
                     "WHERE indicator_code = 'newborn_visit_rate' AND period = '2026-03'") == [(9.0, 10.0)]
    assert bring_up_to_date(db) is False
