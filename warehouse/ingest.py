"""Writing validated rows: upserts that keep replaced values in history, one batch per file.

The caller (a writer session) wraps one file in one transaction: `begin_file`, `upsert_*` for each
dataset, then `commit_file` or `rollback_file`. A row whose values did not change is not touched,
so loading the same file twice records nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd


@dataclass(frozen=True)
class TableSpec:
    table: str
    keys: tuple[str, ...]
    values: tuple[str, ...]
    blank_removes: bool = False   # a NULL value removes the stored row (monthly measures)
    # how a changed row is recorded in derived_change (warehouse/derived.py): the input's name and
    # the columns of its code and period; None: no derived table reads this table
    derived_input: tuple[str, str, str] | None = None
    # a key column whose incoming range bounds the stored rows a write can match (exactly: a row
    # with the same key has its value of it); months arrive in order, so the scans skip the rest
    range_key: str | None = None


TABLES = {
    "admin_units": TableSpec("admin_unit", ("code",), (
        "name", "level", "parent_code", "population", "urban_population", "area_km2", "lon", "lat"),
        derived_input=("point", "code", "NULL")),
    "boundaries": TableSpec("township_boundary", ("code",), ("geometry",)),
    "facilities": TableSpec("facility", ("facility_code",), (
        "name", "type", "parent_code", "township_code", "ownership", "lon", "lat", "source_crs",
        "building_area_m2", "area_kind", "opened_on", "closed_on"),
        derived_input=("facility", "facility_code", "NULL")),
    "standardization": TableSpec("standardization_assessment", ("facility_code", "assessed_on"), (
        "gov_premises", "gov_equipment", "standardized", "star_rating", "quality_demo", "note")),
    "staffing": TableSpec("staffing", ("facility_code", "as_of"), (
        "physicians", "gps", "tcm_physicians", "nurses", "public_health_staff", "total_staff")),
    "inspections": TableSpec("inspection", ("facility_code", "visit_date"), (
        "inspector", "kind", "score", "findings", "rectify_by", "rectified_on")),
    "monthly_services": TableSpec("monthly_measure", ("facility_code", "period", "measure"),
                                  ("value",), blank_removes=True,
                                  derived_input=("measure", "facility_code", "period"), range_key="period"),
}


class FileBatch:
    """One file's transaction. The batch row is written only when something changes."""

    def __init__(self, con: duckdb.DuckDBPyConnection, file_name: str, sha256: str, kind: str,
                 loaded_by: str | None = None):
        self.con = con
        self.file_name, self.sha256, self.kind, self.loaded_by = file_name, sha256, kind, loaded_by
        self.batch_id: int | None = None
        self.rows_accepted = 0
        self.rows_changed = 0
        con.execute("BEGIN TRANSACTION")

    def _batch(self) -> int:
        if self.batch_id is None:
            self.batch_id = self.con.execute("SELECT nextval('batch_id_seq')").fetchall()[0][0]
            self.con.execute(
                "INSERT INTO load_batch VALUES (?, ?, ?, ?, ?, ?, 0, 0, 'accepted', NULL)",
                [self.batch_id, self.file_name, self.sha256, self.kind, datetime.now(), self.loaded_by])
        return self.batch_id

    def upsert(self, kind: str, rows: list[dict] | pd.DataFrame) -> int:
        """`rows` as dicts, or as a frame with the table's key and value columns (NaN is NULL)."""
        spec = TABLES[kind]
        self.rows_accepted += len(rows)
        if len(rows) == 0:
            return 0
        columns = spec.keys + spec.values
        if isinstance(rows, pd.DataFrame):
            frame = rows[list(columns)]
        else:
            frame = pd.DataFrame(rows, columns=list(columns)).astype(object)
            frame = frame.where(frame.notna(), None)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE incoming AS "
                         f"SELECT {', '.join(columns)} FROM {spec.table} WITH NO DATA")
        self.con.register("incoming_frame", frame)
        self.con.execute(f"INSERT INTO incoming SELECT {', '.join(columns)} FROM incoming_frame")
        self.con.unregister("incoming_frame")
        key_match = " AND ".join(f"t.{k} = i.{k}" for k in spec.keys)
        stored, in_range, bounds = spec.table, "true", []
        if spec.range_key:
            low, high = self.con.execute(
                f"SELECT min({spec.range_key}), max({spec.range_key}) FROM incoming").fetchall()[0]
            if low is not None and high is not None:
                in_range, bounds = f"t.{spec.range_key} BETWEEN ? AND ?", [low, high]
                stored = f"(SELECT * FROM {spec.table} t WHERE {in_range})"
        same_values = " AND ".join(f"t.{v} IS NOT DISTINCT FROM i.{v}" for v in spec.values)
        has_value = " OR ".join(f"i.{v} IS NOT NULL" for v in spec.values) if spec.blank_removes else "true"
        self.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE changed AS
            SELECT i.* FROM incoming i LEFT JOIN {stored} t ON {key_match}
            WHERE (t.{spec.keys[0]} IS NULL AND ({has_value}))
               OR (t.{spec.keys[0]} IS NOT NULL AND NOT ({same_values}))""", bounds)
        changed = self.con.execute("SELECT count(*) FROM changed").fetchall()[0][0]
        if changed:
            batch = self._batch()
            record_derived_change(self.con, spec, "changed")
            if "facility_code" in spec.keys:
                self.con.execute("""INSERT INTO batch_facility SELECT DISTINCT ?, facility_code FROM changed c
                                    WHERE NOT EXISTS (SELECT 1 FROM batch_facility b
                                                      WHERE b.batch_id = ? AND b.facility_code = c.facility_code)""",
                                 [batch, batch])
            key_in_changed = f"{in_range} AND EXISTS (SELECT 1 FROM changed i WHERE {key_match})"
            self.con.execute(f"INSERT INTO {spec.table}_history SELECT t.*, ? FROM {spec.table} t "
                             f"WHERE {key_in_changed}", [batch, *bounds])
            self.con.execute(f"DELETE FROM {spec.table} t WHERE {key_in_changed}", bounds)
            if kind == "monthly_services":
                # warnings about values that are now replaced describe nothing any more
                self.con.execute("""DELETE FROM load_warning w WHERE EXISTS (
                    SELECT 1 FROM changed c WHERE c.facility_code = w.facility_code AND c.period = w.period
                    AND c.measure = w.measure)""")
            keep = f"WHERE {' OR '.join(f'{v} IS NOT NULL' for v in spec.values)}" if spec.blank_removes else ""
            self.con.execute(f"INSERT INTO {spec.table} SELECT {', '.join(columns)}, ? FROM changed {keep}",
                             [batch])
        self.rows_changed += changed
        return changed

    def record_reports(self, reports: list[dict]) -> int:
        """Monthly reports received: a new facility-month is a change; the first date counts."""
        if not reports:
            return 0
        frame = pd.DataFrame(reports, columns=["facility_code", "period", "submitted_on"]).astype(object)
        self.con.register("reports_frame", frame)
        new = self.con.execute("""
            SELECT count(*) FROM reports_frame i
            WHERE NOT EXISTS (SELECT 1 FROM monthly_report r
                              WHERE r.facility_code = i.facility_code AND r.period = CAST(i.period AS DATE))
        """).fetchall()[0][0]
        if new or self.batch_id is not None:
            batch = self._batch()
            # a report new, or now dated earlier, changes its facility's reporting status
            self.con.execute("""
                INSERT INTO derived_change
                SELECT DISTINCT 'report', i.facility_code, CAST(i.period AS DATE) FROM reports_frame i
                LEFT JOIN monthly_report r ON r.facility_code = i.facility_code AND r.period = CAST(i.period AS DATE)
                WHERE r.facility_code IS NULL OR CAST(i.submitted_on AS DATE) < r.submitted_on
            """)
            self.con.execute("""
                INSERT INTO monthly_report
                SELECT facility_code, CAST(period AS DATE), CAST(submitted_on AS DATE), ? FROM reports_frame
                ON CONFLICT (facility_code, period) DO UPDATE
                SET submitted_on = least(monthly_report.submitted_on, excluded.submitted_on)
            """, [batch])
        self.con.unregister("reports_frame")
        self.rows_changed += new
        return new

    def record_warnings(self, warnings) -> None:
        if self.batch_id is not None and warnings:
            _insert_warnings(self.con, {self.batch_id: warnings})

    def commit(self) -> int | None:
        if self.batch_id is not None:
            self.con.execute("UPDATE load_batch SET rows_accepted = ?, rows_changed = ? WHERE batch_id = ?",
                             [self.rows_accepted, self.rows_changed, self.batch_id])
        self.con.execute("COMMIT")
        return self.batch_id

    def rollback(self) -> None:
        self.con.execute("ROLLBACK")


def record_warnings(con: duckdb.DuckDBPyConnection, by_batch: dict[int, list]) -> None:
    """Warnings found after their files were written (the load's outliers), in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        _insert_warnings(con, by_batch)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _insert_warnings(con: duckdb.DuckDBPyConnection, by_batch: dict[int, list]) -> None:
    frame = pd.DataFrame(
        [[batch_id, w.sheet, w.row, w.column, w.value, w.code, w.zh, w.en, w.facility_code, w.period, w.measure]
         for batch_id, warnings in by_batch.items() for w in warnings]).astype(object)
    frame = frame.where(frame.notna(), None)
    con.register("warnings_frame", frame)
    con.execute("INSERT INTO load_warning SELECT * FROM warnings_frame")
    con.unregister("warnings_frame")


def record_derived_change(con: duckdb.DuckDBPyConnection, spec: TableSpec, rows: str,
                          where: str = "true", parameters: list | None = None) -> None:
    """Note the keys of `rows` (a table or subquery with the table's columns) as changed inputs of
    the derived tables, which publishing then recomputes for them (warehouse/derived.py)."""
    if spec.derived_input is None:
        return
    name, code, period = spec.derived_input
    con.execute(f"INSERT INTO derived_change SELECT DISTINCT '{name}', {code}, {period} FROM {rows} WHERE {where}",
                parameters or [])


class RollbackRefused(ValueError):
    """`code`: no_such_batch | already_rolled_back | superseded (a later file replaced its values)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def rollback_batch(con: duckdb.DuckDBPyConnection, batch_id: int, by: str | None = None) -> int:
    """Undo one accepted file: its rows go, the values it replaced come back from history, its
    warnings go, and the batch is marked rolled_back. Refused when a later file has since replaced
    some of its values (roll that one back first). Returns the number of rows restored or removed."""
    rows = con.execute("SELECT status FROM load_batch WHERE batch_id = ?", [batch_id]).fetchall()
    if not rows:
        raise RollbackRefused("no_such_batch")
    if rows[0][0] != "accepted":
        raise RollbackRefused("already_rolled_back")
    for spec in TABLES.values():
        if con.execute(f"SELECT count(*) FROM {spec.table}_history WHERE batch_id = ?", [batch_id]).fetchall()[0][0]:
            raise RollbackRefused("superseded")
    con.execute("BEGIN TRANSACTION")
    try:
        touched = 0
        for spec in TABLES.values():
            table = spec.table
            # what goes and what comes back both change the derived tables' inputs
            record_derived_change(con, spec, table, "batch_id = ?", [batch_id])
            record_derived_change(con, spec, f"{table}_history", "replaced_by_batch = ?", [batch_id])
            columns = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
            touched += con.execute(f"SELECT count(*) FROM {table} WHERE batch_id = ?", [batch_id]).fetchall()[0][0]
            con.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch_id])
            con.execute(f"INSERT INTO {table} SELECT {', '.join(columns)} FROM {table}_history "
                        f"WHERE replaced_by_batch = ?", [batch_id])
            con.execute(f"DELETE FROM {table}_history WHERE replaced_by_batch = ?", [batch_id])
        # a month first received in this batch is no longer received
        unreceived = """FROM monthly_report r WHERE r.batch_id = ? AND NOT EXISTS (
                           SELECT 1 FROM monthly_measure m WHERE m.facility_code = r.facility_code
                           AND m.period = r.period)"""
        con.execute(f"INSERT INTO derived_change SELECT 'report', r.facility_code, r.period {unreceived}", [batch_id])
        con.execute(f"DELETE {unreceived}", [batch_id])
        con.execute("DELETE FROM load_warning WHERE batch_id = ?", [batch_id])
        con.execute("UPDATE load_batch SET status = 'rolled_back', message = ? WHERE batch_id = ?",
                    [f"rolled back by {by or 'command line'} at {datetime.now():%Y-%m-%d %H:%M}", batch_id])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return touched
