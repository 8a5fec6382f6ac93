"""Browser uploads on the server: files land in a private folder named by a random token, never
at a path the client chose; only allowed types and sizes; the same ETL code path as the CLI.

A check or a load of an upload runs as `python -m etl load` in a process of its own (a job), so a
web worker never holds a load's memory and stays free to answer while it runs; loads queue on the
warehouse's writer lock, one at a time. The job keeps its progress and its results (every problem)
in files of the upload's folder, which any web worker can read: the page polls them.
"""
from __future__ import annotations

import base64
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.job_files import pid_alive, prune_folders, read_json
from etl.loader import FileResult
from etl.readers import SUPPORTED_SUFFIXES
from etl.report import results_from_json
from warehouse.accounts import User

ROOT = Path(__file__).resolve().parent.parent
_log = logging.getLogger(__name__)

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
    return prune_folders(uploads_root(warehouse), KEEP_SECONDS, now)


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


MODES = ("check", "load")          # a dry run, then the load itself


@dataclass
class Job:
    """Where a check or a load of an upload stands."""
    state: str                            # none | queued | running | done | failed
    done: int = 0
    total: int = 0
    file: str = ""                        # the file being checked or loaded
    results: list[FileResult] = field(default_factory=list)
    message: str = ""                     # why it failed, one line, when the ETL said why


def _job_dir(warehouse: Path, token: str, mode: str) -> Path:
    return uploads_root(warehouse) / token / f".job-{mode}"


def start(warehouse: Path, user: User, token: str | None, mode: str) -> bool:
    """Start checking (`check`) or loading (`load`) the user's upload in a process of its own;
    False when there is no such upload of theirs or that job already started."""
    files = files_of(warehouse, user, token)
    if not files or mode not in MODES:
        return False
    folder = _job_dir(warehouse, token, mode)
    try:
        folder.mkdir()                    # once per upload and mode, however many clicks
    except FileExistsError:
        return False
    # the loader applies the account's districts and the templates its role may upload itself
    command = [sys.executable, "-m", "etl", "load", "--db", str(warehouse), "--as-user", user.username,
               "--report", str(folder / "result.json"), "--progress", str(folder / "progress.json")]
    if mode == "check":
        command.append("--dry-run")
    command += [str(f) for f in files]
    with (folder / "stderr.log").open("wb") as errors:
        process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=errors, start_new_session=True)
    (folder / "pid").write_text(str(process.pid), encoding="utf-8")
    # reaped by this worker when it ends; the job outlives the worker if the worker goes first
    threading.Thread(target=process.wait, daemon=True).start()
    return True


def status(warehouse: Path, user: User, token: str | None, mode: str) -> Job:
    """The job's state for its owner: progress while it runs, every result when done."""
    if not files_of(warehouse, user, token) or mode not in MODES:
        return Job("none")
    folder = _job_dir(warehouse, token, mode)
    if not folder.exists():
        return Job("none")
    # alive first, results second: a job writes its results before it ends, so one that ends
    # between the two looks is still seen done, never failed
    alive = _alive(folder)
    result = folder / "result.json"
    if result.exists():
        return Job("done", results=results_from_json(result.read_text(encoding="utf-8")))
    if not alive:
        return Job("failed", message=_failure(folder))
    progress = read_json(folder / "progress.json")
    if progress is None:
        return Job("queued")              # starting, or waiting for another load to finish
    return Job("running", progress["done"], progress["total"], progress["file"])


def first_look(warehouse: Path, token: str, mode: str) -> bool:
    """True only the first time a finished job's results are looked at (its audit entry is
    written once, whichever worker sees it first)."""
    try:
        os.close(os.open(_job_dir(warehouse, token, mode) / "seen", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        return False


def run(warehouse: Path, user: User, token: str, dry_run: bool, timeout: float = 3600) -> list[FileResult]:
    """Check or load an upload and wait for the results (the command line and tests; the page polls)."""
    mode = "check" if dry_run else "load"
    start(warehouse, user, token, mode)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = status(warehouse, user, token, mode)
        if job.state in ("done", "failed", "none"):
            return job.results
        time.sleep(0.1)
    return []


def _alive(folder: Path) -> bool:
    try:
        pid = int((folder / "pid").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        # started a moment ago and its pid is being written, or its worker died before it could
        return time.time() - folder.stat().st_mtime < 60
    return pid_alive(pid)


def _failure(folder: Path) -> str:
    """The ETL's own one-line refusal (✗ …: a full disk, a damaged warehouse, bad settings), or
    nothing: a traceback stays in the server's log, never on the page."""
    try:
        text = (folder / "stderr.log").read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    lines = [line for line in text.splitlines() if line.startswith("✗ ")]
    if lines:
        return lines[-1][2:]
    _log.error("upload job in %s failed:\n%s", folder, text[-4000:])
    return ""


def discard(warehouse: Path, user: User, token: str | None) -> None:
    files = files_of(warehouse, user, token)
    if files:
        shutil.rmtree(files[0].parent, ignore_errors=True)


def read_candidate_list(name: str, content: str):
    """A list of candidate sites sent from the coverage page (a data URL from dcc.Upload), read by
    etl.candidates in a temporary folder: an `etl.candidates.CandidateSites` (its problems, or
    its sites). Too large or not a table: a refusal of its own, never a read."""
    import tempfile

    from etl.candidates import LIMITS, read_candidate_sites
    clean = safe_name(name)
    if not clean.lower().endswith((".csv", ".xlsx", ".xls")):
        raise UploadRefused("type", clean)
    encoded = content.split(",", 1)[1] if isinstance(content, str) and "," in content else content or ""
    if len(encoded) * 3 // 4 > LIMITS.max_file_mb * 1024 * 1024:
        raise UploadRefused("size", clean)
    try:
        data = base64.b64decode(encoded, validate=False)
    except (ValueError, TypeError):
        raise UploadRefused("type", clean) from None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / clean
        path.write_bytes(data)
        return read_candidate_sites(path, clean)
