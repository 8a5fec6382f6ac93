"""What the dashboard's jobs (uploads' checks and loads, bulletins) share: their state kept in
small JSON files any web worker can read, and whether the process running one is still there."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path


def read_json(path: Path):
    """The file's value, or None when it is not there (yet) or not whole."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, value) -> None:
    """Written whole or not at all: a reader never sees half a state."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def pid_alive(pid) -> bool:
    """Whether the process is still running (one that ended but was not reaped yet is not)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return True


def prune_folders(root: Path, keep_seconds: float, now: float | None = None) -> int:
    """Remove the folders in `root` older than `keep_seconds`; return how many."""
    if not root.is_dir():
        return 0
    now = now or time.time()
    old = [p for p in root.iterdir() if p.is_dir() and now - p.stat().st_mtime > keep_seconds]
    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)
    return len(old)
