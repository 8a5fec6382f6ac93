"""Issued bulletins, kept as they were issued: the .docx, the .pdf and a record (who made it, when,
for which area and period, its number, the warehouse version and rules' digest it was computed
from, its whole text). A later resubmission changes the warehouse, never an issued bulletin: the
history hands back the very files (docs/bulletin.md).

They live in a folder beside the warehouse (`<warehouse>.bulletins/`), one folder per bulletin,
written to a temporary name and renamed into place, so a reader never sees half of one."""
from __future__ import annotations

import json
import os
import re
import uuid
from datetime import datetime
from pathlib import Path

from warehouse.scope import Scope
from warehouse.store import db_path

FORMATS = ("docx", "pdf")
ID = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-f]{8}$")


def archive(warehouse: str | os.PathLike | None) -> Path:
    path = db_path(warehouse)
    return path.with_name(path.stem + ".bulletins")


def keep(warehouse, record: dict, files: dict[str, bytes], now: datetime) -> str:
    """Keep an issued bulletin; returns its id. `record` must name the `districts` it covers
    (None: every district), for the history's scope."""
    folder = archive(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    bulletin_id = f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    staging = folder / f".{bulletin_id}.partial"
    staging.mkdir()
    for fmt, content in files.items():
        if fmt in FORMATS:
            (staging / f"bulletin.{fmt}").write_bytes(content)
    (staging / "record.json").write_text(json.dumps({**record, "id": bulletin_id, "made_at": now.isoformat(
        timespec="seconds")}, ensure_ascii=False, indent=1), encoding="utf-8")
    staging.rename(folder / bulletin_id)
    return bulletin_id


def _visible(record: dict, scope: Scope) -> bool:
    if scope.districts is None:
        return True
    covered = record.get("districts")
    return covered is not None and set(covered) <= set(scope.districts)


def history(warehouse, scope: Scope, limit: int = 200) -> list[dict]:
    """The bulletins the scope covers, newest first."""
    folder = archive(warehouse)
    if not folder.is_dir():
        return []
    records = []
    for entry in sorted(folder.iterdir(), reverse=True):
        if not ID.match(entry.name):
            continue
        try:
            record = json.loads((entry / "record.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if _visible(record, scope):
            records.append(record)
        if len(records) >= limit:
            break
    return records


def issued_file(warehouse, bulletin_id: str, fmt: str, scope: Scope) -> tuple[bytes, dict] | None:
    """An issued bulletin's file and record, if the id names one the scope covers."""
    if not isinstance(bulletin_id, str) or not ID.match(bulletin_id) or fmt not in FORMATS:
        return None
    entry = archive(warehouse) / bulletin_id
    try:
        record = json.loads((entry / "record.json").read_text(encoding="utf-8"))
        content = (entry / f"bulletin.{fmt}").read_bytes()
    except (OSError, ValueError):
        return None
    return (content, record) if _visible(record, scope) else None
