"""Access control on the server: sessions, roles, lockout, and district scope that a forged
callback request cannot get around."""
import json
from datetime import datetime, timedelta
from urllib.parse import urlparse

import pytest

from benchmarks.callbacks import input_entry, outputs_of
from dashboard import data
from warehouse.accounts import FREE_FAILURES, FREE_FAILURES_PER_ADDRESS, AccountError, Accounts

from conftest import PASSWORD, login

OTHER_DISTRICT = "990104"          # 新城区: not east's


@pytest.fixture(scope="module")
def app(sample_db, sample_users):
    from dashboard.app import app
    data.configure(sample_db)
    return app


@pytest.fixture(scope="module")
def secrets_of_other_district(sample_db):
    """Strings that only data of 新城区 would contain: its code, its townships' and facilities' names."""
    import duckdb

    from warehouse.store import current_version_file
    con = duckdb.connect(str(current_version_file(sample_db)), read_only=True)
    names = [r[0] for r in con.execute("""
        WITH named AS (
            SELECT township_name AS name, district_code FROM township
            UNION ALL SELECT name, district_code FROM v_facility
            UNION ALL SELECT c.name, t.district_code FROM admin_unit c JOIN township t ON t.township_code = c.parent_code)
        SELECT name FROM named GROUP BY name
        HAVING bool_and(district_code = ?)""", [OTHER_DISTRICT]).fetchall()]     # names no other district has
    con.close()
    return [OTHER_DISTRICT, "新城区"] + names


PARAMS = {"indicator": "records_rate", "trend": "records_rate", "indicator_trend": "records_rate", "rank": "records_rate", "outcome": "records_rate",
          "resource": "gps_per_10k", "per": "per10k", "ranking": ["all"], "types": ["CHC", "CHS"], "compare": [f"{OTHER_DISTRICT}001", f"{OTHER_DISTRICT}002"], "metric": "covered_share", "radius": 1200, "site_district": OTHER_DISTRICT,
          "sites": 3, "site_kind": "rural", "site_candidates": "points",
          "site_file": None}
# the analysis page, asking for the other district's townships
PARAMS.update(indicators=["records_rate", "health_lectures"], level="township", areas=[f"{OTHER_DISTRICT}001"],
              relative="fixed", kind="quarter", periods=["2026Q3"], rows="area", cols="indicator", view="table")
FORGED = {
    ("shell-url-location", "search"): f"?area={OTHER_DISTRICT}&period=2026Q3",
    ("shell-area-dropdown", "value"): OTHER_DISTRICT,
    ("shell-period-dropdown", "value"): "2026Q3",
    ("shell-period-kind-radio", "value"): "quarter",
    ("shell-lang-store", "data"): "zh",
    ("coverage-map-graph", "clickData"): {"points": [{"customdata": [f"{OTHER_DISTRICT}001C1"]}]},
    ("users-name-input", "value"): "mallory",
    ("users-role-dropdown", "value"): "admin",
    ("users-districts-dropdown", "value"): [OTHER_DISTRICT],
    ("users-target-dropdown", "value"): "root",
    ("_pages_location", "pathname"): f"/facility/{OTHER_DISTRICT}001C1",
    ("_pages_location", "search"): f"?area={OTHER_DISTRICT}",
    ("shell-url-location", "pathname"): f"/facility/{OTHER_DISTRICT}001C1",
    ("facility-code-store", "data"): f"{OTHER_DISTRICT}001C1",
    ("township-code-store", "data"): f"{OTHER_DISTRICT}001",
    ("shell-search-dropdown", "search_value"): "新城",
    ("shell-search-dropdown", "value"): f"{OTHER_DISTRICT}001C1",
    ("townships-initial-store", "data"): [f"{OTHER_DISTRICT}001", f"{OTHER_DISTRICT}002"],
    ("supervision-ranking-table", "selectedRows"): [{"facility_code": f"{OTHER_DISTRICT}001C1"},
                                                   {"facility_code": f"{OTHER_DISTRICT}004C1"}],
    ("supervision-record-facility-dropdown", "value"): f"{OTHER_DISTRICT}001C1",
    ("supervision-record-date-input", "date"): "2026-11-01",
    ("supervision-record-score-input", "value"): 88,
    ("quality-outliers-table", "selectedRows"): [{"flag_key": f"outlier:{OTHER_DISTRICT}001C1:births:2026-09",
                                                 "facility_code": f"{OTHER_DISTRICT}001C1"}],
}
EXPORTS = [{"type": "export", "table": table, "format": fmt}
           for table in ("overview-indicators", "overview-overdue", "coverage-areas", "coverage-uncovered",
                         "coverage-sites", "facility-indicators", "facility-warnings", "facility-inspections",
                         "standardization-milestones", "standardization-compare", "standardization-gaps",
                         "standardization-lost", "townships-scorecard", "townships-side", "quality-rates",
                         "quality-missing", "quality-outliers", "quality-consistency", "analysis-pivot",
                         "township-indicators", "township-coverage-trend", "township-facilities", "township-gaps",
                         "township-findings")
           for fmt in ("xlsx", "csv")]


