"""Browser uploads on the server: files land in a private folder named by a random token, never
at a path the client chose; only allowed types and sizes; the same ETL code path as the CLI."""
from __future__ import annotations

import base64
import re
import secrets
import shutil
import time
from pathlib import Path

from etl.loader import FileResult, load_paths
from etl.readers import SUPPORTED_SUFFIXES
from warehouse.accounts import User

ALLOWED = tuple(s for s in SUPPORTED_SUFFIXES if s != ".json")


class UploadRefused(ValueError):
    def __init__(self, code: str, name: str = ""):
        super().__init__(code, name)
        self.code, self.name = code, name


def uploads_root(warehouse: Path) -> Path:
    return warehouse.parent / "uploads"


def safe_name(name: str) -> str:
    """The file's own name only (no folders), with anything odd replaced."""
    base = re.split(r"[\\\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\-\u4e00-\u9fff（）()]", "_", base).lstrip(".") or "upload"
    return base[:120]


KEEP_SECONDS = 24 * 3600     # an upload's files stay a day (for its report), then go


def prune(warehouse: Path, now: float | None = None) -> int:
    """Remove uploads older than KEEP_SECONDS; return how many."""
    root = uploads_root(warehouse)
    if not root.exists():
        return 0
    now = now or time.time()
    old = [p for p in root.iterdir() if p.is_dir() and now - p.stat().st_mtime > KEEP_SECONDS]
    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)
    return len(old)


def receive(warehouse: Path, user: User, names: list[str], contents: list[str], max_mb: float) -> str:
    """Save the uploaded files; return the token that names them."""
    prune(warehouse)
    token = secrets.token_hex(16)
    folder = uploads_root(warehouse) / token
    folder.mkdir(parents=True)
    (folder / ".owner").write_text(user.username, encoding="utf-8")
    for name, content in zip(names, contents):
        clean = safe_name(name)
        if not clean.lower().endswith(ALLOWED):
            shutil.rmtree(folder)
            raise UploadRefused("type", clean)
        encoded = content.split(",", 1)[1] if "," in content else content
        # Refused by its encoded length before anything is decoded: base64 holds 3 bytes in 4.
        if len(encoded) * 3 // 4 > max_mb * 1024 * 1024:
            shutil.rmtree(folder)
            raise UploadRefused("size", clean)
        try:
            data = base64.b64decode(encoded, validate=False)
        except (ValueError, TypeError):
            shutil.rmtree(folder)
            raise UploadRefused("type", clean) from None
        (folder / clean).write_bytes(data)
    return token


def files_of(warehouse: Path, user: User, token: str | None) -> list[Path]:
    """The files of an upload, only for the user who uploaded them."""
    if not token or not re.fullmatch(r"[0-9a-f]{32}", token):
        return []
    folder = uploads_root(warehouse) / token
    owner = folder / ".owner"
    if not owner.exists() or owner.read_text(encoding="utf-8") != user.username:
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def run(warehouse: Path, user: User, token: str, dry_run: bool) -> list[FileResult]:
    files = files_of(warehouse, user, token)
    if not files:
        return []
    districts = None if user.role == "admin" else frozenset(user.districts)
    kinds = frozenset({"inspections"}) if user.role == "inspector" else None
    return load_paths(files, db=warehouse, dry_run=dry_run, loaded_by=user.username, allowed_districts=districts,
                      allowed_kinds=kinds)


def discard(warehouse: Path, user: User, token: str | None) -> None:
    files = files_of(warehouse, user, token)
    if files:
        shutil.rmtree(files[0].parent, ignore_errors=True)
