"""The write path at several sizes (`python -m benchmarks writes [--scale 1 --scale 4]`).

For each size (a multiple of the province, etl.sample_city.PROVINCE): the generated files with
the last month held back, each year's monthly reports split by month (a year of 4 × the province
is past the reader's cell limit, and a month is what a district sends); then, each as its own
`python -m etl` process with its wall time and peak memory:

- all files into a fresh warehouse;
- the held-back month on top (what a monthly load costs), with the growth of the file;
- past the province's size, also a change of the province's size on a copy of the same warehouse:
  the held-back month's first 1/factor of rows (as many facilities as the province's month). The
  whole month of a bigger warehouse is a bigger change (4 × the rows at 4 ×); this one holds the
  change still and grows only the warehouse, which is what "the cost follows the change, not the
  warehouse" asks of it;
- one supervision visit recorded the way the browser does (`etl.loader.load_paths` on a one-row
  file, in this process);
- `python -m etl rebuild`: every derived table recomputed in full, side by side.

The targets of the write path (docs/performance.md) are printed beside the figures. Nothing here
is a test.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELD_BACK = "2026.10"          # the 2026 file writes periods as 2026.10
TARGETS = {"month_s": 3.0, "month_growth_at_4": 2.0, "visit_s": 1.0, "full_s": 15.0,
           "peak_mb_at_10": 8 * 1024, "month_s_at_10": 20.0}


def make_dataset(work: Path, factor: float) -> tuple[Path, Path]:
    """The province × factor, monthly reports one file per month, the last month in a folder of
    its own."""
    from etl.sample_city import PROVINCE, write_sample_city
    data, last = work / "data", work / "last_month"
    write_sample_city(data, scale=PROVINCE["scale"] * factor, density=PROVINCE["density"])
    last.mkdir()
    for source in sorted(data.glob("月度服务报表_*.csv")):
        text, encoding = read_csv_text(source)
        lines = text.splitlines(keepends=True)
        def month_of(line: str) -> str:
            return line.split(",", 2)[1] if line.count(",") >= 2 else ""

        # the title, the header and any units row under it go at the top of every month's file
        first = next(n for n, line in enumerate(lines) if re.search(r"\d", month_of(line)))
        header = "".join(lines[:first])
        months: dict[str, list[str]] = {}
        for line in lines[first:]:
            if re.search(r"\d", month_of(line)):
                months.setdefault(month_of(line), []).append(line)
        source.unlink()
        for month, lines in months.items():
            folder = last if month == HELD_BACK else data
            name = re.sub(r"[^0-9]", "-", month.strip())
            (folder / f"月度服务报表_{name}.csv").write_text(header + "".join(lines), encoding=encoding)
    return data, last


def read_csv_text(path: Path) -> tuple[str, str]:
    """A generated CSV's text and the encoding it was written in, to write it back the same way."""
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError:
        return raw.decode("gb18030"), "gb18030"      # the generator writes some years so