def forged_requests(client):
    """Every server callback of the app, with inputs naming the other district."""
    dependencies = client.get("/_dash-dependencies").get_json()
    for dep in dependencies:
        if dep.get("clientside_function"):
            continue
        outputs = outputs_of(dep["output"])
        inputs = [input_entry(i, FORGED, PARAMS, EXPORTS) for i in dep["inputs"]]
        state = [input_entry(s, FORGED, PARAMS, EXPORTS) for s in dep["state"]]
        triggers = []
        for item in dep["inputs"]:
            if item["id"].startswith('{"format"'):
                triggers.extend(json.dumps(b, separators=(",", ":"), sort_keys=True) + ".n_clicks" for b in EXPORTS)
            else:
                triggers.append(f"{item['id']}.{item['property']}")
        for trigger in triggers:
            body = {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
                    "inputs": inputs, "state": state, "changedPropIds": [trigger]}
            yield dep["output"], trigger, body


def test_pages_and_callbacks_need_a_session(app):
    client = app.server.test_client()
    page = client.get("/coverage?area=990102")
    assert page.status_code == 302
    location = urlparse(page.headers["Location"])
    assert location.path == "/login" and "coverage" in location.query
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/_dash-dependencies").status_code == 401
    assert client.get("/assets/0_bootstrap.min.css").status_code == 200


