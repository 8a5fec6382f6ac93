"""The indicator registry as the warehouse holds it (written from the settings file on load)."""
from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.cache import per_version


@per_version()
def indicators(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("""
        SELECT i.indicator_code, i.name_zh, i.name_en, i.category, c.name_zh AS category_zh,
               c.name_en AS category_en, i.numerator, i.denominator, i.target, i.target_per, i.direction
        FROM indicator_registry i LEFT JOIN category_registry c USING (category)
        ORDER BY c.sort_order, i.sort_order
    """).df()


@per_version()
def measure_names(con: duckdb.DuckDBPyConnection, lang: str) -> dict[str, str]:
    """Each measure's name in the language (English or Chinese)."""
    column = "name_en" if lang == "en" else "name_zh"
    return dict(con.execute(f"SELECT measure, {column} FROM measure_registry").fetchall())


def milestones(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT year, target_share FROM milestone_schedule ORDER BY year").df()
