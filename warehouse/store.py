"""Versioned warehouse files: one writer builds a new version while readers keep serving the last.

DuckDB allows one read-write process or many read-only ones, never both. So a load never writes
the file readers have open: it copies the current version, writes the copy, CHECKPOINTs and closes
it, then switches the `<db>` symlink to it with an atomic rename. Readers check the link on every
request and reconnect when it moved. A load killed half-way leaves an unpublished copy that the
next writer deletes; the published version is always a complete, checkpointed file.

Layout for `--db var/jiceng.duckdb`:
    var/jiceng.duckdb            -> symlink to the current version (what other tools open)
    var/jiceng.duckdb.versions/  000001.duckdb, 000002.duckdb, ... (the last few are kept), each
                                 complete one with its marker 000001.duckdb.published
    var/jiceng.duckdb.lock       the writers' lock

The link is a convenience, not the record: versions are found in the versions folder. A link
deleted, or pointing at a missing or unreadable file, is repaired by the next writer to the newest
complete version that opens (readers use that version meanwhile), and a writer only ever deletes
files it can tell are not complete versions, or complete ones past the newest KEEP_VERSIONS.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb

KEEP_VERSIONS = 3
WRITER_MEMORY_GB = 6.0
_log = logging.getLogger(__name__)
_VERSION_FILE = re.compile(r"^(\d{6})\.duckdb$")
# What a full or failing disk raises, from Python or from DuckDB (the CLI turns it into one line).
DISK_ERRORS = (OSError, duckdb.IOException)
DEFAULT_DB_PATH = Path("var") / "jiceng.duckdb"


def db_path(path: str | os.PathLike | None = None) -> Path:
    return Path(path or os.environ.get("JICENG_DB") or DEFAULT_DB_PATH).absolute()


def versions_dir(path: Path) -> Path:
    return path.with_name(path.name + ".versions")


PUBLISHED_MARK = ".published"
COMPACTING = ".compacting"       # a version being rewritten without its free blocks
SPILL = ".tmp"                   # DuckDB's folder for work past store.writer_memory_gb


def current_version_file(path: Path) -> Path | None:
    """The version readers should read: the one the link points at when that file is there, else
    the newest complete version of the versions folder; None when nothing was published yet."""
    path = db_path(path)
    if path.is_symlink():
        target = (path.parent / os.readlink(path)).resolve()
        if target.exists():
            return target
    elif path.exists():
        return path.resolve()
    return next(iter(published_versions(path)), None)


def published_versions(path: Path) -> list[Path]:
    """Complete versions, newest first: each has its marker (written after its file was synced).
    A store from before the markers has none: its version files count, newest first."""
    vdir = versions_dir(db_path(path))
    if not vdir.is_dir():
        return []
    numbers = sorted(_version_numbers(vdir), reverse=True)
    marked = [n for n in numbers if (vdir / f"{n:06d}.duckdb{PUBLISHED_MARK}").exists()]
    return [vdir / f"{n:06d}.duckdb" for n in (marked if marked else numbers)]


def opens(file: Path) -> bool:
    """Whether a version file opens read-only and holds the warehouse's tables."""
    try:
        con = duckdb.connect(str(file), read_only=True)
    except (duckdb.Error, OSError):
        return False
    try:
        con.execute("SELECT count(*) FROM load_batch").fetchone()
        return True
    except duckdb.Error:
        return False
    finally:
        con.close()


def good_version_file(path: Path) -> tuple[Path | None, str]:
    """The newest version that opens, starting with the current one, and what was wrong on the
    way (empty when the current version is fine)."""
    current = current_version_file(path)
    if current is None or opens(current):
        return current, ""
    for candidate in published_versions(path):
        if candidate != current and opens(candidate):
            return candidate, (f"当前版本 {current.name} 无法打开，已改用 {candidate.name} / "
                               f"version {current.name} cannot be opened; using {candidate.name}")
    return None, f"没有可用的版本 / no version of the warehouse opens ({current.name} is damaged)"


class StoreDamaged(RuntimeError):
    """No version of the warehouse opens: nothing is written, nothing is deleted."""


