"""Every callback of the app, sent malformed inputs: wrong types, huge strings, lists, nulls, and
well-typed values that mean nothing. A value its rule refuses is a 400 naming the input; every
other answer is not a 500; a refused request changes nothing (dashboard/request_checks.py)."""
import copy
import shutil

import pytest

from dashboard import data
from dashboard.request_checks import RULES, BadRequest, check, rule_for
from warehouse.store import current_version_file

from conftest import login
from test_access import forged_requests


@pytest.fixture(scope="module")
def app(sample_db, sample_users, tmp_path_factory):
    """A copy of the sample warehouse and its accounts: the administrator's writes that get
    through (a visit with odd findings, the forged confirmation) must not reach other tests."""
    from dashboard.app import app
    copy_dir = tmp_path_factory.mktemp("fuzzed") / "sample"
    shutil.copytree(sample_db.parent, copy_dir, symlinks=True)
    data.configure(copy_dir / sample_db.name)
    yield app
    data.configure(sample_db)


def one_request_per_callback(client):
    """Each callback once, triggered by its first input (the fuzzing is of the values, not of
    which input fired)."""
    seen = set()
    for output, trigger, body in forged_requests(client):
        if output not in seen:
            seen.add(output)
            yield output, body


def slots(body):
    """(section, position, index in a wildcard list or None, component id, property) of every value."""
    for section in ("inputs", "state"):
        for position, entry in enumerate(body[section]):
            if isinstance(entry, list):
                for index, item in enumerate(entry):
                    yield section, position, index, item["id"], item["property"]
            else:
                yield section, position, None, entry["id"], entry["property"]


def with_value(body, section, position, index, value):
    changed = copy.deepcopy(body)
    entry = changed[section][position]
    (entry[index] if index is not None else entry)["value"] = value
    return changed


def test_every_input_of_every_callback_has_a_rule(app):
    admin = login(app.server.test_client(), "root")
    callbacks = list(one_request_per_callback(admin))
    assert len(callbacks) >= 50
    missing = {(str(c), p) for _, body in callbacks for _, _, _, c, p in slots(body) if rule_for(c, p) is None}
    assert not missing
    used = {(c if isinstance(c, str) else f"{c.get('type')}:{c.get('name')}", p)
            for _, body in callbacks for _, _, _, c, p in slots(body)}
    assert set(RULES) <= used, set(RULES) - used           # no rule for an input that no longer exists


@pytest.mark.slow
def test_no_malformed_value_gives_a_500_or_changes_the_warehouse(app):
    """As the administrator (every write allowed): the bad values are refused with 400 before the
    callback runs and publish nothing; the odd ones reach the callback and get an answer. Of those,
    only the visit form's may publish: a findings text of "=1+1" is still a visit."""
    admin = login(app.server.test_client(), "root")
    warehouse = data.warehouse_path()
    sent = refused = 0
    wrong = []
    for output, body in one_request_per_callback(admin):
        assert admin.post("/_dash-update-component", json=body).status_code in (200, 204), output
        for section, position, index, component, prop in slots(body):
            rule = rule_for(component, prop)
            name = component if isinstance(component, str) else component["type"]
            for value in rule.bad:
                version = current_version_file(warehouse)
                response = admin.post("/_dash-update-component", json=with_value(body, section, position, index, value))
                if response.status_code != 400 or name not in response.get_json()["reason"] \
                        or current_version_file(warehouse) != version:
                    wrong.append((output, name, prop, repr(value)[:40], response.status_code))
                refused += 1
            for value in rule.odd:
                version = current_version_file(warehouse)
                response = admin.post("/_dash-update-component", json=with_value(body, section, position, index, value))
                if response.status_code not in (200, 204) or (current_version_file(warehouse) != version
                                                               and output != "supervision-record-message-div.children"):
                    wrong.append((output, name, prop, repr(value)[:40], response.status_code))
                sent += 1
    assert not wrong, wrong
    assert refused >= 300 and sent >= 200


@pytest.mark.parametrize("mutate, reason", [
    (lambda b: b.update(output="nothing.children"), "no such callback"),
    (lambda b: b["inputs"].pop(), "inputs:"),
    (lambda b: b["state"].append({"id": "x", "property": "value", "value": 1}), "state:"),
    (lambda b: b["inputs"][0].update(id="shell-lang-store"), "expected"),
    (lambda b: b["inputs"][0].update(property="title"), "expected"),
    (lambda b: b.update(outputs=[]), "outputs"),
    (lambda b: b.update(changedPropIds="x"), "changedPropIds"),
    (lambda b: b.update(changedPropIds=[1]), "changedPropIds"),
])
def test_a_request_for_another_shape_of_callback_is_a_400(app, mutate, reason):
    admin = login(app.server.test_client(), "root")
    _, body = next((o, b) for o, b in one_request_per_callback(admin) if "overview-header" in o)
    mutate(body)
    response = admin.post("/_dash-update-component", json=body)
    assert response.status_code == 400 and reason in response.get_json()["reason"], response.get_json()


def test_the_rules_refuse_what_they_say():
    checks = {("shell-lang-store", "data"): ("en", "fr"), ("param:sites", "value"): (3, 3.5),
              ("param:compare", "value"): (["990102001"], ["990102001", None]),
              ("quality-note-input", "value"): ("x" * 500, "x" * 501),
              ("shell-area-dropdown", "value"): ("990102", "990102; DROP TABLE x"),
              ("supervision-record-score-input", "value"): (88.5, "88")}
    for (component, prop), (good, bad) in checks.items():
        rule = RULES[(component, prop)]
        assert rule.why_not(good) is None and rule.why_not(bad), (component, prop)
    with pytest.raises(BadRequest, match="not a JSON object"):
        check([1], {})


def test_before_the_first_file_no_callback_of_any_page_fails(app, tmp_path):
    """A warehouse set up but holding no rows yet (no period, no horizon): every callback of every
    page answers (tested by hand: the standardization and facility trends' captions gave 500)."""
    import subprocess
    import sys

    from warehouse.accounts import Accounts, accounts_path

    from conftest import PASSWORD
    (tmp_path / "nothing").mkdir()
    db = tmp_path / "empty.duckdb"
    subprocess.run([sys.executable, "-m", "etl", "load", str(tmp_path / "nothing"), "--db", str(db)], check=True,
                   capture_output=True)
    Accounts(accounts_path(db)).add_user("root", PASSWORD, "admin", [])
    fuzzed = data.warehouse_path()
    data.configure(db)
    try:
        admin = login(app.server.test_client(), "root")
        failed = {output: response.status_code for output, body in one_request_per_callback(admin)
                  if (response := admin.post("/_dash-update-component", json=body)).status_code >= 500}
        assert not failed
        brief = admin.get("/supervision/brief?codes=990104004C1&area=all&period=2026Q3&types=CHC")
        assert brief.status_code == 404 and "尚未载入" in brief.get_data(as_text=True)
    finally:
        data.configure(fuzzed)
