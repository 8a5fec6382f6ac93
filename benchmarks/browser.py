"""How long users wait for every page, in a real browser (`python -m benchmarks browser`).

    python -m benchmarks browser [--scale 0 --scale 1] [--repeats 5] [--keep DIR]
    python -m benchmarks browser --scale 10 --db DIR/province.duckdb    (a warehouse already made)

For each size (`--scale 0`: the sample city of data_samples/; `--scale N`: N × the province,
etl.sample_city.PROVINCE, generated as benchmarks/writes.py does, every month kept):

1. the files are loaded into a fresh warehouse with `python -m etl load`, a benchmark
   administrator is added beside it, and `python -m dashboard` is started as its own process on a
   free loopback port;
2. a headless Chromium (Debian's chromium and chromedriver, driven by selenium) logs in through
   the login form: the first overview after login is timed from the click on the button;
3. every page of the top bar, and one facility profile (the first CHC by code; no link of the bar
   leads there), is timed twice, each the median of `repeats` visits:
   - from its link: `driver.get(url)`, a full load that fetches and starts Dash's scripts again
     (from the browser's cache), as a bookmark or a link from elsewhere does;
   - in-app: from the overview, settled, a click on the page's link in the top bar (Dash swaps
     the page without reloading). The overview itself is timed from the indicator dictionary;
     the facility profile by the history push a dcc.Link makes, as its links in the pages do.

A page has settled when nothing is loading (no `[data-dash-is-loading="true"]` element, no
visible AG Grid loading overlay, no map MapLibre has not finished drawing), something is drawn (a
figure, a map, a grid row or the page's text) and neither those counts, the figures' traces nor
the page's text length have changed for 0.5 s; the time
reported is the last change seen (polled every 50 ms), not the end of the quiet half second. A
page that has not settled after 60 s is reported as a time-out.

The targets of the issue are printed beside the figures (≤ 1.5 s from a link and ≤ 1 s in-app at
province size and below, ≤ 3 s at national size: 10 × the province, 33,640 facilities, the
generator's scale 40), with the load average, the core count and the Chromium version: on a
shared machine the figures are noisy. Only loopback is contacted. Nothing here is a test.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from selenium.common.exceptions import WebDriverException

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "bench"
POLL_S = 0.05
QUIET_S = 0.5
TIMEOUT_S = 60.0
# (largest size it applies to, seconds from a link, seconds in-app); sizes in between have none stated
TARGETS = [(1, 1.5, 1.0), (10, 3.0, 3.0)]
NATIONAL = 10        # × the province: the sample generator's scale 40 (the "scale 40")
# the overview is the start of every in-app visit, so it is itself reached from the lightest page
OVERVIEW_FROM = "/indicators"

# One poll of the page, in one round trip: what is loading, what is drawn, and which page it is.
PROBE = """
const content = document.getElementById('_pages_content');
const overlays = Array.from(document.querySelectorAll('.ag-overlay-loading-wrapper'))
    .filter(e => e.offsetParent !== null).length;
const staleIds = arguments[0] || [];
const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
// a map drawn early and filled when its data arrive changes no count: its traces do, and MapLibre
// says when it has drawn them (loaded: style, sources and their tiles done; not moving)
const mapOf = gd => gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot
    && gd._fullLayout.map._subplot.map;
