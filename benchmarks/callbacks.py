"""Every server callback of the dashboard, called through the Flask test client the way a browser
calls it (POST /_dash-update-component with the inputs of a real page), timed in process.

The callbacks that write (record a visit, confirm a flag, upload, manage users) are timed apart:
each publishes a new warehouse version.
"""
from __future__ import annotations

import gzip
import json
import statistics
import time
from dataclasses import dataclass, field

from dashboard.bulletin_jobs import wait_idle

# Which callbacks change the warehouse or the accounts, by an output they write.
WRITES = ("quality-message-div.children", "supervision-record-message-div.children",
          "upload-token-store.data", "upload-report-download.data")
# Buttons of the users page other than a language change write accounts.
WRITE_TRIGGERS = ("users-add-button", "users-disable-button", "users-enable-button", "users-reset-button",
                  "upload-rollback-button", "upload-load-button", "upload-discard-button",
                  "analysis-favourite-save-button", "analysis-favourite-delete-button")
EXPORTED_TABLES = ("overview-indicators", "townships-scorecard", "quality-outliers", "coverage-areas")


@dataclass
class Timing:
    name: str
    first_seconds: float = 0.0                                # with every cached result forgotten
    seconds: list[float] = field(default_factory=list)        # repeated calls, as users repeat them
    json_bytes: int = 0
    wire_bytes: int = 0                                       # gzip, as a browser receives it
    statuses: set = field(default_factory=set)

    @property
    def first_ms(self) -> float:
        return 1000 * self.first_seconds

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.seconds)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.seconds)
        return 1000 * ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def outputs_of(spec: str) -> list[dict]:
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    result = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        result.append({"id": json.loads(component) if component.startswith("{") else component,
                       "property": prop})
    return result


def page_values(city: dict) -> dict:
    """The inputs a user of the page would send, from codes that exist in the warehouse."""
    area, facility = city["area"], city["facility"]
    return {
        ("shell-url-location", "search"): f"?area={area}&period={city['period']}",
        ("shell-url-location", "pathname"): "/",
        ("shell-area-dropdown", "value"): area,
        ("shell-period-dropdown", "value"): city["period"],
        ("shell-period-kind-radio", "value"): "quarter",
        ("shell-lang-store", "data"): "zh",
        ("coverage-map-graph", "clickData"): {"points": [{"customdata": [facility]}]},
        ("facility-code-store", "data"): facility,
        # the profile of the district's first township (the city's first when there is no district)
        ("township-code-store", "data"): (city.get("townships") or [None])[0],
        ("shell-search-dropdown", "search_value"): "卫生",
        ("shell-search-dropdown", "value"): facility,
        ("_pages_location", "pathname"): "/",
        ("_pages_location", "search"): f"?area={area}",
        ("supervision-ranking-table", "selectedRows"): [{"facility_code": code} for code in city["visit"]],
        ("quality-outliers-table", "selectedRows"): [city["outlier"]] if city["outlier"] else [],
        ("users-name-input", "value"): None,
    }


def params(city: dict) -> dict:
    return {"indicator": "records_rate", "trend": "records_rate", "indicator_trend": "records_rate", "rank": "records_rate",
            "outcome": "records_rate", "resource": "gps_per_10k", "per": "per10k", "ranking": [], "types": ["CHC", "CHS", "THC"],
            "compare": city["townships"][:2], "metric": "covered_share", "radius": 1200,
            "site_district": city["district"], "sites": 3, "site_kind": "all", "site_candidates": "points",
            "site_file": None}


def analysis_params(city: dict) -> dict:
    """The analysis page's controls: two indicators for the townships of the city's district."""
    return {"indicators": ["records_rate", "health_lectures"], "level": "township", "areas": city["townships"][:4],
            "relative": "last_4_quarters", "kind": "quarter", "periods": [], "rows": "area", "cols": "period",
            "view": "table"}


def input_value(item: dict, values: dict, named: dict, exports: list[dict]):
    """What a browser sends for one input or state of a callback's dependency spec: `values` by
    (component, property), `named` for the {"type": "param"} controls, `exports` as the export
    buttons a wildcard matched (tests/test_access.py forges requests with it too)."""
    component = item["id"]
    if component.startswith("{"):
        pattern = json.loads(component)
        if pattern.get("type") == "param" and isinstance(pattern.get("name"), str):
            return named[pattern["name"]]
        if pattern.get("type") == "param":
            return [{"id": {"type": "param", "name": name}, "property": item["property"], "value": value}
                    for name, value in named.items()]
        if pattern.get("type") == "export":
            return [{"id": button, "property": item["property"], "value": 1} for button in exports]
    if item["property"] == "n_clicks":
        return 1
    return values.get((component, item["property"]))