def test_only_the_login_page_itself_skips_the_guard_and_every_answer_carries_the_security_headers(app):
    client = app.server.test_client()
    for path in ("/loginfoo/x", "/login/../coverage", "/login.html"):
        response = client.get(path)
        assert response.status_code == 302 and urlparse(response.headers["Location"]).path == "/login", path
    for response in (client.get("/login"), client.get("/coverage"), client.get("/_dash-layout"),
                     client.get("/assets/0_bootstrap.min.css")):
        assert response.headers["X-Frame-Options"] == "DENY"
        policy = dict(part.split(" ", 1) for part in response.headers["Content-Security-Policy"].split("; "))
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
        assert policy["default-src"] == "'self'" and policy["connect-src"] == "'self'"
        assert policy["script-src"].startswith("'self' 'sha256-") and "unsafe" not in policy["script-src"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_every_callback_refuses_an_anonymous_request(app, secrets_of_other_district):
    admin = login(app.server.test_client(), "root")
    anonymous = app.server.test_client()
    count = 0
    for output, trigger, body in forged_requests(admin):
        response = anonymous.post("/_dash-update-component", json=body)
        assert response.status_code == 401, output
        assert "990" not in response.get_data(as_text=True)
        count += 1
    assert count >= 15


def test_no_callback_gives_a_user_another_districts_data(app, secrets_of_other_district):
    east = login(app.server.test_client(), "east")
    checked = 0
    for output, trigger, body in forged_requests(east):
        response = east.post("/_dash-update-component", json=body)
        assert response.status_code in (200, 204), (output, trigger, response.status_code)
        text = response.get_data(as_text=True)
        if response.headers.get("Content-Type", "").startswith("application/json"):
            payload = json.loads(text) if text else {}
            text = json.dumps(payload, ensure_ascii=False)
            if "shell-export-download" in output and payload:
                import base64
                content = payload["response"]["shell-export-download"]["data"]["content"]
                raw = base64.b64decode(content)
                text += raw.decode("utf-8-sig", errors="ignore") if trigger.endswith('"csv"}.n_clicks') else ""
        sent = json.dumps(body, ensure_ascii=False)
        leaked = [s for s in secrets_of_other_district if s in text and s not in sent]   # echoes are not leaks
        assert not leaked, (output, trigger, leaked[:5])
        checked += 1
    assert checked >= 15
    assert data.warehouse_path()  # the store is the sample's
    from dashboard import auth
    assert auth.accounts().get("mallory") is None          # the forged "add user" did nothing


def test_exports_are_scoped_to_the_users_districts(app):
    east = login(app.server.test_client(), "east")
    for body in (b for _, t, b in forged_requests(east) if "shell-export-download" in b["output"]
                 and t.endswith('"coverage-areas","type":"export"}.n_clicks') and '"csv"' in t):
        payload = east.post("/_dash-update-component", json=body).get_json()
        import base64
        csv = base64.b64decode(payload["response"]["shell-export-download"]["data"]["content"]).decode("utf-8-sig")
        assert "城东区" in csv and "城西区" not in csv and "青山县" not in csv
        break
    else:
        pytest.fail("no export request was built")


def test_failures_slow_the_next_attempts_down_instead_of_locking_anyone_out(tmp_path, monkeypatch):
    import warehouse.accounts as accounts
    clock = [datetime(2026, 11, 25, 9, 0, 0)]
    monkeypatch.setattr(accounts, "_now", lambda: clock[0])
    store = Accounts(tmp_path / "a.sqlite")
    store.add_user("li", PASSWORD, "planner", ["990102"])
    store.add_user("admin", PASSWORD, "admin")
    for _ in range(FREE_FAILURES):
        with pytest.raises(AccountError, match="bad_credentials"):
            store.authenticate("li", "wrong password", "10.0.0.9")
    with pytest.raises(AccountError, match="throttled") as waited:       # even the right password waits
        store.authenticate("li", PASSWORD, "10.0.0.1")
    assert waited.value.seconds == 3                                    # 2 s, rounded up
    assert store.authenticate("admin", PASSWORD, "10.0.0.9").username == "admin"   # another account: not locked
    for n in range(FREE_FAILURES_PER_ADDRESS):                          # one address guessing many accounts
        with pytest.raises(AccountError, match="bad_credentials"):
            store.authenticate(f"guess{n}", "wrong password", "10.0.0.66")
    with pytest.raises(AccountError, match="throttled"):
        store.authenticate("admin", PASSWORD, "10.0.0.66")
    delays = []
    for _ in range(8):                                                  # the waits double: 2, 4, 8 … s
        clock[0] += timedelta(hours=1)
        with pytest.raises(AccountError, match="bad_credentials"):
            store.authenticate("li", "wrong password", "10.0.0.9")
        with pytest.raises(AccountError, match="throttled") as waited:
            store.authenticate("li", PASSWORD, "10.0.0.9")
        delays.append(waited.value.seconds)
    assert delays == [5, 9, 17, 33, 65, 129, 257, 513]
    clock[0] += timedelta(minutes=10)
    assert store.authenticate("li", PASSWORD, "10.0.0.9").username == "li"      # and a success clears it
    with pytest.raises(AccountError, match="bad_credentials"):
        store.authenticate("li", "wrong password", "10.0.0.9")
    actions = [e["action"] for e in store.audit_entries()]
    assert actions.count("login_failed") == FREE_FAILURES + FREE_FAILURES_PER_ADDRESS + 9
    assert "login_throttled" in actions


def test_an_administrator_lifts_the_wait_by_setting_a_new_password(tmp_path):
    store = Accounts(tmp_path / "a.sqlite")
    store.add_user("li", PASSWORD, "planner", ["990102"])
    for _ in range(FREE_FAILURES):
        with pytest.raises(AccountError):
            store.authenticate("li", "wrong password", "10.0.0.9")
    store.set_password("li", "river lantern 7 tea")
    assert store.authenticate("li", "river lantern 7 tea", "10.0.0.1").username == "li"


def test_unknown_user_and_wrong_password_get_the_same_answer(tmp_path):
    store = Accounts(tmp_path / "a.sqlite")
    store.add_user("li", PASSWORD, "planner", ["990102"])
    for username, password in (("nobody", PASSWORD), ("li", "nope nope nope")):
        with pytest.raises(AccountError) as refused:
            store.authenticate(username, password)
        assert refused.value.code == "bad_credentials"


def test_disabling_a_user_ends_their_sessions(app, sample_users):
    sample_users.add_user("temp1", PASSWORD, "planner", ["990102"]) if sample_users.get("temp1") is None else None
    client = login(app.server.test_client(), "temp1")
    assert client.get("/_dash-layout").status_code == 200
    sample_users.set_disabled("temp1", True)
    assert client.get("/_dash-layout").status_code == 401
    response = app.server.test_client().post("/login", data={"username": "temp1", "password": PASSWORD})
    assert response.status_code == 401 and "已停用" in response.get_data(as_text=True)


def test_changing_a_password_ends_old_sessions_and_the_old_password(app, sample_users):
    if sample_users.get("temp2") is None:
        sample_users.add_user("temp2", PASSWORD, "planner", ["990102"])
    client = login(app.server.test_client(), "temp2")
    sample_users.set_password("temp2", "a brand new secret")
    assert client.get("/_dash-layout").status_code == 401
    assert app.server.test_client().post("/login", data={"username": "temp2", "password": PASSWORD}).status_code == 401
    login(app.server.test_client(), "temp2", "a brand new secret")


def test_weak_passwords_and_strangers_acting_as_admin_are_refused(tmp_path):
    store = Accounts(tmp_path / "a.sqlite")
    with pytest.raises(AccountError, match="weak_password"):
        store.add_user("li", "short", "planner", ["990102"])
    planner = store.add_user("li", PASSWORD, "planner", ["990102"])
    with pytest.raises(AccountError, match="forbidden"):
        store.add_user("eve", PASSWORD, "admin", [], actor=planner)
    with pytest.raises(AccountError, match="forbidden"):
        store.list_users(actor=planner)
    store.set_password("li", "my own new one", actor=planner)     # one's own password: allowed


def test_a_user_is_never_given_a_district_the_warehouse_does_not_know(tmp_path, sample_db, capsys):
    from dashboard.__main__ import main
    store = Accounts(tmp_path / "a.sqlite")
    known = frozenset({"990102", "990103"})
    for districts in (["990199"], ["990102", "x"], "990102", [990102]):
        with pytest.raises(AccountError, match="unknown_district"):
            store.add_user("li", PASSWORD, "planner", districts, known_districts=known)
    store.add_user("li", PASSWORD, "planner", ["990102"], known_districts=known)
    with pytest.raises(AccountError, match="unknown_district"):
        store.set_role("li", "bureau", ["990199"], known_districts=known)
    assert main(["users", "--db", str(sample_db), "add", "ghost", "--role", "planner", "--districts", "123456"]) == 1
    assert "refused: unknown_district" in capsys.readouterr().err


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "qwertyuiop", "password123", "zhangwei2026",
                                      "abcdefghijk"])