return {
    loading: document.querySelectorAll('[data-dash-is-loading="true"]').length,
    overlays: overlays,
    figures: plots.length,
    traces: plots.reduce((n, gd) => n + (gd.data || []).length, 0),
    mapsBusy: plots.filter(gd => mapOf(gd) && !(mapOf(gd).loaded() && !mapOf(gd).isMoving())).length,
    maps: document.querySelectorAll('.maplibregl-canvas').length,
    rows: document.querySelectorAll('.ag-row').length,
    text: content ? content.textContent.length : 0,
    path: window.location.pathname,
    stale: staleIds.some(id => document.getElementById(id) !== null),
};
"""
# The ids inside the page shown now: the next page has arrived once none of them is left.
PAGE_IDS = "return Array.from(document.querySelectorAll('#_pages_content [id]')).map(e => e.id);"
# What a dcc.Link does on a click (dash-core-components' Link): push the address, tell Dash.
PUSH_STATE = ("window.history.pushState({}, '', arguments[0]);"
              "window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));")


@dataclass
class Page:
    path: str
    link_id: str | None         # its link in the top bar; None: reached by a link inside the pages


@dataclass
class Timing:
    page: Page
    from_link: list = field(default_factory=list)      # seconds, None for a time-out
    in_app: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)


# --- data --------------------------------------------------------------------------------------

def build_warehouse(work: Path, factor: float) -> Path:
    """A fresh warehouse of the sample city (factor 0) or of factor × the province, every month."""
    from benchmarks.writes import make_dataset, timed
    db = work / "warehouse.duckdb"
    if factor == 0:
        folders = [ROOT / "data_samples"]
    else:
        folders = list(make_dataset(work, factor))     # the held-back month is loaded too
    seconds, _ = timed(["load", "--db", str(db), *map(str, folders)])
    print(f"   loaded in {seconds:.0f} s", flush=True)
    return db


def warehouse_facts(db: Path) -> dict:
    from warehouse.store import Reader
    con = Reader(db).cursor()
    facilities, values = con.execute(
        "SELECT (SELECT count(*) FROM facility), (SELECT count(*) FROM monthly_measure)").fetchone()
    # a CHC has every panel of the profile filled: the heaviest kind of facility to show
    [facility] = con.execute("SELECT facility_code FROM v_facility WHERE type = 'CHC' ORDER BY 1 LIMIT 1").fetchone()
    return {"facilities": facilities, "values": values, "facility": facility}


def pages(facility: str) -> list[Page]:
    """The top bar's pages, as the app lists them, and one facility profile."""
    from dashboard.layout import NAV_PAGES
    return [Page(path, link_id) for link_id, path, _, _ in NAV_PAGES] + [Page(f"/facility/{facility}", None)]


# --- the server --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_bench_user(db: Path) -> None:
    """Our own administrator, so that the first start creates (and prints) no generated one."""
    from benchmarks.province import PASSWORD
    from warehouse.accounts import Accounts, accounts_path
    accounts = Accounts(accounts_path(db))
    if accounts.get(USERNAME) is None:          # a warehouse given with --db may have it already
        accounts.add_user(USERNAME, PASSWORD, "admin", [], "Bench")


