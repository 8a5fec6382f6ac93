import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "data_samples"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory):
    """The sample city loaded once into a warehouse of its own."""
    from factory import load
    db = tmp_path_factory.mktemp("sample") / "wh.duckdb"
    results = load(db, SAMPLES)
    assert [r.status for r in results] == ["accepted"] * len(results), \
        [p.line() for r in results for p in r.problems]
    return db