def test_long_but_guessable_passwords_are_refused(tmp_path, password):
    store = Accounts(tmp_path / "a.sqlite")
    with pytest.raises(AccountError, match="guessable_password"):
        store.add_user("zhangwei", password, "planner", ["990102"])
    store.add_user("zhangwei", "river lantern 7 tea", "planner", ["990102"])
    with pytest.raises(AccountError, match="guessable_password"):
        store.set_password("zhangwei", password)


def test_session_cookie_is_httponly_and_samesite(app):
    response = app.server.test_client().post("/login", data={"username": "east", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_never_redirects_off_site_and_escapes_what_it_echoes(app):
    client = app.server.test_client()
    response = client.post("/login", data={"username": "east", "password": PASSWORD, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    page = client.post("/login", data={"username": "<script>alert(1)</script>", "password": "x"})
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)
    assert "&lt;script&gt;" in page.get_data(as_text=True)


def test_logout_ends_the_session(app):
    client = login(app.server.test_client(), "east")
    assert client.get("/_dash-layout").status_code == 200
    client.get("/logout")
    assert client.get("/_dash-layout").status_code == 401


def test_users_page_is_for_admins_only(app):
    import dash
    layout = next(p["layout"] for p in dash.page_registry.values() if p["path"] == "/admin/users")
    with app.server.test_request_context("/admin/users"):
        import flask
        flask.g.user = login_user(app, "east")
        assert "无权" in str(layout())
        flask.g.user = login_user(app, "root")
        assert "users-add-button" in str(layout())


def login_user(app, username):
    from dashboard import auth
    return auth.accounts().get(username)


def test_command_line_creates_the_first_admin_once(tmp_path, capsys):
    from dashboard.__main__ import main
    db = str(tmp_path / "x.duckdb")
    assert main(["users", "--db", db, "ensure-admin"]) == 0
    first = capsys.readouterr().out
    assert "admin" in first and "密码 password:" in first
    assert main(["users", "--db", db, "ensure-admin"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["users", "--db", db, "add", "wang", "--role", "inspector", "--districts", "990121"]) == 0
    assert "password for wang" in capsys.readouterr().out
    assert main(["users", "--db", db, "disable", "wang"]) == 0
    assert main(["users", "--db", db, "list"]) == 0
    listing = capsys.readouterr().out
    assert "wang\tinspector\t990121\tdisabled" in listing


def test_a_user_changes_their_own_password(app, sample_users):
    if sample_users.get("temp3") is None:
        sample_users.add_user("temp3", PASSWORD, "planner", ["990102"])
    client = login(app.server.test_client(), "temp3")
    refused = client.post("/account", data={"current": "not it at all", "new": "fresh secret 1", "confirm": "fresh secret 1"})
    assert refused.status_code == 400 and "当前密码不正确" in refused.get_data(as_text=True)
    mismatch = client.post("/account", data={"current": PASSWORD, "new": "fresh secret 1", "confirm": "fresh secret 2"})
    assert mismatch.status_code == 400
    done = client.post("/account", data={"current": PASSWORD, "new": "fresh secret 1", "confirm": "fresh secret 1"})
    assert done.status_code == 302 and client.get("/_dash-layout").status_code == 401
    login(app.server.test_client(), "temp3", "fresh secret 1")


def test_print_brief_and_templates_obey_scope_and_login(app, secrets_of_other_district):
    east = login(app.server.test_client(), "east")
    page = east.get(f"/supervision/brief?codes={OTHER_DISTRICT}004C1,990102001C1&lang=zh").get_data(as_text=True)
    assert "解放路社区卫生服务中心" in page
    assert not [s for s in secrets_of_other_district if s in page.replace(f"{OTHER_DISTRICT}004C1,", "")]
    planner = login(app.server.test_client(), "planner")
    assert planner.get("/supervision/brief?codes=990103001C1").status_code == 403     # planners do not supervise
    assert app.server.test_client().get("/templates/facilities.xlsx").status_code == 302
    assert east.get("/templates/facilities.xlsx").data[:2] == b"PK"


def test_a_request_larger_than_an_upload_may_be_is_refused_before_its_body_is_read(app, sample_users):
    client = login(app.server.test_client(), "east")
    declared = app.server.config["MAX_CONTENT_LENGTH"] + 1
    assert declared > 100 * 1024 * 1024                     # upload.max_total_mb, base64-encoded
    response = client.post("/_dash-update-component", data=b"{}", content_type="application/json",
                           environ_overrides={"CONTENT_LENGTH": str(declared)})
    assert response.status_code == 413 and response.get_json()["error"] == "request too large"


@pytest.mark.parametrize("body", [b"{}", b"not json", b"[1, 2]", b'{"output": 5, "outputs": {}, "inputs": []}',
                                  b'{"output": "x.children", "outputs": {}, "inputs": "all"}',
                                  b'{"output": "x.children", "outputs": 3, "inputs": []}'])
def test_a_malformed_callback_request_is_a_400(app, sample_users, body):
    client = login(app.server.test_client(), "east")
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "malformed callback request"


def test_the_script_policy_allows_exactly_the_inline_scripts_a_page_carries(app, sample_users):
    """Every inline script of a served page is allowed by its hash, and nothing else is."""
    import base64
    import hashlib
    import re
    client = login(app.server.test_client(), "east")
    response = client.get("/coverage")
    allowed = set(re.findall(r"'sha256-([^']+)'", response.headers["Content-Security-Policy"]))
    page = re.sub(r"<!--.*?-->", "", response.get_data(as_text=True), flags=re.DOTALL)     # IE's conditional comment
    inline = [body for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.DOTALL)
              if "src=" not in attributes and "application/json" not in attributes]
    assert len(inline) == 2
    assert {base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() for body in inline} == allowed


@pytest.mark.parametrize("setting, seen", [(None, "10.0.0.9"), ("1", "203.0.113.7")])
def test_the_client_address_comes_from_the_proxy_only_when_told_to_trust_it(monkeypatch, setting, seen):
    import flask

    from dashboard.app import trust_proxies
    if setting:
        monkeypatch.setenv("JICENG_TRUSTED_PROXIES", setting)
    server = flask.Flask("proxied")
    server.add_url_rule("/where", "where", lambda: flask.request.remote_addr)
    trust_proxies(server)
    response = server.test_client().get("/where", headers={"X-Forwarded-For": "203.0.113.7"},
                                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.get_data(as_text=True) == seen


def test_a_wrong_proxy_count_stops_the_server_with_its_name(monkeypatch):
    import flask

    from dashboard.app import trust_proxies
    monkeypatch.setenv("JICENG_TRUSTED_PROXIES", "all")
    with pytest.raises(SystemExit, match="JICENG_TRUSTED_PROXIES"):
        trust_proxies(flask.Flask("proxied"))


def test_no_screen_response_of_any_callback_is_over_the_byte_cap(app):
    """At the sample city, every callback's answer to an administrator (city scope) stays far
    under 1 MB of JSON; file downloads (exports, briefs) are files, not screens, and the callbacks
    that write (accounts, uploads, visits, confirmations) are left out: this sends made-up values."""
    root = login(app.server.test_client(), "root")
    sizes = {}
    for output, trigger, body in forged_requests(root):
        # a button's click (confirm, save, export), a file sent, the account and upload pages: writes or files
        if trigger.endswith((".n_clicks", ".contents")) or any(word in output for word in ("download", "users-", "upload-")):
            continue
        response = root.post("/_dash-update-component", json=body)
        assert response.status_code in (200, 204), (output, trigger)
        sizes[output] = max(sizes.get(output, 0), len(response.get_data()))
    largest = max(sizes, key=sizes.get)
    assert sizes[largest] < 1_000_000, (largest, sizes[largest])
    assert len(sizes) >= 40
