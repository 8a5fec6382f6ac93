"""Results of heavy query functions, kept per published warehouse version.

A published version never changes (a load writes a new file), so a query's result for the same
arguments on the same version can be served again: the scorecard, the side-by-side table and the
scatter plot all sum the same township indicators, and every user of a district asks the same.
Only read-only connections are cached (a writer's copy is still changing); the key is the
version file's path, inode and mtime, so a warehouse rebuilt at the same path is not confused
with the old one. Each process keeps its own small LRU. Callers get copies of DataFrames; other
results (a GeoJSON dict, grid rows) are shared and must be treated as read-only.
"""
from __future__ import annotations

import functools
import os
import threading
import weakref
from collections import OrderedDict
from datetime import date

import duckdb
import pandas as pd

# A connection's file and mode never change: asked of DuckDB once per connection (a query each
# time cost about 0.8 ms, on every cached call of every callback).
_FILES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def version_of(con: duckdb.DuckDBPyConnection) -> tuple | None:
    """Which immutable version the connection reads, or None (a writer, an in-memory warehouse)."""
    try:
        path = _FILES[con]
    except (KeyError, TypeError):
        rows = con.execute("SELECT path, readonly FROM duckdb_databases() WHERE database_name = current_database()"
                           ).fetchall()
        path = rows[0][0] if rows and rows[0][1] and rows[0][0] else None
        try:
            _FILES[con] = path
        except TypeError:       # not weakly referable: asked again next time
            pass
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return path, stat.st_ino, stat.st_mtime_ns, stat.st_size


_ALL: list = []


def clear_all() -> None:
    """Forget every cached result of this process (benchmarks measure first calls with it)."""
    for entries in _ALL:
        entries.clear()


def per_version(maxsize: int = 64):
    """Decorate a query function `f(con, *hashable_args)`: its result depends on the version
    and the arguments only (scope included). Results are copied out of the cache."""
    def decorate(function):
        entries: OrderedDict = OrderedDict()
        lock = threading.Lock()
        _ALL.append(entries)

        @functools.wraps(function)
        def cached(con, *args, **kwargs):
            version = version_of(con)
            if version is None:
                return function(con, *args, **kwargs)
            # today is part of the key: some answers depend on the date (who is operating today)
            key = (version, date.today(), args, tuple(sorted(kwargs.items())))
            with lock:
                if key in entries:
                    entries.move_to_end(key)
                    return _copy(entries[key])
            value = function(con, *args, **kwargs)
            with lock:
                entries[key] = value
                while len(entries) > maxsize:
                    entries.popitem(last=False)
            return _copy(value)

        cached.cache_clear = entries.clear
        return cached
    return decorate


def _copy(value):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    return value
