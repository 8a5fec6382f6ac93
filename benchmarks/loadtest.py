"""Load test: simulated users on loopback against gunicorn, bounded in time.

    python -m benchmarks loadtest [--scale S --density D] [--seconds 20] [--users 20 100] [--workers 4]

Generates the province (etl.sample_city.PROVINCE, or the sample city at another scale and
density), loads it into a fresh warehouse,
starts gunicorn on 127.0.0.1 with `workers` workers, then for each user count runs that many
logged-in users for `seconds`, each repeating a realistic page's callbacks (overview tiles,
indicator table, coverage summary) for a random district, and prints requests per second and
the median and 95th percentile latency. Only loopback is ever contacted.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load test password"


def callback_body(output_ids: list[tuple[str, str]], inputs: list[tuple[str, str, object]]) -> dict:
    spec = ".." + "...".join(f"{i}.{p}" for i, p in output_ids) + ".."
    return {"output": spec if len(output_ids) > 1 else f"{output_ids[0][0]}.{output_ids[0][1]}",
            "outputs": [{"id": i, "property": p} for i, p in output_ids],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}


def requests_for(district: str, period: str) -> list[dict]:
    filters = [("shell-area-dropdown", "value", district), ("shell-period-dropdown", "value", period),
               ("shell-lang-store", "data", "zh")]
    return [
        callback_body([("overview-header-div", "children"), ("overview-tiles-row", "children")], filters),
        callback_body([("overview-worst-table", "rowData"), ("overview-worst-table", "columnDefs"),
                       ("overview-worst-caption", "children")], filters),
        callback_body([("coverage-header-div", "children"), ("coverage-summary-row", "children")],
                      filters + [({"type": "param", "name": "radius"}, "value", 1200)]),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_users(base: str, users: int, seconds: float, districts: list[str], period: str) -> dict:
    latencies, failures, lock = [], [0], threading.Lock()
    deadline = time.time() + seconds

    def user(seed: int):
        rng = random.Random(seed)
        session = requests.Session()
        session.post(base + "/login", data={"username": "loadtest", "password": PASSWORD}, timeout=30)
        while time.time() < deadline:
            for body in requests_for(rng.choice(districts), period):
                started = time.perf_counter()
                try:
                    ok = session.post(base + "/_dash-update-component", json=body, timeout=60).status_code == 200
                except requests.RequestException:
                    ok = False
                with lock:
                    latencies.append(time.perf_counter() - started)
                    failures[0] += not ok

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    ordered = sorted(latencies)
    return {"users": users, "requests": len(latencies), "failed": failures[0], "rps": len(latencies) / elapsed,
            "median_ms": 1000 * statistics.median(ordered) if ordered else 0,
            "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))] if ordered else 0}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks loadtest")
    parser.add_argument("--scale", type=float, help="default: the province's")
    parser.add_argument("--density", type=float, help="default: the province's")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--users", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="jiceng-bench-"))
    try:
        return _run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(args, work: Path) -> int:
    from etl.loader import load_paths
    from etl.sample_city import PROVINCE, write_sample_city
    from warehouse.accounts import Accounts, accounts_path
    from warehouse.periods import latest_complete
    from warehouse.store import Reader
    shape = {"scale": args.scale or PROVINCE["scale"], "density": args.density or PROVINCE["density"]}
    write_sample_city(work / "data", **shape)
    db = work / "bench.duckdb"
    started = time.time()
    results = load_paths([work / "data"], db=db)
    load_seconds = time.time() - started
    assert all(r.status == "accepted" for r in results), [p.line() for r in results for p in r.problems][:5]
    con = Reader(db).cursor()
    districts = [r[0] for r in con.execute("SELECT DISTINCT district_code FROM township").fetchall()]
    facilities = con.execute("SELECT count(*) FROM facility").fetchall()[0][0]
    values = con.execute("SELECT count(*) FROM monthly_measure").fetchall()[0][0]
    latest = con.execute("SELECT max(period) FROM monthly_report").fetchall()[0][0]
    period = latest_complete(latest, "quarter").label
    Accounts(accounts_path(db)).add_user("loadtest", PASSWORD, "admin")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                               "--timeout", "120", "dashboard.app:server"], cwd=ROOT,
                              env={**os.environ, "JICENG_DB": str(db)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if requests.get(base + "/login", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        run_users(base, 2, 5, districts, period)           # warm every worker's connection
        rows = [run_users(base, users, args.seconds, districts, period) for users in args.users]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    print(f"data: scale {shape['scale']:g}, density {shape['density']:g}: {len(districts)} districts, {facilities:,} facilities, {values:,} values; "
          f"loaded in {load_seconds:.1f} s; gunicorn {args.workers} workers; {os.cpu_count()} cores")
    print(f"{'users':>6} {'requests':>9} {'failed':>7} {'req/s':>8} {'median ms':>10} {'p95 ms':>8}")
    for r in rows:
        print(f"{r['users']:>6} {r['requests']:>9} {r['failed']:>7} {r['rps']:>8.1f} {r['median_ms']:>10.0f} "
              f"{r['p95_ms']:>8.0f}")
    return 0 if all(r["failed"] == 0 for r in rows) else 1
