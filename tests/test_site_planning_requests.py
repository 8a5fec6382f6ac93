"""The site plan's options in the URL and in callback requests: malformed values are clamped,
ignored or refused with 400, never a 500 (docs/architecture.md, "Filters, URLs and scope")."""
import pytest

from benchmarks.callbacks import input_entry, outputs_of
from dashboard import data

from conftest import login

PARAMS = {"metric": "covered_share", "radius": 1200, "site_district": None, "sites": 3, "site_kind": "rural",
          "site_candidates": "points", "site_file": None}


@pytest.fixture(scope="module")
def client(sample_db, sample_users):
    from dashboard.app import app
    data.configure(sample_db)
    return login(app.server.test_client(), "root")


def request(client, output: str, values: dict, params: dict):
    """The body the browser sends for the callback writing `output`, triggered by its first input."""
    dependency = next(d for d in client.get("/_dash-dependencies").get_json() if output in d["output"])
    outputs = outputs_of(dependency["output"])
    first = dependency["inputs"][0]
    return {"output": dependency["output"], "outputs": outputs if dependency["output"].startswith("..") else outputs[0],
            "inputs": [input_entry(i, values, params) for i in dependency["inputs"]],
            "state": [input_entry(s, values, params) for s in dependency["state"]],
            "changedPropIds": [f"{first['id']}.{first['property']}"]}


def sites_response(client, area="990121", **params):
    values = {("shell-area-dropdown", "value"): area, ("shell-period-dropdown", "value"): "2026Q3",
              ("shell-lang-store", "data"): "en"}
    return client.post("/_dash-update-component",
                       json=request(client, "coverage-sites-summary", values, {**PARAMS, **params}))


def test_the_rural_plan_of_qingshan_in_words(client):
    response = sites_response(client, sites=5)
    assert response.status_code == 200
    text = str(response.get_json()["response"]["coverage-sites-summary"]["children"])
    for words in ("5 new sites would cover 22,006 more rural residents",
                  "Rural residents covered: 53.2% → 65.4% (target 85%, not met)",
                  "Urban residents covered: 58.8% → 58.8% (target 95%, not met)", "20 sites reach the rural target"):
        assert words in text


def test_village_clinics_say_why_they_cannot_reach_the_target(client):
    text = str(sites_response(client, site_candidates="clinics").get_json()["response"])
    assert "A village clinic already counts for the 15-minute circle" in text
    assert "These candidates cannot reach the rural target (they reach 53.2%)" in text


@pytest.mark.parametrize("params", [{"sites": 0}, {"sites": 1000}, {"sites": None}, {"site_kind": None},
                                    {"site_candidates": None}, {"site_district": "990199"},
                                    {"site_district": "zzz"}])
def test_odd_site_values_are_clamped_or_ignored(client, params):
    response = sites_response(client, area="all", **params)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert len(response.get_json()["response"]["coverage-sites-table"]["rowData"]) <= 20


@pytest.mark.parametrize("params", [{"site_kind": "suburban"}, {"site_kind": ["rural"]}, {"site_candidates": "files"},
                                    {"site_candidates": 3}, {"sites": "3; DROP"}, {"sites": 2.5}])
def test_malformed_site_values_are_refused_with_400(client, params):
    response = sites_response(client, **params)
    assert response.status_code == 400 and next(iter(params)) in response.get_json()["reason"]


@pytest.mark.parametrize("search", ["?site_kind=suburban&site_candidates=upload&sites=inf",
                                    "?site_candidates=file&site_file=../../etc/passwd",
                                    "?sites=nan&site_kind=&site_candidates=clinics%00",
                                    "?sites=-5&site_kind=rural&site_kind=urban&site_district=%3Cscript%3E",
                                    "?sites=1e999&radius=1e999"])
def test_a_shared_url_with_malformed_site_params_still_lays_out(client, search):
    values = {("_pages_location", "pathname"): "/coverage", ("_pages_location", "search"): search}
    response = client.post("/_dash-update-component", json=request(client, "_pages_content.children", values, {}))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


def control_values(component, found=None) -> dict:
    """{param name: value} of every page control in a layout."""
    found = {} if found is None else found
    if isinstance(component, (list, tuple)):
        for child in component:
            control_values(child, found)
    elif hasattr(component, "to_plotly_json"):
        component_id = getattr(component, "id", None)
        if isinstance(component_id, dict) and component_id.get("type") == "param":
            found[component_id["name"]] = component.value
        control_values(getattr(component, "children", None), found)
    return found


def test_a_shared_url_opens_the_plan_it_names(client):
    import dash
    # the page as Dash registered it: importing its module again would register a second page
    layout = next(page["layout"] for page in dash.page_registry.values() if page["path"] == "/coverage")
    shared = control_values(layout(lang="en", site_district="990121", site_kind="rural", site_candidates="clinics",
                                   sites="12"))
    assert {k: shared[k] for k in ("site_district", "site_kind", "site_candidates", "sites")} == {
        "site_district": "990121", "site_kind": "rural", "site_candidates": "clinics", "sites": 12}
    odd = control_values(layout(lang="en", site_kind="suburban", site_candidates="upload", sites="99"))
    assert (odd["site_kind"], odd["site_candidates"], odd["sites"]) == ("all", "points", 20)