def input_entry(item: dict, values: dict, named: dict, exports: list[dict] = ()):
    """A wildcard (ALL) input is sent as the list of the components it matched."""
    value = input_value(item, values, named, list(exports))
    if '["ALL"]' in item["id"]:
        return value
    return {**item, "id": json.loads(item["id"]) if item["id"].startswith("{") else item["id"], "value": value}


def _label(dep: dict, extra: str = "") -> str:
    outputs = outputs_of(dep["output"])
    first = outputs[0]["id"]
    name = first if isinstance(first, str) else "param:" + str(first.get("name"))
    return f"{name}.{outputs[0]['property']}" + (f" [{extra}]" if extra else "")


def callback_bodies(client, city: dict) -> list[tuple[str, dict]]:
    """(name, request body) for every read-only server callback, triggered by its first input.
    The export callback is called for a few of the largest tables; the brief as PDF and xlsx."""
    values, named = page_values(city), {**params(city), **analysis_params(city)}
    dependencies = client.get("/_dash-dependencies").get_json()
    bodies = []
    for dep in dependencies:
        if dep.get("clientside_function") or any(w in dep["output"] for w in WRITES):
            continue
        outputs = outputs_of(dep["output"])
        first = dep["inputs"][0]
        if first["id"] in WRITE_TRIGGERS:
            continue
        exports = [None]
        if first["id"].startswith('{"format"'):
            exports = [{"format": "xlsx", "table": table, "type": "export"} for table in EXPORTED_TABLES]
        triggers = [f"{first['id']}.{first['property']}"]
        if dep["output"].startswith("..supervision-brief-download"):
            triggers = ["supervision-pdf-button.n_clicks", "supervision-xlsx-button.n_clicks"]
        for export in exports:
            for trigger in triggers:
                if export:
                    trigger = json.dumps(export, separators=(",", ":"), sort_keys=True) + ".n_clicks"
                body = {"output": dep["output"],
                        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
                        "inputs": [input_entry(i, values, named, [export] if export else []) for i in dep["inputs"]],
                        "state": [input_entry(s, values, named) for s in dep["state"]],
                        "changedPropIds": [trigger]}
                extra = export["table"] if export else (trigger.split(".")[0] if len(triggers) > 1 else "")
                bodies.append((_label(dep, extra), body))
    return bodies


def call(client, body: dict):
    started = time.perf_counter()
    response = client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": "gzip"})
    payload = response.get_data()
    return time.perf_counter() - started, response, payload


def time_callbacks(client, bodies: list[tuple[str, dict]], repeats: int) -> list[Timing]:
    """Each callback: one call with the query cache emptied (what the first user after a load
    waits), then `repeats` calls."""
    from warehouse.cache import clear_all
    timings = []
    for name, body in bodies:
        timing = Timing(name)
        clear_all()
        timing.first_seconds, response, payload = call(client, body)
        timing.wire_bytes = len(payload)
        timing.json_bytes = len(gzip.decompress(payload)) if response.headers.get("Content-Encoding") == "gzip" \
            else len(payload)
        timing.statuses.add(response.status_code)
        for _ in range(repeats):
            seconds, response, _ = call(client, body)
            timing.seconds.append(seconds)
            timing.statuses.add(response.status_code)
        timings.append(timing)
        wait_idle()             # a bulletin the click started is made before the next callback is timed
    return timings


BULLETIN = "bulletin-download.data"


def _answer(response, payload: bytes) -> dict:
    if response.headers.get("Content-Encoding") == "gzip":
        payload = gzip.decompress(payload)
    return json.loads(payload)["response"]


def time_bulletin_job(client, body: dict, repeats: int) -> list[float]:
    """Seconds from the click on 生成并下载 to the poll that carries the file (the job's whole
    time, polled every 20 ms; the page polls every 400 ms), `repeats` times."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        token = _answer(*call(client, body)[1:])["bulletin-job-store"]["data"]
        poll = {**body, "changedPropIds": ["bulletin-poll-interval.n_intervals"],
                "inputs": [{**entry, "value": 1} if entry.get("id") == "bulletin-poll-interval" else entry
                           for entry in body["inputs"]],
                "state": [{**entry, "value": token} if entry.get("id") == "bulletin-job-store" else entry
                          for entry in body["state"]]}
        while True:
            answer = _answer(*call(client, poll)[1:])
            if "bulletin-download" in answer or "shell-file-link-store" in answer:      # in the answer, or by link
                break
            time.sleep(0.02)
        times.append(time.perf_counter() - started)
    return times
