"""Every write, as every role, on its own district's data, another district's, and a colleague's:
generated from the permission table (warehouse.permissions, `[permissions]` in the settings).
An allowed write lands; a refused one publishes nothing. The writes go through the paths the
pages use: the loader on an account's behalf (`etl load --as-user`, what a browser upload runs),
`etl.loader.load_recorded_visit`, and `warehouse.actions` / `warehouse.accounts`.

The sample city: 城东区 990102 is the users' district, 新城区 990104 another one."""
import csv
import itertools
import json
import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from etl.cli import main as etl_main
from warehouse import permissions
from warehouse.accounts import AccountError, Accounts, accounts_path
from warehouse.actions import confirm_flags, restore_version, rollback_upload
from warehouse.roles import ROLES, UPLOAD_KINDS
from warehouse.store import current_version_file

from factory import query

OWN, OTHER = "990102", "990104"
PASSWORD = "correct horse battery"
TEMPLATES = Path(__file__).resolve().parent.parent / "docs" / "templates"
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def db(sample_db, tmp_path_factory):
    """A copy of the sample warehouse with two accounts per role in 城东区 (admins: everywhere)."""
    folder = tmp_path_factory.mktemp("permissions") / "sample"
    shutil.copytree(sample_db.parent, folder, symlinks=True)
    path = folder / sample_db.name
    accounts_path(path).unlink(missing_ok=True)
    store = Accounts(accounts_path(path))
    for role in ROLES:
        for who in ("a", "b"):
            store.add_user(f"{role}_{who}", PASSWORD, role, [] if role == "admin" else [OWN])
    return path


def user(db, role, who="a"):
    return Accounts(accounts_path(db)).get(f"{role}_{who}")


def may(role, action) -> bool:
    return role in permissions.table()[action]


def example_file(folder, kind, district):
    """The template's example row (docs/templates), moved to `district`, with a value that differs
    every time so that no two files are the same (a file loaded before is skipped)."""
    rows = CalamineWorkbook.from_path(str(TEMPLATES / f"{kind}.xlsx")).get_sheet_by_index(0).to_python()
    header, row = rows[0], [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in rows[1]]
    row = [cell.replace(OWN, district) for cell in row]
    n = next(_serial)
    varying = {"admin_units": ("常住人口", 70000 + n), "facilities": ("业务用房面积", 2600 + n),
               "standardization": ("备注", f"第{n}次"), "monthly_services": ("活产数", n),
               "staffing": ("在岗职工", 70 + n), "inspections": ("发现问题", f"第{n}次督导")}[kind]
    row[header.index(varying[0])] = str(varying[1])
    path = folder / f"{kind}_{district}_{n}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, row])
    return path


def load_as(db, username, path, tmp_path):
    """What a browser upload runs: the loader on the account's behalf. (exit code, file status)"""
    report = tmp_path / f"report_{next(_serial)}.json"
    code = etl_main(["load", "--db", str(db), "--as-user", username, "--report", str(report), str(path)])
    results = json.loads(report.read_text(encoding="utf-8")) if report.exists() else []
    return code, results[0]["status"] if results else None, [p["code"] for r in results for p in r["problems"]]


def load_by(db, username, path):
    """An operator's load recorded as `username`'s (to have a batch of theirs to roll back)."""
    assert etl_main(["load", "--db", str(db), "--user", username, str(path)]) == 0
    return query(db, "SELECT max(batch_id) FROM load_batch WHERE loaded_by = ?", [username])[0][0]


CASES = [(kind, role, district) for kind in UPLOAD_KINDS for role in ROLES for district in (OWN, OTHER)]


@pytest.mark.parametrize("kind, role, district", CASES, ids=[f"{k}-{r}-{d}" for k, r, d in CASES])
def test_uploading_each_template(db, tmp_path, kind, role, district):
    allowed = may(role, f"upload_{kind}") and (role == "admin" or district == OWN)
    before = current_version_file(db)
    code, status, problems = load_as(db, f"{role}_a", example_file(tmp_path, kind, district), tmp_path)
    if allowed:
        assert (code, status) == (0, "accepted"), problems
        assert current_version_file(db) != before
    else:
        assert code != 0 and status in (None, "rejected")
        expected = {None: [], "rejected": ["kind_not_allowed" if not may(role, f"upload_{kind}") else "out_of_scope"]}
        assert problems == expected[status]
        assert current_version_file(db) == before


ROLLBACK_CASES = [(role, whose) for role in ROLES for whose in ("own", "colleague", "other_district")]


@pytest.mark.parametrize("role, whose", ROLLBACK_CASES, ids=[f"{r}-{w}" for r, w in ROLLBACK_CASES])
def test_rolling_back_a_file(db, tmp_path, role, whose):
    loader = {"own": f"{role}_a", "colleague": f"{role}_b", "other_district": "admin_b"}[whose]
    batch = load_by(db, loader, example_file(tmp_path, "monthly_services", OTHER if whose == "other_district" else OWN))
    allowed = (may(role, "rollback_any") and (role == "admin" or whose != "other_district")) \
        or (whose == "own" and may(role, "rollback_own"))
    before = current_version_file(db)
    if allowed:
        assert rollback_upload(db, batch, user(db, role)) >= 1
        assert current_version_file(db) != before
    else:
        from warehouse.ingest import RollbackRefused
        with pytest.raises((PermissionError, RollbackRefused)):
            rollback_upload(db, batch, user(db, role))
        assert current_version_file(db) == before


def a_flag_in(db, district):
    return query(db, """SELECT o.flag_key FROM dq_outlier_table o JOIN v_facility f USING (facility_code)
                        WHERE f.district_code = ? ORDER BY o.flag_key LIMIT 1""", [district])[0][0]


