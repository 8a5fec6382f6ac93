"""Hostile workbooks and files are refused with one clear problem each, in bounded memory, and
never stop the other files of a folder. Each rejection runs in a process of its own so its peak
memory can be measured (docs/data.md, "Limits")."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from factory import load, snapshot, tiny_city
from hostile import CASES, HEADER, zip_bomb

ROOT = Path(__file__).resolve().parent.parent
PEAK_LIMIT_MB = 500
# The child's own high-water mark (VmHWM starts afresh at exec; ru_maxrss would carry the
# parent's peak over from the fork).
MEASURE = """
import json, re, sys
from datetime import date
from pathlib import Path
from etl.loader import load_paths
[result] = load_paths([Path(sys.argv[2])], db=Path(sys.argv[1]), dry_run=True, today=date(2026, 11, 25))
peak_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
print(json.dumps({"status": result.status, "codes": sorted({p.code for p in result.problems}),
                  "details": [p.line() for p in result.problems], "peak_mb": peak_kb / 1024}))
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return tiny_city(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_file_is_refused_in_bounded_memory_and_changes_nothing(db, tmp_path, name):
    make, code = CASES[name]
    path = tmp_path / name
    make(path)
    before = snapshot(db)
    process = subprocess.run([sys.executable, "-c", MEASURE, str(db), str(path)], cwd=ROOT, capture_output=True,
                             text=True, timeout=300)
    assert process.returncode == 0, process.stderr[-2000:]
    assert "Traceback" not in process.stderr
    outcome = json.loads(process.stdout.strip().splitlines()[-1])
    assert (outcome["status"], outcome["codes"]) == ("rejected", [code]), outcome["details"]
    assert all(name in line for line in outcome["details"])
    assert outcome["peak_mb"] < PEAK_LIMIT_MB, f"{name}: peak {outcome['peak_mb']:.0f} MB"
    assert snapshot(db) == before


def test_the_zip_bomb_is_what_it_claims(tmp_path):
    path = tmp_path / "bomb.xlsx"
    zip_bomb(path)
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert path.stat().st_size < 2 * 2 ** 20 and info.file_size > 300 * 2 ** 20


def test_a_hostile_file_does_not_stop_the_other_files_of_a_folder(db, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ("dimension_attack.xlsx", "entity_expansion.xlsx", "broken_xml.xlsx", "huge_field.csv",
                 "nested.geojson"):
        CASES[name][0](folder / name)
    (folder / "good.csv").write_text(",".join(HEADER) + "\nF_CHC1,2026-03,7\n", encoding="utf-8")
    results = load(db, folder, dry_run=True)
    assert {r.path.name: (r.status, [p.code for p in r.problems]) for r in results} == {
        "broken_xml.xlsx": ("rejected", ["unreadable_file"]),
        "dimension_attack.xlsx": ("rejected", ["too_many_columns"]),
        "entity_expansion.xlsx": ("rejected", ["xml_doctype"]),
        "good.csv": ("accepted", []),
        "huge_field.csv": ("rejected", ["field_too_large"]),
        "nested.geojson": ("rejected", ["too_deep"])}


def test_the_settings_file_and_the_readers_agree_on_the_limits():
    from etl.loader import read_limits
    from etl.readers import ReadLimits
    from warehouse.settings import load_settings
    assert read_limits(load_settings()) == ReadLimits()
    assert ReadLimits().max_cells == 2_000_000 and ReadLimits().max_file_mb == 50


def test_limits_come_from_the_settings(tmp_path):
    from etl.readers import ReadError, ReadLimits, read_csv, read_workbook

    from hostile import _workbook_bytes
    path = tmp_path / "small.xlsx"
    path.write_bytes(_workbook_bytes([HEADER] + [["F_CHC1", f"2026-{m:02d}", m] for m in range(1, 13)]))
    with pytest.raises(ReadError) as refused:
        read_workbook(path, limits=ReadLimits(max_uncompressed_mb=0.001))
    assert refused.value.code == "uncompressed_too_large"
    with pytest.raises(ReadError) as refused:
        read_workbook(path, limits=ReadLimits(max_rows=10))
    assert (refused.value.code, refused.value.detail) == ("too_many_rows", "Sheet (declared): 13 > 10")
    csv_path = tmp_path / "wide.csv"
    csv_path.write_text(",".join(f"c{i}" for i in range(30)) + "\n", encoding="utf-8")
    with pytest.raises(ReadError) as refused:
        read_csv(csv_path, limits=ReadLimits(max_columns=20))
    assert refused.value.code == "too_many_columns"


@pytest.mark.parametrize("geometry", [
    {"type": "Polygon", "coordinates": [[[[[116.4, 39.9]]]]]},
    {"type": "Polygon", "coordinates": [[["116.4", "39.9"], [1, 2], [3, 4], [116.4, 39.9]]]},
    {"type": "MultiPolygon", "coordinates": [[[116.4, 39.9]]]},
    {"type": "Polygon", "coordinates": "[]"},
])
def test_a_boundary_whose_coordinates_do_not_nest_as_geojson_says_is_refused(db, tmp_path, geometry):
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "110101001"}, "geometry": geometry}]}), encoding="utf-8")
    [result] = load(db, path, dry_run=True)
    assert [(p.code, p.row) for p in result.problems] == [("bad_geometry", 1)]


def test_an_unforeseen_failure_reading_one_file_rejects_that_file_only(db, tmp_path, monkeypatch):
    import etl.loader
    real = etl.loader.read_sheets

    def failing(path, *args, **kwargs):
        if path.name == "odd.csv":
            raise RuntimeError("a reader bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(etl.loader, "read_sheets", failing)
    (tmp_path / "odd.csv").write_text(",".join(HEADER) + "\nF_CHC1,2026-03,7\n", encoding="utf-8")
    (tmp_path / "good.csv").write_text(",".join(HEADER) + "\nF_CHC2,2026-03,7\n", encoding="utf-8")
    results = load(db, tmp_path / "odd.csv", tmp_path / "good.csv", dry_run=True)
    assert {r.path.name: (r.status, [(p.code, p.detail) for p in r.problems]) for r in results} == {
        "odd.csv": ("rejected", [("unreadable_file", "RuntimeError")]), "good.csv": ("accepted", [])}
