"""A browser upload is checked and loaded in a process of its own (dashboard/uploads.py): the page
polls its progress and reads back every result; a load that cannot finish says why in one line.
Kept versions can be restored by an administrator only (warehouse/actions.py)."""
import base64
import json
import os
from pathlib import Path

import pytest

from warehouse.accounts import User
from warehouse.store import current_version_file, db_path, versions_dir

from factory import account, monthly_file, query, tiny_city

ADMIN = User("root", "root", "admin", (), False)
BUREAU = User("east", "东城", "bureau", ("110101",), False)


def upload(db, user, *paths):
    from dashboard import uploads
    encoded = ["data:;base64," + base64.b64encode(p.read_bytes()).decode() for p in paths]
    return uploads.receive(db, account(db, user), [p.name for p in paths], encoded, 20)


def test_a_check_and_a_load_run_in_their_own_process_and_every_problem_comes_back(tmp_path):
    from dashboard import uploads
    db = tiny_city(tmp_path)
    good = monthly_file(tmp_path / "good.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 9}])
    bad = monthly_file(tmp_path / "bad.csv", [{"facility_code": "F_NOPE", "period": "2026-03", "births": -1},
                                              {"facility_code": "F_CHC1", "period": "2026-13", "births": 2}])
    token = upload(db, BUREAU, good, bad)
    assert uploads.status(db, BUREAU, token, "check").state == "none"
    results = {r.path.name: r for r in uploads.run(db, BUREAU, token, dry_run=True)}
    job = uploads._job_dir(db, token, "check")
    assert int((job / "pid").read_text()) != os.getpid()
    assert json.loads((job / "progress.json").read_text()) == {"done": 2, "total": 2, "file": ""}
    assert results["good.csv"].status == "accepted" and results["bad.csv"].status == "rejected"
    assert sorted(p.code for p in results["bad.csv"].problems) == ["bad_period", "negative", "unknown_facility"]
    assert results["bad.csv"].problems[0].file == "bad.csv" and results["bad.csv"].problems.total == 3
    assert query(db, "SELECT count(*) FROM monthly_measure") == [(0,)]          # a check loads nothing
    assert not uploads.start(db, BUREAU, token, "check")                         # once per upload
    assert uploads.status(db, User("eve", "eve", "bureau", ("110101",), False), token, "check").state == "none"
    loaded = {r.path.name: r.status for r in uploads.run(db, BUREAU, token, dry_run=False)}
    assert loaded == {"good.csv": "accepted", "bad.csv": "rejected"}
    assert query(db, "SELECT m.value, b.loaded_by FROM monthly_measure m JOIN load_batch b USING (batch_id)") == \
        [(9.0, "east")]


def test_a_bureau_users_load_job_keeps_to_their_districts(tmp_path):
    from dashboard import uploads
    db = tiny_city(tmp_path)
    west = monthly_file(tmp_path / "west.csv", [{"facility_code": "F_CHC2", "period": "2026-03", "births": 9}])
    token = upload(db, BUREAU, west)
    [result] = uploads.run(db, BUREAU, token, dry_run=False)
    assert result.status == "rejected" and [p.code for p in result.problems] == ["out_of_scope"]


def test_a_load_that_cannot_finish_says_why_in_one_line_and_no_traceback(tmp_path):
    from dashboard import uploads
    db = tiny_city(tmp_path)
    token = upload(db, ADMIN, monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHC1", "period": "2026-03",
                                                                 "births": 9}]))
    for version in versions_dir(db_path(db)).glob("*.duckdb"):
        with version.open("r+b") as handle:
            handle.write(b"\0" * 8192)
    assert uploads.run(db, ADMIN, token, dry_run=False) == []
    job = uploads.status(db, ADMIN, token, "load")
    assert job.state == "failed" and "no version of the warehouse opens" in job.message
    assert "Traceback" not in job.message


def test_progress_says_which_file_comes_next(tmp_path):
    from etl.report import ProgressFile
    progress = tmp_path / "progress.json"
    files = iter(ProgressFile(progress)([tmp_path / "a.csv", tmp_path / "b.xlsx"]))
    next(files)
    assert json.loads(progress.read_text()) == {"done": 0, "total": 2, "file": "a.csv"}
    next(files)
    assert json.loads(progress.read_text()) == {"done": 1, "total": 2, "file": "b.xlsx"}
    assert list(files) == [] and json.loads(progress.read_text())["done"] == 2


