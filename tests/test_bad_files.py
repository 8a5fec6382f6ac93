"""Reliability: every broken or hostile file of tests/data/bad/ gets exactly its outcome, and a
rejected file leaves the warehouse exactly as it was. Very large files are made here (slow)."""
import csv
import json
from pathlib import Path

import pytest

from factory import load, snapshot, tiny_city

CORPUS = Path(__file__).resolve().parent / "data" / "bad"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return tiny_city(tmp_path_factory.mktemp("bad"))


def test_the_corpus_has_at_least_forty_files():
    assert len(MANIFEST) >= 40
    assert all((CORPUS / name).exists() for name in MANIFEST)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_each_file_gets_its_outcome_and_a_rejection_changes_nothing(db, name):
    expected = MANIFEST[name]
    before = snapshot(db)
    [result] = load(db, CORPUS / name, dry_run=expected["outcome"] == "accepted")
    status = "accepted" if result.status == "unchanged" else result.status
    found = sorted({p.code for p in result.problems} | {w.code for w in result.warnings})
    assert (status, found) == (expected["outcome"], sorted(expected["codes"])), expected["why"]
    for problem in result.problems:
        assert problem.zh and problem.en and problem.file == name
    assert snapshot(db) == before


def test_html_in_a_name_is_stored_as_text(db, tmp_path):
    from factory import query
    load(db, CORPUS / "html_in_names.csv")
    assert query(db, "SELECT name FROM facility WHERE facility_code = 'F_X1'") == [("<script>alert('x')</script>站",)]


@pytest.mark.slow
def test_ten_megabytes_of_blank_rows_after_the_data(db, tmp_path):
    path = tmp_path / "blank_tail.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("机构代码,统计月份,活产数\nF_CHC1,2026-02,3\n")
        handle.write(",,\n" * 3_500_000)
    assert path.stat().st_size > 10_000_000
    [result] = load(db, path, dry_run=True)
    assert result.status == "accepted" and result.rows == 1


@pytest.mark.slow
def test_six_hundred_thousand_rows_are_read_and_every_bad_row_counted(db, tmp_path):
    # 1.8 million cells, just under reading.max_cells
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["机构代码", "统计月份", "活产数"])
        for n in range(600_000):
            writer.writerow([f"F_{n:07d}", "2026-02", "1"])
    before = snapshot(db)
    [result] = load(db, path)
    assert result.status == "rejected"
    assert len(result.problems) == 200 and result.problems.by_code == {"unknown_facility": 600_000}
    assert snapshot(db) == before
