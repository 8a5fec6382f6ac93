"""Faults around the versioned store (warehouse/store.py): a deleted link, a deleted or damaged
current version. Each test has a store of its own; none may lose a published version."""
from __future__ import annotations

import os

import pytest

from warehouse.store import Reader, current_version_file, db_path, versions_dir

from factory import load, monthly_file, query, tiny_city

MONTH = {"facility_code": "F_CHC1", "period": "2026-03", "births": 10, "newborn_visits": 9}


@pytest.fixture()
def store(tmp_path):
    """A store with two published versions: the registry, then a month of reports."""
    db = tiny_city(tmp_path)
    [result] = load(db, monthly_file(tmp_path / "m.csv", [MONTH]))
    assert result.status == "accepted"
    return db


def version_files(db) -> list[str]:
    return sorted(p.name for p in versions_dir(db_path(db)).iterdir() if p.name.endswith(".duckdb"))


def births(db) -> list[tuple]:
    return query(db, "SELECT value FROM monthly_measure WHERE measure = 'births'")


def test_a_deleted_link_is_repaired_and_no_version_is_lost(store, tmp_path, caplog):
    before = version_files(store)
    os.unlink(db_path(store))
    assert current_version_file(store).name == before[-1]          # readers find the newest version
    [rejected] = load(store, monthly_file(tmp_path / "bad.csv", [{**MONTH, "facility_code": "F_NOPE"}]))
    assert rejected.status == "rejected"
    assert version_files(store) == before and births(store) == [(10.0,)]
    assert os.path.islink(db_path(store)) and "link was repaired" in caplog.text
    [accepted] = load(store, monthly_file(tmp_path / "more.csv", [{**MONTH, "period": "2026-04", "births": 7}]))
    assert accepted.status == "accepted"
    assert sorted(births(store)) == [(7.0,), (10.0,)]
    assert query(store, "SELECT count(*) FROM facility") == [(4,)]


def test_a_deleted_current_version_falls_back_to_the_one_before(store, tmp_path):
    before = version_files(store)
    os.unlink(current_version_file(store))
    assert current_version_file(store).name == before[-2]
    assert births(store) == []                                     # the registry-only version
    [accepted] = load(store, monthly_file(tmp_path / "again.csv", [MONTH]))
    assert accepted.status == "accepted" and births(store) == [(10.0,)]
    assert set(before[:-1]) <= set(version_files(store))          # nothing older was deleted


def test_a_damaged_current_version_is_passed_over_and_kept(store, tmp_path, caplog):
    damaged = current_version_file(store)
    with damaged.open("r+b") as handle:
        handle.write(b"\0" * 8192)
    reader = Reader(store)
    assert reader.cursor().execute("SELECT count(*) FROM facility").fetchone() == (4,)
    [accepted] = load(store, monthly_file(tmp_path / "again.csv", [{**MONTH, "births": 11}]))
    assert accepted.status == "accepted"
    assert "cannot be opened" in caplog.text
    assert births(store) == [(11.0,)]
    assert damaged.exists()                                        # kept for whoever looks into it


