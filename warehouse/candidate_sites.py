"""Candidate-site lists planners send for the site plan (docs/domain.md section 6), kept beside the
warehouse (`<warehouse>.candidates/<key>.json`) so a plan's address can name its list and a
colleague opening the link sees the same plan. A list is kept under the digest of its sites: it
never changes, and the same list sent twice is one file. Written to a temporary name and renamed
into place, so a reader never sees half of one."""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import uuid
from pathlib import Path

from warehouse.store import db_path

KEY = re.compile(r"^[0-9a-f]{16}$")
MAX_SITES = 500


def folder(warehouse: str | os.PathLike | None) -> Path:
    path = db_path(warehouse)
    return path.with_name(path.stem + ".candidates")


def _valid(sites) -> bool:
    return (isinstance(sites, (list, tuple)) and 0 < len(sites) <= MAX_SITES and all(
        isinstance(site, (list, tuple)) and len(site) == 3 and isinstance(site[0], str) and site[0]
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in site[1:])
        for site in sites))


def keep(warehouse, sites: tuple[tuple[str, float, float], ...], file_name: str) -> str:
    """Keep a list of (name, lon, lat) sites (WGS-84); returns its key."""
    if not _valid(sites):
        raise ValueError("not a list of named sites")
    body = [[name, round(float(lon), 7), round(float(lat), 7)] for name, lon, lat in sites]
    key = hashlib.sha256(json.dumps(body, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    target = folder(warehouse) / f"{key}.json"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{key}.{uuid.uuid4().hex[:8]}.partial")
        staging.write_text(json.dumps({"file_name": file_name, "sites": body}, ensure_ascii=False), encoding="utf-8")
        staging.replace(target)
    return key


def load(warehouse, key) -> tuple[str, tuple[tuple[str, float, float], ...]] | None:
    """The kept list a key names: (its file's name, its sites); None for anything else."""
    if not isinstance(key, str) or not KEY.match(key):
        return None
    try:
        kept = json.loads((folder(warehouse) / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sites = kept.get("sites") if isinstance(kept, dict) else None
    if not _valid(sites):
        return None
    return str(kept.get("file_name") or ""), tuple((str(n), float(x), float(y)) for n, x, y in sites)
