"""Province-scale benchmark (`make bench`): generate, load, time every callback, print the table.

    python -m benchmarks [--scale 1] [--repeats 20] [--keep DIR]

`--scale N` runs the same tables at N × the province (the national size by hand: `--scale 10`,
33,640 facilities, 61 million values; it needs about 15 GB of memory and most of an hour here).

0. Reading: the province's workbooks read by the previous reader (openpyxl) and by the current
   one (python-calamine after its bounded pre-checks), in the same run (benchmarks/reading.py).
1. Generates the sample generator's province (etl.sample_city.PROVINCE: 16 districts, 328
   townships, about 3,300 facilities, 6 million values) with its last month held back.
2. ETL: loads the files into a fresh warehouse with `python -m etl load`, then the held-back month
   on top; wall time and the loader process's peak memory.
3. Every read-only server callback through the Flask test client (dashboard.app, logged in) at
   city scope (an administrator) and at district scope (a bureau user of one district): the first
   call with the query cache emptied, then `repeats` calls: median and 95th percentile; response
   size as JSON and as gzip (what a browser receives).
4. The heaviest callbacks by SQL work: the statements they ran, re-run alone (the floor), and the
   same aggregation done with pandas on rows held in memory (benchmarks/pandas_baseline.py).
5. Cold start: `python -m dashboard` (what `make run` starts) from spawn to the login page, and to
   the overview's first figures for a logged-in user.

Only loopback is contacted. Nothing here is a test: it prints figures for docs/performance.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark password 1"
HELD_BACK = "2026.10"          # the 2026 file writes periods as 2026.10
HEAVIEST = 4
BULLETIN_JOBS = 5           # bulletins made end to end per scope
PANDAS_UP_TO = 4


# --- data --------------------------------------------------------------------------------------

def make_dataset(work: Path, factor: float = 1.0) -> tuple[Path, Path]:
    """The province's files, and its last month as a file of its own. At another size, a file per
    month (a year's file of 4 × the province is over the reader's cell cap, etl.readers.ReadLimits)."""
    from etl.sample_city import PROVINCE, write_sample_city
    if factor != 1:
        from benchmarks.writes import make_dataset as monthly_files
        return monthly_files(work, factor)
    data, last = work / "data", work / "last_month"
    write_sample_city(data, **PROVINCE)
    last.mkdir()
    source = data / "月度服务报表_2026.csv"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    held = [line for line in rows if line.split(",")[1] == HELD_BACK]
    source.write_text(header + "".join(line for line in rows if line.split(",")[1] != HELD_BACK), encoding="utf-8")
    (last / "月度服务报表_2026-10.csv").write_text(header + "".join(held), encoding="utf-8")
    return data, last


def timed_load(paths: list[Path], db: Path) -> tuple[float, float]:
    """Seconds and peak resident megabytes of `python -m etl load` as its own process."""
    from benchmarks.writes import timed
    return timed(["load", "--db", str(db), *map(str, paths)])


def warehouse_facts(db: Path) -> dict:
    from warehouse.store import Reader
    con = Reader(db).cursor()
    one = lambda sql, *params: con.execute(sql, list(params)).fetchall()[0][0]   # noqa: E731
    district = one("SELECT district_code FROM township GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    return {
        "districts": one("SELECT count(DISTINCT district_code) FROM township"),
        "townships": one("SELECT count(*) FROM township"),
        "facilities": one("SELECT count(*) FROM facility"),
        "values": one("SELECT count(*) FROM monthly_measure"),
        "months": one("SELECT count(DISTINCT period) FROM monthly_measure"),
        "bytes": Path(os.path.realpath(db)).stat().st_size,
        "district": district,
        "townships_of_district": [r[0] for r in con.execute(
            "SELECT township_code FROM township WHERE district_code = ? ORDER BY 1", [district]).fetchall()],
        "facility": one("SELECT facility_code FROM v_facility WHERE type = 'CHC' AND district_code = ? ORDER BY 1 "
                        "LIMIT 1", district),
        "visit": [r[0] for r in con.execute(
            "SELECT facility_code FROM v_facility WHERE type IN ('CHC', 'THC') AND district_code = ? ORDER BY 1 LIMIT 5",
            [district]).fetchall()],
        "outlier": con.execute("""SELECT flag_key, facility_code, measure, period, value FROM dq_outlier_table
                                  WHERE facility_code LIKE ? || '%' ORDER BY score DESC LIMIT 1""",
                               [district]).df().to_dict("records"),
    }


# --- callbacks ---------------------------------------------------------------------------------

class Recorder:
    """A cursor that notes every statement run through it (for the raw-SQL floor)."""

    def __init__(self, con, log: list):
        self._con, self._log = con, log

    def execute(self, sql, parameters=None):
        self._log.append((sql, parameters))
        return self._con.execute(sql, parameters) if parameters is not None else self._con.execute(sql)

    def __getattr__(self, name):
        return getattr(self._con, name)


def scoped_client(app, username: str):
    client = app.server.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def measure_callbacks(db: Path, facts: dict, repeats: int) -> dict:
    from benchmarks.callbacks import BULLETIN, call, callback_bodies, time_callbacks
    from dashboard import data
    from dashboard.app import app
    from warehouse.accounts import Accounts, accounts_path
    from warehouse.cache import clear_all
    store = Accounts(accounts_path(db))
    store.add_user("bench_city", PASSWORD, "admin")
    store.add_user("bench_district", PASSWORD, "bureau", [facts["district"]])
    data.configure(db)
    results = {}
    for scope, username, area in (("city", "bench_city", "all"), ("district", "bench_district", facts["district"])):
        city = {"area": area, "period": latest_quarter(db), "facility": facts["facility"], "district": facts["district"],
                "townships": facts["townships_of_district"], "visit": facts["visit"],
                "outlier": facts["outlier"][0] if facts["outlier"] else None}
        client = scoped_client(app, username)
        bodies = callback_bodies(client, city)
        results[scope] = {"timings": time_callbacks(client, bodies, repeats), "bodies": dict(bodies),
                          "client": client}
    # the SQL each callback runs, captured with the cache emptied (city scope)
    original = data.cursor
    for timing in results["city"]["timings"]:
        if timing.name == BULLETIN:         # its click starts a job: the job's SQL is not the click's
            timing.statements = []
            continue
        log: list = []
        data.cursor = lambda: Recorder(original(), log)          # noqa: E731
        clear_all()
        call(results["city"]["client"], results["city"]["bodies"][timing.name])
        data.cursor = original
        timing.statements = log
    return results


def sql_floor(db: Path, statements: list, repeats: int) -> float:
    """Median seconds of running the statements alone, results fetched as arrays."""
    from warehouse.store import Reader
    con = Reader(db).cursor()
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        for sql, parameters in statements:
            result = con.execute(sql, parameters) if parameters is not None else con.execute(sql)
            if result.description:
                result.fetchnumpy()
        runs.append(time.perf_counter() - started)
    return sorted(runs)[len(runs) // 2]


def latest_quarter(db: Path) -> str:
    """The period the dashboard opens on: the latest complete quarter."""
    from warehouse.periods import latest_complete
    from warehouse.queries import areas
    from warehouse.store import Reader
    return latest_complete(areas.data_state(Reader(db).cursor()).latest_month, "quarter").label


def pandas_comparison(db: Path, repeats: int) -> dict:
    """Seconds (median) of the pandas versions, and what holding the rows costs."""
    from benchmarks import pandas_baseline as baseline
    from warehouse.periods import parse_period
    from warehouse.store import Reader
    started = time.perf_counter()
    memory = baseline.InMemory(Reader(db).cursor())
    load_seconds = time.perf_counter() - started
    period = parse_period(latest_quarter(db))
    previous = period.previous()
    month = lambda p: (p.start, p.end.replace(day=1))    # noqa: E731

    def median(function):
        runs = []
        for _ in range(repeats):
            started = time.perf_counter()
            function()
            runs.append(time.perf_counter() - started)
        return sorted(runs)[len(runs) // 2]

    return {"load_seconds": load_seconds, "megabytes": memory.megabytes,
            "townships-header-div.children": median(
                lambda: baseline.township_indicators(memory, month(period), month(previous))),
            "coverage-header-div.children": median(lambda: baseline.coverage_table(memory, 1200.0, date.today()))}


# --- cold start --------------------------------------------------------------------------------

def cold_start(db: Path) -> tuple[float, float]:
    """Seconds from spawning `python -m dashboard` to the login page, and to the overview's tiles."""
    import requests

    from benchmarks.callbacks import callback_bodies
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "dashboard", "--db", str(db), "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if requests.get(base + "/login", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.02)
            if time.perf_counter() - started > 60:
                raise SystemExit("the dashboard did not start within 60 s")
        login_page = time.perf_counter() - started
        session = requests.Session()
        session.post(base + "/login", data={"username": "bench_city", "password": PASSWORD, "next": "/"}, timeout=30)
        for path in ("/", "/_dash-layout", "/_dash-dependencies"):
            session.get(base + path, timeout=30).raise_for_status()
        tiles = next(body for name, body in callback_bodies(_RequestsClient(session, base), {
            "area": "all", "period": latest_quarter(db), "facility": None, "district": None, "townships": [],
            "visit": [], "outlier": None}) if name.startswith("overview-header-div"))
        session.post(base + "/_dash-update-component", json=tiles, timeout=30).raise_for_status()
        return login_page, time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)


