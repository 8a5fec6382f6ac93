"""The sample city loads cleanly and tells the stories the pages are built to show."""
import csv
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from etl.sample_city import write_sample_city

from factory import TODAY, query

SAMPLES = Path(__file__).resolve().parent.parent / "data_samples"


@pytest.fixture(scope="module")
def db(sample_db):
    return sample_db


def test_the_city_has_the_size_the_pages_expect(db):
    counts = dict(query(db, "SELECT type, count(*) FROM facility GROUP BY type"))
    assert counts == {"CHC": 25, "CHS": 121, "THC": 10, "VC": 30}
    # one of the stations is under construction: it opens 2027-06-01 (a planned facility)
    assert query(db, "SELECT facility_code, opened_on FROM facility WHERE opened_on > DATE '2026-11-26'") == [
        ("990104004S06", date(2027, 6, 1))]
    assert query(db, "SELECT count(*) FROM admin_unit WHERE level IN ('street', 'town')") == [(32,)]
    assert 380 <= query(db, "SELECT count(*) FROM admin_unit WHERE level IN ('community', 'village')")[0][0] <= 420
    assert query(db, "SELECT count(*) FROM township_boundary") == [(32,)]
    assert query(db, "SELECT min(period), max(period) FROM v_submission_status") == [("2021-01", "2026-10")]
    assert dict(query(db, "SELECT ownership, count(*) > 0 FROM facility GROUP BY 1")) == {
        "government": True, "private": True}


def test_one_district_is_clearly_behind_the_2026_milestone(db):
    shares = dict(query(db, """SELECT d.name, m.share FROM v_milestone_progress m JOIN admin_unit d ON d.code = m.area_code
                               WHERE m.area_level = 'district' AND m.year = 2026"""))
    assert shares["新城区"] < 0.6
    assert shares["城东区"] >= 0.9
    assert 0.8 <= shares["城西区"] < 0.9         # one center short
    assert query(db, "SELECT on_track FROM v_milestone_progress WHERE area_code = 'all' AND year = 2026") == [(False,)]


def test_planted_anomalies_arrive_as_warnings(db):
    warnings = query(db, "SELECT code, measure, strftime(period, '%Y-%m') FROM load_warning WHERE code = 'rate_above_100'")
    assert sorted(warnings) == [("rate_above_100", "newborn_visits", "2026-07"),
                                ("rate_above_100", "records_total", "2024-05")]
    spikes = query(db, "SELECT strftime(period, '%Y-%m') FROM load_warning WHERE code = 'outlier' AND measure = 'outpatient_visits'")
    assert ("2025-03",) in spikes


def test_reports_are_mostly_on_time_with_some_late_and_missing(db):
    [(expected, received, timely)] = query(db, "SELECT count(*), count(*) FILTER (received), count(*) FILTER (timely) FROM v_submission_status")
    assert 0.97 < received / expected < 1.0
    assert 0.85 < timely / expected < 0.97


def test_some_rectifications_are_overdue(db):
    overdue = query(db, "SELECT count(*) FROM inspection WHERE rectify_by < ? AND rectified_on IS NULL", [TODAY])
    assert overdue[0][0] > 0


def test_the_committed_samples_are_what_the_seeded_generator_writes(tmp_path):
    written = write_sample_city(tmp_path)
    for path in written:
        committed = SAMPLES / path.name
        if path.suffix == ".xlsx":
            def cells(p):
                return [list(r) for r in openpyxl.load_workbook(p, read_only=True).active.iter_rows(values_only=True)]
            assert cells(path) == cells(committed), path.name
        else:
            assert path.read_bytes() == committed.read_bytes(), path.name


def test_samples_exercise_the_messy_forms(db):
    raw = (SAMPLES / "月度服务报表_2022.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")                          # the GBK year
    assert raw.decode("gbk").splitlines()[1].split(",")[1] == "2022年1月"
    first = next(csv.reader((SAMPLES / "月度服务报表_2021.csv").open(encoding="utf-8-sig")))
    assert first == ["临江市2021年基本公共卫生服务月度报表"]   # a title row above the header
    crs = {row[8] for row in openpyxl.load_workbook(SAMPLES / "03_机构名录.xlsx", read_only=True).active.iter_rows(
        min_row=3, values_only=True)}
    assert crs == {"WGS84", "GCJ02", "BD09"}
    geo = json.loads((SAMPLES / "02_乡镇街道边界.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == 32
