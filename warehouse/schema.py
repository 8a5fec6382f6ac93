"""Migrations, derived views and the registry tables, applied inside a writer session."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VIEWS_SQL = Path(__file__).resolve().parent / "sql" / "views.sql"


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending numbered migrations, each in its own transaction; return the applied names."""
    con.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)""")
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for file in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        version = int(file.name[:4])
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(file.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [version, file.name, datetime.now()])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(file.name)
    return applied


def views_sql() -> str:
    """views.sql, after the one constant it shares with Python code (warehouse/geometry.py)."""
    from warehouse.geometry import MAX_RADIUS_M
    return f"CREATE OR REPLACE MACRO max_radius_m() AS {MAX_RADIUS_M};\n" + VIEWS_SQL.read_text(encoding="utf-8")


def create_views(con: duckdb.DuckDBPyConnection) -> bool:
    """Recreate the derived views when views.sql changed since they were last made."""
    sql = views_sql()
    digest = hashlib.sha256(sql.encode("utf-8")).hexdigest()
    con.execute("CREATE TABLE IF NOT EXISTS schema_state (key VARCHAR PRIMARY KEY, value VARCHAR)")
    row = next(iter(con.execute("SELECT value FROM schema_state WHERE key = 'views.sha256'").fetchall()), None)
    if row and row[0] == digest:
        return False
    con.execute(sql)
    con.execute("INSERT OR REPLACE INTO schema_state VALUES ('views.sha256', ?)", [digest])
    return True


def sync_registry(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """Write the settings file into the registry tables; True when anything changed."""
    row = next(iter(con.execute("SELECT value FROM setting WHERE key = 'settings.sha256'").fetchall()), None)
    if row and json.loads(row[0]) == settings.sha256:
        return False
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("setting", "measure_registry", "indicator_registry", "category_registry",
                      "milestone_schedule"):
            con.execute(f"DELETE FROM {table}")
        scalars = settings.scalar_settings() | {"settings.sha256": settings.sha256}
        con.executemany("INSERT INTO setting VALUES (?, ?)",
                        [[k, json.dumps(v, ensure_ascii=False)] for k, v in scalars.items()])
        con.executemany("INSERT INTO measure_registry VALUES (?, ?, ?, ?, ?)",
                        [[m.code, m.zh, m.en, m.kind, n] for n, m in enumerate(settings.measures)])
        con.executemany(
            "INSERT INTO indicator_registry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[i.code, i.zh, i.en, i.category, i.numerator, i.denominator, i.target, i.target_per,
              i.direction, n] for n, i in enumerate(settings.indicators)])
        con.executemany("INSERT INTO category_registry VALUES (?, ?, ?, ?)",
                        [[c["code"], c["zh"], c["en"], n] for n, c in enumerate(settings.categories)])
        con.executemany("INSERT INTO milestone_schedule VALUES (?, ?)", settings.milestones)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return True


def prepare(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """Bring a writer's copy up to date: migrations, registry, views. True when anything changed."""
    migrated = migrate(con)
    settings_changed = sync_registry(con, settings)
    views_changed = create_views(con)
    return bool(migrated) or settings_changed or views_changed


def empty_warehouse(settings: Settings) -> duckdb.DuckDBPyConnection:
    """An empty warehouse in memory with the whole schema: what readers see before the first load."""
    con = duckdb.connect(":memory:")
    prepare(con, settings)
    return con