def start_dashboard(db: Path, port: int, log: Path) -> subprocess.Popen:
    """`python -m dashboard` as its own process, returned once its login page answers. Its output
    (a line per request) goes to a file: a pipe nobody reads would stop the server when full."""
    import requests
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "dashboard", "--db", str(db), "--port", str(port)],
                                  cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    started = time.perf_counter()
    while time.perf_counter() - started < TIMEOUT_S:
        if server.poll() is not None:
            raise SystemExit(f"the dashboard stopped at start: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200:
                return server
        except requests.ConnectionError:
            time.sleep(0.1)
    stop(server)
    raise SystemExit(f"the dashboard did not answer within {TIMEOUT_S:.0f} s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- the browser -------------------------------------------------------------------------------

def start_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not chromedriver:
        raise SystemExit("the browser part needs chromium and chromedriver on PATH")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--no-first-run",
                     "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    return webdriver.Chrome(service=Service(chromedriver), options=options)


def settled_after(driver, started: float, path: str, stale_ids: list[str] | None = None) -> float | None:
    """Seconds from `started` to the last change before the page at `path` settled, or None after
    TIMEOUT_S. stale_ids: the ids of the page navigated from, which must be gone first (until then
    the old page, long settled, would pass for the new one)."""
    last_seen, last_change = None, started
    while True:
        state = driver.execute_script(PROBE, stale_ids or [])
        now = time.perf_counter()
        seen = tuple(state[key] for key in ("loading", "overlays", "figures", "traces", "mapsBusy", "maps", "rows", "text",
                                            "path", "stale"))
        if seen != last_seen:
            last_seen, last_change = seen, now
        arrived = state["path"] == path and not state["stale"]
        idle = state["loading"] == 0 and state["overlays"] == 0 and state["mapsBusy"] == 0
        drawn = state["figures"] or state["maps"] or state["rows"] or state["text"]
        if arrived and idle and drawn and now - last_change >= QUIET_S:
            return last_change - started
        if now - started > TIMEOUT_S:
            return None
        time.sleep(POLL_S)


def log_in(driver, base: str) -> float | None:
    """Log in through the form; seconds from the click to the settled overview."""
    from selenium.webdriver.common.by import By

    from benchmarks.province import PASSWORD
    driver.get(base + "/login")
    driver.find_element(By.ID, "login-username").send_keys(USERNAME)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    started = time.perf_counter()
    driver.find_element(By.ID, "login-submit").click()
    return settled_after(driver, started, "/")


def visit_from_link(driver, base: str, page: Page) -> float | None:
    started = time.perf_counter()
    driver.get(base + page.path)
    return settled_after(driver, started, page.path)


def visit_in_app(driver, base: str, page: Page) -> float | None:
    """From a settled start page, follow the page's link inside the app."""
    from selenium.webdriver.common.by import By
    start = OVERVIEW_FROM if page.path == "/" else "/"
    driver.get(base + start)
    if settled_after(driver, time.perf_counter(), start) is None:
        return None
    stale_ids = driver.execute_script(PAGE_IDS)
    started = time.perf_counter()
    if page.link_id:
        driver.find_element(By.ID, page.link_id).click()
    else:
        driver.execute_script(PUSH_STATE, page.path)
    return settled_after(driver, started, page.path, stale_ids)


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def measure_pages(driver, base: str, every_page: list[Page], repeats: int, timings: list[Timing]) -> None:
    """Into `timings` as it goes: if the server stops halfway, what was measured is still reported."""
    for page in every_page:
        timing = Timing(page)
        timings.append(timing)
        console_errors(driver)                     # what earlier pages left is not this page's
        for _ in range(repeats):
            timing.from_link.append(visit_from_link(driver, base, page))
        for _ in range(repeats):
            timing.in_app.append(visit_in_app(driver, base, page))
        timing.console_errors = console_errors(driver)
        print(f"   {page.path}: from its link {cell(timing.from_link)} ({span(timing.from_link)}), "
              f"in-app {cell(timing.in_app)} ({span(timing.in_app)}) s", flush=True)


# --- one size ----------------------------------------------------------------------------------

def measure(work: Path, factor: float, repeats: int, db: Path | None = None) -> dict:
    load_at_start = os.getloadavg()[0]
    db = db or build_warehouse(work, factor)
    facts = warehouse_facts(db)
    add_bench_user(db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = work / "dashboard.log"
    server = start_dashboard(db, port, log)
    timings: list[Timing] = []
    first_overview, stopped = None, None
    try:
        driver = start_browser()
        try:
            load_at_browsing = os.getloadavg()[0]
            chromium = driver.capabilities.get("browserVersion", "?")
            first_overview = log_in(driver, base)
            measure_pages(driver, base, pages(facts["facility"]), repeats, timings)
        except WebDriverException:
            if server.poll() is None:
                raise
            stopped = f"the dashboard stopped (exit status {server.returncode}); its log ends: " \
                      f"{log.read_text(errors='replace')[-1500:]}"
        finally:
            driver.quit()
    finally:
        stop(server)
    return {"factor": factor, "facts": facts, "first_overview": first_overview, "timings": timings,
            "chromium": chromium, "stopped": stopped, "load": (load_at_start, load_at_browsing, os.getloadavg()[0])}


# --- report ------------------------------------------------------------------------------------

def median(seconds: list) -> float | None:
    """The median visit; a time-out counts as the longest wait (None: the median timed out)."""
    if not seconds:
        return None
    middle = statistics.median([math.inf if s is None else s for s in seconds])
    return None if middle == math.inf else middle


def targets_for(factor: float) -> tuple[float, float] | None:
    """The issue's targets: province size and below ≤ 1.5 s / 1 s, national size ≤ 3 s."""
    if factor <= TARGETS[0][0]:
        return TARGETS[0][1:]
    if factor >= NATIONAL:
        return TARGETS[1][1:]
    return None


def over(seconds: list, target: float | None) -> bool:
    middle = median(seconds)
    return bool(seconds) and target is not None and (middle is None or middle > target)


def report(results: list[dict], repeats: int) -> None:
    print(f"\npages in headless Chromium (medians of {repeats} visits, seconds until settled; {os.cpu_count()} CPUs)")
    for r in results:
        facts, target = r["facts"], targets_for(r["factor"])
        size = "the sample city" if r["factor"] == 0 else f"{r['factor']:g} × the province"
        print(f"\n   size {r['factor']:g}: {size}, {facts['facilities']:,} facilities, {facts['values']:,} values; "
              f"Chromium {r['chromium']}; load average {r['load'][0]:.2f} at start, {r['load'][1]:.2f} when "
              f"browsing began, {r['load'][2]:.2f} at end")
        first = "time-out" if r["first_overview"] is None else f"{r['first_overview']:.2f} s"
        print(f"   first overview after login: {first}")
        link_target, app_target = target or (None, None)
        target_text = "none stated" if target is None else f"≤ {link_target:g} s / ≤ {app_target:g} s"
        names = [timing.page.path + ("" if timing.page.link_id else " †") for timing in r["timings"]]
        width = max(len(name) for name in names + ["page"])
        print(f"   | {'page':<{width}} | {'from link':>9} | {'min–max':>11} | {'in-app':>8} | {'min–max':>11} "
              f"| {'target link / in-app':<20} | {'console errors':>14} |")
        print(f"   |{'-' * (width + 2)}|{'-' * 11}|{'-' * 13}|{'-' * 10}|{'-' * 13}|{'-' * 22}|{'-' * 16}|")
        for name, timing in zip(names, r["timings"]):
            marks = ", ".join(kind for kind, seconds, goal in (("link", timing.from_link, link_target),
                                                                ("in-app", timing.in_app, app_target))
                              if over(seconds, goal))
            print(f"   | {name:<{width}} | {cell(timing.from_link):>9} | {span(timing.from_link):>11} "
                  f"| {cell(timing.in_app):>8} | {span(timing.in_app):>11} | {target_text:<20} "
                  f"| {len(timing.console_errors):>14} |" + (f" OVER ({marks})" if marks else ""))
        print(f"   the overview in-app: from {OVERVIEW_FROM}; † no link in the top bar: in-app by the history push "
              "of a dcc.Link, as the pages' links to it do; min–max+: some visits timed out")
        for count, example in error_kinds([m for timing in r["timings"] for m in timing.console_errors])[:10]:
            print(f"   console error × {count}: {example[:240]}")
        if r["stopped"]:
            print(f"   NOT FINISHED: {r['stopped']}")


def error_kinds(messages: list[str]) -> list[tuple[int, str]]:
    """Console errors counted by kind, most frequent first, with the first line of one of them: the
    same error for another grid column or on another port is the same kind."""
    kinds: dict[str, list[str]] = {}
    for message in messages:
        first_line = message.splitlines()[0]
        kinds.setdefault(re.sub(r"\d+", "N", first_line), []).append(first_line)
    return sorted(((len(lines), lines[0]) for lines in kinds.values()), reverse=True)


def cell(seconds: list) -> str:
    middle = median(seconds)
    return "—" if not seconds else "time-out" if middle is None else f"{middle:.2f}"


def span(seconds: list) -> str:
    done = [s for s in seconds if s is not None]
    text = f"{min(done):.2f}–{max(done):.2f}" if done else "—"
    return text + ("+" if len(done) < len(seconds) else "")      # + : some visits timed out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks browser")
    parser.add_argument("--scale", type=float, action="append",
                        help="0: the sample city; N: N × the province (repeatable; default 0 and 1)")
    parser.add_argument("--repeats", type=int, default=5, help="visits per page and way, for the median")
    parser.add_argument("--keep", help="keep the generated files, warehouses and server logs in this folder")
    parser.add_argument("--db", help="time this warehouse (one --scale names its size) instead of building one: "
                                     "e.g. the national one `python -m benchmarks --scale 10 --keep DIR` left")
    args = parser.parse_args(argv)
    if args.db and len(args.scale or []) != 1:
        parser.error("--db needs exactly one --scale, the size of its warehouse")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="jiceng-browser-"))
    results = []
    try:
        for factor in args.scale or [0, 1]:
            folder = work / f"x{factor:g}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            print(f"size {factor:g}:", flush=True)
            results.append(measure(folder, factor, args.repeats, Path(args.db) if args.db else None))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        if results:                  # the sizes measured before a failure are worth their table
            report(results, args.repeats)
    return 0 if all(not r["stopped"] for r in results) else 1
