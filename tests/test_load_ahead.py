"""A folder of many files is read and validated in worker processes while the writer writes
(etl.loader.FilesAhead): what it loads, rejects and warns about is what the writer alone would."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl import loader
from tests.factory import load, monthly_file, query, registry_files

MONTHS = [f"2025-{m:02d}" for m in range(1, 10)]     # nine files after the registry: read ahead


def month_rows(period: str) -> list[dict]:
    return [{"facility_code": "F_CHC1", "period": period, "submitted_on": "2025-12-01",
             "births": 9, "newborn_visits": 8},
            {"facility_code": "F_CHS1", "period": period, "submitted_on": "2025-12-01",
             "births": 2, "newborn_visits": 2}]


@pytest.fixture
def validated_here(monkeypatch) -> list[str]:
    """The files the writer's own process validated (the others were validated in a worker)."""
    names: list[str] = []
    original = loader.validate_prepared

    def spy(prepared, *args, **kwargs):
        names.append(prepared.path.name)
        return original(prepared, *args, **kwargs)
    monkeypatch.setattr(loader, "validate_prepared", spy)
    return names


def test_a_folder_of_many_files_is_validated_ahead_with_every_problem_and_warning(tmp_path, validated_here):
    folder = tmp_path / "folder"
    registry_files(folder)
    for period in MONTHS:
        rows = month_rows(period)
        if period == "2025-04":
            rows[1]["births"] = "三"                  # rejected: its problem named from a worker
        if period == "2025-06":
            rows[0]["newborn_visits"] = 12            # loads with a warning found in a worker
        monthly_file(folder / f"m_{period}.csv", rows)
    results = load(tmp_path / "wh.duckdb", folder)
    assert [(r.path.name, r.status) for r in results] == [
        ("admin.xlsx", "accepted"), ("facilities.csv", "accepted")] + [
        (f"m_{p}.csv", "rejected" if p == "2025-04" else "accepted") for p in MONTHS]
    rejected = results[2 + MONTHS.index("2025-04")]
    assert [(p.code, p.row, p.column, p.value) for p in rejected.problems] == [("bad_number", 3, "births", "三")]
    assert rejected.problem_total == 1
    warned = results[2 + MONTHS.index("2025-06")]
    assert [(w.code, w.row, w.column) for w in warned.warnings] == [("rate_above_100", 2, "newborn_visits")]
    # the registry and the first month (read while the registry was written) here; the rest ahead
    assert validated_here == ["admin.xlsx", "facilities.csv", "m_2025-01.csv"]
    assert query(tmp_path / "wh.duckdb", "SELECT count(*), sum(value) FROM monthly_measure") == [(32, 172.0)]
    assert query(tmp_path / "wh.duckdb", "SELECT count(*) FROM load_warning") == [(1,)]


def test_a_registry_out_of_the_expected_order_revalidates_the_files_read_ahead(tmp_path, validated_here,
                                                                               monkeypatch):
    """The facility registry taken for a monthly file by its first rows (as a misnamed or odd
    file could be): the months before it know none of its facilities and are rejected, as they
    would be written one by one; the months read ahead of it are checked again once it is in."""
    folder = tmp_path / "folder"
    admin, facilities = registry_files(folder)
    facilities.rename(folder / "m_2025-03z.csv")
    for period in MONTHS:
        monthly_file(folder / f"m_{period}.csv", month_rows(period))
    peek = loader.peek_order
    monkeypatch.setattr(loader, "peek_order", lambda path, *args: 6 if path.name == "m_2025-03z.csv"
                        else peek(path, *args))
    results = load(tmp_path / "wh.duckdb", folder)
    expected = ["rejected"] * 3 + ["accepted"] + ["accepted"] * 6
    assert [(r.path.name, r.status) for r in results][1:] == list(zip(
        ["m_2025-01.csv", "m_2025-02.csv", "m_2025-03.csv", "m_2025-03z.csv",
         *[f"m_{p}.csv" for p in MONTHS[3:]]], expected))
    assert {p.code for r in results[1:4] for p in r.problems} == {"unknown_facility"}
    # after the registry: the three months read ahead against the old codes, checked again here
    assert validated_here[:2] == ["admin.xlsx", "m_2025-01.csv"]
    assert "m_2025-03z.csv" in validated_here
    assert validated_here[validated_here.index("m_2025-03z.csv") + 1:][:3] == [
        "m_2025-04.csv", "m_2025-05.csv", "m_2025-06.csv"]
    assert query(tmp_path / "wh.duckdb", "SELECT count(DISTINCT period) FROM monthly_measure") == [(6,)]


def _die(*_):
    """A worker's task that kills its process (sent to the worker by name, as the real one is)."""
    os._exit(1)


def test_a_worker_that_dies_leaves_its_files_to_the_writer(tmp_path, validated_here, monkeypatch):
    """Worker processes killed mid-load (memory, an operator): every file is still read and
    validated, by the writer itself, and the load is what it would have been."""
    monkeypatch.setattr(loader, "_read_and_validate", _die)
    folder = tmp_path / "folder"
    registry_files(folder)
    for period in MONTHS:
        monthly_file(folder / f"m_{period}.csv", month_rows(period))
    results = load(tmp_path / "wh.duckdb", folder)
    assert [r.status for r in results] == ["accepted"] * (2 + len(MONTHS))
    assert validated_here == [Path(r.path).name for r in results]
    assert query(tmp_path / "wh.duckdb", "SELECT count(*), sum(value) FROM monthly_measure") == [(36, 189.0)]


@pytest.mark.parametrize("byte_bound, validated_ahead", [
    (loader.PARALLEL_FROM_BYTES, []),                           # few small files: all checked by the writer
    (100, ["m_2025-02.csv", "m_2025-03.csv"]),                  # few but large (a province's yearly files)
])
def test_few_files_are_validated_ahead_only_when_they_are_large(tmp_path, validated_here, monkeypatch,
                                                                 byte_bound, validated_ahead):
    """Three files after the registry; the byte bound lowered to the tiny files' in the second case."""
    monkeypatch.setattr(loader, "PARALLEL_FROM_BYTES", byte_bound)
    folder = tmp_path / "folder"
    registry_files(folder)
    for period in MONTHS[:3]:
        monthly_file(folder / f"m_{period}.csv", month_rows(period))
    results = load(tmp_path / "wh.duckdb", folder)
    assert [r.status for r in results] == ["accepted"] * 5
    assert validated_here == [Path(r.path).name for r in results if Path(r.path).name not in validated_ahead]


def _running(pid: int) -> bool:
    """Alive and not a zombie (a container's first process may never reap an orphan)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_worker_ends_when_its_writer_is_killed():
    """A load killed mid-way (the faults of docs/reliability.md) leaves no worker process behind."""
    script = "\n".join([
        "import multiprocessing, os, time",
        "from concurrent.futures import ProcessPoolExecutor",
        "from etl.loader import _worker_started",
        "pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context('spawn'),",
        "                           initializer=_worker_started, initargs=(os.getpid(),))",
        "print(pool.submit(os.getpid).result(), flush=True)",
        "time.sleep(300)"])
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
    try:
        worker = int(writer.stdout.readline())
        assert _running(worker)
    finally:
        writer.kill()
        writer.wait()
    deadline = time.monotonic() + 30
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(worker)
