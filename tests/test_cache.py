"""Query results are kept per published version: a load is seen at once, a writer's copy is never
cached, and callers cannot change what the next caller gets."""
from warehouse.cache import per_version, version_of
from warehouse.queries import areas, overview
from warehouse.scope import Scope
from warehouse.store import Reader, WriterSession

from factory import load, monthly_file, tiny_city

EVERYTHING = Scope.everything()
CALLS = []


@per_version()
def births(con):
    CALLS.append(1)
    return con.execute("SELECT coalesce(sum(value), 0) AS births FROM monthly_measure WHERE measure = 'births'").df()


def test_a_version_is_asked_once_and_a_new_version_is_asked_again(tmp_path):
    db = tiny_city(tmp_path)
    load(db, monthly_file(tmp_path / "a.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 9}]))
    reader = Reader(db)
    CALLS.clear()
    first = births(reader.cursor())
    first.loc[0, "births"] = -1                                   # a caller changes its copy
    assert births(reader.cursor())["births"].tolist() == [9]
    assert len(CALLS) == 1
    load(db, monthly_file(tmp_path / "b.csv", [{"facility_code": "F_CHC1", "period": "2026-04", "births": 5}]))
    assert births(reader.cursor())["births"].tolist() == [14]
    assert len(CALLS) == 2


def test_a_writers_copy_is_never_cached(tmp_path):
    db = tiny_city(tmp_path)
    with WriterSession(db) as session:
        assert version_of(session.con) is None
        CALLS.clear()
        births(session.con)
        births(session.con)
        assert len(CALLS) == 2


def test_cached_query_functions_answer_each_scope_apart(tmp_path):
    db = tiny_city(tmp_path)
    load(db, monthly_file(tmp_path / "a.csv", [{"facility_code": "F_CHC1", "period": "2026-03", "births": 9,
                                                "newborn_visits": 9}]))
    con = Reader(db).cursor()
    period = areas.data_state(con)
    assert period.latest_month is not None
    from warehouse.periods import parse_period
    everything = overview.area_indicator_values(con, EVERYTHING, areas.CITY, parse_period("2026-03"))
    nobody = overview.area_indicator_values(con, Scope(frozenset({"999999"})), areas.CITY, parse_period("2026-03"))
    assert not everything.empty
    assert everything["numerator"].notna().any() and not nobody["numerator"].notna().any()


def test_the_filters_area_and_settings_are_a_query_once_per_version_and_a_setting_is_the_callers_own(tmp_path):
    db = tiny_city(tmp_path)
    con = Reader(db).cursor()
    district = Scope(frozenset({"110101"}))
    areas._named_area.cache_clear()
    first = areas.resolve_area(con, district, "110101001")
    statements = []
    traced = _Tracing(con, statements)
    assert areas.resolve_area(traced, district, "110101001") == first
    assert areas.resolve_area(traced, district, "110102001") is None       # another district's township
    assert len([s for s in statements if "township" in s]) == 1             # only the new question ran
    pairs = areas.setting(con, "quality.pairs")
    pairs.append(["x", "y"])
    assert ["x", "y"] not in areas.setting(con, "quality.pairs")


class _Tracing:
    """A cursor that notes the SQL it runs (the cache's own version check included)."""

    def __init__(self, con, statements):
        self.con, self.statements = con, statements

    def execute(self, sql, *args):
        self.statements.append(sql)
        return self.con.execute(sql, *args)