class WriterSession:
    """A private copy of the current version, published on `publish()`, discarded otherwise."""

    def __init__(self, path: Path, base: Path | None = None, rebuild: bool = False):
        self.path = db_path(path)
        self.base = base                 # start from this kept version instead of the current one
        self.rebuild = rebuild           # recompute every derived table in full before publishing
        self.refreshed = None            # what publishing recomputed (warehouse.derived.Refresh)
        self.compacted = False           # whether publishing rewrote the file without free blocks
        self.work_file: Path | None = None
        self.con: duckdb.DuckDBPyConnection | None = None
        self._lock_fd: int | None = None
        self.repair_message = ""         # what was wrong with the current version, if anything

    def __enter__(self) -> "WriterSession":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        vdir = versions_dir(self.path)
        vdir.mkdir(exist_ok=True)
        self._lock_fd = os.open(str(self.path) + ".lock", os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._adopt_plain_file(vdir)
        current, self.repair_message = good_version_file(self.path)
        if current is None and _version_numbers(vdir):
            raise StoreDamaged(self.repair_message)
        self._remove_unpublished(vdir, current)
        if self.repair_message:
            _log.warning(self.repair_message)
        if current is not None and self._link(current):      # a deleted or dangling link, repaired
            _log.warning(f"仓库链接已修复，指向 {current.name} / the warehouse link was repaired: {current.name}")
        number = max(_version_numbers(vdir), default=0) + 1
        self.work_file = vdir / f"{number:06d}.duckdb"
        source = self.base or current
        try:
            if source is not None:
                shutil.copyfile(source, self.work_file)
            # a load is reported by the ETL's own progress; DuckDB's bar would interleave with it
            self.con = duckdb.connect(str(self.work_file))
            self.con.execute("SET enable_progress_bar = false")
            # beyond this DuckDB spills to disk (next to the file) instead of growing: a national
            # warehouse's full recompute would otherwise take most of the machine's memory
            memory_gb = self._setting("store.writer_memory_gb", WRITER_MEMORY_GB)
            self.con.execute(f"SET memory_limit = '{max(memory_gb, 0.5):.1f}GB'")
        except BaseException:
            self.__exit__(None, None, None)     # a partial copy (a full disk) goes at once; the lock too
            raise
        return self

    def publish(self) -> Path:
        assert self.con is not None and self.work_file is not None
        from warehouse.derived import refresh
        self.refreshed = refresh(self.con, full=self.rebuild)
        keep = self._keep_versions()
        self._checkpoint()
        self.compacted = self._free_share() > self._setting("store.compact_free_share", 0.2)
        if self.compacted:
            self._compact()
        self.con.close()
        self.con = None
        shutil.rmtree(str(self.work_file) + SPILL, ignore_errors=True)
        _fsync(self.work_file)
        mark = Path(str(self.work_file) + PUBLISHED_MARK)
        mark.touch()
        _fsync(mark)
        self._link(self.work_file)
        published, self.work_file = self.work_file, None
        self._remove_old_versions(versions_dir(self.path), keep)
        return published

    def _checkpoint(self) -> None:
        # everything written goes into the file now: a full disk fails here, before publishing
        self.con.execute("CHECKPOINT")

    def __exit__(self, *exc) -> None:
        if self.con is not None:
            self.con.close()
        if self.work_file is not None:  # not published: throw the copy away
            for leftover in (self.work_file, Path(str(self.work_file) + ".wal"),
                             Path(str(self.work_file) + COMPACTING), Path(str(self.work_file) + COMPACTING + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
            shutil.rmtree(str(self.work_file) + SPILL, ignore_errors=True)
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)

    def _link(self, version: Path) -> bool:
        """Point the link at `version` atomically; False when it already did."""
        if self.path.is_symlink() and (self.path.parent / os.readlink(self.path)).resolve() == version.resolve():
            return False
        link_tmp = self.path.with_name(self.path.name + ".link-tmp")
        with contextlib.suppress(FileNotFoundError):
            link_tmp.unlink()
        os.symlink(os.path.relpath(version, self.path.parent), link_tmp)
        os.replace(link_tmp, self.path)
        _fsync(self.path.parent)
        return True

    def _adopt_plain_file(self, vdir: Path) -> None:
        # A plain DuckDB file given as --db becomes version 1, so it can be versioned from now on.
        if self.path.exists() and not self.path.is_symlink():
            target = vdir / f"{max(_version_numbers(vdir), default=0) + 1:06d}.duckdb"
            os.replace(self.path, target)
            os.symlink(os.path.relpath(target, self.path.parent), self.path)

    def _remove_unpublished(self, vdir: Path, current: Path | None) -> None:
        """Remove what a killed writer left: version files newer than the newest complete one and
        without a marker. With no complete version known, nothing is removed."""
        newest = max((_number(v) for v in published_versions(self.path)), default=0)
        if current is None or newest == 0:
            return
        for file in vdir.iterdir():
            match = _VERSION_FILE.match(file.name.removesuffix(".wal").removesuffix(COMPACTING).removesuffix(SPILL))
            if match and int(match.group(1)) > max(newest, _number(current)) \
                    and not Path(str(vdir / match.group(0)) + PUBLISHED_MARK).exists():
                if file.is_dir():
                    shutil.rmtree(file, ignore_errors=True)
                else:
                    file.unlink()

    def _setting(self, key: str, default: float) -> float:
        """A setting as the version being published holds it (settings reach the warehouse with
        every load); `default` before the settings were ever written."""
        try:
            row = self.con.execute("SELECT value FROM setting WHERE key = ?", [key]).fetchone()
            return float(row[0]) if row else default
        except (duckdb.Error, ValueError):
            return default

    def _keep_versions(self) -> int:
        """How many versions to keep, at least 2 (the current and one before)."""
        return max(2, int(self._setting("store.keep_versions", KEEP_VERSIONS)))

    def _free_share(self) -> float:
        _, total, free = self.con.execute(
            "SELECT block_size, total_blocks, free_blocks FROM pragma_database_size()").fetchone()
        return free / total if total else 0.0

    def _compact(self) -> None:
        """Rewrite the version being published without its free blocks: every table, view, macro
        and sequence copied into a fresh file, which then takes the version's name."""
        compact = Path(str(self.work_file) + COMPACTING)
        with contextlib.suppress(FileNotFoundError):
            compact.unlink()
        source = self.con.execute("SELECT current_database()").fetchone()[0]
        self.con.execute("ATTACH '" + str(compact).replace("'", "''") + "' AS compacted")
        try:
            self.con.execute(f'COPY FROM DATABASE "{source}" TO compacted')
        finally:
            self.con.execute("DETACH compacted")
        self.con.close()
        os.replace(compact, self.work_file)
        self.con = duckdb.connect(str(self.work_file))

    def _remove_old_versions(self, vdir: Path, keep: int) -> None:
        # Readers that still have an old file open keep reading it: unlinking does not close it.
        numbers = sorted(_version_numbers(vdir))
        for number in numbers[:-keep]:
            for name in (f"{number:06d}.duckdb", f"{number:06d}.duckdb{PUBLISHED_MARK}"):
                with contextlib.suppress(FileNotFoundError):
                    (vdir / name).unlink()


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


@dataclass(frozen=True)
class VersionState:
    name: str
    current: bool
    complete: bool
    opens: bool


def verify(path: Path) -> list[VersionState]:
    """Every kept version, newest first: is it the current one, marked complete, does it open."""
    path = db_path(path)
    vdir = versions_dir(path)
    link = (path.parent / os.readlink(path)).resolve() if path.is_symlink() else None
    states = []
    for number in sorted(_version_numbers(vdir) if vdir.is_dir() else [], reverse=True):
        file = vdir / f"{number:06d}.duckdb"
        states.append(VersionState(file.name, file.resolve() == link,
                                   Path(str(file) + PUBLISHED_MARK).exists(), opens(file)))
    return states


def restore(path: Path, version: str) -> Path:
    """Publish a kept version's contents again, as a new version: nothing is lost, the restore
    can itself be undone by restoring the version it replaced."""
    path = db_path(path)
    source = versions_dir(path) / version
    if not _VERSION_FILE.match(version) or not source.exists() or not opens(source):
        raise StoreDamaged(f"没有可恢复的版本 {version} / no kept version {version} that opens")
    with WriterSession(path, base=source) as session:
        return session.publish()


@dataclass(frozen=True)
class Fallback:
    """The current version does not open and an older complete one is read instead."""
    damaged: str
    reading: str


class Reader:
    """Read-only access to the newest published version, for the dashboard's processes.

    One DuckDB instance per version per process; each call gets its own cursor, so threads of one
    worker do not share a connection. Forked workers connect lazily in themselves.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = db_path(path)
        self._lock = threading.Lock()
        self._wanted: Path | None = None       # the current version when the connection was opened
        self._con: duckdb.DuckDBPyConnection | None = None
        self._pid = os.getpid()
        self.fallback: Fallback | None = None  # set while an older version stands in

    def cursor(self) -> duckdb.DuckDBPyConnection:
        for _ in range(3):
            current = current_version_file(self.path)
            if current is None:
                raise FileNotFoundError(
                    f"no warehouse at {self.path}: run `python -m etl load` first")
            with self._lock:
                if self._con is None or current != self._wanted or os.getpid() != self._pid:
                    try:
                        con, fallback = duckdb.connect(str(current), read_only=True), None
                    except duckdb.IOException:
                        if not current.exists():
                            continue  # pruned between readlink and open: read the link again
                        con, fallback = self._newest_good()
                    except duckdb.Error:
                        con, fallback = self._newest_good()
                    if con is None:
                        break
                    self._con, self._wanted, self._pid = con, current, os.getpid()
                    self.fallback = fallback
                return self._con.cursor()
        raise RuntimeError(f"could not open the current warehouse version at {self.path}")

    def _newest_good(self) -> tuple[duckdb.DuckDBPyConnection | None, Fallback | None]:
        """The current version does not open: the newest one that does, and what to tell users."""
        damaged = current_version_file(self.path)
        good, _ = good_version_file(self.path)
        if good is None:
            return None, None
        _log.error(f"version {damaged.name if damaged else '?'} cannot be opened; reading {good.name}")
        return duckdb.connect(str(good), read_only=True), Fallback(damaged.name if damaged else "", good.name)

    @property
    def version(self) -> str:
        """A name of the version the next query reads; caches key on it."""
        current = current_version_file(self.path)
        return current.name if current else ""