def test_only_an_administrator_restores_a_kept_version_and_it_is_a_new_one(tmp_path):
    from warehouse.actions import kept_versions, restore_version
    db = tiny_city(tmp_path)
    from factory import load
    load(db, monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 9}]))
    versions = kept_versions(db)
    assert [v["current"] for v in versions] == [True, False] and all(v["opens"] for v in versions)
    older = versions[1]["version"]
    with pytest.raises(PermissionError):
        restore_version(db, older, BUREAU)
    assert query(db, "SELECT count(*) FROM monthly_measure") == [(1,)]
    new = restore_version(db, older, ADMIN)
    assert current_version_file(db).name == new and new not in (older, versions[0]["version"])
    assert query(db, "SELECT count(*) FROM monthly_measure") == [(0,)]


def test_the_upload_page_shows_the_versions_panel_to_administrators_only(sample_db):
    import dash
    import flask

    from dashboard import data, ids
    from dashboard.app import app
    # the page as Dash registered it: importing its module again would register it twice
    layout = next(p["layout"] for p in dash.page_registry.values() if p["path"] == "/upload")
    data.configure(sample_db)
    with app.server.test_request_context("/upload"):
        flask.g.user = ADMIN
        assert ids.UP_RESTORE in str(layout())
        flask.g.user = BUREAU
        page = str(layout())
        assert ids.UP_UPLOAD in page and ids.UP_RESTORE not in page


def test_a_bureau_user_rolls_back_their_own_uploads_only_and_an_inspector_none(tmp_path):
    from warehouse.actions import rollback_upload
    from warehouse.ingest import RollbackRefused

    from factory import load
    db = tiny_city(tmp_path)
    path = monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 9}])
    [by_colleague] = load(db, path, loaded_by="east2")
    version = current_version_file(db).name
    with pytest.raises(PermissionError):
        rollback_upload(db, by_colleague.batch_id, BUREAU)                        # a colleague's file
    for role in ("inspector", "planner"):
        with pytest.raises(PermissionError):
            rollback_upload(db, by_colleague.batch_id, User("x", "x", role, ("110101",), False))
    west = User("w", "w", "bureau", ("110102",), False)
    for forged in (by_colleague.batch_id, "1", [1], None, 10 ** 12, True):
        with pytest.raises((RollbackRefused, PermissionError)):
            rollback_upload(db, forged, west)
    assert current_version_file(db).name == version                                # nothing was published
    [own] = load(db, monthly_file(tmp_path / "n.csv", [{"facility_code": "F_CHC1", "period": "2026-04",
                                                         "births": 3}]), loaded_by="east")
    assert rollback_upload(db, own.batch_id, BUREAU) == 1
    assert rollback_upload(db, by_colleague.batch_id, ADMIN) == 1                  # anyone's, for an admin
    assert query(db, "SELECT count(*) FROM monthly_measure") == [(0,)]
    assert query(db, "SELECT message FROM load_batch WHERE batch_id = ?", [own.batch_id])[0][0].startswith(
        "rolled back by east")


# what the migration fills batch_facility with from a warehouse loaded before it existed: the
# facilities of every row that carries a batch
MIGRATION = Path(__file__).resolve().parent.parent / "warehouse" / "migrations" / "0006_batch_facility.sql"
SCANNED = MIGRATION.read_text(encoding="utf-8").split("INSERT INTO batch_facility", 1)[1].rstrip().rstrip(";") \
    + " ORDER BY ALL"


def test_each_file_keeps_the_facilities_it_wrote_as_the_rows_say(sample_db):
    """The load history of a district user reads batch_facility, kept as files load, instead of
    scanning every value: it holds what the rows themselves say."""
    kept = query(sample_db, "SELECT batch_id, facility_code FROM batch_facility ORDER BY ALL")
    assert kept == query(sample_db, SCANNED)
    assert len(kept) == 1573


def test_a_file_that_only_withdrew_values_shows_in_its_districts_history(tmp_path):
    from warehouse.actions import load_batches
    from warehouse.store import Reader

    from factory import load
    db = tiny_city(tmp_path)
    [sent] = load(db, monthly_file(tmp_path / "m.csv", [{"facility_code": "F_CHC1", "period": "2026-03",
                                                          "births": 9, "newborn_visits": 8}]), loaded_by="east")
    [withdrawn] = load(db, monthly_file(tmp_path / "w.csv", [{"facility_code": "F_CHC1", "period": "2026-03",
                                                               "births": "", "newborn_visits": 8}]), loaded_by="east")
    assert withdrawn.status == "accepted" and query(db, "SELECT count(*) FROM monthly_measure") == [(1,)]
    history = load_batches(Reader(db).cursor(), ["110101"])
    assert list(history["batch_id"]) == [withdrawn.batch_id, sent.batch_id]
    assert load_batches(Reader(db).cursor(), ["110102"]).empty
