"""Writes the dashboard makes on a user's behalf: each in a writer session of its own, published
as a new warehouse version like any load."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from warehouse import schema
from warehouse.settings import load_settings
from warehouse.store import WriterSession, db_path, restore, verify, versions_dir


def kept_versions(db: Path | str | None) -> list[dict]:
    """Every kept warehouse version, newest first: name, when written, size, current, complete, opens."""
    folder = versions_dir(db_path(db))
    rows = []
    for state in verify(db):
        stat = (folder / state.name).stat()
        rows.append({"version": state.name, "written": datetime.fromtimestamp(stat.st_mtime),
                     "megabytes": stat.st_size / 2 ** 20, "current": state.current, "complete": state.complete,
                     "opens": state.opens})
    return rows


def restore_version(db: Path | str | None, version: str, user) -> str:
    """Publish a kept version again as a new one (nothing is lost: the restore can be undone the
    same way). Administrators only; returns the new version's name."""
    if user is None or not user.may("restore_version"):
        raise PermissionError("restore_version")
    return restore(db_path(db), version).name


def confirm_flags(db: Path | str | None, flags: list[dict], note: str, by: str) -> int:
    """Mark data-quality flags (flag_key, facility_code) as checked and correct."""
    if not flags:
        return 0
    with WriterSession(db) as session:
        schema.prepare(session.con, load_settings())
        session.con.executemany(
            "INSERT OR REPLACE INTO dq_confirmation VALUES (?, ?, ?, ?, ?)",
            [[f["flag_key"], f["facility_code"], note, by, datetime.now()] for f in flags])
        session.publish()
    return len(flags)


def load_batches(con, scope_districts: list[str] | None, limit: int = 200):
    """The load history. A batch shows for a scoped user when every facility it touched is theirs."""
    columns = "batch_id, file_name, sha256, kind, loaded_at, loaded_by, rows_accepted, status, message"
    if scope_districts is None:
        return con.execute(f"SELECT {columns} FROM load_batch ORDER BY batch_id DESC LIMIT ?", [limit]).df()
    return con.execute(f"""
        WITH touched AS (
            SELECT batch_id, facility_code FROM monthly_measure UNION ALL SELECT batch_id, facility_code FROM monthly_measure_history
            UNION ALL SELECT batch_id, facility_code FROM standardization_assessment
            UNION ALL SELECT batch_id, facility_code FROM staffing UNION ALL SELECT batch_id, facility_code FROM inspection
            UNION ALL SELECT batch_id, facility_code FROM facility
        ), per_batch AS (
            SELECT t.batch_id, bool_and(list_contains(?, f.district_code)) AS mine
            FROM touched t JOIN v_facility f USING (facility_code) GROUP BY t.batch_id
        )
        SELECT {', '.join('b.' + c.strip() for c in columns.split(','))}
        FROM load_batch b JOIN per_batch p USING (batch_id) WHERE p.mine
        ORDER BY b.batch_id DESC LIMIT ?
    """, [scope_districts, limit]).df()