def test_verify_names_each_kept_version_and_restore_publishes_an_old_one_again(store, tmp_path, capsys):
    from etl.cli import main
    first, second = version_files(store)[-2:]
    assert main(["verify", "--db", str(store)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{second}  当前 current · 完整 complete · 可打开 opens"
    assert out[1] == f"{first}  完整 complete · 可打开 opens"
    assert main(["restore", first, "--db", str(store)]) == 0
    assert births(store) == []                                     # the registry-only contents again
    assert current_version_file(store).name not in (first, second)  # as a new version
    assert main(["restore", second, "--db", str(store)]) == 0       # and the restore undone
    assert births(store) == [(10.0,)]
    with current_version_file(store).open("r+b") as handle:
        handle.write(b"\0" * 8192)
    assert main(["verify", "--db", str(store)]) == 1
    assert "✗ 无法打开 DAMAGED" in capsys.readouterr().out


def test_a_full_disk_is_one_line_and_leaves_nothing_behind(store, tmp_path, capsys, monkeypatch):
    import errno

    import warehouse.store
    from etl.cli import main
    before = version_files(store)
    published = current_version_file(store)

    def full(source, target):
        with open(target, "wb") as partial:        # some of the copy made it to the disk
            partial.write(b"\0" * 4096)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(warehouse.store.shutil, "copyfile", full)
    path = monthly_file(tmp_path / "m2.csv", [{**MONTH, "period": "2026-04"}])
    assert main(["load", "--db", str(store), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "disk full" in err and "Traceback" not in err
    assert version_files(store) == before and current_version_file(store) == published
    monkeypatch.undo()
    [result] = load(store, path)                                   # the lock was released
    assert result.status == "accepted"


@pytest.mark.parametrize("where", ["derived tables", "checkpoint"])
def test_a_disk_that_fills_while_writing_is_one_line_and_leaves_nothing_behind(store, tmp_path, capsys,
                                                                              monkeypatch, where):
    import duckdb

    import warehouse.derived
    import warehouse.store
    from etl.cli import main
    before, published = version_files(store), current_version_file(store)

    def full(*args, **kwargs):
        raise duckdb.IOException('Could not write file "000003.duckdb": No space left on device')

    if where == "checkpoint":
        monkeypatch.setattr(warehouse.store.WriterSession, "_checkpoint", full)
    else:
        monkeypatch.setattr(warehouse.derived, "refresh", full)
    path = monthly_file(tmp_path / "m2.csv", [{**MONTH, "period": "2026-04"}])
    assert main(["load", "--db", str(store), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "disk full" in err and "Traceback" not in err
    assert version_files(store) == before and current_version_file(store) == published
    assert not [p for p in versions_dir(db_path(store)).iterdir() if p.name.endswith(".wal")]
    assert births(store) == [(10.0,)]
    monkeypatch.undo()
    [result] = load(store, path)
    assert result.status == "accepted" and sorted(births(store)) == [(10.0,), (10.0,)]


def test_the_number_of_kept_versions_is_a_setting(tmp_path):
    from warehouse.settings import load_settings
    settings_file = tmp_path / "settings.toml"
    text = load_settings().path.read_text(encoding="utf-8")
    settings_file.write_text(text.replace("keep_versions = 3", "keep_versions = 5"), encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    from factory import registry_files
    load(db, *registry_files(tmp_path / "registry"), settings=load_settings(settings_file))
    for month in range(1, 8):
        load(db, monthly_file(tmp_path / f"m{month}.csv", [{**MONTH, "period": f"2026-{month:02d}"}]),
             settings=load_settings(settings_file))
    assert len(version_files(db)) == 5
    load(db, monthly_file(tmp_path / "m8.csv", [{**MONTH, "period": "2026-08"}]))   # the default file: 3
    assert len(version_files(db)) == 3


def test_a_version_with_many_free_blocks_is_published_compact_and_whole(store, tmp_path):
    import duckdb

    from warehouse.store import WriterSession
    before = {t: sorted(query(store, f"SELECT * FROM {t}")) for t in ("facility", "monthly_measure",
                                                                     "facility_indicator_parts_table")}
    last_batch = query(store, "SELECT max(batch_id) FROM load_batch")[0][0]
    with WriterSession(store, rebuild=True) as session:
        session.con.execute("UPDATE setting SET value = '0' WHERE key = 'store.compact_free_share'")
        session.publish()
        assert session.compacted
    con = duckdb.connect(str(current_version_file(store)), read_only=True)
    try:
        assert con.execute("SELECT free_blocks FROM pragma_database_size()").fetchone() == (0,)
    finally:
        con.close()
    assert {t: sorted(query(store, f"SELECT * FROM {t}")) for t in before} == before
    assert query(store, "SELECT count(*) FROM v_area_indicator_value WHERE area_code = 'all'")[0][0] > 0
    assert not [p for p in versions_dir(db_path(store)).iterdir() if "compacting" in p.name]
    [result] = load(store, monthly_file(tmp_path / "next.csv", [{**MONTH, "period": "2026-04"}]))
    assert result.batch_id == last_batch + 1                      # the batch sequence went on


def test_every_page_says_so_while_an_older_version_stands_in_for_a_damaged_one(store):
    from contextvars import copy_context

    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    from dashboard import data, ids
    from dashboard.callbacks.shell import sync_filters

    def notice_for(search: str) -> str:
        """The shell's notice as the page's first callback (the URL's search) answers it."""
        def run():
            context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{ids.URL}.search", "value": search}]))
            return sync_filters(search, None, None, None)[-1]
        return str(copy_context().run(run))

    data.configure(store)
    try:
        assert "cannot be opened" not in notice_for("?lang=en")
        damaged = current_version_file(store).name
        with current_version_file(store).open("r+b") as handle:
            handle.write(b"\0" * 8192)
        data.configure(store)                        # a dashboard (re)started after the damage
        notice = notice_for("?lang=en")
        assert f"current version {damaged} cannot be opened" in notice
        assert "python -m etl verify" in notice and "newest good version, 000001.duckdb" in notice
        assert "无法打开" in notice_for("?lang=zh")
    finally:
        data.configure(None)


def test_a_writer_takes_no_more_memory_than_the_setting_allows(store):
    from warehouse.store import WriterSession
    with WriterSession(store) as session:
        assert session.con.execute("SELECT current_setting('memory_limit')").fetchone() == ("5.5 GiB",)  # 6 GB
        session.con.execute("UPDATE setting SET value = '1' WHERE key = 'store.writer_memory_gb'")
        session.publish()
    with WriterSession(store) as session:
        assert session.con.execute("SELECT current_setting('memory_limit')").fetchone() == ("953.6 MiB",)
