"""Writes the dashboard makes on a user's behalf: each in a writer session of its own, published
as a new warehouse version like any load."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from warehouse import schema
from warehouse.permissions import authorize, may_roll_back
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
    authorize(user, "restore_version")
    return restore(db_path(db), version).name


MAX_NOTE_CHARS = 500


def confirm_flags(db: Path | str | None, flag_keys: list, note: str, user) -> int:
    """Mark data-quality flags as checked and correct, for a user who may (`confirm_flags`):
    only flags that exist in the current version and belong to a facility in the user's
    districts are confirmed; anything else sent is ignored. Returns how many were confirmed."""
    authorize(user, "confirm_flags")
    keys = sorted({k for k in flag_keys if isinstance(k, str) and 0 < len(k) <= 200})
    if not keys:
        return 0
    note = note if isinstance(note, str) else ""
    with WriterSession(db) as session:
        schema.prepare(session.con, load_settings())
        condition, params = user.scope.sql("f.district_code")
        found = session.con.execute(f"""
            SELECT x.flag_key, x.facility_code
            FROM (SELECT flag_key, facility_code FROM dq_outlier_table
                  UNION ALL SELECT flag_key, facility_code FROM dq_consistency_table) x
            JOIN v_facility f USING (facility_code)
            WHERE list_contains(?, x.flag_key) AND {condition}""", [keys, *params]).fetchall()
        if not found:
            return 0
        session.con.executemany(
            "INSERT OR REPLACE INTO dq_confirmation VALUES (?, ?, ?, ?, ?)",
            [[key, facility, note[:MAX_NOTE_CHARS], user.username, datetime.now()] for key, facility in found])
        session.publish()
    return len(found)


def rollback_upload(db: Path | str | None, batch_id, user) -> int:
    """Roll back one accepted file for a user who may: their own uploads with `rollback_own`,
    anyone's in their districts with `rollback_any` (every facility the file touched is theirs).
    Raises PermissionError, or RollbackRefused with the reason; returns the rows restored or removed."""
    from warehouse.ingest import RollbackRefused, rollback_batch
    if not may_roll_back(user, getattr(user, "username", None)):       # not even their own files
        raise PermissionError("rollback")
    if not isinstance(batch_id, int) or isinstance(batch_id, bool):
        raise RollbackRefused("no_such_batch")
    with WriterSession(db) as session:
        schema.prepare(session.con, load_settings())
        batch = load_batches(session.con, user.scope.district_list(), batch_id=batch_id)
        if batch.empty:
            raise RollbackRefused("no_such_batch")          # not in the user's districts: as if none
        if not may_roll_back(user, batch["loaded_by"].iloc[0]):
            raise PermissionError("rollback_others")
        touched = rollback_batch(session.con, batch_id, user.username)
        session.publish()
    return touched


def load_batches(con, scope_districts: list[str] | None, limit: int = 200, batch_id: int | None = None):
    """The load history (or the one batch `batch_id`). A batch shows for a scoped user when every
    facility it wrote rows of (`batch_facility`, kept as files load) is theirs."""
    columns = "batch_id, file_name, sha256, kind, loaded_at, loaded_by, rows_accepted, status, message"
    if scope_districts is None:
        return con.execute(f"SELECT {columns} FROM load_batch WHERE (CAST(? AS BIGINT) IS NULL OR batch_id = ?) "
                           "ORDER BY batch_id DESC LIMIT ?",
                           [batch_id, batch_id, limit]).df()
    return con.execute(f"""
        WITH per_batch AS (
            SELECT t.batch_id, bool_and(list_contains(?, f.district_code)) AS mine
            FROM batch_facility t JOIN v_facility f USING (facility_code)
            WHERE CAST(? AS BIGINT) IS NULL OR t.batch_id = ?
            GROUP BY t.batch_id
        )
        SELECT {', '.join('b.' + c.strip() for c in columns.split(','))}
        FROM load_batch b JOIN per_batch p USING (batch_id) WHERE p.mine
        ORDER BY b.batch_id DESC LIMIT ?
    """, [scope_districts, batch_id, batch_id, limit]).df()
