"""Versioned warehouse files: one writer builds a new version while readers keep serving the last.

DuckDB allows one read-write process or many read-only ones, never both. So a load never writes
the file readers have open: it copies the current version, writes the copy, CHECKPOINTs and closes
it, then switches the `<db>` symlink to it with an atomic rename. Readers check the link on every
request and reconnect when it moved. A load killed half-way leaves an unpublished copy that the
next writer deletes; the published version is always a complete, checkpointed file.

Layout for `--db var/jiceng.duckdb`:
    var/jiceng.duckdb            -> symlink to the current version (what other tools open)
    var/jiceng.duckdb.versions/  000001.duckdb, 000002.duckdb, ... (the last few are kept)
    var/jiceng.duckdb.lock       the writers' lock
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import threading
from pathlib import Path

import duckdb

KEEP_VERSIONS = 3
_VERSION_FILE = re.compile(r"^(\d{6})\.duckdb$")
DEFAULT_DB_PATH = Path("var") / "jiceng.duckdb"


def db_path(path: str | os.PathLike | None = None) -> Path:
    return Path(path or os.environ.get("JICENG_DB") or DEFAULT_DB_PATH).absolute()


def versions_dir(path: Path) -> Path:
    return path.with_name(path.name + ".versions")


def current_version_file(path: Path) -> Path | None:
    """The file the symlink points at now, or None when nothing was published yet."""
    path = db_path(path)
    if path.is_symlink():
        return (path.parent / os.readlink(path)).resolve()
    if path.exists():
        return path.resolve()
    return None


class WriterSession:
    """A private copy of the current version, published on `publish()`, discarded otherwise."""

    def __init__(self, path: Path):
        self.path = db_path(path)
        self.work_file: Path | None = None
        self.con: duckdb.DuckDBPyConnection | None = None
        self._lock_fd: int | None = None

    def __enter__(self) -> "WriterSession":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        vdir = versions_dir(self.path)
        vdir.mkdir(exist_ok=True)
        self._lock_fd = os.open(str(self.path) + ".lock", os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._adopt_plain_file(vdir)
        self._remove_unpublished(vdir)
        current = current_version_file(self.path)
        number = max(_version_numbers(vdir), default=0) + 1
        self.work_file = vdir / f"{number:06d}.duckdb"
        if current is not None:
            shutil.copyfile(current, self.work_file)
        # a load is reported by the ETL's own progress; DuckDB's bar would interleave with it
        self.con = duckdb.connect(str(self.work_file))
        self.con.execute("SET enable_progress_bar = false")
        return self

    def publish(self) -> Path:
        assert self.con is not None and self.work_file is not None
        from warehouse.schema import refresh_aggregates
        refresh_aggregates(self.con)
        self.con.execute("CHECKPOINT")
        self.con.close()
        self.con = None
        _fsync(self.work_file)
        link_tmp = self.path.with_name(self.path.name + ".link-tmp")
        with contextlib.suppress(FileNotFoundError):
            link_tmp.unlink()
        os.symlink(os.path.relpath(self.work_file, self.path.parent), link_tmp)
        os.replace(link_tmp, self.path)
        _fsync(self.path.parent)
        published, self.work_file = self.work_file, None
        self._remove_old_versions(versions_dir(self.path), keep_from=published)
        return published

    def __exit__(self, *exc) -> None:
        if self.con is not None:
            self.con.close()
        if self.work_file is not None:  # not published: throw the copy away
            for leftover in (self.work_file, Path(str(self.work_file) + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)

    def _adopt_plain_file(self, vdir: Path) -> None:
        # A plain DuckDB file given as --db becomes version 1, so it can be versioned from now on.
        if self.path.exists() and not self.path.is_symlink():
            target = vdir / f"{max(_version_numbers(vdir), default=0) + 1:06d}.duckdb"
            os.replace(self.path, target)
            os.symlink(os.path.relpath(target, self.path.parent), self.path)

    def _remove_unpublished(self, vdir: Path) -> None:
        current = current_version_file(self.path)
        for file in vdir.iterdir():
            match = _VERSION_FILE.match(file.name.removesuffix(".wal"))
            if match and (current is None or int(match.group(1)) > _number(current)):
                file.unlink()

    def _remove_old_versions(self, vdir: Path, keep_from: Path) -> None:
        # Readers that still have an old file open keep reading it: unlinking does not close it.
        numbers = sorted(_version_numbers(vdir))
        for number in numbers[:-KEEP_VERSIONS]:
            with contextlib.suppress(FileNotFoundError):
                (vdir / f"{number:06d}.duckdb").unlink()


def _version_numbers(vdir: Path) -> list[int]:
    return [int(m.group(1)) for f in vdir.iterdir() if (m := _VERSION_FILE.match(f.name))]


def _number(file: Path) -> int:
    match = _VERSION_FILE.match(file.name)
    return int(match.group(1)) if match else 0


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Reader:
    """Read-only access to the newest published version, for the dashboard's processes.

    One DuckDB instance per version per process; each call gets its own cursor, so threads of one
    worker do not share a connection. Forked workers connect lazily in themselves.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = db_path(path)
        self._lock = threading.Lock()
        self._file: Path | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._pid = os.getpid()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        for _ in range(3):
            current = current_version_file(self.path)
            if current is None:
                raise FileNotFoundError(
                    f"no warehouse at {self.path}: run `python -m etl load` first")
            with self._lock:
                if self._con is None or current != self._file or os.getpid() != self._pid:
                    try:
                        self._con = duckdb.connect(str(current), read_only=True)
                    except duckdb.IOException:
                        continue  # pruned between readlink and open: read the link again
                    self._file, self._pid = current, os.getpid()
                return self._con.cursor()
        raise RuntimeError(f"could not open the current warehouse version at {self.path}")

    @property
    def version(self) -> str:
        """A name of the version the next query reads; caches key on it."""
        current = current_version_file(self.path)
        return current.name if current else ""
