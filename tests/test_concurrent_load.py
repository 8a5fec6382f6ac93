"""Loading while the dashboard reads: two real processes, no errors, new data seen without restart."""
import subprocess
import sys
import textwrap
from pathlib import Path

from warehouse.store import WriterSession, current_version_file, versions_dir

from factory import load, monthly_file, query, snapshot, tiny_city

ROOT = Path(__file__).resolve().parent.parent

READER = textwrap.dedent("""
    import sys, time
    from warehouse.store import Reader
    reader = Reader(sys.argv[1])
    deadline = time.time() + 60
    seen = []
    while time.time() < deadline:
        count = reader.cursor().execute("SELECT count(*) FROM monthly_measure").fetchall()[0][0]
        if not seen or seen[-1] != count:
            seen.append(count)
            print(count, flush=True)
        if count >= int(sys.argv[2]):
            break
        time.sleep(0.02)
""")


def test_a_reader_process_keeps_working_and_sees_a_load_from_another_process(tmp_path):
    db = tiny_city(tmp_path)
    path = monthly_file(tmp_path / "m.csv", [
        {"facility_code": "F_CHC1", "period": f"2026-{m:02d}", "births": m, "newborn_visits": m} for m in range(1, 7)])
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), "12"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "0"      # the reader is up and reading
        loader = subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(db), str(path)],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert loader.returncode == 0, loader.stdout + loader.stderr
        out, err = reader.communicate(timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, err
    assert out.split() == ["12"]
    assert err == ""


def test_a_load_that_dies_midway_publishes_nothing_and_the_next_load_works(tmp_path):
    db = tiny_city(tmp_path)
    before = snapshot(db)
    try:
        with WriterSession(db) as session:
            session.con.execute("DELETE FROM facility")
            raise RuntimeError("power cut")
    except RuntimeError:
        pass
    assert snapshot(db) == before
    # a crashed writer's copy (as SIGKILL would leave it) is cleared by the next writer
    leftover = versions_dir(db) / "000099.duckdb"
    leftover.write_bytes(b"half a file")
    [result] = load(db, monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHC1", "period": "2026-01",
                                                            "births": 1}]))
    assert result.status == "accepted"
    assert not leftover.exists()
    assert query(db, "SELECT count(*) FROM monthly_measure") == [(1,)]


def test_old_versions_are_pruned_but_the_current_one_is_kept(tmp_path):
    db = tiny_city(tmp_path)
    for month in range(1, 7):
        load(db, monthly_file(tmp_path / f"m{month}.csv", [{"facility_code": "F_CHC1",
                                                             "period": f"2026-{month:02d}", "births": month}]))
    files = sorted(p.name for p in versions_dir(db).glob("*.duckdb"))
    assert len(files) == 3
    assert current_version_file(db).name == files[-1]
    assert db.is_symlink()