class _RequestsClient:
    """Enough of Flask's test client for callback_bodies, over HTTP."""

    def __init__(self, session, base: str):
        self.session, self.base = session, base

    def get(self, path: str):
        response = self.session.get(self.base + path, timeout=30)
        response.get_json = response.json
        return response


# --- report ------------------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    import duckdb
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}; load average {load}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--scale", type=float, default=1.0, help="multiple of the province (default 1)")
    parser.add_argument("--repeats", type=int, default=20, help="calls per callback after the first")
    parser.add_argument("--keep", help="keep the generated files and warehouse in this folder")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="jiceng-province-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return run(work, args.repeats, args.scale)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(work: Path, repeats: int, factor: float = 1.0) -> int:
    print(f"machine: {machine()}")
    started = time.perf_counter()
    data, last = make_dataset(work, factor)
    print(f"generated {factor:g} × the province in {time.perf_counter() - started:.1f} s")
    if factor == 1:      # the reading comparison is the province's; other sizes time the rest
        from benchmarks.reading import report as reading_report
        reading_report(data)
    print(f"   load average now: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    db = work / "province.duckdb"
    load_seconds, load_mb = timed_load([data], db)
    month_seconds, month_mb = timed_load([last], db)
    facts = warehouse_facts(db)
    print(f"\ndata: {facts['districts']} districts, {facts['townships']} townships, {facts['facilities']:,} facilities, "
          f"{facts['months']} months, {facts['values']:,} values; warehouse {facts['bytes'] / 2 ** 20:.0f} MB")
    print(f"\n1. ETL (python -m etl load, its own process; load average {os.getloadavg()[0]:.2f})")
    print(f"   {'step':<44} {'seconds':>8} {'peak MB':>8}")
    print(f"   {'all files into a fresh warehouse':<44} {load_seconds:>8.1f} {load_mb:>8.0f}")
    print(f"   {'one more month on top':<44} {month_seconds:>8.1f} {month_mb:>8.0f}")

    results = measure_callbacks(db, facts, repeats)
    print(f"\n2. callbacks through the Flask test client ({repeats} calls after a first with the cache emptied; ms; "
          "bytes of JSON and of gzip)")
    print(f"   {'callback':<58} {'scope':<8} {'first':>6} {'median':>7} {'p95':>6} {'JSON':>9} {'gzip':>8}")
    worst = {"p95": 0.0, "first": 0.0, "json": 0, "wire": 0}
    for scope in ("city", "district"):
        for timing in sorted(results[scope]["timings"], key=lambda t: -t.p95_ms):
            print(f"   {timing.name[:58]:<58} {scope:<8} {timing.first_ms:>6.0f} {timing.median_ms:>7.0f} "
                  f"{timing.p95_ms:>6.0f} {timing.json_bytes:>9,} {timing.wire_bytes:>8,}"
                  + ("" if timing.statuses <= {200, 204} else f"  status {sorted(timing.statuses)}"))
            worst = {"p95": max(worst["p95"], timing.p95_ms), "first": max(worst["first"], timing.first_ms),
                     "json": max(worst["json"], timing.json_bytes), "wire": max(worst["wire"], timing.wire_bytes)}
    print(f"   worst: p95 {worst['p95']:.0f} ms, first call {worst['first']:.0f} ms, "
          f"JSON {worst['json']:,} bytes, gzip {worst['wire']:,} bytes")
    from benchmarks.callbacks import BULLETIN, time_bulletin_job
    made = {scope: time_bulletin_job(results[scope]["client"], results[scope]["bodies"][BULLETIN], BULLETIN_JOBS)
            for scope in ("city", "district")}
    print(f"   the bulletin made by its job, click → file (Word and PDF, kept; median of {BULLETIN_JOBS}, max): "
          + "; ".join(f"{scope} {1000 * statistics.median(t):.0f} ms ({1000 * max(t):.0f})" for scope, t in made.items()))

    city = results["city"]["timings"]
    for timing in city:
        timing.sql_seconds = sql_floor(db, timing.statements, 5) if timing.statements else 0.0
    heaviest = sorted(city, key=lambda t: -t.sql_seconds)[:HEAVIEST]
    # every value held as DataFrames: 0.5 GB at the province, past 24 GB (killed) at 10 ×
    pandas = pandas_comparison(db, 5) if factor <= PANDAS_UP_TO else {}
    held = (f"pandas = the same aggregation on rows held in memory ({pandas['megabytes']:.0f} MB, "
            f"{pandas['load_seconds']:.1f} s to load)" if pandas else
            f"pandas not run past {PANDAS_UP_TO} × the province (the rows do not fit in memory)")
    print(f"\n3. the heaviest callbacks by SQL work (city scope; ms). raw SQL = the statements the callback ran, "
          f"alone; {held}")
    print(f"   {'callback':<44} {'SQL':>6} {'first':>6} {'median':>7} {'first/SQL':>9} {'median/SQL':>10} "
          f"{'pandas':>7} {'pandas/first':>12} {'pandas/median':>13}")
    for timing in heaviest + [t for t in city if t.name in pandas and t not in heaviest]:
        sql_ms = 1000 * timing.sql_seconds
        pandas_ms = 1000 * pandas[timing.name] if timing.name in pandas else None
        print(f"   {timing.name[:44]:<44} {sql_ms:>6.0f} {timing.first_ms:>6.0f} {timing.median_ms:>7.0f} "
              f"{timing.first_ms / sql_ms:>9.2f} {timing.median_ms / sql_ms:>10.2f} "
              + (f"{pandas_ms:>7.0f} {pandas_ms / timing.first_ms:>12.1f} {pandas_ms / timing.median_ms:>13.1f}"
                 if pandas_ms else f"{'—':>7} {'—':>12} {'—':>13}"))

    login_page, first_figures = cold_start(db)
    print("\n4. cold start of `python -m dashboard`")
    print(f"   spawn → login page served: {login_page:.2f} s; → overview tiles for a logged-in user: {first_figures:.2f} s")
    return 0