@pytest.mark.parametrize("role, district", [(r, d) for r in ROLES for d in (OWN, OTHER)])
def test_confirming_a_flag(db, role, district):
    allowed = may(role, "confirm_flags") and (role == "admin" or district == OWN)
    before = current_version_file(db)
    if not may(role, "confirm_flags"):
        with pytest.raises(PermissionError):
            confirm_flags(db, [a_flag_in(db, district)], "核实", user(db, role))
    else:
        assert confirm_flags(db, [a_flag_in(db, district)], "核实", user(db, role)) == (1 if allowed else 0)
    assert (current_version_file(db) != before) == allowed


@pytest.mark.parametrize("role, district", [(r, d) for r in ROLES for d in (OWN, OTHER)])
def test_recording_a_visit(db, tmp_path, role, district):
    from etl.loader import load_recorded_visit
    allowed = may(role, "record_visit") and (role == "admin" or district == OWN)
    before = current_version_file(db)
    path = example_file(tmp_path, "inspections", district)
    if not may(role, "record_visit"):
        with pytest.raises(PermissionError):
            load_recorded_visit(path, db, user(db, role))
    else:
        [result] = load_recorded_visit(path, db, user(db, role))
        assert result.status == ("accepted" if allowed else "rejected")
    assert (current_version_file(db) != before) == allowed


@pytest.mark.parametrize("role", ROLES)
def test_restoring_a_kept_version(db, role):
    from warehouse.actions import kept_versions
    oldest = kept_versions(db)[-1]["version"]
    before = current_version_file(db)
    if may(role, "restore_version"):
        assert restore_version(db, oldest, user(db, role))
        assert current_version_file(db) != before
    else:
        with pytest.raises(PermissionError):
            restore_version(db, oldest, user(db, role))
        assert current_version_file(db) == before


ACCOUNT_CHANGES = {
    "add a user": lambda store, actor: store.add_user(f"new_{next(_serial)}", PASSWORD + "!", "planner", [OWN],
                                                      actor=actor),
    "disable another user": lambda store, actor: store.set_disabled("planner_b", True, actor=actor),
    "set another user's password": lambda store, actor: store.set_password("planner_b", PASSWORD, actor=actor),
    "change another user's role": lambda store, actor: store.set_role("planner_b", "planner", [OWN], actor=actor),
    "read the audit log": lambda store, actor: store.audit_entries(actor=actor),
}


@pytest.mark.parametrize("role, change", [(r, c) for r in ROLES for c in ACCOUNT_CHANGES])
def test_managing_accounts(db, role, change):
    store = Accounts(accounts_path(db))
    users_before = [(u.username, u.role, u.disabled) for u in store.list_users()]
    if may(role, "manage_users"):
        ACCOUNT_CHANGES[change](store, user(db, role))
        store.set_disabled("planner_b", False)
    else:
        with pytest.raises(AccountError, match="forbidden"):
            ACCOUNT_CHANGES[change](store, user(db, role))
        assert [(u.username, u.role, u.disabled) for u in store.list_users()] == users_before


def settings_with(tmp_path, monkeypatch, replace: tuple[str, str]):
    from warehouse.settings import load_settings
    text = load_settings().path.read_text(encoding="utf-8")
    assert replace[0] in text
    path = tmp_path / "settings.toml"
    path.write_text(text.replace(*replace), encoding="utf-8")
    monkeypatch.setenv("JICENG_SETTINGS", str(path))
    return path


def test_the_table_is_data_a_bureau_changes_in_its_settings(db, tmp_path, monkeypatch):
    planner = user(db, "planner")
    with pytest.raises(PermissionError):
        confirm_flags(db, [a_flag_in(db, OWN)], "核实", planner)
    settings_with(tmp_path, monkeypatch, ('confirm_flags = ["admin", "bureau"]',
                                          'confirm_flags = ["admin", "bureau", "planner"]'))
    assert confirm_flags(db, [a_flag_in(db, OWN)], "核实", planner) == 1


@pytest.mark.parametrize("replace, message", [
    (('restore_version = ["admin"]\n', ''), "missing: ['restore_version']"),
    (('rollback_any = ["admin"]', 'rollback_any = ["admin", "mayor"]'), "unknown roles ['mayor']"),
    (('manage_users = ["admin"]', 'manage_users = ["admin"]\ndelete_everything = ["admin"]'),
     "unknown actions ['delete_everything']"),
    (('record_visit = ["admin", "inspector"]', 'record_visit = "inspector"'), "record_visit: a list of roles"),
])
def test_a_mistake_in_the_table_stops_the_settings_with_its_name(tmp_path, monkeypatch, replace, message):
    from warehouse.settings import SettingsError, load_settings
    path = settings_with(tmp_path, monkeypatch, replace)
    with pytest.raises(SettingsError) as refused:
        load_settings(path)
    assert message in str(refused.value)


def test_a_role_without_read_gets_403_everywhere(db, tmp_path, monkeypatch):
    from dashboard import data
    from dashboard.app import app

    from conftest import login
    settings_with(tmp_path, monkeypatch, ('read = ["admin", "bureau", "planner", "inspector"]',
                                          'read = ["admin", "bureau", "inspector"]'))
    data.configure(db)
    try:
        planner = login(app.server.test_client(), "planner_a", PASSWORD)
        assert planner.get("/").status_code == 403
        assert planner.get("/_dash-layout").status_code == 403
        assert login(app.server.test_client(), "bureau_a", PASSWORD).get("/").status_code == 200
    finally:
        data.configure(None)
