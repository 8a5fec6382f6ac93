"""The derived tables every page reads, kept up to date as a writer session publishes.

Six tables hold answers that would cost too much per request (docs/architecture.md): the
indicator parts of every facility and period, their rollup by township, the data-quality flags,
the community-facility distances and every facility-month's reporting status. Their rules are the `*_of(only_changed)` macros of sql/views.sql. A writer session's
changes to their inputs are recorded in `derived_change` as they are written (warehouse/ingest.py),
and publishing recomputes only what those changes touch:

| table | recomputed for | in full when |
|---|---|---|
| facility_indicator_parts_table | the facility-years with a changed month | rules changed |
| township_indicator_parts_table | the changed periods, all townships | rules changed, or a facility changed |
| dq_outlier_table | the facilities with a changed month | rules changed, or the data horizon moved (every series' window is judged against it) |
| dq_consistency_table | the changed facility-months (a stock jump: and the month after); the year-to-date of the changed facilities, of all when the horizon moved forward (the months leaving the window go) | rules changed, or the horizon moved back |
| community_facility_distance | the changed community points and facilities | rules changed |
| submission_status_table | the facilities whose registry row or reports changed; when the latest loaded month moved forward, every facility's new months too | rules changed, the first loaded month moved, or the latest moved back |

"Rules" are the registry, the settings and the SQL of views.sql: a digest of them is kept with
the tables. `rebuild` recomputes everything from the rows (`python -m etl rebuild`), and is the
oracle the incremental path is tested against (tests/test_derived.py).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import duckdb

from warehouse.schema import views_sql


@dataclass(frozen=True)
class Derived:
    steps: tuple[str, ...]    # the macros of views.sql that compute the table, inserted in turn
    inputs: tuple[str, ...]   # the derived_change inputs that reach it
    touched: str              # which of its rows a recompute of the changed ones replaces
    order: str = ""           # written in this order when recomputed in full (clustered for scans)
    # for a table bound to the data horizon: the rows a forward move of it makes stale, when its
    # macros take `horizon_moved := true` to add what the move brings; None: recomputed in full
    stale_after_move: str | None = None


TABLES = {
    # months from the values, quarters from the months, years from the quarters
    "facility_indicator_parts_table": Derived(
        ("facility_indicator_months_of", "facility_indicator_quarters_of", "facility_indicator_years_of"),
        ("measure",),
        # a join, not a tuple IN: the IN scanned the whole table (10 × the province: 1.2 s → 0.2 s)
        "EXISTS (SELECT 1 FROM changed_facility_period c WHERE c.facility_code = t.facility_code "
        "AND c.period_kind = t.period_kind AND c.period = t.period)", order="ORDER BY period_kind, period"),
    # the township rollup of those parts (after them: it sums them)
    "township_indicator_parts_table": Derived(
        ("township_indicator_parts_of",), ("measure", "facility"),
        "EXISTS (SELECT 1 FROM changed_facility) OR (t.period_kind, t.period) IN "
        "(SELECT DISTINCT (period_kind, period) FROM changed_facility_period)", order="ORDER BY period_kind, period"),
    "dq_outlier_table": Derived(
        ("dq_outlier_of",), ("measure",), "t.facility_code IN (SELECT facility_code FROM changed_measure_facility)"),
    "dq_consistency_table": Derived(
        ("dq_consistency_of",), ("measure",),
        "t.facility_code IN (SELECT facility_code FROM changed_measure_facility) AND (t.\"check\" = 'year_change' "
        "OR (t.facility_code, t.period) IN (SELECT (facility_code, strftime(month, '%Y-%m')) FROM changed_facility_month) "
        "OR (t.\"check\" = 'stock_jump' AND (t.facility_code, t.period) IN "
        "(SELECT (facility_code, strftime(month + INTERVAL 1 MONTH, '%Y-%m')) FROM changed_facility_month)))",
        stale_after_move="t.\"check\" = 'year_change' OR t.period < "
                         "(SELECT strftime(latest_period - INTERVAL 11 MONTH, '%Y-%m') FROM data_horizon)"),
    "community_facility_distance": Derived(
        ("community_facility_distance_of",), ("point", "facility"),
        "t.code IN (SELECT code FROM changed_point) OR t.facility_code IN (SELECT facility_code FROM changed_facility)"),
    "submission_status_table": Derived(
        ("submission_status_of",), ("facility", "report"),
        "t.facility_code IN (SELECT code FROM derived_change WHERE input IN ('facility', 'report'))",
        order="ORDER BY period, facility_code", stale_after_move="false"),
}
HORIZON_BOUND = ("dq_outlier_table", "dq_consistency_table", "submission_status_table")
# a report is expected of every month from the first loaded one: moving it changes every facility's
FIRST_MONTH_BOUND = ("submission_status_table",)
# the small tables whose rows are rules: a change to any of them recomputes everything
RULE_TABLES = ("indicator_registry", "measure_registry", "setting")


@dataclass
class Refresh:
    """What a publish recomputed: tables in full, tables for their changed rows only."""
    full: list[str] = field(default_factory=list)
    changed_only: list[str] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.full or self.changed_only)


def _ready(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'derived_state'").fetchall()[0][0] > 0


def rules_digest(con: duckdb.DuckDBPyConnection) -> str:
    digest = hashlib.sha256(views_sql().encode("utf-8"))
    for table in RULE_TABLES:
        rows = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        digest.update(f"{table}:{rows!r}".encode())
    return digest.hexdigest()


def refresh(con: duckdb.DuckDBPyConnection, full: bool = False) -> Refresh:
    """Bring the derived tables of the version being written up to date with its rows; `full`
    recomputes all of them from scratch. Runs inside the writer session, before publishing."""
    done = Refresh()
    if not _ready(con):
        return done
    rules = rules_digest(con)
    horizon, first_month = con.execute("SELECT max(period), min(period) FROM monthly_report").fetchall()[0]
    state = con.execute("SELECT rules, horizon, first_period FROM derived_state").fetchall()
    everything = full or not state or state[0][0] != rules
    horizon_moved = not state or state[0][1] != horizon
    moved_forward = bool(state) and None not in (state[0][1], horizon) and state[0][1] < horizon
    first_month_moved = not state or state[0][2] != first_month
    changed_inputs = {row[0] for row in con.execute("SELECT DISTINCT input FROM derived_change").fetchall()}
    con.execute("BEGIN TRANSACTION")
    try:
        for table, derived in TABLES.items():
            bound = (table in HORIZON_BOUND and horizon_moved) or (table in FIRST_MONTH_BOUND and first_month_moved)
            stepped = (bound and moved_forward and derived.stale_after_move is not None
                       and not (table in FIRST_MONTH_BOUND and first_month_moved))
            if everything or (bound and not stepped):
                con.execute(f"DELETE FROM {table}")
                for macro in derived.steps:
                    con.execute(f"INSERT INTO {table} SELECT * FROM {macro}(false) {derived.order}")
                done.full.append(table)
            elif stepped or changed_inputs.intersection(derived.inputs):
                # a forward move also drops what it made stale and adds what it brings (the macros
                # read the old horizon, still in derived_state)
                stale = f" OR ({derived.stale_after_move})" if stepped else ""
                con.execute(f"DELETE FROM {table} t WHERE ({derived.touched}){stale}")
                arguments = "true, horizon_moved := true" if stepped else "true"
                for macro in derived.steps:
                    con.execute(f"INSERT INTO {table} SELECT * FROM {macro}({arguments})")
                done.changed_only.append(table)
        con.execute("DELETE FROM derived_change")
        con.execute("DELETE FROM derived_state")
        con.execute("INSERT INTO derived_state VALUES (?, ?, ?)", [rules, horizon, first_month])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return done
