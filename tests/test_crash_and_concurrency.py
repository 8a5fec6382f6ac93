"""Reliability under stress: a load killed at any moment leaves the warehouse exactly before or
after, never in between; the dashboard under gunicorn keeps answering, consistently, while loads
run in a loop."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from warehouse.store import current_version_file

from factory import load, monthly_file, tiny_city

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data_samples"
DATA_TABLES = ("admin_unit", "facility", "standardization_assessment", "monthly_report", "monthly_measure",
               "staffing", "inspection", "load_warning", "monthly_measure_history")


def fingerprint(db: Path) -> dict:
    """What a reader sees: every data table's rows (batch timestamps aside)."""
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    try:
        return {table: con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {table}").fetchall()
                for table in DATA_TABLES}
    finally:
        con.close()


@pytest.mark.slow
def test_a_load_killed_at_any_moment_leaves_before_or_after_and_the_next_load_works(tmp_path):
    registry = [SAMPLES / "01_行政区划.xlsx", SAMPLES / "02_乡镇街道边界.geojson", SAMPLES / "03_机构名录.xlsx"]
    monthly = sorted(SAMPLES.glob("月度服务报表_*.csv"))
    finished = tmp_path / "finished.duckdb"
    load(finished, *registry)
    load(finished, *monthly)
    after = fingerprint(finished)
    for delay in (0.2, 0.8, 1.5, 2.5, 3.5):
        db = tmp_path / f"killed_{delay}.duckdb"
        load(db, *registry)
        before = fingerprint(db)
        process = subprocess.Popen([sys.executable, "-m", "etl", "load", "--db", str(db), *map(str, monthly)],
                                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = fingerprint(db)
        assert state in (before, after), f"killed after {delay}s: in between"
        load(db, *monthly)
        assert fingerprint(db) == after, f"the load after a kill at {delay}s"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_workers_answer_every_request_consistently_while_loads_loop(tmp_path):
    import requests

    from warehouse.accounts import Accounts, accounts_path

    from conftest import PASSWORD
    db = tiny_city(tmp_path)
    version_a = monthly_file(tmp_path / "a.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 10,
                                                   "newborn_visits": 5, "submitted_on": "2026-04-01"}])
    version_b = monthly_file(tmp_path / "b.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 10,
                                                   "newborn_visits": 9, "submitted_on": "2026-04-01"}])
    load(db, version_a)
    Accounts(accounts_path(db)).add_user("viewer", PASSWORD, "planner", ["110101", "110102"])
    port = free_port()
    env = {**os.environ, "JICENG_DB": str(db)}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "3", "-b", f"127.0.0.1:{port}",
                               "--timeout", "60", "dashboard.app:server"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        # three workers importing the app on a loaded 2-core machine: a minute, generously
        ready_by = time.time() + 60
        while time.time() < ready_by:
            try:
                if requests.get(base + "/login", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        stop = threading.Event()
        loads = {"count": 0, "failed": 0}

        def loop_loads():
            files = [version_b, version_a]
            while not stop.is_set():
                done = subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(db),
                                       str(files[loads["count"] % 2])], cwd=ROOT, capture_output=True)
                loads["count"] += 1
                loads["failed"] += done.returncode != 0

        body = {"output": "..overview-worst-table.rowData...overview-worst-table.columnDefs...overview-worst-caption.children..",
                "outputs": [{"id": "overview-worst-table", "property": "rowData"},
                            {"id": "overview-worst-table", "property": "columnDefs"},
                            {"id": "overview-worst-caption", "property": "children"}],
                "inputs": [{"id": "shell-area-dropdown", "property": "value", "value": "110101"},
                           {"id": "shell-period-dropdown", "property": "value", "value": "2026-03"},
                           {"id": "shell-lang-store", "property": "data", "value": "zh"}],
                "changedPropIds": ["shell-area-dropdown.value"]}
        results = {"ok": 0, "failed": 0, "values": set()}
        lock = threading.Lock()

        def user():
            session = requests.Session()
            session.post(base + "/login", data={"username": "viewer", "password": PASSWORD})
            deadline = time.time() + 15
            while time.time() < deadline:
                response = session.post(base + "/_dash-update-component", json=body, timeout=30)
                with lock:
                    if response.status_code != 200:
                        results["failed"] += 1
                        continue
                    rows = response.json()["response"]["overview-worst-table"]["rowData"]
                    row = next(r for r in rows if r["indicator_code"] == "newborn_visit_rate")
                    results["ok"] += 1
                    results["values"].add((row["numerator"], row["denominator"]))

        loader = threading.Thread(target=loop_loads)
        loader.start()
        users = [threading.Thread(target=user) for _ in range(20)]
        for thread in users:
            thread.start()
        for thread in users:
            thread.join()
        stop.set()
        loader.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert results["failed"] == 0 and results["ok"] > 100
    assert loads["count"] >= 3 and loads["failed"] == 0
    assert results["values"] <= {(5, 10), (9, 10)}          # each answer from one whole version
    assert results["values"] == {(5, 10), (9, 10)}          # and the loads were seen without a restart


def test_the_dashboard_command_serves_with_gunicorn_workers(tmp_path):
    """`python -m dashboard` (what `make run` starts) is the production server, not Flask's."""
    import requests
    db = tiny_city(tmp_path)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "dashboard", "--db", str(db), "--port", str(port),
                               "--workers", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        answer = None
        ready_by = time.time() + 60                      # two workers importing the app on a loaded machine
        while time.time() < ready_by and answer is None:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/login", timeout=10)
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        assert answer is not None and answer.status_code == 200
        assert answer.headers["Server"].startswith("gunicorn")
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)
    assert "用户名 user: admin" in out                     # the first start made the administrator
    assert "Booting worker" in err and "Traceback" not in err
