"""Making a bulletin off the request that asks for it.

A bulletin's documents take from a fraction of a second (a district's) to tens of seconds (a
province's ranking of thousands of facilities: hundreds of PDF pages), longer than a request
should hold a web worker's thread, and longer than a user should stare at a frozen button. The
click starts a job in a thread of the web worker and returns at once; the page polls the job and
receives the file once it is kept (warehouse/bulletins.py). A job that finishes after its user
left the page is still kept, and listed with the bulletins made.

A job's state is in files of its own folder beside the kept bulletins, so whichever worker a poll
reaches answers it; only its owner sees it. One job runs at a time in a worker (the others wait
their turn), and a user's second click while their job runs joins that job instead of starting
another one, so no number of clicks can pile up work.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from dashboard.job_files import pid_alive, prune_folders, read_json, write_json
from warehouse import bulletins

KEEP_SECONDS = 24 * 3600     # a job's folder stays a day, then goes (the bulletin itself is kept)
LONGEST_SECONDS = 3600       # a job still unanswered after this is taken as failed
TOKEN = re.compile(r"[0-9a-f]{32}")

_log = logging.getLogger(__name__)
_turn = threading.Lock()                  # one bulletin made at a time in this process
_running: dict[str, str] = {}             # username → the token of their job in this process
_running_lock = threading.Lock()


class Refused(Exception):
    """What the job says instead of a bulletin: a words-key of dashboard/i18n.py, or the refusal's
    own bilingual text."""

    def __init__(self, key: str = "", text: str = ""):
        super().__init__(key or text)
        self.key, self.text = key, text


@dataclass(frozen=True)
class JobState:
    state: str                   # none | queued | running | done | refused | failed
    seconds: float = 0.0         # since it started
    bulletin_id: str = ""        # done: the kept bulletin
    fmt: str = ""                # the format asked for
    key: str = ""                # refused: a words-key …
    text: str = ""               # … or the refusal's own text


def jobs_root(warehouse) -> Path:
    return bulletins.archive(warehouse) / ".jobs"


def start(warehouse, username: str, fmt: str, make: Callable[[], str]) -> str:
    """Run `make` (it keeps a bulletin and returns its id, or raises Refused) for the user in a
    thread; returns the job's token. A job of theirs still running in this process is returned
    instead of starting a second one."""
    with _running_lock:
        token = _running.get(username)
        if token is not None:
            return token
        prune(warehouse)
        token = secrets.token_hex(16)
        folder = jobs_root(warehouse) / token
        folder.mkdir(parents=True)
        write_json(folder / "job.json", {"owner": username, "fmt": fmt, "pid": os.getpid(), "started": time.time()})
        _running[username] = token
    # not a daemon: a worker asked to stop finishes the bulletin first (its DuckDB work is never cut
    # off mid-query as the interpreter ends)
    threading.Thread(target=_run, args=(folder, username, make), name=f"bulletin-{token[:8]}", daemon=False).start()
    return token


def _run(folder: Path, username: str, make: Callable[[], str]) -> None:
    try:
        with _turn:
            write_json(folder / "running.json", {"since": time.time()})
            try:
                result = {"state": "done", "bulletin_id": make()}
            except Refused as refused:
                result = {"state": "refused", "key": refused.key, "text": refused.text}
            except Exception:                 # the log has why; the page says it failed, in words
                _log.exception("bulletin job %s failed", folder.name)
                result = {"state": "failed"}
            write_json(folder / "result.json", result)
    except OSError:                           # a full disk: the poll finds no result and says it failed
        _log.exception("bulletin job %s could not write its state", folder.name)
    finally:
        with _running_lock:
            _running.pop(username, None)


def status(warehouse, username: str, token) -> JobState:
    """The job's state, for its owner only (anyone else, or a token that names nothing: none)."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return JobState("none")
    folder = jobs_root(warehouse) / token
    job = read_json(folder / "job.json")
    if not isinstance(job, dict) or job.get("owner") != username:
        return JobState("none")
    # alive first, result second: a job writes its result before its thread ends, so one that ends
    # between the two looks is seen done, never failed
    pid = job.get("pid")
    alive = pid_alive(pid) and (pid != os.getpid() or token in _running.values())
    seconds = max(0.0, time.time() - float(job.get("started", 0)))
    result = read_json(folder / "result.json")
    fmt = job.get("fmt", "")
    if isinstance(result, dict):
        return JobState(result.get("state", "failed"), seconds, result.get("bulletin_id", ""), fmt,
                        result.get("key", ""), result.get("text", ""))
    if not alive or seconds > LONGEST_SECONDS:
        return JobState("failed", seconds, fmt=fmt)
    return JobState("running" if (folder / "running.json").exists() else "queued", seconds, fmt=fmt)


def wait(warehouse, username: str, token: str, timeout: float = 600) -> JobState:
    """Poll until the job ends (the command line, tests and benchmarks; the page polls itself)."""
    deadline = time.monotonic() + timeout
    while True:
        job = status(warehouse, username, token)
        if job.state not in ("queued", "running") or time.monotonic() > deadline:
            return job
        time.sleep(0.02)


def wait_idle(timeout: float = 600) -> None:
    """Until no job runs in this process (benchmarks: timings are taken on an idle worker)."""
    deadline = time.monotonic() + timeout
    while _running and time.monotonic() < deadline:
        time.sleep(0.02)


def prune(warehouse, now: float | None = None) -> int:
    """Remove job folders older than KEEP_SECONDS; return how many."""
    return prune_folders(jobs_root(warehouse), KEEP_SECONDS, now)