def timed(args: list[str]) -> tuple[float, float]:
    """Seconds and peak resident megabytes of `python -m etl ARGS` as its own process. What it
    says goes to a file (a pipe nobody reads while waiting would stop a talkative load), shown if
    it fails."""
    with tempfile.TemporaryFile() as said:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "etl", *args], cwd=ROOT, stdout=said, stderr=said)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            said.seek(0)
            raise SystemExit(f"python -m etl {' '.join(args)} failed: {said.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def first_rows(month: Path, out: Path, share: float) -> int:
    """The held-back month's files cut to their first `share` of rows (whichever facilities the
    generator wrote first), written into `out`; the rows kept."""
    out.mkdir()
    kept = 0
    for source in sorted(month.iterdir()):
        text, encoding = read_csv_text(source)
        lines = text.splitlines(keepends=True)
        first = next(n for n, line in enumerate(lines) if HELD_BACK in line)
        rows = lines[first:][:round((len(lines) - first) * share)]
        (out / source.name).write_text("".join(lines[:first] + rows), encoding=encoding)
        kept += len(rows)
    return kept


def copy_warehouse(db: Path, to: Path) -> Path:
    """The warehouse's link, versions and lock file copied into `to` (the link is relative)."""
    to.mkdir()
    for part in db.parent.glob(db.name + "*"):
        if part.is_dir() and not part.is_symlink():
            shutil.copytree(part, to / part.name, symlinks=True)
        else:
            shutil.copy2(part, to / part.name, follow_symlinks=False)
    return to / db.name


def file_mb(db: Path) -> float:
    return Path(os.path.realpath(db)).stat().st_size / 2 ** 20


def visit_seconds(db: Path, work: Path, repeats: int = 3) -> float:
    """Median seconds of recording one visit as the supervision page does: a one-row inspections
    file through the loader, in this (already warm) process."""
    import duckdb

    from etl.loader import load_paths
    from warehouse.store import current_version_file
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    code = con.execute("SELECT facility_code FROM facility WHERE type = 'CHC' ORDER BY 1 LIMIT 1").fetchone()[0]
    con.close()
    times = []
    for n in range(repeats + 1):                    # the first warms the imports, not counted
        path = work / f"visit_{n}.csv"
        day = date(2026, 11, 2) + timedelta(days=n)
        path.write_text(f"机构代码,检查日期,检查人,检查类型,得分,发现问题,整改期限\n{code},{day},王芳,常规督导,88,,\n",
                        encoding="utf-8")
        started = time.perf_counter()
        [result] = load_paths([path], db=db, loaded_by="bench", today=date(2026, 11, 25))
        if result.status != "accepted":
            raise SystemExit(f"the visit was not accepted: {[p.line() for p in result.problems]}")
        if n:
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(work: Path, factor: float) -> dict:
    started = time.perf_counter()
    data, last = make_dataset(work, factor)
    generated = time.perf_counter() - started
    db = work / "warehouse.duckdb"
    figures = {"factor": factor, "generated_s": generated}
    figures["full_s"], figures["full_mb"] = timed(["load", "--db", str(db), str(data)])
    figures["file_mb"] = file_mb(db)
    if factor > 1:
        same_db = copy_warehouse(db, work / "same_size")
        figures["same_rows"] = first_rows(last, work / "same_size_month", 1 / factor)
        figures["same_s"], _ = timed(["load", "--db", str(same_db), str(work / "same_size_month")])
        shutil.rmtree(work / "same_size")
    figures["month_s"], figures["month_mb"] = timed(["load", "--db", str(db), str(last)])
    figures["month_growth_mb"] = file_mb(db) - figures["file_mb"]
    figures["month_csv_mb"] = sum(p.stat().st_size for p in last.iterdir()) / 2 ** 20
    figures["visit_s"] = visit_seconds(db, work)
    figures["rebuild_s"], figures["rebuild_mb"] = timed(["rebuild", "--db", str(db)])
    import duckdb

    from warehouse.store import current_version_file
    con = duckdb.connect(str(current_version_file(db)), read_only=True)
    figures["facilities"], figures["values"] = con.execute(
        "SELECT (SELECT count(*) FROM facility), (SELECT count(*) FROM monthly_measure)").fetchone()
    con.close()
    return figures


def report(rows: list[dict]) -> None:
    print(f"\nthe write path (each step its own process; load average {os.getloadavg()[0]:.2f})")
    print(f"   {'size':<6} {'facilities':>10} {'values':>11} {'full load s (MB)':>17} {'+1 month s (MB)':>16} "
          f"{'file MB':>8} {'growth MB':>9} {'visit s':>7} {'rebuild s (MB)':>15}")
    for r in rows:
        print(f"   {r['factor']:<6g} {r['facilities']:>10,} {r['values']:>11,} "
              f"{r['full_s']:>8.1f} ({r['full_mb']:>6.0f}) {r['month_s']:>7.1f} ({r['month_mb']:>6.0f}) "
              f"{r['file_mb']:>8.0f} {r['month_growth_mb']:>+9.1f} {r['visit_s']:>7.2f} "
              f"{r['rebuild_s']:>6.1f} ({r['rebuild_mb']:>6.0f})")
    by_factor = {r["factor"]: r for r in rows}
    print("   targets:")
    if 1 in by_factor:
        one = by_factor[1]
        print(f"     province: one more month {one['month_s']:.1f} s (≤ {TARGETS['month_s']:.0f} s), "
              f"full load {one['full_s']:.1f} s (≤ {TARGETS['full_s']:.0f} s), visit {one['visit_s']:.2f} s (≤ 1 s)")
        if 4 in by_factor:
            four = by_factor[4]
            print(f"     4 × province: a month of the province's size ({four['same_rows']:,} rows) "
                  f"{four['same_s']:.1f} s = {four['same_s'] / one['month_s']:.1f} × the province's month "
                  f"(≤ {TARGETS['month_growth_at_4']:.0f} ×: the same change on a 4 × warehouse); "
                  f"its whole month (4 × the rows) {four['month_s']:.1f} s = {four['month_s'] / one['month_s']:.1f} ×; "
                  f"visit {four['visit_s']:.2f} s (≤ 1 s)")
    if 10 in by_factor:
        ten = by_factor[10]
        print(f"     10 × province: peak {max(ten['full_mb'], ten['month_mb']):.0f} MB (≤ {TARGETS['peak_mb_at_10']} MB), "
              f"one more month {ten['month_s']:.1f} s (≤ {TARGETS['month_s_at_10']:.0f} s), file growth "
              f"{ten['month_growth_mb']:+.1f} MB for a month of {ten['month_csv_mb']:.1f} MB of CSV")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks writes")
    parser.add_argument("--scale", type=float, action="append",
                        help="size as a multiple of the province (repeatable; default 1 and 4)")
    parser.add_argument("--keep", help="keep the generated files and warehouses in this folder")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="jiceng-writes-"))
    rows = []
    try:
        for factor in args.scale or [1, 4]:
            folder = work / f"x{factor:g}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            rows.append(measure(folder, factor))
            print(f"   size {factor:g}: generated in {rows[-1]['generated_s']:.0f} s, measured", flush=True)
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report(rows)
    return 0
