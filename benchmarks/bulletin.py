"""`python -m benchmarks bulletin [--scale N] [--db PATH]`: the time to make the monthly bulletin
(its figures, then the .docx and the PDF) for one district and for the whole area, at N × the
province (1 by default; `--db` times an existing warehouse instead), median of 3, with the load
average. Target: a district's bulletin within 5 s (docs/performance.md)."""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

TARGET_DISTRICT_S = 5.0
REPEATS = 3


def timed_bulletin(con, area: str, period: str) -> dict:
    from dashboard import bulletin
    from warehouse.scope import Scope
    started = time.perf_counter()
    parts, facts, _ = bulletin.compose(con, Scope.everything(), area, period, "1", date.today())
    figured = time.perf_counter()
    bulletin.docx(parts)
    written = time.perf_counter()
    bulletin.pdf(parts)
    done = time.perf_counter()
    return {"facts": figured - started, "docx": written - figured, "pdf": done - written, "total": done - started,
            "ranked": len(facts.ranking)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks bulletin")
    parser.add_argument("--scale", type=float, default=1.0, help="multiple of the province (default 1)")
    parser.add_argument("--db", help="an existing warehouse to time instead of building one")
    args = parser.parse_args(argv)
    from warehouse.store import Reader
    with tempfile.TemporaryDirectory(prefix="jiceng-bulletin-") as work:
        if args.db:
            db = Path(args.db)
        else:
            from benchmarks.browser import build_warehouse
            print(f"building {args.scale:g} × the province …", flush=True)
            db = build_warehouse(Path(work), args.scale)
        con = Reader(db).cursor()
        facilities = con.execute("SELECT count(*) FROM facility").fetchone()[0]
        [district] = con.execute("SELECT min(district_code) FROM v_facility").fetchone()
        [month] = con.execute("SELECT strftime(latest_period, '%Y-%m') FROM data_horizon").fetchone()
        print(f"\nThe monthly bulletin ({facilities:,} facilities, {month}; load average "
              f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}; median of {REPEATS}, the first run apart)")
        print(f"{'area':<12}{'first s':>9}{'median s':>10}{'figures':>9}{'docx':>7}{'pdf':>7}{'ranked':>8}  target")
        for area in (district, "all"):
            runs = [timed_bulletin(con, area, month) for _ in range(REPEATS + 1)]
            first, rest = runs[0], runs[1:]
            median = {k: statistics.median(r[k] for r in rest) for k in ("total", "facts", "docx", "pdf")}
            target = f"≤ {TARGET_DISTRICT_S:g} s {'met' if median['total'] <= TARGET_DISTRICT_S else 'NOT met'}" \
                if area == district else "—"
            print(f"{area:<12}{first['total']:>9.2f}{median['total']:>10.2f}{median['facts']:>9.2f}"
                  f"{median['docx']:>7.2f}{median['pdf']:>7.2f}{first['ranked']:>8}  {target}", flush=True)
        print(f"   load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0
